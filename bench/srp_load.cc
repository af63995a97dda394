// Load generator for USER_SRP_AUTH sign-ins: each worker thread runs the two-step flow
// (InitiateAuth -> PASSWORD_VERIFIER -> RespondToAuthChallenge) over its own keep-alive
// connection, computing the client side with crypto::SrpClient (a 32-byte `a`, so the client's
// modexps cost about what the server's do). Prints one JSON line with counts and latencies.
//
//   srp_load --endpoint http://127.0.0.1:9229 --pool-id us-east-1_X --client-id ID
//            --user-prefix user --users 100 --password PW [--threads 4] [--seconds 10]

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "crypto/srp.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  std::string endpoint;
  std::string pool_id;
  std::string client_id;
  std::string user_prefix = "user";
  int users = 1;
  std::string password;
  int threads = 4;
  int seconds = 10;
};

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One keep-alive connection.
class Connection {
 public:
  explicit Connection(const std::string& endpoint) : curl_(curl_easy_init()) {
    curl_easy_setopt(curl_, CURLOPT_URL, endpoint.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl_, CURLOPT_TCP_NODELAY, 1L);
  }
  ~Connection() { curl_easy_cleanup(curl_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // POSTs `body` as `op`; the HTTP status and the parsed answer (null when not JSON).
  std::pair<long, json> Call(const std::string& op, const std::string& body) {
    std::string target = "X-Amz-Target: AWSCognitoIdentityProviderService." + op;
    curl_slist* h = curl_slist_append(nullptr, "Content-Type: application/x-amz-json-1.1");
    h = curl_slist_append(h, target.c_str());
    std::string out;
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &out);
    long status = 0;
    if (curl_easy_perform(curl_) == CURLE_OK) {
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_slist_free_all(h);
    return {status, json::parse(out, nullptr, false)};
  }

 private:
  CURL* curl_;
};

std::string SrpTimestamp() {
  return cognate::crypto::FormatSrpTimestamp(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// One sign-in; true when it ended with an AuthenticationResult.
bool SignIn(Connection& conn, const Options& o, const std::string& username,
            const cognate::crypto::SrpClient& client) {
  json init = {{"AuthFlow", "USER_SRP_AUTH"},
               {"ClientId", o.client_id},
               {"AuthParameters", {{"USERNAME", username}, {"SRP_A", client.PublicAHex()}}}};
  auto [s1, r1] = conn.Call("InitiateAuth", init.dump());
  if (s1 != 200 || !r1.is_object() || r1.value("ChallengeName", "") != "PASSWORD_VERIFIER") {
    return false;
  }
  const json& p = r1["ChallengeParameters"];
  const auto B = cognate::crypto::HexDecode((p.value("SRP_B", "").size() % 2 ? "0" : "") +
                                            p.value("SRP_B", ""));
  const auto salt =
      cognate::crypto::HexDecode((p.value("SALT", "").size() % 2 ? "0" : "") + p.value("SALT", ""));
  if (!B || !salt) return false;
  const std::string ts = SrpTimestamp();
  const std::string secret_block = p.value("SECRET_BLOCK", "");
  auto sig = client.SignClaim(o.password, *B, *salt,
                              cognate::crypto::Base64Decode(secret_block).value_or(""), ts);
  if (!sig) return false;
  json answer = {{"ChallengeName", "PASSWORD_VERIFIER"},
                 {"ClientId", o.client_id},
                 {"Session", r1.value("Session", "")},
                 {"ChallengeResponses",
                  {{"USERNAME", p.value("USER_ID_FOR_SRP", username)},
                   {"PASSWORD_CLAIM_SECRET_BLOCK", secret_block},
                   {"PASSWORD_CLAIM_SIGNATURE", *sig},
                   {"TIMESTAMP", ts}}}};
  if (answer["Session"] == "") answer.erase("Session");
  auto [s2, r2] = conn.Call("RespondToAuthChallenge", answer.dump());
  return s2 == 200 && r2.is_object() && r2.contains("AuthenticationResult");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"USER_SRP_AUTH load generator"};
  app.add_option("--endpoint", o.endpoint)->required();
  app.add_option("--pool-id", o.pool_id)->required();
  app.add_option("--client-id", o.client_id)->required();
  app.add_option("--user-prefix", o.user_prefix);
  app.add_option("--users", o.users);
  app.add_option("--password", o.password)->required();
  app.add_option("--threads", o.threads);
  app.add_option("--seconds", o.seconds);
  CLI11_PARSE(app, argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  const std::string pool_name = o.pool_id.substr(o.pool_id.find('_') + 1);
  std::atomic<std::int64_t> ok{0}, failed{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  const auto end = Clock::now() + std::chrono::seconds(o.seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < o.threads; ++t) {
    workers.emplace_back([&, t] {
      Connection conn(o.endpoint);
      // One client (one `a`) per user, built before the clock matters: A is fixed per user.
      std::vector<std::pair<std::string, cognate::crypto::SrpClient>> clients;
      for (int u = t; u < o.users; u += o.threads) {
        std::string name = o.user_prefix + std::to_string(u);
        clients.emplace_back(
            name, cognate::crypto::SrpClient(pool_name, name, cognate::crypto::RandomBytes(32)));
      }
      if (clients.empty()) return;
      std::vector<double> mine;
      for (std::size_t i = 0; Clock::now() < end; ++i) {
        const auto& [name, client] = clients[i % clients.size()];
        const auto began = Clock::now();
        if (SignIn(conn, o, name, client)) {
          ++ok;
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - began).count());
        } else {
          ++failed;
        }
      }
      std::lock_guard lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& w : workers) w.join();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    if (latencies_ms.empty()) return 0.0;
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<std::size_t>(p * latencies_ms.size()))];
  };
  json out = {{"ok", ok.load()},      {"failed", failed.load()},
              {"seconds", o.seconds}, {"rps", static_cast<double>(ok.load()) / o.seconds},
              {"p50_ms", pct(0.50)},  {"p99_ms", pct(0.99)}};
  std::printf("SRPLOAD %s\n", out.dump().c_str());
  curl_global_cleanup();
  return failed.load() == 0 && ok.load() > 0 ? 0 : 1;
}
