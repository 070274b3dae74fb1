#include "launcher/refused_session.h"

#include <unistd.h>

#include "proxy/error_codes.h"
#include "proxy/error_reply.h"
#include "proxy/line_framer.h"
#include "proxy/message.h"

namespace mcpsandbox {

int run_refused_session(const std::string& reason, const std::string& identity,
                        size_t max_message_bytes, const Logger& logger) {
  logger.warn("auth: refused the session of " + identity + ": " + reason);
  LineFramer framer(max_message_bytes);
  MessageParser parser;
  auto reply = [](const std::string& line) {
    std::string out = line + "\n";
    for (size_t done = 0; done < out.size();) {
      ssize_t n = ::write(STDOUT_FILENO, out.data() + done, out.size() - done);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  };
  while (true) {
    auto status = framer.read_from(STDIN_FILENO);
    bool ended = status == LineFramer::ReadStatus::kEof || status == LineFramer::ReadStatus::kError;
    if (ended) framer.finish();
    while (auto line = framer.next()) {
      std::optional<RequestId> id;
      if (line->kind == FramedLine::Kind::kOversized) {
        if (line->oversized_id) id = request_id_from_json(*line->oversized_id);
      } else {
        ParsedMessage parsed = parser.parse(line->bytes);
        auto* message = std::get_if<MessageInfo>(&parsed);
        if (message && message->kind == MessageKind::kRequest) id = message->id;
      }
      if (!id) continue;
      if (!reply(make_error_reply(id, error_code::kAuthRequired,
                                  "mcpsandbox refused this session: " + reason, "auth.key"))) {
        return kSessionRefused;
      }
    }
    if (ended) return kSessionRefused;
  }
}

}  // namespace mcpsandbox
