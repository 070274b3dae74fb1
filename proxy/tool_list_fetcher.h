// ToolListFetcher: when a client calls a tool the proxy has not seen in a tools/list result
// (a client that cached the list, or one that never asks), the call is held back and the proxy
// asks the server for tools/list itself, following nextCursor pages, so the call is judged
// against the definition the server gives now. The proxy's own requests carry "mcpsandbox:..."
// string ids, and their responses never reach the client.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/message.h"

namespace mcpsandbox {

class ToolListFetcher {
 public:
  struct Held {
    RequestId id;
    std::string line;  // the client's request, as sent
  };

  // Holds a call; returns the tools/list request to send when no fetch is under way yet.
  std::optional<std::string> hold(const MessageInfo& call, std::string_view line);
  bool is_fetch_response(const MessageInfo& response) const;
  // The server answered our tools/list (after the engine has seen the result): the next page's
  // request, or nothing when the listing is complete (then release() the held calls).
  std::optional<std::string> next_page(const MessageInfo& response);
  std::vector<Held> release();
  bool fetching() const { return fetching_; }
  // The outstanding request asks for a later page (it carries a cursor).
  bool continuing() const { return continuing_; }
  const std::string& cursor() const { return cursor_json_; }  // its cursor, as JSON
  size_t held_bytes() const { return held_bytes_; }

 private:
  std::string request(std::string_view cursor_json);

  bool fetching_ = false;
  bool continuing_ = false;
  std::string cursor_json_;
  uint64_t sequence_ = 0;
  std::string current_id_;  // JSON text of our outstanding request's id
  std::string meta_json_;   // the held call's io.modelcontextprotocol/* _meta members
  std::vector<Held> held_;
  size_t held_bytes_ = 0;
};

}  // namespace mcpsandbox
