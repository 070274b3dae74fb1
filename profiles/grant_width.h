// Grants wider than any server needs. Write access to a home directory is code execution at
// the user's next login (~/.bashrc) and read access is their keys (~/.ssh, ~/.aws), so no tool
// of ours grants, and `run` refuses unless told by name: "/", a home directory or any directory
// above one, a directory that holds shell start-up files, ssh or gpg keys, git, package-manager
// or cloud credentials or editor configuration, anything in a home's hidden files and
// directories, and the program directories on its PATH (~/bin, ~/go/bin).
// Pure: `exists` answers for the filesystem (lstat), so the decision is testable anywhere.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mcpsandbox {

using PathExists = std::function<bool(const std::string&)>;

// Why granting `path` (absolute, normal) would be too wide, or nothing when it is not. `home`
// is the invoking user's home directory; `also_protected` directories (XDG_CONFIG_HOME and
// XDG_STATE_HOME where they lie outside it) are refused with everything in and above them.
std::optional<std::string> why_grant_is_too_wide(const std::string& path, const std::string& home,
                                                 const PathExists& exists,
                                                 const std::vector<std::string>& also_protected = {});

}  // namespace mcpsandbox
