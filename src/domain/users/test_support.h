#pragma once
// Test-only helpers shared by the user and group tests (domain and api): a ServiceContext over
// MemoryStore, a FakeClock and a RecordingMessageSink, and pool rows written straight to the
// store (so these tests do not depend on the pool operations).

#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "crypto/crypto.h"
#include "domain/messaging/message_sink.h"
#include "domain/service_context.h"
#include "domain/triggers/invoker.h"
#include "store/memory/memory_store.h"

namespace cognate::domain::users::testing {

struct TestEnv {
  store::MemoryStore store;
  FakeClock clock;
  crypto::SecretBox box{std::string(crypto::SecretBox::kKeySize, 'k')};
  RecordingMessageSink sink;
  triggers::FakeInvoker invoker;  // scripted trigger functions: invoker.handlers[name] = ...
  ServiceContext ctx{store, clock, box, sink, {}, &invoker};

  // Writes a pool row whose doc is `doc` (a UserPoolType subset) and returns its id.
  std::string MakePool(const std::string& id, nlohmann::json doc = nlohmann::json::object()) {
    doc["Id"] = id;
    store::PoolRow row{id, "test", doc.dump(), clock.NowMillis(), clock.NowMillis(), 0};
    (void)store.CreatePool(row);
    return id;
  }
};

}  // namespace cognate::domain::users::testing
