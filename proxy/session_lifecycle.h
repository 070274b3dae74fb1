// SessionLifecycle: the order the handshake generation (legacy revisions) requires of a
// client: one `initialize` per connection, and before it nothing but `ping`. A second
// initialize would renegotiate the revision in mid-session (a downgrade to one with fewer
// checks), and a request before it is judged under no revision at all. Requests of the
// stateless generation name their revision in _meta and need no handshake.
#pragma once

#include <optional>
#include <string>

#include "proxy/error_codes.h"
#include "proxy/message.h"
#include "proxy/protocol_revision.h"

namespace mcpsandbox {

class SessionLifecycle {
 public:
  struct Refusal {
    int code;
    std::string rule, message;
  };

  // Judges one client request; an admitted `initialize` starts the handshake.
  std::optional<Refusal> admit(const MessageInfo& request) {
    if (request.method == "initialize") {
      if (state_ != State::kFresh) {
        return Refusal{error_code::kLifecycle, "lifecycle.initialize_once",
                       state_ == State::kInitialized
                           ? "the session is already initialized; a second initialize is refused"
                           : "an initialize is already under way"};
      }
      state_ = State::kInitializing;
      return std::nullopt;
    }
    // Only a stateless revision in _meta stands for a handshake; naming a legacy one there
    // would skip the handshake that revision requires.
    if (is_stateless_revision(request.meta_protocol_version) || request.method == "ping" ||
        request.method == "server/discover" || state_ != State::kFresh) {
      return std::nullopt;
    }
    return Refusal{error_code::kLifecycle, "lifecycle.before_initialize",
                   "send initialize first (or name the stateless revision 2026-07-28 in _meta): '" + request.method +
                       "' came before the session was initialized"};
  }

  // The server's answer to the initialize: a failed one may be tried again.
  void on_initialize_answered(bool succeeded) { state_ = succeeded ? State::kInitialized : State::kFresh; }

 private:
  enum class State { kFresh, kInitializing, kInitialized };
  State state_ = State::kFresh;
};

}  // namespace mcpsandbox
