// The policy store's paths: every file mcpsandbox trusts or writes for a session (profile,
// pins, key store, key file, audit log, checkpoint key, secrets' files) is kept out of the
// sandboxed server's reach, so the server cannot widen its own grants, forge the audit trail or
// read the keys that guard it.
#pragma once

#include <string>

#include "launcher/store/sandbox_reach.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

enum class StoreRule {
  kNotWritable,  // policy inputs and records: the server may see them, never change them
  kNotReadable,  // keys, secrets and the audit trail: the server must not even read them
};

// The real path of `path` (absolute), resolved so the sandbox cannot steer it: a symlink on the
// way is followed only where the server cannot change it (outside its writable grants); the
// file, or the directory it will be created in, is refused when the server can write it (or,
// under kNotReadable, read it), by identity. The session then opens the returned path, which
// has no symlink left and no component the server can replace.
// `writes_beside`: mcpsandbox also makes files of its own next to this one (FILE.pending,
// FILE.sig, rotated FILE.1...): no grant may lie inside its directory either. A regular file
// with more than one name (hard links) is refused: another name could be in the view.
Result<std::string> guard_store_path(const std::string& path, StoreRule rule,
                                     const std::string& what, const SandboxReach& reach,
                                     bool writes_beside = false);

}  // namespace mcpsandbox
