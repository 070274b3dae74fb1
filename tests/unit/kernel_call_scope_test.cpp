// KernelCallScope fails closed: a grant that cannot be withdrawn withholds the call's result,
// tells the launcher once (it ends the sandbox) and refuses every later call.
#include "launcher/call_grants.h"

#include <gtest/gtest.h>

#include "proxy/error_codes.h"

namespace mcpsandbox {
namespace {

// File grants whose withdrawal the kernel refuses.
class StuckFileGrants final : public FileGrants {
 public:
  Result<void> grant(const std::string&, const CallGrants&) override { return {}; }
  Result<void> release(const std::string& call) override {
    ++releases;
    return Error{"cannot withdraw the bind of '/p/" + call + "': Device or resource busy"};
  }
  int releases = 0;
};

TEST(KernelCallScope, AGrantThatCannotBeWithdrawnWithholdsTheResultAndEndsTheSession) {
  Logger logger(LogLevel::kError);
  KernelCallScope scope({}, logger);
  StuckFileGrants files;
  scope.grant_files(&files);
  std::vector<std::string> told;
  scope.on_withdrawal_failure([&](const std::string& why) { told.push_back(why); });
  CallGrants grants;
  grants.read = {"/p/a"};
  ASSERT_TRUE(scope.open("1", "1", "read_file", grants).ok());
  auto withheld = scope.close("1");
  ASSERT_TRUE(withheld.has_value());
  EXPECT_EQ(withheld->code, error_code::kGrantFailed);
  EXPECT_EQ(withheld->rule, "grants.withdraw");
  EXPECT_NE(withheld->reason.find("Device or resource busy"), std::string::npos) << withheld->reason;
  ASSERT_EQ(told.size(), 1u);
  auto later = scope.open("2", "2", "read_file", grants);
  ASSERT_FALSE(later.ok()) << "no call after a grant stayed";
  EXPECT_NE(later.error().message.find("could not be withdrawn"), std::string::npos) << later.error().message;
  EXPECT_EQ(told.size(), 1u) << "told once";
}

TEST(KernelCallScope, ACallThatWasGrantedNothingNeverFails) {
  Logger logger(LogLevel::kError);
  KernelCallScope scope({}, logger);
  scope.fail_withdrawals_for_testing();
  bool told = false;
  scope.on_withdrawal_failure([&](const std::string&) { told = true; });
  ASSERT_TRUE(scope.open("1", "1", "echo", CallGrants{}).ok());
  EXPECT_FALSE(scope.close("1").has_value());
  EXPECT_FALSE(scope.close("initialize").has_value()) << "a request that opened nothing";
  EXPECT_FALSE(told);
}

}  // namespace
}  // namespace mcpsandbox
