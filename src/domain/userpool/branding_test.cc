#include "domain/userpool/branding.h"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "domain/userpool/client_service.h"
#include "domain/userpool/domains.h"
#include "domain/userpool/pool_service.h"
#include "domain/users/test_support.h"

namespace cognate::domain::userpool {
namespace {

using nlohmann::json;

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + "rest-of-png";

template <class T>
void ExpectBrandingError(const Result<T>& r, ErrorCode code, const std::string& message = {}) {
  ASSERT_FALSE(r) << "expected " << ErrorTypeName(code);
  EXPECT_EQ(r.error().type_name(), ErrorTypeName(code));
  if (!message.empty()) {
    EXPECT_EQ(r.error().message(), message);
  }
}

class BrandingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = pools_.CreateUserPool({{"PoolName", "brand"}});
    ASSERT_TRUE(pool) << pool.error().message();
    pool_ = (*pool)["Id"].get<std::string>();
    client_ = NewClient("web");
    other_client_ = NewClient("mobile");
  }

  std::string NewClient(const std::string& name) {
    auto c = clients_.CreateUserPoolClient({{"UserPoolId", pool_}, {"ClientName", name}});
    EXPECT_TRUE(c) << c.error().message();
    return c ? (*c)["ClientId"].get<std::string>() : std::string();
  }

  void AddDomain() { ASSERT_TRUE(domains_.Create({{"UserPoolId", pool_}, {"Domain", "brand"}})); }

  users::testing::TestEnv env_;
  PoolService pools_{env_.ctx};
  ClientService clients_{env_.ctx};
  DomainService domains_{env_.ctx};
  BrandingService branding_{env_.ctx};
  std::string pool_;
  std::string client_;
  std::string other_client_;
};

TEST(SanitizeUiCssTest, AcceptsTheCustomizableClasses) {
  auto css = SanitizeUiCss(
      "/* brand */ .submitButton-customizable { background-color: #ff0000; color: white }\n"
      ".label-customizable, .inputField-customizable:focus {font-weight: 400 !important;}");
  ASSERT_TRUE(css) << css.error().message();
  EXPECT_EQ(
      *css,
      ".submitButton-customizable {\n  background-color: #ff0000;\n  color: white;\n}\n"
      ".label-customizable, .inputField-customizable:focus {\n  font-weight: 400 !important;\n}\n");
  EXPECT_TRUE(SanitizeUiCss(""));
}

TEST(SanitizeUiCssTest, RefusesEverythingElse) {
  for (const char* bad : {
           "body { color: red }",
           ".submitButton-customizable:active { color: red }",
           "@import 'x.css';",
           "@media screen { .label-customizable { color: red } }",
           ".label-customizable { background: url(http://evil/) }",
           ".label-customizable { width: expression(alert(1)) }",
           ".label-customizable { color: red } </style><script>",
           ".label-customizable { color: \\72 ed }",
           ".label-customizable { color: red",
           ".label-customizable { color }",
           ".label-customizable { color: red; } stray",
           ".label-customizable { Color; red }",
           "/* open",
       }) {
    auto r = SanitizeUiCss(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().type_name(), "InvalidParameterException") << bad;
    }
  }
}

TEST_F(BrandingTest, UiCustomizationNeedsADomain) {
  ExpectBrandingError(branding_.SetUICustomization({{"UserPoolId", pool_}, {"CSS", ""}}),
                      ErrorCode::kInvalidParameter,
                      "There has to be an existing domain associated with this user pool");
}

TEST_F(BrandingTest, UiCustomizationPerPoolAndPerClient) {
  AddDomain();
  env_.clock.AdvanceMillis(1000);
  auto all =
      branding_.SetUICustomization({{"UserPoolId", pool_},
                                    {"ClientId", "ALL"},
                                    {"CSS", ".banner-customizable { background-color: #123456 }"},
                                    {"ImageFile", crypto::Base64Encode(kPng)}});
  ASSERT_TRUE(all) << all.error().message();
  const json& ui = (*all)["UICustomization"];
  EXPECT_EQ(ui["UserPoolId"], pool_);
  EXPECT_EQ(ui["ClientId"], "ALL");
  EXPECT_EQ(ui["CSS"], ".banner-customizable { background-color: #123456 }");
  EXPECT_TRUE(ui.contains("CreationDate"));
  EXPECT_TRUE(ui.contains("LastModifiedDate"));
  EXPECT_NE(
      ui["ImageUrl"].get<std::string>().find("/assets/logo?client_id=ALL&user_pool_id=" + pool_),
      std::string::npos);

  // A client without its own falls back to ALL.
  auto got = branding_.GetUICustomization({{"UserPoolId", pool_}, {"ClientId", client_}});
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)["UICustomization"]["ClientId"], "ALL");
  auto page = BrandingFor(env_.ctx, pool_, client_);
  ASSERT_TRUE(page);
  EXPECT_NE(page->css.find(".banner-customizable {\n  background-color: #123456;"),
            std::string::npos);
  ASSERT_TRUE(page->logo_bytes);
  EXPECT_EQ(*page->logo_bytes, kPng);
  EXPECT_EQ(page->logo_content_type, "image/png");
  const std::string version_before = page->version;

  // The client's own wins entirely (no logo: not inherited).
  env_.clock.AdvanceMillis(1000);
  ASSERT_TRUE(branding_.SetUICustomization(
      {{"UserPoolId", pool_},
       {"ClientId", client_},
       {"CSS", ".submitButton-customizable { background-color: #00ff00 }"}}));
  got = branding_.GetUICustomization({{"UserPoolId", pool_}, {"ClientId", client_}});
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)["UICustomization"]["ClientId"], client_);
  EXPECT_FALSE((*got)["UICustomization"].contains("ImageUrl"));
  page = BrandingFor(env_.ctx, pool_, client_);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->css.find("banner"), std::string::npos);
  EXPECT_NE(page->css.find("#00ff00"), std::string::npos);
  EXPECT_FALSE(page->logo_bytes);
  EXPECT_NE(page->version, version_before);
  // The other client still sees ALL.
  page = BrandingFor(env_.ctx, pool_, other_client_);
  ASSERT_TRUE(page);
  EXPECT_NE(page->css.find("banner"), std::string::npos);
}

