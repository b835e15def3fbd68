// The one JSON library (Boost.JSON) and small typed accessors used at every JSON boundary.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus {

namespace json = boost::json;

// Parses text as JSON; the error names the position and reason in plain words.
Result<json::value> parse_json(std::string_view text);
// The same, with the value's memory taken from `storage` (e.g. a json::monotonic_resource over a buffer on
// the stack, for a value read and dropped at once). The value must not outlive the resource.
Result<json::value> parse_json(std::string_view text, json::storage_ptr storage);

// Looks up a dotted path ("user.name", "answers.0.text") in a value; nullptr when absent.
const json::value* find_path(const json::value& root, std::string_view dotted_path);

// Typed reads that tolerate absence and JSON null. A number read as a string yields its decimal form.
std::optional<std::string> get_string(const json::value& obj, std::string_view key);
std::optional<std::int64_t> get_int(const json::value& obj, std::string_view key);
std::optional<double> get_double(const json::value& obj, std::string_view key);
std::optional<bool> get_bool(const json::value& obj, std::string_view key);
// The same reads on an object already in hand (no copy of it into a value).
std::optional<std::string> get_string(const json::object& obj, std::string_view key);
std::optional<std::int64_t> get_int(const json::object& obj, std::string_view key);
std::optional<double> get_double(const json::object& obj, std::string_view key);
std::optional<bool> get_bool(const json::object& obj, std::string_view key);

// Converts a scalar to its natural string form (strings unquoted, numbers in decimal); nullopt for
// null, objects and arrays.
std::optional<std::string> scalar_to_string(const json::value& v);

// Compact JSON with numbers in their shortest round-trip form ("-0.5423", never "-5.423E-1").
// Use it for everything Chorus writes.
std::string to_json_string(const json::value& v);

// The pieces of to_json_string, for writers that build a line without a json::value: a number as it
// writes doubles, and a string quoted and escaped as it writes strings.
void append_json_number(std::string& out, double d);
void append_json_string(std::string& out, std::string_view s);

}  // namespace chorus
