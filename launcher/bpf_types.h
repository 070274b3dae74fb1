// The C types shared with the eBPF programs (bpf/mcpsandbox_types.h), for the C++ loaders, with
// the layout checks that keep the two sides in agreement.
#pragma once

#include <linux/types.h>

#include <cstddef>

extern "C" {
#include "mcpsandbox_types.h"
}

#include "profiles/egress_rule.h"

namespace mcpsandbox {

static_assert(sizeof(mcpsandbox_egress_rule) == 32, "BPF and C++ disagree on the rule layout");
static_assert(offsetof(mcpsandbox_egress_rule, addr) == 8);
static_assert(offsetof(mcpsandbox_egress_rule, port) == 24);
static_assert(sizeof(mcpsandbox_egress_key) == 16);
static_assert(sizeof(mcpsandbox_inode_key) == 24, "BPF and C++ disagree on the inode key layout");
static_assert(sizeof(mcpsandbox_named_key) == 88, "BPF and C++ disagree on the named key layout");
static_assert(offsetof(mcpsandbox_inode_key, ino) == 16);
static_assert(sizeof(mcpsandbox_event) == 24 + MCPSANDBOX_PATH_BYTES);
static_assert(sizeof(mcpsandbox_net_denial) == 48 + MCPSANDBOX_UNIX_PATH_BYTES + 4);
static_assert(offsetof(mcpsandbox_net_denial, addr) == 16);

// A plan's egress rule as the programs of L4 and L5 read it.
mcpsandbox_egress_rule to_bpf_rule(const EgressRule& rule);

}  // namespace mcpsandbox
