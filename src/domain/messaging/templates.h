#pragma once
// Cognito's message templates: reading them from a pool document (with Cognito's default texts),
// rendering them ({####} the code or temporary password, {username} the user name,
// {##label##} the confirmation link), and the one-time codes they carry. Pure functions.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cognate::domain::messaging {

inline constexpr std::string_view kCodePlaceholder = "{####}";
inline constexpr std::string_view kUsernamePlaceholder = "{username}";

// Cognito's texts for a pool that sets none (as DescribeUserPool shows them).
inline constexpr std::string_view kDefaultVerificationSubject = "Your verification code";
inline constexpr std::string_view kDefaultVerificationMessage =
    "Your verification code is {####}. ";
inline constexpr std::string_view kDefaultVerificationSubjectByLink = "Your verification link";
inline constexpr std::string_view kDefaultVerificationMessageByLink =
    "Please click the link below to verify your email address. {##Verify Email##} ";
inline constexpr std::string_view kDefaultInviteSubject = "Your temporary password";
inline constexpr std::string_view kDefaultInviteMessage =
    "Your username is {username} and temporary password is {####}. ";
inline constexpr std::string_view kDefaultAuthenticationMessage =
    "Your authentication code is {####}. ";

// AdminCreateUserConfig.InviteMessageTemplate (an SMS and an e-mail message pair).
struct MessageTemplate {
  std::string sms_message;
  std::string email_message;
  std::string email_subject;
};

// VerificationMessageTemplate: the code messages plus the link e-mail.
struct VerificationTemplate {
  std::string sms_message;
  std::string email_message;
  std::string email_subject;
  std::string email_message_by_link;
  std::string email_subject_by_link;
  bool confirm_with_link = false;  // DefaultEmailOption == CONFIRM_WITH_LINK
};

// The invitation template of a pool document (UserPoolType), Cognito's defaults for what is
// unset. Never fails: members of the wrong type are ignored.
MessageTemplate InviteTemplateFromPool(const nlohmann::json& pool_doc);

// The verification template of a pool document: VerificationMessageTemplate members win over
// the legacy SmsVerificationMessage / EmailVerificationMessage / EmailVerificationSubject, which
// win over Cognito's defaults. Never fails.
VerificationTemplate VerificationTemplateFromPool(const nlohmann::json& pool_doc);

// A subject and body ready to send.
struct RenderedEmail {
  std::string subject;
  std::string body;
};

// `text` with each {####} replaced by `code` and each {username} by `username`, in one pass
// (a placeholder inside a substituted value stays as it is).
std::string Render(std::string_view text, std::string_view code, std::string_view username);

// The invitation e-mail / SMS: {username} is the user name as the admin gave it, {####} the
// temporary password; both placeholders are replaced in the subject too.
RenderedEmail RenderInviteEmail(const MessageTemplate& t, std::string_view username,
                                std::string_view temporary_password);
std::string RenderInviteSms(const MessageTemplate& t, std::string_view username,
                            std::string_view temporary_password);

// What a CONFIRM_WITH_LINK e-mail links to.
struct ConfirmationLink {
  std::string public_url;  // e.g. https://auth.example.com (no trailing slash needed)
  std::string client_id;
  std::string username;
  std::string code;
};

// `{public_url}/confirmUser?client_id=..&user_name=..&confirmation_code=..`, each value
// percent-encoded.
std::string ConfirmationUrl(const ConfirmationLink& link);

// Each `{##label##}` in `text` replaced by `<a href="url">label</a>` (Cognito's link e-mails are
// HTML); {username} and {####} are replaced as in Render.
std::string RenderLink(std::string_view text, const ConfirmationLink& link);

// A code e-mail: the code template, or with `link` set and the pool on CONFIRM_WITH_LINK, the link
// template. Only the code placeholder is replaced in the code subject (as Cognito does).
RenderedEmail RenderVerificationEmail(const VerificationTemplate& t, std::string_view code,
                                      std::string_view username,
                                      const ConfirmationLink* link = nullptr);
std::string RenderVerificationSms(const VerificationTemplate& t, std::string_view code,
                                  std::string_view username);

// A fresh one-time code: 6 decimal digits, each uniform (libsodium's CSPRNG).
std::string GenerateCode();

}  // namespace cognate::domain::messaging
