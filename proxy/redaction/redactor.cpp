#include "proxy/redaction/redactor.h"

#include <hs/hs.h>
#include <re2/re2.h>
#include <sodium.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "profiles/glob.h"
#include "proxy/redaction/lookalike_fold.h"

namespace mcpsandbox {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Where a detector may match (the end of a Vectorscan hit, or of a digit cluster).
struct RedactionHit {
  unsigned id;
  size_t end;
  size_t start = std::string_view::npos;  // digit clusters: where the cluster begins
};

// Where a detector matched exactly, its validator agreeing.
struct RedactionSpan {
  size_t from, to;
  unsigned id;
};

namespace {

// Where around a hit's end the exact match can lie: [end - before, end + after]; for an
// expression of unbounded length, from wherever the previous window of its detector ended.
struct Window {
  size_t before, after;
  bool unbounded = false;
};

// From Vectorscan's analysis of the exact expression: a match is at most max_width long, so a
// hit of the exact expression itself ends its match, and a prefilter hit lies inside one. A
// match with no bound (a long JWT, a PEM block, an address with a long local part) can start
// anywhere before its hit: its window is first the usual 512 bytes and, where that finds
// nothing or a match cut at the window's start, back to where the previous one ended. Digit
// clusters get the cluster itself (per hit).
Window window_for(const RedactionDetector& detector) {
  if (detector.digit_prefilter) return {0, 64};
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* error = nullptr;
  unsigned max_width = UINT_MAX;
  if (hs_expression_info(detector.pattern.c_str(), HS_FLAG_DOTALL, &info, &error) == HS_SUCCESS) {
    max_width = info->max_width;
    std::free(info);  // allocated with the default allocator (misc_alloc: malloc)
  } else {
    hs_free_compile_error(error);
  }
  bool prefilter = !detector.prefilter.empty();
  if (max_width == UINT_MAX) {
    size_t reach = detector.reach ? detector.reach : 512;  // the first try, before the wide one
    return Window{reach, prefilter ? reach : 0, true};
  }
  size_t width = std::max<size_t>(detector.reach ? detector.reach : max_width, 1);
  return prefilter ? Window{width, width} : Window{width, 0};
}

}  // namespace

struct Redactor::Engine {
  RedactionPlan plan;
  std::vector<RedactionDetector> detectors;  // index = Hyperscan id = priority
  // Detector index for each DigitDetector (found by the digit-cluster pass, not Vectorscan).
  unsigned digit_detector_ids[5] = {};
  // Exact spans, only for the detectors Vectorscan says match a string: clean text costs one
  // Vectorscan pass and nothing else.
  std::vector<std::unique_ptr<re2::RE2>> spans;
  std::vector<Window> windows;  // parallel to detectors
  hs_database_t* database = nullptr;  // nullptr: the fallback engine (RE2 over whole strings)
  hs_scratch_t* scratch = nullptr;
  ScanFunction scan = nullptr;  // the Vectorscan runtime the database was compiled for
  unsigned char hash_key[crypto_generichash_KEYBYTES];
  ~Engine() {
    if (scratch) hs_free_scratch(scratch);
    if (database) hs_free_database(database);
    sodium_memzero(hash_key, sizeof hash_key);
  }
};

namespace {

// More spans than this in one string is no text but a flood: the string is replaced whole.
constexpr size_t kMaxSpans = 100000;
// Numbers of fewer digits hold no detector's data (the shortest, a national id, has nine).
constexpr int64_t kShortestScannedNumber = 100000000;

// The digits a reader of `number` sees, when there are enough to hold a detector's data: an
// integer as written; a fraction or exponent form (4111111111111111.0, 4.111111111111111e15) as
// its integer part, which is what a JavaScript client shows. Empty: too short to matter.
std::string digits_to_scan(element number) {
  if (number.type() == element_type::UINT64) {
    uint64_t value = number.get_uint64().value_unsafe();
    return value >= static_cast<uint64_t>(kShortestScannedNumber) ? std::to_string(value) : "";
  }
  if (number.type() == element_type::INT64) {
    int64_t value = number.get_int64().value_unsafe();
    return value >= kShortestScannedNumber || value <= -kShortestScannedNumber ? std::to_string(value) : "";
  }
  double value = number.get_double().value_unsafe();
  if (!std::isfinite(value) || std::fabs(value) < static_cast<double>(kShortestScannedNumber)) return "";
  if (std::fabs(value) >= 1e19) return simdjson::minify(number);  // beyond any card or account number
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", std::trunc(value));
  return text;
}

using Hit = RedactionHit;
using Span = RedactionSpan;

// Each place a prefilter matched; a bounded number per string (the windows merge anyway).
int note_hit(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
             void* context) {
  auto* hits = static_cast<std::vector<Hit>*>(context);
  if (hits->size() >= 65536) return 1;  // stop scanning: everything from here is re-checked
  hits->push_back({id, static_cast<size_t>(to)});
  return 0;
}


bool is_alphanumeric(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool accepts(const RedactionDetector& detector, std::string_view text, size_t from, size_t to) {
  return !detector.validate || detector.validate(text.substr(from, to - from));
}

// A rejected match may have swallowed a number after the real one ("...0004 12 items" read as
// one 18-digit card): the longest shorter reading from the same start that ends where a word
// ends, if the validator accepts it. 0 when there is none.
size_t shorter_valid_end(std::string_view text, const re2::RE2& expression,
                         const RedactionDetector& detector, size_t start, size_t end) {
  re2::StringPiece input(text.data(), text.size());
  for (size_t cut = end - 1; cut > start; --cut) {
    if (!is_alphanumeric(text[cut - 1]) || is_alphanumeric(text[cut])) continue;
    if (expression.Match(input, start, cut, re2::RE2::ANCHOR_BOTH, nullptr, 0) &&
        accepts(detector, text, start, cut)) {
      return cut;
    }
  }
  return 0;
}

// Every span of text[from, to] where `expression` matches and the detector's validator agrees.
// After a rejected match the search goes on from its next character, not from its end: it may
// have swallowed a number before the real one ("order 12 5500-0000-0000-0004"). Where two
// valid readings overlap ("4 5500-0000-0000-0004": a 13-digit and a 16-digit card), the span
// covers both, so no reading's digits are left in the clear.
void find_valid_spans(std::string_view text, const re2::RE2& expression,
                      const RedactionDetector& detector, unsigned id, size_t from, size_t to,
                      std::vector<Span>& spans) {
  auto add = [&](size_t start, size_t end) {
    if (!spans.empty() && spans.back().id == id && start < spans.back().to) {
      spans.back().to = std::max(spans.back().to, end);
    } else {
      spans.push_back({start, end, id});
    }
  };
  re2::StringPiece input(text.data(), text.size()), match[2];
  size_t offset = from;
  int groups = detector.secret_group ? 2 : 1;
  while (offset <= to && expression.Match(input, offset, to, re2::RE2::UNANCHORED, match, groups)) {
    size_t start = static_cast<size_t>(match[0].data() - text.data());
    size_t end = start + match[0].size();
    if (accepts(detector, text, start, end)) {
      // Where the expression names its context (`password: ...`), only the secret is replaced.
      if (detector.secret_group && match[1].data() != nullptr) {
        size_t secret = static_cast<size_t>(match[1].data() - text.data());
        add(secret, secret + match[1].size());
      } else {
        add(start, end);
      }
      offset = end > start ? end : start + 1;
    } else {
      // Only numbers swallow a neighbour; a shorter reading of anything else is a part of it.
      if (detector.digit_prefilter) {
        if (size_t shorter = shorter_valid_end(text, expression, detector, start, end)) add(start, shorter);
      }
      offset = start + 1;
    }
    if (spans.size() > kMaxSpans) return;
  }
}

}  // namespace

Redactor::Redactor(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}
Redactor::Redactor(Redactor&&) noexcept = default;
Redactor& Redactor::operator=(Redactor&&) noexcept = default;
Redactor::~Redactor() = default;

Result<Redactor> Redactor::create(const RedactionPlan& plan, const ScanEngine& scan_engine) {
  if (sodium_init() < 0) return Error{"redaction: libsodium failed to initialise"};
  auto engine = std::make_unique<Engine>();
  engine->plan = plan;
  engine->detectors = builtin_redaction_detectors();
  for (const auto& [name, pattern] : plan.custom) engine->detectors.push_back({name, pattern});
  std::vector<const char*> patterns;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < engine->detectors.size(); ++i) {
    const RedactionDetector& detector = engine->detectors[i];
    if (detector.digit_prefilter) {
      engine->digit_detector_ids[static_cast<size_t>(*detector.digit_prefilter)] = static_cast<unsigned>(i);
      continue;
    }
    patterns.push_back(detector.prefilter.empty() ? detector.pattern.c_str() : detector.prefilter.c_str());
    flags.push_back(HS_FLAG_DOTALL |
                    (engine->detectors[i].caseless ? HS_FLAG_CASELESS : 0u));
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_compile_error_t* error = nullptr;
  std::optional<hs_platform_info_t> platform;
  if (scan_engine.vectorscan) {
    platform = scan_engine.vectorscan->platform;
    engine->scan = scan_engine.vectorscan->scan;
  }
  if (platform && hs_compile_multi(patterns.data(), flags.data(), ids.data(),
                                   static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK, &*platform,
                                   &engine->database, &error) != HS_SUCCESS) {
    std::string which = error && error->expression >= 0
                            ? engine->detectors[ids[static_cast<size_t>(error->expression)]].name
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
    engine->windows.push_back(window_for(detector));
  }
  if (engine->database && hs_alloc_scratch(engine->database, &engine->scratch) != HS_SUCCESS) {
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

// Where each detector may match: Vectorscan's hits (or, without it, every detector over the
// whole string) and the digit clusters. False when the scan could not narrow anything down.
bool Redactor::collect_hits(std::string_view text, std::vector<Hit>& hits) const {
  // Without Vectorscan (a CPU it does not support, a runtime that failed its self-check), or
  // when a scan stops early (too many hits) or fails, every expression searches the whole
  // string: slower, never less thorough.
  bool whole_text = engine_->database == nullptr;
  if (!whole_text) {
    whole_text = engine_->scan(engine_->database, text.data(), static_cast<unsigned>(text.size()), 0,
                               engine_->scratch, note_hit, &hits) != HS_SUCCESS;
  }
  if (whole_text) {
    hits.clear();
    for (size_t id = 0; id < engine_->detectors.size(); ++id) {
      if (!engine_->detectors[id].digit_prefilter) hits.push_back({static_cast<unsigned>(id), text.size(), 0});
    }
  }
  std::vector<DigitCandidate> candidates;
  find_digit_candidates(text, candidates);
  for (const DigitCandidate& candidate : candidates) {
    // A "+" or "(" may lead a phone number, two capitals an IBAN: a few bytes before the digits.
    size_t start = candidate.start > 4 ? candidate.start - 4 : 0;
    hits.push_back({engine_->digit_detector_ids[static_cast<size_t>(candidate.detector)], candidate.end, start});
  }
  return !hits.empty();
}

// RE2 looks only in windows around the hits (merged per detector), not at the whole string:
// a large result with a few secrets costs one Vectorscan pass plus a few small RE2 runs.
// False when there are more spans than a string can sensibly hold.
bool Redactor::find_spans(std::string_view text, std::vector<Hit>& hits, std::vector<Span>& spans) const {
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.id != b.id ? a.id < b.id : a.end < b.end;
  });
  auto window_start = [&](const Hit& hit, const Window& window, size_t previous_to) {
    if (hit.start != std::string_view::npos) return hit.start;
    size_t start = hit.end > window.before ? hit.end - window.before : 0;
    return window.unbounded ? std::max(previous_to, start) : start;
  };
  size_t previous_to = 0;
  for (size_t i = 0; i < hits.size();) {
    unsigned id = hits[i].id;
    if (i == 0 || hits[i - 1].id != id) previous_to = 0;
    const Window& window = engine_->windows[id];
    size_t from = window_start(hits[i], window, previous_to);
    size_t to = std::min(text.size(), hits[i].end + window.after);
    size_t j = i + 1;
    for (; j < hits.size() && hits[j].id == id; ++j) {
      if (window_start(hits[j], window, to) > to) break;
      to = std::min(text.size(), hits[j].end + window.after);
    }
    from = std::min(from, to);
    size_t found = spans.size();
    find_valid_spans(text, *engine_->spans[id], engine_->detectors[id], id, from, to, spans);
    bool cut = spans.size() == found || spans[found].from == from;
    if (window.unbounded && from > previous_to && cut) {
      spans.resize(found);  // the match may begin before the window: search from the last one
      find_valid_spans(text, *engine_->spans[id], engine_->detectors[id], id, previous_to, to, spans);
    }
    if (spans.size() > kMaxSpans) return false;
    previous_to = to;
    i = j;
  }
  return true;
}

// By detector priority (secrets before personal data). A span that overlaps a taken one joins
// it, so that neither reading leaves part of itself in the clear ("123-45-6789 0000 0000 2" is
// an SSN and a card): the union is redacted under the first one's name.
static std::vector<Span> take_by_priority(const std::vector<Span>& spans) {
  std::vector<Span> taken;
  for (const Span& span : spans) {
    auto overlapping = std::find_if(taken.begin(), taken.end(), [&](const Span& other) {
      return span.from < other.to && other.from < span.to;
    });
    if (overlapping == taken.end()) {
      taken.push_back(span);
      continue;
    }
    overlapping->from = std::min(overlapping->from, span.from);
    overlapping->to = std::max(overlapping->to, span.to);
  }
  // A widened span may now reach another: join those too.
  std::sort(taken.begin(), taken.end(), [](const Span& a, const Span& b) { return a.from < b.from; });
  std::vector<Span> joined;
  for (const Span& span : taken) {
    if (!joined.empty() && span.from < joined.back().to) {
      joined.back().to = std::max(joined.back().to, span.to);
      if (span.id < joined.back().id) joined.back().id = span.id;
      continue;
    }
    joined.push_back(span);
  }
  return joined;
}

bool Redactor::scan_string(std::string_view text, const std::string& location,
                           RedactionDirection direction, std::string_view tool,
                           std::vector<RedactionFinding>& findings, bool& blocked,
                           std::string* rewritten, bool redact_all) {
  // Detectors read the text as a reader does ("bob＠example．org", "٤١١١…" folded to ASCII);
  // what is rewritten is the original's bytes each finding came from.
  std::optional<FoldedText> folded = fold_lookalikes(text);
  std::string_view scanned = folded ? std::string_view(folded->text) : text;
  auto original = [&](size_t at) { return folded ? folded->origin[at] : at; };
  std::vector<Hit> hits;
  if (!collect_hits(scanned, hits)) return false;
  std::vector<Span> spans;
  if (!find_spans(scanned, hits, spans)) {
    // More findings than any real text has: none of it passes, rather than the rest unscanned.
    findings.push_back({"too_many_findings", location, RedactionAction::kRedact});
    if (rewritten) *rewritten = "[REDACTED:too_many_findings]";
    return true;
  }
  std::vector<Span> accepted = take_by_priority(spans);
  if (accepted.empty()) return false;
  std::string out;
  out.reserve(text.size() + 32 * accepted.size());
  size_t done = 0;
  bool changed = false;
  for (const Span& span : accepted) {
    const std::string& name = engine_->detectors[span.id].name;
    RedactionAction action = redact_all ? RedactionAction::kRedact : action_for(name, direction, tool);
    findings.push_back({name, location, action});
    size_t from = original(span.from), to = original(span.to);
    out.append(text.substr(done, from - done));
    std::string_view value = scanned.substr(span.from, span.to - span.from);  // hashed as read
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
      out.append(text.substr(from, to - from));
    }
    done = to;
  }
  out.append(text.substr(done));
  if (changed && rewritten) *rewritten = std::move(out);
  return changed;
}

// Every string and every key. A key is rewritten like a value (the rebuild numbers keys that
// become equal); a location never shows a key that held a finding. Inside "requestState" (an
// opaque token the server wants back unchanged) nothing can be rewritten: a finding there that
// would be redacted or hashed blocks the message instead.
void Redactor::walk(element value, std::string& pointer, RedactionDirection direction,
                    std::string_view tool, Outcome& outcome, size_t depth, bool opaque) {
  if (depth > 512) return;
  switch (value.type()) {
    case element_type::STRING:
    {
      std::string_view text = value.get_string().value_unsafe();
      if (auto rewritten = scan_member_text(text, pointer.empty() ? "/" : pointer, direction, tool, outcome, opaque)) {
        outcome.rewrites.strings[text.data()] = std::move(*rewritten);
      }
      return;
    }
    case element_type::OBJECT: {
      simdjson::dom::object members = value.get_object().value_unsafe();
      for (auto field : members) {
        size_t length = pointer.size();
        pointer += '/';
        size_t found = outcome.findings.size();
        if (auto rewritten = scan_member_text(field.key, pointer + "{key}", direction, tool, outcome, opaque)) {
          outcome.rewrites.strings[field.key.data()] = std::move(*rewritten);
        }
        if (outcome.findings.size() > found) {
          pointer += "{redacted key}";
        } else {
          pointer.append(field.key);
        }
        walk(field.value, pointer, direction, tool, outcome, depth + 1, opaque || field.key == "requestState");
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
        walk(item, pointer, direction, tool, outcome, depth + 1, opaque);
        pointer.resize(length);
      }
      return;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      // Numbers count in document order, as the rebuild meets them. Only long ones can hold a
      // card, account or phone number; a short one is not even formatted.
      size_t index = outcome.numbers_seen++;
      if (std::string text = digits_to_scan(value); !text.empty()) {
        if (auto rewritten = scan_member_text(text, pointer.empty() ? "/" : pointer, direction, tool, outcome, opaque)) {
          outcome.rewrites.numbers[index] = std::move(*rewritten);
        }
      }
      return;
    }
    default:
      return;
  }
}

std::optional<std::string> Redactor::scan_member_text(std::string_view text, const std::string& location, RedactionDirection direction,
                                                        std::string_view tool, Outcome& outcome, bool opaque) {
  size_t found = outcome.findings.size();
  std::string rewritten;
  bool changed = scan_string(text, location, direction, tool, outcome.findings, outcome.blocked,
                             opaque ? nullptr : &rewritten);
  if (!opaque) {
    if (changed) return rewritten;
    return std::nullopt;
  }
  for (size_t i = found; i < outcome.findings.size(); ++i) {
    RedactionFinding& finding = outcome.findings[i];
    if (finding.action == RedactionAction::kRedact || finding.action == RedactionAction::kHash) {
      finding.action = RedactionAction::kBlock;
      outcome.blocked = true;
    }
  }
  return std::nullopt;
}

bool Redactor::accelerated() const { return engine_->database != nullptr; }

Redactor::Outcome Redactor::scan(element value, RedactionDirection direction, std::string_view tool) {
  Outcome outcome;
  if (!engine_->plan.enabled) return outcome;
  std::string pointer;
  walk(value, pointer, direction, tool, outcome, 0);
  return outcome;
}

std::string Redactor::redact_every_finding(std::string_view text) {
  std::vector<RedactionFinding> findings;
  bool blocked = false;
  std::string rewritten;
  if (scan_string(text, "/", RedactionDirection::kResults, "", findings, blocked, &rewritten, true)) return rewritten;
  return std::string(text);
}

std::string Redactor::redact_text(std::string_view text, RedactionDirection direction,
                                  std::string_view tool, std::vector<RedactionFinding>& findings,
                                  bool& blocked) {
  std::string rewritten;
  if (scan_string(text, "/", direction, tool, findings, blocked, &rewritten)) return rewritten;
  return std::string(text);
}

}  // namespace mcpsandbox
