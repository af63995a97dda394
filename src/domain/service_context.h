#pragma once
// What every domain service is given: the store, time, the secret box for data at rest, the
// message sink and the deployment settings. The composition root (app/) builds one.

#include <map>
#include <string>
#include <utility>

#include "common/clock.h"
#include "crypto/crypto.h"
#include "domain/messaging/message_sink.h"
#include "domain/triggers/invoker.h"
#include "store/store.h"

namespace cognate::domain {

struct DeploymentConfig {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";  // used in ARNs
  std::string public_url = "http://127.0.0.1:9229";
  // Pool prefix domains are served as "{prefix}.{auth_host}" (Cognito: "{prefix}.auth.{region}.
  // amazoncognito.com"). *.localhost reaches loopback in browsers without any DNS setup.
  std::string auth_host = "auth.localhost";
  // --dev only (`--dev-fixed-code`): every generated one-time code is this value, so local test
  // suites can type it. Empty (always, outside --dev): codes are random.
  std::string dev_fixed_code;
  // KMSKeyID (as a pool's LambdaConfig names it) -> 32 raw key bytes, from the server config's
  // [kms_keys]: the key that encrypts codes for CustomSMSSender / CustomEmailSender.
  std::map<std::string, std::string, std::less<>> kms_keys;
  // Certificate ARNs a custom domain's CustomDomainConfig may name (the server config's
  // [certificates]: ARN -> PEM files). CreateUserPoolDomain refuses any other ARN.
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> certificates;
};

struct ServiceContext {
  store::Store& store;
  const Clock& clock;
  const crypto::SecretBox& secret_box;  // encrypts client secrets, keys and other secrets
  MessageSink& messages;
  DeploymentConfig config;
  // Where trigger events go (Cognito's Lambda triggers); nullptr: no trigger ever runs.
  triggers::Invoker* triggers = nullptr;
};

}  // namespace cognate::domain
