// A loopback OTLP/HTTP receiver for tests: accepts POSTs on 127.0.0.1 (HTTP/1.1, keep-alive),
// keeps each request's path, headers and body, and answers 200 with "{}". In hang mode it
// accepts connections and never answers: a collector that stalls.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mcpsandbox::testing {

struct ReceivedPost {
  std::string path;
  std::string headers;  // as sent, lower-cased names
  std::string body;
};

class OtlpReceiver {
 public:
  enum class Mode { kAnswer, kHang };
  explicit OtlpReceiver(Mode mode = Mode::kAnswer);
  ~OtlpReceiver();
  OtlpReceiver(const OtlpReceiver&) = delete;
  OtlpReceiver& operator=(const OtlpReceiver&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<ReceivedPost> posts() const;
  // Every body posted to `path` so far.
  std::vector<std::string> bodies(const std::string& path) const;

 private:
  void serve();
  void serve_connection(int fd);

  Mode mode_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<ReceivedPost> posts_;
  std::vector<int> hung_;  // hang mode: connections held open
  std::thread thread_;
};

}  // namespace mcpsandbox::testing
