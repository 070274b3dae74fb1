#include "launcher/run_command.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <optional>

#include "launcher/cgroup.h"
#include "launcher/behaviour_trace.h"
#include "launcher/call_grants.h"
#include "launcher/exec_trace.h"
#include "launcher/exit_diagnosis.h"
#include "proxy/io/atomic_write.h"
#include "launcher/kernel_probe.h"
#include "launcher/cgroup_gate.h"
#include "launcher/lsm_policy.h"
#include "launcher/mount_call_grants.h"
#include "launcher/layer_selection.h"
#include "launcher/net_egress.h"
#include "launcher/plan_builder.h"
#include "launcher/private_temp_dir.h"
#include "launcher/refused_session.h"
#include "launcher/session_audit.h"
#include "proxy/telemetry/otlp_exporter.h"
#include "launcher/session_auth.h"
#include "launcher/sandbox_path_resolver.h"
#include "launcher/process_tree.h"
#include "launcher/signals.h"
#include "launcher/spawn.h"
#include "launcher/supervisor.h"
#include "profiles/loader_variables.h"
#include "proxy/relay.h"
#include "proxy/scanning/scan_engine.h"

namespace mcpsandbox {
namespace {

constexpr int kCannotExecute = 127;
// The behavioural pins of a pin file, parsed; a malformed one is reported and left out.
std::map<std::string, BehaviourProfile> pinned_behaviours(const PinStore& pins, const Logger& logger) {
  std::map<std::string, BehaviourProfile> out;
  for (const auto& [tool, json] : pins.behaviours()) {
    auto parsed = BehaviourProfile::from_json(json);
    if (parsed) out[tool] = std::move(*parsed);
    else logger.warn("pins: tool '" + tool + "': " + parsed.error().message);
  }
  return out;
}

constexpr int kInternalFailure = 125;
constexpr int kUsageError = 2;

// A variable the loader acted on has already run its code in this process: the session is
// refused, so that it is noticed, and the server still gets it through --env if it needs it.
Result<void> refuse_loader_environment(const RunOptions& options) {
  if (options.allow_loader_env) return {};
  for (std::string_view name : kLoaderVariables) {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) continue;
    return Error{std::string(name) + " is set (" + value + "): it loads code into mcpsandbox " +
                 "itself, outside the sandbox; unset it (a server that needs it gets it " +
                 "inside the sandbox with --env " + std::string(name) + "=VALUE) or pass --allow-loader-env"};
  }
  return {};
}

}  // namespace

