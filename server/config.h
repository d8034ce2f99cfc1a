#pragma once

// The server's configuration file: TOML whose top-level keys are the names of innograph-server's
// own flags (the flags defined in server/*.cc), e.g.
//
//   data_dir = "/var/lib/innograph"
//   listen = "127.0.0.1:50051"
//   sync_writes = true
//   default_max_results = 1000
//
// Values are typed: a boolean flag takes a TOML boolean, an integer flag a TOML integer, a
// floating-point flag a TOML integer or float, a string flag a TOML string, a list flag an
// array of strings. A key may be spelled with dashes (data-dir) too.
//
// main() applies the file named by --config to the flags first and parses the command line
// afterwards, so a flag given on the command line overrides the file. --print-config prints the
// effective configuration in the same format, so its output can be fed back as a config file.
//
// Not thread-safe: call from main() before any thread reads flags.

#include <string>

#include "absl/status/status.h"

namespace innograph::server {

// The path given by --config (empty when none).
std::string ConfigFlagPath();
// True when --print-config was given.
bool PrintConfigRequested();

// Sets the flags named by the top-level keys of the TOML file at `path`. INVALID_ARGUMENT,
// naming the file and the key, when the file cannot be read or parsed, a key is not a server
// flag (or is config / print_config), a value has the wrong TOML type, or the flag refuses the
// value. Flags set before the error keep their new values: the caller exits.
absl::Status ApplyConfigFile(const std::string& path);

// The effective configuration as TOML: every flag of the server's own source files except
// config and print_config, sorted by name, one `name = value` line each, after a comment line.
std::string EffectiveConfigToml();

}  // namespace innograph::server
