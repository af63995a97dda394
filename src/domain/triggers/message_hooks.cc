// CustomMessage and the custom senders: the one place codes and invitations leave the server
// (see hooks.h, DeliverMessage).

#include <utility>

#include "crypto/aes_gcm.h"
#include "domain/triggers/hooks.h"

namespace cognate::domain::triggers {
namespace {

using Json = nlohmann::json;

// Cognito's limits on CustomMessage texts (characters).
constexpr std::size_t kMaxSmsMessage = 140;
constexpr std::size_t kMaxEmailSubject = 140;
constexpr std::size_t kMaxEmailMessage = 20000;

constexpr std::string_view kLinkParameter = "{##Click Here##}";

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A string response member: nullopt when absent or null; InvalidLambdaResponseException when
// it is anything else but a string.
Result<std::optional<std::string>> StringMember(const Json& response, std::string_view key) {
  auto it = response.find(key);
  if (it == response.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return ApiError(ErrorCode::kInvalidLambdaResponse, "Unrecognizable lambda output",
                    "CustomMessage replied with a " + std::string(key) + " that is not a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

Result<void> SendThroughSender(const ServiceContext& ctx, const Json& lambda_config,
                               const HookUser& user, const OutboundMessage& message,
                               const CodeMessageCall& call, const Target& target, bool email) {
  const Trigger trigger = email ? Trigger::kCustomEmailSender : Trigger::kCustomSmsSender;
  const std::string name(TriggerName(trigger));
  std::string key_id;
  if (auto it = lambda_config.find("KMSKeyID"); it != lambda_config.end() && it->is_string()) {
    key_id = it->get<std::string>();
  }
  auto key = ctx.config.kms_keys.find(key_id);
  if (key_id.empty() || key == ctx.config.kms_keys.end()) {
    return ApiError(ErrorCode::kUnexpectedLambda,
                    name + " invocation failed due to error KMS key not configured.",
                    "no [kms_keys] entry for KMSKeyID '" + key_id + "'");
  }
  auto sealed = crypto::AesGcmSealBase64(key->second, call.code);
  if (!sealed) {
    return ApiError(ErrorCode::kUnexpectedLambda,
                    name + " invocation failed due to error KMS key not usable.",
                    "the key for KMSKeyID '" + key_id + "' is not 32 bytes");
  }
  Event e;
  e.trigger_source = name + "_" + call.source;
  e.user_pool_id = user.pool_id;
  e.username = user.username;
  e.client_id = call.client_id;
  e.request = {
      {"type", email ? "customEmailSenderRequestV1" : "customSMSSenderRequestV1"},
      {"code", *sealed},
      {"clientMetadata", call.client_metadata.is_object() ? call.client_metadata : Json::object()},
      {"userAttributes", EventUserAttributes(user.attributes, user.status)},
  };
  (void)message;  // the function delivers; nothing reaches the message sink
  auto response = Call(ctx, target, trigger, e);
  if (!response) return response.error();
  return {};
}

// Applies CustomMessage's answer to `message` (left as rendered when the answer is unusable).
Result<void> ApplyCustomMessage(const Json& r, OutboundMessage& message,
                                const CodeMessageCall& call) {
  auto sms = StringMember(r, "smsMessage");
  if (!sms) return sms.error();
  auto body = StringMember(r, "emailMessage");
  if (!body) return body.error();
  auto subject = StringMember(r, "emailSubject");
  if (!subject) return subject.error();
  const bool invitation = !call.shown_username.empty();
  // An invitation must show the username too, or the user could not sign in.
  auto usable = [&](const std::string& text, bool allow_link) {
    const bool has_code =
        Contains(text, messaging::kCodePlaceholder) || (allow_link && Contains(text, "{##"));
    return has_code && (!invitation || Contains(text, messaging::kUsernamePlaceholder));
  };
  const std::string& shown = invitation ? call.shown_username : message.username;
  if (message.channel == OutboundMessage::Channel::kSms) {
    if (*sms && usable(**sms, false) && CodePoints(**sms) <= kMaxSmsMessage) {
      message.body = messaging::Render(**sms, call.code, shown);
    }
    return {};
  }
  const bool link = call.link != nullptr;
  if (*body && usable(**body, link) && CodePoints(**body) <= kMaxEmailMessage) {
    message.body = link ? messaging::RenderLink(**body, *call.link)
                        : messaging::Render(**body, call.code, shown);
  }
  if (*subject && !(*subject)->empty() && CodePoints(**subject) <= kMaxEmailSubject) {
    message.subject = messaging::Render(**subject, call.code, shown);
  }
  return {};
}

}  // namespace

Result<void> DeliverMessage(const ServiceContext& ctx, const Json& lambda_config,
                            const HookUser& user, OutboundMessage message,
                            const CodeMessageCall& call) {
  if (ctx.triggers == nullptr || lambda_config.empty()) return ctx.messages.Send(message);
  const bool email = message.channel == OutboundMessage::Channel::kEmail;
  if (auto sender = TargetFor(lambda_config,
                              email ? Trigger::kCustomEmailSender : Trigger::kCustomSmsSender)) {
    return SendThroughSender(ctx, lambda_config, user, message, call, *sender, email);
  }
  if (auto target = TargetFor(lambda_config, Trigger::kCustomMessage)) {
    Event e;
    e.trigger_source = "CustomMessage_" + call.source;
    e.user_pool_id = user.pool_id;
    e.username = user.username;
    e.client_id = call.client_id;
    e.request = {
        {"userAttributes", EventUserAttributes(user.attributes, user.status)},
        {"codeParameter", messaging::kCodePlaceholder},
        {"linkParameter", kLinkParameter},
        {"usernameParameter", call.shown_username.empty()
                                  ? Json(nullptr)
                                  : Json(std::string(messaging::kUsernamePlaceholder))},
        {"clientMetadata",
         call.client_metadata.is_object() ? call.client_metadata : Json::object()},
    };
    e.response = {{"smsMessage", nullptr}, {"emailMessage", nullptr}, {"emailSubject", nullptr}};
    auto response = Call(ctx, *target, Trigger::kCustomMessage, e);
    if (!response) return response.error();
    if (auto ok = ApplyCustomMessage(*response, message, call); !ok) return ok.error();
  }
  return ctx.messages.Send(message);
}

}  // namespace cognate::domain::triggers
