// cognate: the composition root. Reads the settings, opens the store, builds the services and
// serves them over HTTP until SIGINT/SIGTERM.

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "api/api_types.h"
#include "api/aws_json_service.h"
#include "api/cognito_idp/register.h"
#include "api/dispatcher.h"
#include "api/hosted_ui/hosted_ui_handler.h"
#include "api/oauth2/oauth_handler.h"
#include "api/router.h"
#include "api/well_known.h"
#include "app/bootstrap.h"
#include "app/config.h"
#include "app/keys_command.h"
#include "common/clock.h"
#include "crypto/crypto.h"
#include "domain/service_context.h"
#include "http/http_server.h"
#include "outbound/curl_global.h"
#include "outbound/http_trigger_invoker.h"
#include "outbound/outbox_sink.h"
#include "outbound/routing_sink.h"
#include "outbound/sms_gateway_sink.h"
#include "outbound/smtp_sink.h"
#include "store/memory/memory_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace cognate::app {
namespace {

namespace fs = std::filesystem;

// Answers 503 until the real handler is installed (the port is bound before the services are
// built, so `--port 0` can name the real port in the public URL).
class LateHandler final : public api::RequestHandler {
 public:
  void Set(api::RequestHandler* target) { target_.store(target); }
  api::ApiResponse Handle(const api::ApiRequest& request) override {
    if (auto* t = target_.load()) return t->Handle(request);
    api::ApiResponse r;
    r.status = 503;
    r.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
    r.headers.emplace_back("x-amzn-ErrorType", "ServiceUnavailableException");
    r.body = R"({"__type":"ServiceUnavailableException","message":"Starting up."})";
    r.error_type = "ServiceUnavailableException";
    return r;
  }
  bool IsCpuHeavy(const api::ApiRequest& request) const override {
    auto* t = target_.load();
    return t != nullptr && t->IsCpuHeavy(request);
  }
  bool IsInlineSafe(const api::ApiRequest& request) const override {
    auto* t = target_.load();
    return t != nullptr && t->IsInlineSafe(request);
  }

 private:
  std::atomic<api::RequestHandler*> target_{nullptr};
};

// Gives each request one read snapshot of the store (Store::PinReads): its reads then skip
// starting a read transaction each.
class PinnedReadsHandler final : public api::RequestHandler {
 public:
  PinnedReadsHandler(store::Store& store, api::RequestHandler& inner)
      : store_(store), inner_(inner) {}
  api::ApiResponse Handle(const api::ApiRequest& request) override {
    auto pin = store_.PinReads();
    return inner_.Handle(request);
  }
  bool IsCpuHeavy(const api::ApiRequest& request) const override {
    return inner_.IsCpuHeavy(request);
  }
  bool IsInlineSafe(const api::ApiRequest& request) const override {
    return inner_.IsInlineSafe(request);
  }

 private:
  store::Store& store_;
  api::RequestHandler& inner_;
};

// Key commands send no messages.
using RecordingMessageSinkForCommands = domain::RecordingMessageSink;

// The access lines' sink: formatted like every other line, written into stderr's buffer, flushed
// only when asked (spdlog's console sinks flush every line).
class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stderr);  // stdio's own lock keeps lines whole
  }
  void flush_() override { std::fflush(stderr); }
};

// Every line goes to stderr. Each line of the main logger is flushed as it is written; the access
// lines of the HTTP layer (logger "access", its own sink) are only buffered: the next line of the
// main logger, a full buffer or the flush every second writes them out, in order. That saves a
// system call per request; kill -9 may lose up to a second of access lines, never any other line
// (docs/decisions.md, "Access lines written in batches").
void SetUpLogging(const std::string& level) {
  static char stderr_buffer[1 << 16];
  std::setvbuf(stderr, stderr_buffer, _IOFBF, sizeof stderr_buffer);
  auto logger = spdlog::stderr_color_mt("cognate");
  auto access = std::make_shared<spdlog::logger>("access", std::make_shared<BufferedStderrSink>());
  spdlog::register_logger(access);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::flush_on(spdlog::level::info);
  access->flush_on(spdlog::level::off);
  spdlog::flush_every(std::chrono::seconds(1));
}

// `handler_threads`: how many threads may read at once (each request pins a reader connection
// of the SQLite store; PinnedReadsHandler).
std::unique_ptr<store::Store> OpenStore(const Config& config, unsigned handler_threads) {
  std::string url = config.DatabaseUrl();
  if (url == "memory") {
    spdlog::warn("using the in-memory store: nothing survives a restart");
    return std::make_unique<store::MemoryStore>();
  }
  if (config.UsesPostgres()) {
    int pool = std::max(4, config.compute_threads > 0
                               ? config.compute_threads
                               : 2 * static_cast<int>(std::thread::hardware_concurrency()));
    return std::make_unique<store::PostgresStore>(config.database, pool);
  }
  fs::path path = config.SqlitePath();
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  store::SqliteOptions options;
  options.reader_connections =
      std::max(options.reader_connections, static_cast<int>(handler_threads));
  return std::make_unique<store::SqliteStore>(path.string(), options);
}

