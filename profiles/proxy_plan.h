// ProxyPlan: the protocol-layer half of a Plan, resolved for one session's identity (invoking
// user and, with a gateway key, its project). The proxy's policy engine only evaluates it; every
// choice about what a profile means (which layer narrows which, defaults, how project rules
// combine with the base) is made by the compiler.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpsandbox {

// Names or URIs allowed by one layer of policy (base profile, project or user). A name passes the
// layer if it matches no deny glob and, when the layer lists any allow globs, one of them.
struct GlobFilter {
  std::vector<std::string> allow;  // empty: everything not denied
  std::vector<std::string> deny;
  std::string layer;               // "profile", "project ci", "user alice": named in refusals
};

enum class AskPolicy { kAllow, kDeny };

// Server-to-client asks (legacy server-initiated requests, or 2026-07-28 inputRequests).
struct AskRules {
  AskPolicy sampling = AskPolicy::kDeny;  // a server steering the client's model: off by default
  AskPolicy elicitation = AskPolicy::kAllow;
  AskPolicy roots = AskPolicy::kAllow;
  // Methods no MCP revision defines (extensions, typos, look-alikes): refused unless allowed,
  // and never a look-alike of a method the policy judges ("Tools/Call").
  AskPolicy unknown_methods = AskPolicy::kDeny;
};

struct AccessPlan {
  // A name is allowed only if every layer allows it.
  std::vector<GlobFilter> tools, resources, prompts;
  AskRules asks;
};

// "10/min" with a burst: a token bucket refilled at `per_second`, holding at most `burst`.
struct RateSpec {
  double per_second = 0;
  double burst = 0;
  std::string text;  // as written, for messages ("10/min, burst 5")
};

struct UrlConstraint {
  std::vector<std::string> schemes;  // lower case; empty: any scheme
  std::vector<std::string> hosts;    // globs over the lower-cased host; empty: any host
};

struct PathConstraint {
  // Absolute, normalised directories the value must resolve into (after symlinks, as the
  // server would see them).
  std::vector<std::string> roots;
  std::vector<std::string> deny;  // globs over the resolved path, e.g. "**/.ssh/**"
  std::string base;               // relative values resolve against this (the server's cwd)
};

// Profile constraints on one top-level argument of a tool.
struct ArgumentRule {
  std::string argument;
  std::optional<PathConstraint> path;
  std::optional<std::string> pattern;       // RE2 syntax; the whole value must match
  std::optional<std::string> deny_pattern;  // refused when found anywhere in the value
  std::optional<uint64_t> max_length;       // in Unicode code points
  std::vector<std::string> enum_values;     // minified JSON of each allowed value
  std::optional<UrlConstraint> url;
  bool no_shell_metacharacters = false;
  std::string source;  // the profile's JSON pointer, named in refusals
};

// Everything the profile says about the tools a glob names; several may apply to one tool.
// A call-scoped capability (issue #9): while a call to the tool is in flight, the kernel lets the
// server reach what this argument names (on top of the baseline), and nothing once it is done.
enum class GrantKind { kRead, kWrite, kConnect, kExec };
std::string_view grant_kind_name(GrantKind kind);

struct CallGrantRule {
  std::string argument;
  GrantKind kind = GrantKind::kRead;
};

struct ToolRule {
  std::string tool_glob;
  std::vector<std::string> tags;
  std::optional<RateSpec> rate;
  std::optional<uint32_t> max_concurrent;
  std::optional<uint64_t> timeout_ms;
  std::vector<ArgumentRule> arguments;
  std::vector<CallGrantRule> grants;
  std::vector<std::string> exec;  // programs a call of the tool may execute (exec grants)
  std::string source;
};

// After a call to a tool tagged `after` returned successfully, tools tagged `deny` are refused
// for the rest of the connection.
struct FlowRule {
  std::string name;
  std::string after_tag;
  std::string deny_tag;
  std::string reason;
};

enum class DetectorAction { kOff, kWarn, kBlock };

struct DetectorPlan {
  // Path traversal in any string argument ("../../etc", "%2e%2e/"): certain cases block.
  DetectorAction traversal = DetectorAction::kBlock;
  // Shell metacharacter injection in arguments named like commands: certain cases block.
  DetectorAction shell_injection = DetectorAction::kBlock;
  // Tool definitions (proxy/pins/poisoning.h): high confidence hides and refuses the tool.
  DetectorAction poisoning = DetectorAction::kBlock;
  // Instructions aimed at the model inside results (tools/call, resources/read, prompts/get):
  // recorded by default, refused when "block".
  DetectorAction injection = DetectorAction::kWarn;
};

// Where and how the session's audit log is written (empty path: no audit log).
struct AuditPlan {
  std::string path;
  enum class Sync { kRecord, kBatch, kNone } sync = Sync::kRecord;
  uint64_t rotate_bytes = 0;
  bool argument_digests = true;  // false: record no trace of arguments at all
  std::string checkpoint_key;      // Ed25519 secret key file: signed checkpoints when set
  uint64_t checkpoint_every = 1000;
  // Per-call effect records (issue #9): what the server did during each call, from the kernel
  // (eBPF tracepoints; root). Off by default: the tracepoints run for every system call.
  bool effects = false;
};

enum class RedactionAction { kAllow, kRedact, kHash, kBlock };

// Redaction (proxy/redaction/): which action each detector's findings get, by direction and tool.
struct RedactionPlan {
  bool enabled = true;
  std::map<std::string, RedactionAction> actions;    // any direction
  std::map<std::string, RedactionAction> arguments;  // client to server (tool arguments)
  std::map<std::string, RedactionAction> results;    // server to client (results, resources, prompts)
  std::vector<std::pair<std::string, std::map<std::string, RedactionAction>>> tools;  // glob -> actions
  std::vector<std::pair<std::string, std::string>> custom;  // name -> Hyperscan pattern
};

// Tool pinning (proxy/pins/). Empty file: pinning off.
struct PinPlan {
  std::string file;
  enum class Mode { kTrustOnFirstUse, kStrict } mode = Mode::kTrustOnFirstUse;
  std::vector<std::string> signers;  // base64 Ed25519 public keys; non-empty: FILE.sig required
  // Behavioural pins (a tool's pinned effect profile, from `profile generate --learn`): a call
  // that departs is reported (audit.effects), and its result withheld when true.
  bool block_behaviour = false;
};

struct ProxyPlan {
  std::string server_cwd;  // where the server's relative path arguments start
  std::string identity;  // "uid 1000 (alice)" plus ", project ci" with a key
  std::string project;   // empty without a key
  bool key_required = false;
  AccessPlan access;
  std::vector<ToolRule> tools;
  std::vector<RateSpec> session_rates;  // all requests of this identity (each must pass)
  std::vector<FlowRule> flows;
  DetectorPlan detectors;
  AuditPlan audit;
  PinPlan pins;
  RedactionPlan redaction;
};

}  // namespace mcpsandbox
