#include "proxy/message.h"

#include <gtest/gtest.h>

#include "proxy/error_codes.h"

namespace mcpsandbox {
namespace {

MessageInfo accepted(std::string_view text) {
  MessageParser parser;
  ParsedMessage parsed = parser.parse_copy(text);
  if (auto* rejection = std::get_if<Rejection>(&parsed)) {
    ADD_FAILURE() << "rejected " << text << ": " << rejection->rule << " " << rejection->reason;
    return {};
  }
  return std::get<MessageInfo>(parsed);
}

Rejection rejected(std::string_view text) {
  MessageParser parser;
  ParsedMessage parsed = parser.parse_copy(text);
  if (auto* rejection = std::get_if<Rejection>(&parsed)) return *rejection;
  ADD_FAILURE() << "accepted " << text;
  return {};
}

TEST(MessageParser, ClassifiesRequestNotificationAndResponse) {
  MessageInfo request = accepted(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{}})");
  EXPECT_EQ(request.kind, MessageKind::kRequest);
  EXPECT_EQ(request.method, "tools/call");
  EXPECT_EQ(request.id->json, "7");

  MessageInfo notification = accepted(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_EQ(notification.kind, MessageKind::kNotification);
  EXPECT_FALSE(notification.id.has_value());

  MessageInfo response = accepted(R"({"jsonrpc":"2.0","id":"a","result":{}})");
  EXPECT_EQ(response.kind, MessageKind::kResponse);
  EXPECT_EQ(response.id->json, "\"a\"");

  MessageInfo error = accepted(R"({"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"m"}})");
  EXPECT_TRUE(error.is_error);
}

TEST(MessageParser, MatchesNumericIdsAsTheirValue) {
  EXPECT_EQ(accepted(R"({"jsonrpc":"2.0","id":1,"result":{}})").id->key,
            accepted(R"({"jsonrpc":"2.0","id":1.0,"result":{}})").id->key);
  EXPECT_NE(accepted(R"({"jsonrpc":"2.0","id":1,"result":{}})").id->key,
            accepted(R"({"jsonrpc":"2.0","id":"1","result":{}})").id->key);
  EXPECT_EQ(accepted(R"({"jsonrpc":"2.0","id":"\u0041","result":{}})").id->key,
            accepted(R"({"jsonrpc":"2.0","id":"A","result":{}})").id->key);
}

// Red team: 9007199254740992 and 9007199254740993 are two ids to the proxy and one to a
// JavaScript server (both read as 2^53), so one request's answer was filed as the other's.
// Numeric ids are integers every runtime keeps apart: within ±(2^53 - 1).
TEST(MessageParser, AcceptsOnlyIdsEveryServerRuntimeKeepsApart) {
  for (const char* id : {"9007199254740991", "-9007199254740991", "0", "\"9007199254740993\"", "7.0"}) {
    EXPECT_TRUE(accepted(std::string(R"({"jsonrpc":"2.0","id":)") + id + R"(,"method":"ping"})").id) << id;
  }
  for (const char* id : {"9007199254740992", "9007199254740993", "-9007199254740992", "18446744073709551615",
                         "1e300", "1.5", "9007199254740993.0"}) {
    Rejection r = rejected(std::string(R"({"jsonrpc":"2.0","id":)") + id + R"(,"method":"ping"})");
    EXPECT_EQ(r.code, error_code::kInvalidRequest) << id;
    EXPECT_EQ(r.rule, "jsonrpc.id") << id;
    EXPECT_FALSE(r.id.has_value()) << id << ": answered with id null, never filed under another";
  }
}

TEST(MessageParser, ReadsProtocolRevisionFields) {
  MessageInfo stateless = accepted(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})");
  EXPECT_EQ(stateless.meta_protocol_version, "2026-07-28");
  MessageInfo init = accepted(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})");
  EXPECT_EQ(init.params_protocol_version, "2025-06-18");
  MessageInfo result = accepted(
      R"({"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25","resultType":"input_required"}})");
  EXPECT_EQ(result.result_protocol_version, "2025-11-25");
  EXPECT_EQ(result.result_type, "input_required");
  MessageInfo cancel = accepted(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"r1"}})");
  ASSERT_TRUE(cancel.cancelled_id.has_value());
  EXPECT_EQ(cancel.cancelled_id->json, "\"r1\"");
}

