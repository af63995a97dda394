#include "crypto/crypto.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <thread>
#include <unordered_set>

#include <gtest/gtest.h>

#include <cctype>

namespace cognate::crypto {
namespace {

TEST(EncodingTest, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Decode("Zm9vYg==").value(), "foob");
  EXPECT_FALSE(Base64Decode("Zm9vYg=").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v*mFy").has_value());
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8").value(), "\xfb\xff");
  EXPECT_FALSE(Base64UrlDecode("-_8=").has_value());
}

TEST(EncodingTest, Base64RoundTripsAndRejectsNonCanonical) {
  for (std::size_t n = 0; n < 80; ++n) {
    std::string bytes = RandomBytes(n);
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)).value(), bytes);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)).value(), bytes);
  }
  EXPECT_FALSE(Base64Decode("Zh==").has_value());  // "f" is "Zg==": trailing bits set
  EXPECT_FALSE(Base64Decode("Zm9=").has_value());  // "fo" is "Zm8="
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v====").has_value());
  EXPECT_FALSE(Base64Decode("Zg=a").has_value());
  EXPECT_FALSE(Base64Decode("-_8=").has_value());  // url alphabet in standard base64
  EXPECT_FALSE(Base64UrlDecode("+/8").has_value());
  EXPECT_FALSE(Base64UrlDecode("A").has_value());
  EXPECT_EQ(Base64UrlDecode("").value(), "");
  EXPECT_FALSE(Base64Decode(std::string("Zm9v\0mFy", 8)).has_value());
}

TEST(EncodingTest, PercentEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a b/c?d=\xC3\xA9+%"), "a%20b%2Fc%3Fd%3D%C3%A9%2B%25");
  EXPECT_EQ(PercentEncode(std::string("\0\xFF", 2)), "%00%FF");
}

TEST(EncodingTest, HexRoundTrips) {
  EXPECT_EQ(HexEncode("\x01\xab"), "01ab");
  EXPECT_EQ(HexDecode("01AB").value(), "\x01\xab");
  EXPECT_FALSE(HexDecode("0g").has_value());
  EXPECT_FALSE(HexDecode("abc").has_value());  // odd length
  EXPECT_EQ(HexDecode("").value(), "");
  // Every byte value round-trips, and every byte that is not a hex digit is refused, in either
  // place of a pair.
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_EQ(HexDecode(HexEncode(all)).value(), all);
  EXPECT_EQ(HexDecode("0123456789abcdefABCDEF").value(),
            "\x01\x23\x45\x67\x89\xab\xcd\xef\xab\xcd\xef");
  for (int b = 0; b < 256; ++b) {
    const bool digit = std::isxdigit(b) != 0;
    const std::string c(1, static_cast<char>(b));
    EXPECT_EQ(HexDecode(c + "0").has_value(), digit) << b;
    EXPECT_EQ(HexDecode("0" + c).has_value(), digit) << b;
  }
}

TEST(HashTest, Sha256AndHmacMatchPublishedVectors) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

TEST(PasswordTest, Argon2idHashVerifiesOnlyTheRightPassword) {
  PasswordHashParams fast{1, 8 * 1024};
  std::string phc = HashPassword("Passw0rd!", fast);
  EXPECT_TRUE(phc.starts_with("$argon2id$v=19$"));
  EXPECT_TRUE(VerifyPassword("Passw0rd!", phc));
  EXPECT_FALSE(VerifyPassword("passw0rd!", phc));
  EXPECT_FALSE(VerifyPassword("Passw0rd!", "$2b$10$notargon"));
  EXPECT_NE(HashPassword("Passw0rd!", fast), phc);  // salted
}

TEST(SecretBoxTest, SealsAndRefusesTampering) {
  SecretBox box(std::string(32, 'k'));
  std::string sealed = box.Seal("s3cret", "client-secret:abc");
  EXPECT_EQ(box.Open(sealed, "client-secret:abc").value(), "s3cret");
  EXPECT_FALSE(box.Open(sealed, "client-secret:xyz").has_value());
  std::string flipped = sealed;
  flipped.back() ^= 1;
  EXPECT_FALSE(box.Open(flipped, "client-secret:abc").has_value());
  EXPECT_FALSE(SecretBox(std::string(32, 'j')).Open(sealed, "client-secret:abc").has_value());
  EXPECT_NE(box.Seal("s3cret", "a"), box.Seal("s3cret", "a"));  // fresh nonce
}

TEST(RandomTest, UuidHasVersion4Shape) {
  std::string u = NewUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(NewUuid(), u);
  std::string s = RandomString(26, "abc");
  EXPECT_EQ(s.size(), 26u);
  EXPECT_EQ(s.find_first_not_of("abc"), std::string::npos);
}

TEST(RandomTest, RandomStringIsUniformOverAnAlphabetThatDoesNotDivide256) {
  // 3 does not divide 256: without rejection sampling 'a' would come up 86/256 of the time
  // against 85/256 for the others; here each count must stay near a third of 30,000.
  const std::string s = RandomString(30000, "abc");
  for (char c : std::string("abc")) {
    const auto count = std::count(s.begin(), s.end(), c);
    EXPECT_GT(count, 9500) << c;
    EXPECT_LT(count, 10500) << c;
  }
  // Ten digits: a 6-digit code uses every digit.
  const std::string digits = RandomString(2000, "0123456789");
  for (char c = '0'; c <= '9'; ++c) EXPECT_NE(digits.find(c), std::string::npos) << c;
  EXPECT_THROW(RandomString(4, ""), std::invalid_argument);
  EXPECT_EQ(RandomString(0, "ab"), "");
}

// Small draws come from a per-thread batch: no byte may be handed out twice. Draws of 1 to 64
// bytes (crossing the batch's end at every offset) are laid end to end, and no 8-byte window of
// the result may repeat; a repeat by chance is about 1e-9 likely.
std::string ManySmallDraws(std::size_t total) {
  std::string all;
  for (std::size_t n = 1; all.size() < total; n = n % 64 + 1) all += RandomBytes(n);
  return all;
}
bool AnEightByteWindowRepeats(const std::string& all) {
  std::unordered_set<std::uint64_t> seen;
  for (std::size_t i = 0; i + 8 <= all.size(); ++i) {
    std::uint64_t w;
    std::memcpy(&w, all.data() + i, 8);
    if (!seen.insert(w).second) return true;
  }
  return false;
}

TEST(RandomTest, SmallDrawsNeverRepeatBytes) {
  EXPECT_FALSE(AnEightByteWindowRepeats(ManySmallDraws(64 * 1024)));
  // Two threads, each with its own batch, interleaved.
  std::string a, b;
  std::thread ta([&] { a = ManySmallDraws(16 * 1024); });
  std::thread tb([&] { b = ManySmallDraws(16 * 1024); });
  ta.join();
  tb.join();
  EXPECT_FALSE(AnEightByteWindowRepeats(a + b));
}

TEST(RandomTest, AForkedChildDoesNotReuseTheParentsBatch) {
  (void)RandomBytes(16);  // the parent's batch now has bytes left
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string child = RandomBytes(32);
    const bool ok = write(fds[1], child.data(), child.size()) == 32;
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  char child[32];
  ASSERT_EQ(read(fds[0], child, sizeof child), 32);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(status, 0);
  EXPECT_NE(RandomBytes(32), std::string(child, sizeof child));
}

}  // namespace
}  // namespace cognate::crypto
