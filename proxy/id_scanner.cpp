#include "proxy/id_scanner.h"

namespace mcpsandbox {

void TopLevelIdScanner::feed(std::string_view bytes) {
  for (char c : bytes) {
    if (done_ || invalid_) return;
    step(c);
  }
}

std::optional<std::string> TopLevelIdScanner::id() const {
  if (invalid_ || ambiguous_ || !id_seen_ || !id_usable_) return std::nullopt;
  return id_;
}

void TopLevelIdScanner::end_key() {
  key_is_id_ = key_ == "id";
  position_ = Position::kExpectColon;
}

void TopLevelIdScanner::end_value() {
  if (value_is_id_) {
    if (id_seen_) ambiguous_ = true;
    id_seen_ = true;
    id_usable_ = capturing_ && captured_.size() <= kMaxIdBytes && captured_ != "null" &&
                 captured_ != "true" && captured_ != "false";
    id_ = captured_;
  }
  capturing_ = value_is_id_ = false;
  captured_.clear();
}

void TopLevelIdScanner::step(char c) {
  if (in_string_) {
    if (capturing_ && captured_.size() <= kMaxIdBytes) captured_ += c;
    if (escape_) {
      escape_ = false;
      // "\u0069d" is "id" to a parser; rather than decode, refuse to guess.
      if (in_key_) ambiguous_ = true;
      return;
    }
    if (c == '\\') {
      escape_ = true;
    } else if (c == '"') {
      in_string_ = false;
      if (in_key_) {
        in_key_ = false;
        end_key();
      }
    } else if (in_key_ && key_.size() < 3) {
      key_ += c;
    } else if (in_key_) {
      key_ = "long";
    }
    return;
  }
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return;
  if (depth_ == 0) {
    if (c == '{') {
      depth_ = 1;
      position_ = Position::kExpectKey;
    } else {
      invalid_ = true;  // batches and scalars have no top-level id
    }
    return;
  }
  if (depth_ == 1) {
    switch (position_) {
      case Position::kExpectKey:
        if (c == '"') {
          in_string_ = in_key_ = true;
          key_.clear();
        } else if (c == '}') {
          done_ = true;
        } else {
          invalid_ = true;
        }
        return;
      case Position::kExpectColon:
        if (c == ':') {
          position_ = Position::kExpectValue;
        } else {
          invalid_ = true;
        }
        return;
      case Position::kExpectValue:
        value_is_id_ = key_is_id_;
        position_ = Position::kInValue;
        if (c == '{' || c == '[') {
          ++depth_;  // an object or array id is not usable; capturing_ stays false
          return;
        }
        capturing_ = value_is_id_;
        if (capturing_) captured_ += c;
        if (c == '"') in_string_ = true;
        return;
      case Position::kInValue:
        if (c == ',' || c == '}') {
          end_value();
          position_ = Position::kExpectKey;
          if (c == '}') done_ = true;
        } else if (c == '{' || c == '[') {
          ++depth_;
          capturing_ = false;
        } else if (c == '"') {
          in_string_ = true;
          capturing_ = false;  // two tokens in one value: not a scalar id
        } else if (capturing_) {
          captured_ += c;
        }
        return;
    }
  }
  if (c == '"') {
    in_string_ = true;
  } else if (c == '{' || c == '[') {
    ++depth_;
  } else if (c == '}' || c == ']') {
    --depth_;
  }
}

}  // namespace mcpsandbox
