#include "proxy/telemetry/otlp_exporter.h"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>

namespace mcpsandbox {
namespace {

size_t discard_body(char*, size_t size, size_t count, void*) { return size * count; }

int64_t steady_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Called by libcurl during a transfer: non-zero aborts it (the session ended a while ago).
int abort_when_due(void* give_up_at, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  int64_t due = static_cast<std::atomic<int64_t>*>(give_up_at)->load(std::memory_order_relaxed);
  return due != 0 && steady_nanos() > due ? 1 : 0;
}

// curl_global_init is not thread-safe; the exporter is started before any thread of ours runs.
bool curl_ready() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

}  // namespace

Result<std::unique_ptr<OtlpExporter>> OtlpExporter::start(OtlpConfig config,
                                                          Attributes span_attributes,
                                                          const Logger& logger) {
  if (!curl_ready()) return Error{"telemetry: libcurl failed to initialise"};
  if (sodium_init() < 0) return Error{"telemetry: libsodium failed to initialise (span ids)"};
  std::unique_ptr<OtlpExporter> exporter(
      new OtlpExporter(std::move(config), std::move(span_attributes), logger));
  exporter->curl_ = curl_easy_init();
  if (!exporter->curl_) return Error{"telemetry: libcurl could not create a handle"};
  exporter->thread_ = std::thread([raw = exporter.get()] { raw->run(); });
  return exporter;
}

OtlpExporter::OtlpExporter(OtlpConfig config, Attributes span_attributes, const Logger& logger)
    : config_(std::move(config)), span_attributes_(std::move(span_attributes)), logger_(logger) {
  metrics_.start = std::chrono::system_clock::now();
}

OtlpExporter::~OtlpExporter() {
  give_up_at_ = steady_nanos() + static_cast<int64_t>(kShutdownTimeoutMs) * 1000000;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
  if (metrics_.spans_dropped > 0) {
    logger_.warn("telemetry: " + std::to_string(metrics_.spans_dropped) + " of " +
                 std::to_string(metrics_.spans_dropped + exported_spans_) +
                 " spans were not delivered (queue full or collector unreachable)");
  }
}

void OtlpExporter::request_finished(RequestSpan span) {
  double seconds = std::chrono::duration<double>(span.end - span.start).count();
  {
    std::lock_guard lock(mutex_);
    ++metrics_.requests[{span.decision, span.method}];
    size_t bucket = std::upper_bound(kDurationBounds.begin(), kDurationBounds.end(), seconds) -
                    kDurationBounds.begin();
    // A value equal to a bound belongs to that bound's bucket (upper bounds are inclusive).
    if (bucket > 0 && seconds == kDurationBounds[bucket - 1]) --bucket;
    ++metrics_.duration_buckets[bucket];
    metrics_.duration_sum += seconds;
    ++metrics_.duration_count;
    if (config_.traces_url.empty()) return;
    if (queue_.size() >= config_.max_queue) {
      ++metrics_.spans_dropped;
      return;
    }
    queue_.push_back(std::move(span));
    if (queue_.size() < config_.max_batch) return;
  }
  wake_.notify_one();
}

void OtlpExporter::count_redaction(std::string_view detector, std::string_view action, uint64_t count) {
  std::lock_guard lock(mutex_);
  metrics_.redactions[{std::string(detector), std::string(action)}] += count;
}

void OtlpExporter::count_violation(std::string_view layer, std::string_view action) {
  std::lock_guard lock(mutex_);
  ++metrics_.violations[{std::string(layer), std::string(action)}];
}

void OtlpExporter::run() {
  using clock = std::chrono::steady_clock;
  auto next_spans = clock::now() + std::chrono::milliseconds(config_.schedule_delay_ms);
  auto next_metrics = clock::now() + std::chrono::milliseconds(config_.metric_interval_ms);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_until(lock, std::min(next_spans, next_metrics),
                     [&] { return stopping_ || queue_.size() >= config_.max_batch; });
    if (stopping_) break;
    auto now = clock::now();
    if (queue_.size() >= config_.max_batch || now >= next_spans) {
      export_spans(lock, config_.timeout_ms);
      next_spans = clock::now() + std::chrono::milliseconds(config_.schedule_delay_ms);
    }
    if (clock::now() >= next_metrics) {
      export_metrics(lock, config_.timeout_ms);
      next_metrics = clock::now() + std::chrono::milliseconds(config_.metric_interval_ms);
    }
  }
  // The session is over: one last send of everything, all of it within kShutdownTimeoutMs.
  uint64_t timeout = std::min(config_.timeout_ms, kShutdownTimeoutMs);
  bool delivered = true;
  while (!queue_.empty() && delivered && steady_nanos() < give_up_at_.load()) {
    size_t before = metrics_.spans_dropped;
    export_spans(lock, timeout);
    delivered = metrics_.spans_dropped == before;
  }
  metrics_.spans_dropped += queue_.size();  // not sent: the collector is not answering
  queue_.clear();
  export_metrics(lock, timeout);
}

void OtlpExporter::export_spans(std::unique_lock<std::mutex>& lock, uint64_t timeout_ms) {
  if (queue_.empty() || config_.traces_url.empty()) return;
  size_t count = std::min(queue_.size(), config_.max_batch);
  std::vector<RequestSpan> batch(std::make_move_iterator(queue_.begin()),
                                 std::make_move_iterator(queue_.begin() + count));
  queue_.erase(queue_.begin(), queue_.begin() + count);
  lock.unlock();  // encoding and sending never hold up the relay
  bool sent = post(config_.traces_url, config_.trace_headers,
                   encode_spans(batch, config_.resource, span_attributes_), timeout_ms);
  lock.lock();
  if (sent) exported_spans_ += batch.size();
  else metrics_.spans_dropped += batch.size();
}

void OtlpExporter::export_metrics(std::unique_lock<std::mutex>& lock, uint64_t timeout_ms) {
  if (config_.metrics_url.empty()) return;
  MetricsSnapshot snapshot = metrics_;
  lock.unlock();
  (void)post(config_.metrics_url, config_.metric_headers,
             encode_metrics(snapshot, config_.resource, std::chrono::system_clock::now()),
             timeout_ms);
  lock.lock();
}

bool OtlpExporter::post(const std::string& url, const std::vector<std::string>& headers,
                        const std::string& body, uint64_t timeout_ms) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM games in a threaded process
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abort_when_due);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &give_up_at_);
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  bool ok = code == CURLE_OK && status >= 200 && status < 300;
  if (!ok && !failing_) {
    logger_.warn("telemetry: export to " + url + " failed (" +
                 (code != CURLE_OK ? std::string(curl_easy_strerror(code))
                                   : "HTTP " + std::to_string(status)) +
                 "); spans are dropped and counted until the collector answers");
  } else if (ok && failing_) {
    logger_.info("telemetry: " + url + " answers again");
  }
  failing_ = !ok;
  return ok;
}

}  // namespace mcpsandbox
