#include "profiles/profile_parser.h"

#include "profiles/egress_rule.h"
#include "profiles/json_reader.h"
#include "profiles/policy/policy_reader.h"

#include <cctype>
#include <set>
#include <nlohmann/json.hpp>

namespace mcpsandbox {
namespace {

using nlohmann::json;

class ProfileReader {
 public:
  explicit ProfileReader(std::string source) : source_(source), reader_(std::move(source)) {}

  Result<Profile> read(const json& root) {
    profile_.source = source_;
    if (!root.is_object()) return fail("", "expected an object");
    if (auto r = reader_.only_keys(root, "", {"$schema", "description", "filesystem", "network",
                                              "env", "limits", "landlock", "require", "seccomp",
                                              "runtime", "hardening", "auth", "access", "tools",
                                              "rate_limit", "flows", "detectors", "projects",
                                              "users", "audit", "pins", "redaction"});
        !r) {
      return r.error();
    }
    for (auto step : {&ProfileReader::filesystem, &ProfileReader::network, &ProfileReader::env,
                      &ProfileReader::limits, &ProfileReader::landlock, &ProfileReader::require,
                      &ProfileReader::seccomp, &ProfileReader::runtime,
                      &ProfileReader::hardening}) {
      if (auto r = (this->*step)(root); !r) return r.error();
    }
    if (auto r = read_proxy_policy(reader_, root, profile_.policy); !r) return r.error();
    return profile_;
  }

 private:
  Error fail(const std::string& pointer, const std::string& what) const {
    return reader_.fail(pointer, what);
  }
  Result<std::vector<std::string>> strings(const json& value, const std::string& pointer) const {
    return reader_.strings(value, pointer);
  }
  Result<const json*> section(const json& root, const char* key,
                              std::initializer_list<std::string_view> allowed) const {
    return reader_.section(root, "", key, allowed);
  }
  Result<void> read_strings(const json& object, const std::string& pointer, const char* key,
                            std::vector<std::string>& target) const {
    return reader_.read_strings(object, pointer, key, target);
  }

  Result<std::vector<uint16_t>> ports(const json& value, const std::string& pointer) const {
    if (!value.is_array()) return fail(pointer, "expected an array of TCP ports");
    std::vector<uint16_t> out;
    for (size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_number_unsigned() || value[i].get<uint64_t>() < 1 ||
          value[i].get<uint64_t>() > 65535) {
        return fail(pointer + "/" + std::to_string(i), "expected a port number 1-65535");
      }
      out.push_back(static_cast<uint16_t>(value[i].get<uint64_t>()));
    }
    return out;
  }

  Result<void> filesystem(const json& root) {
    auto fs = section(root, "filesystem", {"ro", "rw", "call_scoped", "exec", "unix_sockets"});
    if (!fs || !*fs) return fs ? Result<void>() : fs.error();
    if (auto r = read_strings(**fs, "/filesystem", "ro", profile_.read_only_paths); !r) return r;
    if (auto r = read_strings(**fs, "/filesystem", "rw", profile_.read_write_paths); !r) return r;
    if (auto r = read_strings(**fs, "/filesystem", "unix_sockets", profile_.unix_sockets); !r) return r;
    if ((*fs)->contains("call_scoped") && (**fs)["call_scoped"].is_boolean()) {
      profile_.call_scoped_all = (**fs)["call_scoped"].get<bool>();
    } else if (auto r = read_strings(**fs, "/filesystem", "call_scoped", profile_.call_scoped_paths); !r) {
      return r;
    }
    if (!(*fs)->contains("exec")) return {};
    profile_.programs.emplace();
    return read_strings(**fs, "/filesystem", "exec", *profile_.programs);
  }

