#include "app/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <sstream>
#include <vector>

#define TOML_HEADER_ONLY 1  // see src/app/CMakeLists.txt
#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include "crypto/crypto.h"

extern char** environ;

namespace cognate::app {
namespace {

using Setter = std::function<std::string(Config&, const std::string&)>;  // "" or an error

struct Setting {
  const char* key;  // TOML key; the flag is --key with '_' as '-'; env COGNATE_KEY
  const char* help;
  bool is_flag;  // a boolean switch on the command line
  Setter set;
};

std::optional<long long> ParseInt(const std::string& s) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

Setter IntSetter(int Config::*field, long long lo, long long hi) {
  return [field, lo, hi](Config& c, const std::string& v) -> std::string {
    auto n = ParseInt(v);
    if (!n || *n < lo || *n > hi) {
      return "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    }
    c.*field = static_cast<int>(*n);
    return {};
  };
}

// A setting that takes one of a few words; the message lists them ("a, b or c").
Setter ChoiceSetter(std::string Config::*field, std::vector<std::string> choices) {
  return [field, choices = std::move(choices)](Config& c, const std::string& v) -> std::string {
    if (std::find(choices.begin(), choices.end(), v) != choices.end()) {
      c.*field = v;
      return {};
    }
    std::string list;
    for (std::size_t i = 0; i < choices.size(); ++i) {
      if (i > 0) list += i + 1 == choices.size() ? " or " : ", ";
      list += choices[i];
    }
    return "must be " + list;
  };
}

Setter StringSetter(std::string Config::*field) {
  return [field](Config& c, const std::string& v) -> std::string {
    c.*field = v;
    return {};
  };
}

bool AllOf(const std::string& s, int (*pred)(int)) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [pred](unsigned char ch) { return pred(ch) != 0; });
}

bool HasControl(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char ch) { return ch < 0x20 || ch == 0x7F; });
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"bind", "Address to listen on", false, StringSetter(&Config::bind)},
      {"port", "Port to listen on (0: any free port)", false,
       [](Config& c, const std::string& v) -> std::string {
         auto n = ParseInt(v);
         if (!n || *n < 0 || *n > 65535) return "must be a port number from 0 to 65535";
         c.port = static_cast<std::uint16_t>(*n);
         return {};
       }},
      {"data_dir", "Directory for the database, keys, credentials and outbox", false,
       [](Config& c, const std::string& v) -> std::string {
         if (v.empty()) return "must not be empty";
         c.data_dir = v;
         return {};
       }},
      {"database", "SQLite file path, sqlite://PATH, postgres://URL or memory", false,
       StringSetter(&Config::database)},
      {"dev", "Development mode: accept any SigV4 signature", true,
       [](Config& c, const std::string& v) -> std::string {
         std::string l = v;
         std::transform(l.begin(), l.end(), l.begin(),
                        [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
         if (l == "1" || l == "true" || l == "yes" || l == "on") {
           c.dev = true;
         } else if (l == "0" || l == "false" || l == "no" || l == "off" || l.empty()) {
           c.dev = false;
         } else {
           return "must be true or false";
         }
         return {};
       }},
      {"dev_fixed_code", "Development mode only: every one-time code sent is this value", false,
       [](Config& c, const std::string& v) -> std::string {
         const bool ok = v.size() <= 64 && std::all_of(v.begin(), v.end(), [](unsigned char ch) {
                           return ch > 0x20 && ch < 0x7F;
                         });
         if (!ok) return "must be at most 64 printable characters without spaces";
         c.dev_fixed_code = v;
         return {};
       }},
      {"public_url", "Public base URL (token issuer); default http://<bind>:<port>", false,
       [](Config& c, const std::string& v) -> std::string {
         if (!v.empty() && v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0) {
           return "must start with http:// or https://";
         }
         c.public_url = v;
         while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
         return {};
       }},
      {"region", "AWS region this deployment claims to be", false,
       [](Config& c, const std::string& v) -> std::string {
         // e.g. us-east-1, eu-central-2, us-gov-west-1
         bool ok = v.size() >= 4 && v.size() <= 32 &&
                   std::isdigit(static_cast<unsigned char>(v.back())) &&
                   std::all_of(v.begin(), v.end(),
                               [](unsigned char ch) {
                                 return std::islower(ch) || std::isdigit(ch) || ch == '-';
                               }) &&
                   v.find('-') != std::string::npos;
         if (!ok) return "must look like us-east-1";
         c.region = v;
         return {};
       }},
      {"account_id", "12-digit account id used in ARNs", false,
       [](Config& c, const std::string& v) -> std::string {
         if (v.size() != 12 || !AllOf(v, &isdigit)) return "must be 12 digits";
         c.account_id = v;
         return {};
       }},
      {"tls_cert", "PEM certificate chain; serve HTTPS", false, StringSetter(&Config::tls_cert)},
      {"tls_key", "PEM private key for --tls-cert", false, StringSetter(&Config::tls_key)},
      {"auth_host", "Host under which pool prefix domains are served as {prefix}.{auth_host}",
       false,
       [](Config& c, const std::string& v) -> std::string {
         std::string host = v;
         std::transform(host.begin(), host.end(), host.begin(),
                        [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
         bool ok = !host.empty() && host.size() <= 200 && host.front() != '.' &&
                   host.back() != '.' && host.find("..") == std::string::npos &&
                   std::all_of(host.begin(), host.end(), [](unsigned char ch) {
                     return std::isalnum(ch) || ch == '-' || ch == '.';
                   });
         if (!ok) return "must be a host name like auth.localhost";
         c.auth_host = host;
         return {};
       }},
      {"log_level", "trace, debug, info, warn, error, critical or off", false,
       ChoiceSetter(&Config::log_level,
                    {"trace", "debug", "info", "warn", "error", "critical", "off"})},
      {"io_threads", "I/O threads (0: one per core)", false,
       IntSetter(&Config::io_threads, 0, 1024)},
      {"compute_threads", "Compute threads (0: twice the cores, at least 4)", false,
       IntSetter(&Config::compute_threads, 0, 4096)},
      {"io_scheduling",
       "Scheduling policy of the I/O threads: batch (they do not preempt a busy compute thread "
       "on wake-up: more throughput on a saturated core) or normal",
       false, ChoiceSetter(&Config::io_scheduling, {"batch", "normal"})},
      {"read_snapshot",
       "SQLite reads: request (a request's reads share one snapshot, renewed after 20 ms: fewer "
       "read transactions) or read (each read opens its own)",
       false, ChoiceSetter(&Config::read_snapshot, {"request", "read"})},
      {"shutdown_grace_ms", "How long in-flight requests may run after SIGTERM", false,
       IntSetter(&Config::shutdown_grace_ms, 0, 3'600'000)},
      {"smtp_url", "SMTP relay for e-mail: smtp://host:port or smtps://host:port", false,
       [](Config& c, const std::string& v) -> std::string {
         if (!v.empty() && v.rfind("smtp://", 0) != 0 && v.rfind("smtps://", 0) != 0) {
           return "must start with smtp:// or smtps://";
         }
         if (HasControl(v)) return "must not contain control characters";
         c.smtp_url = v;
         return {};
       }},
      {"smtp_user", "SMTP AUTH user name", false, StringSetter(&Config::smtp_user)},
      {"smtp_password", "SMTP AUTH password (prefer the environment variable)", false,
       StringSetter(&Config::smtp_password)},
      {"smtp_from", "Sender of e-mail: address or 'Name <address>'", false,
       [](Config& c, const std::string& v) -> std::string {
         if (v.find('@') == std::string::npos || HasControl(v)) {
           return "must be an e-mail address or 'Name <address>'";
         }
         c.smtp_from = v;
         return {};
       }},
      {"smtp_starttls", "STARTTLS on smtp://: off, try or required", false,
       ChoiceSetter(&Config::smtp_starttls, {"off", "try", "required"})},
      {"smtp_timeout_ms", "Time limit of one SMTP transaction", false,
       IntSetter(&Config::smtp_timeout_ms, 100, 600'000)},
      {"sms_gateway_url", "HTTP endpoint that delivers SMS (JSON POST)", false,
       [](Config& c, const std::string& v) -> std::string {
         if (!v.empty() && v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0) {
           return "must start with http:// or https://";
         }
         if (HasControl(v)) return "must not contain control characters";
         c.sms_gateway_url = v;
         return {};
       }},
      {"sms_gateway_token", "Bearer token for the SMS gateway (prefer the environment variable)",
       false,
       [](Config& c, const std::string& v) -> std::string {
         if (HasControl(v)) return "must not contain control characters";
         c.sms_gateway_token = v;
         return {};
       }},
      {"sms_gateway_timeout_ms", "Time limit of one SMS gateway request", false,
       IntSetter(&Config::sms_gateway_timeout_ms, 100, 600'000)},
      {"trigger_secret", "HMAC key signing trigger calls (prefer the environment variable)", false,
       [](Config& c, const std::string& v) -> std::string {
         if (HasControl(v)) return "must not contain control characters";
         c.trigger_secret = v;
         return {};
       }},
      {"trigger_timeout_ms", "Time limit of one trigger invocation, retries included", false,
       IntSetter(&Config::trigger_timeout_ms, 100, 600'000)},
  };
  return kSettings;
}

std::string FlagName(const char* key) {
  std::string f = std::string("--") + key;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

std::string EnvName(const char* key) {
  std::string e = std::string("COGNATE_") + key;
  std::transform(e.begin(), e.end(), e.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return e;
}

// Adds "NAME=VALUE" (a flag) or NAME and VALUE (a TOML table entry) to a map setting.
std::string AddTrigger(Config& c, const std::string& name, const std::string& url) {
  if (name.empty() || HasControl(name)) return "needs a function name or ARN";
  if ((url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) || HasControl(url)) {
    return "URL for '" + name + "' must start with http:// or https://";
  }
  c.trigger_functions[name] = url;
  return {};
}

std::string AddKmsKey(Config& c, const std::string& id, const std::string& base64) {
  if (id.empty() || HasControl(id)) return "needs a key id";
  auto key = crypto::Base64Decode(base64);
  if (!key || key->size() != 32) return "key for '" + id + "' must be 32 bytes in base64";
  c.kms_keys[id] = *key;
  return {};
}

// "ARN" and "CERT,KEY": the certificate files behind a custom domain's certificate ARN.
std::string AddCertificate(Config& c, const std::string& arn, const std::string& files) {
  if (arn.rfind("arn:", 0) != 0 || HasControl(arn)) return "needs a certificate ARN";
  auto comma = files.rfind(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == files.size() || HasControl(files)) {
    return "files for '" + arn + "' must be CERT_PEM,KEY_PEM";
  }
  c.certificates[arn] = {files.substr(0, comma), files.substr(comma + 1)};
  return {};
}

// Splits "NAME=VALUE" before the value: at the first "=http" (a URL may hold '=' in its query),
// else at the first '=' (names and ARNs have none; base64 may end with '=').
std::string AddPair(Config& c, const std::string& pair,
                    std::string (*add)(Config&, const std::string&, const std::string&)) {
  auto eq = pair.find("=http");
  if (eq == std::string::npos) eq = pair.find('=');
  if (eq == std::string::npos) return "must be NAME=VALUE";
  return add(c, pair.substr(0, eq), pair.substr(eq + 1));
}

// The TOML value as the string a flag would carry, or nullopt for tables and arrays.
std::optional<std::string> TomlScalar(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
  return std::nullopt;
}

std::string LoadToml(const std::string& path, Config& config) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "config file " << path << ": " << e.description() << " (line " << e.source().begin.line
       << ")";
    return os.str();
  }
  for (const auto& [key, node] : table) {
    std::string k(key.str());
    if (k == "triggers" || k == "kms_keys" || k == "certificates") {
      const toml::table* entries = node.as_table();
      if (entries == nullptr) return "config file " + path + ": [" + k + "] must be a table";
      for (const auto& [name, value] : *entries) {
        auto text = value.as_string();
        if (text == nullptr) {
          return "config file " + path + ": " + k + "." + std::string(name.str()) +
                 " must be a string";
        }
        std::string err = k == "triggers" ? AddTrigger(config, std::string(name.str()), text->get())
                          : k == "kms_keys"
                              ? AddKmsKey(config, std::string(name.str()), text->get())
                              : AddCertificate(config, std::string(name.str()), text->get());
        if (!err.empty()) return "config file " + path + ": [" + k + "] " + err;
      }
      continue;
    }
    auto it = std::find_if(Settings().begin(), Settings().end(),
                           [&k](const Setting& s) { return k == s.key; });
    if (it == Settings().end()) return "config file " + path + ": unknown setting '" + k + "'";
    auto value = TomlScalar(node);
    if (!value) return "config file " + path + ": '" + k + "' must be a string, number or bool";
    if (auto err = it->set(config, *value); !err.empty()) {
      return "config file " + path + ": " + k + " " + err;
    }
  }
  return {};
}

}  // namespace

std::string Config::DatabaseUrl() const {
  if (database.empty())
    return "sqlite:" + (std::filesystem::path(data_dir) / "cognate.db").string();
  if (database == "memory" || UsesPostgres()) return database;
  if (database.rfind("sqlite://", 0) == 0) return "sqlite:" + database.substr(9);
  if (database.rfind("sqlite:", 0) == 0) return database;
  return "sqlite:" + database;
}

bool Config::UsesPostgres() const {
  return database.rfind("postgres://", 0) == 0 || database.rfind("postgresql://", 0) == 0;
}

std::string Config::SqlitePath() const {
  std::string url = DatabaseUrl();
  return url.rfind("sqlite:", 0) == 0 ? url.substr(7) : std::string();
}

std::string Config::PublicUrl(std::uint16_t actual_port) const {
  if (!public_url.empty()) return public_url;
  std::string host = bind;
  if (host == "0.0.0.0" || host == "::" || host.empty()) host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  bool tls = !tls_cert.empty() && !tls_key.empty();
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(actual_port);
}

ConfigOutcome LoadConfig(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env) {
  ConfigOutcome out;
  CLI::App cli{"Cognate: a self-hosted, wire-compatible Amazon Cognito"};
  cli.set_version_flag("--version", "cognate 0.1.0");
  std::string config_file;
  cli.add_option("--config", config_file, "TOML file with settings (env COGNATE_CONFIG)");
  std::vector<std::string> trigger_flags;
  std::vector<std::string> kms_flags;
  std::vector<std::string> certificate_flags;
  cli.add_option("--trigger", trigger_flags,
                 "NAME=URL: the HTTP function behind a trigger's function name or Lambda ARN "
                 "(repeatable; TOML table [triggers])");
  cli.add_option("--kms-key", kms_flags,
                 "ID=BASE64: the 32-byte key behind a pool's KMSKeyID for the custom senders "
                 "(repeatable; TOML table [kms_keys])");
  cli.add_option("--certificate", certificate_flags,
                 "ARN=CERT_PEM,KEY_PEM: the certificate files behind a custom domain's "
                 "CertificateArn (repeatable; TOML table [certificates])");
  std::vector<std::string> values(Settings().size());
  std::vector<CLI::Option*> options;
  for (std::size_t i = 0; i < Settings().size(); ++i) {
    const Setting& s = Settings()[i];
    std::string help = std::string(s.help) + " (env " + EnvName(s.key) + ")";
    if (s.is_flag) {
      options.push_back(cli.add_flag(FlagName(s.key))->description(help));
    } else {
      options.push_back(cli.add_option(FlagName(s.key), values[i], help));
    }
  }
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    cli.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out.message = cli.help();
    return out;
  } catch (const CLI::CallForVersion& e) {
    out.message = e.what();
    return out;
  } catch (const CLI::ParseError& e) {
    out.exit_code = 2;
    out.message = e.what();
    return out;
  }

  Config config;
  if (config_file.empty()) {
    if (auto it = env.find("COGNATE_CONFIG"); it != env.end()) config_file = it->second;
  }
  if (!config_file.empty()) {
    try {
      if (auto err = LoadToml(config_file, config); !err.empty()) {
        out.exit_code = 2;
        out.message = err;
        return out;
      }
    } catch (const std::exception& e) {
      out.exit_code = 2;
      out.message = "config file " + config_file + ": " + e.what();
      return out;
    }
    config.config_file = config_file;
  }
  for (const Setting& s : Settings()) {
    auto it = env.find(EnvName(s.key));
    if (it == env.end()) continue;
    if (auto err = s.set(config, it->second); !err.empty()) {
      out.exit_code = 2;
      out.message = EnvName(s.key) + " " + err;
      return out;
    }
  }
  for (std::size_t i = 0; i < Settings().size(); ++i) {
    const Setting& s = Settings()[i];
    if (options[i]->count() == 0) continue;
    if (auto err = s.set(config, s.is_flag ? "true" : values[i]); !err.empty()) {
      out.exit_code = 2;
      out.message = FlagName(s.key) + " " + err;
      return out;
    }
  }
  for (const auto& pair : trigger_flags) {
    if (auto err = AddPair(config, pair, &AddTrigger); !err.empty()) {
      out.exit_code = 2;
      out.message = "--trigger " + err;
      return out;
    }
  }
  for (const auto& pair : kms_flags) {
    if (auto err = AddPair(config, pair, &AddKmsKey); !err.empty()) {
      out.exit_code = 2;
      out.message = "--kms-key " + err;
      return out;
    }
  }
  for (const auto& pair : certificate_flags) {
    auto eq = pair.find('=');
    std::string err = eq == std::string::npos
                          ? "must be ARN=CERT_PEM,KEY_PEM"
                          : AddCertificate(config, pair.substr(0, eq), pair.substr(eq + 1));
    if (!err.empty()) {
      out.exit_code = 2;
      out.message = "--certificate " + err;
      return out;
    }
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    out.exit_code = 2;
    out.message = "--tls-cert and --tls-key go together";
    return out;
  }
  if (!config.dev_fixed_code.empty() && !config.dev) {
    out.exit_code = 2;
    out.message = "--dev-fixed-code is only allowed with --dev";
    return out;
  }
  if (config.database.find("://") != std::string::npos && !config.UsesPostgres() &&
      config.database.rfind("sqlite://", 0) != 0) {
    out.exit_code = 2;
    out.message = "--database must be a SQLite path, sqlite://PATH, postgres://URL or memory";
    return out;
  }
  out.config = std::move(config);
  return out;
}

std::map<std::string, std::string> CognateEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("COGNATE_", 0) != 0) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace cognate::app
