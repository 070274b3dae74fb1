// RequestTracker: the requests one side has sent and the other has not yet answered. The relay
// keeps one for client requests (so each gets exactly one response, even when the server dies)
// and one for server-initiated requests (so a client cannot answer a question never asked).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/message.h"

namespace mcpsandbox {

struct PendingRequest {
  PendingRequest() = default;
  PendingRequest(RequestId request_id, std::string request_method, std::string request_revision,
                 std::string tool_name = {})
      : id(std::move(request_id)),
        method(std::move(request_method)),
        revision(std::move(request_revision)),
        tool(std::move(tool_name)) {}

  RequestId id;
  std::string method;
  std::string revision;  // MCP protocol revision this request was made under
  std::string tool;      // tools/call: the tool, for the policy engine's bookkeeping
  bool continues_listing = false;  // a list request with a cursor (not the first page)
  std::string listing_cursor;      // that cursor's value: which page of which listing
  std::string traceparent;         // params._meta.traceparent, for the telemetry span
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  bool cancelled = false;
};

class RequestTracker {
 public:
  enum class AddOutcome { kAdded, kDuplicateId, kFull };

  explicit RequestTracker(size_t max_in_flight) : max_in_flight_(max_in_flight) {}

  AddOutcome add(PendingRequest request);
  // Removes and returns the request this response answers, if it was pending.
  std::optional<PendingRequest> complete(const RequestId& id);
  PendingRequest* find(const RequestId& id);
  // The peer gave up on it; an answer may still come but none is owed.
  void mark_cancelled(const RequestId& id);
  // Removes every pending request (the other side is gone) and returns those still owed an
  // answer.
  std::vector<PendingRequest> take_unanswered();
  // Removes and returns every pending request, cancelled or not.
  std::vector<PendingRequest> take_all();
  size_t size() const { return pending_.size(); }
  // Pending and not cancelled: what the peer still waits for.
  size_t active() const { return pending_.size() - cancelled_; }

 private:
  size_t max_in_flight_;
  size_t cancelled_ = 0;
  std::unordered_map<std::string, PendingRequest> pending_;
};

}  // namespace mcpsandbox
