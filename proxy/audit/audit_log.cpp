#include "proxy/audit/audit_log.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>

namespace mcpsandbox {
namespace {

std::string now_utc() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  char text[40];
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%06lldZ", static_cast<long long>(micros));
  return text;
}

Result<void> write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{std::string("audit log: write: ") + std::strerror(errno)};
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Result<AuditLog> AuditLog::open(const AuditOptions& options, std::string* notice) {
  if (sodium_init() < 0) return Error{"audit log: libsodium failed to initialise"};
  AuditLog log(options);
  int fd = ::open(options.path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Error{"audit log " + options.path + ": " + std::strerror(errno)};
  log.fd_.reset(fd);
  // Continue an existing chain from its last complete record.
  struct stat info {};
  if (::fstat(fd, &info) != 0) return Error{"audit log: fstat: " + std::string(std::strerror(errno))};
  std::string text(static_cast<size_t>(info.st_size), '\0');
  if (!text.empty() && ::pread(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return Error{"audit log " + options.path + ": cannot read it back"};
  }
  size_t complete = text.rfind('\n');
  complete = complete == std::string::npos ? 0 : complete + 1;
  if (complete < text.size()) {
    // A crash in the middle of a write: that record was never acknowledged. Cut it off so the
    // file stays a verifiable chain, and say so.
    if (::ftruncate(fd, static_cast<off_t>(complete)) != 0) {
      return Error{"audit log: cannot cut an incomplete record: " + std::string(std::strerror(errno))};
    }
    if (notice) *notice = "audit log: removed an incomplete final record (" +
                          std::to_string(text.size() - complete) + " bytes) left by a crash";
    text.resize(complete);
  }
  log.size_ = text.size();
  if (text.empty()) {
    // Just rotated: the chain continues from the newest rotated file.
    std::ifstream rotated(options.path + ".1", std::ios::binary);
    std::string line, last;
    while (std::getline(rotated, line)) last = line;
    if (!last.empty()) text = last + "\n";
  }
  if (!text.empty()) {
    size_t start = text.rfind('\n', text.size() - 2);
    start = start == std::string::npos ? 0 : start + 1;
    std::string last = text.substr(start, text.size() - 1 - start);
    try {
      log.next_seq_ = nlohmann::json::parse(last).at("seq").get<uint64_t>() + 1;
    } catch (const nlohmann::json::exception&) {
      return Error{"audit log " + options.path + ": the last record is not an audit record; "
                   "refusing to append to something else"};
    }
    log.prev_hash_ = sha256_hex(last);
  }
  return log;
}

AuditLog::~AuditLog() {
  if (fd_.valid() && unsynced_ > 0) ::fdatasync(fd_.get());
}

Result<void> AuditLog::rotate() {
  if (auto r = flush(); !r) return r;
  // FILE.(n) -> FILE.(n+1), FILE -> FILE.1; the chain continues into the new file.
  int highest = 0;
  while (::access((options_.path + "." + std::to_string(highest + 1)).c_str(), F_OK) == 0) ++highest;
  for (int i = highest; i >= 1; --i) {
    ::rename((options_.path + "." + std::to_string(i)).c_str(),
             (options_.path + "." + std::to_string(i + 1)).c_str());
  }
  if (::rename(options_.path.c_str(), (options_.path + ".1").c_str()) != 0) {
    return Error{"audit log: rotate: " + std::string(std::strerror(errno))};
  }
  int fd = ::open(options_.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"audit log: rotate: " + std::string(std::strerror(errno))};
  fd_.reset(fd);
  size_ = 0;
  return {};
}

std::string checkpoint_message(uint64_t seq, std::string_view prev) {
  return "mcpsandbox audit checkpoint " + std::to_string(seq) + " " + std::string(prev);
}

Result<void> AuditLog::record(nlohmann::json event) {
  // seq, prev and time first, then the event as given, so a person can read the file.
  nlohmann::ordered_json line = {{"seq", next_seq_}, {"prev", prev_hash_}, {"time", now_utc()}};
  bool session_end = false;
  if (event.contains("event")) {
    session_end = event["event"] == "session.end";
    line["event"] = event["event"];
  }
  for (auto& [key, value] : event.items()) {
    if (key != "event") line[key] = std::move(value);
  }
  if (auto r = append(std::move(line)); !r) return r;
  if (!options_.checkpoint_key) return {};
  if (session_end || ++since_checkpoint_ >= options_.checkpoint_every) return checkpoint();
  return {};
}

Result<void> AuditLog::checkpoint() {
  nlohmann::ordered_json line = {{"seq", next_seq_}, {"prev", prev_hash_}, {"time", now_utc()},
                                 {"event", "checkpoint"},
                                 {"key", options_.checkpoint_key->public_base64()},
                                 {"signature", options_.checkpoint_key->sign_base64(
                                                   checkpoint_message(next_seq_, prev_hash_))}};
  since_checkpoint_ = 0;
  return append(std::move(line));
}

Result<void> AuditLog::append(nlohmann::ordered_json line) {
  std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  if (options_.rotate_bytes && size_ > 0 && size_ + text.size() + 1 > options_.rotate_bytes) {
    if (auto r = rotate(); !r) return r;
  }
  std::string bytes = text + "\n";
  if (auto r = write_all(fd_.get(), bytes); !r) {
    // A full disk can take part of a record: cut it off, so the file stays a verifiable chain
    // and a later record (once there is room) does not follow half a line.
    if (::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0) {
      return Error{r.error().message + "; and the partial record could not be cut off: " +
                   std::strerror(errno)};
    }
    return r;
  }
  size_ += bytes.size();
  ++unsynced_;
  if (options_.sync == AuditSync::kRecord ||
      (options_.sync == AuditSync::kBatch && unsynced_ >= options_.batch_records)) {
    if (auto r = flush(); !r) return r;
  }
  prev_hash_ = sha256_hex(text);
  ++next_seq_;
  return {};
}

Result<void> AuditLog::flush() {
  if (unsynced_ == 0) return {};
  if (::fdatasync(fd_.get()) != 0) {
    return Error{"audit log: fdatasync: " + std::string(std::strerror(errno))};
  }
  unsynced_ = 0;
  return {};
}

}  // namespace mcpsandbox
