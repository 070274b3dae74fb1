// DestinationGrants: where the network half of call-scoped grants is written. Each layer that
// checks connect() (L4 cgroup-bpf, L5 BPF LSM) keeps its own copy of the destinations the tool
// calls in flight may reach, in the same numbered slots; a grant is made in every such layer,
// or the layer that lacks it refuses the connect the grant was for.
#pragma once

#include <cstdint>

#include "profiles/egress_rule.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

class DestinationGrants {
 public:
  virtual ~DestinationGrants() = default;
  // Slot `slot` (< MCPSANDBOX_MAX_CALL_GRANTS) lets `rule` through until it is cleared (nullptr).
  virtual Result<void> set_call_grant(uint32_t slot, const EgressRule* rule) = 0;
};

}  // namespace mcpsandbox
