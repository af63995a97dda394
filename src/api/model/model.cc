#include "api/model/model.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace cognate::api::model {
namespace {

using ordered_json = nlohmann::ordered_json;

ShapeType ParseType(const std::string& t) {
  if (t == "string") return ShapeType::kString;
  if (t == "integer") return ShapeType::kInteger;
  if (t == "long") return ShapeType::kLong;
  if (t == "double" || t == "float") return ShapeType::kDouble;
  if (t == "boolean") return ShapeType::kBoolean;
  if (t == "timestamp") return ShapeType::kTimestamp;
  if (t == "blob") return ShapeType::kBlob;
  if (t == "list") return ShapeType::kList;
  if (t == "map") return ShapeType::kMap;
  if (t == "structure") return ShapeType::kStructure;
  throw std::runtime_error("model: unknown shape type " + t);
}

AuthKind ParseAuth(const std::string& a) {
  if (a == "iam") return AuthKind::kIam;
  if (a == "token") return AuthKind::kToken;
  if (a == "public") return AuthKind::kPublic;
  throw std::runtime_error("model: unknown auth kind " + a);
}

std::string PathName(const std::string& member) {
  std::string out = member;
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z')
    out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

// The class of a pattern that is one bracketed character class followed by '+' or '*'
// (optionally inside ^ and $): the source without anchors and quantifier, and the quantifier.
// Empty when the pattern has any other shape (several classes, groups, nested brackets).
std::pair<std::string, char> SingleRepeatedClass(std::string_view src) {
  if (src.starts_with('^') && src.ends_with('$')) src = src.substr(1, src.size() - 2);
  if (src.size() < 4 || src.front() != '[') return {};
  const char repeat = src.back();
  if ((repeat != '+' && repeat != '*') || src[src.size() - 2] != ']') return {};
  std::size_t i = 1;
  if (i < src.size() && src[i] == '^') ++i;
  if (i < src.size() && src[i] == ']') ++i;  // a leading ']' is a member
  for (; i + 2 < src.size(); ++i) {
    if (src[i] == '\\') {
      ++i;  // the escaped character
      continue;
    }
    if (src[i] == '[' || src[i] == ']') return {};  // nested class or an earlier end
  }
  if (i != src.size() - 2) return {};  // the last character before "]" was escaped
  return {std::string(src.substr(0, src.size() - 1)), repeat};
}

}  // namespace

Pattern::Pattern(std::string source) : source_(std::move(source)) {
  int err = 0;
  PCRE2_SIZE offset = 0;
  // Java's String.matches() semantics: the whole value must match. \w, \d, \s stay ASCII (no UCP)
  // as in java.util.regex; \p{..} classes work on code points in UTF mode.
  pcre2_code* code = pcre2_compile(
      reinterpret_cast<PCRE2_SPTR>(source_.data()), source_.size(),
      PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NO_UTF_CHECK, &err, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    throw std::runtime_error("model: bad pattern " + source_ + ": " +
                             reinterpret_cast<const char*>(buf));
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // best effort; the interpreter is the fallback
  code_ = code;
  if (auto [cls, repeat] = SingleRepeatedClass(source_); !cls.empty()) {
    Pattern one(cls);  // the class alone: matches exactly its one-character members
    for (int c = 0; c < 128; ++c) {
      const char ch = static_cast<char>(c);
      ascii_[c] = one.MatchWithPcre(std::string_view(&ch, 1));
    }
    ascii_repeat_ = repeat == '+' ? Repeat::kOneOrMore : Repeat::kZeroOrMore;
  }
}

Pattern::~Pattern() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

bool Pattern::FullMatch(std::string_view value) const {
  if (ascii_repeat_ != Repeat::kNone) {
    bool ascii = true;
    bool members = true;
    for (const char ch : value) {
      const auto b = static_cast<unsigned char>(ch);
      if (b >= 0x80) {
        ascii = false;
        break;
      }
      members &= ascii_[b];
    }
    if (ascii) return members && (ascii_repeat_ == Repeat::kZeroOrMore || !value.empty());
  }
  return MatchWithPcre(value);
}

bool Pattern::MatchWithPcre(std::string_view value) const {
  auto* code = static_cast<pcre2_code*>(code_);
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
  if (md == nullptr) return false;
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(value.data()), value.size(), 0, 0, md,
                       nullptr);
  pcre2_match_data_free(md);
  return rc >= 0;
}

std::unique_ptr<ServiceModel> ServiceModel::FromJson(std::string_view digest) {
  ordered_json j = ordered_json::parse(digest.begin(), digest.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error("model: digest is not JSON");
  auto m = std::make_unique<ServiceModel>();
  try {
    m->service_ = j.at("service").get<std::string>();
    m->target_prefix_ = j.at("targetPrefix").get<std::string>();
    m->signing_name_ = j.at("signingName").get<std::string>();
    m->source_ = j.value("source", "");
    const auto& shapes = j.at("shapes");
    for (const auto& [name, s] : shapes.items()) {
      auto shape = std::make_unique<Shape>();
      shape->name = name;
      shape->type = ParseType(s.at("type").get<std::string>());
      if (s.contains("min")) shape->min = s["min"].get<std::int64_t>();
      if (s.contains("max")) shape->max = s["max"].get<std::int64_t>();
      if (s.contains("pattern")) shape->pattern = std::make_unique<Pattern>(s["pattern"]);
      if (s.contains("enum")) shape->enum_values = s["enum"].get<std::vector<std::string>>();
      shape->sensitive = s.value("sensitive", false);
      m->shapes_.emplace(name, std::move(shape));
    }
    auto find = [&](const std::string& name) -> const Shape* {
      auto it = m->shapes_.find(name);
      if (it == m->shapes_.end()) throw std::runtime_error("model: unknown shape " + name);
      return it->second.get();
    };
    for (const auto& [name, s] : shapes.items()) {
      Shape& shape = *m->shapes_.at(name);
      if (shape.type == ShapeType::kStructure) {
        std::vector<std::string> required = s.value("required", std::vector<std::string>{});
        for (const auto& mem : s.at("members")) {
          Member member;
          member.name = mem.at(0).get<std::string>();
          member.path_name = PathName(member.name);
          member.shape = find(mem.at(1).get<std::string>());
          for (const auto& r : required) member.required |= r == member.name;
          shape.members.push_back(std::move(member));
        }
      } else if (shape.type == ShapeType::kList) {
        shape.member = find(s.at("member").get<std::string>());
      } else if (shape.type == ShapeType::kMap) {
        shape.key = find(s.at("key").get<std::string>());
        shape.value = find(s.at("value").get<std::string>());
      }
    }
    // Cognito checks domain names itself: a custom domain has dots the model's pattern refuses,
    // and a bad prefix gets its own message (domain/userpool/domains.cc).
    if (auto d = m->shapes_.find("DomainType"); d != m->shapes_.end()) d->second->pattern.reset();
    // Cognate's trigger functions may be http(s):// URLs wherever LambdaConfig names a function
    // (not KMSKeyID): those members get a copy of ArnType that also takes a URL.
    if (auto arn = m->shapes_.find("ArnType"); arn != m->shapes_.end()) {
      auto target = std::make_unique<Shape>();
      target->name = "TriggerTargetType";
      target->type = arn->second->type;
      target->min = arn->second->min;
      target->max = arn->second->max;
      if (arn->second->pattern) {
        target->pattern = std::make_unique<Pattern>(arn->second->pattern->source());
      }
      target->allows_url = true;
      const Shape* target_shape = target.get();
      m->shapes_.emplace(target->name, std::move(target));
      for (const char* owner :
           {"LambdaConfigType", "PreTokenGenerationVersionConfigType",
            "CustomSMSLambdaVersionConfigType", "CustomEmailLambdaVersionConfigType",
            "InboundFederationLambdaType"}) {
        auto it = m->shapes_.find(owner);
        if (it == m->shapes_.end()) continue;
        for (Member& member : it->second->members) {
          if (member.shape == arn->second.get() && member.name != "KMSKeyID") {
            member.shape = target_shape;
          }
        }
      }
    }
    for (const auto& [name, o] : j.at("operations").items()) {
      Operation op;
      op.name = name;
      op.auth = ParseAuth(o.at("auth").get<std::string>());
      if (o.contains("input") && o["input"].is_string()) op.input = find(o["input"]);
      op.errors = o.value("errors", std::vector<std::string>{});
      op.since = o.value("since", "");
      m->operations_.emplace(name, std::move(op));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("model: malformed digest: ") + e.what());
  }
  return m;
}

const Operation* ServiceModel::FindOperation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

const ServiceModel& ServiceModel::CognitoIdp() {
  static const std::unique_ptr<ServiceModel> model = FromJson(EmbeddedCognitoIdpDigest());
  return *model;
}

const ServiceModel& ServiceModel::CognitoIdentity() {
  static const std::unique_ptr<ServiceModel> model = FromJson(EmbeddedCognitoIdentityDigest());
  return *model;
}

std::string_view AuthKindName(AuthKind kind) {
  switch (kind) {
    case AuthKind::kIam:
      return "iam";
    case AuthKind::kToken:
      return "token";
    case AuthKind::kPublic:
      return "public";
  }
  return "iam";
}

}  // namespace cognate::api::model
