#include "outbound/smtp_sink.h"

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "outbound/curl_global.h"

namespace cognate::outbound {
namespace {

TEST(MimeTest, Rfc5322Date) {
  EXPECT_EQ(Rfc5322Date(1'796'036'400'000), "Mon, 30 Nov 2026 11:00:00 +0000");
  EXPECT_EQ(Rfc5322Date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST(MimeTest, AsciiHeaderTextIsUnchanged) {
  EXPECT_EQ(EncodeHeaderText("Your verification code"), "Your verification code");
  EXPECT_EQ(EncodeHeaderText(""), "");
}

TEST(MimeTest, NonAsciiHeaderTextBecomesEncodedWords) {
  EXPECT_EQ(EncodeHeaderText("café"), "=?UTF-8?B?" + crypto::Base64Encode("café") + "?=");
  // Something that looks like an encoded word is encoded too, so it reads back literally.
  EXPECT_EQ(EncodeHeaderText("=?x?="), "=?UTF-8?B?" + crypto::Base64Encode("=?x?=") + "?=");
  // Long text: words of at most 75 characters, folded, never splitting a character.
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "é€";
  std::string encoded = EncodeHeaderText(long_text);
  std::string decoded;
  std::size_t start = 0;
  while (start < encoded.size()) {
    std::size_t end = encoded.find("\r\n ", start);
    std::string word = encoded.substr(start, end == std::string::npos ? end : end - start);
    EXPECT_LE(word.size(), 75u);
    ASSERT_EQ(word.rfind("=?UTF-8?B?", 0), 0u);
    auto piece = crypto::Base64Decode(word.substr(10, word.size() - 12));
    ASSERT_TRUE(piece);
    // Each word is valid UTF-8 on its own: it never starts with a continuation byte.
    EXPECT_NE(static_cast<unsigned char>((*piece)[0]) & 0xC0, 0x80);
    decoded += *piece;
    if (end == std::string::npos) break;
    start = end + 3;
  }
  EXPECT_EQ(decoded, long_text);
}

TEST(MimeTest, QuotedPrintable) {
  EXPECT_EQ(QuotedPrintable("Zoë = 1"), "Zo=C3=AB =3D 1");
  EXPECT_EQ(QuotedPrintable("a \nb\r\nc\t"), "a=20\r\nb\r\nc=09");
  EXPECT_EQ(QuotedPrintable("lone\rcr"), "lone=0Dcr");
  std::string long_line(200, 'x');
  std::string qp = QuotedPrintable(long_line + "é");
  std::size_t start = 0;
  std::string joined;
  while (true) {
    std::size_t end = qp.find("\r\n", start);
    std::string line = qp.substr(start, end == std::string::npos ? end : end - start);
    EXPECT_LE(line.size(), 76u);
    if (end == std::string::npos) {
      joined += line;
      break;
    }
    ASSERT_EQ(line.back(), '=');  // soft break
    joined += line.substr(0, line.size() - 1);
    start = end + 2;
  }
  EXPECT_EQ(joined, long_line + "=C3=A9");
}

TEST(MimeTest, EnvelopeAddress) {
  EXPECT_EQ(EnvelopeAddress("a@example.com"), "a@example.com");
  EXPECT_EQ(EnvelopeAddress("Example App <no-reply@example.com>"), "no-reply@example.com");
  EXPECT_EQ(EnvelopeAddress("  a@b.c "), "a@b.c");
  EXPECT_FALSE(EnvelopeAddress("a@b.c\r\nBcc: x@y.z"));
  EXPECT_FALSE(EnvelopeAddress("a@b.c\n"));
  EXPECT_FALSE(EnvelopeAddress("nobody"));
  EXPECT_FALSE(EnvelopeAddress("@b.c"));
  EXPECT_FALSE(EnvelopeAddress("a@"));
  EXPECT_FALSE(EnvelopeAddress("a b@c.d"));
  EXPECT_FALSE(EnvelopeAddress("a@b.c, d@e.f"));
  EXPECT_FALSE(EnvelopeAddress("Name <a@b.c"));
  EXPECT_FALSE(EnvelopeAddress(""));
}

TEST(MimeTest, LooksLikeHtml) {
  EXPECT_TRUE(LooksLikeHtml("Click <a href=\"x\">here</a>"));
  EXPECT_TRUE(LooksLikeHtml("line<br/>line"));
  EXPECT_TRUE(LooksLikeHtml("<P>Hi</P>"));
  EXPECT_FALSE(LooksLikeHtml("Your code is 1 < 2 > 0"));
  EXPECT_FALSE(LooksLikeHtml("Your verification code is 123456. "));
}

TEST(MimeTest, BuildsAPlainAsciiMessage) {
  MimeInput in{
      "Cognate <no-reply@example.com>",          "a@example.com",   "Your verification code",
      "Your verification code is 123456. \nBye", 1'796'036'400'000, "<id@example.com>"};
  EXPECT_EQ(BuildMimeMessage(in),
            "Date: Mon, 30 Nov 2026 11:00:00 +0000\r\n"
            "From: Cognate <no-reply@example.com>\r\n"
            "To: a@example.com\r\n"
            "Subject: Your verification code\r\n"
            "Message-ID: <id@example.com>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "Your verification code is 123456. \r\n"
            "Bye\r\n");
}

TEST(MimeTest, BuildsQuotedPrintableHtmlForNonAsciiLinkMail) {
  MimeInput in{"no-reply@example.com",
               "a@example.com",
               "Vérifiez",
               "Cliquez <a href=\"http://h/confirmUser?x=1&amp;y=2\">ici</a> – merci",
               0,
               "<id@example.com>"};
  std::string m = BuildMimeMessage(in);
  EXPECT_NE(m.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(m.find("Content-Type: text/html; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(m.find("Content-Transfer-Encoding: quoted-printable\r\n\r\n"), std::string::npos);
  std::string unfolded;  // soft line breaks removed
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m.compare(i, 3, "=\r\n") == 0) {
      i += 2;
    } else {
      unfolded += m[i];
    }
  }
  EXPECT_NE(
      unfolded.find("href=3D\"http://h/confirmUser?x=3D1&amp;y=3D2\">ici</a> =E2=80=93 merci"),
      std::string::npos)
      << m;
}

TEST(MimeTest, OverlongAsciiLinesAreQuotedPrintable) {
  MimeInput in{"f@x.y", "a@x.y", "s", std::string(1200, 'a'), 0, "<i@x.y>"};
  std::string m = BuildMimeMessage(in);
  EXPECT_NE(m.find("Content-Transfer-Encoding: quoted-printable"), std::string::npos);
}

TEST(CurlGlobalTest, RedactUrl) {
  EXPECT_EQ(RedactUrl("smtp://user:secret@mail.example.com:587/x?y"),
            "smtp://mail.example.com:587");
  EXPECT_EQ(RedactUrl("smtps://mail.example.com"), "smtps://mail.example.com");
  EXPECT_EQ(RedactUrl("https://sms.example.com/send?token=abc"), "https://sms.example.com");
  EXPECT_EQ(RedactUrl("host:25"), "host:25");
}

}  // namespace
}  // namespace cognate::outbound