int run_server(const RunOptions& options, const Logger& logger) {
  if (auto clean = refuse_loader_environment(options); !clean) {
    logger.error(clean.error().message);
    return kUsageError;
  }
  // Larger client pipes mean fewer wake-ups per large message; only pipes accept this, and a
  // refusal changes nothing but speed.
  for (int fd : {STDIN_FILENO, STDOUT_FILENO}) ::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
  // Signals are blocked before the spawn so that none is lost between clone3 and the loop.
  auto signals = SignalInbox::open();
  if (!signals) {
    logger.error(signals.error().message);
    return kInternalFailure;
  }
  if (auto r = ProcessTree::become_subreaper(); !r) {
    logger.error(r.error().message);
    return kInternalFailure;
  }
  KernelFeatures features = probe_kernel();
  bool namespaced = features.user_namespaces.available &&
                    std::find(options.testing_disable.begin(), options.testing_disable.end(),
                              "namespaces") == options.testing_disable.end();
  std::optional<PrivateTempDir> private_tmp;
  if (!namespaced) {
    auto made = PrivateTempDir::create();
    if (!made) {
      logger.error(made.error().message);
      return kInternalFailure;
    }
    private_tmp.emplace(std::move(*made));
  }
  auto profile = load_profile(options);
  if (!profile) {
    logger.error(profile.error().message);
    return kUsageError;
  }
  auto auth = authenticate_session(*profile, options);
  if (!auth) {
    logger.error(auth.error().message);
    return kUsageError;
  }
  if (!auth->authenticated) {
    // No server runs for a session that failed authentication; the refusal is audited.
    auto audit = open_session_audit(options, *profile, nullptr, logger);
    if (!audit) {
      logger.error(audit.error().message);
      return kUsageError;
    }
    if (*audit) {
      auto written = (*audit)->record({{"event", "session.refused"},
                                       {"uid", auth->identity.uid},
                                       {"user", auth->identity.user},
                                       {"rule", "auth.key"},
                                       {"reason", auth->refusal_reason}});
      if (!written) logger.error(written.error().message);
    }
    return run_refused_session(auth->refusal_reason,
                               "uid " + std::to_string(auth->identity.uid),
                               options.max_request_bytes.value_or(options.max_message_bytes.value_or(kDefaultRequestBytes)),
                               logger);
  }
  auto plan = build_plan(options, *profile, auth->identity, private_tmp ? private_tmp->path() : "");
  if (!plan) {
    logger.error(plan.error().message);
    return kUsageError;
  }
  logger.info("session: " + plan->proxy.identity);
  for (const PathGrant& grant : plan->paths) {
    if (grant.why == kLocalScriptGrant) {
      logger.notice("the server's code: " + grant.path + " (read-only); working directory " + plan->cwd);
    }
  }
  if (char here[PATH_MAX]; plan->cwd == "/" && ::getcwd(here, sizeof here) && std::string(here) != "/") {
    logger.notice(std::string("working directory /: where it was started, ") + here +
                  ", is not in the server's view (grant it with --ro or --rw to start there)");
  }
  auto audit = open_session_audit(options, *profile, &*plan, logger);
  if (!audit) {
    logger.error(audit.error().message);
    return kUsageError;
  }
  // OTLP export, when the standard OTEL_* variables ask for it (they stay out of the sandbox).
  // Checked now, started once the sandbox exists: its thread must not run at the clone.
  std::unique_ptr<OtlpExporter> telemetry;
  auto otlp = otlp_config_from_env([](const char* name) { return std::getenv(name); });
  if (!otlp) {
    logger.error("telemetry: " + otlp.error().message);
    return kUsageError;
  }
  // Before anything starts: strict pinning without a pin file, or a bad signature, is a refusal.
  std::optional<PinStore> pins;
  if (!plan->proxy.pins.file.empty()) {
    auto loaded = PinStore::load(plan->proxy.pins);
    if (!loaded) {
      logger.error(loaded.error().message);
      return kUsageError;
    }
    pins.emplace(std::move(*loaded));
    if (pins->learning()) {
      logger.notice("pins: no pin file yet; trusting this session's tools into " + pins->path());
    }
  } else if (!options.inspect) {
    // No pin file: the first listing still holds for the rest of the session.
    pins.emplace(PinStore::for_session());
  }
  auto layers = select_layers(*plan, features);
  if (!layers) {
    logger.error(layers.error().message);
    return kInternalFailure;
  }
  // Without a network namespace of its own the sandbox shares the host's network, where
  // Landlock refuses TCP but nothing would refuse a datagram: none may be sent.
  if (!layers->namespaces) plan->seccomp.ip_datagrams = false;
  std::optional<CgroupLimiter> cgroup;
  if (layers->cgroups) {
    auto created = CgroupLimiter::create(plan->limits);
    if (!created) {
      if (plan->required_layers.count(Layer::kCgroups)) {
        logger.error(created.error().message);
        return kInternalFailure;
      }
      logger.warn(created.error().message + "; continuing with rlimits only");
      layers->cgroups = false;
      layers->cgroup_detail = created.error().message;
    } else {
      cgroup.emplace(std::move(*created));
      layers->cgroup_detail = cgroup->detail();
    }
  }
  // The sandbox's cgroup v2, for the eBPF layers: on pure v2 hosts the limits cgroup, on
  // hybrid ones (v1 limits) one of its own. Programs go on it before the sandbox is cloned into
  // it, so its very first connect() and exec are already seen.
  int cgroup_v2 = cgroup ? cgroup->clone_into_fd() : -1;
  std::optional<ScratchCgroup> scratch_cgroup;
  bool learning = !options.learn_to.empty();
  bool effects_wanted = plan->proxy.audit.effects;
  if (cgroup_v2 < 0 && (layers->cgroup_bpf || layers->bpf_lsm || options.trace || learning || effects_wanted ||
                        plan->deny_out_of_band)) {
    auto made = ScratchCgroup::create("sandbox");
    if (made) {
      scratch_cgroup.emplace(std::move(*made));
      cgroup_v2 = scratch_cgroup->fd();
    } else if (layers->cgroup_bpf || layers->bpf_lsm) {
      logger.error(made.error().message);
      return kInternalFailure;
    }
  }
  std::optional<LsmPolicy::SandboxRegistration> lsm_registration;
  if (layers->bpf_lsm) {
    auto policy = LsmPolicy::attach();
    auto registered = policy ? policy->add_sandbox(cgroup_v2, *plan, layers->namespaces)
                             : Result<LsmPolicy::SandboxRegistration>(policy.error());
    if (!registered) {
      logger.error(registered.error().message);
      return kInternalFailure;
    }
    lsm_registration.emplace(std::move(*registered));
  } else {
    if (plan->programs) {
      logger.warn("filesystem.exec needs BPF LSM (L5), which is not in use: every program in the view "
                  "may run (add \"bpf-lsm\" to require to refuse such a launch)");
    }
    // Call-scoped paths without BPF LSM: per-call mounts, which need the mount namespace and root.
    if (!plan->call_scoped_paths.empty() && !(layers->namespaces && ::geteuid() == 0)) {
      logger.warn("filesystem.call_scoped needs BPF LSM (L5), or namespaces and root for per-call "
                  "mounts; neither is in use: the server reaches those paths for the whole session");
      plan->call_scoped_paths.clear();
    }
  }
  std::optional<EgressFilter> egress;
  if (layers->cgroup_bpf) {
    auto attached = EgressFilter::attach(cgroup_v2, *plan, layers->namespaces);
    if (attached) {
      if (auto proven = attached->prove(cgroup_v2); !proven) attached = proven.error();
      else if (auto discarded = attached->discard_denials(); !discarded) attached = discarded.error();
    }
    if (!attached) {
      logger.error(attached.error().message);
      return kInternalFailure;
    }
    egress.emplace(std::move(*attached));
  }
  std::optional<ExecTrace> trace;
  if (options.trace) {
    auto attached = cgroup_v2 >= 0 ? ExecTrace::attach(cgroup_v2, logger)
                                   : Result<ExecTrace>(Error{"no cgroup v2 for the sandbox"});
    if (attached) trace.emplace(std::move(*attached));
    else logger.warn("--trace unavailable: " + attached.error().message);
  }
  std::optional<BehaviourTrace> behaviour;
  if (learning || effects_wanted) {
    if (effects_wanted && !*audit) {
      logger.error("audit.effects: per-call effect records need an audit log (audit.path or --audit-log)");
      return kUsageError;
    }
    auto attached = cgroup_v2 >= 0 ? BehaviourTrace::attach(cgroup_v2, logger)
                                   : Result<BehaviourTrace>(Error{"no cgroup v2 for the sandbox"});
    if (!attached) {
      logger.error(std::string(learning ? "cannot learn" : "audit.effects: cannot record effects") +
                   " (it needs root and tp_btf programs): " + attached.error().message);
      return kInternalFailure;
    }
    behaviour.emplace(std::move(*attached));
  }
  // Which layers hold this server, one line, every launch (at --log-level error it is quiet).
  std::string layer_summary = layers->describe(plan->isolate_network, plan->limits);
  // Only L4's connect_unix refuses a daemon's socket inside a grant; say so where it is not.
  bool user_grants = std::any_of(plan->paths.begin(), plan->paths.end(), is_user_path);
  if (user_grants && !(egress && egress->refuses_unix_sockets())) {
    layer_summary += ", unix sockets inside grants reachable (refused only by L4, with --network host)";
  }
  logger.notice("sandbox: " + layer_summary);
  SpawnFailure failure;
  SpawnRequest request{*plan, *layers, -1, {}};
  request.cgroup_fd = cgroup_v2;
  if (cgroup) request.before_start = [&](pid_t pid) { return cgroup->add(pid); };
  auto server = Spawner::spawn(request, failure);
  if (!server) {
    logger.error(failure.message);
    return failure.exec_failed ? kCannotExecute : kInternalFailure;
  }
  if (lsm_registration) lsm_registration->mark_started();
  // Without BPF LSM, call-scoped paths are empty tmpfs in the view: calls get binds.
  std::optional<MountCallGrants> mounted_grants;
  if (!lsm_registration && !plan->call_scoped_paths.empty()) {
    auto started = MountCallGrants::start(server->pid, MountCallGrants::areas_for(*plan), logger);
    if (!started) {
      logger.error(started.error().message);
      ProcessTree::signal_all(server->pid, SIGKILL);
      return kInternalFailure;
    }
    mounted_grants.emplace(std::move(*started));
  }
  if (*otlp) {
    auto started = OtlpExporter::start(std::move(**otlp),
                                       {{"mcpsandbox.identity", plan->proxy.identity},
                                        {"mcpsandbox.project", plan->proxy.project}},
                                       logger);
    if (!started) {
      logger.error(started.error().message);
      ProcessTree::signal_all(server->pid, SIGKILL);
      return kInternalFailure;
    }
    telemetry = std::move(*started);
  }
  logger.info("started MCP server pid " + std::to_string(server->pid));
  if (*audit) {
    // Before the first message is read: no decision precedes its session's record.
    if (auto written = (*audit)->record(session_start_record(*profile, *plan, layer_summary, server->pid));
        !written) {
      logger.error(written.error().message);
      ProcessTree::signal_all(server->pid, SIGKILL);
      return kInternalFailure;
    }
  }

  auto loop = EventLoop::create();
  if (!loop) {
    logger.error(loop.error().message);
    ProcessTree::signal_all(server->pid, SIGKILL);
    return kInternalFailure;
  }
  ServerSupervisor supervisor(*loop, server->pid, std::move(server->pidfd),
                              std::move(server->status_read), options.grace, logger);
  SandboxPathResolver resolver(server->pid);
  PolicyContext policy_context;
  policy_context.resolver = &resolver;
  policy_context.pins = pins ? &*pins : nullptr;
  for (const auto& [name, value] : plan->env) {
    if (name == "HOME") policy_context.home = value;
  }
  auto policy = PolicyEngine::create(plan->proxy, policy_context, logger);
  if (!policy) {
    logger.error(policy.error().message);
    return kUsageError;
  }
  // Call-scoped grants: declared before the relay (which calls it) and after the egress filter
  // (whose slots it clears when it goes), so every grant still held is withdrawn at the end.
  // (The ledger before the scope: the scope tells it about calls still open when it goes.)
  std::optional<CallEffects> call_effects;
  // hardening.out_of_band deny: the server is frozen while no request is in flight.
  std::optional<CgroupGate> out_of_band_gate;
  if (plan->deny_out_of_band) {
    auto gate = cgroup_v2 >= 0 ? CgroupGate::open(cgroup_v2, logger)
                               : Result<CgroupGate>(Error{"hardening.out_of_band deny needs a cgroup v2 of "
                                                          "the sandbox's own (root)"});
    if (!gate) {
      logger.error(gate.error().message);
      return kInternalFailure;  // the supervisor's destructor kills the server tree
    }
    out_of_band_gate.emplace(std::move(*gate));
    logger.notice("out of band: the server is frozen while no request is in flight");
  }
  std::optional<LsmCallGrants> lsm_grants;
  std::optional<LsmDestinationGrants> lsm_destinations;
  if (lsm_registration) {
    lsm_grants.emplace(lsm_registration->call_grants());
    if (!plan->isolate_network) lsm_destinations.emplace(lsm_registration->destination_grants());
  }
  KernelCallScope call_scope({plan->egress, plan->internal_grants}, logger);
  if (egress) call_scope.grant_destinations(&*egress);
  if (lsm_destinations) call_scope.grant_destinations(&*lsm_destinations);
  if (lsm_grants) call_scope.grant_files(&*lsm_grants);
  if (mounted_grants) call_scope.grant_files(&*mounted_grants);
  if (options.testing_fail_grant_withdrawal) call_scope.fail_withdrawals_for_testing();
  // A grant that stays would let the server keep what one call was lent: fail closed.
  call_scope.on_withdrawal_failure([&](const std::string& why) {
    logger.error("call grants: " + why + "; ending the sandbox, which would keep it");
    if (*audit) {
      auto written = (*audit)->record({{"event", "grant.withdraw_failed"}, {"reason", why}});
      if (!written) logger.error(written.error().message);
    }
    ProcessTree::signal_all(server->pid, SIGKILL);
  });
  if (effects_wanted || learning) {
    call_effects.emplace(*audit ? &**audit : nullptr, *behaviour, logger);
    behaviour->observe([&call_effects](const ObservedEffect& effect) { call_effects->observe(effect); });
    call_scope.record_effects(&*call_effects);
    if (pins) call_effects->pin_behaviour(pinned_behaviours(*pins, logger), plan->proxy.pins.block_behaviour);
  } else if (pins && !pins->behaviours().empty()) {
    logger.notice("pins: the pin file records tool behaviour; turn on audit.effects to check calls against it");
  }
  RelayOptions relay_options;
  relay_options.max_request_bytes =
      options.max_request_bytes.value_or(options.max_message_bytes.value_or(plan->limits.request_bytes));
  relay_options.max_result_bytes =
      options.max_result_bytes.value_or(options.max_message_bytes.value_or(plan->limits.result_bytes));
  Relay relay(*loop,
              {STDIN_FILENO, STDOUT_FILENO, std::move(server->stdin_write),
               std::move(server->stdout_read), std::move(server->stderr_read)},
              relay_options, logger, supervisor, *policy, *audit ? &**audit : nullptr,
              telemetry.get());
  supervisor.attach(relay);
  relay.set_call_scope(&call_scope);
  const char* invoking_home = std::getenv("HOME");
  relay.set_exit_diagnosis([&plan, home = std::string(invoking_home ? invoking_home : "")](
                               const std::vector<std::string>& tail) { return diagnose_server_exit(*plan, home, tail); });
  if (out_of_band_gate) relay.set_server_gate(&*out_of_band_gate);

  auto started = relay.start();
  if (started) started = supervisor.start();
  if (started) {
    started = loop->watch(signals->fd(), EPOLLIN, [&](uint32_t) {
      while (int signal = signals->next()) supervisor.on_signal(signal);
    });
  }
  if (started && trace) started = trace->watch(*loop);
  if (started && behaviour) started = behaviour->watch(*loop);
  ViolationLog violations(logger, *audit ? &**audit : nullptr, telemetry.get());
  if (started && lsm_registration) started = lsm_registration->watch_denials(*loop, violations);
  if (started && egress) started = egress->watch_denials(*loop, violations);
  if (!started) {
    logger.error(started.error().message);
    return kInternalFailure;  // the supervisor's destructor kills the server tree
  }
  while (!supervisor.finished()) {
    if (auto r = loop->run_once(); !r) {
      logger.error(r.error().message);
      return kInternalFailure;
    }
  }
  if (trace) trace->drain();
  if (call_effects) call_effects->finish();
  if (behaviour && learning) {
    behaviour->drain();
    ObservedBehaviour observed = behaviour->observed();
    observed.tools = call_effects->learned();
    auto written = write_file_atomically(options.learn_to, observed_to_json(observed).dump(1) + "\n", 0600);
    if (!written) logger.error("learning: " + written.error().message);
  }
  if (lsm_registration) lsm_registration->drain_denials();
  if (egress) egress->drain_denials();
  const RelayStats& stats = relay.stats();
  logger.info("relayed " + std::to_string(stats.client_messages) + " client and " +
              std::to_string(stats.server_messages) + " server messages; rejected " +
              std::to_string(stats.client_rejected) + ", dropped " +
              std::to_string(stats.server_dropped));
  int exit_code = supervisor.exit_status().code;
  if (*audit) {
    auto written = (*audit)->record({{"event", "session.end"},
                                     {"exit_code", exit_code},
                                     {"client_messages", stats.client_messages},
                                     {"server_messages", stats.server_messages},
                                     {"refused", stats.client_rejected},
                                     {"dropped", stats.server_dropped},
                                     {"violations", violations.count()}});
    if (written) written = (*audit)->flush();
    if (!written) logger.error(written.error().message);
  }
  return exit_code;
}

}  // namespace mcpsandbox

