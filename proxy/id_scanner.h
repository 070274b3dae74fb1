// TopLevelIdScanner: finds the top-level "id" of a JSON-RPC message in a stream of bytes without
// parsing or holding the message. Used for messages too large (or too broken) to parse, so
// their sender can still be told which request failed. It tracks strings, escapes and nesting,
// so an "id" inside params never counts; anything ambiguous (two ids, an escaped key, a
// non-object message) yields no id rather than a guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mcpsandbox {

class TopLevelIdScanner {
 public:
  void feed(std::string_view bytes);
  // The raw JSON text of the id value (a string with its quotes, or a number), if exactly one
  // top-level scalar id was seen and nothing made it ambiguous.
  std::optional<std::string> id() const;

 private:
  enum class Position { kExpectKey, kExpectColon, kExpectValue, kInValue };
  void step(char c);
  void end_key();
  void end_value();

  static constexpr size_t kMaxIdBytes = 1024;
  int depth_ = 0;
  Position position_ = Position::kExpectKey;
  bool in_string_ = false, escape_ = false, in_key_ = false;
  bool done_ = false, invalid_ = false, ambiguous_ = false;
  std::string key_;
  bool key_is_id_ = false, value_is_id_ = false, capturing_ = false;
  std::string captured_;
  bool id_seen_ = false, id_usable_ = false;
  std::string id_;
};

}  // namespace mcpsandbox
