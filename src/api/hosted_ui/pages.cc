#include "api/hosted_ui/pages.h"

#include <qrencode.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include <nlohmann/json.hpp>

#include "api/hosted_ui/web_assets.h"
#include "api/web.h"
#include "common/json_parse.h"

namespace cognate::api::hosted_ui {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "fr-CA" -> "fr" when supported, else "".
std::string Supported(std::string_view tag) {
  std::string primary = Lower(Trim(tag.substr(0, tag.find_first_of("-_"))));
  for (auto lang : kLanguages) {
    if (primary == lang) return primary;
  }
  return {};
}

const nlohmann::json& Strings() {
  static const nlohmann::json strings = [] {
    nlohmann::json all = nlohmann::json::object();
    for (auto lang : kLanguages) {
      const std::string name = "i18n/" + std::string(lang) + ".json";
      auto parsed = ParseJson(WebAsset(name));
      all[std::string(lang)] = parsed.is_object() ? parsed : nlohmann::json::object();
    }
    return all;
  }();
  return strings;
}

}  // namespace

std::string ChooseLanguage(std::string_view lang_param, std::string_view accept_language) {
  if (auto lang = Supported(lang_param); !lang.empty()) return lang;
  std::string best;
  double best_q = 0;
  while (!accept_language.empty()) {
    const auto comma = accept_language.find(',');
    std::string_view item = accept_language.substr(0, comma);
    accept_language =
        comma == std::string_view::npos ? std::string_view() : accept_language.substr(comma + 1);
    double q = 1;
    if (const auto semi = item.find(';'); semi != std::string_view::npos) {
      std::string_view param = Trim(item.substr(semi + 1));
      item = item.substr(0, semi);
      if (param.size() > 2 && param.substr(0, 2) == "q=") {
        try {
          q = std::stod(std::string(param.substr(2)));
        } catch (...) {
          q = 0;
        }
      }
    }
    auto lang = Supported(item);
    if (!lang.empty() && q > best_q) {
      best = lang;
      best_q = q;
    }
  }
  return best.empty() ? std::string(kLanguages[0]) : best;
}

std::string Translate(std::string_view lang, std::string_view key, const Slots& args) {
  const nlohmann::json& all = Strings();
  std::string text(key);
  for (std::string_view l : {lang, kLanguages[0]}) {
    const auto table = all.find(std::string(l));
    if (table == all.end()) continue;
    const auto it = table->find(std::string(key));
    if (it != table->end() && it->is_string()) {
      text = it->get<std::string>();
      break;
    }
  }
  for (const auto& [name, value] : args) {
    const std::string slot = "{" + name + "}";
    for (auto pos = text.find(slot); pos != std::string::npos;
         pos = text.find(slot, pos + value.size())) {
      text.replace(pos, slot.size(), value);
    }
  }
  return text;
}

std::string RenderTemplate(std::string_view name, std::string_view lang, const Slots& slots) {
  const std::string_view tpl = WebAsset("templates/" + std::string(name) + ".html");
  std::string out;
  out.reserve(tpl.size() + 1024);
  std::size_t pos = 0;
  while (pos < tpl.size()) {
    const auto open = tpl.find("{{", pos);
    if (open == std::string_view::npos) break;
    const auto close = tpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(tpl.substr(pos, open - pos));
    const std::string_view slot = tpl.substr(open + 2, close - open - 2);
    if (slot.substr(0, 2) == "t.") {
      out += web::HtmlEscape(Translate(lang, slot.substr(2)));
    } else if (const auto it = slots.find(slot); it != slots.end()) {
      out += it->second;
    }
    pos = close + 2;
  }
  out.append(tpl.substr(std::min(pos, tpl.size())));
  return out;
}

std::string QrSvg(std::string_view text, std::string_view label) {
  const std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) return {};
  const int n = code->width;
  constexpr int kQuiet = 4;
  const int size = n + 2 * kQuiet;
  std::string path;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      if (code->data[y * n + x] & 1) {
        path += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
      }
    }
  }
  const std::string dim = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + dim + " " + dim +
         "\" role=\"img\" aria-label=\"" + web::HtmlEscape(label) +
         "\" shape-rendering=\"crispEdges\"><rect width=\"" + dim + "\" height=\"" + dim +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace cognate::api::hosted_ui
