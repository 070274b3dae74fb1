// Reads the protocol-layer sections of a profile (auth, access, tools, rate_limit, flows,
// detectors, projects, users) with the same strictness as the sandbox sections.
#pragma once

#include <string_view>

#include "profiles/json_reader.h"
#include "profiles/profile.h"

namespace mcpsandbox {

Result<void> read_proxy_policy(const JsonReader& reader, const nlohmann::json& root,
                               ProxyPolicy& policy);

// "10/min", "5/s", "100/hour" with a burst (default: the count) -> RateSpec.
Result<RateSpec> parse_rate(std::string_view text, std::optional<double> burst);
// "30s", "500ms", "2m" -> milliseconds.
Result<uint64_t> parse_duration_ms(std::string_view text);

}  // namespace mcpsandbox
