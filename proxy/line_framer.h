// LineFramer: splits a byte stream into newline-delimited messages (the MCP stdio transport).
// Copes with partial reads, many messages per read and messages split across reads. A message
// longer than the limit is never buffered whole: its bytes are discarded as they arrive, only a
// streaming scan for its top-level "id" is kept, so the sender can still get an error reply.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/id_scanner.h"
#include "proxy/recent_peak.h"

namespace mcpsandbox {

struct FramedLine {
  enum class Kind { kMessage, kOversized };
  Kind kind;
  // kMessage: the line without its newline (and without a trailing '\r'). At least
  // kLinePadding readable bytes follow it in memory, which the JSON parser relies on. Valid
  // until the next read or append.
  std::string_view bytes;
  // kOversized: the message's size and its top-level id (raw JSON), if the scan found one.
  size_t oversized_bytes = 0;
  std::optional<std::string> oversized_id;
};

class LineFramer {
 public:
  static constexpr size_t kLinePadding = 64;
  enum class ReadStatus { kData, kWouldBlock, kEof, kError };

  explicit LineFramer(size_t max_message_bytes);

  // One read(2) from a non-blocking fd into the buffer.
  ReadStatus read_from(int fd);
  // Appends bytes as if read (tests and fuzzing).
  void append(std::string_view bytes);
  // The next complete message, if any. At end of input, call finish() first so that a last
  // message without a newline is not lost.
  std::optional<FramedLine> next();
  void finish() { at_eof_ = true; }
  // Bytes held for an incomplete message.
  size_t buffered() const { return end_ - begin_; }

 private:
  void reserve_for_read(size_t want);
  void start_discarding();
  std::optional<FramedLine> take_line(size_t line_end, size_t next_begin);

  size_t max_message_bytes_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;  // usable bytes; kLinePadding more are always allocated behind them
  size_t begin_ = 0, end_ = 0, scan_ = 0;
  bool at_eof_ = false;
  bool discarding_ = false;
  size_t discarded_ = 0;
  TopLevelIdScanner discard_scanner_;
  RecentPeak recent_;
};

}  // namespace mcpsandbox
