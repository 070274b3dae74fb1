#include "proxy/scanning/scan_self_check.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string_view>
#include <vector>

namespace mcpsandbox {
namespace {

// Shapes the real databases hold: several caseless literals in one database (the phrase
// scanner's literal matchers), a prefilter led by a character class and one byte (the e-mail
// one, whose misses started this), a fixed-width token, a long header. One database per
// group, not one for all: compile time grows much faster than linearly with the patterns, and
// this runs in every session that scans. Each positive has exactly one match end.
struct Probe {
  const char* name;
  const char* pattern;
  std::string_view positive;
  size_t match_end;  // within positive
};

struct ProbeGroup {
  unsigned flags;
  std::vector<Probe> probes;  // id = index
};

const std::vector<ProbeGroup>& probe_groups() {
  static const std::vector<ProbeGroup> groups = {
      {HS_FLAG_CASELESS,
       {{"phrase", "ignore previous instructions", "IGNORE Previous instructions", 28},
        {"phrase", "you are now", "You Are Now", 11},
        {"phrase", "system prompt", "SYSTEM prompt", 13},
        {"phrase", "do not tell the user", "do NOT tell the user", 20}}},
      {0, {{"email", R"([A-Za-z0-9]@[A-Za-z0-9\-]+\.[A-Za-z])", "bob@example.org", 13}}},
      {0, {{"github token", "ghp_[A-Za-z0-9]{36}", "ghp_0123456789abcdefghijABCDEFGHIJklmnop", 40}}},
      {0, {{"pem header", "-----BEGIN [A-Z ]*PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----", 31}}},
  };
  return groups;
}

// Text none of the probes matches: prose with digits and dots, and a run of one byte (which
// the single-byte accelerators skip through fastest).
std::string filler(size_t length, bool prose) {
  if (!prose) return std::string(length, 'a');
  std::string text;
  while (text.size() < length) text += "lorem ipsum dolor sit amet, 12 3.4.5 2026-11-24; ";
  text.resize(length);
  return text;
}

// Where to plant a positive of `size` bytes in a buffer of `length`: both ends, the middle, and
// across each vector and page width the engines step in.
std::vector<size_t> placements(size_t length, size_t size) {
  std::set<size_t> at{0, (length - size) / 2, length - size};
  for (size_t boundary : {16u, 32u, 64u, 128u, 256u, 4096u}) {
    for (long delta : {-static_cast<long>(size) - 1, -static_cast<long>(size),
                       -static_cast<long>(size) + 1, -static_cast<long>(size / 2), -1L, 0L, 1L}) {
      long position = static_cast<long>(boundary) + delta;
      if (position >= 0 && static_cast<size_t>(position) + size <= length) {
        at.insert(static_cast<size_t>(position));
      }
    }
  }
  return {at.begin(), at.end()};
}

struct Hit {
  unsigned id;
  unsigned long long end;
};

int record(unsigned int id, unsigned long long, unsigned long long to, unsigned int, void* context) {
  static_cast<std::vector<Hit>*>(context)->push_back({id, to});
  return 0;
}

struct DatabaseDeleter {
  void operator()(hs_database_t* database) const { hs_free_database(database); }
};
struct ScratchDeleter {
  void operator()(hs_scratch_t* scratch) const { hs_free_scratch(scratch); }
};

// "" when the scan found exactly the planted positive, else what it found instead.
std::string disagreement(const VectorscanRuntime& runtime, const hs_database_t* database,
                         hs_scratch_t* scratch, const Probe& probe, unsigned id,
                         const std::string& buffer, size_t position) {
  std::vector<Hit> hits;
  hs_error_t status = runtime.scan(database, buffer.data(), static_cast<unsigned>(buffer.size()),
                                   0, scratch, record, &hits);
  std::string where = std::string(probe.name) + " at " + std::to_string(position) + " of " +
                      std::to_string(buffer.size()) + " bytes: ";
  if (status != HS_SUCCESS) return where + "scan failed (" + std::to_string(status) + ")";
  unsigned long long expected = position + probe.match_end;
  bool found = std::any_of(hits.begin(), hits.end(),
                           [&](const Hit& hit) { return hit.id == id && hit.end == expected; });
  if (!found) return where + "no match";
  if (hits.size() != 1) return where + std::to_string(hits.size() - 1) + " match(es) where there are none";
  return "";
}

struct CompiledGroup {
  std::unique_ptr<hs_database_t, DatabaseDeleter> database;
  std::unique_ptr<hs_scratch_t, ScratchDeleter> scratch;
};

Result<CompiledGroup> compile(const ProbeGroup& group, hs_platform_info_t platform) {
  std::vector<const char*> patterns;
  std::vector<unsigned> flags, ids;
  for (unsigned id = 0; id < group.probes.size(); ++id) {
    patterns.push_back(group.probes[id].pattern);
    flags.push_back(group.flags | HS_FLAG_DOTALL);
    ids.push_back(id);
  }
  hs_database_t* database = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(patterns.data(), flags.data(), ids.data(), static_cast<unsigned>(patterns.size()),
                       HS_MODE_BLOCK, &platform, &database, &error) != HS_SUCCESS) {
    std::string message = std::string("cannot compile the self-check corpus: ") + (error ? error->message : "?");
    hs_free_compile_error(error);
    return Error{message};
  }
  CompiledGroup compiled{std::unique_ptr<hs_database_t, DatabaseDeleter>(database), nullptr};
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(database, &scratch) != HS_SUCCESS) {
    return Error{"cannot allocate scratch space for the self-check"};
  }
  compiled.scratch.reset(scratch);
  return compiled;
}

// Every placement of one probe: the first disagreement, or "".
std::string check_probe(const VectorscanRuntime& runtime, const CompiledGroup& compiled,
                        const Probe& probe, unsigned id, size_t& scans) {
  size_t size = probe.positive.size();
  // Long buffers in prose only: the byte run adds nothing there but time.
  for (auto [length, prose] : {std::pair{size, true}, std::pair{size_t{100}, false}, std::pair{size_t{100}, true},
                               std::pair{size_t{1000}, false}, std::pair{size_t{1000}, true},
                               std::pair{size_t{4300}, true}}) {
    std::string background = filler(length, prose);
    for (size_t position : placements(length, size)) {
      std::string buffer = background;
      buffer.replace(position, size, probe.positive);
      ++scans;
      std::string failure =
          disagreement(runtime, compiled.database.get(), compiled.scratch.get(), probe, id, buffer, position);
      if (!failure.empty()) return failure;
    }
  }
  return "";
}

}  // namespace

ScanSelfCheck self_check(const VectorscanRuntime& runtime) {
  ScanSelfCheck result;
  for (const ProbeGroup& group : probe_groups()) {
    auto compiled = compile(group, runtime.platform);
    if (!compiled) {
      result.failure = compiled.error().message;
      return result;
    }
    for (unsigned id = 0; id < group.probes.size(); ++id) {
      result.failure = check_probe(runtime, *compiled, group.probes[id], id, result.scans);
      if (!result.failure.empty()) return result;
    }
  }
  result.passed = true;
  return result;
}

}  // namespace mcpsandbox
