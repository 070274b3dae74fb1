#include "proxy/redaction/redactor.h"

#include <hs/hs.h>
#include <re2/re2.h>
#include <sodium.h>

#include <algorithm>

#include "profiles/glob.h"

namespace mcpsandbox {

using simdjson::dom::element;
using simdjson::dom::element_type;

struct Redactor::Engine {
  RedactionPlan plan;
  std::vector<RedactionDetector> detectors;  // index = Hyperscan id = priority
  // Exact spans, only for the detectors Vectorscan says match a string: clean text costs one
  // Vectorscan pass and nothing else.
  std::vector<std::unique_ptr<re2::RE2>> spans;
  hs_database_t* database = nullptr;
  hs_scratch_t* scratch = nullptr;
  unsigned char hash_key[crypto_generichash_KEYBYTES];
  ~Engine() {
    if (scratch) hs_free_scratch(scratch);
    if (database) hs_free_database(database);
    sodium_memzero(hash_key, sizeof hash_key);
  }
};

namespace {

struct Span {
  size_t from, to;
  unsigned id;
};

int note_detector(unsigned int id, unsigned long long, unsigned long long, unsigned int,
                  void* context) {
  static_cast<std::vector<unsigned>*>(context)->push_back(id);
  return 0;
}

}  // namespace

Redactor::Redactor(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}
Redactor::Redactor(Redactor&&) noexcept = default;
Redactor& Redactor::operator=(Redactor&&) noexcept = default;
Redactor::~Redactor() = default;

Result<Redactor> Redactor::create(const RedactionPlan& plan) {
  if (sodium_init() < 0) return Error{"redaction: libsodium failed to initialise"};
  auto engine = std::make_unique<Engine>();
  engine->plan = plan;
  engine->detectors = builtin_redaction_detectors();
  for (const auto& [name, pattern] : plan.custom) engine->detectors.push_back({name, pattern});
  std::vector<const char*> patterns;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < engine->detectors.size(); ++i) {
    const RedactionDetector& detector = engine->detectors[i];
    patterns.push_back(detector.prefilter.empty() ? detector.pattern.c_str() : detector.prefilter.c_str());
    flags.push_back(HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL |
                    (engine->detectors[i].caseless ? HS_FLAG_CASELESS : 0u));
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(patterns.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK, nullptr,
                       &engine->database, &error) != HS_SUCCESS) {
    std::string which = error && error->expression >= 0
                            ? engine->detectors[static_cast<size_t>(error->expression)].name
                            : "?";
    std::string message = "redaction: pattern '" + which + "': " + (error ? error->message : "?");
    hs_free_compile_error(error);
    return Error{message};
  }
  for (const RedactionDetector& detector : engine->detectors) {
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_dot_nl(true);
    options.set_case_sensitive(!detector.caseless);
    auto compiled = std::make_unique<re2::RE2>(detector.pattern, options);
    if (!compiled->ok()) {
      return Error{"redaction: pattern '" + detector.name + "': " + compiled->error()};
    }
    engine->spans.push_back(std::move(compiled));
  }
  if (hs_alloc_scratch(engine->database, &engine->scratch) != HS_SUCCESS) {
    return Error{"redaction: cannot allocate scratch space"};
  }
  randombytes_buf(engine->hash_key, sizeof engine->hash_key);
  return Redactor(std::move(engine));
}

RedactionAction Redactor::action_for(const std::string& detector, RedactionDirection direction,
                                     std::string_view tool) const {
  const RedactionPlan& plan = engine_->plan;
  for (const auto& [glob, actions] : plan.tools) {
    if (!tool.empty() && glob_match(glob, tool)) {
      if (auto it = actions.find(detector); it != actions.end()) return it->second;
    }
  }
  const auto& by_direction = direction == RedactionDirection::kArguments ? plan.arguments : plan.results;
  if (auto it = by_direction.find(detector); it != by_direction.end()) return it->second;
  if (auto it = plan.actions.find(detector); it != plan.actions.end()) return it->second;
  // Addresses are everywhere in logs and configs: recorded, not rewritten, unless asked.
  if (detector == "ipv4" || detector == "ipv6") return RedactionAction::kAllow;
  return RedactionAction::kRedact;
}

