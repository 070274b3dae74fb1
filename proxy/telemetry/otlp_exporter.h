// OtlpExporter: sends request spans and metrics as OTLP/HTTP JSON from a background thread, so
// a slow or dead collector never slows the proxy. Spans wait in a bounded queue (full: the span
// is dropped and counted) and go out in batches every OTEL_BSP_SCHEDULE_DELAY or when a batch
// fills; metrics (cumulative) go out every OTEL_METRIC_EXPORT_INTERVAL. At the end of the session
// what is queued is sent once more, within a bounded time, and then the thread is joined.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "profiles/support/result.h"
#include "proxy/io/logger.h"
#include "proxy/telemetry/otlp_config.h"
#include "proxy/telemetry/otlp_json.h"
#include "proxy/telemetry/telemetry.h"

namespace mcpsandbox {

class OtlpExporter final : public Telemetry {
 public:
  // `span_attributes` go on every span (the session's identity and project). The logger
  // outlives the exporter; it is written from the export thread too (one write per line).
  static Result<std::unique_ptr<OtlpExporter>> start(OtlpConfig config, Attributes span_attributes,
                                                     const Logger& logger);
  ~OtlpExporter() override;
  OtlpExporter(const OtlpExporter&) = delete;
  OtlpExporter& operator=(const OtlpExporter&) = delete;

  void request_finished(RequestSpan span) override;
  void count_redaction(std::string_view detector, std::string_view action, uint64_t count) override;
  void count_violation(std::string_view layer, std::string_view action) override;

  // From the end of the session, everything the export thread still does (a send under way,
  // the final sends) is cut off after this, whatever OTEL_EXPORTER_OTLP_TIMEOUT says.
  static constexpr uint64_t kShutdownTimeoutMs = 2000;

 private:
  OtlpExporter(OtlpConfig config, Attributes span_attributes, const Logger& logger);
  void run();
  void export_spans(std::unique_lock<std::mutex>& lock, uint64_t timeout_ms);
  void export_metrics(std::unique_lock<std::mutex>& lock, uint64_t timeout_ms);
  // One POST; false (with the reason logged once per outage) when it did not get a 2xx.
  bool post(const std::string& url, const std::vector<std::string>& headers,
            const std::string& body, uint64_t timeout_ms);

  const OtlpConfig config_;
  const Attributes span_attributes_;
  const Logger& logger_;
  void* curl_ = nullptr;  // CURL*, used by the export thread only

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<RequestSpan> queue_;
  MetricsSnapshot metrics_;
  bool stopping_ = false;
  // Steady-clock nanoseconds after which a transfer is aborted (0: none); set at shutdown.
  std::atomic<int64_t> give_up_at_{0};
  bool failing_ = false;  // export thread only: an outage is being reported
  uint64_t exported_spans_ = 0;
  std::thread thread_;
};

}  // namespace mcpsandbox
