#include "graph/model/value.h"

#include "absl/strings/str_cat.h"

namespace innograph {

ValueType TypeOf(const Value& v) {
  switch (v.index()) {
    case 0:
      return ValueType::kString;
    case 1:
      return ValueType::kInt;
    case 2:
      return ValueType::kDouble;
    case 3:
      return ValueType::kBool;
    default:
      return ValueType::kDate;
  }
}

const char* ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "string";
    case ValueType::kInt:
      return "int";
    case ValueType::kDouble:
      return "double";
    case ValueType::kBool:
      return "bool";
    case ValueType::kDate:
      return "date";
  }
  return "unknown";
}

bool ParseValueType(absl::string_view name, ValueType* out) {
  for (ValueType t : {ValueType::kString, ValueType::kInt, ValueType::kDouble, ValueType::kBool,
                      ValueType::kDate}) {
    if (name == ValueTypeName(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

std::string ValueToString(const Value& v) {
  struct Visitor {
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(int64_t i) const { return absl::StrCat(i); }
    std::string operator()(double d) const { return absl::StrCat(d); }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(Date d) const { return FormatDate(d); }
  };
  return std::visit(Visitor{}, v);
}

}  // namespace innograph
