#include "launcher/cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

namespace mcpsandbox {
namespace {

// Levenshtein distance, for "did you mean".
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = 3;  // no suggestion further than two edits away
  for (const std::string& candidate : known) {
    size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

// The first word CLI11 could not place, named as a person would: an unknown command or an
// unknown option of the command, with the nearest known one; else CLI11's own message.
std::string explain_parse_error(CLI::App& app, int argc, char** argv, const CLI::ParseError& error) {
  CLI::App* current = &app;
  std::string path = "mcpsandbox";
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--") break;
    if (word.rfind("-", 0) == 0) {
      std::string name = word.substr(0, word.find('='));
      const CLI::Option* option = current->get_option_no_throw(name);
      if (!option && current != &app) option = app.get_option_no_throw(name);
      if (!option) {
        std::vector<std::string> known;
        for (const CLI::Option* candidate : current->get_options()) {
          for (const std::string& long_name : candidate->get_lnames()) known.push_back("--" + long_name);
        }
        return path.substr(11).empty()
                   ? "unknown option '" + word + "'" + did_you_mean(name, known)
                   : path.substr(11) + ": unknown option '" + word + "'" + did_you_mean(name, known) +
                         "; see `" + path + " --help`";
      }
      if (option->get_type_size() != 0 && word.find('=') == std::string::npos) ++i;  // its value
      continue;
    }
    CLI::App* sub = nullptr;
    for (CLI::App* candidate : current->get_subcommands({})) {
      if (candidate->check_name(word)) sub = candidate;
    }
    if (!sub) {
      if (current->get_subcommands({}).empty()) continue;  // a positional argument
      std::vector<std::string> known;
      for (CLI::App* candidate : current->get_subcommands({})) known.push_back(candidate->get_name());
      return "unknown command '" + word + "'" + did_you_mean(word, known) + "; see `" + path + " --help`";
    }
    current = sub;
    path += " " + word;
  }
  return std::string(error.what()) + " (see `" + path + " --help`)";
}


constexpr const char* kRunExamples = R"(
The server always runs sandboxed: its own user, mount, pid, ipc, uts, cgroup and network
namespaces, a fresh read-only root with only system directories and what you grant, Landlock,
seccomp, no capabilities, a scrubbed environment and resource limits.

Examples:
  mcpsandbox run --rw ~/src -- npx -y @modelcontextprotocol/server-filesystem ~/src
  mcpsandbox run --profile ./server.json -- node server.js
  mcpsandbox run --network host --env GITHUB_TOKEN -- ./github-mcp-server stdio
  mcpsandbox run --log-file /tmp/mcp.log --log-level debug -- python3 -m my_server

In an MCP client's configuration:
  "command": "mcpsandbox", "args": ["run", "--rw", "/home/me/src", "--", "npx", "-y",
                                    "@modelcontextprotocol/server-filesystem", "/home/me/src"]

Exit status: the server's own, 128+N if it died from signal N, 127 if the command cannot be
executed, 125 if the sandbox could not be set up, 2 for a usage error.)";

}  // namespace

