// Redactor: finds secrets and personal data in every string of a JSON value with one Vectorscan
// database (compiled once per session from the built-in detectors and the profile's custom
// patterns), validates candidates, and decides per detector, direction and tool: allow (record
// only), redact ("[REDACTED:<type>]"), hash ("[HASH:<type>:<8 hex>]", keyed per session so the same
// value maps to the same token within it) or block. It reports locations, never values.
#pragma once

#include <simdjson.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profiles/proxy_plan.h"
#include "profiles/support/result.h"
#include "proxy/policy/text_cleaner.h"
#include "proxy/redaction/detectors.h"
#include "proxy/scanning/scan_engine.h"

namespace mcpsandbox {

enum class RedactionDirection { kArguments, kResults };

struct RedactionHit;
struct RedactionSpan;

struct RedactionFinding {
  std::string detector;
  std::string location;  // JSON pointer of the string
  RedactionAction action;
};


// The detectors of the findings `counts` accepts, each once, joined with ", " (for refusals).
template <typename Counts>
std::string detector_names(const std::vector<RedactionFinding>& findings, Counts counts) {
  std::string names;
  for (const RedactionFinding& finding : findings) {
    if (counts(finding.action) && names.find(finding.detector) == std::string::npos) {
      names += (names.empty() ? "" : ", ") + finding.detector;
    }
  }
  return names;
}

class Redactor {
 public:
  static Result<Redactor> create(const RedactionPlan& plan,
                                 const ScanEngine& scan_engine = process_scan_engine());
  Redactor(Redactor&&) noexcept;
  Redactor& operator=(Redactor&&) noexcept;
  ~Redactor();

  struct Outcome {
    std::vector<RedactionFinding> findings;
    ValueRewrites rewrites;
    bool blocked = false;
    size_t numbers_seen = 0;  // the walk's position among numbers (ValueRewrites::numbers)
  };
  Outcome scan(simdjson::dom::element value, RedactionDirection direction, std::string_view tool);
  // False on the fallback engine (no Vectorscan runtime passed its self-check, or the CPU has
  // no SSSE3): RE2 then searches whole strings.
  bool accelerated() const;

  // Text the proxy writes itself (a refusal quoting the server): every finding is replaced,
  // whatever the profile's action for it.
  std::string redact_every_finding(std::string_view text);

  // One string, for tests and benchmarks: the rewritten text (or the original).
  std::string redact_text(std::string_view text, RedactionDirection direction,
                          std::string_view tool, std::vector<RedactionFinding>& findings,
                          bool& blocked);

 private:
  struct Engine;
  explicit Redactor(std::unique_ptr<Engine> engine);
  bool collect_hits(std::string_view text, std::vector<RedactionHit>& hits) const;
  bool find_spans(std::string_view text, std::vector<RedactionHit>& hits, std::vector<RedactionSpan>& spans) const;
  bool scan_string(std::string_view text, const std::string& location, RedactionDirection direction,
                   std::string_view tool, std::vector<RedactionFinding>& findings, bool& blocked,
                   std::string* rewritten, bool redact_all = false);
  void walk(simdjson::dom::element value, std::string& pointer, RedactionDirection direction,
            std::string_view tool, Outcome& outcome, size_t depth, bool opaque = false);
  std::optional<std::string> scan_member_text(std::string_view text, const std::string& location, RedactionDirection direction,
                        std::string_view tool, Outcome& outcome, bool opaque);
  RedactionAction action_for(const std::string& detector, RedactionDirection direction,
                             std::string_view tool) const;

  std::unique_ptr<Engine> engine_;
};

}  // namespace mcpsandbox
