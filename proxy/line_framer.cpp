#include "proxy/line_framer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mcpsandbox {
namespace {
constexpr size_t kMinRead = 64 * 1024;
}

LineFramer::LineFramer(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

void LineFramer::reserve_for_read(size_t want) {
  if (begin_ > 0 && (begin_ == end_ || capacity_ - end_ < want)) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    scan_ -= begin_;
    begin_ = 0;
  }
  if (capacity_ - end_ >= want) return;
  size_t new_capacity = std::max(capacity_ * 2, end_ + want);
  // Not make_unique: value-initialising 16 MiB that read(2) overwrites anyway is pure cost.
  std::unique_ptr<char[]> bigger(new char[new_capacity + kLinePadding]);
  if (end_ > begin_) std::memcpy(bigger.get(), buffer_.get() + begin_, end_ - begin_);
  end_ -= begin_;
  scan_ -= begin_;
  begin_ = 0;
  buffer_ = std::move(bigger);
  capacity_ = new_capacity;
}

LineFramer::ReadStatus LineFramer::read_from(int fd) {
  // Grow reads with the message being assembled so a 16 MiB message takes few syscalls.
  size_t want = std::clamp<size_t>(end_ - begin_, kMinRead, 4u << 20);
  // An idle buffer left large by big messages gives its memory back once they stop coming.
  if (begin_ == end_ && recent_.oversized(capacity_)) {
    buffer_.reset();
    capacity_ = begin_ = end_ = scan_ = 0;
  }
  reserve_for_read(want);
  ssize_t n;
  do {
    n = ::read(fd, buffer_.get() + end_, capacity_ - end_);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN ? ReadStatus::kWouldBlock : ReadStatus::kError;
  if (n == 0) {
    at_eof_ = true;
    return ReadStatus::kEof;
  }
  end_ += static_cast<size_t>(n);
  return ReadStatus::kData;
}

void LineFramer::append(std::string_view bytes) {
  reserve_for_read(bytes.size());
  std::memcpy(buffer_.get() + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
}

void LineFramer::start_discarding() {
  discarding_ = true;
  discarded_ = 0;
  discard_scanner_ = TopLevelIdScanner();
}

std::optional<FramedLine> LineFramer::take_line(size_t line_end, size_t next_begin) {
  size_t line_begin = begin_;
  begin_ = scan_ = next_begin;
  if (line_end > line_begin && buffer_[line_end - 1] == '\r') --line_end;
  size_t size = line_end - line_begin;
  recent_.observe(size);
  std::string_view line(buffer_.get() + line_begin, size);
  if (size > max_message_bytes_) {
    TopLevelIdScanner scanner;
    scanner.feed(line);
    return FramedLine{FramedLine::Kind::kOversized, {}, size, scanner.id()};
  }
  // The JSON parser may read up to kLinePadding bytes past the line; they belong to this buffer.
  return FramedLine{FramedLine::Kind::kMessage, line, 0, std::nullopt};
}

std::optional<FramedLine> LineFramer::next() {
  while (true) {
    if (discarding_) {
      const char* start = buffer_.get() + begin_;
      const char* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
      size_t chunk = newline ? static_cast<size_t>(newline - start) : end_ - begin_;
      discard_scanner_.feed(std::string_view(start, chunk));
      discarded_ += chunk;
      begin_ = scan_ = begin_ + chunk;
      if (!newline && !at_eof_) return std::nullopt;
      if (newline) begin_ = scan_ = begin_ + 1;
      discarding_ = false;
      return FramedLine{FramedLine::Kind::kOversized, {}, discarded_, discard_scanner_.id()};
    }
    if (begin_ == end_) return std::nullopt;
    const char* newline =
        static_cast<const char*>(std::memchr(buffer_.get() + scan_, '\n', end_ - scan_));
    std::optional<FramedLine> line;
    if (newline) {
      size_t at = static_cast<size_t>(newline - buffer_.get());
      line = take_line(at, at + 1);
    } else if (end_ - begin_ > max_message_bytes_) {
      start_discarding();
      continue;
    } else if (at_eof_) {
      line = take_line(end_, end_);
    } else {
      scan_ = end_;
      return std::nullopt;
    }
    // Blank lines carry no message; skip them rather than answer them.
    if (line->kind == FramedLine::Kind::kMessage &&
        line->bytes.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    return line;
  }
}

}  // namespace mcpsandbox
