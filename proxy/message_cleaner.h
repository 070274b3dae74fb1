// MessageCleaner: a server message without the invisible characters and terminal escapes a
// person cannot see but a model reads, before anything judges it. Judged first and cleaned
// after, "input\u200bRequests" was no input request and "AKIA\u200b..." no key, yet both reached
// the client whole: what is judged must be what arrives.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "proxy/message.h"

namespace mcpsandbox {

class MessageCleaner {
 public:
  // Cleans `message` (parsed from `bytes`) in place: when anything is removed, `message` and
  // `bytes` then describe the cleaned message (valid until the next call), and
  // `message.uncleaned_result` the result as sent. Returns how many characters and sequences
  // went, or the rejection of the cleaned form (which cannot happen for a valid message, but
  // is handled like any broken line if it does).
  std::variant<size_t, Rejection> clean(MessageInfo& message, std::string_view& bytes);

 private:
  MessageParser parser_;  // the cleaned form, parsed beside the original
  std::string line_;
};

}  // namespace mcpsandbox
