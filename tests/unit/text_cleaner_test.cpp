#include "proxy/policy/text_cleaner.h"

#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

std::string cleaned(const std::string& text, size_t* count = nullptr) {
  size_t removed = 0;
  std::string out = clean_text(text, removed);
  if (count) *count = removed;
  return out;
}

TEST(TextCleaner, RemovesWhatAPersonCannotSee) {
  std::string tags;
  for (char c : std::string("exfiltrate")) {  // U+E0000 + ASCII: invisible "tag" text
    uint32_t point = 0xE0000 + static_cast<unsigned char>(c);
    tags += static_cast<char>(0xF0 | (point >> 18));
    tags += static_cast<char>(0x80 | ((point >> 12) & 0x3F));
    tags += static_cast<char>(0x80 | ((point >> 6) & 0x3F));
    tags += static_cast<char>(0x80 | (point & 0x3F));
  }
  size_t removed = 0;
  EXPECT_EQ(cleaned("weather: sunny" + tags, &removed), "weather: sunny");
  EXPECT_EQ(removed, 10u);
  EXPECT_EQ(cleaned("a\u200bb\u200dc\ufeffd"), "abcd");
  EXPECT_EQ(cleaned("file\u202etxt.exe\u202c"), "filetxt.exe");
  EXPECT_EQ(cleaned("caf\u00e9 \u2014 \u201cquoted\u201d"), "caf\u00e9 \u2014 \u201cquoted\u201d");
}

TEST(TextCleaner, RemovesTerminalEscapes) {
  EXPECT_EQ(cleaned("\x1b[31mred\x1b[0m text"), "red text");
  EXPECT_EQ(cleaned("\x1b]0;window title\x07" "after"), "after");
  EXPECT_EQ(cleaned("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\"), "link");
  EXPECT_EQ(cleaned("\xc2\x9b" "2Jcleared"), "cleared");
  EXPECT_EQ(cleaned("\x1b" "cplain"), "plain");
}

TEST(TextCleaner, FindsCandidatesInRawJsonCheaply) {
  EXPECT_FALSE(may_need_cleaning(R"({"text":"plain \u00e9 \n \"quoted\" — ‘x’"})"));
  EXPECT_TRUE(may_need_cleaning(R"({"text":"\u001b[31m"})"));
  EXPECT_TRUE(may_need_cleaning(R"({"text":"\uDB40\uDC41"})"));
  EXPECT_TRUE(may_need_cleaning("{\"text\":\"a\xe2\x80\x8b\"}"));
  EXPECT_TRUE(may_need_cleaning(R"({"text":"\u202E"})"));
}

TEST(TextCleaner, RebuildsJsonWithCleanStringsAndUntouchedNumbers) {
  simdjson::dom::parser parser;
  auto value = parser.parse(simdjson::padded_string(
      std::string(R"({"content":[{"type":"text","text":"\u001b[1mbold\u001b[0m"}],"n":1.50,"ok":true})")));
  std::string out;
  size_t removed = 0;
  append_cleaned_json(value.value(), out, removed);
  EXPECT_EQ(out, R"({"content":[{"type":"text","text":"bold"}],"n":1.5,"ok":true})");
  EXPECT_EQ(removed, 2u);
}

}  // namespace
}  // namespace mcpsandbox
