// JsoncNode: a JSON value under construction whose members carry comments, rendered as JSON with
// `//` comments (the profile format) so a generated profile says where every line came from.
// Small objects and arrays of scalars render on one line; a member's comment goes after its
// value on that line, or on the line above when the value spans several.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace mcpsandbox {

class JsoncNode {
 public:
  static JsoncNode object() { return JsoncNode(true); }
  static JsoncNode value(nlohmann::json scalar) {
    JsoncNode node(false);
    node.scalar_ = std::move(scalar);
    return node;
  }

  // Adds (or replaces) a member and returns it, so nested objects can be filled in place.
  JsoncNode& set(const std::string& key, JsoncNode node, std::string comment = "");
  JsoncNode& set(const std::string& key, nlohmann::json scalar, std::string comment = "") {
    return set(key, value(std::move(scalar)), std::move(comment));
  }
  // A comment line among the members (renders as `// text`, forces the object onto lines).
  void note(std::string text);
  JsoncNode* find(const std::string& key);
  // The member `key`, created as an empty object if absent.
  JsoncNode& child(const std::string& key, std::string comment = "");
  bool empty() const { return is_object_ ? members_.empty() : scalar_.is_null(); }

  std::string render(int indent = 0) const;

 private:
  explicit JsoncNode(bool is_object) : is_object_(is_object) {}
  std::string render_inline() const;
  bool fits_inline() const;

  bool is_object_;
  nlohmann::json scalar_;
  // In insertion order; a note is a member with an empty key whose comment is the text.
  std::vector<std::pair<std::string, JsoncNode>> members_;
  std::vector<std::string> comments_;  // one per member, may be empty
  bool is_note(size_t i) const { return members_[i].first.empty(); }
};

}  // namespace mcpsandbox
