// seed_users: writes N users straight into a store, for benchmarks at a million users (seeding
// through the API costs one argon2id hash per user: hours at that size).
//
//   seed_users --database data/cognate.db --pool-id us-east-1_X --count 1000000
//              [--start 0] [--prefix user] [--threads 4]
//   seed_users --database postgres://u@127.0.0.1:5432/db --pool-id ... --count ...
//
// Users get the same rows AdminCreateUser would write (the domain's own ToRow), status
// CONFIRMED, username PREFIX0000000.., email PREFIX0000000@example.com (verified), one shared
// argon2id hash of a fixed password (computed once). Existing usernames are skipped, so a run
// can be resumed. The pool must exist (create it through the API first).

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "crypto/crypto.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using cognate::domain::users::PoolRules;
using cognate::domain::users::UserRecord;

std::unique_ptr<cognate::store::Store> Open(const std::string& database, int threads) {
  if (database.rfind("postgres://", 0) == 0 || database.rfind("postgresql://", 0) == 0) {
    return std::make_unique<cognate::store::PostgresStore>(database, threads);
  }
  cognate::store::SqliteOptions options;
  options.synchronous_full = false;  // seeding only; WAL + NORMAL is still kill -9 safe
  return std::make_unique<cognate::store::SqliteStore>(database, options);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Seeds users into a Cognate store for benchmarks"};
  std::string database;
  std::string pool_id;
  std::string prefix = "user";
  long long count = 0;
  long long start = 0;
  int threads = 4;
  app.add_option("--database", database, "SQLite file or postgres:// URL")->required();
  app.add_option("--pool-id", pool_id, "an existing user pool")->required();
  app.add_option("--count", count, "users to create")->required()->check(CLI::PositiveNumber);
  app.add_option("--start", start, "first index");
  app.add_option("--prefix", prefix, "username prefix");
  app.add_option("--threads", threads, "writer threads")->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);

  auto store = Open(database, threads);
  if (auto migrated = store->Migrate(); !migrated) {
    std::fprintf(stderr, "seed_users: cannot open %s: %s\n", database.c_str(),
                 migrated.error().detail().c_str());
    return 1;
  }
  auto pool = store->GetPool(pool_id);
  if (!pool) {
    std::fprintf(stderr, "seed_users: pool %s: %s\n", pool_id.c_str(),
                 pool.error().detail().c_str());
    return 1;
  }
  const PoolRules rules = PoolRules::FromRow(*pool);
  const std::string hash = cognate::crypto::HashPassword("Bench-Passw0rd!");

  std::atomic<long long> next{start};
  std::atomic<long long> created{0};
  std::atomic<long long> skipped{0};
  std::atomic<long long> failed{0};
  const long long end = start + count;
  const auto began = std::chrono::steady_clock::now();
  auto work = [&] {
    for (long long i = next++; i < end; i = next++) {
      UserRecord user;
      user.pool_id = pool_id;
      user.sub = cognate::crypto::NewUuid();
      user.username = fmt::format("{}{:07d}", prefix, i);
      user.status = "CONFIRMED";
      user.created_ms = user.modified_ms = 1'700'000'000'000 + i;
      user.attributes = {{"sub", user.sub},
                         {"email", fmt::format("{}{:07d}@example.com", prefix, i)},
                         {"email_verified", "true"}};
      user.SetPasswordHash(hash);
      auto result = store->CreateUser(ToRow(rules, user));
      if (result) {
        ++created;
      } else if (result.error().IsConflict()) {
        ++skipped;
      } else if (++failed <= 5) {
        std::fprintf(stderr, "seed_users: %s: %s\n", user.username.c_str(),
                     result.error().detail().c_str());
      }
      if (i % 100000 == 0 && i != start) {
        std::fprintf(stderr, "seed_users: %lld/%lld\n", i - start, count);
      }
    }
  };
  std::vector<std::thread> pool_threads;
  for (int t = 0; t < threads; ++t) pool_threads.emplace_back(work);
  for (auto& t : pool_threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf("created %lld, skipped %lld, failed %lld in %.1f s (%.0f users/s)\n",
              created.load(), skipped.load(), failed.load(), seconds,
              static_cast<double>(created.load()) / seconds);
  return failed.load() == 0 ? 0 : 1;
}
