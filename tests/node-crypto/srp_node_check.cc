// Proves that Cognate's SRP server (crypto/srp.h) accepts the PASSWORD_CLAIM_SIGNATURE the real
// amazon-cognito-identity-js client computes, rejects it for a wrong password, and computes the
// same password verifier as the client's ConfirmDevice path (generateHashDevice).
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

// One USER_SRP_AUTH exchange: our server makes B, the npm client answers.
void UserSrpExchange(const fs::path& dir, const std::string& pool, const std::string& user,
                     const std::string& password, const std::string& typed_password) {
  crypto::SrpVerifier v = crypto::MakeSrpVerifier(pool, user, password);
  auto eph = crypto::SrpServerBegin(v.verifier);
  if (!eph) return Check(false, "SrpServerBegin");
  std::string secret_block = crypto::RandomBytes(96);
  json in = {{"mode", "claim"},
             {"poolName", pool},
             {"username", user},
             {"password", typed_password},
             {"srpB", crypto::SrpIntegerHex(eph->B)},
             {"salt", crypto::HexEncode(v.salt)},
             {"secretBlock", Base64Encode(secret_block)}};
  json out = RunClient(dir, in);
  if (!out.is_object()) return Check(false, "node client ran");
  auto A = crypto::SrpParsePublicA(out.value("srpA", ""));
  std::string ts = out.value("timestamp", "");
  std::string sig = out.value("signature", "");
  auto parsed = crypto::ParseSrpTimestamp(ts);
  std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  Check(parsed && std::llabs(*parsed - now) < 120, "client TIMESTAMP parses: " + ts);
  if (!A) return Check(false, "SRP_A parses");
  bool ok =
      crypto::SrpVerifyPasswordClaim(*A, *eph, v.verifier, {pool, user, secret_block, ts, sig});
  bool expect = password == typed_password;
  Check(ok == expect, std::string(expect ? "accepts" : "rejects") + " claim for user '" + user +
                          "' password '" + typed_password + "'");
}

// ConfirmDevice: the npm client makes salt + verifier; we recompute it and then sign in with it.
void DeviceVerifier(const fs::path& dir) {
  std::string group = "-" + crypto::RandomString(8, "abcdefghijkLMNOP0123");
  std::string device = "us-east-1_" + crypto::NewUuid();
  json out = RunClient(
      dir, {{"mode", "deviceVerifier"}, {"deviceGroupKey", group}, {"deviceKey", device}});
  if (!out.is_object()) return Check(false, "node deviceVerifier ran");
  std::string password = out.value("password", "");
  std::string salt = Bytes(out.value("salt", ""));
  std::string verifier = Bytes(out.value("verifier", ""));
  crypto::SrpVerifier ours = crypto::MakeSrpVerifierWithSalt(group, device, password, salt);
  Check(ours.verifier == Bytes(crypto::SrpIntegerHex(verifier)),
        "device verifier equals generateHashDevice's");
  // DEVICE_SRP_AUTH with the client's own verifier.
  auto eph = crypto::SrpServerBegin(verifier);
  if (!eph) return Check(false, "SrpServerBegin(device verifier)");
  std::string sb = crypto::RandomBytes(40);
  json claim = RunClient(dir, {{"mode", "claim"},
                               {"poolName", group},
                               {"username", device},
                               {"password", password},
                               {"srpB", crypto::SrpIntegerHex(eph->B)},
                               {"salt", out.value("salt", "")},
                               {"secretBlock", Base64Encode(sb)}});
  if (!claim.is_object()) return Check(false, "node device claim ran");
  auto A = crypto::SrpParsePublicA(claim.value("srpA", ""));
  Check(A && crypto::SrpVerifyPasswordClaim(
                 *A, *eph, verifier,
                 {group, device, sb, claim.value("timestamp", ""), claim.value("signature", "")}),
        "accepts DEVICE_SRP_AUTH claim");
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
  UserSrpExchange(dir, "AbCdEf123", "3c1f6a52-6f7e-4a63-9d2e-0f3b5a1b2c3d", "Passw0rd!",
                  "Passw0rd!");
  UserSrpExchange(dir, "AbCdEf123", "3c1f6a52-6f7e-4a63-9d2e-0f3b5a1b2c3d", "Passw0rd!",
                  "Passw0rd?");
  UserSrpExchange(dir, "Zz9", "j\xc3\xbcrgen", "p\xc3\xa4ss w\xc3\xb6rd \xf0\x9f\x94\x91",
                  "p\xc3\xa4ss w\xc3\xb6rd \xf0\x9f\x94\x91");
  UserSrpExchange(dir, "Zz9", "j\xc3\xbcrgen", "p\xc3\xa4ss w\xc3\xb6rd \xf0\x9f\x94\x91",
                  "p\xc3\xa4ss w\xc3\xb6rd");
  for (int i = 0; i < 6; ++i) {
    std::string pw = crypto::RandomString(12 + i, "abcXYZ0189!@#$%^&*()_+-= ");
    UserSrpExchange(dir, "Pool" + std::to_string(i), crypto::NewUuid(), pw, pw);
  }
  DeviceVerifier(dir);
  DeviceVerifier(dir);
  std::cout << (failures ? "FAILED" : "PASSED") << " (" << failures << " failures)\n";
  return failures ? 1 : 0;
}
