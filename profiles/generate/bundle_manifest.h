// An MCPB (formerly DXT) bundle's manifest.json -> the BundleManifest that profile generation
// uses: the server's command with the bundle's placeholders resolved, its environment, the
// configuration it asks the user for, and the tools it declares. Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "profiles/generate/profile_generator.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

struct BundlePlaceholders {
  std::string bundle_dir;  // ${__dirname}
  std::string home;        // ${HOME}
  std::map<std::string, std::string> user_config;  // ${user_config.KEY}, from --user-config
};

struct ParsedBundle {
  BundleManifest manifest;
  // ${user_config.KEY} placeholders in the command that have no value: the server cannot be
  // started until they are given.
  std::vector<std::string> unresolved;
};

Result<ParsedBundle> parse_bundle_manifest(std::string_view text, const BundlePlaceholders& placeholders);

}  // namespace mcpsandbox