TEST_F(BrandingTest, UiCustomizationErrors) {
  AddDomain();
  ExpectBrandingError(branding_.SetUICustomization(
                          {{"UserPoolId", pool_}, {"ClientId", "nosuchclient"}, {"CSS", ""}}),
                      ErrorCode::kResourceNotFound);
  ExpectBrandingError(
      branding_.SetUICustomization({{"UserPoolId", pool_}, {"CSS", "body{color:red}"}}),
      ErrorCode::kInvalidParameter);
  ExpectBrandingError(
      branding_.SetUICustomization(
          {{"UserPoolId", pool_}, {"ImageFile", crypto::Base64Encode("GIF89a....")}}),
      ErrorCode::kInvalidParameter, "The image file must be a PNG or JPEG image.");
  ExpectBrandingError(
      branding_.SetUICustomization(
          {{"UserPoolId", pool_},
           {"ImageFile", crypto::Base64Encode(kPng + std::string(110 * 1024, 'x'))}}),
      ErrorCode::kInvalidParameter, "The image file is larger than 100 KB.");
  ExpectBrandingError(branding_.GetUICustomization({{"UserPoolId", "us-east-1_nopenope"}}),
                      ErrorCode::kResourceNotFound);
  auto empty = branding_.GetUICustomization({{"UserPoolId", pool_}});
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, (json{{"UICustomization", {{"UserPoolId", pool_}, {"ClientId", "ALL"}}}}));
  auto page = BrandingFor(env_.ctx, pool_, client_);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->css.empty());
  EXPECT_TRUE(page->settings.is_null());
  ExpectBrandingError(BrandingFor(env_.ctx, "us-east-1_nopenope", client_),
                      ErrorCode::kResourceNotFound);
}