  Result<void> network(const json& root) {
    auto found = section(root, "network", {"mode", "tcp_connect", "tcp_bind", "allow", "internal_grants"});
    if (!found || !*found) return found ? Result<void>() : found.error();
    const json& net = **found;
    if (net.contains("mode")) {
      std::string mode = net["mode"].is_string() ? net["mode"].get<std::string>() : "";
      if (mode == "none") profile_.network = NetworkMode::kNone;
      else if (mode == "host") profile_.network = NetworkMode::kHost;
      else return fail("/network/mode", "expected \"none\" or \"host\"");
    }
    if (auto r = reader_.read_allow_or_deny(net, "/network", "internal_grants", profile_.internal_grants); !r) {
      return r;
    }
    if (auto r = read_strings(net, "/network", "allow", profile_.egress_allow); !r) return r;
    for (size_t i = 0; i < profile_.egress_allow.size(); ++i) {
      if (auto rule = parse_egress_rule(profile_.egress_allow[i]); !rule) {
        return fail("/network/allow/" + std::to_string(i), rule.error().message);
      }
    }
    for (auto [key, target] : {std::pair{"tcp_connect", &profile_.tcp_connect_ports},
                               std::pair{"tcp_bind", &profile_.tcp_bind_ports}}) {
      if (!net.contains(key)) continue;
      auto list = ports(net[key], std::string("/network/") + key);
      if (!list) return list.error();
      *target = *list;
    }
    return {};
  }

  Result<void> env(const json& root) {
    auto found = section(root, "env", {"pass", "set"});
    if (!found || !*found) return found ? Result<void>() : found.error();
    const json& env = **found;
    if (auto r = read_strings(env, "/env", "pass", profile_.env_pass); !r) return r;
    if (env.contains("set")) {
      if (!env["set"].is_object()) return fail("/env/set", "expected an object of strings");
      for (const auto& [name, value] : env["set"].items()) {
        if (!value.is_string()) return fail("/env/set/" + name, "expected a string");
        profile_.env_set[name] = value.get<std::string>();
      }
    }
    return {};
  }

  Result<std::optional<uint64_t>> size_or_count(const json& value, const std::string& pointer,
                                                bool bytes) const {
    if (value.is_number_unsigned()) return std::optional<uint64_t>(value.get<uint64_t>());
    if (bytes && value.is_string()) {
      auto size = parse_byte_size(value.get<std::string>());
      if (!size) return fail(pointer, size.error().message);
      return std::optional<uint64_t>(*size);
    }
    return fail(pointer, bytes ? "expected a size such as \"512MiB\" or a number of bytes"
                               : "expected a non-negative integer");
  }

  Result<void> limits(const json& root) {
    auto found = section(root, "limits",
                         {"memory", "processes", "open_files", "cpu_seconds", "file_size", "cpus",
                          "tmp", "shm", "request_size", "result_size"});
    if (!found || !*found) return found ? Result<void>() : found.error();
    const json& limits = **found;
    struct Field {
      const char* key;
      std::optional<uint64_t>* target;
      bool bytes;
    } fields[] = {{"memory", &profile_.memory_bytes, true},
                  {"processes", &profile_.max_processes, false},
                  {"open_files", &profile_.max_open_files, false},
                  {"cpu_seconds", &profile_.cpu_seconds, false},
                  {"file_size", &profile_.max_file_bytes, true},
                  {"tmp", &profile_.tmp_bytes, true},
                  {"shm", &profile_.shm_bytes, true},
                  {"request_size", &profile_.request_bytes, true},
                  {"result_size", &profile_.result_bytes, true}};
    if (limits.contains("cpus")) {
      const json& cpus = limits["cpus"];
      if (!cpus.is_number() || cpus.get<double>() < 0.01 || cpus.get<double>() > 4096) {
        return fail("/limits/cpus", "expected a number of cores such as 0.5 or 2");
      }
      profile_.cpu_millis = static_cast<uint64_t>(cpus.get<double>() * 1000 + 0.5);
    }
    for (const Field& field : fields) {
      if (!limits.contains(field.key)) continue;
      auto value = size_or_count(limits[field.key], std::string("/limits/") + field.key,
                                 field.bytes);
      if (!value) return value.error();
      *field.target = *value;
    }
    return {};
  }

  Result<void> landlock(const json& root) {
    auto found = section(root, "landlock", {"min_abi"});
    if (!found || !*found) return found ? Result<void>() : found.error();
    const json& landlock = **found;
    if (landlock.contains("min_abi")) {
      const json& abi = landlock["min_abi"];
      if (!abi.is_number_integer() || abi.get<int>() < 0 || abi.get<int>() > 64) {
        return fail("/landlock/min_abi",
                    "expected an integer ABI version (0 allows running without Landlock)");
      }
      profile_.landlock_min_abi = abi.get<int>();
    }
    return {};
  }

