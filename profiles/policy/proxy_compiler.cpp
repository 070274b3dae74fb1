#include "profiles/policy/proxy_compiler.h"

#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

// A lower scope can only narrow: deny wins over allow.
void narrow(AskPolicy& target, const std::optional<AskPolicy>& scope) {
  if (scope == AskPolicy::kDeny) target = AskPolicy::kDeny;
}

class ScopeMerger {
 public:
  ScopeMerger(const ProxyCompileInput& input, ProxyPlan& plan) : input_(input), plan_(plan) {}

  Result<void> add(const PolicyScope& scope, const std::string& layer, bool first) {
    for (auto [from, to] : {std::pair{&scope.tools, &plan_.access.tools},
                            std::pair{&scope.resources, &plan_.access.resources},
                            std::pair{&scope.prompts, &plan_.access.prompts}}) {
      if (!*from) continue;
      GlobFilter filter = **from;
      filter.layer = layer;
      to->push_back(std::move(filter));
    }
    if (first) {
      // The profile sets the asks (defaults in AskRules); projects and users may only deny.
      if (scope.sampling) plan_.access.asks.sampling = *scope.sampling;
      if (scope.elicitation) plan_.access.asks.elicitation = *scope.elicitation;
      if (scope.roots) plan_.access.asks.roots = *scope.roots;
      if (scope.unknown_methods) plan_.access.asks.unknown_methods = *scope.unknown_methods;
    } else {
      narrow(plan_.access.asks.sampling, scope.sampling);
      narrow(plan_.access.asks.elicitation, scope.elicitation);
      narrow(plan_.access.asks.roots, scope.roots);
      narrow(plan_.access.asks.unknown_methods, scope.unknown_methods);
    }
    for (const ToolRule& rule : scope.tool_rules) {
      ToolRule resolved = rule;
      for (ArgumentRule& argument : resolved.arguments) {
        if (!argument.path) continue;
        auto roots = resolve_roots(*argument.path, argument.source);
        if (!roots) return roots.error();
        argument.path->roots = std::move(*roots);
        argument.path->base = input_.server_cwd;
      }
      plan_.tools.push_back(std::move(resolved));
    }
    if (scope.rate) plan_.session_rates.push_back(*scope.rate);
    plan_.flows.insert(plan_.flows.end(), scope.flows.begin(), scope.flows.end());
    return {};
  }

 private:
  Result<std::vector<std::string>> resolve_roots(const PathConstraint& path,
                                                 const std::string& source) {
    if (path.roots.empty()) {
      if (input_.filesystem_roots.empty()) {
        return Error{source + "/path: \"path\": true confines to the profile's filesystem "
                              "paths, but it grants none (add filesystem.ro/rw, --ro/--rw, or "
                              "list roots)"};
      }
      return input_.filesystem_roots;
    }
    std::vector<std::string> out;
    for (const std::string& root : path.roots) {
      auto normal = normalize_path(root, input_.home, input_.cwd);
      if (!normal) return Error{source + "/path/roots: '" + root + "': " + normal.error().message};
      out.push_back(*normal);
    }
    return out;
  }

  const ProxyCompileInput& input_;
  ProxyPlan& plan_;
};

}  // namespace

Result<ProxyCompileOutput> compile_proxy_plan(const ProxyPolicy& policy,
                                              const ProxyCompileInput& input) {
  ProxyCompileOutput out;
  ProxyPlan& plan = out.plan;
  const SessionIdentity& who = input.identity;
  plan.server_cwd = input.server_cwd;
  plan.identity = "uid " + std::to_string(who.uid) + (who.user.empty() ? "" : " (" + who.user + ")");
  plan.key_required = policy.require_key;
  plan.detectors = policy.detectors;
  plan.audit = policy.audit;
  plan.pins = policy.pins;
  plan.redaction = policy.redaction;
  if (!plan.pins.file.empty()) {
    auto path = normalize_path(plan.pins.file, input.home, input.cwd);
    if (!path) return Error{"/pins/file: " + path.error().message};
    plan.pins.file = *path;
  }
  if (!plan.audit.path.empty()) {
    auto path = normalize_path(plan.audit.path, input.home, input.cwd);
    if (!path) return Error{"/audit/path: " + path.error().message};
    plan.audit.path = *path;
  }
  ScopeMerger merger(input, plan);
  if (auto r = merger.add(policy.base, "profile", true); !r) return r.error();

  if (!who.project.empty()) {
    auto project = policy.projects.find(who.project);
    if (project == policy.projects.end()) {
      return Error{"key: project '" + who.project + "' is not defined in the profile's projects"};
    }
    plan.project = who.project;
    plan.identity += ", project " + who.project;
    if (auto r = merger.add(project->second, "project " + who.project, false); !r) {
      return r.error();
    }
    for (const auto& [name, source] : project->second.secrets) {
      if (source.rfind("env:", 0) == 0) {
        auto value = input.environment.find(source.substr(4));
        if (value == input.environment.end()) {
          return Error{"secret " + name + ": " + source.substr(4) +
                       " is not set in the invoking environment"};
        }
        out.secret_env.emplace_back(name, value->second);
      } else {
        out.secret_files.emplace_back(name, source.substr(5));
      }
    }
  }
  if (!who.user.empty()) {
    if (auto user = policy.users.find(who.user); user != policy.users.end()) {
      if (auto r = merger.add(user->second, "user " + who.user, false); !r) return r.error();
    }
  }
  return out;
}

std::string_view grant_kind_name(GrantKind kind) {
  switch (kind) {
    case GrantKind::kRead: return "read";
    case GrantKind::kWrite: return "write";
    case GrantKind::kConnect: return "connect";
    case GrantKind::kExec: return "exec";
  }
  return "?";
}

}  // namespace mcpsandbox