namespace mcpsandbox {

namespace {

// Redaction's engine is chosen per CPU; say which one and whether it passed its self-check.
void print_scan_engine() {
  const ScanEngine& engine = process_scan_engine();
  std::printf("  %-16s %-4s %s\n", "text scanning", engine.vectorscan ? "yes" : "slow",
              engine.describe().c_str());
  std::vector<InstructionSet> runnable = runnable_instruction_sets();
  if (std::find(runnable.begin(), runnable.end(), InstructionSet::kAvx512) != runnable.end()) {
    std::printf("  %-16s      this CPU has AVX-512: never used for scanning (Vectorscan's "
                "AVX-512 code misses matches)\n", "");
  }
}

}  // namespace

int run_doctor() {
  KernelFeatures features = probe_kernel();
  auto line = [](const char* layer, const FeatureProbe& probe) {
    std::printf("  %-16s %-4s %s\n", layer, probe.available ? "yes" : "no", probe.detail.c_str());
  };
  std::printf("mcpsandbox doctor: what this kernel and user (uid %d) can enforce\n", ::getuid());
  line("L0 hygiene", {true, "no_new_privs, capabilities and bounding set dropped, rlimits"});
  line("L1 namespaces", features.user_namespaces);
  line("L2 landlock", features.landlock);
  line("L3 seccomp", features.seccomp);
  line("cgroup limits", features.cgroups);
  line("L4 cgroup-bpf", probe_broken_for_testing("cgroup-bpf") ? broken_probe() : EgressFilter::probe());
  line("L5 BPF LSM", LsmPolicy::probe());
  if (int live = LsmPolicy::live_sandboxes(); live >= 0) {
    std::printf("  %-16s %d sandbox(es) registered with the pinned LSM programs\n", "", live);
  }
  print_scan_engine();
  bool complete = features.user_namespaces.available && features.landlock.available &&
                  features.seccomp.available;
  std::printf("%s\n", complete ? "every default layer is available"
                                : "some layers are missing: `mcpsandbox run` uses what is left "
                                  "and says so; profiles can require a layer");
  return 0;
}

namespace {

// The protocol layer's half of `profile check`.
void print_proxy_plan(const ProxyPlan& proxy) {
  std::printf("protocol layer (for %s):\n", proxy.identity.c_str());
  std::printf("  gateway key: %s\n", proxy.key_required ? "required" : "optional");
  auto filters = [](const char* what, const std::vector<GlobFilter>& list) {
    for (const GlobFilter& filter : list) {
      std::string allow, deny;
      for (const auto& glob : filter.allow) allow += " " + glob;
      for (const auto& glob : filter.deny) deny += " " + glob;
      std::printf("  %-9s %s: allow%s; deny%s\n", what, filter.layer.c_str(),
                  allow.empty() ? " (all)" : allow.c_str(), deny.empty() ? " (none)" : deny.c_str());
    }
  };
  filters("tools", proxy.access.tools);
  filters("resources", proxy.access.resources);
  filters("prompts", proxy.access.prompts);
  auto ask = [](AskPolicy policy) { return policy == AskPolicy::kAllow ? "allow" : "deny"; };
  std::printf("  asks: sampling %s, elicitation %s, roots %s\n", ask(proxy.access.asks.sampling),
              ask(proxy.access.asks.elicitation), ask(proxy.access.asks.roots));
  for (const ToolRule& rule : proxy.tools) {
    std::string line = "  tool " + rule.tool_glob + ":";
    for (const auto& tag : rule.tags) line += " #" + tag;
    if (rule.rate) line += " rate " + rule.rate->text + ";";
    if (rule.max_concurrent) line += " max_concurrent " + std::to_string(*rule.max_concurrent) + ";";
    if (rule.timeout_ms) line += " timeout " + std::to_string(*rule.timeout_ms) + " ms;";
    for (const ArgumentRule& argument : rule.arguments) {
      line += " " + argument.argument + "(";
      if (argument.path) {
        line += "path in";
        for (const auto& root : argument.path->roots) line += " " + root;
      }
      line += ")";
    }
    std::printf("%s\n", line.c_str());
  }
  for (const RateSpec& rate : proxy.session_rates) std::printf("  session rate: %s\n", rate.text.c_str());
  for (const FlowRule& flow : proxy.flows) {
    std::printf("  flow %s: after #%s, deny #%s\n", flow.name.c_str(), flow.after_tag.c_str(),
                flow.deny_tag.c_str());
  }
  auto action = [](DetectorAction a) {
    return a == DetectorAction::kBlock ? "block" : a == DetectorAction::kWarn ? "warn" : "off";
  };
  std::printf("  detectors: traversal %s, shell_injection %s\n", action(proxy.detectors.traversal),
              action(proxy.detectors.shell_injection));
}

}  // namespace

int run_profile_check(const RunOptions& options) {
  RunOptions with_command = options;
  if (with_command.command.empty()) with_command.command = {"/bin/true"};
  auto profile = load_profile(with_command);
  SessionIdentity identity{static_cast<uint32_t>(::getuid()), "", ""};
  auto plan = profile ? build_plan(with_command, *profile, identity)
                      : Result<Plan>(profile.error());
  if (!plan) {
    std::fprintf(stderr, "mcpsandbox: error: %s\n", plan.error().message.c_str());
    return kUsageError;
  }
  std::printf("%s: valid\nplan for: %s\n", options.profile_path.c_str(),
              with_command.command[0].c_str());
  std::printf("network: %s\n", plan->isolate_network ? "none (empty namespace)" : "host");
  if (!plan->isolate_network) {
    std::printf("  allowed destinations: %zu; connect grants open %s\n", plan->egress.size(),
                plan->internal_grants ? "any address (internal_grants allow)" : "public addresses only");
  }
  std::printf("paths:\n");
  for (const PathGrant& path : plan->paths) {
    const char* kind = path.kind == PathGrant::Kind::kReadWrite ? "rw"
                       : path.kind == PathGrant::Kind::kOverlay ? "overlay"
                                                                : "ro";
    std::printf("  %-8s %-40s %s%s\n", kind, path.path.c_str(), path.why.c_str(),
                path.optional ? " (if present)" : "");
  }
  for (const std::string& path : plan->call_scoped_paths) {
    std::printf("  %-8s %-40s reachable only while a call's grants name it\n", "scoped", path.c_str());
  }
  std::printf("environment:\n");
  for (const auto& [name, value] : plan->env) std::printf("  %s\n", name.c_str());
  std::printf("landlock: min ABI %d; tcp connect ports %zu, bind ports %zu\n",
              plan->landlock.min_abi, plan->landlock.tcp_connect_ports.size(),
              plan->landlock.tcp_bind_ports.size());
  std::printf("seccomp: %zu system calls allowed, %zu kill the process\n",
              plan->seccomp.allow.size(), plan->seccomp.kill.size());
  std::printf("required layers:");
  for (Layer layer : plan->required_layers) std::printf(" %s", layer_name(layer).c_str());
  std::printf("\n");
  print_proxy_plan(plan->proxy);
  return 0;
}

}  // namespace mcpsandbox
