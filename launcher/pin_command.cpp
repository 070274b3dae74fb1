#include "launcher/pin_command.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "proxy/audit/audit_log.h"
#include "proxy/crypto/ed25519.h"
#include "proxy/pins/pin_store.h"

namespace mcpsandbox {
namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "mcpsandbox: error: %s\n", message.c_str());
  return 1;
}

std::string shown(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// Member by member: what a reviewer needs to see to decide.
void print_change(const std::string& name, const PinnedTool* before, const PinnedTool& after) {
  if (after.removed) {
    std::printf("removed tool %s (no longer offered by the server; approving drops its pin)\n",
                name.c_str());
    return;
  }
  auto now = nlohmann::json::parse(after.definition);
  if (!before) {
    std::printf("new tool %s\n", name.c_str());
    for (const auto& [key, value] : now.items()) std::printf("  + %s: %s\n", key.c_str(), shown(value).c_str());
    return;
  }
  auto then = nlohmann::json::parse(before->definition);
  std::printf("changed tool %s\n", name.c_str());
  for (const auto& key : {"title", "description", "inputSchema", "outputSchema", "annotations"}) {
    bool had = then.contains(key), has = now.contains(key);
    if (had && has && then[key] == now[key]) continue;
    if (!had && !has) continue;
    if (had) std::printf("  - %s: %s\n", key, shown(then[key]).c_str());
    if (has) std::printf("  + %s: %s\n", key, shown(now[key]).c_str());
  }
}

int approve(const PinOptions& options) {
  auto pinned = PinStore::read_file(options.file);
  if (!pinned) return fail(pinned.error().message);
  std::string pending_path = options.file + ".pending";
  auto pending = PinStore::read_file(pending_path);
  if (!pending) {
    std::printf("nothing to approve: no pending changes for %s\n", options.file.c_str());
    return 0;
  }
  for (const auto& [name, tool] : *pending) {
    auto found = pinned->find(name);
    print_change(name, found == pinned->end() ? nullptr : &found->second, tool);
  }
  if (!options.yes) {
    if (!::isatty(STDIN_FILENO)) return fail("not a terminal: pass --yes to approve these changes");
    std::printf("approve %zu change(s)? [y/N] ", pending->size());
    std::fflush(stdout);
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      std::printf("not approved\n");
      return 1;
    }
  }
  for (const auto& [name, tool] : *pending) {
    if (tool.removed) {
      pinned->erase(name);
      continue;
    }
    // What is pinned is the definition shown above: its hash is computed here, never taken
    // from the pending file (whoever wrote that could pair a harmless text with another hash).
    PinnedTool approved = tool;
    approved.sha256 = sha256_hex(tool.definition);
    (*pinned)[name] = std::move(approved);
  }
  if (auto written = PinStore::write_file(options.file, *pinned); !written) {
    return fail(written.error().message);
  }
  ::unlink(pending_path.c_str());
  if (::access((options.file + ".sig").c_str(), F_OK) == 0) {
    ::unlink((options.file + ".sig").c_str());
    std::printf("approved; the old signature no longer matches and was removed: sign again with "
                "`mcpsandbox pin sign %s --key KEY`\n", options.file.c_str());
  } else {
    std::printf("approved %zu change(s) into %s\n", pending->size(), options.file.c_str());
  }
  return 0;
}

int keygen(const PinOptions& options) {
  auto key = SigningKey::generate();
  if (!key) return fail(key.error().message);
  int fd = ::open(options.file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(options.file + ": cannot create (it must not exist yet)");
  std::string line = key->secret_base64() + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  sodium_memzero(line.data(), line.size());
  if (!ok) return fail(options.file + ": write failed");
  std::printf("%s\n", key->public_base64().c_str());
  std::fprintf(stderr, "mcpsandbox: secret key written to %s; the public key above goes into "
                       "profiles' pins.signers (or audit verify --public-key)\n", options.file.c_str());
  return 0;
}

std::string read_whole(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  ok = static_cast<bool>(in);
  return text.str();
}

int sign(const PinOptions& options) {
  bool ok = false;
  std::string encoded = read_whole(options.key, ok);
  if (!ok) return fail(options.key + ": cannot read");
  auto key = SigningKey::from_base64(encoded, options.key);
  sodium_memzero(encoded.data(), encoded.size());
  if (!key) return fail(key.error().message);
  std::string bytes = read_whole(options.file, ok);
  if (!ok) return fail(options.file + ": cannot read");
  std::ofstream(options.file + ".sig") << key->sign_base64(bytes) << "\n";
  std::printf("signed: %s.sig\n", options.file.c_str());
  return 0;
}

}  // namespace

int run_pin(const PinOptions& options) {
  if (sodium_init() < 0) return fail("libsodium failed to initialise");
  switch (options.action) {
    case PinOptions::Action::kApprove: return approve(options);
    case PinOptions::Action::kKeygen: return keygen(options);
    case PinOptions::Action::kSign: return sign(options);
  }
  return 1;
}

}  // namespace mcpsandbox
