// PinStore: the approved definition of each tool of one server. A tool's identity is the RFC
// 8785 canonical JSON of its name, title, description, inputSchema, outputSchema and
// annotations (never _meta or cache hints such as ttlMs/cacheScope), hashed with SHA-256.
// Trust on first use: without a pin file, the first session's tools are pinned as they come
// (all pages, and tools a server adds during that session); from then on a changed or new tool is
// hidden and refused, and its new definition is written to FILE.pending for
// `mcpsandbox pin approve`. Without any pin file, the session pins in memory what its first
// complete listing offered (for_session). Strict: no pin file, no run. A pin file may be signed (Ed25519,
// FILE.sig); a profile can require a signature by listed public keys.
#pragma once

#include <nlohmann/json.hpp>

#include <simdjson.h>

#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "profiles/proxy_plan.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

struct PinnedTool {
  std::string sha256;
  std::string definition;  // canonical JSON
  bool removed = false;    // in a pending file: the server stopped offering this pinned tool
  // The tool's observed effect profile (profiles/generate/behaviour_profile.h) from a learning
  // run; null when none was recorded. Not part of the definition's hash.
  nlohmann::json behaviour;
};

// The canonical identity of one tools/list entry.
std::string tool_identity(simdjson::dom::element tool);

class PinStore {
 public:
  enum class Check { kPinned, kLearned, kChanged, kNew };

  static Result<PinStore> load(const PinPlan& plan);
  // Without a pin file: the session's first complete tools/list is its pin set, kept in memory
  // only. A tool added or changed later in the session is hidden and refused like a rug pull.
  static PinStore for_session();

  // Judges one listed tool; learns it in a first session. A changed or new tool is recorded in
  // the pending file (best effort: the refusal does not depend on it).
  Check check(const std::string& name, const std::string& identity);
  // Pinned tools not in `listed` (a complete listing); each is recorded in the pending file as a
  // removal for `pin approve`.
  std::vector<std::string> missing_from(const std::unordered_set<std::string>& listed);
  // Session pins stop learning at the first of: a complete listing, a listing begun afresh
  // before the last one completed, a tool call (the client has acted on what it saw). A pin
  // file's first session learns all it is offered, as before.
  void close_session_learning();
  const std::string& path() const { return path_; }
  bool session_only() const { return path_.empty(); }
  // What to tell the user to do about a refused tool.
  std::string how_to_review() const;
  // Behavioural pins: each pinned tool's recorded behaviour, where there is one.
  std::map<std::string, nlohmann::json> behaviours() const;
  bool learning() const { return learning_; }

  // Reading and writing the files, for the `pin` commands too.
  static Result<std::map<std::string, PinnedTool>> read_file(const std::string& path);
  static Result<void> write_file(const std::string& path, const std::map<std::string, PinnedTool>& tools);

 private:
  std::string path_;
  bool learning_ = false;
  std::map<std::string, PinnedTool> pinned_, pending_;
};

// Ed25519 over the pin file's bytes: FILE.sig holds base64 signature; keys are base64.
Result<void> verify_pin_signature(const std::string& path, const std::vector<std::string>& signers);

}  // namespace mcpsandbox
