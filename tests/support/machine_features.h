// What the test machine provides, decided from the machine itself (the uid, the kernel's own
// interfaces), never from mcpsandbox's probes: a regression in a probe must fail the tests of
// its layer, not turn them into skips. CI declares what its machine must provide in
// MCPSANDBOX_TEST_REQUIRE (comma-separated: landlock, user-namespaces, cgroup-bpf, cgroups,
// tracing); a test of a declared feature fails instead of skipping when the machine lacks it.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

namespace mcpsandbox::testing {

bool machine_must_provide(std::string_view feature);

bool running_as_root();
bool landlock_in_kernel();     // landlock_create_ruleset answers with an ABI version
int landlock_abi();            // that version, 0 without Landlock
bool user_namespaces_work();   // a child of this process can unshare(CLONE_NEWUSER)
bool cgroup2_mounted();        // a cgroup v2 hierarchy is mounted (unified or hybrid)
bool kernel_btf_available();   // /sys/kernel/btf/vmlinux: what tp_btf programs need

}  // namespace mcpsandbox::testing

// In a test or its SetUp: runs on only when `available`; otherwise skips with `why`, or fails
// when CI declared `feature` for this machine.
#define MCPSANDBOX_NEEDS(feature, available, why)                                                   \
  do {                                                                                              \
    if (!(available)) {                                                                             \
      if (::mcpsandbox::testing::machine_must_provide(feature)) {                                   \
        FAIL() << "this machine must provide " << (feature) << " (MCPSANDBOX_TEST_REQUIRE) but "    \
               << (why);                                                                            \
      }                                                                                             \
      GTEST_SKIP() << (why);                                                                        \
    }                                                                                               \
  } while (0)
