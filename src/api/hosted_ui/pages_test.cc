#include "api/hosted_ui/pages.h"

#include <gtest/gtest.h>

#include "api/hosted_ui/web_assets.h"

namespace cognate::api::hosted_ui {
namespace {

TEST(HostedPages, LanguageFromLangThenAcceptLanguage) {
  EXPECT_EQ(ChooseLanguage("fr", "de"), "fr");
  EXPECT_EQ(ChooseLanguage("fr-CA", ""), "fr");
  EXPECT_EQ(ChooseLanguage("DE", ""), "de");
  EXPECT_EQ(ChooseLanguage("xx", "de-DE,de;q=0.9,en;q=0.5"), "de");
  EXPECT_EQ(ChooseLanguage("", "ja, fr;q=0.3, de;q=0.4"), "de");
  EXPECT_EQ(ChooseLanguage("", "en;q=0.1, fr;q=0.8"), "fr");
  EXPECT_EQ(ChooseLanguage("", "fr;q=bogus, de;q=0"), "en");
  EXPECT_EQ(ChooseLanguage("", ""), "en");
  EXPECT_EQ(ChooseLanguage("", ",,,;;;q=,"), "en");
}

TEST(HostedPages, EveryLanguageHasEveryString) {
  const std::string_view en = WebAsset("i18n/en.json");
  ASSERT_FALSE(en.empty());
  for (auto lang : kLanguages) {
    EXPECT_FALSE(WebAsset("i18n/" + std::string(lang) + ".json").empty()) << lang;
    EXPECT_NE(Translate(lang, "sign_in"), "sign_in") << lang;
  }
  EXPECT_EQ(Translate("fr", "sign_in"), "Se connecter");
  EXPECT_EQ(Translate("xx", "sign_in"), "Sign in");
  EXPECT_EQ(Translate("en", "no_such_key"), "no_such_key");
  EXPECT_EQ(Translate("en", "code_sent_to", {{"destination", "a***@e***.com"}}),
            "We sent a code to a***@e***.com. Enter it below.");
}

TEST(HostedPages, TemplatesFillSlotsAndEscapeStrings) {
  const std::string html = RenderTemplate("message", "fr", {{"text", "<b>x</b>"}});
  EXPECT_NE(html.find("<b>x</b>"), std::string::npos);  // slots are the caller's HTML
  EXPECT_EQ(html.find("{{"), std::string::npos);
  const std::string login = RenderTemplate("login", "fr", {});
  EXPECT_NE(login.find("Nom d&#39;utilisateur"), std::string::npos);  // strings are escaped
  EXPECT_TRUE(RenderTemplate("no_such_template", "en", {}).empty());
  EXPECT_FALSE(WebAsset("static/hosted.css").empty());
}

TEST(HostedPages, QrCodeIsAnInlineSvg) {
  const std::string svg =
      QrSvg("otpauth://totp/Cognate:alice?secret=JBSWY3DPEHPK3PXP&issuer=Cognate", "QR \"code\"");
  ASSERT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg.find("aria-label=\"QR &quot;code&quot;\""), std::string::npos);
  EXPECT_NE(svg.find("<path"), std::string::npos);
  EXPECT_TRUE(QrSvg(std::string(8000, 'x'), "too long").empty());
}

}  // namespace
}  // namespace cognate::api::hosted_ui
