#pragma once
// Rendering of the hosted pages: the embedded templates of web/ ({{name}} slots filled with
// HTML the caller built, {{t.key}} slots with the page language's string, escaped), the strings of
// web/i18n/ (en, fr, de), the language choice (`lang` query, then Accept-Language) and the TOTP QR
// code as inline SVG (libqrencode).

#include <map>
#include <string>
#include <string_view>

namespace cognate::api::hosted_ui {

using Slots = std::map<std::string, std::string, std::less<>>;

// The languages the pages speak, the first being the default.
inline constexpr std::string_view kLanguages[] = {"en", "fr", "de"};

// The page language: `lang_param` when it names one of kLanguages (a region suffix is ignored:
// "fr-CA" -> "fr"), else the best of `accept_language` by q-value, else "en".
std::string ChooseLanguage(std::string_view lang_param, std::string_view accept_language);

// The string `key` in `lang` (English when missing; the key itself when unknown), with
// "{name}" placeholders replaced by `args` (not escaped: escape the result).
std::string Translate(std::string_view lang, std::string_view key, const Slots& args = {});

// web/templates/<name>.html with its slots filled: {{x}} from `slots` (raw HTML, "" when absent),
// {{t.key}} from Translate(lang, key), escaped.
std::string RenderTemplate(std::string_view name, std::string_view lang, const Slots& slots);

// `text` (an otpauth:// URI) as an inline <svg> QR code (role="img", aria-label `label`), or ""
// when it cannot be encoded.
std::string QrSvg(std::string_view text, std::string_view label);

}  // namespace cognate::api::hosted_ui