  Result<void> require(const json& root) {
    if (!root.contains("require")) return {};
    auto names = strings(root["require"], "/require");
    if (!names) return names.error();
    for (size_t i = 0; i < names->size(); ++i) {
      auto layer = parse_layer((*names)[i]);
      if (!layer) {
        return fail("/require/" + std::to_string(i),
                    "unknown layer '" + (*names)[i] +
                        "' (expected hygiene, namespaces, landlock, seccomp, cgroups, "
                        "cgroup-bpf or bpf-lsm)");
      }
      profile_.required_layers.insert(*layer);
    }
    return {};
  }

  Result<void> seccomp(const json& root) {
    auto found = section(root, "seccomp", {"allow", "deny"});
    if (!found || !*found) return found ? Result<void>() : found.error();
    if (auto r = read_strings(**found, "/seccomp", "allow", profile_.extra_syscalls); !r) return r;
    return read_strings(**found, "/seccomp", "deny", profile_.denied_syscalls);
  }

  Result<void> hardening(const json& root) {
    auto found = section(root, "hardening", {"deny_write_execute", "out_of_band"});
    if (!found || !*found) return found ? Result<void>() : found.error();
    bool out_of_band = !profile_.deny_out_of_band;
    if (auto r = reader_.read_allow_or_deny(**found, "/hardening", "out_of_band", out_of_band); !r) return r;
    profile_.deny_out_of_band = !out_of_band;
    if ((*found)->contains("deny_write_execute")) {
      const json& value = (**found)["deny_write_execute"];
      if (!value.is_boolean()) return fail("/hardening/deny_write_execute", "expected true or false");
      profile_.deny_write_execute = value.get<bool>();
    }
    return {};
  }

  Result<void> runtime(const json& root) {
    if (!root.contains("runtime")) return {};
    std::string name = root["runtime"].is_string() ? root["runtime"].get<std::string>() : "";
    if (name == "auto") profile_.runtime = Runtime::kAuto;
    else if (name == "node") profile_.runtime = Runtime::kNode;
    else if (name == "python") profile_.runtime = Runtime::kPython;
    else if (name == "static") profile_.runtime = Runtime::kStatic;
    else return fail("/runtime", "expected \"auto\", \"node\", \"python\" or \"static\"");
    return {};
  }

  std::string source_;
  JsonReader reader_;
  Profile profile_;
};

}  // namespace

Result<uint64_t> parse_byte_size(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 19) return Error{"expected a size such as \"512MiB\""};
  uint64_t value = std::stoull(std::string(text.substr(0, digits)));
  std::string unit(text.substr(digits));
  uint64_t scale = 0;
  for (auto [name, factor] : {std::pair{"", 1ull}, {"B", 1ull}, {"K", 1ull << 10},
                              {"KiB", 1ull << 10}, {"M", 1ull << 20}, {"MiB", 1ull << 20},
                              {"G", 1ull << 30}, {"GiB", 1ull << 30}, {"T", 1ull << 40},
                              {"TiB", 1ull << 40}}) {
    if (unit == name) scale = factor;
  }
  if (scale == 0) return Error{"unknown size unit '" + unit + "' (use B, KiB, MiB, GiB or TiB)"};
  if (value > UINT64_MAX / scale) return Error{"size too large"};
  return value * scale;
}

Result<Profile> parse_profile(std::string_view text, const std::string& source) {
  // nlohmann keeps the last of duplicate keys; in a policy file a duplicate is a mistake that
  // could silently undo the line above it, so it is an error.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto watch_keys = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == json::parse_event_t::key && !open_objects.empty() &&
        !open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json root;
  try {
    root = json::parse(text, watch_keys, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for huge numbers etc.
    return Error{source + ": not valid JSON: " + e.what()};
  }
  if (!duplicate.empty()) return Error{source + ": duplicate key '" + duplicate + "'"};
  return ProfileReader(source).read(root);
}

}  // namespace mcpsandbox
