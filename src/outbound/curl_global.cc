#include "outbound/curl_global.h"

#include <curl/curl.h>

namespace cognate::outbound {

bool EnsureCurlInitialized() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

std::string RedactUrl(const std::string& url) {
  std::size_t scheme_end = url.find("://");
  std::size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  std::size_t host_end = url.find_first_of("/?#", host_start);
  if (host_end == std::string::npos) host_end = url.size();
  std::size_t at = url.rfind('@', host_end);
  if (at != std::string::npos && at >= host_start) host_start = at + 1;
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end + 3);
  return scheme + url.substr(host_start, host_end - host_start);
}

}  // namespace cognate::outbound