Command parse_command_line(int argc, char** argv) {
  Command result;
  CLI::App app{"mcpsandbox: run any stdio MCP server sandboxed, behind a policy-enforcing proxy",
               "mcpsandbox"};
  app.set_version_flag("--version", std::string("mcpsandbox ") + MCPSANDBOX_VERSION);
  app.require_subcommand(1);

  std::string level_name = "warn";
  app.add_option("--log-level", level_name, "error, warn, info, debug or trace")
      ->check(CLI::IsMember({"error", "warn", "info", "debug", "trace"}))
      ->capture_default_str();
  app.add_option("--log-file", result.log_file,
                 "append logs (and the server's stderr) to this file instead of stderr");

  CLI::App* run = app.add_subcommand("run", "start an MCP server sandboxed and relay its stdio");
  run->fallthrough();
  run->footer(kRunExamples);
  RunOptions& o = result.run;
  run->add_option("--profile", o.profile_path,
                  "profile file, or the name of one in /etc/mcpsandbox/profiles, "
                  "~/.config/mcpsandbox/profiles or the built-in set (see profiles/README.md)");
  run->add_option("--key-file", o.key_file,
                  "file holding this session's gateway key (else $MCPSANDBOX_KEY); see `keys add`")
      ->type_name("FILE");
  run->add_option("--audit-log", o.audit_log,
                  "append this session's hash-chained audit records to FILE (overrides the "
                  "profile's audit.path); check it with `mcpsandbox audit verify`")
      ->type_name("FILE");
  run->add_option("--pins", o.pins,
                  "pin the server's tool definitions in FILE: the first session's tools are "
                  "trusted, later changes are hidden and refused until `pin approve`")
      ->type_name("FILE");
  run->add_option("--ro", o.read_only, "grant read-only access to PATH (repeatable)")
      ->type_name("PATH")
      ->allow_extra_args(false);
  run->add_option("--rw", o.read_write, "grant read-write access to PATH (repeatable)")
      ->type_name("PATH")
      ->allow_extra_args(false);
  run->add_option("--env", o.env,
                  "pass NAME from this environment, or set NAME=VALUE (repeatable)")
      ->type_name("NAME[=VALUE]")
      ->allow_extra_args(false);
  run->add_option("--network", o.network,
                  "none (default: an empty network namespace) or host (then only --allow-net "
                  "destinations are reachable)")
      ->check(CLI::IsMember({"none", "host"}));
  run->add_option("--allow-net", o.allow_net,
                  "with --network host: a reachable destination ADDR[/PREFIX][:PORT], e.g. "
                  "127.0.0.1:8080, 10.0.0.0/8:443, [::1]:5432 (repeatable)")
      ->type_name("DEST")
      ->allow_extra_args(false);
  run->add_flag("--call-scoped", o.call_scoped,
               "the server reaches files in the read-write paths (--rw included) only while a call "
               "whose grants name them is in flight (filesystem.call_scoped: true; BPF LSM, or "
               "namespaces and root)");
  run->add_flag("--trace", o.trace,
               "log every exec and process exit inside the sandbox (L7 eBPF tracing; root)");
  run->add_option("--require", o.require,
                  "refuse to start unless LAYER is active (namespaces, landlock, seccomp, cgroups)")
      ->check(CLI::IsMember(
          {"hygiene", "namespaces", "landlock", "seccomp", "cgroups", "cgroup-bpf", "bpf-lsm"}))
      ->type_name("LAYER")
      ->allow_extra_args(false);
  // Tests prove each layer holds with another one off; never for production use.
  run->add_option("--testing-disable-layer", o.testing_disable)
      ->check(CLI::IsMember({"namespaces", "landlock", "seccomp", "cgroups", "cgroup-bpf", "bpf-lsm"}))
      ->allow_extra_args(false)
      ->group("");
  // Tests prove a grant that cannot be withdrawn ends the session; never for production use.
  run->add_flag("--testing-fail-grant-withdrawal", o.testing_fail_grant_withdrawal)->group("");
  // `profile generate --learn` runs the server through this; not for direct use.
  run->add_option("--learn-to", o.learn_to)->group("");
  run->add_option("--allow-wide-grant", o.allow_wide_grants,
                  "grant PATH although it is a home directory, holds one, or holds dotfiles "
                  "(shell start-up files, keys, credentials); refused otherwise (repeatable)")
      ->type_name("PATH")
      ->allow_extra_args(false);
  run->add_flag("--allow-loader-env", o.allow_loader_env,
                "start even though LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, GCONV_PATH or OPENSSL_CONF/_MODULES/_ENGINES is set "
                "(they load code into mcpsandbox itself, outside the sandbox)");
  run->add_flag("--inspect", o.inspect)->group("");  // `scan` asks through this
  run->add_option("--max-request-bytes", o.max_request_bytes,
                  "largest client message relayed (default 4MiB, or the profile's limits.request_size); "
                  "larger ones get a JSON-RPC error and never reach the server")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(size_t{1024}, size_t{1} << 32));
  run->add_option("--max-result-bytes", o.max_result_bytes,
                  "largest server message relayed (default 64MiB, or the profile's limits.result_size); "
                  "a larger answer becomes a JSON-RPC error to the client")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(size_t{1024}, size_t{1} << 32));
  run->add_option("--max-message-bytes", o.max_message_bytes,
                  "both of the above at once")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(size_t{1024}, size_t{1} << 32));
  long long grace_ms = o.grace.count();
  run->add_option("--grace", grace_ms,
                  "on shutdown, wait this long after closing the server's stdin, and again after "
                  "SIGTERM, before escalating (e.g. 2s, 500ms)")
      ->transform(CLI::AsNumberWithUnit(std::map<std::string, long long>{{"ms", 1}, {"s", 1000}},
                                        CLI::AsNumberWithUnit::CASE_INSENSITIVE, "DURATION"))
      ->check(CLI::Range(0LL, 3600000LL))
      ->capture_default_str();
  run->add_option("command", o.command, "the MCP server command and its arguments")->required();

  CLI::App* doctor = app.add_subcommand(
      "doctor", "show which sandbox layers this kernel and user can enforce, and why not");
  CLI::App* profile = app.add_subcommand("profile", "work with profiles");
  profile->require_subcommand(1);
  CLI::App* check = profile->add_subcommand("check", "validate a profile and print its plan");
  check->add_option("profile", o.profile_path, "profile file or name")->required();
  check->add_option("--ro", o.read_only, "as for run: a read-only grant (repeatable)")
      ->type_name("PATH")
      ->allow_extra_args(false);
  check->add_option("--rw", o.read_write, "as for run: a read-write grant (repeatable)")
      ->type_name("PATH")
      ->allow_extra_args(false);
  check->add_option("command", o.command, "server command to compile the plan for");

  CLI::App* generate = profile->add_subcommand(
      "generate", "ask a server (sandboxed) for its tools, optionally watch what it does, and "
                  "write a reviewable profile and its pins");
  GenerateOptions& g = result.generate;
  generate->footer(R"(
Examples:
  mcpsandbox profile generate --out fs.json --rw ~/src -- npx -y @modelcontextprotocol/server-filesystem ~/src
  mcpsandbox profile generate --learn --scenario calls.json --out fs.json --rw ~/src -- node server.js
  mcpsandbox profile generate --mcpb ./my-bundle --user-config root=$HOME/src --out bundle.json)");
  generate->add_flag("--learn", g.learn,
                     "also watch the server (eBPF, root) and narrow the profile to what it used: "
                     "system calls, files, programs, network endpoints");
  generate->add_option("--scenario", g.scenario,
                       "JSON array of calls ({\"tool\": NAME, \"arguments\": {...}}) to make during the run")
      ->type_name("FILE");
  generate->add_option("--out", g.out, "write the profile here (else standard output); pins go "
                                       "next to it as NAME.pins.json")
      ->type_name("FILE");
  generate->add_option("--pins", g.pins, "write the tool pins here")->type_name("FILE");
  generate->add_option("--mcpb", g.mcpb, "an MCPB/DXT bundle: its directory or manifest.json")
      ->type_name("PATH");
  generate->add_option("--user-config", g.user_config,
                       "a value for the bundle's ${user_config.KEY} (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  generate->add_option("--ro", g.read_only, "grant read-only access to PATH for the run (repeatable)")
      ->type_name("PATH")
      ->allow_extra_args(false);
  generate->add_option("--rw", g.read_write, "grant read-write access to PATH for the run (repeatable)")
      ->type_name("PATH")
      ->allow_extra_args(false);
  generate->add_option("--env", g.env, "as for run (repeatable)")->type_name("NAME[=VALUE]")->allow_extra_args(false);
  generate->add_option("--network", g.network, "as for run")->check(CLI::IsMember({"none", "host"}));
  generate->add_option("--allow-net", g.allow_net, "as for run (repeatable)")->type_name("DEST")->allow_extra_args(false);
  long long generate_timeout_ms = g.timeout.count();
  generate->add_option("--timeout", generate_timeout_ms, "wait this long for each answer (e.g. 60s)")
      ->transform(CLI::AsNumberWithUnit(std::map<std::string, long long>{{"ms", 1}, {"s", 1000}},
                                        CLI::AsNumberWithUnit::CASE_INSENSITIVE, "DURATION"))
      ->check(CLI::Range(100LL, 3600000LL))
      ->capture_default_str();
  generate->add_option("command", g.command, "the MCP server command and its arguments");

  ClientsOptions& c = result.clients;
  std::vector<std::string> client_names = {"all", "claude-desktop", "claude-code", "cursor", "vscode", "windsurf"};
  CLI::App* wrap = app.add_subcommand(
      "wrap", "rewrite every stdio server in MCP client configurations to run through mcpsandbox");
  CLI::App* unwrap = app.add_subcommand("unwrap", "undo `wrap`: restore the client configurations");
  CLI::App* scan = app.add_subcommand(
      "scan", "list every configured MCP server with its sandbox status, pins and poisoning findings");
  for (CLI::App* sub : {wrap, unwrap, scan}) {
    sub->add_option("--client", c.client, "which client's files")->check(CLI::IsMember(client_names))->capture_default_str();
    sub->add_option("--project", c.project, "look for project-level files here (default: the current directory)")
        ->type_name("DIR");
    sub->add_flag("--json", c.json, "print JSON instead of a table");
  }
  for (CLI::App* sub : {wrap, unwrap}) sub->add_flag("--dry-run", c.dry_run, "show what would change; write nothing");
  bool no_probe = false;
  scan->add_flag("--no-probe", no_probe, "do not start servers to check their tools for poisoning");
  long long scan_timeout_ms = c.timeout.count();
  scan->add_option("--timeout", scan_timeout_ms, "wait this long for each server's answers (e.g. 20s)")
      ->transform(CLI::AsNumberWithUnit(std::map<std::string, long long>{{"ms", 1}, {"s", 1000}},
                                        CLI::AsNumberWithUnit::CASE_INSENSITIVE, "DURATION"))
      ->check(CLI::Range(100LL, 3600000LL))
      ->capture_default_str();

  CLI::App* audit = app.add_subcommand("audit", "work with audit logs");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand(
      "verify", "check an audit log's hash chain and report the first broken link");
  verify->add_option("files", result.audit.files,
                     "the log, preceded by its rotated files oldest first (log.2 log.1 log)")
      ->required();
  verify->add_option("--public-key", result.audit.public_keys,
                     "require signed checkpoints by this Ed25519 public key (base64, from "
                     "`pin keygen`); repeatable")
      ->type_name("KEY");
  CLI::App* pin = app.add_subcommand("pin", "review, approve and sign tool pins");
  pin->require_subcommand(1);
  PinOptions& p = result.pin;
  CLI::App* pin_approve = pin->add_subcommand(
      "approve", "show the changed and new tool definitions a session refused, and approve them");
  pin_approve->add_option("file", p.file, "the pin file (run --pins FILE, or the profile's pins.file)")->required();
  pin_approve->add_flag("--yes", p.yes, "approve without asking (scripts)");
  CLI::App* pin_keygen = pin->add_subcommand("keygen", "create an Ed25519 key pair for signing pin files");
  pin_keygen->add_option("secret_key_file", p.file, "where to write the secret key (mode 0600)")->required();
  CLI::App* pin_sign = pin->add_subcommand("sign", "sign a pin file (writes FILE.sig)");
  pin_sign->add_option("file", p.file, "the pin file")->required();
  pin_sign->add_option("--key", p.key, "secret key file from `pin keygen`")->required();
  CLI::App* keys = app.add_subcommand("keys", "manage gateway keys (projects of a profile)");
  keys->require_subcommand(1);
  KeysOptions& k = result.keys;
  CLI::App* keys_add = keys->add_subcommand("add", "create a key for PROJECT and print it once");
  keys_add->add_option("--project", k.project, "the profile project this key unlocks")->required();
  CLI::App* keys_list = keys->add_subcommand("list", "list keys (ids and projects, never secrets)");
  CLI::App* keys_remove = keys->add_subcommand("remove", "revoke a key by its id");
  keys_remove->add_option("id", k.id, "key id (from `keys list`)")->required();
  for (CLI::App* sub : {keys_add, keys_list, keys_remove}) {
    sub->add_option("--store", k.store,
                    "key store file (default: /etc/mcpsandbox/keys.json for root, else "
                    "~/.config/mcpsandbox/keys.json)");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    result.exit_code = app.exit(e);
    return result;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "mcpsandbox: error: %s\n", explain_parse_error(app, argc, argv, e).c_str());
    result.exit_code = 2;
    return result;
  }
  result.log_level = *parse_log_level(level_name);
  if (run->parsed()) {
    result.kind = Command::Kind::kRun;
    o.grace = std::chrono::milliseconds(grace_ms);
  } else if (doctor->parsed()) {
    result.kind = Command::Kind::kDoctor;
  } else if (check->parsed()) {
    result.kind = Command::Kind::kProfileCheck;
  } else if (wrap->parsed() || unwrap->parsed() || scan->parsed()) {
    result.kind = Command::Kind::kClients;
    c.action = wrap->parsed()     ? ClientsOptions::Action::kWrap
               : unwrap->parsed() ? ClientsOptions::Action::kUnwrap
                                  : ClientsOptions::Action::kScan;
    c.probe = !no_probe;
    c.timeout = std::chrono::milliseconds(scan_timeout_ms);
  } else if (generate->parsed()) {
    result.kind = Command::Kind::kProfileGenerate;
    g.timeout = std::chrono::milliseconds(generate_timeout_ms);
  } else if (pin->parsed()) {
    result.kind = Command::Kind::kPin;
    p.action = pin_keygen->parsed() ? PinOptions::Action::kKeygen
               : pin_sign->parsed() ? PinOptions::Action::kSign
                                    : PinOptions::Action::kApprove;
  } else if (verify->parsed()) {
    result.kind = Command::Kind::kAuditVerify;
  } else if (keys->parsed()) {
    result.kind = Command::Kind::kKeys;
    k.action = keys_add->parsed()      ? KeysOptions::Action::kAdd
               : keys_remove->parsed() ? KeysOptions::Action::kRemove
                                       : KeysOptions::Action::kList;
  }
  return result;
}

}  // namespace mcpsandbox
