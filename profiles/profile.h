// Profile: what a user (or admin) declares about one MCP server, as parsed from a profile file
// and the command line. Pure data; the compiler turns it into a Plan.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "profiles/proxy_plan.h"

namespace mcpsandbox {

// The enforcement layers of DESIGN.md that a profile can require (and tests can switch off).
enum class Layer { kHygiene, kNamespaces, kLandlock, kSeccomp, kCgroups, kCgroupBpf, kBpfLsm };

std::string layer_name(Layer layer);
std::optional<Layer> parse_layer(std::string_view name);

enum class NetworkMode { kNone, kHost };
enum class Runtime { kAuto, kNode, kPython, kStatic };

// Protocol-layer rules at one level: the profile itself, one project (gateway key) or one user.
// Lower levels can only narrow what the levels above allow.
struct PolicyScope {
  std::optional<GlobFilter> tools, resources, prompts;
  std::optional<AskPolicy> sampling, elicitation, roots;
  std::optional<AskPolicy> unknown_methods;  // methods mcpsandbox cannot classify
  std::vector<ToolRule> tool_rules;
  std::optional<RateSpec> rate;
  std::vector<FlowRule> flows;
  // Environment variable for the server -> where its value comes from ("env:NAME" in the
  // invoking environment, or "file:/path"). Projects only: secrets follow the key.
  std::map<std::string, std::string> secrets;
};

struct ProxyPolicy {
  bool require_key = false;
  std::string keys_file;  // key store; empty: the default location
  PolicyScope base;
  std::map<std::string, PolicyScope> projects, users;
  DetectorPlan detectors;
  AuditPlan audit;  // path relative to the invoking cwd, "~/" allowed
  PinPlan pins;     // likewise
  RedactionPlan redaction;
};

struct Profile {
  std::string source;  // the file it came from ("" for command line only), for messages
  std::string source_sha256;  // digest of the profile's text, for the audit log

  std::vector<std::string> read_only_paths;
  std::vector<std::string> read_write_paths;
  // filesystem.call_scoped: inside the ro/rw paths, reachable only through an in-flight call's
  // grants (BPF LSM). filesystem.exec: when given, the only programs the server may run.
  std::vector<std::string> call_scoped_paths;
  std::vector<std::string> unix_sockets;  // sockets (or directories of them) the server may connect to
  bool call_scoped_all = false;  // `"call_scoped": true`: every rw path, --rw included
  std::optional<std::vector<std::string>> programs;

  NetworkMode network = NetworkMode::kNone;
  std::vector<uint16_t> tcp_connect_ports;  // with network "host": ports Landlock lets through
  std::vector<uint16_t> tcp_bind_ports;
  std::vector<std::string> egress_allow;  // with "host": destinations cgroup-bpf lets through
  bool internal_grants = false;  // connect grants may open loopback/private/link-local addresses

  std::vector<std::string> env_pass;             // names copied from the invoking environment
  std::map<std::string, std::string> env_set;    // names set to fixed values

  std::optional<uint64_t> memory_bytes;
  std::optional<uint64_t> tmp_bytes, shm_bytes;  // tmpfs sizes of /tmp and /dev/shm
  std::optional<uint64_t> request_bytes, result_bytes;  // largest message relayed each way
  std::optional<uint64_t> max_processes;
  std::optional<uint64_t> max_open_files;
  std::optional<uint64_t> cpu_seconds;
  std::optional<uint64_t> cpu_millis;  // CPU bandwidth in thousandths of a core (1500 = 1.5 cores)
  std::optional<uint64_t> max_file_bytes;

  int landlock_min_abi = 1;  // below this (or without Landlock) the run is refused
  std::set<Layer> required_layers;
  std::vector<std::string> extra_syscalls;  // allowed on top of the baseline
  std::vector<std::string> denied_syscalls;  // removed from the baseline

  Runtime runtime = Runtime::kAuto;
  bool deny_write_execute = false;  // BPF LSM: no writable+executable memory (breaks JITs)
  bool deny_out_of_band = false;    // the server runs only while a request is in flight

  ProxyPolicy policy;
};

}  // namespace mcpsandbox
