#include "proxy/redaction/detectors.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace mcpsandbox {
namespace {

std::string digits_of(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

bool card_valid(std::string_view text) {
  std::string digits = digits_of(text);
  if (digits.size() < 13 || digits.size() > 19) return false;
  // Issuer prefixes of the major networks: a Luhn-valid run of digits alone is too common.
  bool issuer = digits[0] == '4' || (digits[0] == '5' && digits[1] >= '1' && digits[1] <= '5') ||
                (digits[0] == '2' && digits[1] >= '2' && digits[1] <= '7') ||
                (digits[0] == '3' && (digits[1] == '4' || digits[1] == '7')) || digits[0] == '6';
  return issuer && luhn_valid(digits);
}

bool ipv4_valid(std::string_view text) {
  in_addr address{};
  return inet_pton(AF_INET, std::string(text).c_str(), &address) == 1;
}

bool ipv6_valid(std::string_view text) {
  in6_addr address{};
  return text.find("::") != std::string_view::npos || std::count(text.begin(), text.end(), ':') >= 7
             ? inet_pton(AF_INET6, std::string(text).c_str(), &address) == 1
             : false;
}

bool phone_valid(std::string_view text) {
  size_t digits = digits_of(text).size();
  return digits >= 10 && digits <= 15;
}

}  // namespace

bool luhn_valid(std::string_view text) {
  std::string digits = digits_of(text);
  if (digits.empty()) return false;
  int sum = 0;
  bool doubled = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int digit = *it - '0';
    if (doubled) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
    doubled = !doubled;
  }
  return sum % 10 == 0;
}

bool us_ssn_valid(std::string_view text) {
  std::string digits = digits_of(text);
  if (digits.size() != 9) return false;
  std::string area = digits.substr(0, 3), group = digits.substr(3, 2), serial = digits.substr(5);
  // Never issued: area 000, 666 or 9xx; group 00; serial 0000.
  return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000";
}

