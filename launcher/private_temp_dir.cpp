#include "launcher/private_temp_dir.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace mcpsandbox {

Result<PrivateTempDir> PrivateTempDir::create() {
  std::string pattern = "/tmp/mcpsandbox-" + std::to_string(::getpid()) + "-XXXXXX";
  if (!::mkdtemp(pattern.data())) {
    return Error{"cannot create a private temporary directory: " + std::string(std::strerror(errno))};
  }
  return PrivateTempDir(pattern);
}

PrivateTempDir::~PrivateTempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace mcpsandbox
