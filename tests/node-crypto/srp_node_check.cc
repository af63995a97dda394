// Proves that Cognate's SRP server (crypto/srp.h) accepts the PASSWORD_CLAIM_SIGNATURE the real
// clients compute (amazon-cognito-identity-js and Amplify v6's @aws-amplify/auth), rejects it for
// a wrong password, and computes the same password verifier as the clients' ConfirmDevice path
// (generateHashDevice).
//
// Usage: srp_node_check <dir with srp_client.js and node_modules/>
// Exit 0 on success, 1 on a mismatch, 77 (ctest: skipped) when node or node_modules is missing.
// Set up once with: (cd tests/node-crypto && npm ci)

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/crypto.h"
#include "crypto/srp.h"

namespace {

using cognate::crypto::Base64Decode;
using cognate::crypto::Base64Encode;
using nlohmann::json;
namespace crypto = cognate::crypto;
namespace fs = std::filesystem;

constexpr int kSkip = 77;
int failures = 0;

void Check(bool ok, const std::string& what) {
  std::cout << (ok ? "ok   " : "FAIL ") << what << "\n";
  if (!ok) ++failures;
}

std::string Bytes(std::string hex) {
  if (hex.size() % 2) hex.insert(hex.begin(), '0');
  return crypto::HexDecode(hex).value_or("");
}

// Runs `node srp_client.js` with `input` on stdin; the parsed JSON output, or null on failure.
json RunClient(const fs::path& dir, const json& input) {
  char tmpl[] = "/tmp/srp_node_check_XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return nullptr;
  close(fd);
  { std::ofstream(tmpl) << input.dump(); }
  std::string cmd = "cd '" + dir.string() + "' && node srp_client.js < '" + tmpl + "'";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int rc = pclose(p);
    if (rc != 0) out.clear();
  }
  std::remove(tmpl);
  return json::parse(out, nullptr, /*allow_exceptions=*/false);
}

// One sign-in attempt: the server side is prepared before node runs (B does not depend on A),
// the client's answer is checked after.
struct Exchange {
  std::string label;
  std::string client, pool, user;
  crypto::SrpVerifier verifier;  // what the server stores
  crypto::SrpServerEphemeral ephemeral;
  std::string secret_block;
  bool expect_ok = true;
  json request;  // to srp_client.js
};

Exchange MakeExchange(const std::string& client, const std::string& pool, const std::string& user,
                      crypto::SrpVerifier v, const std::string& typed_password, bool expect_ok,
                      std::string label) {
  Exchange e;
  e.label = client + ": " + std::move(label);
  e.client = client;
  e.pool = pool;
  e.user = user;
  e.verifier = std::move(v);
  e.ephemeral = crypto::SrpServerBegin(e.verifier.verifier).value_or(crypto::SrpServerEphemeral{});
  e.secret_block = crypto::RandomBytes(96);
  e.expect_ok = expect_ok;
  e.request = {{"mode", "claim"},
               {"client", client},
               {"poolName", pool},
               {"username", user},
               {"password", typed_password},
               {"srpB", crypto::SrpIntegerHex(e.ephemeral.B)},
               {"salt", crypto::HexEncode(e.verifier.salt)},
               {"secretBlock", Base64Encode(e.secret_block)}};
  return e;
}

Exchange UserExchange(const std::string& client, const std::string& pool, const std::string& user,
                      const std::string& password, const std::string& typed_password) {
  bool ok = password == typed_password;
  return MakeExchange(client, pool, user, crypto::MakeSrpVerifier(pool, user, password),
                      typed_password, ok,
                      std::string(ok ? "accepts" : "rejects") + " claim for user '" + user +
                          "' password '" + typed_password + "'");
}

