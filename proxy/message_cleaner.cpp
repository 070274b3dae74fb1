#include "proxy/message_cleaner.h"

#include "proxy/policy/text_cleaner.h"

namespace mcpsandbox {

std::variant<size_t, Rejection> MessageCleaner::clean(MessageInfo& message, std::string_view& bytes) {
  if (!message.root || !may_need_cleaning(bytes)) return size_t{0};
  size_t removed = 0;
  line_.clear();
  append_cleaned_json(*message.root, line_, removed);
  if (removed == 0) return size_t{0};
  parser_.trim();
  ParsedMessage parsed = parser_.parse_copy(line_);
  if (auto* rejection = std::get_if<Rejection>(&parsed)) return std::move(*rejection);
  std::optional<simdjson::dom::element> as_sent = message.result;
  message = std::move(std::get<MessageInfo>(parsed));
  message.uncleaned_result = as_sent;
  bytes = line_;
  return removed;
}

}  // namespace mcpsandbox
