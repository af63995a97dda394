// Microbenchmarks of the per-request crypto: argon2id (SignUp / password sign-in), RS256 token
// signing and verification, and the SRP server steps of USER_SRP_AUTH.
// Run: build/bench/crypto_bench [--benchmark_filter=...]

#include <benchmark/benchmark.h>
#include <sodium.h>

#include <mutex>
#include <string>

#include "crypto/crypto.h"
#include "crypto/jwt.h"
#include "crypto/srp.h"

namespace cognate::crypto {
namespace {

void BM_Argon2idHash(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(HashPassword("correct horse battery staple"));
}
BENCHMARK(BM_Argon2idHash)->Unit(benchmark::kMillisecond);

void BM_Argon2idVerify(benchmark::State& state) {
  std::string phc = HashPassword("correct horse battery staple");
  for (auto _ : state) {
    if (!VerifyPassword("correct horse battery staple", phc)) state.SkipWithError("mismatch");
  }
}
BENCHMARK(BM_Argon2idVerify)->Unit(benchmark::kMillisecond);

// libsodium called directly, outside a pwhash_memory::Scope: fresh working memory for every hash,
// as before the per-thread arena (the comparison for docs/benchmarks.md).
void BM_Argon2idVerifyFreshMemory(benchmark::State& state) {
  std::string phc = HashPassword("correct horse battery staple");
  const std::string_view pw = "correct horse battery staple";
  for (auto _ : state) {
    if (crypto_pwhash_str_verify(phc.c_str(), pw.data(), pw.size()) != 0) {
      state.SkipWithError("mismatch");
    }
  }
}
BENCHMARK(BM_Argon2idVerifyFreshMemory)->Unit(benchmark::kMillisecond);

// Claims shaped like a Cognito access token.
nlohmann::json AccessClaims(int i) {
  return {{"sub", "3c1f6a52-6f7e-4a63-9d2e-0f3b5a1b2c3d"},
          {"cognito:groups", {"admins"}},
          {"iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"},
          {"client_id", "4l5k6j7h8g9f0d1s2a3q4w5e6r"},
          {"origin_jti", NewUuid()},
          {"event_id", NewUuid()},
          {"token_use", "access"},
          {"scope", "aws.cognito.signin.user.admin"},
          {"auth_time", 1700000000 + i},
          {"exp", 1700003600 + i},
          {"iat", 1700000000 + i},
          {"jti", NewUuid()},
          {"username", "alice"}};
}

const JwtSigner& Signer() {
  static const JwtSigner signer =
      JwtSigner::Create(RsaKey::Generate().value(), "bench-kid").value();
  return signer;
}

void BM_Rs256Sign(benchmark::State& state) {
  const JwtSigner& signer = Signer();
  std::string payload = AccessClaims(0).dump();
  for (auto _ : state) benchmark::DoNotOptimize(signer.SignPayload(payload));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Rs256Sign)->Unit(benchmark::kMicrosecond)->UseRealTime()->ThreadRange(1, 2);

// A verifier that checks every signature (the RSA cost), or one that remembers the tokens it
// verified (what a client presenting its access token again costs).
void VerifyLoop(benchmark::State& state, const JwtVerifier& verifier) {
  std::string token = Signer().Sign(AccessClaims(0));
  JwtVerifyOptions opts;
  opts.now_s = 1700000100;
  for (auto _ : state) {
    if (!verifier.Verify(token, opts).ok) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}

const JwtVerifier& BenchVerifier(bool remember) {
  static const JwtVerifier* verifiers[2] = {nullptr, nullptr};
  static std::once_flag once;
  std::call_once(once, [] {
    for (bool r : {false, true}) {
      auto* v = new JwtVerifier(r);
      v->AddKey("bench-kid", Signer().key());
      verifiers[r ? 1 : 0] = v;
    }
  });
  return *verifiers[remember ? 1 : 0];
}

void BM_Rs256Verify(benchmark::State& state) { VerifyLoop(state, BenchVerifier(false)); }
BENCHMARK(BM_Rs256Verify)->Unit(benchmark::kMicrosecond)->UseRealTime()->ThreadRange(1, 2);

void BM_Rs256VerifyRemembered(benchmark::State& state) { VerifyLoop(state, BenchVerifier(true)); }
BENCHMARK(BM_Rs256VerifyRemembered)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_SrpMakeVerifier(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(MakeSrpVerifier("AbCdEf123", "alice", "pw"));
}
BENCHMARK(BM_SrpMakeVerifier)->Unit(benchmark::kMicrosecond);

// InitiateAuth USER_SRP_AUTH: parse A, draw b, compute B.
void BM_SrpServerBegin(benchmark::State& state) {
  SrpVerifier v = MakeSrpVerifier("AbCdEf123", "alice", "pw");
  SrpClient client("AbCdEf123", "alice");
  std::string a_hex = client.PublicAHex();
  for (auto _ : state) {
    benchmark::DoNotOptimize(SrpParsePublicA(a_hex));
    benchmark::DoNotOptimize(SrpServerBegin(v.verifier));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SrpServerBegin)->Unit(benchmark::kMicrosecond);

// RespondToAuthChallenge PASSWORD_VERIFIER: S, HKDF and the signature check.
void BM_SrpVerifyClaim(benchmark::State& state) {
  SrpVerifier v = MakeSrpVerifier("AbCdEf123", "alice", "pw");
  SrpServerEphemeral eph = SrpServerBegin(v.verifier).value();
  SrpClient client("AbCdEf123", "alice");
  std::string A = SrpParsePublicA(client.PublicAHex()).value();
  std::string sb = RandomBytes(1024);
  std::string ts = FormatSrpTimestamp(1700000000);
  std::string sig = client.SignClaim("pw", eph.B, v.salt, sb, ts).value();
  for (auto _ : state) {
    if (!SrpVerifyPasswordClaim(A, eph, v.verifier, {"AbCdEf123", "alice", sb, ts, sig})) {
      state.SkipWithError("claim rejected");
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SrpVerifyClaim)->Unit(benchmark::kMicrosecond);

// Rebuilding B from a b kept in the sealed session (if only b is stored).
void BM_SrpRebuildB(benchmark::State& state) {
  SrpVerifier v = MakeSrpVerifier("AbCdEf123", "alice", "pw");
  std::string b = RandomBytes(32);
  for (auto _ : state) benchmark::DoNotOptimize(SrpServerBeginWithSecret(v.verifier, b));
}
BENCHMARK(BM_SrpRebuildB)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace cognate::crypto

BENCHMARK_MAIN();
