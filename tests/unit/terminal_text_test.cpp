// The server's stderr as the user's terminal will show it: nothing in it can act on the terminal.
#include "proxy/io/terminal_text.h"

#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

TEST(TerminalText, EscapeSequencesBecomeVisibleText) {
  EXPECT_EQ(terminal_safe("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07") << "window title";
  EXPECT_EQ(terminal_safe("\x1b]52;c;ZXZpbA==\x07"), "\\x1b]52;c;ZXZpbA==\\x07") << "OSC 52 clipboard";
  EXPECT_EQ(terminal_safe("\x1b[2J\x1b[1;1H"), "\\x1b[2J\\x1b[1;1H") << "clear and move";
  EXPECT_EQ(terminal_safe("a\rb\bc\x7f"), "a\\x0db\\x08c\\x7f") << "overwrite tricks";
  EXPECT_EQ(terminal_safe("a\nb"), "a\\x0ab") << "no forged log lines";
}

TEST(TerminalText, EightBitControlsAndMalformedUtf8AreEscaped) {
  EXPECT_EQ(terminal_safe("\xc2\x9b" "31m"), "\\u009b31m") << "C1 CSI as UTF-8";
  EXPECT_EQ(terminal_safe("\x9b" "31m"), "\\x9b31m") << "a bare C1 byte";
  EXPECT_EQ(terminal_safe("\xc0\xaf"), "\\xc0\\xaf") << "overlong";
  EXPECT_EQ(terminal_safe("\xed\xa0\x80"), "\\xed\\xa0\\x80") << "surrogate";
  EXPECT_EQ(terminal_safe("\xe2\x82"), "\\xe2\\x82") << "truncated";
}

TEST(TerminalText, OrdinaryTextIsUnchanged) {
  for (const char* text : {"Error: ENOENT, open '/srv/x'", "\tat main (index.js:3:7)",
                           "h\xc3\xa9llo \xe2\x80\x94 \xe2\x9c\x93 \xf0\x9f\x98\x80", ""}) {
    EXPECT_EQ(terminal_safe(text), text);
  }
}

}  // namespace
}  // namespace mcpsandbox
