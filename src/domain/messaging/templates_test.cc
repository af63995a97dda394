#include "domain/messaging/templates.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

namespace cognate::domain::messaging {
namespace {

using nlohmann::json;

TEST(TemplatesTest, DefaultsForAnEmptyPool) {
  MessageTemplate inv = InviteTemplateFromPool(json::object());
  EXPECT_EQ(inv.email_subject, "Your temporary password");
  EXPECT_EQ(inv.email_message, "Your username is {username} and temporary password is {####}. ");
  EXPECT_EQ(inv.sms_message, inv.email_message);
  VerificationTemplate v = VerificationTemplateFromPool(json::object());
  EXPECT_EQ(v.email_subject, "Your verification code");
  EXPECT_EQ(v.email_message, "Your verification code is {####}. ");
  EXPECT_EQ(v.sms_message, "Your verification code is {####}. ");
  EXPECT_EQ(v.email_subject_by_link, "Your verification link");
  EXPECT_NE(v.email_message_by_link.find("{##Verify Email##}"), std::string::npos);
  EXPECT_FALSE(v.confirm_with_link);
}

TEST(TemplatesTest, NonObjectsAndWrongTypesFallBackToDefaults) {
  EXPECT_EQ(InviteTemplateFromPool(json::array()).email_subject, kDefaultInviteSubject);
  json doc = {{"AdminCreateUserConfig", {{"InviteMessageTemplate", {{"EmailSubject", 7}}}}},
              {"VerificationMessageTemplate", "nope"},
              {"SmsVerificationMessage", nullptr}};
  EXPECT_EQ(InviteTemplateFromPool(doc).email_subject, kDefaultInviteSubject);
  EXPECT_EQ(VerificationTemplateFromPool(doc).sms_message, kDefaultVerificationMessage);
}

TEST(TemplatesTest, InviteTemplateFromPool) {
  json doc = json::parse(R"({"AdminCreateUserConfig": {"InviteMessageTemplate":
      {"SMSMessage": "sms {username} {####}", "EmailMessage": "Hi {username}: {####}",
       "EmailSubject": "Welcome {username}"}}})");
  MessageTemplate t = InviteTemplateFromPool(doc);
  RenderedEmail e = RenderInviteEmail(t, "alice", "Pa55!word");
  EXPECT_EQ(e.subject, "Welcome alice");
  EXPECT_EQ(e.body, "Hi alice: Pa55!word");
  EXPECT_EQ(RenderInviteSms(t, "alice", "Pa55!word"), "sms alice Pa55!word");
}

TEST(TemplatesTest, TemplateWinsOverLegacyMembers) {
  json doc = json::parse(R"({"SmsVerificationMessage": "legacy sms {####}",
      "EmailVerificationMessage": "legacy email {####}", "EmailVerificationSubject": "legacy",
      "VerificationMessageTemplate": {"EmailMessage": "new {####}"}})");
  VerificationTemplate t = VerificationTemplateFromPool(doc);
  EXPECT_EQ(t.email_message, "new {####}");
  EXPECT_EQ(t.email_subject, "legacy");
  EXPECT_EQ(t.sms_message, "legacy sms {####}");
}

TEST(TemplatesTest, RenderIsOnePass) {
  // A user name that itself looks like a placeholder is not expanded again.
  EXPECT_EQ(Render("{username} / {####}", "123456", "{####}"), "{####} / 123456");
  EXPECT_EQ(Render("{####}{####}", "1", "u"), "11");
  EXPECT_EQ(Render("{###} {user", "1", "u"), "{###} {user");
  EXPECT_EQ(Render("", "1", "u"), "");
}

