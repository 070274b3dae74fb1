#include "proxy/policy/text_cleaner.h"

#include <gtest/gtest.h>

#include <cstdio>

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

std::string utf8(uint32_t point) {
  std::string out;
  if (point < 0x80) {
    out += static_cast<char>(point);
  } else if (point < 0x800) {
    out += static_cast<char>(0xC0 | (point >> 6));
    out += static_cast<char>(0x80 | (point & 0x3F));
  } else if (point < 0x10000) {
    out += static_cast<char>(0xE0 | (point >> 12));
    out += static_cast<char>(0x80 | ((point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (point >> 18));
    out += static_cast<char>(0x80 | ((point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (point & 0x3F));
  }
  return out;
}

// Second red team: each of these split "AKIA...", an address or a card unseen. Every Unicode
// default-ignorable code point and every control goes; spaces and separators of other scripts
// become the ASCII ones, so a detector sees the text as a reader does.
TEST(TextCleaner, RemovesEveryDefaultIgnorableAndControlAndNormalisesSpaces) {
  for (uint32_t point : {0x00ADu, 0x034Fu, 0x061Cu, 0x115Fu, 0x1160u, 0x17B4u, 0x17B5u, 0x180Bu, 0x180Eu,
                         0x206Au, 0x206Fu, 0x3164u, 0xFE00u, 0xFE0Fu, 0xFFA0u, 0xFFF9u, 0xFFFBu, 0x1BCA0u,
                         0x1D173u, 0xE0100u, 0xE01EFu, 0x0000u, 0x0007u, 0x0008u, 0x000Bu, 0x000Cu, 0x007Fu,
                         0x0080u, 0x009Fu}) {
    size_t removed = 0;
    EXPECT_EQ(cleaned("AKIA" + utf8(point) + "IOSF", &removed), "AKIAIOSF") << std::hex << point;
    EXPECT_EQ(removed, 1u) << std::hex << point;
    std::string json = R"({"t":"a)" + utf8(point) + R"(b"})";
    if (point >= 0x20) {  // raw controls are not JSON
      EXPECT_TRUE(may_need_cleaning(json)) << std::hex << point;
    }
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\u%04x", point < 0x10000 ? point : 0xDB40);
    if (point < 0x10000) {
      EXPECT_TRUE(may_need_cleaning(R"({"t":"a)" + std::string(escaped) + R"(b"})")) << std::hex << point;
    }
  }
  for (uint32_t point : {0x00A0u, 0x2000u, 0x2007u, 0x200Au, 0x202Fu, 0x205Fu, 0x3000u, 0x2800u}) {
    EXPECT_EQ(cleaned("4111" + utf8(point) + "1111"), "4111 1111") << std::hex << point;
    EXPECT_TRUE(may_need_cleaning(R"({"t":"a)" + utf8(point) + R"(b"})")) << std::hex << point;
  }
  for (uint32_t point : {0x2028u, 0x2029u, 0x0085u}) EXPECT_EQ(cleaned("a" + utf8(point) + "b"), "a\nb");
  EXPECT_EQ(cleaned("tab\tline\nreturn\r"), "tab\tline\nreturn\r") << "layout stays";
  EXPECT_TRUE(may_need_cleaning(R"({"t":"a\bb"})"));
  EXPECT_TRUE(may_need_cleaning(R"({"t":"a\fb"})"));
  EXPECT_TRUE(may_need_cleaning("{\"t\":\"a\x7f\"}"));
  EXPECT_FALSE(may_need_cleaning(R"({"t":"\u00e9\t\r\n\u4e2d\u6587 中文 é"})")) << "letters of any script stay";
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
