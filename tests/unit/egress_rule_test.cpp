#include "profiles/egress_rule.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include "profiles/compiler.h"

namespace mcpsandbox {
namespace {

TEST(EgressRule, ParsesAddressesPrefixesAndPorts) {
  auto v4 = parse_egress_rule("10.1.2.3:8080");
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_EQ(v4->family, AF_INET);
  EXPECT_EQ(v4->prefix_len, 32u);
  EXPECT_EQ(v4->port, 8080);
  EXPECT_EQ(v4->address[0], 10);
  EXPECT_EQ(v4->address[3], 3);

  auto net = parse_egress_rule("10.0.0.0/8");
  EXPECT_EQ(net->prefix_len, 8u);
  EXPECT_EQ(net->port, 0) << "no port: any port";

  auto v6 = parse_egress_rule("[2001:db8::/32]:443");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->family, AF_INET6);
  EXPECT_EQ(v6->prefix_len, 32u);
  EXPECT_EQ(v6->port, 443);
  EXPECT_EQ(parse_egress_rule("::1")->family, AF_INET6);
  EXPECT_EQ(parse_egress_rule("[::1]:*")->port, 0);
}

TEST(EgressRule, RejectsNamesAndNonsense) {
  for (const char* bad : {"example.org:443", "10.0.0.0/33", "1.2.3.4:0", "1.2.3.4:70000",
                          "[::1", "[::1]443", "", "1.2.3.4:port"}) {
    EXPECT_FALSE(parse_egress_rule(bad).ok()) << bad;
  }
}

TEST(EgressRule, HostNetworkRequiresCgroupBpfAndOpensLandlockPorts) {
  Profile profile;
  profile.network = NetworkMode::kHost;
  profile.egress_allow = {"127.0.0.1:8080"};
  Invocation invocation;
  invocation.argv = {"srv"};
  auto plan = compile(profile, invocation);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_TRUE(plan->required_layers.count(Layer::kCgroupBpf));
  EXPECT_EQ(plan->egress.size(), 1u);
  EXPECT_EQ(plan->landlock.tcp_connect_ports, std::vector<uint16_t>{8080});
  EXPECT_TRUE(plan->landlock.restrict_tcp_connect);

  profile.egress_allow = {"10.0.0.0/8"};
  auto any_port = compile(profile, invocation);
  EXPECT_FALSE(any_port->landlock.restrict_tcp_connect) << "Landlock cannot say 'any port'";

  Profile isolated;
  isolated.egress_allow = {"127.0.0.1:1"};
  auto none = compile(isolated, invocation);
  EXPECT_TRUE(none->egress.empty()) << "no host network, nothing to allow";
  EXPECT_FALSE(none->required_layers.count(Layer::kCgroupBpf));
}

}  // namespace
}  // namespace mcpsandbox