int Run(int argc, char** argv) {
  // Before any thread starts: SIGINT/SIGTERM stay pending until RunUntilSignal() takes them.
  http::HttpServer::BlockStopSignals();
  std::vector<std::string> args(argv + 1, argv + argc);
  // `cognate keys ...` runs one key command against the configured store, then exits.
  KeysParse keys = ParseKeysCommand(args);
  if (keys.help) {
    std::printf("%s\n", KeysUsage().c_str());
    return 0;
  }
  if (!keys.error.empty()) {
    std::fprintf(stderr, "cognate keys: %s\n%s\n", keys.error.c_str(), KeysUsage().c_str());
    return 2;
  }
  if (keys.command) args = keys.rest;
  auto env = CognateEnvironment();
  ConfigOutcome outcome = LoadConfig(args, env);
  if (!outcome.config) {
    std::fprintf(outcome.exit_code == 0 ? stdout : stderr, "%s\n", outcome.message.c_str());
    return outcome.exit_code;
  }
  const Config& config = *outcome.config;
  SetUpLogging(config.log_level);
  if (!config.config_file.empty()) spdlog::info("settings from {}", config.config_file);

  fs::path data_dir = config.data_dir;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    spdlog::critical("cannot create the data directory {}: {}", data_dir.string(), ec.message());
    return 1;
  }
  ::chmod(data_dir.c_str(), 0700);

  auto key = LoadOrCreateMasterKey(data_dir, env);
  if (!key) {
    spdlog::critical("master key: {}", key.error);
    return 1;
  }
  crypto::SecretBox secret_box(*key.value);

  http::HttpServerOptions http_options;
  http_options.bind_address = config.bind;
  http_options.port = config.port;
  http_options.io_threads = config.io_threads;
  http_options.compute_threads = config.compute_threads;
  http_options.io_batch_scheduling = config.io_scheduling == "batch";
  // Embedded SQLite (WAL: readers never wait for the writer) and memory answer reads in
  // microseconds; PostgreSQL reads cross the network, so they stay off the I/O threads.
  http_options.inline_reads = !config.UsesPostgres();
  // A sign-in on PostgreSQL waits for a dozen round trips; more threads on the sign-in lane let
  // one compute while others wait (the lane still computes one request per core at a time).
  http_options.heavy_threads_per_slot = config.UsesPostgres() ? 4 : 1;
  http_options.tls_cert_file = config.tls_cert;
  http_options.tls_key_file = config.tls_key;
  for (const auto& [arn, files] : config.certificates) {
    http_options.sni_certificates.emplace_back(files.cert_file, files.key_file);
  }
  http_options.shutdown_grace = std::chrono::milliseconds(config.shutdown_grace_ms);
  std::unique_ptr<store::Store> store = OpenStore(config, http::HandlerThreads(http_options));
  if (!store) return 1;
  if (auto migrated = store->Migrate(); !migrated) {
    spdlog::critical("cannot migrate the {} store: {}", store->BackendName(),
                     migrated.error().detail());
    return 1;
  }

  SystemClock clock;
  if (keys.command) {
    RecordingMessageSinkForCommands sink;
    domain::DeploymentConfig deployment;
    deployment.region = config.region;
    deployment.account_id = config.account_id;
    deployment.public_url = config.PublicUrl(config.port);
    domain::ServiceContext context{*store, clock, secret_box, sink, deployment};
    return RunKeysCommand(*keys.command, context, stdout, stderr);
  }
  outbound::OutboxSink outbox(data_dir / "outbox.jsonl", clock);
  std::unique_ptr<outbound::SmtpSink> smtp;
  if (!config.smtp_url.empty()) {
    outbound::SmtpOptions o;
    o.url = config.smtp_url;
    o.username = config.smtp_user;
    o.password = config.smtp_password;
    o.from = config.smtp_from;
    o.starttls = config.smtp_starttls == "off"        ? outbound::StartTls::kOff
                 : config.smtp_starttls == "required" ? outbound::StartTls::kRequired
                                                      : outbound::StartTls::kTry;
    o.timeout = std::chrono::milliseconds(config.smtp_timeout_ms);
    smtp = std::make_unique<outbound::SmtpSink>(std::move(o), clock);
    spdlog::info("e-mail via {} from {}{}", outbound::RedactUrl(config.smtp_url), config.smtp_from,
                 config.smtp_user.empty() ? "" : " (authenticated)");
  } else {
    spdlog::info("e-mail goes to the outbox {}", outbox.path().string());
  }
  std::unique_ptr<outbound::SmsGatewaySink> sms;
  if (!config.sms_gateway_url.empty()) {
    outbound::SmsGatewayOptions o;
    o.url = config.sms_gateway_url;
    o.token = config.sms_gateway_token;
    o.timeout = std::chrono::milliseconds(config.sms_gateway_timeout_ms);
    sms = std::make_unique<outbound::SmsGatewaySink>(std::move(o));
    spdlog::info("SMS via {}", outbound::RedactUrl(config.sms_gateway_url));
  } else {
    spdlog::info("SMS goes to the outbox {}", outbox.path().string());
  }
  outbound::RoutingSink messages(outbox, smtp.get(), sms.get());

  LateHandler late;
  http::HttpServer server(late, http_options);
  if (auto err = server.Start(); !err.empty()) {
    spdlog::critical("{}", err);
    return 1;
  }

  domain::DeploymentConfig deployment;
  deployment.region = config.region;
  deployment.account_id = config.account_id;
  deployment.public_url = config.PublicUrl(server.port());
  deployment.dev_fixed_code = config.dev_fixed_code;
  deployment.kms_keys = config.kms_keys;
  deployment.auth_host = config.auth_host;
  for (const auto& [arn, files] : config.certificates) {
    deployment.certificates[arn] = {files.cert_file, files.key_file};
  }

  outbound::HttpTriggerOptions trigger_options;
  trigger_options.functions = config.trigger_functions;
  trigger_options.timeout = std::chrono::milliseconds(config.trigger_timeout_ms);
  if (!config.trigger_secret.empty()) {
    trigger_options.secret = config.trigger_secret;
  } else {
    auto secret = EnsureTriggerSecret(*store, secret_box, data_dir);
    if (!secret) {
      spdlog::critical("{}", secret.error);
      server.Stop();
      return 1;
    }
    trigger_options.secret = std::move(*secret.value);
  }
  outbound::HttpTriggerInvoker trigger_invoker(std::move(trigger_options));
  spdlog::info("triggers: {} named function(s), calls signed with the key in {}",
               config.trigger_functions.size(),
               config.trigger_secret.empty() ? (data_dir / "trigger-secret").string()
                                             : std::string("the configured trigger secret"));
  domain::ServiceContext context{*store, clock, secret_box, messages, deployment, &trigger_invoker};

  api::HandlerRegistry idp;
  api::HandlerRegistry identity;
  std::shared_ptr<domain::tokens::TokenService> tokens =
      api::cognito_idp::RegisterAll(idp, context);

  auto root = EnsureRootCredential(*store, secret_box, clock.NowMillis());
  if (!root) {
    spdlog::critical("{}", root.error);
    server.Stop();
    return 1;
  }
  if (auto err = WriteCliProfile(data_dir, *root.value, config.region, deployment.public_url);
      !err.empty()) {
    spdlog::error("cannot write the AWS CLI profile: {}", err);
  }
  if (root.value->created) {
    spdlog::info("created the root credential {}; AWS CLI profile 'cognate' written to {}",
                 root.value->access_key_id, (data_dir / "credentials").string());
  }

  api::AwsJsonOptions json_options;
  json_options.dev_mode = config.dev;
  json_options.region = config.region;
  api::AwsJsonService aws_json(idp, identity, MakeSecretLookup(*store, secret_box), clock,
                               json_options);
  api::Router router(aws_json);
  api::WellKnownHandler well_known(tokens);
  router.AddSuffix(std::string(api::kJwksSuffix), well_known);
  router.AddSuffix(std::string(api::kOpenIdConfigurationSuffix), well_known);
  domain::oauth::OAuthService oauth(context, tokens);
  api::oauth2::OAuthHandler oauth_endpoints(context, oauth);
  api::oauth2::RegisterRoutes(router, oauth_endpoints);
  api::hosted_ui::HostedUiHandler hosted_pages(context, tokens, oauth);
  api::hosted_ui::RegisterRoutes(router, hosted_pages);
  PinnedReadsHandler pinned(*store, router);
  if (config.read_snapshot == "request") {
    late.Set(&pinned);
  } else {
    late.Set(&router);
  }

  if (config.dev) {
    spdlog::warn("**********************************************************************");
    spdlog::warn("DEV MODE: any SigV4 signature is accepted. Never expose this server.");
    if (!config.dev_fixed_code.empty()) {
      spdlog::warn("DEV MODE: every one-time code is the fixed value from --dev-fixed-code.");
    }
    spdlog::warn("**********************************************************************");
  }
  spdlog::info("store {}, {} operations, public URL {}, data in {}", store->BackendName(),
               idp.All().size(), deployment.public_url, data_dir.string());
  spdlog::info("listening on {}:{}{}", config.bind, server.port(), server.tls() ? " (TLS)" : "");

  server.RunUntilSignal();
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace cognate::app

int main(int argc, char** argv) { return cognate::app::Run(argc, argv); }