TEST(TemplatesTest, CodeEmailReplacesOnlyTheCodeInTheSubject) {
  VerificationTemplate t = VerificationTemplateFromPool(json::parse(
      R"({"VerificationMessageTemplate": {"EmailSubject": "{username} {####}",
          "EmailMessage": "Hello {username}, code {####}", "SmsMessage": "c={####}"}})"));
  RenderedEmail e = RenderVerificationEmail(t, "000123", "bob");
  EXPECT_EQ(e.subject, "{username} 000123");
  EXPECT_EQ(e.body, "Hello bob, code 000123");
  EXPECT_EQ(RenderVerificationSms(t, "000123", "bob"), "c=000123");
}

TEST(TemplatesTest, ConfirmationUrlEncodesEachValue) {
  ConfirmationLink link{"https://auth.example.com/", "client1", "a b+c@x.com", "123456"};
  EXPECT_EQ(ConfirmationUrl(link),
            "https://auth.example.com/confirmUser?client_id=client1&user_name=a%20b%2Bc%40x.com"
            "&confirmation_code=123456");
}

TEST(TemplatesTest, LinkEmailWhenThePoolConfirmsWithLink) {
  json doc = json::parse(R"J({"VerificationMessageTemplate": {"DefaultEmailOption":
      "CONFIRM_WITH_LINK", "EmailMessageByLink": "Hi {username}. {##Click Here##} ({####})",
      "EmailSubjectByLink": "Link for {username}"}})J");
  VerificationTemplate t = VerificationTemplateFromPool(doc);
  ASSERT_TRUE(t.confirm_with_link);
  ConfirmationLink link{"http://127.0.0.1:9229", "cid", "bob", "654321"};
  RenderedEmail e = RenderVerificationEmail(t, "654321", "bob", &link);
  EXPECT_EQ(e.subject, "Link for bob");
  EXPECT_EQ(e.body,
            "Hi bob. <a href=\"http://127.0.0.1:9229/confirmUser?client_id=cid&amp;user_name=bob"
            "&amp;confirmation_code=654321\">Click Here</a> (654321)");
  // Without a link (no client known) the code e-mail is sent.
  EXPECT_EQ(RenderVerificationEmail(t, "654321", "bob").body, "Your verification code is 654321. ");
}

TEST(TemplatesTest, DefaultLinkEmail) {
  VerificationTemplate t = VerificationTemplateFromPool(json::parse(
      R"({"VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_LINK"}})"));
  ConfirmationLink link{"http://h", "c", "u", "1"};
  RenderedEmail e = RenderVerificationEmail(t, "1", "u", &link);
  EXPECT_EQ(e.subject, "Your verification link");
  EXPECT_EQ(e.body,
            "Please click the link below to verify your email address. <a "
            "href=\"http://h/confirmUser?client_id=c&amp;user_name=u&amp;confirmation_code=1\">"
            "Verify Email</a> ");
}

TEST(TemplatesTest, RenderLinkLeavesUnclosedMarkersAlone) {
  ConfirmationLink link{"http://h", "c", "u", "9"};
  EXPECT_EQ(RenderLink("a {##b", link), "a {##b");
  EXPECT_EQ(RenderLink("{####} only", link), "9 only");
}

TEST(TemplatesTest, GeneratedCodesAreSixUniformDigits) {
  std::map<char, int> counts;
  std::set<std::string> distinct;
  constexpr int kCodes = 5000;
  for (int i = 0; i < kCodes; ++i) {
    std::string c = GenerateCode();
    ASSERT_EQ(c.size(), 6u);
    for (char ch : c) {
      ASSERT_TRUE(ch >= '0' && ch <= '9');
      ++counts[ch];
    }
    distinct.insert(c);
  }
  EXPECT_EQ(counts.size(), 10u);
  // 3000 expected per digit; a fair source stays well within +-15%.
  for (const auto& [digit, n] : counts) {
    EXPECT_GT(n, 2550) << digit;
    EXPECT_LT(n, 3450) << digit;
  }
  EXPECT_GT(distinct.size(), 4900u);
}

}  // namespace
}  // namespace cognate::domain::messaging
