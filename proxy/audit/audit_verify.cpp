#include "proxy/audit/audit_verify.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "proxy/audit/audit_log.h"
#include "proxy/crypto/ed25519.h"

namespace mcpsandbox {

namespace {

// A member's text, or "" where it is missing or not a string: a hand-edited log may hold
// anything ("event": 10), and the verdict must say so, not throw.
std::string text_of(const nlohmann::json& record, const char* key) {
  auto found = record.find(key);
  return found != record.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// A checkpoint's signature; empty when it holds, else what is wrong.
std::string check_checkpoint(const nlohmann::json& record, uint64_t seq, const std::string& prev,
                             const std::vector<std::string>& trusted_keys) {
  std::string key = text_of(record, "key"), signature = text_of(record, "signature");
  if (!verify_base64(key, signature, checkpoint_message(seq, prev))) {
    return "checkpoint " + std::to_string(seq) + " has a signature that does not verify "
           "(forged or edited)";
  }
  if (!trusted_keys.empty() &&
      std::find(trusted_keys.begin(), trusted_keys.end(), key) == trusted_keys.end()) {
    return "checkpoint " + std::to_string(seq) + " is signed by " + key +
           ", which is not a key given with --public-key";
  }
  return {};
}

}  // namespace

AuditVerdict verify_audit_log(const std::vector<std::string>& files,
                              const std::vector<std::string>& trusted_keys) {
  AuditVerdict verdict;
  std::string prev;  // expected "prev" of the next record; empty: the first file decides
  uint64_t expected_seq = 0;
  bool ended = false;  // the last record seen is a session.end (a log may hold many sessions)
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      verdict.message = file + ": cannot read";
      return verdict;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    size_t start = 0, line_number = 0;
    while (start < text.size()) {
      ++line_number;
      size_t newline = text.find('\n', start);
      std::string where = file + ":" + std::to_string(line_number);
      if (newline == std::string::npos) {
        verdict.message = where + ": incomplete final record (no newline): the log was cut off "
                          "mid-write; the " + std::to_string(verdict.records) +
                          " records before it verify";
        return verdict;
      }
      std::string line = text.substr(start, newline - start);
      start = newline + 1;
      nlohmann::json record;
      try {
        record = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception&) {
        verdict.message = where + ": not a JSON record (edited or corrupted)";
        return verdict;
      }
      if (!record.is_object() || !record.contains("seq") || !record["seq"].is_number_unsigned() ||
          !record.contains("prev") || !record["prev"].is_string()) {
        verdict.message = where + ": missing seq or prev";
        return verdict;
      }
      uint64_t seq = record["seq"].get<uint64_t>();
      std::string record_prev = record["prev"].get<std::string>();
      if (prev.empty() && expected_seq == 0) {
        // The first record: a fresh log starts at seq 1 from the genesis hash; a rotated-away
        // beginning is reported, not assumed.
        if (seq != 1 || record_prev != AuditLog::kGenesis) {
          verdict.message = where + ": the chain starts at record " + std::to_string(seq) +
                            ", not 1 (earlier records are missing: pass the rotated files first)";
          return verdict;
        }
      } else {
        if (seq != expected_seq) {
          verdict.message = where + ": record " + std::to_string(seq) + " where " +
                            std::to_string(expected_seq) + " was expected (deleted or reordered)";
          return verdict;
        }
        if (record_prev != prev) {
          verdict.message = where + ": record " + std::to_string(seq) +
                            " does not chain to the one before (edited, deleted or reordered)";
          return verdict;
        }
      }
      std::string event = text_of(record, "event");
      if (event == "checkpoint") {
        if (std::string problem = check_checkpoint(record, seq, record_prev, trusted_keys);
            !problem.empty()) {
          verdict.message = where + ": " + problem;
          return verdict;
        }
        ++verdict.checkpoints;
        verdict.last_signed_seq = seq;
      }
      prev = sha256_hex(line);
      expected_seq = seq + 1;
      ++verdict.records;
      // A checkpoint after a session.end does not reopen the session.
      if (event != "checkpoint") ended = event == "session.end";
    }
  }
  if (!trusted_keys.empty() && verdict.checkpoints == 0) {
    verdict.message = "the chain holds " + std::to_string(verdict.records) +
                      " records but no checkpoint signed by the given key (rewritten, or written "
                      "without audit.checkpoint)";
    return verdict;
  }
  verdict.ok = true;
  verdict.message = std::to_string(verdict.records) + " records verify";
  if (verdict.checkpoints > 0) {
    verdict.message += "; " + std::to_string(verdict.checkpoints) +
                       " signed checkpoints, the last covering records 1-" +
                       std::to_string(verdict.last_signed_seq);
    if (uint64_t after = verdict.records - verdict.last_signed_seq; after > 0) {
      verdict.message += " (" + std::to_string(after) + " after it are chained but not signed)";
    }
  }
  if (verdict.records > 0 && !ended) {
    verdict.message += "; the last is not a session.end (a session is running, or was killed)";
  }
  return verdict;
}

}  // namespace mcpsandbox
