#include "server/config.h"

#include <charconv>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "toml.hpp"

ABSL_FLAG(std::string, config, "",
          "A TOML file of flag settings, one `name = value` per flag (e.g. data_dir = "
          "\"/var/lib/innograph\"); flags on the command line override it. See "
          "docs/operations.md and --print-config.");
ABSL_FLAG(bool, print_config, false,
          "Print the effective configuration (every server flag as TOML `name = value`, after "
          "--config and the command line are applied) and exit; the output is a valid --config "
          "file.");

namespace innograph::server {
namespace {

// How a flag's value is written in TOML.
enum class FlagKind { kBool, kInt, kFloat, kString, kList, kOther };

FlagKind KindOf(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<bool>()) return FlagKind::kBool;
  if (flag.IsOfType<short>() || flag.IsOfType<unsigned short>() || flag.IsOfType<int>() ||
      flag.IsOfType<unsigned int>() || flag.IsOfType<long>() || flag.IsOfType<unsigned long>() ||
      flag.IsOfType<long long>() || flag.IsOfType<unsigned long long>()) {
    return FlagKind::kInt;
  }
  if (flag.IsOfType<double>() || flag.IsOfType<float>()) return FlagKind::kFloat;
  if (flag.IsOfType<std::string>()) return FlagKind::kString;
  if (flag.IsOfType<std::vector<std::string>>()) return FlagKind::kList;
  return FlagKind::kOther;  // Parsed from its text form (e.g. absl::Duration "10s").
}

// The flags a config file may set and --print-config prints: those defined in server/*.cc
// (absl records the defining file), minus the two that steer the config machinery itself.
bool IsConfigurable(const absl::CommandLineFlag& flag) {
  if (flag.Name() == "config" || flag.Name() == "print_config") return false;
  return std::filesystem::path(flag.Filename()).parent_path().filename() == "server";
}

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string DoubleText(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);  // Shortest round-trip form.
  return ec == std::errc() ? std::string(buf, end) : absl::StrCat(d);
}

const char* TomlTypeName(toml::value_t t) {
  switch (t) {
    case toml::value_t::boolean:
      return "a boolean";
    case toml::value_t::integer:
      return "an integer";
    case toml::value_t::floating:
      return "a float";
    case toml::value_t::string:
      return "a string";
    case toml::value_t::array:
      return "an array";
    case toml::value_t::table:
      return "a table";
    case toml::value_t::offset_datetime:
    case toml::value_t::local_datetime:
    case toml::value_t::local_date:
    case toml::value_t::local_time:
      return "a date or time";
    case toml::value_t::empty:
      break;
  }
  return "an empty value";
}

const char* WantedType(FlagKind kind) {
  switch (kind) {
    case FlagKind::kBool:
      return "a boolean (true or false)";
    case FlagKind::kInt:
      return "an integer";
    case FlagKind::kFloat:
      return "a number";
    case FlagKind::kList:
      return "an array of strings";
    case FlagKind::kString:
    case FlagKind::kOther:
      break;
  }
  return "a string";
}

using Value = toml::basic_value<toml::discard_comments, std::map, std::vector>;

// The flag's text form of a TOML value; false (with *error) when the TOML type does not fit.
bool ValueText(const Value& v, FlagKind kind, std::string* text, std::string* error) {
  const toml::value_t t = v.type();
  bool fits = false;
  if (t == toml::value_t::boolean && kind == FlagKind::kBool) {
    *text = v.as_boolean() ? "true" : "false";
    fits = true;
  } else if (t == toml::value_t::integer && (kind == FlagKind::kInt || kind == FlagKind::kFloat)) {
    *text = absl::StrCat(v.as_integer());
    fits = true;
  } else if (t == toml::value_t::floating && kind == FlagKind::kFloat) {
    *text = DoubleText(v.as_floating());
    fits = true;
  } else if (t == toml::value_t::string &&
             (kind == FlagKind::kString || kind == FlagKind::kOther)) {
    *text = v.as_string().str;
    fits = true;
  } else if (t == toml::value_t::array && kind == FlagKind::kList) {
    std::vector<std::string> items;
    for (const Value& item : v.as_array()) {
      if (!item.is_string()) {
        *error = absl::StrCat("want an array of strings, got an array holding ",
                              TomlTypeName(item.type()));
        return false;
      }
      items.push_back(item.as_string().str);
    }
    *text = absl::StrJoin(items, ",");
    fits = true;
  }
  if (!fits) *error = absl::StrCat("want ", WantedType(kind), ", got ", TomlTypeName(t));
  return fits;
}

}  // namespace

std::string ConfigFlagPath() { return absl::GetFlag(FLAGS_config); }

bool PrintConfigRequested() { return absl::GetFlag(FLAGS_print_config); }

absl::Status ApplyConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("config file '", path, "': cannot read it"));
  }
  Value root;
  try {
    root = toml::parse<toml::discard_comments, std::map, std::vector>(in, path);
  } catch (const std::exception& e) {
    // toml11's message names the file, line and column.
    return absl::InvalidArgumentError(
        absl::StrCat("config file '", path, "' is not valid TOML: ", e.what()));
  }
  for (const auto& [raw_key, value] : root.as_table()) {
    std::string name = raw_key;
    for (char& c : name) {
      if (c == '-') c = '_';
    }
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("config file '", path, "': key '", raw_key, "': ", why));
    };
    if (name == "config" || name == "print_config") {
      return fail("cannot be set in a config file");
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr || !IsConfigurable(*flag)) {
      if (value.is_table()) {
        return fail("a table; the config has only top-level `name = value` keys");
      }
      return fail("not an innograph-server flag (see --print-config for the known keys)");
    }
    std::string text;
    std::string error;
    if (!ValueText(value, KindOf(*flag), &text, &error)) return fail(error);
    if (!flag->ParseFrom(text, &error))
      return fail(absl::StrCat("bad value '", text, "': ", error));
  }
  return absl::OkStatus();
}

std::string EffectiveConfigToml() {
  std::map<std::string, const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (IsConfigurable(*flag)) flags.emplace(std::string(name), flag);
  }
  std::string out =
      "# innograph-server effective configuration (--print-config); usable as --config FILE.\n";
  for (const auto& [name, flag] : flags) {
    const std::string value = flag->CurrentValue();
    std::string toml_value;
    switch (KindOf(*flag)) {
      case FlagKind::kBool:
      case FlagKind::kInt:
        toml_value = value;
        break;
      case FlagKind::kFloat: {
        double d = 0;
        toml_value = absl::SimpleAtod(value, &d) ? DoubleText(d) : TomlString(value);
        break;
      }
      case FlagKind::kList: {
        std::vector<std::string> items;
        for (absl::string_view item : absl::StrSplit(value, ',', absl::SkipEmpty())) {
          items.push_back(TomlString(std::string(item)));
        }
        toml_value = absl::StrCat("[", absl::StrJoin(items, ", "), "]");
        break;
      }
      case FlagKind::kString:
      case FlagKind::kOther:
        toml_value = TomlString(value);
        break;
    }
    absl::StrAppend(&out, name, " = ", toml_value, "\n");
  }
  return out;
}

}  // namespace innograph::server
