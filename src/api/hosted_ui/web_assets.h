#pragma once
// The files of web/ (templates/*.html, static/*.css, i18n/*.json), embedded at build time by
// src/api/hosted_ui/embed.cmake.

#include <string_view>

namespace cognate::api::hosted_ui {

// The content of web/<name> ("templates/login.html"), or "" when there is no such file.
std::string_view WebAsset(std::string_view name);

}  // namespace cognate::api::hosted_ui
