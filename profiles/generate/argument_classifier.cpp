#include "profiles/generate/argument_classifier.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace mcpsandbox {
namespace {

using Kind = ArgumentKind::Kind;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// camelCase and kebab-case to snake_case, lower case: `repoPath` and `repo-path` -> `repo_path`.
std::string snake(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty() && out.back() != '_') out += '_';
    out += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool carries_strings(const nlohmann::json& schema) {
  if (!schema.is_object()) return false;
  auto type = schema.value("type", nlohmann::json());
  auto is = [&](const char* name) {
    return type == name || (type.is_array() && std::find(type.begin(), type.end(), name) != type.end());
  };
  if (is("string")) return true;
  if (is("array") && schema.contains("items")) return carries_strings(schema["items"]);
  return type.is_null() && !schema.contains("properties");  // untyped: could be anything
}

bool word_in(const std::string& text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    bool start = at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]));
    size_t end = at + word.size();
    bool stop = end == text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
    if (start && stop) return true;
  }
  return false;
}

constexpr std::array kPathNames = {"path", "paths", "file", "files", "filename", "filenames",
                                   "filepath", "dir", "directory", "directories", "dirname",
                                   "folder", "source", "destination", "src", "dest", "root",
                                   "cwd", "workdir", "working_directory"};
constexpr std::array kPathSuffixes = {"_path", "_paths", "_dir", "_directory", "_file", "_folder", "_root"};
constexpr std::array kUrlNames = {"url", "urls", "uri", "href", "link", "endpoint", "website"};
constexpr std::array kUrlSuffixes = {"_url", "_uri", "_urls", "_endpoint"};
constexpr std::array kCommandNames = {"command", "cmd", "shell", "script", "shell_command", "command_line"};

template <typename Names>
bool listed(const Names& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

template <typename Suffixes>
bool any_suffix(const Suffixes& suffixes, const std::string& name) {
  return std::any_of(suffixes.begin(), suffixes.end(), [&](const char* s) { return ends_with(name, s); });
}

}  // namespace

ArgumentKind classify_argument(const std::string& name, const nlohmann::json& schema) {
  if (!carries_strings(schema)) return {};
  std::string key = snake(name);
  const nlohmann::json& item = schema.value("type", "") == "array" ? schema["items"] : schema;
  std::string format = lower(item.is_object() ? item.value("format", "") : "");
  if (format == "uri" || format == "url" || format == "iri" || listed(kUrlNames, key) ||
      any_suffix(kUrlSuffixes, key)) {
    return {Kind::kUrl, format.empty() ? "URL by name" : "format: " + format};
  }
  if (listed(kCommandNames, key)) return {Kind::kCommand, "command line by name"};
  if (listed(kPathNames, key) || any_suffix(kPathSuffixes, key)) return {Kind::kPath, "path by name"};
  if (format == "path" || format == "file-path" || format == "uri-reference") {
    return {Kind::kPath, "format: " + format};
  }
  std::string description = lower(schema.value("description", ""));
  if (word_in(description, "path") || word_in(description, "directory") || word_in(description, "folder")) {
    return {Kind::kPath, "description mentions a path"};
  }
  return {};
}

}  // namespace mcpsandbox
