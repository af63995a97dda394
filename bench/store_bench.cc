// Store micro-benchmarks: the hot lookups of sign-in (GetUserByUsernameKey) and the ListUsers
// prefix filter, on SQLite with 1k and 100k users seeded once per size in one transaction.
// With COGNATE_BENCH_PG_DSN set (a database it may fill, e.g. from scripts/pg-temp), the same
// lookups run on PostgreSQL with 1k users.
// Run: build/bench/store_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace cognate::store {
namespace {

constexpr const char* kPool = "us-east-1_Bench0001";

std::string Name(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "user%07d", i);
  return buf;
}

UserRow MakeUser(int i) {
  UserRow u;
  u.pool_id = kPool;
  u.username = Name(i);
  u.username_key = u.username;
  u.sub = "0000-" + u.username;
  u.status = "CONFIRMED";
  const std::string email = u.username + "@example.com";
  u.unique_keys = {"email:" + email};
  u.indexed = {{"username", u.username},
               {"email", email},
               {"sub", u.sub},
               {"cognito:user_status", "CONFIRMED"}};
  u.doc = R"({"Attributes":[{"Name":"email","Value":")" + email +
          R"("}],"PasswordHash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"})";
  u.created_ms = u.modified_ms = 1'700'000'000'000;
  return u;
}

