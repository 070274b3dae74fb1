// Picks the layers of a launch from the plan and what the kernel probe found: a layer is used
// when available; a missing layer the plan requires refuses the launch with the probe's reason.
#pragma once

#include "launcher/kernel_probe.h"
#include "launcher/sandbox/layers.h"
#include "profiles/plan.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

Result<ActiveLayers> select_layers(const Plan& plan, const KernelFeatures& features);

}  // namespace mcpsandbox
