// Fuzzes the awsJson1_1 front door (AwsJsonService::Handle): target parsing, headers, SigV4,
// JSON decoding, validation and dispatch. Input format (so the seed corpus stays readable):
//   line 1: the X-Amz-Target value; a leading '!' signs the request with the test key first
//   then "Name: value" header lines up to an empty line, then the body.
// Every response must be a well-formed awsJson response; nothing may crash or throw.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api/aws_json_service.h"
#include "crypto/sigv4.h"

namespace {

using cognate::api::ApiRequest;
using cognate::api::ApiResponse;
using cognate::api::HandlerRegistry;
using json = nlohmann::json;

struct Fixture {
  HandlerRegistry idp, identity;
  cognate::FakeClock clock{1'700'000'000'000};
  std::unique_ptr<cognate::api::AwsJsonService> service;

  Fixture() {
    spdlog::set_level(spdlog::level::off);
    auto echo = [](const json& in, const cognate::api::CallContext&) -> cognate::Result<json> {
      return json{{"Echo", in}};
    };
    idp.Register("ListUserPools", echo);
    idp.Register("SignUp", echo);
    idp.Register("CreateUserPool", echo);
    idp.Register("AdminCreateUser", echo);
    idp.Register("InitiateAuth",
                 [](const json&, const cognate::api::CallContext&) -> cognate::Result<json> {
                   throw std::runtime_error("handler failure");
                 });
    identity.Register("GetId", echo);
    cognate::api::AwsJsonOptions options;
    service = std::make_unique<cognate::api::AwsJsonService>(
        idp, identity,
        [](std::string_view akid) -> std::optional<cognate::crypto::SigV4Secret> {
          if (akid == "fuzz") return cognate::crypto::SigV4Secret{"secret", std::nullopt};
          return std::nullopt;
        },
        clock, options);
  }
};

std::string_view NextLine(std::string_view& in) {
  std::size_t nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fx;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ApiRequest req;
  req.method = "POST";
  req.target = "/";
  req.request_id = "fuzz";
  std::string_view target = NextLine(in);
  bool sign = !target.empty() && target.front() == '!';
  if (sign) target.remove_prefix(1);
  req.headers.emplace_back("Host", "localhost");
  req.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
  req.headers.emplace_back("X-Amz-Target", std::string(target));
  while (!in.empty()) {
    std::string_view line = NextLine(in);
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (name == ":method") {
      req.method = std::string(value);
    } else {
      req.headers.emplace_back(std::string(name), std::string(value));
    }
  }
  req.body = std::string(in);
  if (sign) {
    cognate::crypto::SigV4Request s{req.method, req.target, req.headers, req.body};
    cognate::crypto::SignSigV4ForTest(s, "fuzz", "secret", "us-east-1", "cognito-idp",
                                      fx.clock.NowSeconds(), size % 2 == 0);
    req.headers = std::move(s.headers);
  }
  ApiResponse r = fx.service->Handle(req);
  if (r.status < 200 || r.status > 599) std::abort();
  json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) std::abort();
  if (r.status != 200 && !body.contains("__type")) std::abort();
  return 0;
}
