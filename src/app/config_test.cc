#include "app/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace cognate::app {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cognate-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string WriteToml(const std::string& text) {
    auto p = dir_ / "cognate.toml";
    std::ofstream(p) << text;
    return p.string();
  }

  fs::path dir_;
};

TEST_F(ConfigTest, Defaults) {
  auto out = LoadConfig({}, {});
  ASSERT_TRUE(out.config) << out.message;
  const Config& c = *out.config;
  EXPECT_EQ(c.bind, "127.0.0.1");
  EXPECT_EQ(c.port, 9229);
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_FALSE(c.dev);
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.account_id, "000000000000");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.DatabaseUrl(), "sqlite:./data/cognate.db");
  EXPECT_EQ(c.SqlitePath(), "./data/cognate.db");
  EXPECT_FALSE(c.UsesPostgres());
  EXPECT_EQ(c.PublicUrl(9229), "http://127.0.0.1:9229");
}

TEST_F(ConfigTest, FlagsSetEverything) {
  auto out = LoadConfig({"--port",
                         "0",
                         "--bind",
                         "0.0.0.0",
                         "--data-dir",
                         "/tmp/x",
                         "--dev",
                         "--region",
                         "eu-west-2",
                         "--account-id",
                         "123456789012",
                         "--log-level",
                         "debug",
                         "--io-threads",
                         "3",
                         "--compute-threads",
                         "8",
                         "--public-url",
                         "https://id.example.com/",
                         "--database",
                         "postgres://u@localhost/cognate"},
                        {});
  ASSERT_TRUE(out.config) << out.message;
  const Config& c = *out.config;
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.bind, "0.0.0.0");
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_TRUE(c.dev);
  EXPECT_EQ(c.region, "eu-west-2");
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.io_threads, 3);
  EXPECT_EQ(c.compute_threads, 8);
  EXPECT_EQ(c.public_url, "https://id.example.com");  // trailing slash dropped
  EXPECT_TRUE(c.UsesPostgres());
  EXPECT_EQ(c.DatabaseUrl(), "postgres://u@localhost/cognate");
  EXPECT_EQ(c.SqlitePath(), "");
}

TEST_F(ConfigTest, PrecedenceDefaultsTomlEnvFlags) {
  std::string file = WriteToml(
      "port = 1111\nregion = \"eu-central-1\"\nlog_level = \"warn\"\ndev = true\n"
      "data_dir = \"/from/toml\"\n");
  // TOML over defaults.
  auto t = LoadConfig({"--config", file}, {});
  ASSERT_TRUE(t.config) << t.message;
  EXPECT_EQ(t.config->port, 1111);
  EXPECT_EQ(t.config->region, "eu-central-1");
  EXPECT_TRUE(t.config->dev);
  EXPECT_EQ(t.config->config_file, file);
  EXPECT_EQ(t.config->bind, "127.0.0.1");

  // Env over TOML.
  auto e = LoadConfig({"--config", file}, {{"COGNATE_PORT", "2222"}, {"COGNATE_DEV", "false"}});
  ASSERT_TRUE(e.config) << e.message;
  EXPECT_EQ(e.config->port, 2222);
  EXPECT_FALSE(e.config->dev);
  EXPECT_EQ(e.config->region, "eu-central-1");

  // Flags over env.
  auto f = LoadConfig({"--config", file, "--port", "3333", "--data-dir", "/from/flag"},
                      {{"COGNATE_PORT", "2222"}, {"COGNATE_DATA_DIR", "/from/env"}});
  ASSERT_TRUE(f.config) << f.message;
  EXPECT_EQ(f.config->port, 3333);
  EXPECT_EQ(f.config->data_dir, "/from/flag");
  EXPECT_EQ(f.config->log_level, "warn");
  EXPECT_EQ(f.config->DatabaseUrl(), "sqlite:/from/flag/cognate.db");
}

TEST_F(ConfigTest, ConfigFileFromEnvironment) {
  std::string file = WriteToml("port = 4444\n");
  auto out = LoadConfig({}, {{"COGNATE_CONFIG", file}});
  ASSERT_TRUE(out.config) << out.message;
  EXPECT_EQ(out.config->port, 4444);
}

