#include "domain/messaging/templates.h"

#include <initializer_list>
#include <utility>

#include "common/html.h"
#include "crypto/crypto.h"

namespace cognate::domain::messaging {
namespace {

using nlohmann::json;

// Sets `out` from the string member `key` of `obj`, if there is one.
void ReadString(const json& obj, const char* key, std::string& out) {
  if (!obj.is_object()) return;
  auto it = obj.find(key);
  if (it != obj.end() && it->is_string()) out = it->get<std::string>();
}

const json* Object(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

using Substitution = std::pair<std::string_view, std::string_view>;

// One left-to-right pass: at each position the first matching placeholder is replaced.
std::string Substitute(std::string_view text, std::initializer_list<Substitution> subs) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    if (text[i] == '{') {
      for (const auto& [from, to] : subs) {
        if (text.substr(i, from.size()) == from) {
          out += to;
          i += from.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

}  // namespace

MessageTemplate InviteTemplateFromPool(const json& pool_doc) {
  MessageTemplate t{std::string(kDefaultInviteMessage), std::string(kDefaultInviteMessage),
                    std::string(kDefaultInviteSubject)};
  if (const json* admin = Object(pool_doc, "AdminCreateUserConfig")) {
    if (const json* inv = Object(*admin, "InviteMessageTemplate")) {
      ReadString(*inv, "SMSMessage", t.sms_message);
      ReadString(*inv, "EmailMessage", t.email_message);
      ReadString(*inv, "EmailSubject", t.email_subject);
    }
  }
  return t;
}

VerificationTemplate VerificationTemplateFromPool(const json& pool_doc) {
  VerificationTemplate t;
  t.sms_message = kDefaultVerificationMessage;
  t.email_message = kDefaultVerificationMessage;
  t.email_subject = kDefaultVerificationSubject;
  t.email_message_by_link = kDefaultVerificationMessageByLink;
  t.email_subject_by_link = kDefaultVerificationSubjectByLink;
  ReadString(pool_doc, "SmsVerificationMessage", t.sms_message);
  ReadString(pool_doc, "EmailVerificationMessage", t.email_message);
  ReadString(pool_doc, "EmailVerificationSubject", t.email_subject);
  if (const json* v = Object(pool_doc, "VerificationMessageTemplate")) {
    ReadString(*v, "SmsMessage", t.sms_message);
    ReadString(*v, "EmailMessage", t.email_message);
    ReadString(*v, "EmailSubject", t.email_subject);
    ReadString(*v, "EmailMessageByLink", t.email_message_by_link);
    ReadString(*v, "EmailSubjectByLink", t.email_subject_by_link);
    std::string option;
    ReadString(*v, "DefaultEmailOption", option);
    t.confirm_with_link = option == "CONFIRM_WITH_LINK";
  }
  return t;
}

std::string Render(std::string_view text, std::string_view code, std::string_view username) {
  return Substitute(text, {{kCodePlaceholder, code}, {kUsernamePlaceholder, username}});
}

RenderedEmail RenderInviteEmail(const MessageTemplate& t, std::string_view username,
                                std::string_view temporary_password) {
  return {Render(t.email_subject, temporary_password, username),
          Render(t.email_message, temporary_password, username)};
}

std::string RenderInviteSms(const MessageTemplate& t, std::string_view username,
                            std::string_view temporary_password) {
  return Render(t.sms_message, temporary_password, username);
}

std::string ConfirmationUrl(const ConfirmationLink& link) {
  std::string_view base = link.public_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base) + "/confirmUser?client_id=" + crypto::PercentEncode(link.client_id) +
         "&user_name=" + crypto::PercentEncode(link.username) +
         "&confirmation_code=" + crypto::PercentEncode(link.code);
}

std::string RenderLink(std::string_view text, const ConfirmationLink& link) {
  const std::string url = HtmlEscape(ConfirmationUrl(link));
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t open = text.find("{##", i);
    while (open != std::string_view::npos &&
           text.substr(open, kCodePlaceholder.size()) == kCodePlaceholder) {
      open = text.find("{##", open + kCodePlaceholder.size());
    }
    if (open == std::string_view::npos) break;
    std::size_t close = text.find("##}", open + 3);
    if (close == std::string_view::npos) break;
    std::string_view label = text.substr(open + 3, close - open - 3);
    out += Render(text.substr(i, open - i), link.code, link.username);
    out += "<a href=\"" + url + "\">" + std::string(label) + "</a>";
    i = close + 3;
  }
  out += Render(text.substr(i), link.code, link.username);
  return out;
}

RenderedEmail RenderVerificationEmail(const VerificationTemplate& t, std::string_view code,
                                      std::string_view username, const ConfirmationLink* link) {
  if (link != nullptr && t.confirm_with_link) {
    return {Render(t.email_subject_by_link, code, username),
            RenderLink(t.email_message_by_link, *link)};
  }
  return {Substitute(t.email_subject, {{kCodePlaceholder, code}}),
          Render(t.email_message, code, username)};
}

std::string RenderVerificationSms(const VerificationTemplate& t, std::string_view code,
                                  std::string_view username) {
  return Render(t.sms_message, code, username);
}

std::string GenerateCode() { return crypto::RandomString(6, "0123456789"); }

}  // namespace cognate::domain::messaging
