#include "crypto/srp.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/crypto.h"

namespace cognate::crypto {
namespace {

// A fixed exchange computed by the real amazon-cognito-identity-js 6.3.21 code
// (tests/node-crypto/make_vectors.js): its verifier formula, A from a fixed a, the client's
// hkdf and PASSWORD_CLAIM_SIGNATURE for B built from a fixed b.
constexpr const char* kPool = "AbCdEf123";
constexpr const char* kUser = "b3f2c1d0-1111-4222-8333-944455556666";
constexpr const char* kPassword = "Passw0rd!";
constexpr const char* kSaltHex = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
constexpr const char* kSmallBHex =
    "7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b";
constexpr const char* kSecretBlockB64 = "b3BhcXVlIHNlY3JldCBibG9jayAAAQI=";
constexpr const char* kTimestamp = "Tue Nov 3 08:07:00 UTC 2026";
constexpr const char* kHkdfHex = "0e6e167f6c02054af266d6edff4e41e2";
constexpr const char* kSignature = "EFwerWOJqLeFWaLh+3xfEV2A+gNuvKRQ/sTn+72SLw4=";
constexpr const char* kVerifierHex =
    "252f74042221b273491ace67be188b6e231ff92c534ebfa5218b4bd52753d4a4a19d2e6402fae2715d0b7a10"
    "4b2a5a37fcda7fb470aaeae93602b56a1d3259a1a2876c9d5e68ddbe6962fa6639f19bf0907ded2cb5978080"
    "4f629165ed29a19988178890688e26bad66eeec66174642341c0b7196eafe6a416ce6af9d0ae8d579459d87d"
    "cecdeec0d3e976eba3f0a56825a34be20827c5e8a06b9ecc7544010fafb0395c3855c8a44ae5db25387784a3"
    "6855982e8947145f5611f5ee3811464737223a751789ac85a98242d0586bc19aee9ebd4aa26478cdf3ab37d6"
    "c90e25a3ef02c0f649db30499f864a1739d96b673593b06e257480bc1cdbb75e9723108e876b4c73788eb52b"
    "371093d57afff884b8b8941d673e9906d09fce6a81bd9ef56b312a1c582fe22a42d677d80b5274c9988b4583"
    "780cc496c22699f58dd21ead69d337371becc94708d44e6e646c3e6effed29f291b291f1c83a6fa5f7c404c1"
    "d2b88884db7b99288cc0228084b0cc54288a73c5938ae335bbd534a6ca32d55b";
constexpr const char* kSrpBHex =
    "6f8ae0eed2b618eaacb71683d50ffe508dc2816968d1fdb7774f690452e0837bf91def7af0520bd0ee6661ed"
    "30e2333e1514b671183cc1fe437acebe198e302306faf3b85682b7d3acf053cdebf61f27e1c10a882c1ce671"
    "a18c7811398f34895ef9a199a5cb5da5c558bc1fad5d6943d15502157f527d6a7d7c32b830b814ea3ee1112e"
    "d11a8a3eba5bf6eb22cf48b13ccfc2b7b7eaeccb4583a5cf4cb4932f479e4adcfab1cc3ccc3d0e95a7d6192a"
    "115dcd6961dd5379460d0d46f8fdffb2bc8c2775a29ef5ca6bed63d6b23718f370fb66ce6efe81d27e9b86bf"
    "29792f17cb4202e953cb1d5c17a976b2073a389f72570b233b1af184f1c97ec3dbfe704a8316c3f3c475a340"
    "c46b8c92f24d78538deed468ce0ad60939671ed4d052c74473a9abddd67e3b2ac16e481531bba602523d9389"
    "f74c0e7f01a5fce3e73128c376537a51270761ed1f3c0b471eb15e3a42b00733dbf304496ede19d5262ac367"
    "6c0139e54cf5df38e4b9f7b2a3041b967aedb5b0e5f711fc10c62064344b14c6";
constexpr const char* kSrpAHex =
    "c02a160ecd7f774f857baa05bd1b2ad7aebfaa860706eab803d36b0a02519016df15f42bf0bba4ebb0cf36bb"
    "07f07777120e6cbb168a37bb685b5cb5bf13ed99bed6b6c2fdacd62a1fb99ba64da85256970fbbc9f12c6808"
    "1ca066770fe7d2a6475855dbb19243d35fa6e63616e8f32c21d5d830c3acb99ef28b416f20e1acdf8e40d424"
    "2b7cfeb5864a5123e5fbacb2ce223f08e586910a9e81de64100acf751f366b14d5ce00bc22ca5c79db8dd8d2"
    "e0d9f68f19304f1f748cec8cbeb5186596ed35f2088b33152191016395308af48c9fb016e0edf8526989a3a5"
    "0e9b1c95830ee17bae1ff9834c3915b87ba4cd8500635528440ae81099dd2ee4141751d0dba5e7cf0163a682"
    "41312fb1a239b8553404781a623208993b7b803bce0f7fa02f2fe992ed654c3efbea01ed7db620ba4b505bd0"
    "72ab387d0a0f08ed9e5d7fec9bfbc22d7a5129580eca4c2a933f6f7aaa18a1e4f3f48c27973296b5bef6af7a"
    "4b8291daf65a98ca40ad75b6c52c6a0030d423a19a1870467123d843146b2d63";

constexpr const char* kThreeN =
    "2ffffffffffffffff5b2f8fe6643a469e4e5327a2829456737b06ea199f37655c06233bf2b13ad166f3de196"
    "caa9c0e99cebf4d1b67aec95190811f49d71d3ca5efa3a04847f546d1ad912063271b7c54dce4c8bcf2a7c84"
    "123fe1624dc1427c9caa943f20f9cdef10bdd6c3474e15fb2db7932f5c6ad11b946017629e42b3d10ca8ed8a"
    "255017acf3b42befaf76e6e1e8a30176b95eb08c25528da02618ff832dc7f7b1651c3c34835249feae035c80"
    "ed45d441a5e48647497b11ad28aa46ab3aadb6584482b920ad1768ae8c416e7af215019d14de4f85d9a8363e"
    "3c0084548acbfdc76bfc040af41767249caee0f304057ab0fa0004c89079945270cf16e9af8ff65039d562f2"
    "ec6f28f0d0a93cd1fa0bf5406171225791ac52e90f4a5ae5703e10ba6911b9b855ba5bea0de7024d96cab767"
    "25078cb43d38fee148c9e192e89620759bc593f2cf65d81484671602633a346066f241845651c9a42308bd4a"
    "61aa6eee15eb10193cb9213f6a2f731aae2887361fbb07860fffffffffffffffd";

// Hex (possibly odd length, as BigInteger.toString(16) writes it) to bytes.
std::string Bytes(std::string_view hex) {
  std::string h = hex.size() % 2 ? "0" + std::string(hex) : std::string(hex);
  return HexDecode(h).value();
}

std::string SecretBlock() { return Base64Decode(kSecretBlockB64).value(); }

SrpPasswordClaim Claim(const std::string& secret_block, std::string_view signature,
                       std::string_view timestamp = kTimestamp) {
  return SrpPasswordClaim{kPool, kUser, secret_block, timestamp, signature};
}

TEST(SrpTest, VerifierMatchesNpmClient) {
  SrpVerifier v = MakeSrpVerifierWithSalt(kPool, kUser, kPassword, Bytes(kSaltHex));
  EXPECT_EQ(SrpIntegerHex(v.verifier), kVerifierHex);
  EXPECT_EQ(v.salt, Bytes(kSaltHex));
}

TEST(SrpTest, ServerBMatchesNpmComputation) {
  auto eph = SrpServerBeginWithSecret(Bytes(kVerifierHex), Bytes(kSmallBHex));
  ASSERT_TRUE(eph.has_value());
  EXPECT_EQ(SrpIntegerHex(eph->B), kSrpBHex);
  EXPECT_EQ(eph->b, Bytes(kSmallBHex));
}

TEST(SrpTest, SessionKeyAndSignatureMatchNpmClient) {
  auto eph = SrpServerBeginWithSecret(Bytes(kVerifierHex), Bytes(kSmallBHex)).value();
  auto A = SrpParsePublicA(kSrpAHex);
  ASSERT_TRUE(A.has_value());
  auto key = SrpServerSessionKey(*A, eph, Bytes(kVerifierHex));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(HexEncode(*key), kHkdfHex);
  std::string sb = SecretBlock();
  EXPECT_EQ(Base64Encode(SrpClaimSignature(*key, kPool, kUser, sb, kTimestamp)), kSignature);
  EXPECT_TRUE(SrpVerifyPasswordClaim(*A, eph, Bytes(kVerifierHex), Claim(sb, kSignature)));
}

TEST(SrpTest, ClaimFailsWhenAnyInputDiffers) {
  auto eph = SrpServerBeginWithSecret(Bytes(kVerifierHex), Bytes(kSmallBHex)).value();
  std::string A = SrpParsePublicA(kSrpAHex).value();
  std::string v = Bytes(kVerifierHex);
  std::string sb = SecretBlock();
  // Wrong password -> other verifier.
  std::string other_v =
      MakeSrpVerifierWithSalt(kPool, kUser, "Passw0rd?", Bytes(kSaltHex)).verifier;
  EXPECT_FALSE(SrpVerifyPasswordClaim(A, eph, other_v, Claim(sb, kSignature)));
  EXPECT_FALSE(
      SrpVerifyPasswordClaim(A, eph, v, Claim(sb, kSignature, "Tue Nov 3 08:07:01 UTC 2026")));
  EXPECT_FALSE(SrpVerifyPasswordClaim(A, eph, v, Claim(sb + "x", kSignature)));
  SrpPasswordClaim c = Claim(sb, kSignature);
  c.pool_name = "AbCdEf124";
  EXPECT_FALSE(SrpVerifyPasswordClaim(A, eph, v, c));
  c = Claim(sb, kSignature);
  c.user_id = "someone-else";
  EXPECT_FALSE(SrpVerifyPasswordClaim(A, eph, v, c));
  // Other b.
  auto eph2 = SrpServerBeginWithSecret(v, Bytes("7c" + std::string(kSmallBHex).substr(2))).value();
  EXPECT_FALSE(SrpVerifyPasswordClaim(A, eph2, v, Claim(sb, kSignature)));
  // Malformed signatures.
  EXPECT_FALSE(SrpVerifyPasswordClaim(A, eph, v, Claim(sb, "")));
  EXPECT_FALSE(SrpVerifyPasswordClaim(A, eph, v, Claim(sb, "not base64!")));
  EXPECT_FALSE(
      SrpVerifyPasswordClaim(A, eph, v, Claim(sb, "EFwerWOJqLeFWaLh+3xfEV2A+gNuvKRQ/sTn+72SLw4")));
  EXPECT_FALSE(SrpVerifyPasswordClaim(A, eph, v, Claim(sb, Base64Encode("short"))));
  // Tampered signature bit.
  std::string sig = Base64Decode(kSignature).value();
  sig[5] ^= 1;
  EXPECT_FALSE(SrpVerifyPasswordClaim(A, eph, v, Claim(sb, Base64Encode(sig))));
}

TEST(SrpTest, ClientMatchesNpmClient) {
  std::string a_hex;
  for (int i = 0; i < 128; ++i) a_hex += "a1";
  SrpClient fixed(kPool, kUser, Bytes(a_hex));
  EXPECT_EQ(fixed.PublicAHex(), kSrpAHex);
  auto sig =
      fixed.SignClaim(kPassword, Bytes(kSrpBHex), Bytes(kSaltHex), SecretBlock(), kTimestamp);
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(*sig, kSignature);
}

TEST(SrpTest, RandomRoundTrip) {
  for (int i = 0; i < 4; ++i) {
    std::string user = "user-" + std::to_string(i);
    SrpVerifier v = MakeSrpVerifier("PoolX", user, "correct horse");
    ASSERT_EQ(v.salt.size(), 16u);
    ASSERT_FALSE(v.verifier.empty());
    auto eph = SrpServerBegin(v.verifier);
    ASSERT_TRUE(eph.has_value());
    EXPECT_EQ(eph->b.size(), 32u);
    SrpClient client("PoolX", user);
    auto A = SrpParsePublicA(client.PublicAHex());
    ASSERT_TRUE(A.has_value());
    std::string sb = RandomBytes(64);
    std::string ts = FormatSrpTimestamp(1'800'000'000 + i);
    auto good = client.SignClaim("correct horse", eph->B, v.salt, sb, ts).value();
    auto bad = client.SignClaim("correct horsf", eph->B, v.salt, sb, ts).value();
    SrpPasswordClaim claim{"PoolX", user, sb, ts, good};
    EXPECT_TRUE(SrpVerifyPasswordClaim(*A, *eph, v.verifier, claim));
    claim.signature = bad;
    EXPECT_FALSE(SrpVerifyPasswordClaim(*A, *eph, v.verifier, claim));
    // Rebuilding the ephemeral from the stored b gives the same B.
    auto again = SrpServerBeginWithSecret(v.verifier, eph->b);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->B, eph->B);
  }
}

TEST(SrpTest, SaltIsReadAsAnInteger) {
  // The clients parse SALT as a BigInteger and re-pad it, so a leading 00 byte is insignificant.
  std::string salt = Bytes("00" + std::string(kSaltHex));
  EXPECT_EQ(MakeSrpVerifierWithSalt(kPool, kUser, kPassword, salt).verifier,
            MakeSrpVerifierWithSalt(kPool, kUser, kPassword, Bytes(kSaltHex)).verifier);
  // High bit set: padded with 00, so a round trip with the client still agrees.
  SrpVerifier v = MakeSrpVerifierWithSalt("P", "u", "pw", Bytes("ff00ff00"));
  auto eph = SrpServerBegin(v.verifier).value();
  SrpClient client("P", "u");
  std::string A = SrpParsePublicA(client.PublicAHex()).value();
  auto sig = client.SignClaim("pw", eph.B, v.salt, "sb", "ts").value();
  EXPECT_TRUE(SrpVerifyPasswordClaim(A, eph, v.verifier, {"P", "u", "sb", "ts", sig}));
}

TEST(SrpTest, ParsePublicARejectsBadValues) {
  constexpr const char* kN =
      "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
      "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
      "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
      "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
      "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6"
      "955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
      "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D226"
      "1AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
      "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
  EXPECT_FALSE(SrpParsePublicA("").has_value());
  EXPECT_FALSE(SrpParsePublicA("0").has_value());
  EXPECT_FALSE(SrpParsePublicA("0000").has_value());
  EXPECT_FALSE(SrpParsePublicA(kN).has_value());
  EXPECT_FALSE(SrpParsePublicA(std::string("00") + kN).has_value());
  EXPECT_FALSE(SrpParsePublicA("-1").has_value());
  EXPECT_FALSE(SrpParsePublicA("0x12").has_value());
  EXPECT_FALSE(SrpParsePublicA("12 34").has_value());
  EXPECT_FALSE(SrpParsePublicA(std::string(1025, '1')).has_value());
  // 3N is also 0 mod N (kThreeN computed offline).
  EXPECT_FALSE(SrpParsePublicA(kThreeN).has_value());
  EXPECT_EQ(SrpParsePublicA("1FFFFFFFFFFFFFFFF").value(), Bytes("1FFFFFFFFFFFFFFFF"));
  EXPECT_EQ(SrpParsePublicA("ABC").value(), Bytes("0abc"));
  EXPECT_EQ(SrpParsePublicA("000abc").value(), Bytes("0abc"));
}

TEST(SrpTest, ServerRejectsBadVerifierAndSecret) {
  std::string v = Bytes(kVerifierHex);
  EXPECT_FALSE(SrpServerBegin("").has_value());
  EXPECT_FALSE(SrpServerBegin(std::string(4, '\0')).has_value());
  EXPECT_FALSE(SrpServerBegin(std::string(400, '\xff')).has_value());  // >= N
  EXPECT_FALSE(SrpServerBeginWithSecret(v, "").has_value());
  EXPECT_FALSE(SrpServerBeginWithSecret(v, std::string(32, '\0')).has_value());
  EXPECT_FALSE(SrpServerBeginWithSecret(v, std::string(65, '\x01')).has_value());
  auto eph = SrpServerBeginWithSecret(v, Bytes(kSmallBHex)).value();
  EXPECT_FALSE(SrpServerSessionKey("", eph, v).has_value());
  EXPECT_FALSE(SrpServerSessionKey(std::string(1, '\0'), eph, v).has_value());
  EXPECT_FALSE(SrpServerSessionKey(Bytes(kSrpAHex), SrpServerEphemeral{}, v).has_value());
  EXPECT_FALSE(SrpServerSessionKey(Bytes(kSrpAHex), eph, "").has_value());
}

TEST(SrpTimestampTest, FormatsLikeDateHelper) {
  EXPECT_EQ(FormatSrpTimestamp(1793693220), "Tue Nov 3 08:07:00 UTC 2026");
  EXPECT_EQ(FormatSrpTimestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
  EXPECT_EQ(FormatSrpTimestamp(951868799), "Tue Feb 29 23:59:59 UTC 2000");
}

TEST(SrpTimestampTest, ParsesAndRoundTrips) {
  EXPECT_EQ(ParseSrpTimestamp("Tue Nov 3 08:07:00 UTC 2026").value(), 1793693220);
  EXPECT_EQ(ParseSrpTimestamp("Tue Nov 03 08:07:00 UTC 2026").value(), 1793693220);
  // A wrong weekday parses (Java-lenient) but is not canonical, so a claim over it fails.
  EXPECT_EQ(ParseSrpTimestamp("Wed Nov 3 08:07:00 UTC 2026").value(), 1793693220);
  EXPECT_EQ(CanonicalSrpTimestamp("Wed Nov 03 08:07:00 UTC 2026").value(),
            "Tue Nov 3 08:07:00 UTC 2026");
  EXPECT_EQ(CanonicalSrpTimestamp(kTimestamp).value(), kTimestamp);
  EXPECT_FALSE(CanonicalSrpTimestamp("Tue Nov 3 08:07:00 +05:30 2026").has_value());
  for (std::int64_t t = 0; t < 4'000'000'000; t += 7'777'777) {
    EXPECT_EQ(ParseSrpTimestamp(FormatSrpTimestamp(t)).value(), t) << FormatSrpTimestamp(t);
  }
}

TEST(SrpTimestampTest, RejectsMalformed) {
  for (const char* bad :
       {"", "Tue Nov 3 08:07:00 UTC 2026 ", " Tue Nov 3 08:07:00 UTC 2026",
        "Tue Nov  3 08:07:00 UTC 2026", "Tux Nov 3 08:07:00 UTC 2026",
        "Tue Nov 3 08:07:00 GMT 2026", "Tue Nov 3 8:07:00 UTC 2026", "Tue Nov 3 24:00:00 UTC 2026",
        "Tue Nov 3 08:60:00 UTC 2026", "Tue Nov 3 08:07:60 UTC 2026",
        "Tue Nov 31 08:07:00 UTC 2026", "Tue Nov 0 08:07:00 UTC 2026",
        "Tue nov 3 08:07:00 UTC 2026", "Tue Nov 3 08:07:00 UTC 26", "Tue Nov 3 08:07:00 UTC 1969",
        "Tue Nov 3 08-07-00 UTC 2026", "Tue Nov +3 08:07:00 UTC 2026", "Tue Nov 3 08:07:00 UTC"}) {
    EXPECT_FALSE(ParseSrpTimestamp(bad).has_value()) << bad;
  }
}

TEST(SrpTest, RandomInputIsHandled) {
  std::string v = Bytes(kVerifierHex);
  auto eph = SrpServerBeginWithSecret(v, Bytes(kSmallBHex)).value();
  for (int i = 0; i < 60; ++i) {
    std::string junk = RandomBytes(static_cast<std::size_t>(i * 3 % 90));
    ParseSrpTimestamp(junk);
    SrpParsePublicA(junk);
    SrpParsePublicA(HexEncode(junk));
    SrpServerSessionKey(junk, eph, v);
    SrpServerBeginWithSecret(junk, Bytes(kSmallBHex));
    EXPECT_FALSE(SrpVerifyPasswordClaim(Bytes(kSrpAHex), eph, v,
                                        {kPool, kUser, SecretBlock(), kTimestamp, junk}));
  }
}

TEST(SrpTest, IntegerHex) {
  EXPECT_EQ(SrpIntegerHex(""), "0");
  EXPECT_EQ(SrpIntegerHex(std::string(3, '\0')), "0");
  EXPECT_EQ(SrpIntegerHex(Bytes("000abc")), "abc");
  EXPECT_EQ(SrpIntegerHex(Bytes("ff01")), "ff01");
}

}  // namespace
}  // namespace cognate::crypto