TEST_F(BrandingTest, ManagedLoginLifecycle) {
  json settings = {
      {"components",
       {{"primaryButton", {{"lightMode", {{"defaults", {{"backgroundColor", "ff0000ff"}}}}}}}}}};
  json assets = json::array({{{"Category", "FORM_LOGO"},
                              {"ColorMode", "LIGHT"},
                              {"Extension", "PNG"},
                              {"Bytes", crypto::Base64Encode(kPng)}}});
  auto created = branding_.CreateManagedLoginBranding(
      {{"UserPoolId", pool_}, {"ClientId", client_}, {"Settings", settings}, {"Assets", assets}});
  ASSERT_TRUE(created) << created.error().message();
  const json style = (*created)["ManagedLoginBranding"];
  const std::string id = style["ManagedLoginBrandingId"];
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(style["UserPoolId"], pool_);
  EXPECT_EQ(style["UseCognitoProvidedValues"], false);
  EXPECT_EQ(style["Settings"], settings);
  EXPECT_EQ(style["Assets"], assets);

  ExpectBrandingError(
      branding_.CreateManagedLoginBranding({{"UserPoolId", pool_}, {"ClientId", client_}}),
      ErrorCode::kManagedLoginBrandingExists);

  auto by_client = branding_.DescribeManagedLoginBrandingByClient(
      {{"UserPoolId", pool_}, {"ClientId", client_}});
  ASSERT_TRUE(by_client);
  EXPECT_EQ((*by_client)["ManagedLoginBranding"]["ManagedLoginBrandingId"], id);
  auto merged = branding_.DescribeManagedLoginBranding(
      {{"UserPoolId", pool_}, {"ManagedLoginBrandingId", id}, {"ReturnMergedResources", true}});
  ASSERT_TRUE(merged);
  const json& ms = (*merged)["ManagedLoginBranding"]["Settings"];
  EXPECT_EQ(ms["components"]["primaryButton"]["lightMode"]["defaults"]["backgroundColor"],
            "ff0000ff");
  EXPECT_EQ(ms["components"]["primaryButton"]["lightMode"]["defaults"]["textColor"], "ffffffff");

  auto page = BrandingFor(env_.ctx, pool_, client_);
  ASSERT_TRUE(page);
  EXPECT_NE(page->css.find("--cognate-primary:#ff0000ff"), std::string::npos);
  EXPECT_NE(page->css.find(".submitButton-customizable{background-color:#ff0000ff}"),
            std::string::npos);
  ASSERT_TRUE(page->logo_bytes);
  EXPECT_EQ(page->logo_content_type, "image/png");
  EXPECT_TRUE(page->settings.is_object());

  // Update merges settings and replaces assets by category and mode.
  auto updated = branding_.UpdateManagedLoginBranding(
      {{"UserPoolId", pool_},
       {"ManagedLoginBrandingId", id},
       {"Settings", {{"categories", {{"global", {{"colorSchemeMode", "DARK"}}}}}}},
       {"Assets", json::array({{{"Category", "FORM_LOGO"},
                                {"ColorMode", "LIGHT"},
                                {"Extension", "SVG"},
                                {"Bytes", crypto::Base64Encode("<svg/>")}}})}});
  ASSERT_TRUE(updated) << updated.error().message();
  const json& us = (*updated)["ManagedLoginBranding"];
  EXPECT_EQ(us["Settings"]["categories"]["global"]["colorSchemeMode"], "DARK");
  EXPECT_EQ(us["Settings"]["components"], settings["components"]);
  ASSERT_EQ(us["Assets"].size(), 1u);
  EXPECT_EQ(us["Assets"][0]["Extension"], "SVG");

  // Reset to Cognito's values.
  auto reset = branding_.UpdateManagedLoginBranding(
      {{"UserPoolId", pool_}, {"ManagedLoginBrandingId", id}, {"UseCognitoProvidedValues", true}});
  ASSERT_TRUE(reset);
  EXPECT_EQ((*reset)["ManagedLoginBranding"]["UseCognitoProvidedValues"], true);
  EXPECT_EQ((*reset)["ManagedLoginBranding"]["Settings"], json::object());

  ASSERT_TRUE(branding_.DeleteManagedLoginBranding(
      {{"UserPoolId", pool_}, {"ManagedLoginBrandingId", id}}));
  ExpectBrandingError(branding_.DescribeManagedLoginBranding(
                          {{"UserPoolId", pool_}, {"ManagedLoginBrandingId", id}}),
                      ErrorCode::kResourceNotFound);
  ExpectBrandingError(branding_.DescribeManagedLoginBrandingByClient(
                          {{"UserPoolId", pool_}, {"ClientId", client_}}),
                      ErrorCode::kResourceNotFound);
  // The client may have a new style now.
  EXPECT_TRUE(branding_.CreateManagedLoginBranding(
      {{"UserPoolId", pool_}, {"ClientId", client_}, {"UseCognitoProvidedValues", true}}));
}

TEST_F(BrandingTest, ManagedLoginErrors) {
  ExpectBrandingError(
      branding_.CreateManagedLoginBranding({{"UserPoolId", pool_},
                                            {"ClientId", client_},
                                            {"UseCognitoProvidedValues", true},
                                            {"Settings", json::object()}}),
      ErrorCode::kInvalidParameter,
      "When UseCognitoProvidedValues is true, Settings and Assets must not be provided.");
  json dup = {{"Category", "FORM_LOGO"}, {"ColorMode", "LIGHT"}, {"Extension", "PNG"}};
  ExpectBrandingError(
      branding_.CreateManagedLoginBranding(
          {{"UserPoolId", pool_}, {"ClientId", client_}, {"Assets", json::array({dup, dup})}}),
      ErrorCode::kInvalidParameter);
  ExpectBrandingError(
      branding_.CreateManagedLoginBranding({{"UserPoolId", pool_}, {"ClientId", "nope"}}),
      ErrorCode::kResourceNotFound);
  ExpectBrandingError(branding_.CreateManagedLoginBranding(
                          {{"UserPoolId", "us-east-1_nopenope"}, {"ClientId", client_}}),
                      ErrorCode::kResourceNotFound);
  ExpectBrandingError(branding_.DescribeManagedLoginBranding(
                          {{"UserPoolId", pool_},
                           {"ManagedLoginBrandingId", "6f1b2c3d-1111-4222-8333-444455556666"}}),
                      ErrorCode::kResourceNotFound);
  ExpectBrandingError(
      branding_.CreateManagedLoginBranding(
          {{"UserPoolId", pool_}, {"ClientId", client_}, {"Settings", "not an object"}}),
      ErrorCode::kInvalidParameter);
}

}  // namespace
}  // namespace cognate::domain::userpool