TEST_F(ConfigTest, BadValuesAreRejectedWithExitCode2) {
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string mentions;
  };
  std::vector<Case> cases = {
      {{"--port", "70000"}, {}, "--port"},
      {{"--port", "abc"}, {}, "--port"},
      {{"--region", "Mars"}, {}, "--region"},
      {{"--account-id", "12"}, {}, "--account-id"},
      {{"--log-level", "loud"}, {}, "--log-level"},
      {{"--public-url", "ftp://x"}, {}, "--public-url"},
      {{"--tls-cert", "c.pem"}, {}, "--tls-key"},
      {{"--database", "mysql://x"}, {}, "--database"},
      {{"--no-such-flag"}, {}, "no-such-flag"},
      {{}, {{"COGNATE_PORT", "-1"}}, "COGNATE_PORT"},
      {{}, {{"COGNATE_DEV", "maybe"}}, "COGNATE_DEV"},
      {{}, {{"COGNATE_IO_THREADS", "x"}}, "COGNATE_IO_THREADS"},
  };
  for (const auto& c : cases) {
    auto out = LoadConfig(c.args, c.env);
    EXPECT_FALSE(out.config) << c.mentions;
    EXPECT_EQ(out.exit_code, 2) << c.mentions;
    EXPECT_NE(out.message.find(c.mentions), std::string::npos) << out.message;
  }
}

TEST_F(ConfigTest, BadTomlIsRejected) {
  auto syntax = LoadConfig({"--config", WriteToml("port = \n")}, {});
  EXPECT_EQ(syntax.exit_code, 2);
  EXPECT_NE(syntax.message.find("config file"), std::string::npos);
  auto unknown = LoadConfig({"--config", WriteToml("prot = 1\n")}, {});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.message.find("prot"), std::string::npos);
  auto table = LoadConfig({"--config", WriteToml("[port]\nx = 1\n")}, {});
  EXPECT_EQ(table.exit_code, 2);
  auto value = LoadConfig({"--config", WriteToml("port = 99999\n")}, {});
  EXPECT_EQ(value.exit_code, 2);
  auto missing = LoadConfig({"--config", (dir_ / "absent.toml").string()}, {});
  EXPECT_EQ(missing.exit_code, 2);
}

TEST_F(ConfigTest, TriggerFunctionsAndKmsKeysFromTomlAndFlags) {
  const std::string key_a(32, 'a');
  const std::string key_b(32, 'b');
  const std::string b64_a = "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=";  // 32 x 'a'
  const std::string b64_b = "YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI=";  // 32 x 'b'
  auto file = WriteToml(
      "trigger_timeout_ms = 2500\n"
      "[triggers]\n"
      "\"pre-signup\" = \"http://127.0.0.1:7000/pre\"\n"
      "\"arn:aws:lambda:us-east-1:1:function:x\" = \"https://fn.example/x?a=b\"\n"
      "[kms_keys]\n"
      "\"arn:aws:kms:us-east-1:1:key/k1\" = \"" +
      b64_a + "\"\n");
  auto out = LoadConfig(
      {"--config", file, "--trigger", "pre-signup=http://127.0.0.1:7001/over", "--trigger",
       "migrate=http://h/m?x=1", "--kms-key", "arn:aws:kms:us-east-1:1:key/k2=" + b64_b},
      {});
  ASSERT_TRUE(out.config) << out.message;
  const Config& c = *out.config;
  EXPECT_EQ(c.trigger_timeout_ms, 2500);
  EXPECT_EQ(c.trigger_functions.size(), 3u);
  EXPECT_EQ(c.trigger_functions.at("pre-signup"), "http://127.0.0.1:7001/over");  // flag wins
  EXPECT_EQ(c.trigger_functions.at("arn:aws:lambda:us-east-1:1:function:x"),
            "https://fn.example/x?a=b");
  EXPECT_EQ(c.trigger_functions.at("migrate"), "http://h/m?x=1");
  EXPECT_EQ(c.kms_keys.at("arn:aws:kms:us-east-1:1:key/k1"), key_a);
  EXPECT_EQ(c.kms_keys.at("arn:aws:kms:us-east-1:1:key/k2"), key_b);
}

TEST_F(ConfigTest, BadTriggerSettingsAreRejected) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--trigger", "no-equals"},
           {"--trigger", "f=ftp://x"},
           {"--trigger", "=http://x"},
           {"--kms-key", "k=c2hvcnQ="},  // "short"
           {"--kms-key", "k=not base64"},
           {"--trigger-timeout-ms", "0"},
       }) {
    auto out = LoadConfig(args, {});
    EXPECT_FALSE(out.config) << args[0] << " " << args[1];
    EXPECT_EQ(out.exit_code, 2) << args[1];
  }
  auto table = LoadConfig({"--config", WriteToml("triggers = \"x\"\n")}, {});
  EXPECT_FALSE(table.config);
  auto value = LoadConfig({"--config", WriteToml("[triggers]\nf = 1\n")}, {});
  EXPECT_FALSE(value.config);
  EXPECT_NE(value.message.find("triggers.f must be a string"), std::string::npos) << value.message;
}

