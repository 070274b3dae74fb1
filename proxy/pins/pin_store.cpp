#include "proxy/pins/pin_store.h"

#include "proxy/crypto/ed25519.h"
#include "proxy/io/atomic_write.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "proxy/audit/audit_log.h"
#include "proxy/policy/canonical_json.h"

namespace mcpsandbox {
namespace {

using simdjson::dom::element;

// The members that make up what a tool is; anything else (_meta, icons, cache hints) may change
// freely without a re-approval.
constexpr const char* kIdentityMembers[] = {"name", "title", "description", "inputSchema",
                                            "outputSchema", "annotations"};

Result<std::string> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": " + std::strerror(errno)};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string tool_identity(element tool) {
  std::string out = "{";
  // Already in RFC 8785 order: these names are ASCII and listed sorted.
  std::vector<std::pair<std::string_view, element>> present;
  for (const char* member : kIdentityMembers) {
    element value;
    if (!tool[member].get(value)) present.emplace_back(member, value);
  }
  std::sort(present.begin(), present.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < present.size(); ++i) {
    if (i) out += ',';
    append_json_string(present[i].first, out);
    out += ':';
    append_canonical_json(present[i].second, out);
  }
  return out + "}";
}

Result<std::map<std::string, PinnedTool>> PinStore::read_file(const std::string& path) {
  auto text = read_all(path);
  if (!text) return text.error();
  std::map<std::string, PinnedTool> tools;
  try {
    auto root = nlohmann::json::parse(*text);
    if (root.at("version") != 1) return Error{path + ": unknown pin file version"};
    for (const auto& [name, entry] : root.at("tools").items()) {
      if (entry.value("removed", false)) {
        tools[name] = {"", "", true, nullptr};
        continue;
      }
      tools[name] = {entry.at("sha256"), entry.at("definition").dump(), false, entry.value("behaviour", nlohmann::json())};
    }
  } catch (const nlohmann::json::exception& e) {
    return Error{path + ": not a pin file (" + e.what() + ")"};
  }
  return tools;
}

Result<void> PinStore::write_file(const std::string& path,
                                  const std::map<std::string, PinnedTool>& tools) {
  nlohmann::ordered_json root = {{"version", 1}, {"tools", nlohmann::ordered_json::object()}};
  for (const auto& [name, tool] : tools) {
    if (tool.removed) {
      root["tools"][name] = {{"removed", true}};
      continue;
    }
    root["tools"][name] = {{"sha256", tool.sha256},
                           {"definition", nlohmann::ordered_json::parse(tool.definition)}};
    if (!tool.behaviour.is_null()) root["tools"][name]["behaviour"] = nlohmann::ordered_json::parse(tool.behaviour.dump());
  }
  return write_file_atomically(path, root.dump(2) + "\n", 0644);
}

std::map<std::string, nlohmann::json> PinStore::behaviours() const {
  std::map<std::string, nlohmann::json> out;
  for (const auto& [name, tool] : pinned_) {
    if (!tool.behaviour.is_null()) out[name] = tool.behaviour;
  }
  return out;
}

PinStore PinStore::for_session() {
  PinStore store;
  store.learning_ = true;
  return store;
}

void PinStore::close_session_learning() {
  if (session_only()) learning_ = false;
}

std::string PinStore::how_to_review() const {
  if (session_only()) {
    return "these are session pins (no pin file): restart the session to accept it, or keep pins "
           "across sessions with --pins FILE";
  }
  return "review with `mcpsandbox pin approve " + path_ + "`";
}

Result<PinStore> PinStore::load(const PinPlan& plan) {
  if (sodium_init() < 0) return Error{"pins: libsodium failed to initialise"};
  PinStore store;
  store.path_ = plan.file;
  if (::access(plan.file.c_str(), F_OK) != 0) {
    if (plan.mode == PinPlan::Mode::kStrict) {
      return Error{"pins: " + plan.file + " does not exist and the profile pins strictly "
                   "(create it with a trusted first run in \"tofu\" mode, then approve)"};
    }
    if (!plan.signers.empty()) {
      return Error{"pins: " + plan.file + " does not exist but the profile requires it signed"};
    }
    store.learning_ = true;  // trust on first use: this session's tools become the pins
    return store;
  }
  if (!plan.signers.empty()) {
    if (auto verified = verify_pin_signature(plan.file, plan.signers); !verified) {
      return verified.error();
    }
  }
  auto tools = read_file(plan.file);
  if (!tools) return tools.error();
  store.pinned_ = std::move(*tools);
  if (auto pending = read_file(plan.file + ".pending"); pending) store.pending_ = std::move(*pending);
  return store;
}

PinStore::Check PinStore::check(const std::string& name, const std::string& identity) {
  std::string digest = sha256_hex(identity);
  auto found = pinned_.find(name);
  if (found != pinned_.end() && found->second.sha256 == digest) {
    // Offered again as approved: a removal noticed earlier is no longer pending.
    if (auto pending = pending_.find(name); pending != pending_.end() && pending->second.removed) {
      pending_.erase(pending);
      if (!session_only()) (void)write_file(path_ + ".pending", pending_);
    }
    return Check::kPinned;
  }
  // Learning pins each tool once: a tool that changes later in the same first session is a
  // rug pull like any other.
  if (learning_ && found == pinned_.end()) {
    pinned_[name] = {digest, identity, false, nullptr};
    if (!session_only()) (void)write_file(path_, pinned_);  // a failed write is retried with the next tool
    return Check::kLearned;
  }
  auto& pending = pending_[name];
  if (pending.sha256 != digest) {
    pending = {digest, identity, false, nullptr};
    if (!session_only()) (void)write_file(path_ + ".pending", pending_);
  }
  return found == pinned_.end() ? Check::kNew : Check::kChanged;
}

std::vector<std::string> PinStore::missing_from(const std::unordered_set<std::string>& listed) {
  std::vector<std::string> missing;
  bool recorded = false;
  for (const auto& [name, tool] : pinned_) {
    if (listed.count(name)) continue;
    missing.push_back(name);
    PinnedTool& pending = pending_[name];
    if (!pending.removed) {
      pending = {"", "", true, nullptr};
      recorded = true;
    }
  }
  if (recorded && !session_only()) (void)write_file(path_ + ".pending", pending_);  // best effort, like check()
  return missing;
}

Result<void> verify_pin_signature(const std::string& path, const std::vector<std::string>& signers) {
  auto text = read_all(path);
  if (!text) return text.error();
  auto signature = read_all(path + ".sig");
  if (!signature) return Error{"pins: the profile requires a signed pin file, and " + path + ".sig is missing"};
  if (signer_of(signers, *signature, *text).empty()) {
    return Error{"pins: " + path + " is not signed by any key the profile lists (changed since "
                 "it was signed, signed by someone else, or " + path + ".sig is not a signature)"};
  }
  return {};
}

}  // namespace mcpsandbox
