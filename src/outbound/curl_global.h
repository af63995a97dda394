#pragma once
// libcurl's process-wide initialisation, done once. Call it from a constructor on the main thread
// (curl_global_init is not thread-safe on every platform), before any transfer.

#include <string>

#include <curl/curl.h>

namespace cognate::outbound {

// Deleters for libcurl handles held in std::unique_ptr.
struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};

// curl_global_init(CURL_GLOBAL_DEFAULT) the first time; false when it failed.
bool EnsureCurlInitialized();

// "smtp://mail.example.com:587" from "smtp://user:secret@mail.example.com:587/x": the URL
// without credentials, path or query, safe to log.
std::string RedactUrl(const std::string& url);

}  // namespace cognate::outbound