TEST_F(ConfigTest, AuthHostAndCertificates) {
  EXPECT_EQ(LoadConfig({}, {}).config->auth_host, "auth.localhost");
  auto file = WriteToml(
      "auth_host = \"Login.Example.TEST\"\n"
      "[certificates]\n"
      "\"arn:aws:acm:us-east-1:1:certificate/a\" = \"/tls/a.pem,/tls/a.key\"\n");
  auto out = LoadConfig({"--config", file, "--certificate",
                         "arn:aws:acm:us-east-1:1:certificate/b=/t/b,c.pem,/t/b.key"},
                        {});
  ASSERT_TRUE(out.config) << out.message;
  const Config& c = *out.config;
  EXPECT_EQ(c.auth_host, "login.example.test");
  ASSERT_EQ(c.certificates.size(), 2u);
  EXPECT_EQ(c.certificates.at("arn:aws:acm:us-east-1:1:certificate/a").cert_file, "/tls/a.pem");
  EXPECT_EQ(c.certificates.at("arn:aws:acm:us-east-1:1:certificate/a").key_file, "/tls/a.key");
  EXPECT_EQ(c.certificates.at("arn:aws:acm:us-east-1:1:certificate/b").cert_file, "/t/b,c.pem");
  EXPECT_EQ(LoadConfig({}, {{"COGNATE_AUTH_HOST", "auth.dev.test"}}).config->auth_host,
            "auth.dev.test");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--auth-host", "bad host"},
           {"--auth-host", ".lead"},
           {"--auth-host", "a..b"},
           {"--certificate", "no-equals"},
           {"--certificate", "notarn=/a,/b"},
           {"--certificate", "arn:x=/only-one-file"},
       }) {
    auto bad = LoadConfig(args, {});
    EXPECT_FALSE(bad.config) << args[1];
    EXPECT_EQ(bad.exit_code, 2) << args[1];
  }
}

TEST_F(ConfigTest, HelpAndVersionExitZero) {
  auto help = LoadConfig({"--help"}, {});
  EXPECT_FALSE(help.config);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.message.find("--data-dir"), std::string::npos);
  EXPECT_NE(help.message.find("COGNATE_DATA_DIR"), std::string::npos);
  auto version = LoadConfig({"--version"}, {});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.message.find("0.1.0"), std::string::npos);
}

TEST_F(ConfigTest, DatabaseForms) {
  Config c;
  c.database = "memory";
  EXPECT_EQ(c.DatabaseUrl(), "memory");
  c.database = "sqlite:///var/lib/cognate.db";
  EXPECT_EQ(c.SqlitePath(), "/var/lib/cognate.db");
  c.database = "/srv/c.db";
  EXPECT_EQ(c.SqlitePath(), "/srv/c.db");
  c.database = "postgresql://h/db";
  EXPECT_TRUE(c.UsesPostgres());
}

TEST_F(ConfigTest, PublicUrlFollowsBindPortAndTls) {
  Config c;
  c.bind = "::";
  EXPECT_EQ(c.PublicUrl(5), "http://127.0.0.1:5");
  c.bind = "::1";
  EXPECT_EQ(c.PublicUrl(5), "http://[::1]:5");
  c.tls_cert = "c";
  c.tls_key = "k";
  c.bind = "10.0.0.1";
  EXPECT_EQ(c.PublicUrl(443), "https://10.0.0.1:443");
  c.public_url = "https://login.example.com";
  EXPECT_EQ(c.PublicUrl(443), "https://login.example.com");
}

