#include "profiles/connect_grant_policy.h"

#include <gtest/gtest.h>

#include "profiles/profile_parser.h"

namespace mcpsandbox {
namespace {

EgressRule address(const std::string& text) {
  auto rule = parse_egress_rule(text);
  EXPECT_TRUE(rule.ok()) << text;
  return *rule;
}

AddressRange range_of(const std::string& text) {
  EgressRule rule = address(text);
  return classify_address(rule.family, rule.address);
}

TEST(ConnectGrantPolicy, ClassifiesEveryNonPublicRangeAnSsrfCanReach) {
  for (const char* loopback : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1"}) {
    EXPECT_EQ(range_of(loopback), AddressRange::kLoopback) << loopback;
  }
  for (const char* unspecified : {"0.0.0.0", "0.1.2.3", "::"}) {
    EXPECT_EQ(range_of(unspecified), AddressRange::kUnspecified) << unspecified;
  }
  for (const char* private_address : {"10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
                                      "100.127.255.255", "fd00::1", "fc00::5", "::ffff:10.0.0.1"}) {
    EXPECT_EQ(range_of(private_address), AddressRange::kPrivate) << private_address;
  }
  for (const char* link_local : {"169.254.169.254", "fe80::1", "::ffff:169.254.169.254"}) {
    EXPECT_EQ(range_of(link_local), AddressRange::kLinkLocal) << link_local;
  }
  for (const char* multicast : {"224.0.0.1", "239.255.255.250", "ff02::1"}) {
    EXPECT_EQ(range_of(multicast), AddressRange::kMulticast) << multicast;
  }
  for (const char* reserved : {"240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1", "2001:db8::1", "2001::1"}) {
    EXPECT_EQ(range_of(reserved), AddressRange::kReserved) << reserved;
  }
  for (const char* public_address : {"93.184.215.14", "8.8.8.8", "172.32.0.1", "172.15.255.255", "100.128.0.1",
                                     "192.169.0.1", "2606:4700::6810:84e5", "::ffff:8.8.8.8", "2002:808:808::1"}) {
    EXPECT_EQ(range_of(public_address), AddressRange::kPublic) << public_address;
  }
}

TEST(ConnectGrantPolicy, GrantsPublicAddressesRefusesOthersAndSkipsWhatTheBaselineAllows) {
  std::vector<EgressRule> baseline = {address("127.0.0.1:8080"), address("10.0.0.0/8:443")};
  EXPECT_EQ(decide_connect_grant(baseline, false, address("93.184.215.14:443")), ConnectGrantDecision::kGrant);
  EXPECT_EQ(decide_connect_grant(baseline, false, address("127.0.0.1:8080")), ConnectGrantDecision::kBaselineCovers);
  EXPECT_EQ(decide_connect_grant(baseline, false, address("10.9.9.9:443")), ConnectGrantDecision::kBaselineCovers);
  EXPECT_EQ(decide_connect_grant(baseline, false, address("127.0.0.1:8081")), ConnectGrantDecision::kRefuse);
  EXPECT_EQ(decide_connect_grant(baseline, false, address("10.9.9.9:80")), ConnectGrantDecision::kRefuse);
  EXPECT_EQ(decide_connect_grant(baseline, false, address("[fe80::1]:80")), ConnectGrantDecision::kRefuse);
  EXPECT_EQ(decide_connect_grant(baseline, true, address("127.0.0.1:8081")), ConnectGrantDecision::kGrant);
  EXPECT_EQ(decide_connect_grant({address("::1")}, false, address("127.0.0.1:1")), ConnectGrantDecision::kRefuse)
      << "an IPv6 rule never covers an IPv4 destination";
}

TEST(ConnectGrantPolicy, TheProfileOpensInternalGrantsOnlyWhenItSaysAllow) {
  auto plain = parse_profile(R"({"network": {"mode": "host"}})", "test.json");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(plain->internal_grants);
  auto opened = parse_profile(R"({"network": {"mode": "host", "internal_grants": "allow"}})", "test.json");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_TRUE(opened->internal_grants);
  auto bad = parse_profile(R"({"network": {"internal_grants": true}})", "test.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("/network/internal_grants"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace mcpsandbox
