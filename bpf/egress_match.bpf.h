/* Whether a destination matches an egress rule: shared by the cgroup-bpf (L4) and BPF LSM (L5)
 * programs, so both layers decide from one implementation of the rule. */
#ifndef MCPSANDBOX_EGRESS_MATCH_BPF_H
#define MCPSANDBOX_EGRESS_MATCH_BPF_H

#include "mcpsandbox_types.h"

static __always_inline int egress_rule_matches(const struct mcpsandbox_egress_rule *rule,
                                               __u32 family, const __u8 *addr, __u16 port) {
  if (rule->family != family) return 0;
  if (rule->port && rule->port != port) return 0;
  __u32 bits = rule->prefix_len;
  for (int i = 0; i < 16; i++) {
    if (bits == 0) break;
    __u8 mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
    if ((addr[i] & mask) != (rule->addr[i] & mask)) return 0;
    bits = bits >= 8 ? bits - 8 : 0;
  }
  return 1;
}

#endif
