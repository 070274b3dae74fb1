// AuditLog: the tamper-evident record of a session, as JSON Lines. Every record carries a
// sequence number and the SHA-256 of the previous record's line, so an edit, a deletion, a
// reordering or a truncation breaks the chain where it happened (`mcpsandbox audit verify`).
// Each record is built whole and written with one write() on an O_APPEND descriptor, then made
// durable per record or per batch (fdatasync), before the decision it records takes effect.
// The file is opened by the launcher, outside the sandbox, and is never inside its view.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "proxy/crypto/ed25519.h"

#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

enum class AuditSync { kRecord, kBatch, kNone };

struct AuditOptions {
  std::string path;
  AuditSync sync = AuditSync::kRecord;
  uint64_t rotate_bytes = 0;  // 0: never rotate; else FILE -> FILE.1 -> FILE.2 ... when reached
  size_t batch_records = 64;  // with kBatch: fdatasync after this many records (and at close)
  // Signed checkpoints: every `checkpoint_every` records, and after each session.end, a record
  // whose Ed25519 signature covers the chain so far. Someone who can rewrite the file can
  // recompute hashes, but not signatures without this key (kept outside the sandbox).
  std::shared_ptr<const SigningKey> checkpoint_key;
  uint64_t checkpoint_every = 1000;
};

// The bytes a checkpoint signs: its own position and the hash of the record before it.
std::string checkpoint_message(uint64_t seq, std::string_view prev);

// Where audit records go. The relay and the launcher write through this; tests can capture.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Adds "seq", "prev" and "time" and writes the record. An error means the record is not on
  // disk: callers refuse what they were about to allow.
  virtual Result<void> record(nlohmann::json event) = 0;
};

class AuditLog final : public AuditSink {
 public:
  static constexpr const char* kGenesis =
      "0000000000000000000000000000000000000000000000000000000000000000";

  // Opens (appending) or creates the file. An existing log is continued: its last complete
  // record's hash and sequence number are read back, and an incomplete tail left by a crash is
  // reported and cut off (it was never acknowledged).
  static Result<AuditLog> open(const AuditOptions& options, std::string* notice);

  Result<void> record(nlohmann::json event) override;
  Result<void> flush();  // fdatasync now (end of session, batch mode)

  AuditLog(AuditLog&&) = default;
  AuditLog& operator=(AuditLog&&) = default;
  ~AuditLog() override;

 private:
  explicit AuditLog(AuditOptions options) : options_(std::move(options)) {}
  Result<void> rotate();
  Result<void> append(nlohmann::ordered_json line);
  Result<void> checkpoint();

  AuditOptions options_;
  UniqueFd fd_;
  uint64_t next_seq_ = 1;
  std::string prev_hash_ = kGenesis;
  uint64_t size_ = 0;
  size_t unsynced_ = 0;
  uint64_t since_checkpoint_ = 0;
};

// SHA-256 of `bytes`, lower-case hex.
std::string sha256_hex(std::string_view bytes);

}  // namespace mcpsandbox
