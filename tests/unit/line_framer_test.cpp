#include "proxy/line_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mcpsandbox {
namespace {

std::vector<std::string> drain(LineFramer& framer) {
  std::vector<std::string> lines;
  while (auto line = framer.next()) {
    EXPECT_EQ(line->kind, FramedLine::Kind::kMessage);
    lines.emplace_back(line->bytes);
  }
  return lines;
}

TEST(LineFramer, SplitsManyMessagesDeliveredInOneRead) {
  LineFramer framer(1024);
  framer.append("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
  EXPECT_EQ(drain(framer), (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
}

TEST(LineFramer, ReassemblesAMessageSplitAcrossReads) {
  LineFramer framer(1024);
  std::string message = "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}";
  for (char c : message) {
    framer.append(std::string(1, c));
    EXPECT_FALSE(framer.next().has_value());
  }
  framer.append("\n");
  EXPECT_EQ(drain(framer), std::vector<std::string>{message});
}

TEST(LineFramer, StripsCarriageReturnAndSkipsBlankLines) {
  LineFramer framer(1024);
  framer.append("{}\r\n\n   \r\n{\"x\":1}\n");
  EXPECT_EQ(drain(framer), (std::vector<std::string>{"{}", "{\"x\":1}"}));
}

TEST(LineFramer, DeliversALastMessageWithoutNewlineAtEndOfInput) {
  LineFramer framer(1024);
  framer.append("{\"last\":true}");
  EXPECT_FALSE(framer.next().has_value());
  framer.finish();
  EXPECT_EQ(drain(framer), std::vector<std::string>{"{\"last\":true}"});
}

TEST(LineFramer, AcceptsAMessageOfExactlyTheLimit) {
  std::string message(100, 'x');
  LineFramer framer(100);
  framer.append(message + "\n");
  EXPECT_EQ(drain(framer), std::vector<std::string>{message});
}

TEST(LineFramer, ReportsOversizedMessageWithItsIdAndContinues) {
  LineFramer framer(64);
  std::string big = "{\"jsonrpc\":\"2.0\",\"id\":42,\"params\":{\"pad\":\"" + std::string(500, 'p') +
                    "\"}}";
  // Delivered in small pieces, so the framer must discard while it scans.
  for (size_t i = 0; i < big.size(); i += 7) {
    framer.append(big.substr(i, 7));
    auto early = framer.next();
    ASSERT_FALSE(early.has_value());
  }
  framer.append("\n{\"ok\":1}\n");
  auto oversized = framer.next();
  ASSERT_TRUE(oversized.has_value());
  EXPECT_EQ(oversized->kind, FramedLine::Kind::kOversized);
  EXPECT_EQ(oversized->oversized_bytes, big.size());
  EXPECT_EQ(oversized->oversized_id, std::optional<std::string>("42"));
  EXPECT_LT(framer.buffered(), 100u) << "oversized bytes must not be held";
  EXPECT_EQ(drain(framer), std::vector<std::string>{"{\"ok\":1}"});
}

TEST(LineFramer, ReportsOversizedMessageArrivingInOneRead) {
  LineFramer framer(16);
  framer.append("{\"id\":\"abc\",\"x\":\"0123456789abcdef\"}\n");
  auto line = framer.next();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->kind, FramedLine::Kind::kOversized);
  EXPECT_EQ(line->oversized_id, std::optional<std::string>("\"abc\""));
}

TEST(LineFramer, ReportsOversizedMessageCutOffByEndOfInput) {
  LineFramer framer(16);
  framer.append(std::string(100, 'z'));
  EXPECT_FALSE(framer.next().has_value());
  framer.finish();
  auto line = framer.next();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->kind, FramedLine::Kind::kOversized);
  EXPECT_FALSE(line->oversized_id.has_value());
  EXPECT_FALSE(framer.next().has_value());
}

}  // namespace
}  // namespace mcpsandbox
