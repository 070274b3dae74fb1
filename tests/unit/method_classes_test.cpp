// Every message is classified by its exact method, as the kind and direction the MCP revisions
// define it; the relay refuses what cannot be classified.
#include "proxy/method_classes.h"

#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

using Verdict = MethodClass::Verdict;

TEST(MethodClasses, KnowsEachRevisionsMethodsByKindAndDirection) {
  EXPECT_EQ(classify_method(Sender::kClient, "tools/call", true).verdict, Verdict::kKnown);
  EXPECT_EQ(classify_method(Sender::kClient, "server/discover", true).verdict, Verdict::kKnown);
  EXPECT_EQ(classify_method(Sender::kClient, "notifications/initialized", false).verdict, Verdict::kKnown);
  EXPECT_EQ(classify_method(Sender::kServer, "sampling/createMessage", true).verdict, Verdict::kKnown);
  EXPECT_EQ(classify_method(Sender::kServer, "notifications/tools/list_changed", false).verdict, Verdict::kKnown);
  EXPECT_EQ(classify_method(Sender::kServer, "ping", true).verdict, Verdict::kKnown);
}

TEST(MethodClasses, ARequestSentAsANotificationIsTheWrongKind) {
  MethodClass call = classify_method(Sender::kClient, "tools/call", false);
  EXPECT_EQ(call.verdict, Verdict::kWrongKind);
  EXPECT_EQ(call.reason, "'tools/call' is a request, sent by the client as a notification");
  EXPECT_EQ(classify_method(Sender::kServer, "sampling/createMessage", false).verdict, Verdict::kWrongKind);
  EXPECT_EQ(classify_method(Sender::kClient, "notifications/initialized", true).verdict, Verdict::kWrongKind);
  MethodClass reversed = classify_method(Sender::kClient, "sampling/createMessage", true);
  EXPECT_EQ(reversed.verdict, Verdict::kWrongKind) << "the client does not ask for sampling";
  EXPECT_NE(reversed.reason.find("not the client's to send"), std::string::npos) << reversed.reason;
}

TEST(MethodClasses, LookAlikesOfKnownMethodsAreNamed) {
  for (const char* method : {"Tools/Call", "tools/call ", " tools/call", "tools/call\xe2\x80\x8b", "TOOLS/CALL",
                             "tools/\ncall", "Sampling/createMessage", "\xef\xbb\xbftools/call"}) {
    MethodClass found = classify_method(Sender::kClient, method, true);
    EXPECT_EQ(found.verdict, Verdict::kLookAlike) << method;
  }
  EXPECT_NE(classify_method(Sender::kClient, "Tools/Call", true).reason.find("is not 'tools/call'"), std::string::npos);
}

TEST(MethodClasses, WhatNoRevisionDefinesIsUnknown) {
  EXPECT_EQ(classify_method(Sender::kClient, "vendor/refresh", true).verdict, Verdict::kUnknown);
  EXPECT_EQ(classify_method(Sender::kServer, "notifications/vendor/thing", false).verdict, Verdict::kUnknown);
}

}  // namespace
}  // namespace mcpsandbox
