#include "launcher/session_auth.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "launcher/keys_command.h"
#include "launcher/store/trusted_file.h"
#include "proxy/auth/key_store.h"

namespace mcpsandbox {
namespace {

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

Result<SessionAuth> authenticate_session(const Profile& profile, const RunOptions& options) {
  SessionAuth auth;
  auth.identity.uid = ::getuid();
  if (passwd* user = ::getpwuid(auth.identity.uid)) auth.identity.user = user->pw_name;

  std::string key;
  if (!options.key_file.empty()) {
    auto file = read_trusted_file(options.key_file, "key file");
    if (!file) return file.error();
    struct stat info {};
    if (::stat(file->path.c_str(), &info) == 0 && (info.st_mode & S_IROTH)) {
      return Error{"key file " + file->path + " is readable by every user; chmod o-r it"};
    }
    key = trim(file->text);
  } else if (const char* from_env = std::getenv("MCPSANDBOX_KEY")) {
    key = trim(from_env);
  }
  if (key.empty()) {
    if (profile.policy.require_key) {
      auth.authenticated = false;
      auth.refusal_reason = "this profile requires a gateway key and none was presented "
                            "(MCPSANDBOX_KEY or --key-file)";
    }
    return auth;
  }
  auth.key_store = key_store_path_for(profile.policy.keys_file);
  auto store_file = read_trusted_file(auth.key_store, "key store");
  if (!store_file) return store_file.error();
  auto store = KeyStore::load(store_file->path);
  if (!store) return store.error();
  auto project = store->project_for(key);
  if (!project) {
    // A wrong key is refused even where none is required: someone meant to authenticate.
    auth.authenticated = false;
    auth.refusal_reason = "the gateway key presented is not valid (unknown or revoked in " +
                          store_file->path + ")";
    return auth;
  }
  auth.identity.project = *project;
  return auth;
}

}  // namespace mcpsandbox
