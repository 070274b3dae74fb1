#include "proxy/policy/detectors.h"

#include "proxy/policy/ascii.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace mcpsandbox {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

bool has_blank(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// Encodings of "." and separators that only an attacker writes into a path.
constexpr std::array kEncodedTraversal = {"%2e%2e", "..%2f", "..%5c", "%2e./", ".%2e/", "%252e",
                                          "%c0%ae", "%c0%af", "%c1%9c", "..%255c", "..%252f"};
// Where traversal is usually headed.
constexpr std::array kSensitiveTargets = {"etc/passwd", "etc/shadow", ".ssh/", "proc/self/",
                                          ".aws/credentials", ".env", ".git/config",
                                          ".docker/config.json", ".kube/config", ".netrc"};

// Programs that, after a chaining operator, turn a command into a download or an exfiltration.
constexpr std::array kNetworkCommands = {"curl", "wget", "nc", "ncat", "netcat", "telnet",
                                         "scp", "sftp", "socat", "ssh"};

size_t count_parent_segments(std::string_view text) {
  size_t count = 0, start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = text.size();
    count += text.substr(start, end - start) == "..";
    start = end + 1;
  }
  return count;
}

bool network_command_follows(std::string_view text, size_t position) {
  while (position < text.size() && (text[position] == ' ' || text[position] == '\t')) ++position;
  size_t end = position;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                               text[end] == '/' || text[end] == '_' || text[end] == '-')) {
    ++end;
  }
  std::string_view word = text.substr(position, end - position);
  if (size_t slash = word.rfind('/'); slash != std::string_view::npos) word.remove_prefix(slash + 1);
  return std::find(kNetworkCommands.begin(), kNetworkCommands.end(), word) != kNetworkCommands.end();
}

// The instance path of the string being scanned; the pointer text is built only for a finding.
struct ScanPath {
  std::vector<std::string_view> keys;
  std::vector<size_t> indexes;  // parallel: SIZE_MAX for an object key
  std::string text() const {
    std::string out;
    for (size_t i = 0; i < keys.size(); ++i) {
      out += '/';
      if (indexes[i] == SIZE_MAX) out += keys[i];
      else out += std::to_string(indexes[i]);
    }
    return out;
  }
};

void scan(element value, ScanPath& path, std::string_view key, const DetectorPlan& plan,
          std::vector<DetectorFinding>& findings, size_t depth) {
  if (depth > 64) return;  // the message parser already bounds depth; this bounds our stack
  switch (value.type()) {
    case element_type::STRING: {
      std::string_view text = value.get_string().value_unsafe();
      if (plan.traversal != DetectorAction::kOff) {
        if (auto finding = detect_traversal(text)) {
          finding->location = path.text();
          findings.push_back(std::move(*finding));
        }
      }
      if (plan.shell_injection != DetectorAction::kOff && is_command_like_name(key)) {
        if (auto finding = detect_shell_injection(text)) {
          finding->location = path.text();
          findings.push_back(std::move(*finding));
        }
      }
      return;
    }
    case element_type::OBJECT: {
      simdjson::dom::object members = value.get_object().value_unsafe();
      for (auto field : members) {
        path.keys.push_back(field.key);
        path.indexes.push_back(SIZE_MAX);
        scan(field.value, path, field.key, plan, findings, depth + 1);
        path.keys.pop_back();
        path.indexes.pop_back();
      }
      return;
    }
    case element_type::ARRAY: {
      simdjson::dom::array items = value.get_array().value_unsafe();
      size_t position = 0;
      for (element item : items) {
        path.keys.push_back({});
        path.indexes.push_back(position++);
        // Items of "args": [...] inherit the array's name.
        scan(item, path, key, plan, findings, depth + 1);
        path.keys.pop_back();
        path.indexes.pop_back();
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace

bool is_command_like_name(std::string_view name) {
  if (name.empty()) return false;
  std::string text = ascii_lower(name);
  for (const char* part : {"command", "cmd", "script", "shell", "exec"}) {
    if (contains(text, part)) return true;
  }
  return text == "run" || text == "args" || text == "argv" || text == "code";
}

std::optional<DetectorFinding> detect_traversal(std::string_view text) {
  if (text.size() < 2 || text.size() > 65536) return std::nullopt;
  bool encoded_chars = contains(text, "%");
  bool dots = contains(text, "..");
  if (!encoded_chars && !dots) return std::nullopt;  // the common case: nothing to fold
  std::string folded = ascii_lower(text);
  if (encoded_chars) {
    for (const char* encoded : kEncodedTraversal) {
      if (contains(folded, encoded)) {
        return DetectorFinding{"traversal", Confidence::kHigh, "", "percent-encoded traversal"};
      }
    }
  }
  // Only path-like values: prose and file contents have blanks and legitimately mention "../".
  if (has_blank(text) || !dots) return std::nullopt;
  size_t parents = count_parent_segments(text);
  if (parents == 0) return std::nullopt;
  for (const char* target : kSensitiveTargets) {
    if (contains(folded, target)) {
      return DetectorFinding{"traversal", Confidence::kHigh, "", "traversal to a sensitive file"};
    }
  }
  if (parents >= 4) {
    return DetectorFinding{"traversal", Confidence::kHigh, "", "deep parent-directory traversal"};
  }
  return DetectorFinding{"traversal", Confidence::kLow, "", "parent-directory segment"};
}

std::optional<DetectorFinding> detect_shell_injection(std::string_view text) {
  std::string folded = ascii_lower(text);
  auto high = [](const char* what) {
    return DetectorFinding{"shell_injection", Confidence::kHigh, "", what};
  };
  if (contains(folded, "/dev/tcp/") || contains(folded, "/dev/udp/")) {
    return high("shell network redirection");
  }
  for (const char* piped : {"| sh", "|sh", "| bash", "|bash", "| zsh", "|zsh", "| python",
                            "|python", "| perl", "|perl"}) {
    size_t at = folded.find(piped);
    if (at == std::string::npos) continue;
    size_t after = at + std::string_view(piped).size();
    // "| shuf" or "| shellcheck" are not a shell reading stdin.
    if (after == folded.size() || !std::isalnum(static_cast<unsigned char>(folded[after]))) {
      return high("output piped into an interpreter");
    }
  }
  for (size_t i = 0; i < folded.size(); ++i) {
    char c = folded[i];
    bool chain = c == ';' || c == '|' || c == '&' || c == '`' || c == '\n' ||
                 (c == '(' && i > 0 && folded[i - 1] == '$');
    if (chain && network_command_follows(folded, i + 1)) {
      return high("a network command chained or substituted into the command");
    }
  }
  if (folded.find_first_of(";|&`\n") != std::string::npos || contains(folded, "$(")) {
    return DetectorFinding{"shell_injection", Confidence::kLow, "", "command chaining or substitution"};
  }
  return std::nullopt;
}

std::vector<DetectorFinding> scan_arguments(element arguments, const DetectorPlan& plan) {
  std::vector<DetectorFinding> findings;
  if (plan.traversal == DetectorAction::kOff && plan.shell_injection == DetectorAction::kOff) {
    return findings;
  }
  ScanPath path;
  scan(arguments, path, "", plan, findings, 0);
  return findings;
}

}  // namespace mcpsandbox
