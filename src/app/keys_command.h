#pragma once
// `cognate keys ...`: signing-key administration on the configured store, run as a subcommand of
// the server binary (same settings, store and master key as `cognate` itself):
//   cognate keys list --pool <id>
//   cognate keys rotate --pool <id>
//   cognate keys delete-retired --pool <id> --older-than <seconds>
// Other arguments are the server's own settings (--data-dir, --database, --config, ...).

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "domain/service_context.h"

namespace cognate::app {

struct KeysCommand {
  std::string verb;  // "list", "rotate" or "delete-retired"
  std::string pool_id;
  std::int64_t older_than_s = 0;
};

struct KeysParse {
  std::optional<KeysCommand> command;  // set when args start with "keys" and parse
  std::vector<std::string> rest;       // the arguments left for LoadConfig
  std::string error;                   // usage error (exit 2); "" otherwise
  bool help = false;                   // `cognate keys --help`: print the usage, exit 0
};

// Splits `args` (argv without the program name). Not a keys command: command unset, rest = args.
KeysParse ParseKeysCommand(const std::vector<std::string>& args);

// The usage text of `cognate keys`.
std::string KeysUsage();

// Runs the command against `ctx` (its store and secret box); writes results to `out` and errors
// to `err`. Returns the process exit code (0 ok, 1 failure).
int RunKeysCommand(const KeysCommand& command, domain::ServiceContext& ctx, std::FILE* out,
                   std::FILE* err);

}  // namespace cognate::app
