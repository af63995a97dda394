#include "app/keys_command.h"

#include <ctime>

#include "domain/tokens/token_service.h"
#include "domain/userpool/pool_repository.h"

namespace cognate::app {
namespace {

std::string IsoTime(std::int64_t ms) {
  if (ms <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "--name value" or "--name=value" at args[i]; advances i past what it consumed.
bool TakeFlag(const std::vector<std::string>& args, std::size_t& i, const std::string& name,
              std::optional<std::string>& value, std::string& error) {
  const std::string& a = args[i];
  if (a == name) {
    if (i + 1 >= args.size()) {
      error = name + " needs a value";
      return true;
    }
    value = args[++i];
    return true;
  }
  if (a.rfind(name + "=", 0) == 0) {
    value = a.substr(name.size() + 1);
    return true;
  }
  return false;
}

}  // namespace

std::string KeysUsage() {
  return "Usage: cognate keys <command> --pool <user pool id> [server settings]\n"
         "Commands:\n"
         "  list                              the pool's signing keys, newest first\n"
         "  rotate                            add a key that signs from now on; retire the others\n"
         "  delete-retired --older-than <s>   delete keys retired at least <s> seconds ago\n"
         "Server settings (--data-dir, --database, --config, ...) name the store and master key\n"
         "exactly as for the server.";
}

KeysParse ParseKeysCommand(const std::vector<std::string>& args) {
  KeysParse p;
  if (args.empty() || args[0] != "keys") {
    p.rest = args;
    return p;
  }
  KeysCommand cmd;
  std::optional<std::string> pool;
  std::optional<std::string> older;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      p.help = true;
      return p;
    }
    if (TakeFlag(args, i, "--pool", pool, p.error) ||
        TakeFlag(args, i, "--older-than", older, p.error)) {
      if (!p.error.empty()) return p;
      continue;
    }
    if (cmd.verb.empty() && !a.empty() && a[0] != '-') {
      cmd.verb = a;
      continue;
    }
    p.rest.push_back(a);
  }
  if (cmd.verb != "list" && cmd.verb != "rotate" && cmd.verb != "delete-retired") {
    p.error = cmd.verb.empty() ? "missing keys command" : "unknown keys command: " + cmd.verb;
    return p;
  }
  if (!pool || pool->empty()) {
    p.error = "--pool is required";
    return p;
  }
  cmd.pool_id = *pool;
  if (cmd.verb == "delete-retired") {
    if (!older) {
      p.error = "--older-than is required for delete-retired";
      return p;
    }
    try {
      std::size_t used = 0;
      cmd.older_than_s = std::stoll(*older, &used);
      if (used != older->size() || cmd.older_than_s < 0) throw std::invalid_argument("range");
    } catch (const std::exception&) {
      p.error = "--older-than must be a number of seconds >= 0";
      return p;
    }
  } else if (older) {
    p.error = "--older-than applies to delete-retired only";
    return p;
  }
  p.command = std::move(cmd);
  return p;
}

int RunKeysCommand(const KeysCommand& command, domain::ServiceContext& ctx, std::FILE* out,
                   std::FILE* err) {
  domain::tokens::TokenService tokens(ctx);
  if (command.verb == "rotate") {
    auto kid = tokens.RotateSigningKey(command.pool_id);
    if (!kid) {
      std::fprintf(err, "%s: %s\n", std::string(kid.error().type_name()).c_str(),
                   kid.error().message().c_str());
      return 1;
    }
    std::fprintf(out, "%s\n", kid->c_str());
    return 0;
  }
  if (command.verb == "delete-retired") {
    auto n = tokens.DeleteRetiredKeys(command.pool_id, command.older_than_s);
    if (!n) {
      std::fprintf(err, "%s: %s\n", std::string(n.error().type_name()).c_str(),
                   n.error().message().c_str());
      return 1;
    }
    std::fprintf(out, "deleted %d retired key(s)\n", *n);
    return 0;
  }
  auto pool = domain::userpool::LoadPool(ctx, command.pool_id);
  if (!pool) {
    std::fprintf(err, "%s: %s\n", std::string(pool.error().type_name()).c_str(),
                 pool.error().message().c_str());
    return 1;
  }
  auto rows = ctx.store.ListSigningKeys(command.pool_id);
  if (!rows) {
    std::fprintf(err, "cannot list signing keys: %s\n", rows.error().detail().c_str());
    return 1;
  }
  bool signing_seen = false;
  for (const auto& r : *rows) {
    const char* state = "retired";
    if (r.retired_ms == 0) {
      state = signing_seen ? "live" : "signing";
      signing_seen = true;
    }
    std::fprintf(out, "%s\t%s\tcreated %s\tretired %s\n", r.kid.c_str(), state,
                 IsoTime(r.created_ms).c_str(), IsoTime(r.retired_ms).c_str());
  }
  return 0;
}

}  // namespace cognate::app
