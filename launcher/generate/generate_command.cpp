#include "launcher/generate/generate_command.h"

#include <simdjson.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "launcher/generate/server_conversation.h"
#include "profiles/compiler.h"
#include "profiles/generate/bundle_manifest.h"
#include "profiles/generate/profile_generator.h"
#include "profiles/profile_parser.h"
#include "profiles/syscall_policy.h"
#include "proxy/audit/audit_log.h"
#include "proxy/io/atomic_write.h"
#include "proxy/pins/pin_store.h"

namespace mcpsandbox {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kServerUnavailable = 1;
constexpr int kUsageError = 2;

Result<std::string> read_text(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error{"cannot read " + path};
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string home_directory() {
  const char* home = ::getenv("HOME");
  return home ? home : "/";
}

// The command as a person would recognise it: the program's name and its first arguments.
std::string server_label(const std::vector<std::string>& command) {
  std::string label = fs::path(command.front()).filename().string();
  for (size_t i = 1; i < command.size() && label.size() < 100; ++i) label += " " + command[i];
  return label.size() > 120 ? label.substr(0, 117) + "..." : label;
}

std::string runtime_name(const std::vector<std::string>& command) {
  Invocation invocation;
  invocation.argv = command;
  switch (detect_runtime(invocation)) {
    case Runtime::kNode: return "node";
    case Runtime::kPython: return "python";
    default: return "static";
  }
}

// The nameservers of /etc/resolv.conf: a generated profile lets the server resolve names.
std::vector<std::string> dns_resolvers() {
  std::vector<std::string> servers;
  std::ifstream conf("/etc/resolv.conf");
  std::string line;
  while (std::getline(conf, line)) {
    std::istringstream words(line);
    std::string key, address;
    if (words >> key >> address && key == "nameserver") servers.push_back(address);
  }
  return servers;
}

// A private directory for the learning run's observations (the sandbox has its own /tmp).
class ScratchDir {
 public:
  ScratchDir() {
    char pattern[] = "/tmp/mcpsandbox-generate-XXXXXX";
    if (::mkdtemp(pattern)) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Gathered {
  json tools = json::array();
  bool listed = false;
  std::optional<ObservedBehaviour> observed;
};

std::vector<std::string> sandbox_command(const GenerateOptions& options, const std::vector<std::string>& command,
                                         const std::vector<std::string>& read_only,
                                         const std::vector<std::string>& read_write, const std::string& learn_to) {
  std::vector<std::string> argv = {"/proc/self/exe", "run"};
  for (const auto& path : read_only) argv.insert(argv.end(), {"--ro", path});
  for (const auto& path : read_write) argv.insert(argv.end(), {"--rw", path});
  for (const auto& name : options.env) argv.insert(argv.end(), {"--env", name});
  if (!options.network.empty()) argv.insert(argv.end(), {"--network", options.network});
  for (const auto& dest : options.allow_net) argv.insert(argv.end(), {"--allow-net", dest});
  if (!learn_to.empty()) argv.insert(argv.end(), {"--learn-to", learn_to});
  argv.push_back("--");
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

Result<json> read_scenario(const std::string& path) {
  auto text = read_text(path);
  if (!text) return text.error();
  json calls = json::parse(*text, nullptr, false, true);
  if (calls.is_discarded() || !calls.is_array()) return Error{path + ": expected a JSON array of calls"};
  for (const json& call : calls) {
    if (!call.is_object() || !call.contains("tool") || !call["tool"].is_string()) {
      return Error{path + ": every call needs \"tool\" (and optional \"arguments\")"};
    }
  }
  return calls;
}

// Runs the server sandboxed, asks for its tools, plays the scenario, and (learning) reads back
// what the kernel saw.
Result<Gathered> ask_server(const GenerateOptions& options, const std::vector<std::string>& command,
                            const std::vector<std::string>& read_only, const std::vector<std::string>& read_write,
                            const Logger& logger) {
  ScratchDir scratch;
  std::string learn_to;
  if (options.learn) {
    if (scratch.path().empty()) return Error{"cannot make a scratch directory in /tmp"};
    learn_to = scratch.path() + "/observed.json";
  }
  json scenario = json::array();
  if (!options.scenario.empty()) {
    auto read = read_scenario(options.scenario);
    if (!read) return read.error();
    scenario = std::move(*read);
  }
  auto conversation = ServerConversation::start(sandbox_command(options, command, read_only, read_write, learn_to));
  if (!conversation) return conversation.error();
  logger.notice("generate: asking the server (sandboxed) for its tools");
  Gathered gathered;
  auto initialized = conversation->initialize(options.timeout);
  if (!initialized) return initialized.error();
  auto tools = conversation->list_tools(options.timeout);
  if (!tools) return tools.error();
  gathered.tools = std::move(*tools);
  gathered.listed = true;
  logger.notice("generate: " + std::to_string(gathered.tools.size()) + " tools listed");
  for (size_t i = 0; i < scenario.size(); ++i) {
    const json& call = scenario[i];
    auto answered = conversation->request(
        "tools/call", {{"name", call["tool"]}, {"arguments", call.value("arguments", json::object())}}, options.timeout);
    logger.notice("generate: scenario " + std::to_string(i + 1) + "/" + std::to_string(scenario.size()) + ": " +
                  call["tool"].get<std::string>() + (answered ? " answered" : ": " + answered.error().message));
  }
  conversation->finish(std::chrono::seconds(10));
  if (options.learn) {
    auto text = read_text(learn_to);
    if (!text) return Error{"the learning run left no observations (see the messages above)"};
    json parsed = json::parse(*text, nullptr, false);
    auto observed = observed_from_json(parsed);
    if (!observed) return observed.error();
    gathered.observed = std::move(*observed);
  }
  return gathered;
}

Result<void> write_pins(const std::string& path, const json& tools, const std::optional<ObservedBehaviour>& observed) {
  simdjson::dom::parser parser;
  std::map<std::string, PinnedTool> pinned;
  for (const json& tool : tools) {
    std::string text = tool.dump();
    simdjson::dom::element element;
    if (parser.parse(text).get(element) != simdjson::SUCCESS) continue;
    std::string identity = tool_identity(element);
    PinnedTool pin;
    pin.definition = identity;
    pin.sha256 = sha256_hex(identity);
    // Behavioural pin: what the tool's calls did in the learning run (a tool the scenario did
    // not call has none: nothing is known about it).
    if (observed) {
      auto seen = observed->tools.find(tool.value("name", ""));
      if (seen != observed->tools.end()) pin.behaviour = seen->second.to_json();
    }
    pinned[tool.value("name", "")] = std::move(pin);
  }
  return PinStore::write_file(path, pinned);
}

std::string default_pins_path(const std::string& out) {
  fs::path profile(out);
  return (profile.parent_path() / (profile.stem().string() + ".pins.json")).string();
}

}  // namespace

int run_generate(const GenerateOptions& options, const Logger& logger) {
  GeneratorInput input;
  std::vector<std::string> command = options.command;
  std::vector<std::string> read_only = options.read_only, read_write = options.read_write;
  std::vector<std::string> unresolved;
  if (!options.mcpb.empty()) {
    fs::path manifest_path = fs::is_directory(options.mcpb) ? fs::path(options.mcpb) / "manifest.json" : fs::path(options.mcpb);
    auto text = read_text(manifest_path.string());
    if (!text) {
      logger.error(text.error().message);
      return kUsageError;
    }
    BundlePlaceholders placeholders;
    placeholders.bundle_dir = fs::absolute(manifest_path).parent_path().lexically_normal().string();
    placeholders.home = home_directory();
    for (const auto& pair : options.user_config) {
      size_t equals = pair.find('=');
      if (equals == std::string::npos) {
        logger.error("--user-config expects KEY=VALUE, got '" + pair + "'");
        return kUsageError;
      }
      placeholders.user_config[pair.substr(0, equals)] = pair.substr(equals + 1);
    }
    auto bundle = parse_bundle_manifest(*text, placeholders);
    if (!bundle) {
      logger.error(manifest_path.string() + ": " + bundle.error().message);
      return kUsageError;
    }
    unresolved = bundle->unresolved;
    // The bundle's own files must be readable; user_config directories and files are what
    // the user grants the server.
    read_only.push_back(placeholders.bundle_dir);
    for (const auto& field : bundle->manifest.user_config) {
      auto value = placeholders.user_config.find(field.key);
      if (value == placeholders.user_config.end()) continue;
      if (field.type == "directory") read_write.push_back(value->second);
      if (field.type == "file") read_only.push_back(value->second);
    }
    if (command.empty()) command = bundle->manifest.command;
    input.bundle = bundle->manifest;
  }
  if (command.empty()) {
    logger.error("nothing to ask: give the server command after --, or --mcpb BUNDLE");
    return kUsageError;
  }
  input.server = input.bundle ? input.bundle->name : server_label(command);
  input.command = command;
  input.read_only = read_only;
  input.read_write = read_write;
  input.runtime = runtime_name(command);
  input.baseline_syscalls = baseline_syscalls();
  input.resolvers = dns_resolvers();
  if (!unresolved.empty()) {
    std::string missing;
    for (const auto& key : unresolved) missing += (missing.empty() ? "" : ", ") + key;
    if (options.learn) {
      logger.error("cannot start the bundle's server without --user-config for: " + missing);
      return kUsageError;
    }
    logger.warn("generate: not starting the server (no --user-config for " + missing +
                "); using the tools the manifest declares");
  } else {
    auto gathered = ask_server(options, command, read_only, read_write, logger);
    if (!gathered) {
      if (!input.bundle || options.learn) {
        logger.error("generate: the server could not be asked for its tools: " + gathered.error().message);
        return kServerUnavailable;
      }
      logger.warn("generate: the server could not be asked (" + gathered.error().message +
                  "); using the tools the manifest declares");
    } else {
      input.tools = std::move(gathered->tools);
      input.tools_listed = gathered->listed;
      input.observed = std::move(gathered->observed);
    }
  }
  std::string pins_path = !options.pins.empty() ? options.pins : options.out.empty() ? "" : default_pins_path(options.out);
  if (input.tools_listed && !pins_path.empty()) {
    pins_path = fs::absolute(pins_path).lexically_normal().string();
    if (auto written = write_pins(pins_path, input.tools, input.observed); !written) {
      logger.error(written.error().message);
      return kServerUnavailable;
    }
    input.pins_file = pins_path;
  }
  std::string text = generate_profile(input);
  // What we write must load: a generated profile that does not parse is our bug, not the user's.
  if (auto check = parse_profile(text, "generated profile"); !check) {
    logger.error("internal error: the generated profile does not parse: " + check.error().message);
    return kServerUnavailable;
  }
  if (options.out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else if (auto written = write_file_atomically(options.out, text, 0644); !written) {
    logger.error(written.error().message);
    return kServerUnavailable;
  }
  std::string where = options.out.empty() ? "standard output" : options.out;
  logger.notice("generate: profile for " + std::to_string(input.tools.size()) + " tools written to " + where +
                (input.pins_file.empty() ? "" : "; pins in " + input.pins_file) +
                "; check it with `mcpsandbox profile check`");
  return 0;
}

}  // namespace mcpsandbox