TEST_F(ConfigTest, MessagingSettings) {
  auto defaults = LoadConfig({}, {});
  ASSERT_TRUE(defaults.config);
  EXPECT_EQ(defaults.config->smtp_url, "");
  EXPECT_EQ(defaults.config->smtp_from, "no-reply@verificationemail.com");
  EXPECT_EQ(defaults.config->smtp_starttls, "try");
  EXPECT_EQ(defaults.config->sms_gateway_url, "");

  auto out = LoadConfig({"--config",
                         WriteToml("smtp_url = \"smtps://mail.example.com:465\"\n"
                                   "smtp_user = \"mailer\"\nsmtp_starttls = \"required\"\n"
                                   "sms_gateway_url = \"https://sms.example.com/send\"\n"),
                         "--smtp-from", "Example <no-reply@example.com>", "--sms-gateway-token",
                         "tok", "--smtp-timeout-ms", "5000"},
                        {{"COGNATE_SMTP_PASSWORD", "s3cret"}});
  ASSERT_TRUE(out.config) << out.message;
  const Config& c = *out.config;
  EXPECT_EQ(c.smtp_url, "smtps://mail.example.com:465");
  EXPECT_EQ(c.smtp_user, "mailer");
  EXPECT_EQ(c.smtp_password, "s3cret");
  EXPECT_EQ(c.smtp_from, "Example <no-reply@example.com>");
  EXPECT_EQ(c.smtp_starttls, "required");
  EXPECT_EQ(c.smtp_timeout_ms, 5000);
  EXPECT_EQ(c.sms_gateway_url, "https://sms.example.com/send");
  EXPECT_EQ(c.sms_gateway_token, "tok");

  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--smtp-url", "http://x"},
                                              {"--smtp-from", "nobody"},
                                              {"--smtp-from", "a@b\r\nBcc: c@d"},
                                              {"--smtp-starttls", "maybe"},
                                              {"--sms-gateway-url", "smtp://x"},
                                              {"--smtp-timeout-ms", "0"}}) {
    auto r = LoadConfig(bad, {});
    EXPECT_EQ(r.exit_code, 2) << bad[0];
    EXPECT_NE(r.message.find(bad[0]), std::string::npos) << r.message;
  }
}

// Settings that take one of a few words: the default, the other word by flag and by
// environment, and a refusal that names the flag and the words.
TEST_F(ConfigTest, ChoiceSettingsTakeOnlyTheirWords) {
  struct Case {
    std::string Config::*field;
    const char* flag;
    const char* env;
    const char* fallback;
    const char* other;
    const char* words;
  };
  const Case cases[] = {
      {&Config::io_scheduling, "--io-scheduling", "COGNATE_IO_SCHEDULING", "batch", "normal",
       "must be batch or normal"},
      {&Config::read_snapshot, "--read-snapshot", "COGNATE_READ_SNAPSHOT", "request", "read",
       "must be request or read"},
      {&Config::smtp_starttls, "--smtp-starttls", "COGNATE_SMTP_STARTTLS", "try", "required",
       "must be off, try or required"},
      {&Config::log_level, "--log-level", "COGNATE_LOG_LEVEL", "info", "debug",
       "must be trace, debug, info, warn, error, critical or off"},
  };
  for (const auto& k : cases) {
    auto defaults = LoadConfig({}, {});
    ASSERT_TRUE(defaults.config);
    EXPECT_EQ((*defaults.config).*k.field, k.fallback) << k.flag;
    auto by_flag = LoadConfig({k.flag, k.other}, {});
    ASSERT_TRUE(by_flag.config) << by_flag.message;
    EXPECT_EQ((*by_flag.config).*k.field, k.other) << k.flag;
    auto by_env = LoadConfig({}, {{k.env, k.other}});
    ASSERT_TRUE(by_env.config) << by_env.message;
    EXPECT_EQ((*by_env.config).*k.field, k.other) << k.env;
    auto bad = LoadConfig({k.flag, "fifo"}, {});
    EXPECT_EQ(bad.exit_code, 2) << k.flag;
    EXPECT_NE(bad.message.find(k.flag), std::string::npos) << bad.message;
    EXPECT_NE(bad.message.find(k.words), std::string::npos) << bad.message;
  }
}

TEST_F(ConfigTest, DevFixedCodeOnlyWithDev) {
  auto refused = LoadConfig({"--dev-fixed-code", "123456"}, {});
  EXPECT_FALSE(refused.config);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.message, "--dev-fixed-code is only allowed with --dev");

  auto by_env = LoadConfig({}, {{"COGNATE_DEV_FIXED_CODE", "123456"}});
  EXPECT_FALSE(by_env.config);

  auto flag = LoadConfig({"--dev", "--dev-fixed-code", "123456"}, {});
  ASSERT_TRUE(flag.config) << flag.message;
  EXPECT_EQ(flag.config->dev_fixed_code, "123456");

  auto toml = LoadConfig({"--config", WriteToml("dev = true\ndev_fixed_code = \"654321\"\n")}, {});
  ASSERT_TRUE(toml.config) << toml.message;
  EXPECT_EQ(toml.config->dev_fixed_code, "654321");

  EXPECT_FALSE(LoadConfig({"--dev", "--dev-fixed-code", "12 34"}, {}).config);
  EXPECT_TRUE(LoadConfig({}, {}).config->dev_fixed_code.empty());
}

}  // namespace
}  // namespace cognate::app
