#include "proxy/policy/safe_regex.h"

namespace mcpsandbox {

Result<std::shared_ptr<const re2::RE2>> compile_regex(std::string_view text) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(1 << 20);  // bounds the automaton a hostile pattern can build
  auto compiled =
      std::make_shared<const re2::RE2>(re2::StringPiece(text.data(), text.size()), options);
  if (!compiled->ok()) {
    return Error{"pattern '" + std::string(text) + "' cannot be evaluated safely (RE2: " +
                 compiled->error() + ")"};
  }
  return std::shared_ptr<const re2::RE2>(std::move(compiled));
}

}  // namespace mcpsandbox
