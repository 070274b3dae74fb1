#include "launcher/layer_selection.h"

namespace mcpsandbox {

Result<ActiveLayers> select_layers(const Plan& plan, const KernelFeatures& features) {
  ActiveLayers layers;
  auto wanted = [&](Layer layer) { return !plan.disabled_layers.count(layer); };
  // The testing switch overrides requirements: it exists to run with a layer missing.
  auto required = [&](Layer layer) {
    return plan.required_layers.count(layer) > 0 && wanted(layer);
  };
  auto refuse = [&](Layer layer, const std::string& why) {
    return Error{"the profile requires the " + layer_name(layer) + " layer: " + why};
  };

  layers.namespaces = wanted(Layer::kNamespaces) && features.user_namespaces.available;
  if (!layers.namespaces && required(Layer::kNamespaces)) {
    return refuse(Layer::kNamespaces, features.user_namespaces.detail);
  }
  if (wanted(Layer::kLandlock) && plan.landlock.min_abi > 0) {
    if (features.landlock_abi < plan.landlock.min_abi) {
      // Fail closed: a filesystem view nobody enforces is no view at all.
      return Error{"Landlock ABI " + std::to_string(plan.landlock.min_abi) +
                   " or newer is required (" +
                   (features.landlock_abi ? "this kernel has ABI " +
                                                std::to_string(features.landlock_abi)
                                          : features.landlock.detail) +
                   "); set landlock.min_abi in the profile to run with less"};
    }
    layers.landlock = true;
    layers.landlock_abi = features.landlock_abi;
  }
  layers.seccomp = wanted(Layer::kSeccomp) && features.seccomp.available;
  if (!layers.seccomp && required(Layer::kSeccomp)) {
    return refuse(Layer::kSeccomp, features.seccomp.detail);
  }
  if (!plan.isolate_network) {
    layers.cgroup_bpf = wanted(Layer::kCgroupBpf) && features.cgroup_bpf.available;
    // Host network without the egress allowlist would be the whole network: refuse, as
    // DESIGN.md says (without L4 the network stays empty).
    if (!layers.cgroup_bpf && required(Layer::kCgroupBpf)) {
      return refuse(Layer::kCgroupBpf,
                    features.cgroup_bpf.detail + "; without it only --network none is possible");
    }
  }
  layers.bpf_lsm = wanted(Layer::kBpfLsm) && features.bpf_lsm.available;
  if (!layers.bpf_lsm) {
    layers.bpf_lsm_detail = wanted(Layer::kBpfLsm) ? features.bpf_lsm.detail : "switched off";
  }
  if (!layers.bpf_lsm && required(Layer::kBpfLsm)) return refuse(Layer::kBpfLsm, features.bpf_lsm.detail);
  layers.cgroups = wanted(Layer::kCgroups) && features.cgroups.available;
  if (!layers.cgroups) layers.cgroup_detail = wanted(Layer::kCgroups) ? features.cgroups.detail : "switched off";
  if (!layers.cgroups && required(Layer::kCgroups)) {
    return refuse(Layer::kCgroups, features.cgroups.detail);
  }
  return layers;
}

}  // namespace mcpsandbox
