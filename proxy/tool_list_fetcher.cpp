#include "proxy/tool_list_fetcher.h"

#include "proxy/policy/canonical_json.h"

namespace mcpsandbox {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::optional<std::string> ToolListFetcher::hold(const MessageInfo& call, std::string_view line) {
  held_.push_back({*call.id, std::string(line)});
  held_bytes_ += line.size();
  if (fetching_) return std::nullopt;
  fetching_ = true;
  // A 2026-07-28 server needs the protocol version and client capabilities on every request;
  // copy those (never a progress token or anything else of the client's) from the held call.
  meta_json_.clear();
  element meta;
  if (call.params && call.params->type() == element_type::OBJECT &&
      !(*call.params)["_meta"].get(meta) && meta.type() == element_type::OBJECT) {
    simdjson::dom::object members = meta.get_object().value_unsafe();
    for (auto field : members) {
      if (field.key.rfind("io.modelcontextprotocol/", 0) != 0) continue;
      if (!meta_json_.empty()) meta_json_ += ',';
      append_json_string(field.key, meta_json_);
      meta_json_ += ':';
      meta_json_ += simdjson::minify(field.value);
    }
  }
  return request("");
}

std::string ToolListFetcher::request(std::string_view cursor_json) {
  current_id_ = "\"mcpsandbox:tools/list:" + std::to_string(++sequence_) + "\"";
  continuing_ = !cursor_json.empty();
  cursor_json_ = cursor_json;
  std::string params;
  if (!meta_json_.empty()) params += R"("_meta":{)" + meta_json_ + "}";
  if (!cursor_json.empty()) {
    if (!params.empty()) params += ',';
    params += R"("cursor":)" + std::string(cursor_json);
  }
  return R"({"jsonrpc":"2.0","id":)" + current_id_ + R"(,"method":"tools/list","params":{)" +
         params + "}}";
}

bool ToolListFetcher::is_fetch_response(const MessageInfo& response) const {
  return fetching_ && response.id && response.id->json == current_id_;
}

std::optional<std::string> ToolListFetcher::next_page(const MessageInfo& response) {
  element cursor;
  if (!response.is_error && response.result && response.result->type() == element_type::OBJECT &&
      !(*response.result)["nextCursor"].get(cursor) && cursor.type() == element_type::STRING &&
      sequence_ < 1000) {  // a server paging forever must not hold calls forever
    return request(simdjson::minify(cursor));
  }
  fetching_ = false;
  return std::nullopt;
}

std::vector<ToolListFetcher::Held> ToolListFetcher::release() {
  std::vector<Held> out;
  out.swap(held_);
  held_bytes_ = 0;
  return out;
}

}  // namespace mcpsandbox