// One seeded SQLite database per user count, kept for the whole run.
struct Seeded {
  std::filesystem::path dir;
  std::unique_ptr<SqliteStore> store;
  ~Seeded() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

SqliteStore& SeededStore(int users) {
  static std::mutex mu;
  static std::map<int, std::unique_ptr<Seeded>> cache;
  std::lock_guard lock(mu);
  auto& slot = cache[users];
  if (slot) return *slot->store;
  slot = std::make_unique<Seeded>();
  std::string tmpl = (std::filesystem::temp_directory_path() / "cognate-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  slot->dir = tmpl;
  slot->store = std::make_unique<SqliteStore>((slot->dir / "bench.db").string());
  SqliteStore& s = *slot->store;
  if (!s.Migrate()) std::abort();
  PoolRow pool;
  pool.id = kPool;
  pool.name = "bench";
  pool.doc = "{}";
  if (!s.CreatePool(pool)) std::abort();
  constexpr int kBatch = 20'000;
  for (int begin = 0; begin < users; begin += kBatch) {
    std::vector<UserRow> rows;
    for (int i = begin; i < std::min(users, begin + kBatch); ++i) rows.push_back(MakeUser(i));
    if (!s.CreateUsersBulkForTest(rows)) std::abort();
  }
  return s;
}

void BM_SqliteGetUserByUsernameKey(benchmark::State& state) {
  const int users = static_cast<int>(state.range(0));
  SqliteStore& s = SeededStore(users);
  int i = 0;
  for (auto _ : state) {
    auto u = s.GetUserByUsernameKey(kPool, Name(i));
    if (!u) state.SkipWithError("lookup failed");
    benchmark::DoNotOptimize(u);
    i = (i + 7919) % users;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteGetUserByUsernameKey)->Arg(1'000)->Arg(100'000)->ThreadRange(1, 2);

// A prefix that matches ~10 users ("user00012" -> user0001200..user0001209), one page of 60.
void BM_SqliteListUsersPrefix(benchmark::State& state) {
  const int users = static_cast<int>(state.range(0));
  SqliteStore& s = SeededStore(users);
  int i = 0;
  UserQuery q;
  q.op = UserQuery::Op::kPrefix;
  q.attribute = "email";
  q.limit = 60;
  for (auto _ : state) {
    q.value = Name(i).substr(0, 10);
    auto page = s.ListUsers(kPool, q);
    if (!page || page->items.empty()) state.SkipWithError("list failed");
    benchmark::DoNotOptimize(page);
    i = (i + 7919) % users;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteListUsersPrefix)->Arg(1'000)->Arg(100'000);

// A full page of 60 from the middle of a broad prefix, resumed by cursor (deep pagination).
void BM_SqliteListUsersPrefixDeepPage(benchmark::State& state) {
  const int users = static_cast<int>(state.range(0));
  SqliteStore& s = SeededStore(users);
  UserQuery q;
  q.op = UserQuery::Op::kPrefix;
  q.attribute = "email";
  q.value = "user";
  q.limit = 60;
  // A genuine cursor pointing just after user #(users/2): every iteration reads the page that
  // follows it, so the cost shows whether resuming is a seek or a scan.
  UserQuery seek = q;
  seek.value = Name(users / 2).substr(0, 9);  // ~100 matches, so a next page exists
  seek.limit = 1;
  auto first = s.ListUsers(kPool, seek);
  if (!first || first->next_cursor.empty()) {
    state.SkipWithError("seek failed");
    return;
  }
  q.cursor = first->next_cursor;
  for (auto _ : state) {
    auto page = s.ListUsers(kPool, q);
    if (!page || page->items.size() != 60) state.SkipWithError("page failed");
    benchmark::DoNotOptimize(page);
  }
  state.SetItemsProcessed(state.iterations() * 60);
}
BENCHMARK(BM_SqliteListUsersPrefixDeepPage)->Arg(1'000)->Arg(100'000);

void BM_SqliteCreateUser(benchmark::State& state) {
  SqliteStore& s = SeededStore(1'000);
  static int next = 10'000'000;
  for (auto _ : state) {
    if (!s.CreateUser(MakeUser(next++))) state.SkipWithError("create failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteCreateUser);

// The durable write every sign-in makes: one token-family row (the refresh token's record).
void BM_SqliteCreateTokenFamily(benchmark::State& state) {
  SqliteStore& s = SeededStore(1'000);
  static int next = 0;
  for (auto _ : state) {
    TokenFamilyRow r;
    r.family_id = "family-" + std::to_string(next++);
    r.pool_id = kPool;
    r.client_id = "benchclient0000000000000001";
    r.sub = "0000-" + Name(next % 1'000);
    r.refresh_hash = std::string(64, 'a');
    r.doc = R"({"auth_time":1700000000,"refresh_expires_ms":1702592000000,)"
            R"("scopes":["aws.cognito.signin.user.admin"]})";
    r.created_ms = 1'700'000'000'000;
    r.expires_ms = 1'702'592'000'000;
    if (!s.CreateTokenFamily(r)) state.SkipWithError("create failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteCreateTokenFamily);

// One request's reads, as a refresh makes them: a handful of point reads, then one write (here
// a transient ephemeral row, as a sign-in session is written), so every request's first read
// finds the database changed. Arg 0: each read opens its own read transaction; arg 1: the
// request's reads share one (Store::PinReads, as the server does per request).
void BM_SqliteRequestReads(benchmark::State& state) {
  const bool pinned = state.range(0) == 1;
  constexpr int kReads = 7;
  SqliteStore& s = SeededStore(1'000);
  static int i = 0;  // keys stay unique across the benchmark's repeated runs
  std::int64_t now = 1'700'000'000'000;
  for (auto _ : state) {
    {
      auto pin = pinned ? s.PinReads() : nullptr;
      for (int r = 0; r < kReads; ++r) {
        auto u = s.GetUserByUsernameKey(kPool, Name((i + r * 131) % 1'000));
        if (!u) state.SkipWithError("lookup failed");
        benchmark::DoNotOptimize(u);
      }
      EphemeralRow e;
      e.kind = "bench";
      e.key = "request-" + std::to_string(i);
      e.doc = "{}";
      e.expires_ms = now + 60'000;
      if (!s.PutEphemeral(e, now)) state.SkipWithError("write failed");
    }
    ++i;
    ++now;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteRequestReads)->Arg(0)->Arg(1);

// PostgreSQL: 1k users seeded through CreateUser once (the pool id is fresh per run).
PostgresStore* PgStore() {
  static std::unique_ptr<PostgresStore> store = []() -> std::unique_ptr<PostgresStore> {
    const char* dsn = std::getenv("COGNATE_BENCH_PG_DSN");
    if (dsn == nullptr || *dsn == '\0') return nullptr;
    auto s = std::make_unique<PostgresStore>(dsn, 4);
    if (!s->Migrate()) return nullptr;
    (void)s->DeletePool(kPool);
    PoolRow pool;
    pool.id = kPool;
    pool.name = "bench";
    pool.doc = "{}";
    if (!s->CreatePool(pool)) return nullptr;
    for (int i = 0; i < 1'000; ++i) {
      if (!s->CreateUser(MakeUser(i))) return nullptr;
    }
    return s;
  }();
  return store.get();
}

void BM_PostgresGetUserByUsernameKey(benchmark::State& state) {
  PostgresStore* s = PgStore();
  if (s == nullptr) {
    state.SkipWithError("COGNATE_BENCH_PG_DSN not set or unusable");
    return;
  }
  int i = 0;
  for (auto _ : state) {
    auto u = s->GetUserByUsernameKey(kPool, Name(i));
    if (!u) state.SkipWithError("lookup failed");
    benchmark::DoNotOptimize(u);
    i = (i + 7919) % 1'000;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PostgresGetUserByUsernameKey)->UseRealTime();

void BM_PostgresListUsersPrefix(benchmark::State& state) {
  PostgresStore* s = PgStore();
  if (s == nullptr) {
    state.SkipWithError("COGNATE_BENCH_PG_DSN not set or unusable");
    return;
  }
  int i = 0;
  UserQuery q;
  q.op = UserQuery::Op::kPrefix;
  q.attribute = "email";
  for (auto _ : state) {
    q.value = Name(i).substr(0, 10);
    auto page = s->ListUsers(kPool, q);
    if (!page || page->items.empty()) state.SkipWithError("list failed");
    benchmark::DoNotOptimize(page);
    i = (i + 7919) % 1'000;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PostgresListUsersPrefix)->UseRealTime();

void BM_PostgresCreateUser(benchmark::State& state) {
  PostgresStore* s = PgStore();
  if (s == nullptr) {
    state.SkipWithError("COGNATE_BENCH_PG_DSN not set or unusable");
    return;
  }
  static int next = 10'000'000;
  for (auto _ : state) {
    if (!s->CreateUser(MakeUser(next++))) state.SkipWithError("create failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PostgresCreateUser)->UseRealTime();

}  // namespace
}  // namespace cognate::store

BENCHMARK_MAIN();
