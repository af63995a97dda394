#pragma once
// Cognate's settings and where they come from: built-in defaults < a TOML file (`--config` or
// COGNATE_CONFIG) < COGNATE_* environment variables < command-line flags. docs/operating.md
// lists every setting.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cognate::app {

struct Config {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 9229;  // 0: any free port (the real one is logged)
  std::string data_dir = "./data";
  std::string database;  // "" = SQLite at <data_dir>/cognate.db; or a path, sqlite://, postgres://
  bool dev = false;      // accept any SigV4 signature
  // --dev only: every generated one-time code is this value (local test suites type it).
  std::string dev_fixed_code;
  std::string public_url;  // "" = http(s)://<bind>:<port> (127.0.0.1 for a wildcard bind)
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string tls_cert;
  std::string tls_key;
  // Pool prefix domains are served as "{prefix}.{auth_host}" (lowercase host name).
  std::string auth_host = "auth.localhost";
  // TOML table [certificates] or repeated --certificate ARN=CERT,KEY: the certificate files behind
  // a custom domain's CustomDomainConfig.CertificateArn (PEM chain and key paths).
  struct CertificateFiles {
    std::string cert_file;
    std::string key_file;
  };
  std::map<std::string, CertificateFiles, std::less<>> certificates;
  std::string log_level = "info";       // trace, debug, info, warn, error, critical, off
  int io_threads = 0;                   // 0: one per core
  int compute_threads = 0;              // 0: twice the cores, at least 4
  std::string io_scheduling = "batch";  // batch | normal: the I/O threads' Linux policy
  // request | read: whether a request's SQLite reads share one snapshot (Store::PinReads)
  std::string read_snapshot = "request";
  int shutdown_grace_ms = 10'000;
  std::string config_file;  // the TOML file read, if any

  // Outbound messages. Without an SMTP URL e-mail goes to <data_dir>/outbox.jsonl; without a
  // gateway URL SMS does too.
  std::string smtp_url;       // smtp://host[:port] or smtps://host[:port]
  std::string smtp_user;      // empty: no SMTP AUTH
  std::string smtp_password;  // prefer COGNATE_SMTP_PASSWORD; never logged
  std::string smtp_from = "no-reply@verificationemail.com";  // "addr" or "Name <addr>"
  std::string smtp_starttls = "try";                         // off | try | required
  int smtp_timeout_ms = 20'000;
  std::string sms_gateway_url;    // http(s):// endpoint taking a JSON POST
  std::string sms_gateway_token;  // sent as "Authorization: Bearer <token>"; never logged
  int sms_gateway_timeout_ms = 10'000;

  // Triggers: Cognito's Lambda triggers as HTTP functions (outbound/http_trigger_invoker.h).
  // TOML table [triggers] or repeated --trigger NAME=URL: a function name or Lambda ARN -> URL.
  std::map<std::string, std::string, std::less<>> trigger_functions;
  // HMAC key of X-Cognate-Signature; "" = the contents of <data_dir>/trigger-secret, created
  // (random, mode 0600) on first start. Prefer COGNATE_TRIGGER_SECRET; never logged.
  std::string trigger_secret;
  int trigger_timeout_ms = 5'000;
  // TOML table [kms_keys] or repeated --kms-key ID=BASE64: the KMSKeyID a pool's LambdaConfig
  // names -> a 32-byte key (standard base64) that encrypts codes for the custom senders.
  std::map<std::string, std::string, std::less<>> kms_keys;  // decoded: 32 raw bytes

  // The store to open: "memory", "sqlite:<path>" or the postgres:// URL as given.
  std::string DatabaseUrl() const;
  bool UsesPostgres() const;
  // The SQLite file when the store is SQLite.
  std::string SqlitePath() const;
  // public_url, or the URL derived from bind, `actual_port` and TLS.
  std::string PublicUrl(std::uint16_t actual_port) const;
};

struct ConfigOutcome {
  std::optional<Config> config;  // set when the program should run
  int exit_code = 0;             // otherwise: 0 after --help/--version, 2 on a bad setting
  std::string message;           // what to print (help text or the error)
};

// Reads the settings from `args` (argv without the program name), `env` (the process
// environment) and the TOML file they name. Never exits or throws.
ConfigOutcome LoadConfig(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env);

// The process environment as a map (COGNATE_* only).
std::map<std::string, std::string> CognateEnvironment();

}  // namespace cognate::app
