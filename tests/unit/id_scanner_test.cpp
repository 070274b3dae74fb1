#include "proxy/id_scanner.h"

#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

std::optional<std::string> scan(std::string_view text) {
  TopLevelIdScanner scanner;
  scanner.feed(text);
  return scanner.id();
}

TEST(TopLevelIdScanner, FindsNumberAndStringIds) {
  EXPECT_EQ(scan(R"({"jsonrpc":"2.0","id":17,"method":"x"})"), "17");
  EXPECT_EQ(scan(R"({ "id" : "a\"b" , "method":"x"})"), R"("a\"b")");
  EXPECT_EQ(scan(R"({"id":-1.5e3})"), "-1.5e3");
}

TEST(TopLevelIdScanner, IgnoresIdsNestedInParams) {
  EXPECT_EQ(scan(R"({"params":{"id":1,"x":[{"id":2}]},"id":3})"), "3");
  EXPECT_EQ(scan(R"({"params":{"id":1},"method":"x"})"), std::nullopt);
  EXPECT_EQ(scan(R"({"params":"\"id\":5","method":"x"})"), std::nullopt);
}

TEST(TopLevelIdScanner, FindsIdAfterHugeParamsFedInPieces) {
  std::string text = R"({"params":{"data":")" + std::string(100000, 'q') + R"("},"id":"late"})";
  TopLevelIdScanner scanner;
  for (size_t i = 0; i < text.size(); i += 13) scanner.feed(std::string_view(text).substr(i, 13));
  EXPECT_EQ(scanner.id(), "\"late\"");
}

TEST(TopLevelIdScanner, RefusesToGuessWhenAmbiguous) {
  EXPECT_EQ(scan(R"({"id":1,"id":2})"), std::nullopt) << "duplicate id";
  EXPECT_EQ(scan(R"({"\u0069d":1})"), std::nullopt) << "escaped key";
  EXPECT_EQ(scan(R"([{"id":1}])"), std::nullopt) << "batch";
  EXPECT_EQ(scan(R"({"id":null})"), std::nullopt) << "null id";
  EXPECT_EQ(scan(R"({"id":{"x":1}})"), std::nullopt) << "object id";
  EXPECT_EQ(scan(R"({"id":true})"), std::nullopt) << "boolean id";
}

}  // namespace
}  // namespace mcpsandbox
