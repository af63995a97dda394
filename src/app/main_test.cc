// Runs the real `cognate` binary: start on port 0, wait for "listening on", answer a request,
// stop on SIGTERM with exit status 0.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "app/test_support.h"

extern char** environ;

namespace cognate::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Child {
  pid_t pid = -1;
  int err_fd = -1;  // the child's stderr
  std::string err;  // what was read so far

  // Reads stderr until `pattern` matches or `timeout` passes; returns the match's group 1.
  std::string WaitFor(const std::regex& pattern, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::smatch m;
    while (!std::regex_search(err, m, pattern)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return {};
      pollfd p{err_fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(err_fd, buf, sizeof(buf));
      if (n <= 0) return {};
      err.append(buf, static_cast<std::size_t>(n));
    }
    return m.size() > 1 ? m[1].str() : m[0].str();
  }

  int Wait() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
};

Child Spawn(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {}) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<std::string> all = {COGNATE_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    if (std::string_view(*e).rfind("COGNATE_", 0) != 0) env_strings.emplace_back(*e);
  }
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  Child c;
  EXPECT_EQ(posix_spawn(&c.pid, COGNATE_BINARY, &actions, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  c.err_fd = fds[0];
  return c;
}

class MainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cognate-main-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::string Get(int port, const std::string& request) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  asio::write(s, asio::buffer(request));
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    std::size_t n = s.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

TEST_F(MainTest, StartsOnAFreePortServesAndStopsCleanlyOnSigterm) {
  Child c = Spawn({"--port", "0", "--data-dir", dir_.string(), "--database", "memory"});
  std::string port = c.WaitFor(std::regex("listening on 127\\.0\\.0\\.1:([0-9]+)"), 20s);
  ASSERT_FALSE(port.empty()) << c.err;
  EXPECT_NE(std::stoi(port), 0);
  std::string res = Get(std::stoi(port),
                        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"
                        "X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\n"
                        "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  EXPECT_NE(res.find("x-amzn-RequestId"), std::string::npos) << res;
  EXPECT_TRUE(fs::exists(dir_ / "credentials"));
  EXPECT_TRUE(fs::exists(dir_ / "config"));
  EXPECT_TRUE(fs::exists(dir_ / "master.key"));
  ::kill(c.pid, SIGTERM);
  EXPECT_EQ(c.Wait(), 0) << c.err;
}

using testing::Slurp;

TEST_F(MainTest, SqliteDataAndRootCredentialSurviveARestart) {
  std::string first_credentials;
  for (int run = 0; run < 2; ++run) {
    Child c = Spawn({"--port", "0", "--data-dir", dir_.string()});
    ASSERT_FALSE(c.WaitFor(std::regex("listening on"), 20s).empty()) << c.err;
    EXPECT_NE(c.err.find("store sqlite"), std::string::npos) << c.err;
    EXPECT_EQ(c.err.find("created the root credential") != std::string::npos, run == 0) << c.err;
    ::kill(c.pid, SIGTERM);
    EXPECT_EQ(c.Wait(), 0) << c.err;
    if (run == 0) first_credentials = Slurp(dir_ / "credentials");
  }
  EXPECT_TRUE(fs::exists(dir_ / "cognate.db"));
  EXPECT_EQ(Slurp(dir_ / "credentials"), first_credentials);
  EXPECT_NE(first_credentials.find("aws_access_key_id = AKIA"), std::string::npos);
}

TEST_F(MainTest, DevModeWarnsLoudly) {
  Child c = Spawn({"--port", "0", "--data-dir", dir_.string(), "--database", "memory", "--dev"});
  ASSERT_FALSE(c.WaitFor(std::regex("listening on"), 20s).empty()) << c.err;
  EXPECT_NE(c.err.find("DEV MODE"), std::string::npos);
  ::kill(c.pid, SIGINT);
  EXPECT_EQ(c.Wait(), 0);
}

TEST_F(MainTest, EnvironmentConfiguresThePort) {
  Child c = Spawn({"--data-dir", dir_.string(), "--database", "memory"},
                  {"COGNATE_PORT=0", "COGNATE_LOG_LEVEL=debug"});
  ASSERT_FALSE(c.WaitFor(std::regex("listening on 127\\.0\\.0\\.1:([1-9][0-9]*)"), 20s).empty())
      << c.err;
  ::kill(c.pid, SIGTERM);
  EXPECT_EQ(c.Wait(), 0);
}

TEST_F(MainTest, BadFlagExitsWithStatus2) {
  Child c = Spawn({"--port", "banana"});
  c.WaitFor(std::regex("--port"), 10s);
  EXPECT_EQ(c.Wait(), 2);
  EXPECT_NE(c.err.find("--port"), std::string::npos);
}

TEST_F(MainTest, PortInUseExitsWithStatus1) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::acceptor taken(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  Child c = Spawn({"--port", std::to_string(taken.local_endpoint().port()), "--data-dir",
                   dir_.string(), "--database", "memory"});
  c.WaitFor(std::regex("cannot listen"), 20s);
  EXPECT_EQ(c.Wait(), 1) << c.err;
}

}  // namespace
}  // namespace cognate::app
