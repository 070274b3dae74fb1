// Result<T>: a value or an error message with context. Used at every module boundary instead of
// exceptions, so a failure reaches the user as one clear line ("spawn: execve 'foo': ENOENT").
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace mcpsandbox {

struct Error {
  std::string message;
};

// Returns an Error whose message is "context: message" so callers can add where it happened.
inline Error with_context(std::string_view context, const Error& inner) {
  return Error{std::string(context) + ": " + inner.message};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& value() const& { return std::get<0>(state_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace mcpsandbox
