#include "proxy/message.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "proxy/error_codes.h"
#include "proxy/line_framer.h"

namespace mcpsandbox {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

static_assert(LineFramer::kLinePadding >= simdjson::SIMDJSON_PADDING,
              "the framer must leave the padding simdjson reads past a message");

constexpr std::string_view kMetaVersionKey = "io.modelcontextprotocol/protocolVersion";

Rejection reject(int code, std::string rule, std::string reason,
                 std::optional<RequestId> id = std::nullopt) {
  return Rejection{code, std::move(rule), std::move(reason), std::move(id)};
}

// Duplicate keys are legal JSON text, but parsers disagree on which one wins (the TypeScript
// SDK takes the last); a policy check must never see a different message than the server.
bool has_duplicate_keys(element value, size_t depth) {
  if (depth > MessageParser::kMaxDepth) return true;
  if (value.type() == element_type::ARRAY) {
    simdjson::dom::array items;
    if (value.get_array().get(items)) return false;
    for (element item : items) {
      if (has_duplicate_keys(item, depth + 1)) return true;
    }
    return false;
  }
  if (value.type() != element_type::OBJECT) return false;
  object fields;
  if (value.get_object().get(fields)) return false;
  // Most objects have a handful of keys: compare pairwise on the stack, and only sort (which
  // allocates) for large ones.
  constexpr size_t kSmall = 16;
  std::string_view small[kSmall];
  size_t count = 0;
  std::vector<std::string_view> many;
  for (auto field : fields) {
    if (count < kSmall) {
      for (size_t i = 0; i < count; ++i) {
        if (small[i] == field.key) return true;
      }
      small[count++] = field.key;
    } else {
      if (many.empty()) many.assign(small, small + kSmall);
      many.push_back(field.key);
    }
    if (has_duplicate_keys(field.value, depth + 1)) return true;
  }
  if (many.empty()) return false;
  std::sort(many.begin(), many.end());
  return std::adjacent_find(many.begin(), many.end()) != many.end();
}

// A numeric id is an integer within ±(2^53 - 1): beyond, a JavaScript server (and any that
// reads numbers as doubles) sees two ids as one, and would have one request's answer filed as
// another's. Such ids, and fractions, are not ids here (the message is refused with id null).
constexpr int64_t kLargestSafeInteger = 9007199254740991;

std::optional<RequestId> numeric_id(int64_t number, element value) {
  if (number > kLargestSafeInteger || number < -kLargestSafeInteger) return std::nullopt;
  return RequestId{"n:" + std::to_string(number), simdjson::minify(value)};
}

std::optional<RequestId> read_id(element value) {
  switch (value.type()) {
    case element_type::STRING: {
      std::string_view text = value.get_string().value_unsafe();
      return RequestId{"s:" + std::string(text), simdjson::minify(value)};
    }
    case element_type::INT64:
      return numeric_id(value.get_int64().value_unsafe(), value);
    case element_type::UINT64:
      return std::nullopt;  // above INT64_MAX, far beyond 2^53
    case element_type::DOUBLE: {
      double number = value.get_double().value_unsafe();
      if (std::trunc(number) != number || std::fabs(number) > static_cast<double>(kLargestSafeInteger)) {
        return std::nullopt;
      }
      return numeric_id(static_cast<int64_t>(number), value);
    }
    default:
      return std::nullopt;
  }
}

std::string string_at(element parent, std::string_view key) {
  std::string_view text;
  if (parent.type() == element_type::OBJECT && !parent[key].get_string().get(text)) {
    return std::string(text);
  }
  return {};
}

ParsedMessage classify_members(element root);

ParsedMessage classify(element root) {
  ParsedMessage parsed = classify_members(root);
  if (auto* rejection = std::get_if<Rejection>(&parsed)) {
    element method;
    rejection->has_method =
        root.type() == element_type::OBJECT && !root["method"].get(method);
  }
  return parsed;
}

ParsedMessage classify_members(element root) {
  if (root.type() == element_type::ARRAY) {
    return reject(error_code::kInvalidRequest, "jsonrpc.batch",
                  "JSON-RPC batches are not supported by MCP");
  }
  if (root.type() != element_type::OBJECT) {
    return reject(error_code::kInvalidRequest, "jsonrpc.shape",
                  "a JSON-RPC message must be a JSON object");
  }
  std::optional<element> version, id, method, params, result, error;
  object members;
  if (root.get_object().get(members)) return reject(error_code::kInvalidRequest, "jsonrpc.shape", "not an object");
  for (auto field : members) {
    if (field.key == "jsonrpc") version = field.value;
    else if (field.key == "id") id = field.value;
    else if (field.key == "method") method = field.value;
    else if (field.key == "params") params = field.value;
    else if (field.key == "result") result = field.value;
    else if (field.key == "error") error = field.value;
    else {
      return reject(error_code::kInvalidRequest, "jsonrpc.member",
                    "unknown top-level member '" + std::string(field.key) + "'",
                    id ? read_id(*id) : std::nullopt);
    }
  }
  std::optional<RequestId> request_id = id ? read_id(*id) : std::nullopt;
  std::string_view version_text;
  if (!version || version->get_string().get(version_text) || version_text != "2.0") {
    return reject(error_code::kInvalidRequest, "jsonrpc.version",
                  "\"jsonrpc\" must be \"2.0\"", request_id);
  }
  if (id && !request_id) {
    return reject(error_code::kInvalidRequest, "jsonrpc.id",
                  "\"id\" must be a string or an integer within +-(2^53 - 1)");
  }

  MessageInfo info;
  if (method) {
    std::string_view name;
    if (method->get_string().get(name) || name.empty()) {
      return reject(error_code::kInvalidRequest, "jsonrpc.method",
                    "\"method\" must be a non-empty string", request_id);
    }
    if (result || error) {
      return reject(error_code::kInvalidRequest, "jsonrpc.shape",
                    "a request cannot carry \"result\" or \"error\"", request_id);
    }
    if (params && params->type() != element_type::OBJECT &&
        params->type() != element_type::ARRAY) {
      return reject(error_code::kInvalidRequest, "jsonrpc.params",
                    "\"params\" must be an object or an array", request_id);
    }
    info.kind = id ? MessageKind::kRequest : MessageKind::kNotification;
    info.method = std::string(name);
    info.id = request_id;
    info.params = params;
    if (params && params->type() == element_type::OBJECT) {
      element meta;
      if (!(*params)["_meta"].get(meta)) info.meta_protocol_version = string_at(meta, kMetaVersionKey);
      info.params_protocol_version = string_at(*params, "protocolVersion");
      element cancelled;
      if (info.method == "notifications/cancelled" && !(*params)["requestId"].get(cancelled)) {
        info.cancelled_id = read_id(cancelled);
      }
    }
    return info;
  }

  if (!id) {
    return reject(error_code::kInvalidRequest, "jsonrpc.shape",
                  "a message needs \"method\" (request, notification) or \"id\" (response)");
  }
  if (params) {
    return reject(error_code::kInvalidRequest, "jsonrpc.shape",
                  "a response cannot carry \"params\"", request_id);
  }
  if (static_cast<bool>(result) == static_cast<bool>(error)) {
    return reject(error_code::kInvalidRequest, "jsonrpc.shape",
                  "a response carries exactly one of \"result\" and \"error\"", request_id);
  }
  if (error) {
    int64_t code;
    std::string_view message;
    if (error->type() != element_type::OBJECT || (*error)["code"].get_int64().get(code) ||
        (*error)["message"].get_string().get(message)) {
      return reject(error_code::kInvalidRequest, "jsonrpc.error",
                    "\"error\" must be an object with integer \"code\" and string \"message\"",
                    request_id);
    }
  }
  info.kind = MessageKind::kResponse;
  info.id = request_id;
  info.is_error = static_cast<bool>(error);
  info.result = result;
  info.error = error;
  if (result) {
    info.result_protocol_version = string_at(*result, "protocolVersion");
    info.result_type = string_at(*result, "resultType");
  }
  return info;
}

}  // namespace