bool iban_valid(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ') compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (compact.size() < 15 || compact.size() > 34) return false;
  std::string rearranged = compact.substr(4) + compact.substr(0, 4);
  int remainder = 0;
  for (char c : rearranged) {
    int value = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'A' + 10;
    if (value < 0 || value > 35) return false;
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return remainder == 1;
}

namespace {

// The value of a `name = value` match: after the first separator (":", "=", "=>", ":=", or the
// blank of a `.netrc` line), without the blanks and quote before it.
std::string_view assigned_value(std::string_view match) {
  size_t separator = match.find_first_of(":= \t");
  if (separator == std::string_view::npos) return {};
  std::string_view value = match.substr(separator + 1);
  while (!value.empty() && (value.front() == '=' || value.front() == '>' || value.front() == ' ' ||
                            value.front() == '\t' || value.front() == '"' || value.front() == '\'')) {
    value.remove_prefix(1);
  }
  return value;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A count (`1_000_000`, `100000000`) or a version (`v1.2.3-beta`).
bool number_or_version(std::string_view value) {
  std::string_view rest = value.front() == 'v' || value.front() == 'V' ? value.substr(1) : value;
  size_t digits = 0, i = 0;
  for (; i < rest.size() && (is_digit(rest[i]) || rest[i] == '_' || rest[i] == ',' || rest[i] == '.'); ++i) {
    digits += is_digit(rest[i]);
  }
  if (digits == 0) return false;
  return i == rest.size() || rest[i] == '-' || rest[i] == '+';
}

// A name in code (`Uint8Array`, `sha256sum`, `token_v2`, `accessTokenValue`), unless it has the
// look of a generated secret (long, with letters and digits mixed throughout, or capitals,
// small letters and digits) or of a passphrase (long, small letters only).
bool identifier_not_secret(std::string_view value) {
  if (!is_letter(value.front()) && value.front() != '_') return false;
  bool upper = false, lower = false, digit = false;
  size_t switches = 0;  // letter to digit and back: names have few, generated keys many
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (!is_letter(c) && !is_digit(c) && c != '_') return false;
    upper = upper || (c >= 'A' && c <= 'Z');
    lower = lower || (c >= 'a' && c <= 'z');
    digit = digit || is_digit(c);
    if (i > 0 && (is_digit(c) != is_digit(value[i - 1]))) ++switches;
  }
  bool generated = value.size() >= 12 && ((upper && lower && digit) || switches >= 4);
  bool passphrase = lower && !upper && !digit && value.find('_') == std::string_view::npos && value.size() >= 16;
  return !generated && !passphrase;
}

// `process.env.TOKEN`, `self.config.password`: every part a name in code.
bool dotted_name(std::string_view value) {
  if (value.find('.') == std::string_view::npos || !is_letter(value.front())) return false;
  for (size_t start = 0; start <= value.size();) {
    size_t dot = value.find('.', start);
    std::string_view part = value.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || !identifier_not_secret(part)) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

}  // namespace

bool assigned_credential_valid(std::string_view match) {
  std::string_view value = assigned_value(match);
  if (value.size() < 8) return false;
  // A path or an address names where a secret is, not the secret.
  if (value.front() == '/' || value.front() == '~' || value.substr(0, 2) == "./" ||
      value.find("://") != std::string_view::npos) {
    return false;
  }
  if (number_or_version(value) || identifier_not_secret(value) || dotted_name(value)) return false;
  if (value.find_first_not_of(value.front()) == std::string_view::npos) return false;
  std::string lower(value);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* placeholder : {"xxxx", "****", "changeme", "example", "placeholder", "redacted", "your_",
                                  "your-", "dummy", "<"}) {
    if (lower.find(placeholder) != std::string::npos) return false;
  }
  return true;
}

const std::vector<RedactionDetector>& builtin_redaction_detectors() {
  static const std::vector<RedactionDetector> kDetectors = {
      // Secrets first: where a token also looks like something else, the secret wins.
      {"pem_private_key", R"(-----BEGIN [A-Z ]*PRIVATE KEY-----[A-Za-z0-9+/=\s:,\-]{16,}-----END [A-Z ]*PRIVATE KEY-----)"},
      {"aws_access_key_id", R"(\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b)"},
      {"aws_secret_access_key", R"((?:aws_secret_access_key|aws_secret_key|secret_access_key)["' ]*[:=]["' ]*[A-Za-z0-9/+=]{40}\b)", true},
      {"github_token", R"(\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,}))"},
      {"gitlab_token", R"(\bglpat-[A-Za-z0-9_\-]{20,}\b)"},
      {"slack_token", R"(\bxox[abposr]-[A-Za-z0-9\-]{10,}\b)"},
      {"stripe_key", R"(\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b)"},
      {"anthropic_api_key", R"(\bsk-ant-[a-z]+[0-9]{2}-[A-Za-z0-9_\-]{40,}\b)"},
      {"openai_api_key", R"(\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}\b|\bsk-proj-[A-Za-z0-9_\-]{40,}\b)"},
      {"google_api_key", R"(\bAIza[0-9A-Za-z_\-]{35}\b)"},
      {"jwt", R"(\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})"},
      {"url_password", R"([a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]+:[^/\s@]+@)"},
      // A credential whose shape alone says nothing, told by its name: `password = ...` in INI,
      // env (DB_PASSWORD=...), YAML, JSON, PHP (=>) and Go (:=) text, connection strings
      // (Pwd=...;), `.netrc` lines. Only the value is replaced; the name stays.
      {"credential_assignment",
       R"((?:[A-Za-z0-9_\-]*(?:password|passwd|passphrase|pass|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|client[_\-]?secret|auth)s?["']?[ \t]*(?:=>|:=|[:=])[ \t]*["']?|\b(?:password|passwd)[ \t]+)([^\s"'`,;<>(){}\[\]$][^\s"'`,;<>(){}\[\]]{7,199}))",
       true, assigned_credential_valid,
       R"((?:(?:password|passwd|passphrase|pass|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|client[_\-]?secret|auth)s?["']?[ \t]*(?:=>|:=|[:=])|(?:password|passwd)[ \t]))",
       std::nullopt, 512, true},
      {"http_authorization",
       R"(\b(?:proxy-)?authorization[ \t]*:[ \t]*(?:bearer|basic|token|digest|negotiate)[ \t]+([A-Za-z0-9._~+/=\-]{8,}))",
       true, nullptr, R"(authorization[ \t]*:[ \t]*(?:bearer|basic|token|digest|negotiate)[ \t])", std::nullopt, 0,
       true},
      // Personal data.
      {"email", R"(\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b)", false, nullptr,
       // Any character of a local part before the "@", any of a label after the first dot:
       // "john_@example.com", "zhang.wei@vip.163.com" are addresses too.
       R"([A-Za-z0-9._%+\-]@[A-Za-z0-9\-]+\.[A-Za-z0-9])", std::nullopt,
       // How far past the prefilter's hit the domain may go (RFC 5321: 255).
       320},
      {"payment_card", R"(\b[0-9](?:[ \-]?[0-9]){12,18}\b)", false, card_valid, "", DigitDetector::kPaymentCard},
      {"us_ssn", R"(\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b)", false, us_ssn_valid, "", DigitDetector::kUsSsn},
      {"iban", R"(\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b)", false, iban_valid, "",
       DigitDetector::kIban},
      {"phone", R"((?:\+[1-9][0-9]{0,2}[ .\-]?)?\(?[2-9][0-9]{2}\)?[ .\-][0-9]{3}[ .\-][0-9]{4}\b|\+[1-9][0-9]{6,14}\b)", false, phone_valid,
       "", DigitDetector::kPhone},
      {"ipv4", R"(\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b)", false, ipv4_valid, "", DigitDetector::kIpv4},
      {"ipv6", R"(\b(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?:[0-9A-Fa-f:]{0,20})\b)", false, ipv6_valid,
       // Two non-empty groups, each followed by a colon: C++'s std::string is not a candidate.
       R"([0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:)"},
  };
  return kDetectors;
}

}  // namespace mcpsandbox
