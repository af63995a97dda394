#pragma once
// E-mail delivery through an SMTP relay (libcurl): smtp:// with optional STARTTLS, or smtps://,
// optional AUTH. Each Send() is one SMTP transaction carrying one RFC 5322 message built by
// BuildMimeMessage. SMS messages are refused (the routing sink never hands them here).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "domain/messaging/message_sink.h"

namespace cognate::outbound {

enum class StartTls { kOff, kTry, kRequired };

struct SmtpOptions {
  std::string url;       // smtp://host[:port] or smtps://host[:port]
  std::string username;  // empty: no AUTH
  std::string password;
  // The From header: "address" or "Display Name <address>" (Cognito's default sender).
  std::string from = "no-reply@verificationemail.com";
  StartTls starttls = StartTls::kTry;  // smtp:// only; smtps:// is TLS from the start
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{20'000};  // the whole transaction
};

// What one e-mail carries.
struct MimeInput {
  std::string from;  // header value as configured
  std::string to;    // bare address
  std::string subject;
  std::string body;
  std::int64_t date_ms = 0;
  std::string message_id;  // "<...@...>"
};

// The whole message: Date, From, To, Subject (an RFC 2047 encoded word when not ASCII),
// Message-ID, MIME-Version, Content-Type (text/plain, or text/html when the body carries HTML
// tags such as a link e-mail's anchor; charset=UTF-8) and Content-Transfer-Encoding (7bit for
// short ASCII lines, quoted-printable otherwise), CRLF line ends. The caller has checked that no
// header value holds CR or LF.
std::string BuildMimeMessage(const MimeInput& in);

// RFC 5322 date: "Mon, 30 Nov 2026 11:22:45 +0000".
std::string Rfc5322Date(std::int64_t ms);
// `text` unchanged when it is printable ASCII, else UTF-8 base64 encoded words folded with CRLF SP
// (each word at most 75 characters, never splitting a UTF-8 sequence).
std::string EncodeHeaderText(std::string_view text);
// Quoted-printable (RFC 2045) of `text` with its line ends made CRLF, lines at most 76 chars.
std::string QuotedPrintable(std::string_view text);
// True when `body` looks like HTML (an element such as <a, <br, <p, </...>).
bool LooksLikeHtml(std::string_view body);
// The bare address of a From value ("Name <a@b>" -> "a@b"), or nullopt when it has none, holds
// CR/LF or other control characters.
std::optional<std::string> EnvelopeAddress(std::string_view from);

class SmtpSink final : public domain::MessageSink {
 public:
  SmtpSink(SmtpOptions options, const Clock& clock);

  // Sends an e-mail to message.destination. CodeDeliveryFailureException when the address,
  // subject or sender holds CR/LF, or the relay cannot be reached or refuses the message; the
  // log names the masked destination and the reason, never the body.
  Result<void> Send(const domain::OutboundMessage& message) override;

  const SmtpOptions& options() const { return options_; }

 private:
  SmtpOptions options_;
  std::string envelope_from_;
  const Clock& clock_;
};

}  // namespace cognate::outbound
