#include "launcher/clients/clients_command.h"

#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "launcher/clients/client_configs.h"
#include "launcher/clients/text_table.h"
#include "launcher/generate/server_conversation.h"
#include "launcher/profile_locator.h"
#include "profiles/profile_parser.h"
#include "proxy/audit/audit_log.h"
#include "proxy/io/atomic_write.h"
#include "proxy/pins/pin_store.h"
#include "proxy/pins/poisoning.h"

namespace mcpsandbox {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kFindings = 1;
constexpr int kFailure = 2;

std::string backup_of(const std::string& path) { return path + ".mcpsandbox-backup"; }
// A backup no wrap on record made, or one an entry-by-entry unwrap left behind: kept, aside.
std::string retired_backup_of(const std::string& path) { return path + ".mcpsandbox-backup.old"; }
// Before records moved out of the configuration's directory (a wrapped server may be granted it).
std::string legacy_stamp_of(const std::string& path) { return path + ".mcpsandbox-wrapped"; }

// What wrap wrote and what it saved, kept where no server is granted (~/.local is never a
// narrow grant): a backup beside the configuration is restored byte for byte only if it is
// still what wrap saved, so a server that can write there cannot plant a configuration.
std::string record_of(const std::string& path) {
  const char* state = ::getenv("XDG_STATE_HOME");
  const char* home = ::getenv("HOME");
  std::string base = state && *state == '/' ? state : std::string(home ? home : "/") + "/.local/state";
  return base + "/mcpsandbox/wrap/" + sha256_hex(fs::absolute(path).lexically_normal().string()) + ".json";
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t mode_of(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? (info.st_mode & 07777) : 0600;
}

std::string self_path() {
  std::error_code error;
  fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? "mcpsandbox" : self.string();
}

std::string home_directory() {
  const char* home = ::getenv("HOME");
  return home ? home : "";
}

WrapContext this_machine() {
  return {home_directory(), [](const std::string& path) {
            struct stat info {};
            return ::lstat(path.c_str(), &info) == 0;
          }};
}

std::string command_line(const ServerEntry& entry) {
  if (entry.command.empty()) return entry.url;
  std::string line = entry.command;
  for (const auto& arg : entry.args) line += " " + arg;
  return line;
}

std::string shortened(const std::string& text, size_t width = 60) {
  return text.size() <= width ? text : text.substr(0, width - 3) + "...";
}

// Each file that loads, handed to `use`; one that does not is reported (never rewritten) and
// makes the command's status kFailure.
template <typename Use>
void for_each_config(const std::vector<ConfigFile>& files, const Logger& logger, int& status, Use use) {
  for (const ConfigFile& file : files) {
    auto config = LoadedConfig::load(file);
    if (!config) {
      logger.error(config.error().message);
      status = kFailure;
      continue;
    }
    use(file, *config);
  }
}

// --- wrap -------------------------------------------------------------------------------------

Result<void> write_config(const LoadedConfig& config, const std::string& text) {
  const std::string& path = config.file().path;
  mode_t mode = mode_of(path);
  std::string record_path = record_of(path);
  json record = json::parse(read_all(record_path), nullptr, false);
  if (!record.is_object()) record = json::object();
  // A backup belongs to one wrap: one this wrap's record does not vouch for is set aside, and
  // this wrap saves the file as it is now.
  std::error_code ignored;
  if (fs::exists(backup_of(path)) &&
      record.value("backup_sha256", "") != sha256_hex(read_all(backup_of(path)))) {
    fs::rename(backup_of(path), retired_backup_of(path), ignored);
  }
  if (!fs::exists(backup_of(path))) {
    if (auto saved = write_file_atomically(backup_of(path), config.original_text(), mode); !saved) return saved;
    record["backup_sha256"] = sha256_hex(config.original_text());
  }
  if (auto written = write_file_atomically(path, text, mode); !written) return written;
  record["config"] = path;
  record["wrapped_sha256"] = sha256_hex(text);
  fs::create_directories(fs::path(record_path).parent_path(), ignored);
  fs::remove(legacy_stamp_of(path), ignored);
  return write_file_atomically(record_path, record.dump(2) + "\n", 0600);
}

// The file is as wrap left it and its backup as wrap saved it: restore the backup whole.
bool restorable_as_saved(const std::string& path, const std::string& current_text) {
  json record = json::parse(read_all(record_of(path)), nullptr, false);
  if (!record.is_object() || !fs::exists(backup_of(path))) return false;
  return record.value("wrapped_sha256", "") == sha256_hex(current_text) &&
         record.value("backup_sha256", "") == sha256_hex(read_all(backup_of(path)));
}

int wrap(const ClientsOptions& options, const std::vector<ConfigFile>& files, const Logger& logger) {
  TextTable table({"CLIENT", "SCOPE", "SERVER", "BEFORE", "AFTER"});
  json report = json::array();
  std::string mcpsandbox = self_path();
  std::vector<std::string> notes;
  int status = 0;
  for_each_config(files, logger, status, [&](const ConfigFile& file, LoadedConfig& config) {
    bool changed = false;
    for (const auto& located : config.servers()) {
      WrapDecision decision = decide_wrap(located.entry, this_machine());
      std::string after;
      if (decision.wrap) {
        std::vector<std::string> args = wrapped_args(decision, located.entry);
        config.set_command(located.pointer, mcpsandbox, args);
        config.remove_env(located.pointer, decision.moved_env);
        for (const auto& directory : decision.make_directories) {
          std::error_code error;
          if (!options.dry_run && fs::create_directories(directory, error)) {
            fs::permissions(directory, fs::perms::owner_all, error);
          }
          if (error) logger.warn("wrap: cannot create " + directory + ": " + error.message());
        }
        for (const auto& variable : decision.moved_env) {
          notes.push_back(located.entry.name + ": " + variable + " moved inside the sandbox (--env " + variable +
                          "=...): on mcpsandbox itself it would load code into the unsandboxed launcher");
        }
        changed = true;
        after = "mcpsandbox run --profile " + decision.profile;
        for (const auto& option : decision.run_options) after += " " + option;
      } else {
        after = "(unchanged: " + decision.reason + ")";
      }
      table.add({file.client, located.scope, located.entry.name, shortened(command_line(located.entry)), after});
      report.push_back({{"client", file.client}, {"scope", located.scope}, {"file", file.path},
                        {"server", located.entry.name}, {"before", command_line(located.entry)},
                        {"wrapped", decision.wrap}, {"profile", decision.profile}, {"reason", decision.reason}});
    }
    if (changed && !options.dry_run) {
      if (auto written = write_config(config, config.text()); !written) {
        logger.error(written.error().message);
        status = kFailure;
      }
    }
  });
  if (options.json) {
    std::printf("%s\n", report.dump(2).c_str());
  } else {
    std::printf("%s", table.render().c_str());
    for (const auto& note : notes) std::printf("note: %s\n", note.c_str());
    if (options.dry_run) std::printf("(dry run: nothing written)\n");
    else if (!files.empty()) std::printf("Backups: FILE.mcpsandbox-backup beside each changed file; `mcpsandbox unwrap` restores them.\n");
  }
  return status;
}

// --- unwrap -----------------------------------------------------------------------------------

int unwrap(const ClientsOptions& options, const std::vector<ConfigFile>& files, const Logger& logger) {
  TextTable table({"CLIENT", "SCOPE", "SERVER", "RESTORED"});
  json report = json::array();
  int status = 0;
  for_each_config(files, logger, status, [&](const ConfigFile& file, LoadedConfig& config) {
    std::string backup = backup_of(file.path), record = record_of(file.path);
    bool as_wrapped = restorable_as_saved(file.path, config.original_text());
    bool changed = false;
    for (const auto& located : config.servers()) {
      if (!is_wrapped(located.entry)) continue;
      ServerEntry original = unwrapped(located.entry);
      config.set_command(located.pointer, original.command, original.args);
      config.set_env(located.pointer, original.loader_env);
      changed = true;
      std::string how = as_wrapped ? "from the backup, byte for byte" : "entry by entry (the file or its backup changed since wrap)";
      table.add({file.client, located.scope, located.entry.name, shortened(command_line(original)) + "  [" + how + "]"});
      report.push_back({{"client", file.client}, {"scope", located.scope}, {"file", file.path},
                        {"server", located.entry.name}, {"restored", command_line(original)},
                        {"exact", as_wrapped}});
    }
    if (options.dry_run || (!changed && !as_wrapped)) return;
    Result<void> done;
    if (as_wrapped) {
      done = write_file_atomically(file.path, read_all(backup), mode_of(file.path));
      if (done) {
        fs::remove(backup);
        fs::remove(record);
      }
    } else {
      done = write_file_atomically(file.path, config.text(), mode_of(file.path));
      // The backup is older than the user's edits: retired (kept aside), never restored later.
      std::error_code ignored;
      fs::remove(record, ignored);
      if (done) fs::rename(backup, retired_backup_of(file.path), ignored);
    }
    if (!done) {
      logger.error(done.error().message);
      status = kFailure;
    }
  });
  if (options.json) std::printf("%s\n", report.dump(2).c_str());
  else std::printf("%s%s", table.render().c_str(), options.dry_run ? "(dry run: nothing written)\n" : "");
  return status;
}

// --- scan -------------------------------------------------------------------------------------

// Where a wrapped entry's pins live: its --pins, else its profile's pins.file.
std::string pin_file_of(const ServerEntry& entry, const std::string& profile) {
  auto separator = std::find(entry.args.begin(), entry.args.end(), "--");
  for (auto it = entry.args.begin(); it != separator && it + 1 != separator; ++it) {
    if (*it == "--pins") return *(it + 1);
  }
  if (profile == "default") return "";
  auto located = locate_profile(profile);
  if (!located) return "";
  auto parsed = parse_profile(located->text, located->source);
  return parsed ? parsed->policy.pins.file : "";
}

std::string pin_status(const ServerEntry& entry, bool wrapped, const std::string& profile, json& out) {
  if (!wrapped) return "-";
  std::string file = pin_file_of(entry, profile);
  out["pin_file"] = file;
  if (file.empty()) return "not pinned";
  auto pins = PinStore::read_file(file);
  if (!pins) return fs::exists(file) ? "unreadable pin file" : "pins on first run";
  out["pinned_tools"] = pins->size();
  return std::to_string(pins->size()) + " tools pinned";
}

// Asks the server (sandboxed: through its wrapped command, or as wrap would run it) for its
// tools and runs the poisoning checks on each definition.
std::string poisoning_status(const ServerEntry& entry, const ClientsOptions& options, json& out, bool& high) {
  if (entry.transport != "stdio") return "-";
  if (!options.probe) return "not checked";
  ServerEntry target = entry;
  if (!is_wrapped(entry)) {
    WrapDecision decision = decide_wrap(entry, this_machine());
    if (!decision.wrap) return "-";
    target.args = wrapped_args(decision, entry);
  }
  // Through `run --inspect`: the server's own sandbox and profile, but poisoned tools listed
  // (this is where they are reported) and no pins written on the user's behalf.
  std::vector<std::string> argv = {"/proc/self/exe", "--log-level", "error", "run", "--inspect"};
  argv.insert(argv.end(), target.args.begin() + 1, target.args.end());
  auto conversation = ServerConversation::start(argv);
  if (!conversation) return "not checked: " + conversation.error().message;
  auto initialized = conversation->initialize(options.timeout);
  auto tools = initialized ? conversation->list_tools(options.timeout) : Result<json>(initialized.error());
  conversation->finish(std::chrono::seconds(2));
  if (!tools) return "not checked: " + tools.error().message;
  std::vector<std::string> names;
  for (const json& tool : *tools) names.push_back(tool.value("name", ""));
  simdjson::dom::parser parser;
  json findings = json::array();
  for (const json& tool : *tools) {
    std::string text = tool.dump();
    simdjson::dom::element element;
    if (parser.parse(text).get(element) != simdjson::SUCCESS) continue;
    std::vector<std::string> others;
    for (const auto& name : names) {
      if (name != tool.value("name", "")) others.push_back(name);
    }
    for (const auto& finding : scan_tool_definition(element, others)) {
      findings.push_back({{"tool", tool.value("name", "")}, {"high_confidence", finding.high_confidence},
                          {"finding", finding.what}});
      high = high || finding.high_confidence;
    }
  }
  out["tools"] = names.size();
  out["poisoning"] = findings;
  if (findings.empty()) return "none (" + std::to_string(names.size()) + " tools)";
  const json& first = findings[0];
  return std::to_string(findings.size()) + " finding(s): " + first["tool"].get<std::string>() + ": " +
         first["finding"].get<std::string>();
}

int scan(const ClientsOptions& options, const std::vector<ConfigFile>& files, const Logger& logger) {
  TextTable table({"CLIENT", "SCOPE", "SERVER", "SANDBOX", "PINS", "POISONING"});
  json report = json::array();
  bool any_high = false;
  int status = 0;
  for_each_config(files, logger, status, [&](const ConfigFile& file, LoadedConfig& config) {
    for (const auto& located : config.servers()) {
      const ServerEntry& entry = located.entry;
      json row = {{"client", file.client}, {"scope", located.scope}, {"file", file.path}, {"server", entry.name},
                  {"transport", entry.transport}, {"command", command_line(entry)}};
      std::string profile;
      bool wrapped = is_wrapped(entry, &profile);
      std::string sandbox = entry.transport != "stdio" ? "n/a (" + entry.transport + ")"
                            : wrapped                 ? "wrapped (" + profile + ")"
                                                      : "NOT SANDBOXED";
      row["sandboxed"] = wrapped;
      if (wrapped) row["profile"] = profile;
      std::string pins = pin_status(entry, wrapped, profile, row);
      bool high = false;
      std::string poisoning = poisoning_status(entry, options, row, high);
      any_high = any_high || high;
      table.add({file.client, located.scope, entry.name, sandbox, pins, shortened(poisoning, 70)});
      report.push_back(std::move(row));
    }
  });
  if (options.json) std::printf("%s\n", report.dump(2).c_str());
  else std::printf("%s", table.render().c_str());
  if (status) return status;
  return any_high ? kFindings : 0;
}

}  // namespace

int run_clients_command(const ClientsOptions& options, const Logger& logger) {
  std::string project = options.project.empty() ? fs::current_path().string() : options.project;
  std::vector<ConfigFile> files = find_config_files(options.client, home_directory(), project);
  if (files.empty() && !options.json) {
    std::fprintf(stderr, "mcpsandbox: no MCP client configuration found for %s (home %s, project %s)\n",
                 options.client.c_str(), home_directory().c_str(), project.c_str());
  }
  switch (options.action) {
    case ClientsOptions::Action::kWrap: return wrap(options, files, logger);
    case ClientsOptions::Action::kUnwrap: return unwrap(options, files, logger);
    default: return scan(options, files, logger);
  }
}

}  // namespace mcpsandbox
