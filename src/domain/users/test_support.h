#pragma once
// Test-only helpers shared by the user and group tests (domain and api): a ServiceContext over
// MemoryStore, a FakeClock and a RecordingMessageSink, and pool rows written straight to the
// store (so these tests do not depend on the pool operations).

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/error.h"

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

// A password every test pool accepts.
inline constexpr char kPassword[] = "Passw0rd!";

// Asserts `r` failed with Cognito's error type of `code` and exactly `message`.
template <class T>
void ExpectError(const Result<T>& r, ErrorCode code, const std::string& message) {
  ASSERT_FALSE(r) << "expected " << ErrorTypeName(code) << ": " << message;
  EXPECT_EQ(r.error().type_name(), ErrorTypeName(code));
  EXPECT_EQ(r.error().message(), message);
}

}  // namespace cognate::domain::users::testing

// Like ExpectError, by ErrorCode enumerator name: EXPECT_ERROR(r, kNotAuthorized, "...").
#define EXPECT_ERROR(result, code_, msg)                                    \
  do {                                                                      \
    auto&& r_ = (result);                                                   \
    ASSERT_FALSE(r_) << "expected " #code_;                                 \
    EXPECT_EQ(r_.error().code(), ErrorCode::code_) << r_.error().message(); \
    EXPECT_EQ(r_.error().message(), msg);                                   \
  } while (0)
