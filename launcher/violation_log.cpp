#include "launcher/violation_log.h"

namespace mcpsandbox {

void ViolationLog::report(const Violation& violation) {
  ++count_;
  std::string line = violation.layer + " denied " + violation.action;
  if (!violation.target.empty()) line += " " + violation.target;
  if (!violation.detail.empty()) line += " " + violation.detail;
  // Inbound packets are judged in interrupt context: no process of the sandbox is behind them.
  if (violation.pid != 0) line += " by pid " + std::to_string(violation.pid) + " (" + violation.comm + ")";
  logger_.notice(line);
  if (telemetry_) telemetry_->count_violation(violation.layer, violation.action);
  if (!audit_) return;
  nlohmann::json record = {{"event", "violation"}, {"layer", violation.layer},
                           {"action", violation.action}, {"pid", violation.pid},
                           {"comm", violation.comm}};
  if (!violation.target.empty()) record["target"] = violation.target;
  if (!violation.detail.empty()) record["detail"] = violation.detail;
  if (auto written = audit_->record(std::move(record)); !written) {
    logger_.error(written.error().message);
  }
}

}  // namespace mcpsandbox
