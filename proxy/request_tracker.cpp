#include "proxy/request_tracker.h"

namespace mcpsandbox {

RequestTracker::AddOutcome RequestTracker::add(PendingRequest request) {
  if (pending_.count(request.id.key)) return AddOutcome::kDuplicateId;
  if (pending_.size() >= max_in_flight_) return AddOutcome::kFull;
  std::string key = request.id.key;
  pending_.emplace(std::move(key), std::move(request));
  return AddOutcome::kAdded;
}

std::optional<PendingRequest> RequestTracker::complete(const RequestId& id) {
  auto it = pending_.find(id.key);
  if (it == pending_.end()) return std::nullopt;
  PendingRequest request = std::move(it->second);
  pending_.erase(it);
  if (request.cancelled) --cancelled_;
  return request;
}

void RequestTracker::mark_cancelled(const RequestId& id) {
  auto it = pending_.find(id.key);
  if (it != pending_.end() && !it->second.cancelled) {
    it->second.cancelled = true;
    ++cancelled_;
  }
}

PendingRequest* RequestTracker::find(const RequestId& id) {
  auto it = pending_.find(id.key);
  return it == pending_.end() ? nullptr : &it->second;
}

std::vector<PendingRequest> RequestTracker::take_all() {
  std::vector<PendingRequest> all;
  for (auto& [key, request] : pending_) all.push_back(std::move(request));
  pending_.clear();
  cancelled_ = 0;
  return all;
}

std::vector<PendingRequest> RequestTracker::take_unanswered() {
  std::vector<PendingRequest> owed;
  for (auto& [key, request] : pending_) {
    if (!request.cancelled) owed.push_back(std::move(request));
  }
  pending_.clear();
  cancelled_ = 0;
  return owed;
}

}  // namespace mcpsandbox
