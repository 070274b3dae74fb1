// TokenBucket: a rate limit ("10/min, burst 5") that refills continuously.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>

#include "profiles/proxy_plan.h"

namespace mcpsandbox {

class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  TokenBucket(const RateSpec& rate, TimePoint now)
      : per_second_(rate.per_second), burst_(rate.burst), tokens_(rate.burst), last_(now) {}

  // Takes a token; when none is left, returns how long (ms) until one will be.
  std::optional<uint64_t> take(TimePoint now) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    if (elapsed > 0) {
      tokens_ = std::min(burst_, tokens_ + elapsed * per_second_);
      last_ = now;
    }
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return std::nullopt;
    }
    double wait_seconds = (1.0 - tokens_) / per_second_;
    return static_cast<uint64_t>(std::ceil(wait_seconds * 1000.0));
  }

 private:
  double per_second_, burst_, tokens_;
  TimePoint last_;
};

}  // namespace mcpsandbox
