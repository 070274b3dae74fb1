// Canonical JSON (RFC 8785), the basis of tool pins: any JSON a server sends canonicalises, and
// the canonical form is a fixed point (parse it again, canonicalise: the same bytes). A
// difference would let a changed tool keep its pin, or an unchanged one lose it.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proxy/pins/pin_store.h"
#include "proxy/policy/canonical_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  simdjson::dom::parser parser, again;
  simdjson::dom::element value, reparsed;
  if (parser.parse(simdjson::padded_string(reinterpret_cast<const char*>(data), size)).get(value)) {
    return 0;
  }
  std::string canonical = mcpsandbox::canonical_json(value);
  auto error = again.parse(simdjson::padded_string(canonical)).get(reparsed);
  // RFC 8785 writes 1e20 as 100000000000000000000, an integer this simdjson (0.x, Debian 12) will not read back
  // (beyond 64 bits). Pins only hash the canonical form, so that is a limit of this check, not
  // of pins (regressions/canonical_json/big-integer).
  if (error == simdjson::NUMBER_ERROR) return 0;
  if (error) std::abort();
  if (mcpsandbox::canonical_json(reparsed) != canonical) std::abort();
  if (value.type() == simdjson::dom::element_type::OBJECT) (void)mcpsandbox::tool_identity(value);
  return 0;
}
