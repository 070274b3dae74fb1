// PrivateTempDir: a 0700 directory under /tmp that stands in for the private /tmp a mount
// namespace would give, when the sandbox runs without one. Removed with its contents.
#pragma once

#include <string>

#include "profiles/support/result.h"

namespace mcpsandbox {

class PrivateTempDir {
 public:
  static Result<PrivateTempDir> create();
  PrivateTempDir(PrivateTempDir&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  PrivateTempDir& operator=(PrivateTempDir&&) = delete;
  ~PrivateTempDir();
  const std::string& path() const { return path_; }

 private:
  explicit PrivateTempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace mcpsandbox
