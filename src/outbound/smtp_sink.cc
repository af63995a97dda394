#include "outbound/smtp_sink.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

#include <spdlog/spdlog.h>

#include "crypto/crypto.h"
#include "outbound/curl_global.h"
#include "outbound/outbox_sink.h"

namespace cognate::outbound {
namespace {

// Cognito's message when an e-mail cannot be sent.
constexpr const char* kEmailFailure = "Invalid email provided/Unable to send the email";
constexpr std::size_t kMaxLine = 998;  // RFC 5322 2.1.1, without CRLF

ApiError EmailFailure(std::string detail) {
  return ApiError(ErrorCode::kCodeDeliveryFailure, kEmailFailure, std::move(detail));
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; });
}

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](unsigned char c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; });
}

// Lines of `text` split on LF (a CR before it dropped).
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (true) {
    std::size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string DomainOf(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string("cognate.local")
                                      : std::string(address.substr(at + 1));
}

struct Upload {
  std::string_view data;
  std::size_t pos = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t len = std::min(size * n, up->data.size() - up->pos);
  std::memcpy(buffer, up->data.data() + up->pos, len);
  up->pos += len;
  return len;
}

}  // namespace

std::string Rfc5322Date(std::int64_t ms) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string EncodeHeaderText(std::string_view text) {
  if (IsPrintableAscii(text) && text.find("=?") == std::string_view::npos) {
    return std::string(text);
  }
  // "=?UTF-8?B?" + base64 + "?=" <= 75 characters: at most 45 bytes (60 base64 chars) per word.
  constexpr std::size_t kMaxBytes = 45;
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = std::min(text.size(), i + kMaxBytes);
    // Never end inside a UTF-8 sequence: back off over continuation bytes.
    while (end < text.size() && end > i + 1 &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + crypto::Base64Encode(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string QuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  auto lines = Lines(text);
  for (std::size_t li = 0; li < lines.size(); ++li) {
    std::string_view line = lines[li];
    std::size_t col = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      bool last = i + 1 == line.size();
      std::string piece;
      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
        piece = static_cast<char>(c);
      } else {
        piece = {'=', kHex[c >> 4], kHex[c & 0x0F]};
      }
      // Soft break so that no encoded line exceeds 76 characters (75 + '=').
      if (col + piece.size() > 75) {
        out += "=\r\n";
        col = 0;
      }
      out += piece;
      col += piece.size();
    }
    if (li + 1 < lines.size()) out += "\r\n";
  }
  return out;
}

bool LooksLikeHtml(std::string_view body) {
  std::string lower(body);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* tag : {"<a ", "<br", "<p>", "<p ", "<div", "<html", "<b>", "<strong", "</"}) {
    if (lower.find(tag) != std::string::npos) return true;
  }
  return false;
}

std::optional<std::string> EnvelopeAddress(std::string_view from) {
  if (HasControl(from)) return std::nullopt;
  std::string_view addr = from;
  auto lt = from.rfind('<');
  if (lt != std::string_view::npos) {
    auto gt = from.find('>', lt);
    if (gt == std::string_view::npos) return std::nullopt;
    addr = from.substr(lt + 1, gt - lt - 1);
  }
  while (!addr.empty() && addr.front() == ' ') addr.remove_prefix(1);
  while (!addr.empty() && addr.back() == ' ') addr.remove_suffix(1);
  auto at = addr.find('@');
  if (addr.empty() || at == std::string_view::npos || at == 0 || at + 1 == addr.size() ||
      addr.find_first_of(" <>,;\"") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(addr);
}

std::string BuildMimeMessage(const MimeInput& in) {
  std::string m;
  m += "Date: " + Rfc5322Date(in.date_ms) + "\r\n";
  m += "From: " + in.from + "\r\n";
  m += "To: " + in.to + "\r\n";
  m += "Subject: " + EncodeHeaderText(in.subject) + "\r\n";
  m += "Message-ID: " + in.message_id + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += std::string("Content-Type: ") + (LooksLikeHtml(in.body) ? "text/html" : "text/plain") +
       "; charset=UTF-8\r\n";
  auto lines = Lines(in.body);
  const bool plain = std::all_of(lines.begin(), lines.end(), [](std::string_view l) {
    return l.size() <= kMaxLine && IsPrintableAscii(l);
  });
  if (plain) {
    m += "Content-Transfer-Encoding: 7bit\r\n\r\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      m += lines[i];
      m += "\r\n";
    }
  } else {
    m += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    m += QuotedPrintable(in.body);
    m += "\r\n";
  }
  return m;
}

SmtpSink::SmtpSink(SmtpOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  EnsureCurlInitialized();
  envelope_from_ = EnvelopeAddress(options_.from).value_or("");
}

Result<void> SmtpSink::Send(const domain::OutboundMessage& message) {
  // Never echo a value with control characters into the log (log injection).
  const std::string masked = EnvelopeAddress(message.destination)
                                 ? MaskDestination(message.destination)
                                 : std::string("an invalid address");
  if (message.channel != domain::OutboundMessage::Channel::kEmail) {
    return EmailFailure("SMTP sink given a non-email message");
  }
  if (envelope_from_.empty()) {
    spdlog::error("smtp: the configured sender (--smtp-from) holds no usable address");
    return EmailFailure("bad sender address");
  }
  auto to = EnvelopeAddress(message.destination);
  if (!to || *to != message.destination) {
    spdlog::warn("smtp: refusing to send {} ({}): not a plain e-mail address", masked,
                 message.purpose);
    return EmailFailure("bad destination address");
  }
  if (message.subject.find_first_of("\r\n") != std::string::npos) {
    spdlog::warn("smtp: refusing to send {} ({}): line break in the subject", masked,
                 message.purpose);
    return EmailFailure("line break in subject");
  }

  MimeInput in;
  in.from = options_.from;
  in.to = *to;
  in.subject = message.subject;
  in.body = message.body;
  in.date_ms = clock_.NowMillis();
  in.message_id =
      "<" + crypto::HexEncode(crypto::RandomBytes(16)) + "@" + DomainOf(envelope_from_) + ">";
  const std::string mime = BuildMimeMessage(in);

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return EmailFailure("curl_easy_init failed");
  std::unique_ptr<curl_slist, SlistDeleter> rcpt(curl_slist_append(nullptr, to->c_str()));
  Upload upload{mime};
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  if (options_.url.rfind("smtps://", 0) != 0) {
    long ssl = options_.starttls == StartTls::kRequired ? CURLUSESSL_ALL
               : options_.starttls == StartTls::kTry    ? CURLUSESSL_TRY
                                                        : CURLUSESSL_NONE;
    curl_easy_setopt(c, CURLOPT_USE_SSL, ssl);
  }
  if (!options_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + envelope_from_ + ">").c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime.size()));

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    long response = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response);
    spdlog::error("smtp: sending {} ({}) via {} failed: {} (SMTP {})", masked, message.purpose,
                  RedactUrl(options_.url), errbuf[0] ? errbuf : curl_easy_strerror(rc), response);
    return EmailFailure(std::string("smtp: ") + curl_easy_strerror(rc));
  }
  spdlog::info("message for {} ({}) sent via {}", masked, message.purpose, RedactUrl(options_.url));
  return {};
}

}  // namespace cognate::outbound