void CheckAnswer(const Exchange& e, const json& answer) {
  if (!answer.is_object() || e.ephemeral.B.empty()) return Check(false, e.label + " (no answer)");
  auto A = crypto::SrpParsePublicA(answer.value("srpA", ""));
  std::string ts = answer.value("timestamp", "");
  auto parsed = crypto::ParseSrpTimestamp(ts);
  std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  bool ts_ok = parsed && std::llabs(*parsed - now) < 300 && crypto::CanonicalSrpTimestamp(ts) == ts;
  // The claim is checked over the canonical TIMESTAMP, as the domain does.
  std::string canonical = crypto::CanonicalSrpTimestamp(ts).value_or("");
  bool ok = A && crypto::SrpVerifyPasswordClaim(
                     *A, e.ephemeral, e.verifier.verifier,
                     {e.pool, e.user, e.secret_block, canonical, answer.value("signature", "")});
  Check(ts_ok && ok == e.expect_ok, e.label + " [TIMESTAMP " + ts + "]");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: srp_node_check <tests/node-crypto dir>\n";
    return 2;
  }
  fs::path dir = argv[1];
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    std::cout << "SKIP: node not found\n";
    return kSkip;
  }
  if (!fs::exists(dir / "node_modules" / "amazon-cognito-identity-js" / "package.json")) {
    std::cout << "SKIP: run `npm ci` in " << dir << " first\n";
    return kSkip;
  }
  std::vector<std::string> clients = {"npm"};
  if (fs::exists(dir / "node_modules" / "@aws-amplify" / "auth" / "package.json")) {
    clients.push_back("amplify");
  } else {
    std::cout << "note: @aws-amplify/auth not installed (npm ci); Amplify v6 cases skipped\n";
  }

  // Phase 1: each client makes device verifiers (ConfirmDevice); ours must be the same.
  struct Device {
    std::string client, group, key;
  };
  std::vector<Device> devices;
  json device_requests = json::array();
  for (const std::string& c : clients) {
    for (int i = 0; i < 2; ++i) {
      Device d{c, "-" + crypto::RandomString(8, "abcdefghijkLMNOP0123"),
               "us-east-1_" + crypto::NewUuid()};
      device_requests.push_back({{"mode", "deviceVerifier"},
                                 {"client", c},
                                 {"deviceGroupKey", d.group},
                                 {"deviceKey", d.key}});
      devices.push_back(std::move(d));
    }
  }
  json device_answers = RunClient(dir, device_requests);
  if (!device_answers.is_array() || device_answers.size() != devices.size()) {
    std::cout << "FAIL node deviceVerifier run\n";
    return 1;
  }

  // Phase 2: USER_SRP_AUTH and DEVICE_SRP_AUTH exchanges, all answered by one node run.
  std::vector<Exchange> exchanges;
  const std::string unicode_pw = "p\xc3\xa4ss w\xc3\xb6rd \xf0\x9f\x94\x91";
  for (const std::string& c : clients) {
    exchanges.push_back(UserExchange(c, "AbCdEf123", "3c1f6a52-6f7e-4a63-9d2e-0f3b5a1b2c3d",
                                     "Passw0rd!", "Passw0rd!"));
    exchanges.push_back(UserExchange(c, "AbCdEf123", "3c1f6a52-6f7e-4a63-9d2e-0f3b5a1b2c3d",
                                     "Passw0rd!", "Passw0rd?"));
    exchanges.push_back(UserExchange(c, "Zz9", "j\xc3\xbcrgen", unicode_pw, unicode_pw));
    exchanges.push_back(
        UserExchange(c, "Zz9", "j\xc3\xbcrgen", unicode_pw, "p\xc3\xa4ss w\xc3\xb6rd"));
    for (int i = 0; i < 3; ++i) {
      std::string pw = crypto::RandomString(12 + i, "abcXYZ0189!@#$%^&*()_+-= ");
      exchanges.push_back(UserExchange(c, "Pool" + std::to_string(i), crypto::NewUuid(), pw, pw));
    }
  }
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const Device& d = devices[i];
    const json& a = device_answers[i];
    std::string password = a.value("password", "");
    std::string salt = Bytes(a.value("salt", ""));
    std::string verifier = Bytes(a.value("verifier", ""));
    crypto::SrpVerifier ours = crypto::MakeSrpVerifierWithSalt(d.group, d.key, password, salt);
    Check(!ours.verifier.empty() && ours.verifier == Bytes(crypto::SrpIntegerHex(verifier)),
          d.client + ": device verifier equals generateHashDevice's");
    exchanges.push_back(MakeExchange(d.client, d.group, d.key, {salt, verifier}, password, true,
                                     "accepts DEVICE_SRP_AUTH claim with the client's verifier"));
    exchanges.push_back(MakeExchange(d.client, d.group, d.key, {salt, verifier}, password + "x",
                                     false,
                                     "rejects DEVICE_SRP_AUTH claim with a wrong device password"));
  }
  json requests = json::array();
  for (const Exchange& e : exchanges) requests.push_back(e.request);
  json answers = RunClient(dir, requests);
  if (!answers.is_array() || answers.size() != exchanges.size()) {
    std::cout << "FAIL node claim run\n";
    return 1;
  }
  for (std::size_t i = 0; i < exchanges.size(); ++i) CheckAnswer(exchanges[i], answers[i]);
  std::cout << (failures ? "FAILED" : "PASSED") << " (" << failures << " failures)\n";
  return failures ? 1 : 0;
}
