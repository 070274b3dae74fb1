#include "profiles/generate/jsonc_writer.h"

namespace mcpsandbox {
namespace {

constexpr size_t kInlineWidth = 88;

std::string spaces(int indent) { return std::string(static_cast<size_t>(indent), ' '); }

// Comments quote names a server chose: one line of printable ASCII, whatever they contain.
std::string one_line(std::string comment) {
  for (char& c : comment) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return comment;
}

// One line, spaced as a person writes it, ASCII only (escapes for the rest).
std::string inline_json(const nlohmann::json& value) {
  auto text = [](const nlohmann::json& scalar) { return scalar.dump(-1, ' ', true); };
  if (value.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + inline_json(value[i]);
    return out + "]";
  }
  if (value.is_object()) {
    if (value.empty()) return "{}";
    std::string out = "{ ";
    bool first = true;
    for (const auto& [key, member] : value.items()) {
      out += (first ? "" : ", ") + text(key) + ": " + inline_json(member);
      first = false;
    }
    return out + " }";
  }
  return text(value);
}

}  // namespace

JsoncNode& JsoncNode::set(const std::string& key, JsoncNode node, std::string comment) {
  comment = one_line(std::move(comment));
  for (size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].first == key) {
      members_[i].second = std::move(node);
      if (!comment.empty()) comments_[i] = std::move(comment);
      return members_[i].second;
    }
  }
  members_.emplace_back(key, std::move(node));
  comments_.push_back(std::move(comment));
  return members_.back().second;
}

void JsoncNode::note(std::string text) {
  members_.emplace_back("", value(nullptr));
  comments_.push_back(one_line(std::move(text)));
}

JsoncNode* JsoncNode::find(const std::string& key) {
  for (auto& [name, node] : members_) {
    if (!name.empty() && name == key) return &node;
  }
  return nullptr;
}

JsoncNode& JsoncNode::child(const std::string& key, std::string comment) {
  if (JsoncNode* existing = find(key)) return *existing;
  return set(key, object(), std::move(comment));
}

std::string JsoncNode::render_inline() const {
  if (!is_object_) return inline_json(scalar_);
  if (members_.empty()) return "{}";
  std::string text = "{ ";
  for (size_t i = 0; i < members_.size(); ++i) {
    if (i) text += ", ";  // (no notes here: an object with one never renders inline)
    text += inline_json(members_[i].first) + ": " + members_[i].second.render_inline();
  }
  return text + " }";
}

// Inline when no member carries its own comment and the whole fits a line. (A lone scalar is
// always "inline"; render() wraps a long array itself.)
bool JsoncNode::fits_inline() const {
  if (!is_object_) return true;
  for (size_t i = 0; i < members_.size(); ++i) {
    if (!comments_[i].empty() || is_note(i) || !members_[i].second.fits_inline()) return false;
  }
  return render_inline().size() <= kInlineWidth;
}

// A long array of scalars, a few per line.
static std::string wrapped_array(const nlohmann::json& array, int indent) {
  std::string text = "[\n", line;
  for (size_t i = 0; i < array.size(); ++i) {
    std::string item = inline_json(array[i]) + (i + 1 < array.size() ? "," : "");
    if (!line.empty() && line.size() + item.size() + 1 > kInlineWidth) {
      text += spaces(indent + 2) + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + item;
  }
  if (!line.empty()) text += spaces(indent + 2) + line + "\n";
  return text + spaces(indent) + "]";
}

std::string JsoncNode::render(int indent) const {
  if (!is_object_ && scalar_.is_array() && render_inline().size() > kInlineWidth) {
    return wrapped_array(scalar_, indent);
  }
  if (fits_inline()) return render_inline();
  size_t last_value = members_.size();
  for (size_t i = 0; i < members_.size(); ++i) {
    if (!is_note(i)) last_value = i;
  }
  std::string text = "{\n";
  for (size_t i = 0; i < members_.size(); ++i) {
    const auto& [key, node] = members_[i];
    const std::string& comment = comments_[i];
    if (is_note(i)) {
      text += spaces(indent + 2) + "// " + comment + "\n";
      continue;
    }
    std::string value = node.render(indent + 2);
    bool multi_line = value.find('\n') != std::string::npos;
    if (!comment.empty() && multi_line) text += spaces(indent + 2) + "// " + comment + "\n";
    text += spaces(indent + 2) + inline_json(key) + ": " + value;
    if (i < last_value) text += ",";
    if (!comment.empty() && !multi_line) text += "  // " + comment;
    text += "\n";
  }
  return text + spaces(indent) + "}";
}

}  // namespace mcpsandbox