TEST(MessageParser, RejectsInvalidJsonAsParseError) {
  for (std::string_view text : {"not json", "{\"jsonrpc\":\"2.0\",", "{} {}", "{'a':1}"}) {
    Rejection r = rejected(text);
    EXPECT_EQ(r.code, error_code::kParseError) << text;
    EXPECT_FALSE(r.id.has_value());
  }
}

TEST(MessageParser, RejectsInvalidUtf8AsParseError) {
  Rejection r = rejected("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\xff\"}");
  EXPECT_EQ(r.code, error_code::kParseError);
  EXPECT_EQ(r.rule, "json.utf8");
}

TEST(MessageParser, RejectsDuplicateKeysAtAnyDepth) {
  Rejection nested =
      rejected(R"({"jsonrpc":"2.0","id":5,"method":"m","params":{"path":"a","path":"b"}})");
  EXPECT_EQ(nested.code, error_code::kParseError);
  EXPECT_EQ(nested.rule, "json.duplicate_key");
  EXPECT_EQ(nested.id->json, "5") << "the id itself is unambiguous, so the reply can name it";

  Rejection top = rejected(R"({"jsonrpc":"2.0","id":5,"id":6,"method":"m"})");
  EXPECT_EQ(top.rule, "json.duplicate_key");
  EXPECT_FALSE(top.id.has_value()) << "which id would the server have taken?";

  Rejection in_array = rejected(R"({"jsonrpc":"2.0","method":"m","params":[{"a":1,"a":1}]})");
  EXPECT_EQ(in_array.rule, "json.duplicate_key");
}

TEST(MessageParser, RefusesDeepNestingWithoutCrashing) {
  std::string deep = "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"x\":" +
                     std::string(100000, '[') + std::string(100000, ']') + "}}";
  Rejection r = rejected(deep);
  EXPECT_EQ(r.code, error_code::kParseError);
  EXPECT_EQ(r.rule, "json.depth");
}

TEST(MessageParser, RejectsWhatIsNotJsonRpc) {
  struct Case {
    const char* text;
    const char* rule;
  } cases[] = {
      {R"([{"jsonrpc":"2.0","id":1,"method":"a"}])", "jsonrpc.batch"},
      {R"("just a string")", "jsonrpc.shape"},
      {R"({"jsonrpc":"1.0","id":1,"method":"a"})", "jsonrpc.version"},
      {R"({"id":1,"method":"a"})", "jsonrpc.version"},
      {R"({"jsonrpc":"2.0","id":1})", "jsonrpc.shape"},
      {R"({"jsonrpc":"2.0"})", "jsonrpc.shape"},
      {R"({"jsonrpc":"2.0","id":null,"method":"a"})", "jsonrpc.id"},
      {R"({"jsonrpc":"2.0","id":{},"method":"a"})", "jsonrpc.id"},
      {R"({"jsonrpc":"2.0","id":1,"method":7})", "jsonrpc.method"},
      {R"({"jsonrpc":"2.0","id":1,"method":""})", "jsonrpc.method"},
      {R"({"jsonrpc":"2.0","id":1,"method":"a","params":5})", "jsonrpc.params"},
      {R"({"jsonrpc":"2.0","id":1,"method":"a","result":{}})", "jsonrpc.shape"},
      {R"({"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}})", "jsonrpc.shape"},
      {R"({"jsonrpc":"2.0","id":1,"error":{"message":"x"}})", "jsonrpc.error"},
      {R"({"jsonrpc":"2.0","id":1,"method":"a","extra":true})", "jsonrpc.member"},
  };
  for (const Case& c : cases) {
    Rejection r = rejected(c.text);
    EXPECT_EQ(r.code, error_code::kInvalidRequest) << c.text;
    EXPECT_EQ(r.rule, c.rule) << c.text;
  }
}

TEST(MessageParser, KeepsTheIdOfAnInvalidRequestWhenItIsValid) {
  Rejection r = rejected(R"({"jsonrpc":"1.0","id":"x","method":"a"})");
  ASSERT_TRUE(r.id.has_value());
  EXPECT_EQ(r.id->json, "\"x\"");
  EXPECT_TRUE(r.has_method);
}

}  // namespace
}  // namespace mcpsandbox
