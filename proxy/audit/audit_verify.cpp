#include "proxy/audit/audit_verify.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "proxy/audit/audit_log.h"

namespace mcpsandbox {

AuditVerdict verify_audit_log(const std::vector<std::string>& files) {
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
      prev = sha256_hex(line);
      expected_seq = seq + 1;
      ++verdict.records;
      ended = record.value("event", "") == "session.end";
    }
  }
  verdict.ok = true;
  verdict.message = std::to_string(verdict.records) + " records verify";
  if (verdict.records > 0 && !ended) {
    verdict.message += "; the last is not a session.end (a session is running, or was killed)";
  }
  return verdict;
}

}  // namespace mcpsandbox