bool Redactor::scan_string(std::string_view text, const std::string& location,
                           RedactionDirection direction, std::string_view tool,
                           std::vector<RedactionFinding>& findings, bool& blocked,
                           std::string* rewritten) {
  std::vector<unsigned> matched;
  if (hs_scan(engine_->database, text.data(), static_cast<unsigned>(text.size()), 0,
              engine_->scratch, note_detector, &matched) != HS_SUCCESS) {
    return false;
  }
  if (matched.empty()) return false;
  std::sort(matched.begin(), matched.end());
  std::vector<Span> merged;
  for (unsigned id : matched) {
    re2::StringPiece input(text.data(), text.size()), match;
    size_t offset = 0;
    while (offset <= text.size() &&
           engine_->spans[id]->Match(input, offset, text.size(), re2::RE2::UNANCHORED, &match, 1)) {
      size_t from = static_cast<size_t>(match.data() - text.data());
      size_t to = from + match.size();
      merged.push_back({from, to, id});
      offset = to > from ? to : from + 1;
      if (merged.size() > 100000) break;
    }
  }
  // Validate, then take spans by detector priority (secrets before personal data); a span that
  // overlaps an accepted one is part of it.
  std::vector<Span> accepted;
  for (const Span& span : merged) {
    const RedactionDetector& detector = engine_->detectors[span.id];
    if (detector.validate && !detector.validate(text.substr(span.from, span.to - span.from))) continue;
    bool overlaps = std::any_of(accepted.begin(), accepted.end(), [&](const Span& other) {
      return span.from < other.to && other.from < span.to;
    });
    if (!overlaps) accepted.push_back(span);
  }
  if (accepted.empty()) return false;
  std::sort(accepted.begin(), accepted.end(), [](const Span& a, const Span& b) { return a.from < b.from; });
  std::string out;
  size_t done = 0;
  bool changed = false;
  for (const Span& span : accepted) {
    const std::string& name = engine_->detectors[span.id].name;
    RedactionAction action = action_for(name, direction, tool);
    findings.push_back({name, location, action});
    out.append(text.substr(done, span.from - done));
    std::string_view value = text.substr(span.from, span.to - span.from);
    if (action == RedactionAction::kRedact) {
      out += "[REDACTED:" + name + "]";
      changed = true;
    } else if (action == RedactionAction::kHash) {
      unsigned char digest[16];
      crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(value.data()),
                         value.size(), engine_->hash_key, sizeof engine_->hash_key);
      char hex[9];
      sodium_bin2hex(hex, sizeof hex, digest, 4);
      out += "[HASH:" + name + ":" + hex + "]";
      changed = true;
    } else {
      if (action == RedactionAction::kBlock) blocked = true;
      out.append(value);
    }
    done = span.to;
  }
  out.append(text.substr(done));
  if (changed && rewritten) *rewritten = std::move(out);
  return changed;
}

void Redactor::walk(element value, std::string& pointer, RedactionDirection direction,
                    std::string_view tool, Outcome& outcome, size_t depth) {
  if (depth > 512) return;
  switch (value.type()) {
    case element_type::STRING: {
      std::string_view text = value.get_string().value_unsafe();
      std::string rewritten;
      if (scan_string(text, pointer.empty() ? "/" : pointer, direction, tool, outcome.findings,
                      outcome.blocked, &rewritten)) {
        outcome.rewrites[text.data()] = std::move(rewritten);
      }
      return;
    }
    case element_type::OBJECT: {
      simdjson::dom::object members = value.get_object().value_unsafe();
      for (auto field : members) {
        size_t length = pointer.size();
        pointer += '/';
        pointer.append(field.key);
        walk(field.value, pointer, direction, tool, outcome, depth + 1);
        pointer.resize(length);
      }
      return;
    }
    case element_type::ARRAY: {
      simdjson::dom::array items = value.get_array().value_unsafe();
      size_t position = 0;
      for (element item : items) {
        size_t length = pointer.size();
        pointer += '/' + std::to_string(position++);
        walk(item, pointer, direction, tool, outcome, depth + 1);
        pointer.resize(length);
      }
      return;
    }
    default:
      return;
  }
}

Redactor::Outcome Redactor::scan(element value, RedactionDirection direction, std::string_view tool) {
  Outcome outcome;
  if (!engine_->plan.enabled) return outcome;
  std::string pointer;
  walk(value, pointer, direction, tool, outcome, 0);
  return outcome;
}

std::string Redactor::redact_text(std::string_view text, RedactionDirection direction,
                                  std::string_view tool, std::vector<RedactionFinding>& findings,
                                  bool& blocked) {
  std::string rewritten;
  if (scan_string(text, "/", direction, tool, findings, blocked, &rewritten)) return rewritten;
  return std::string(text);
}

}  // namespace mcpsandbox
