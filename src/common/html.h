#pragma once
// HTML escaping, shared by the hosted pages (api/web.h) and the e-mail templates
// (domain/messaging).

#include <string>
#include <string_view>

namespace cognate {

// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace cognate