MessageParser::MessageParser() : parser_(simdjson::SIMDJSON_MAXSIZE_BYTES) {
  // simdjson keeps one stack frame per level it may descend; bounding it here is what makes a
  // 100k-level message an error instead of a crash.
  if (parser_.allocate(0, kMaxDepth)) std::abort();  // only fails when out of memory
}

ParsedMessage MessageParser::parse(std::string_view line) {
  recent_.observe(line.size());
  element root;
  auto failure = parser_.parse(line.data(), line.size(), false).get(root);
  if (failure == simdjson::CAPACITY || failure == simdjson::MEMALLOC) {
    if (parser_.allocate(line.size(), kMaxDepth)) {
      return reject(error_code::kParseError, "json.memory", "out of memory parsing the message");
    }
    failure = parser_.parse(line.data(), line.size(), false).get(root);
  }
  if (failure == simdjson::DEPTH_ERROR) {
    return reject(error_code::kParseError, "json.depth",
                  "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  if (failure == simdjson::UTF8_ERROR) {
    return reject(error_code::kParseError, "json.utf8", "message is not valid UTF-8");
  }
  if (failure) {
    return reject(error_code::kParseError, "json.syntax",
                  std::string("invalid JSON: ") + simdjson::error_message(failure));
  }
  ParsedMessage parsed = classify(root);
  if (has_duplicate_keys(root, 0)) {
    std::optional<RequestId> id;
    if (auto* info = std::get_if<MessageInfo>(&parsed)) id = info->id;
    // The top-level id itself may be the duplicated key; then nobody knows which one counts.
    if (root.type() == element_type::OBJECT) {
      int ids = 0;
      object members;
      if (!root.get_object().get(members)) {
        for (auto field : members) ids += field.key == "id";
      }
      if (ids > 1) id.reset();
    }
    Rejection rejection = reject(error_code::kParseError, "json.duplicate_key",
                                 "duplicate object keys are ambiguous and not accepted", id);
    element method;
    rejection.has_method = root.type() == element_type::OBJECT && !root["method"].get(method);
    return rejection;
  }
  if (auto* info = std::get_if<MessageInfo>(&parsed)) info->root = root;
  return parsed;
}

void MessageParser::trim() {
  if (!recent_.oversized(parser_.capacity())) return;
  if (parser_.allocate(RecentPeak::kAlwaysKeep, kMaxDepth)) {
    std::abort();  // shrinking cannot fail short of running out of memory
  }
}

ParsedMessage MessageParser::parse_copy(std::string_view line) {
  simdjson::padded_string copy(line);
  return parse(std::string_view(copy.data(), copy.size()));
}

}  // namespace mcpsandbox
