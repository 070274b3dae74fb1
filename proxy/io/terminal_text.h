// What a hostile program may not send to the user's terminal: escape sequences (window title,
// OSC 52 clipboard, cursor moves that repaint earlier lines), other control characters, the
// 8-bit C1 controls and malformed UTF-8 that some terminals read as C1. The server's stderr is
// shown through this, whether the log is a terminal or a file someone will `cat`.
#pragma once

#include <string>
#include <string_view>

namespace mcpsandbox {

// `text` with every control character (except tab), C1 control and byte of malformed UTF-8
// written as a visible escape ("\x1b", "\u009b"); valid printable UTF-8 is kept as it is.
std::string terminal_safe(std::string_view text);

}  // namespace mcpsandbox
