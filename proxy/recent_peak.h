// RecentPeak: the size of the largest recent message, decaying as smaller ones pass. Buffers
// sized for a 16 MiB message are kept while such messages keep coming (re-allocating and
// faulting in 16 MiB per message halves throughput) and given back once traffic is small again.
#pragma once

#include <algorithm>
#include <cstddef>

namespace mcpsandbox {

class RecentPeak {
 public:
  void observe(size_t bytes) { peak_ = std::max(bytes, peak_ - peak_ / 8); }
  // A buffer of `capacity` bytes is worth giving back.
  bool oversized(size_t capacity) const {
    return capacity > kAlwaysKeep && capacity > 2 * peak_;
  }
  static constexpr size_t kAlwaysKeep = 1u << 20;

 private:
  size_t peak_ = 0;
};

}  // namespace mcpsandbox
