#include "proxy/error_reply.h"

#include <nlohmann/json.hpp>

namespace mcpsandbox {

std::string make_error_reply(const std::optional<RequestId>& id, int code,
                             std::string_view message, std::string_view rule,
                             const nlohmann::json& details) {
  nlohmann::json error = {
      {"code", code},
      {"message", message},
      {"data", {{"source", "mcpsandbox"}, {"rule", rule}}},
  };
  if (details.is_object()) {
    for (const auto& [key, value] : details.items()) error["data"][key] = value;
  }
  // The id is spliced in as the exact text the peer sent, so that its parser matches it.
  std::string id_text = id ? id->json : "null";
  return R"({"jsonrpc":"2.0","id":)" + id_text + R"(,"error":)" +
         error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "}";
}

std::optional<RequestId> request_id_from_json(std::string_view raw_id_json) {
  MessageParser parser;
  std::string probe = R"({"jsonrpc":"2.0","id":)" + std::string(raw_id_json) + R"(,"result":{}})";
  ParsedMessage parsed = parser.parse_copy(probe);
  if (auto* info = std::get_if<MessageInfo>(&parsed)) return info->id;
  return std::nullopt;
}

}  // namespace mcpsandbox
