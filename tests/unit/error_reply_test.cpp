#include "proxy/error_reply.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mcpsandbox {
namespace {

TEST(ErrorReply, EchoesTheIdVerbatimAndNamesTheRule) {
  RequestId id{"d:1.5", "1.50"};
  auto reply = nlohmann::json::parse(make_error_reply(id, -31000, "too \"big\"", "framing.x"));
  EXPECT_EQ(reply["jsonrpc"], "2.0");
  EXPECT_EQ(reply["id"], 1.5);
  EXPECT_EQ(reply["error"]["code"], -31000);
  EXPECT_EQ(reply["error"]["message"], "too \"big\"");
  EXPECT_EQ(reply["error"]["data"]["rule"], "framing.x");
  EXPECT_EQ(reply["error"]["data"]["source"], "mcpsandbox");
}

TEST(ErrorReply, UsesNullIdWhenUnknown) {
  auto reply = nlohmann::json::parse(make_error_reply(std::nullopt, -32700, "x", "json.syntax"));
  EXPECT_TRUE(reply["id"].is_null());
}

TEST(ErrorReply, RecoversOnlyValidIdsFromRawText) {
  EXPECT_EQ(request_id_from_json("12")->json, "12");
  EXPECT_EQ(request_id_from_json("\"x\"")->key, "s:x");
  EXPECT_FALSE(request_id_from_json("\"unterminated").has_value());
  EXPECT_FALSE(request_id_from_json("1,\"injected\":2").has_value());
}

}  // namespace
}  // namespace mcpsandbox
