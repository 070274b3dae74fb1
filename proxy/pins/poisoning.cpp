#include "proxy/pins/poisoning.h"

#include "proxy/policy/ascii.h"

#include "proxy/policy/text_cleaner.h"

#include <algorithm>
#include <cctype>

namespace mcpsandbox {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr const char* kModelInstructions[] = {
    "<important>", "</important>", "<system>", "[system]", "ignore previous", "ignore all previous",
    "ignore the previous", "disregard previous", "disregard all previous", "forget your instructions",
    "do not tell the user", "don't tell the user", "do not inform the user", "do not mention this",
    "without telling the user", "without informing the user", "hide this from the user",
    "the user must not know", "never reveal"};

constexpr const char* kCredentialHints[] = {"~/.ssh", ".ssh/", "id_rsa", "id_ed25519", ".aws/credentials",
                                            "/.env", ".netrc", "mcp.json", "private key", "keychain",
                                            "/etc/shadow", "credentials file"};

// Code points a person does not see but a model reads.
const char* invisible_kind(uint32_t point) {
  if (point >= 0xE0000 && point <= 0xE007F) return "Unicode tag characters (invisible text)";
  if ((point >= 0x200B && point <= 0x200F) || (point >= 0x2060 && point <= 0x2064) || point == 0xFEFF) {
    return "zero-width characters";
  }
  if ((point >= 0x202A && point <= 0x202E) || (point >= 0x2066 && point <= 0x2069)) {
    return "bidirectional override characters";
  }
  return nullptr;
}

void scan_unicode(std::string_view text, std::vector<PoisoningFinding>& findings) {
  for (size_t i = 0; i < text.size();) {
    size_t length = 1;
    uint32_t point = decode_utf8(text, i, length);
    i += length;
    if (const char* kind = invisible_kind(point)) {
      findings.push_back({true, std::string("hidden ") + kind});
      return;  // one finding per kind of problem is enough
    }
  }
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

bool mentions_word(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    bool start = at == 0 || !is_word_char(text[at - 1]);
    bool end = at + word.size() == text.size() || !is_word_char(text[at + word.size()]);
    if (start && end) return true;
  }
  return false;
}

size_t longest_encoded_run(std::string_view text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    bool encoded = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
    run = encoded ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

}  // namespace

void collect_strings(element value, std::vector<std::string_view>& out, size_t depth) {
  if (depth > 64) return;
  switch (value.type()) {
    case element_type::STRING:
      out.push_back(value.get_string().value_unsafe());
      return;
    case element_type::OBJECT: {
      simdjson::dom::object members = value.get_object().value_unsafe();
      for (auto field : members) collect_strings(field.value, out, depth + 1);
      return;
    }
    case element_type::ARRAY: {
      simdjson::dom::array items = value.get_array().value_unsafe();
      for (element item : items) collect_strings(item, out, depth + 1);
      return;
    }
    default:
      return;
  }
}

std::vector<std::string> model_instruction_phrases() {
  return std::vector<std::string>(std::begin(kModelInstructions), std::end(kModelInstructions));
}

std::vector<PoisoningFinding> scan_description_text(std::string_view text,
                                                    const std::vector<std::string>& other_tools) {
  std::vector<PoisoningFinding> findings;
  scan_unicode(text, findings);
  std::string folded = ascii_lower(text);
  for (const char* phrase : kModelInstructions) {
    if (folded.find(phrase) != std::string::npos) {
      findings.push_back({true, std::string("instructions aimed at the model (\"") + phrase + "\")"});
      break;
    }
  }
  for (const char* hint : kCredentialHints) {
    if (folded.find(hint) != std::string::npos) {
      findings.push_back({false, std::string("refers to credentials (\"") + hint + "\")"});
      break;
    }
  }
  for (const std::string& tool : other_tools) {
    if (tool.size() >= 4 && mentions_word(text, tool)) {
      findings.push_back({false, "mentions another tool, '" + tool + "' (possible shadowing)"});
      break;
    }
  }
  if (longest_encoded_run(text) >= 120) {
    findings.push_back({false, "contains a long encoded blob"});
  }
  return findings;
}

std::vector<PoisoningFinding> scan_tool_definition(element tool,
                                                   const std::vector<std::string>& other_tools) {
  std::vector<std::string_view> texts;
  for (const char* member : {"title", "description", "inputSchema", "outputSchema"}) {
    element value;
    if (!tool[member].get(value)) collect_strings(value, texts, 0);
  }
  std::vector<PoisoningFinding> findings;
  for (std::string_view text : texts) {
    for (PoisoningFinding& finding : scan_description_text(text, other_tools)) {
      bool seen = std::any_of(findings.begin(), findings.end(),
                              [&](const PoisoningFinding& f) { return f.what == finding.what; });
      if (!seen) findings.push_back(std::move(finding));
    }
  }
  return findings;
}

}  // namespace mcpsandbox
