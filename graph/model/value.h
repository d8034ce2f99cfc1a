#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "graph/model/date.h"

namespace innograph {

// The type of a property value. Persisted (schema and record codec): never renumber.
enum class ValueType : uint8_t {
  kString = 1,
  kInt = 2,
  kDouble = 3,
  kBool = 4,
  kDate = 5,
};

// A typed property value. The variant's alternative order matches nothing on disk; the codec
// writes ValueType explicitly.
using Value = std::variant<std::string, int64_t, double, bool, Date>;

// Properties sorted by name, so encodings are canonical.
using PropertyMap = std::map<std::string, Value>;

ValueType TypeOf(const Value& v);

// "string", "int", "double", "bool", "date".
const char* ValueTypeName(ValueType t);

// Parses a ValueTypeName; false when unknown.
bool ParseValueType(absl::string_view name, ValueType* out);

// A short human form of a value, for messages and tables.
std::string ValueToString(const Value& v);

}  // namespace innograph
