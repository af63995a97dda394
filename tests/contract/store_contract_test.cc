// The one contract every Store backend passes: MemoryStore, SqliteStore (temp file) and
// PostgresStore (only when COGNATE_TEST_PG_DSN names a database it may wipe, e.g. the DSN printed
// by `scripts/pg-temp start DIR`).

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/memory/memory_store.h"
#include "store/migrations/migrations.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace cognate::store {
namespace {

// ---------------------------------------------------------------------------------------------
// Backends

struct MemoryBackend {
  std::unique_ptr<Store> Make(std::string* /*skip*/) { return std::make_unique<MemoryStore>(); }
};

struct SqliteBackend {
  std::filesystem::path dir;
  std::unique_ptr<Store> Make(std::string* /*skip*/) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cognate-contract-XXXXXX");
    if (mkdtemp(tmpl.data()) == nullptr) return nullptr;
    dir = tmpl;
    return std::make_unique<SqliteStore>((dir / "store.db").string());
  }
  ~SqliteBackend() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

// Runs one SQL command on `dsn` with plain libpq; returns the first value or "" (error: "ERR").
std::string PsqlValue(const std::string& dsn, const std::string& sql) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  std::string out = "ERR";
  if (PQstatus(conn) == CONNECTION_OK) {
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(conn, sql.c_str());
    auto st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) {
      out = PQgetvalue(r, 0, 0);
    } else if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
      out = "";
    }
    PQclear(r);
  }
  PQfinish(conn);
  return out;
}

// `dsn` with every connection's search_path set to `schema`.
std::string WithSchema(const std::string& dsn, const std::string& schema) {
  return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

// Each test gets its own schema, so test processes may run in parallel (ctest -j) on one server.
struct PostgresBackend {
  std::string dsn;
  std::string schema;
  std::unique_ptr<Store> Make(std::string* skip) {
    const char* env = std::getenv("COGNATE_TEST_PG_DSN");
    if (env == nullptr || *env == '\0') {
      *skip =
          "COGNATE_TEST_PG_DSN is not set (e.g. export COGNATE_TEST_PG_DSN=$(scripts/pg-temp "
          "start /tmp/cognate-pg))";
      return nullptr;
    }
    static std::atomic<int> counter = 0;
    dsn = env;
    schema = "cognate_t" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    if (PsqlValue(dsn, "DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema) !=
        "") {
      ADD_FAILURE() << "cannot create schema " << schema << " on " << dsn;
    }
    return std::make_unique<PostgresStore>(WithSchema(dsn, schema), 8);
  }
  ~PostgresBackend() {
    if (!schema.empty()) PsqlValue(dsn, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }
};

template <class Backend>
class StoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    store_ = backend_.Make(&skip);
    if (store_ == nullptr) GTEST_SKIP() << skip;
    auto st = store_->Migrate();
    ASSERT_TRUE(st) << st.error().detail();
  }

  Store& s() { return *store_; }

  Backend backend_;
  std::unique_ptr<Store> store_;
};

using Backends = ::testing::Types<MemoryBackend, SqliteBackend, PostgresBackend>;

class BackendNames {
 public:
  template <class T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, MemoryBackend>) return "Memory";
    if constexpr (std::is_same_v<T, SqliteBackend>) return "Sqlite";
    return "Postgres";
  }
};
TYPED_TEST_SUITE(StoreContractTest, Backends, BackendNames);

// ---------------------------------------------------------------------------------------------
// Helpers

template <class R>
::testing::AssertionResult Fails(const R& r, StoreErrorCode code, std::string_view detail = {}) {
  if (r) return ::testing::AssertionFailure() << "succeeded";
  if (r.error().code() != code) {
    return ::testing::AssertionFailure() << "code " << static_cast<int>(r.error().code())
                                         << " detail '" << r.error().detail() << "'";
  }
  if (!detail.empty() && r.error().detail() != detail) {
    return ::testing::AssertionFailure()
           << "detail '" << r.error().detail() << "' wanted '" << detail << "'";
  }
  return ::testing::AssertionSuccess();
}

template <class R>
::testing::AssertionResult Ok(const R& r) {
  if (r) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "code " << static_cast<int>(r.error().code())
                                       << " detail '" << r.error().detail() << "'";
}

constexpr auto kNotFound = StoreErrorCode::kNotFound;
constexpr auto kConflict = StoreErrorCode::kConflict;
constexpr auto kInternal = StoreErrorCode::kInternal;

PoolRow Pool(const std::string& id, const std::string& name = "pool") {
  PoolRow p;
  p.id = id;
  p.name = name;
  p.doc = R"({"Id":")" + id + R"("})";
  p.created_ms = 1000;
  p.modified_ms = 1000;
  return p;
}

ClientRow Client(const std::string& pool_id, const std::string& client_id) {
  ClientRow c;
  c.pool_id = pool_id;
  c.client_id = client_id;
  c.name = "app-" + client_id;
  c.doc = "{}";
  c.created_ms = 2000;
  c.modified_ms = 2000;
  return c;
}

UserRow User(const std::string& pool_id, const std::string& username,
             const std::string& email = {}) {
  UserRow u;
  u.pool_id = pool_id;
  u.sub = "sub-" + username;
  u.username = username;
  u.username_key = username;
  u.status = "CONFIRMED";
  u.enabled = true;
  u.indexed = {{"username", username}, {"cognito:user_status", "CONFIRMED"}};
  if (!email.empty()) {
    u.unique_keys = {"email:" + email};
    u.indexed.push_back({"email", email});
  }
  u.doc = R"({"u":")" + username + R"("})";
  u.created_ms = 3000;
  u.modified_ms = 3000;
  return u;
}

GroupRow Group(const std::string& pool_id, const std::string& name) {
  GroupRow g;
  g.pool_id = pool_id;
  g.name = name;
  g.doc = R"({"Precedence":1})";
  g.created_ms = 4000;
  g.modified_ms = 4000;
  return g;
}

UserQuery Query(UserQuery::Op op, const std::string& attribute, const std::string& value,
                int limit = 60) {
  UserQuery q;
  q.op = op;
  q.attribute = attribute;
  q.value = value;
  q.limit = limit;
  return q;
}

// Follows cursors to the end, checking every page but the last is full; returns a key per item.
template <class Fetch, class Key>
std::vector<std::string> AllPages(Fetch fetch, Key key, int limit, int* pages = nullptr) {
  std::vector<std::string> out;
  std::string cursor;
  int n = 0;
  for (;;) {
    auto page = fetch(cursor);
    EXPECT_TRUE(Ok(page));
    if (!page) break;
    ++n;
    for (const auto& item : page->items) out.push_back(key(item));
    if (page->next_cursor.empty()) break;
    EXPECT_EQ(static_cast<int>(page->items.size()), limit);
    cursor = page->next_cursor;
    if (n > 1000) {
      ADD_FAILURE() << "cursor loop";
      break;
    }
  }
  if (pages != nullptr) *pages = n;
  return out;
}

std::vector<std::string> Usernames(Store& s, const std::string& pool_id, UserQuery q) {
  return AllPages(
      [&](const std::string& cursor) {
        q.cursor = cursor;
        return s.ListUsers(pool_id, q);
      },
      [](const UserRow& u) { return u.username; }, q.limit);
}

using Names = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// Migrate, pools

TYPED_TEST(StoreContractTest, MigrateIsIdempotent) {
  EXPECT_TRUE(Ok(this->s().Migrate()));
  EXPECT_TRUE(Ok(this->s().Migrate()));
  EXPECT_FALSE(this->s().BackendName().empty());
}

TYPED_TEST(StoreContractTest, PoolCrudAndVersions) {
  Store& s = this->s();
  PoolRow p = Pool("us-east-1_AAA");
  p.version = 42;  // ignored: the store sets 1
  ASSERT_TRUE(Ok(s.CreatePool(p)));
  EXPECT_TRUE(Fails(s.CreatePool(p), kConflict, "id"));

  auto got = s.GetPool("us-east-1_AAA");
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->id, p.id);
  EXPECT_EQ(got->name, "pool");
  EXPECT_EQ(got->doc, p.doc);
  EXPECT_EQ(got->created_ms, 1000);
  EXPECT_EQ(got->modified_ms, 1000);
  EXPECT_EQ(got->version, 1);

  PoolRow next = *got;
  next.name = "renamed";
  next.doc = R"({"x":1})";
  next.modified_ms = 5000;
  next.created_ms = 9999;  // not replaced
  ASSERT_TRUE(Ok(s.UpdatePool(next, 1)));
  EXPECT_TRUE(Fails(s.UpdatePool(next, 1), kConflict, "version"));
  EXPECT_TRUE(Fails(s.UpdatePool(next, 3), kConflict, "version"));
  got = s.GetPool("us-east-1_AAA");
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->name, "renamed");
  EXPECT_EQ(got->doc, R"({"x":1})");
  EXPECT_EQ(got->modified_ms, 5000);
  EXPECT_EQ(got->created_ms, 1000);
  EXPECT_EQ(got->version, 2);
  ASSERT_TRUE(Ok(s.UpdatePool(next, 2)));
  EXPECT_EQ(s.GetPool("us-east-1_AAA")->version, 3);

  EXPECT_TRUE(Fails(s.GetPool("us-east-1_nope"), kNotFound, "pool"));
  EXPECT_TRUE(Fails(s.UpdatePool(Pool("us-east-1_nope"), 1), kNotFound, "pool"));
  EXPECT_TRUE(Fails(s.DeletePool("us-east-1_nope"), kNotFound, "pool"));
  ASSERT_TRUE(Ok(s.DeletePool("us-east-1_AAA")));
  EXPECT_TRUE(Fails(s.GetPool("us-east-1_AAA"), kNotFound));
  EXPECT_TRUE(Fails(s.DeletePool("us-east-1_AAA"), kNotFound));
  // The id is free again and starts over at version 1.
  ASSERT_TRUE(Ok(s.CreatePool(p)));
  EXPECT_EQ(s.GetPool("us-east-1_AAA")->version, 1);
}

TYPED_TEST(StoreContractTest, ListPoolsPaginatesInByteOrder) {
  Store& s = this->s();
  Names ids = {"b", "a", "B", "_x", "%y", "\xc3\xa9", "a0", "Z"};
  for (const auto& id : ids) ASSERT_TRUE(Ok(s.CreatePool(Pool(id))));
  Names want = {"%y", "B", "Z", "_x", "a", "a0", "b", "\xc3\xa9"};
  for (int limit : {1, 3, 4, 8, 60}) {
    int pages = 0;
    auto got = AllPages([&](const std::string& c) { return s.ListPools(c, limit); },
                        [](const PoolRow& p) { return p.id; }, limit, &pages);
    EXPECT_EQ(got, want) << "limit " << limit;
    EXPECT_EQ(pages, (8 + limit - 1) / limit) << "limit " << limit;  // no empty trailing page
  }
  auto first = s.ListPools("", 3);
  ASSERT_TRUE(Ok(first));
  EXPECT_EQ(first->items.size(), 3u);
  EXPECT_EQ(first->items[0].version, 1);
  EXPECT_EQ(first->items[0].doc, Pool("%y").doc);
}

TYPED_TEST(StoreContractTest, LimitsAreClamped) {
  Store& s = this->s();
  for (int i = 0; i < 61; ++i) {
    ASSERT_TRUE(Ok(s.CreatePool(Pool("p" + std::to_string(100 + i)))));
  }
  EXPECT_EQ(s.ListPools("", 0)->items.size(), 1u);
  EXPECT_EQ(s.ListPools("", -7)->items.size(), 1u);
  auto big = s.ListPools("", 1000);
  ASSERT_TRUE(Ok(big));
  EXPECT_EQ(big->items.size(), 60u);
  EXPECT_FALSE(big->next_cursor.empty());
  auto rest = s.ListPools(big->next_cursor, 1000);
  ASSERT_TRUE(Ok(rest));
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].id, "p160");
  EXPECT_TRUE(rest->next_cursor.empty());
}

TYPED_TEST(StoreContractTest, BadCursorsAreRejected) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "alice", "a@x"))));
  ASSERT_TRUE(Ok(s.CreateGroup(Group("p", "g"))));
  for (const std::string bad : {"garbage", "kzz", "k6", "k61.62.63", "%"}) {
    EXPECT_TRUE(Fails(s.ListPools(bad, 5), kInternal, "cursor")) << bad;
    EXPECT_TRUE(Fails(s.ListClients("p", bad, 5), kInternal, "cursor")) << bad;
    EXPECT_TRUE(Fails(s.ListGroups("p", bad, 5), kInternal, "cursor")) << bad;
    EXPECT_TRUE(Fails(s.ListUsersInGroup("p", "g", bad, 5), kInternal, "cursor")) << bad;
    EXPECT_TRUE(Fails(s.ListGroupsForUser("p", "sub-alice", bad, 5), kInternal, "cursor")) << bad;
    UserQuery q;
    q.cursor = bad;
    EXPECT_TRUE(Fails(s.ListUsers("p", q), kInternal, "cursor")) << bad;
    q = Query(UserQuery::Op::kPrefix, "email", "a");
    q.cursor = bad;
    EXPECT_TRUE(Fails(s.ListUsers("p", q), kInternal, "cursor")) << bad;
  }
  // The cursor is judged before the pool.
  EXPECT_TRUE(Fails(s.ListUsers("nope",
                                [] {
                                  UserQuery q;
                                  q.cursor = "garbage";
                                  return q;
                                }()),
                    kInternal, "cursor"));
  EXPECT_TRUE(Fails(s.ListClients("nope", "garbage", 5), kInternal, "cursor"));
  // A cursor of one list shape is not one of the other.
  UserQuery all;
  all.limit = 1;
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "bob", "b@x"))));
  auto page = s.ListUsers("p", all);
  ASSERT_TRUE(Ok(page));
  UserQuery filter = Query(UserQuery::Op::kPrefix, "email", "", 1);
  filter.cursor = page->next_cursor;
  EXPECT_TRUE(Fails(s.ListUsers("p", filter), kInternal, "cursor"));
}

// ---------------------------------------------------------------------------------------------
// Clients

TYPED_TEST(StoreContractTest, ClientCrud) {
  Store& s = this->s();
  EXPECT_TRUE(Fails(s.CreateClient(Client("p", "c1")), kNotFound, "pool"));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("q"))));
  ASSERT_TRUE(Ok(s.CreateClient(Client("p", "c1"))));
  EXPECT_TRUE(Fails(s.CreateClient(Client("p", "c1")), kConflict, "client_id"));
  EXPECT_TRUE(Fails(s.CreateClient(Client("q", "c1")), kConflict, "client_id"));  // global id

  auto got = s.GetClient("c1");
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->pool_id, "p");
  EXPECT_EQ(got->name, "app-c1");
  EXPECT_EQ(got->doc, "{}");
  EXPECT_EQ(got->created_ms, 2000);
  EXPECT_EQ(got->version, 1);
  EXPECT_TRUE(Fails(s.GetClient("c9"), kNotFound, "client"));

  ClientRow next = *got;
  next.name = "renamed";
  next.doc = R"({"a":[1,2]})";
  next.modified_ms = 7000;
  ASSERT_TRUE(Ok(s.UpdateClient(next, 1)));
  EXPECT_TRUE(Fails(s.UpdateClient(next, 1), kConflict, "version"));
  ClientRow wrong_pool = next;
  wrong_pool.pool_id = "q";
  EXPECT_TRUE(Fails(s.UpdateClient(wrong_pool, 2), kNotFound, "client"));
  got = s.GetClient("c1");
  EXPECT_EQ(got->name, "renamed");
  EXPECT_EQ(got->doc, R"({"a":[1,2]})");
  EXPECT_EQ(got->modified_ms, 7000);
  EXPECT_EQ(got->created_ms, 2000);
  EXPECT_EQ(got->version, 2);

  EXPECT_TRUE(Fails(s.DeleteClient("q", "c1"), kNotFound, "client"));
  ASSERT_TRUE(Ok(s.DeleteClient("p", "c1")));
  EXPECT_TRUE(Fails(s.DeleteClient("p", "c1"), kNotFound, "client"));
  EXPECT_TRUE(Fails(s.GetClient("c1"), kNotFound));
  EXPECT_TRUE(Fails(s.UpdateClient(next, 2), kNotFound, "client"));
}

TYPED_TEST(StoreContractTest, ListClientsPerPool) {
  Store& s = this->s();
  EXPECT_TRUE(Fails(s.ListClients("p", "", 10), kNotFound, "pool"));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("q"))));
  auto empty = s.ListClients("p", "", 10);
  ASSERT_TRUE(Ok(empty));
  EXPECT_TRUE(empty->items.empty());
  EXPECT_TRUE(empty->next_cursor.empty());
  for (const char* id : {"zz", "aa", "mm", "AA", "bb"}) {
    ASSERT_TRUE(Ok(s.CreateClient(Client("p", id))));
  }
  ASSERT_TRUE(Ok(s.CreateClient(Client("q", "other"))));
  auto got = AllPages([&](const std::string& c) { return s.ListClients("p", c, 2); },
                      [](const ClientRow& c) { return c.client_id; }, 2);
  EXPECT_EQ(got, (Names{"AA", "aa", "bb", "mm", "zz"}));
}

// ---------------------------------------------------------------------------------------------
// Users

TYPED_TEST(StoreContractTest, UserRoundTripAndLookups) {
  Store& s = this->s();
  EXPECT_TRUE(Fails(s.CreateUser(User("p", "alice")), kNotFound, "pool"));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  UserRow u = User("p", "Alice", "alice@example.com");
  u.username_key = "alice";
  u.status = "FORCE_CHANGE_PASSWORD";
  u.enabled = false;
  u.unique_keys = {"phone:+15550100", "email:alice@example.com", "phone:+15550100"};
  u.indexed = {{"email", "alice@example.com"},
               {"username", "Alice"},
               {"email", "ignored-duplicate"},
               {"phone_number", "+15550100"}};
  u.version = 77;
  ASSERT_TRUE(Ok(s.CreateUser(u)));

  for (auto got : {s.GetUserByUsernameKey("p", "alice"), s.GetUserBySub("p", "sub-Alice"),
                   s.GetUserByUniqueKey("p", "email:alice@example.com"),
                   s.GetUserByUniqueKey("p", "phone:+15550100")}) {
    ASSERT_TRUE(Ok(got));
    EXPECT_EQ(got->pool_id, "p");
    EXPECT_EQ(got->sub, "sub-Alice");
    EXPECT_EQ(got->username, "Alice");
    EXPECT_EQ(got->username_key, "alice");
    EXPECT_EQ(got->status, "FORCE_CHANGE_PASSWORD");
    EXPECT_FALSE(got->enabled);
    EXPECT_EQ(got->unique_keys, (Names{"email:alice@example.com", "phone:+15550100"}));
    EXPECT_EQ(got->indexed, (std::vector<IndexedAttribute>{{"email", "alice@example.com"},
                                                           {"phone_number", "+15550100"},
                                                           {"username", "Alice"}}));
    EXPECT_EQ(got->doc, u.doc);
    EXPECT_EQ(got->created_ms, 3000);
    EXPECT_EQ(got->modified_ms, 3000);
    EXPECT_EQ(got->version, 1);
  }
  EXPECT_TRUE(Fails(s.GetUserByUsernameKey("p", "Alice"), kNotFound, "user"));  // exact key
  EXPECT_TRUE(Fails(s.GetUserBySub("p", "nope"), kNotFound, "user"));
  EXPECT_TRUE(Fails(s.GetUserByUniqueKey("p", "email:bob@example.com"), kNotFound, "user"));
  EXPECT_TRUE(Fails(s.GetUserBySub("other", "sub-Alice"), kNotFound, "user"));
  EXPECT_TRUE(Fails(s.GetUserByUsernameKey("other", "alice"), kNotFound, "user"));
  EXPECT_TRUE(Fails(s.GetUserByUniqueKey("other", "phone:+15550100"), kNotFound, "user"));
  EXPECT_EQ(*s.CountUsers("p"), 1);
  EXPECT_TRUE(Fails(s.CountUsers("other"), kNotFound, "pool"));
}

TYPED_TEST(StoreContractTest, CreateUserConflictsNameTheKey) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("q"))));
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "alice", "a@x"))));

  UserRow same_name = User("p", "alice", "other@x");
  same_name.sub = "sub-2";
  EXPECT_TRUE(Fails(s.CreateUser(same_name), kConflict, "username"));

  UserRow same_sub = User("p", "bob", "b@x");
  same_sub.sub = "sub-alice";
  EXPECT_TRUE(Fails(s.CreateUser(same_sub), kConflict, "sub"));

  UserRow same_key = User("p", "carol", "a@x");
  same_key.unique_keys.push_back("phone:1");
  EXPECT_TRUE(Fails(s.CreateUser(same_key), kConflict, "email:a@x"));

  // Username clashes are reported before sub and key clashes.
  EXPECT_TRUE(Fails(s.CreateUser(User("p", "alice", "a@x")), kConflict, "username"));

  // A failed create leaves nothing behind: carol's free key phone:1 is not taken.
  EXPECT_TRUE(Fails(s.GetUserByUsernameKey("p", "carol"), kNotFound));
  EXPECT_TRUE(Fails(s.GetUserByUniqueKey("p", "phone:1"), kNotFound));
  UserRow dave = User("p", "dave");
  dave.unique_keys = {"phone:1"};
  EXPECT_TRUE(Ok(s.CreateUser(dave)));
  EXPECT_EQ(*s.CountUsers("p"), 2);

  // Keys are per pool.
  EXPECT_TRUE(Ok(s.CreateUser(User("q", "alice", "a@x"))));
  EXPECT_EQ(s.GetUserByUniqueKey("q", "email:a@x")->pool_id, "q");
  EXPECT_EQ(s.GetUserByUniqueKey("p", "email:a@x")->pool_id, "p");
  // The namespaces of username keys and unique keys are separate.
  UserRow tricky = User("p", "email:a@x");
  EXPECT_TRUE(Ok(s.CreateUser(tricky)));
}

TYPED_TEST(StoreContractTest, UpdateUserReplacesAndRederivesKeys) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "alice", "a@x"))));
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "bob", "b@x"))));

  UserRow next = *s.GetUserBySub("p", "sub-alice");
  next.username = "ALICE";
  next.username_key = "ignored";  // immutable
  next.created_ms = 1;            // immutable
  next.status = "RESET_REQUIRED";
  next.enabled = false;
  next.unique_keys = {"email:new@x"};
  next.indexed = {{"email", "new@x"}, {"username", "alice"}};
  next.doc = R"({"v":2})";
  next.modified_ms = 9000;
  ASSERT_TRUE(Ok(s.UpdateUser(next, 1)));

  auto got = s.GetUserByUsernameKey("p", "alice");
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->username, "ALICE");
  EXPECT_EQ(got->username_key, "alice");
  EXPECT_EQ(got->created_ms, 3000);
  EXPECT_EQ(got->status, "RESET_REQUIRED");
  EXPECT_FALSE(got->enabled);
  EXPECT_EQ(got->unique_keys, Names{"email:new@x"});
  EXPECT_EQ(got->doc, R"({"v":2})");
  EXPECT_EQ(got->modified_ms, 9000);
  EXPECT_EQ(got->version, 2);
  EXPECT_TRUE(Fails(s.GetUserByUsernameKey("p", "ignored"), kNotFound));

  // The old key is free, the new one is held; filters follow.
  EXPECT_TRUE(Fails(s.GetUserByUniqueKey("p", "email:a@x"), kNotFound));
  EXPECT_EQ(s.GetUserByUniqueKey("p", "email:new@x")->sub, "sub-alice");
  EXPECT_EQ(Usernames(s, "p", Query(UserQuery::Op::kEquals, "email", "a@x")), Names{});
  EXPECT_EQ(Usernames(s, "p", Query(UserQuery::Op::kEquals, "email", "new@x")), Names{"ALICE"});
  EXPECT_EQ(Usernames(s, "p", Query(UserQuery::Op::kEquals, "cognito:user_status", "CONFIRMED")),
            Names{"bob"});

  // Taking bob's key fails, naming it, and changes nothing.
  UserRow clash = *got;
  clash.unique_keys = {"email:b@x", "email:new@x"};
  clash.doc = "changed";
  EXPECT_TRUE(Fails(s.UpdateUser(clash, 2), kConflict, "email:b@x"));
  got = s.GetUserBySub("p", "sub-alice");
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->doc, R"({"v":2})");
  EXPECT_EQ(s.GetUserByUniqueKey("p", "email:new@x")->sub, "sub-alice");
  EXPECT_EQ(s.GetUserByUniqueKey("p", "email:b@x")->sub, "sub-bob");

  // Version races and missing users.
  EXPECT_TRUE(Fails(s.UpdateUser(next, 1), kConflict, "version"));
  EXPECT_TRUE(Fails(s.UpdateUser(next, 5), kConflict, "version"));
  UserRow ghost = User("p", "ghost");
  EXPECT_TRUE(Fails(s.UpdateUser(ghost, 1), kNotFound, "user"));
  ghost.pool_id = "nope";
  EXPECT_TRUE(Fails(s.UpdateUser(ghost, 1), kNotFound, "user"));

  // Keeping your own keys is no clash.
  UserRow keep = *s.GetUserBySub("p", "sub-bob");
  keep.doc = "kept";
  EXPECT_TRUE(Ok(s.UpdateUser(keep, 1)));
  EXPECT_EQ(s.GetUserByUniqueKey("p", "email:b@x")->doc, "kept");
}

TYPED_TEST(StoreContractTest, DeleteUserFreesEverything) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "alice", "a@x"))));
  ASSERT_TRUE(Ok(s.CreateGroup(Group("p", "admins"))));
  ASSERT_TRUE(Ok(s.AddUserToGroup("p", "admins", "sub-alice")));
  EXPECT_TRUE(Fails(s.DeleteUser("p", "nope"), kNotFound, "user"));
  EXPECT_TRUE(Fails(s.DeleteUser("q", "sub-alice"), kNotFound, "user"));
  ASSERT_TRUE(Ok(s.DeleteUser("p", "sub-alice")));
  EXPECT_TRUE(Fails(s.DeleteUser("p", "sub-alice"), kNotFound, "user"));
  EXPECT_TRUE(Fails(s.GetUserBySub("p", "sub-alice"), kNotFound));
  EXPECT_TRUE(Fails(s.GetUserByUniqueKey("p", "email:a@x"), kNotFound));
  EXPECT_EQ(Usernames(s, "p", Query(UserQuery::Op::kPrefix, "email", "")), Names{});
  EXPECT_TRUE(s.ListUsersInGroup("p", "admins", "", 10)->items.empty());
  EXPECT_EQ(*s.CountUsers("p"), 0);
  // Everything the user held can be taken again, and the new user is in no group.
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "alice", "a@x"))));
  EXPECT_TRUE(s.ListGroupsForUser("p", "sub-alice", "", 10)->items.empty());
}

TYPED_TEST(StoreContractTest, ListUsersAllPaginatesByUsernameKeyBytes) {
  Store& s = this->s();
  EXPECT_TRUE(Fails(s.ListUsers("p", UserQuery{}), kNotFound, "pool"));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("q"))));
  ASSERT_TRUE(Ok(s.CreateUser(User("q", "elsewhere"))));
  Names names = {"b", "a", "B", "_", "%", "\xc3\xa9", "e", "Z", "a_", "a%", "\xf0\x9f\x98\x80"};
  for (int i = 0; i < 14; ++i) names.push_back("u" + std::to_string(10 + i));
  for (const auto& n : names) ASSERT_TRUE(Ok(s.CreateUser(User("p", n))));
  Names want = {"%", "B", "Z", "_", "a", "a%", "a_", "b", "e"};
  for (int i = 0; i < 14; ++i) want.push_back("u" + std::to_string(10 + i));
  want.push_back("\xc3\xa9");
  want.push_back("\xf0\x9f\x98\x80");
  for (int limit : {1, 7, 25, 60}) {
    UserQuery q;
    q.limit = limit;
    EXPECT_EQ(Usernames(s, "p", q), want) << "limit " << limit;
  }
  EXPECT_EQ(*s.CountUsers("p"), 25);
}

TYPED_TEST(StoreContractTest, ListUsersFiltersTreatWildcardsLiterally) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  const std::map<std::string, std::string> emails = {
      {"u1", "a%b@x"},
      {"u2", "a_b@x"},
      {"u3", "axb@x"},
      {"u4", "ab@x"},
      {"u5", "A%b@x"},
      {"u6", "\xc3\xa9@x"},
      {"u7",
       "\xc3\xa9"
       "a@x"},
      {"u8", "e@x"},
      {"u9", "\xf0\x9f\x98\x80@x"},
      {"u10", "a\\b@x"},
      {"u11", "a'b@x"},
  };
  for (const auto& [name, email] : emails) ASSERT_TRUE(Ok(s.CreateUser(User("p", name, email))));
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "noemail"))));
  using Op = UserQuery::Op;
  EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "email", "a%")), Names{"u1"});
  EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "email", "a_")), Names{"u2"});
  EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "email", "a\\")), Names{"u10"});
  EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "email", "a'")), Names{"u11"});
  EXPECT_EQ(Usernames(s, "p", Query(Op::kEquals, "email", "a_b@x")), Names{"u2"});
  EXPECT_EQ(Usernames(s, "p", Query(Op::kEquals, "email", "a%b@x")), Names{"u1"});
  EXPECT_EQ(Usernames(s, "p", Query(Op::kEquals, "email", "a%")), Names{});
  EXPECT_EQ(Usernames(s, "p", Query(Op::kEquals, "email", "A%B@X")), Names{});  // case matters
  // Byte order of the values: '%' < '\'' < '@' < '\\' < '_' < 'b' < 'x'.
  EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "email", "a")),
            (Names{"u1", "u11", "u10", "u2", "u4", "u3"}));
  EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "email", "\xc3\xa9")), (Names{"u6", "u7"}));
  EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "email", "\xf0\x9f\x98\x80")), Names{"u9"});
  EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "email", "e")), Names{"u8"});
  // The empty prefix matches every user that has the attribute, in value order.
  EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "email", "", 4)),
            (Names{"u5", "u1", "u11", "u10", "u2", "u4", "u3", "u8", "u6", "u7", "u9"}));
  EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "phone_number", "")), Names{});
  EXPECT_EQ(Usernames(s, "p", Query(Op::kEquals, "nonexistent", "x")), Names{});
  EXPECT_TRUE(Fails(s.ListUsers("nope", Query(Op::kEquals, "email", "x")), kNotFound, "pool"));
}

TYPED_TEST(StoreContractTest, FilterPagesSplitRunsOfEqualValues) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  // Seven users share the status; values p1 x3, p2 x2, q1 x2 for the prefix case.
  const char* values[] = {"p1", "p2", "p1", "q1", "p2", "p1", "q1"};
  for (int i = 0; i < 7; ++i) {
    UserRow u = User("p", "user" + std::to_string(i));
    u.sub = "s" + std::to_string(6 - i);  // sub order is the reverse of creation order
    u.indexed.push_back({"custom", values[i]});
    ASSERT_TRUE(Ok(s.CreateUser(u)));
  }
  using Op = UserQuery::Op;
  for (int limit : {1, 2, 3, 7}) {
    EXPECT_EQ(Usernames(s, "p", Query(Op::kEquals, "cognito:user_status", "CONFIRMED", limit)),
              (Names{"user6", "user5", "user4", "user3", "user2", "user1", "user0"}))
        << limit;
    // (value, sub): p1 {s6 user0, s4 user2, s1 user5}, p2 {s5 user1, s2 user4}.
    EXPECT_EQ(Usernames(s, "p", Query(Op::kPrefix, "custom", "p", limit)),
              (Names{"user5", "user2", "user0", "user4", "user1"}))
        << limit;
    EXPECT_EQ(Usernames(s, "p", Query(Op::kEquals, "custom", "p2", limit)),
              (Names{"user4", "user1"}))
        << limit;
  }
}

TYPED_TEST(StoreContractTest, CursorsSurviveConcurrentChanges) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  for (const char* n : {"a", "b", "c", "d", "e"}) ASSERT_TRUE(Ok(s.CreateUser(User("p", n, n))));
  UserQuery q = Query(UserQuery::Op::kPrefix, "email", "", 2);
  auto first = s.ListUsers("p", q);
  ASSERT_TRUE(Ok(first));
  EXPECT_EQ(first->items.back().username, "b");
  // The row the cursor names disappears and a row appears before it: the walk goes on after it.
  ASSERT_TRUE(Ok(s.DeleteUser("p", "sub-b")));
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "aa", "aa"))));
  q.cursor = first->next_cursor;
  auto second = s.ListUsers("p", q);
  ASSERT_TRUE(Ok(second));
  ASSERT_EQ(second->items.size(), 2u);
  EXPECT_EQ(second->items[0].username, "c");
  EXPECT_EQ(second->items[1].username, "d");
}

// ---------------------------------------------------------------------------------------------
// Groups

TYPED_TEST(StoreContractTest, GroupCrud) {
  Store& s = this->s();
  EXPECT_TRUE(Fails(s.CreateGroup(Group("p", "g")), kNotFound, "pool"));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("q"))));
  ASSERT_TRUE(Ok(s.CreateGroup(Group("p", "Admins"))));
  EXPECT_TRUE(Fails(s.CreateGroup(Group("p", "Admins")), kConflict, "name"));
  EXPECT_TRUE(Ok(s.CreateGroup(Group("p", "admins"))));  // case-sensitive
  EXPECT_TRUE(Ok(s.CreateGroup(Group("q", "Admins"))));  // per pool

  auto got = s.GetGroup("p", "Admins");
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->pool_id, "p");
  EXPECT_EQ(got->name, "Admins");
  EXPECT_EQ(got->doc, R"({"Precedence":1})");
  EXPECT_EQ(got->created_ms, 4000);
  EXPECT_EQ(got->version, 1);
  EXPECT_TRUE(Fails(s.GetGroup("p", "nope"), kNotFound, "group"));
  EXPECT_TRUE(Fails(s.GetGroup("nope", "Admins"), kNotFound, "group"));

  GroupRow next = *got;
  next.doc = R"({"Precedence":2})";
  next.modified_ms = 8000;
  ASSERT_TRUE(Ok(s.UpdateGroup(next, 1)));
  EXPECT_TRUE(Fails(s.UpdateGroup(next, 1), kConflict, "version"));
  EXPECT_TRUE(Fails(s.UpdateGroup(Group("p", "nope"), 1), kNotFound, "group"));
  got = s.GetGroup("p", "Admins");
  EXPECT_EQ(got->doc, R"({"Precedence":2})");
  EXPECT_EQ(got->modified_ms, 8000);
  EXPECT_EQ(got->created_ms, 4000);
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(s.GetGroup("q", "Admins")->version, 1);

  EXPECT_TRUE(Fails(s.ListGroups("nope", "", 10), kNotFound, "pool"));
  for (const char* n : {"zeta", "_under", "%pct", "\xc3\xa9t\xc3\xa9"}) {
    ASSERT_TRUE(Ok(s.CreateGroup(Group("p", n))));
  }
  auto names = AllPages([&](const std::string& c) { return s.ListGroups("p", c, 2); },
                        [](const GroupRow& g) { return g.name; }, 2);
  EXPECT_EQ(names, (Names{"%pct", "Admins", "_under", "admins", "zeta", "\xc3\xa9t\xc3\xa9"}));

  ASSERT_TRUE(Ok(s.DeleteGroup("p", "Admins")));
  EXPECT_TRUE(Fails(s.DeleteGroup("p", "Admins"), kNotFound, "group"));
  EXPECT_TRUE(Fails(s.GetGroup("p", "Admins"), kNotFound));
  EXPECT_TRUE(Ok(s.GetGroup("q", "Admins")));
}

TYPED_TEST(StoreContractTest, MembershipsAreIdempotentAndOrdered) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("q"))));
  for (const char* n : {"carol", "alice", "bob", "dave"}) {
    ASSERT_TRUE(Ok(s.CreateUser(User("p", n))));
  }
  ASSERT_TRUE(Ok(s.CreateUser(User("q", "alice"))));
  for (const char* g : {"readers", "admins", "writers"})
    ASSERT_TRUE(Ok(s.CreateGroup(Group("p", g))));
  ASSERT_TRUE(Ok(s.CreateGroup(Group("q", "admins"))));

  EXPECT_TRUE(Fails(s.AddUserToGroup("p", "nope", "sub-alice"), kNotFound, "group"));
  EXPECT_TRUE(Fails(s.AddUserToGroup("p", "admins", "nope"), kNotFound, "user"));
  EXPECT_TRUE(Fails(s.AddUserToGroup("nope", "admins", "sub-alice"), kNotFound, "group"));
  for (const char* n : {"dave", "alice", "carol", "bob"}) {
    ASSERT_TRUE(Ok(s.AddUserToGroup("p", "admins", std::string("sub-") + n)));
  }
  ASSERT_TRUE(Ok(s.AddUserToGroup("p", "admins", "sub-alice")));  // idempotent
  ASSERT_TRUE(Ok(s.AddUserToGroup("p", "writers", "sub-alice")));
  ASSERT_TRUE(Ok(s.AddUserToGroup("p", "readers", "sub-alice")));
  ASSERT_TRUE(Ok(s.AddUserToGroup("q", "admins", "sub-alice")));

  auto members =
      AllPages([&](const std::string& c) { return s.ListUsersInGroup("p", "admins", c, 3); },
               [](const UserRow& u) { return u.sub; }, 3);
  EXPECT_EQ(members, (Names{"sub-alice", "sub-bob", "sub-carol", "sub-dave"}));
  auto first = s.ListUsersInGroup("p", "admins", "", 1);
  ASSERT_TRUE(Ok(first));
  EXPECT_EQ(first->items[0].username, "alice");
  EXPECT_EQ(first->items[0].doc, User("p", "alice").doc);
  EXPECT_EQ(
      first->items[0].indexed,
      (std::vector<IndexedAttribute>{{"cognito:user_status", "CONFIRMED"}, {"username", "alice"}}));
  auto groups =
      AllPages([&](const std::string& c) { return s.ListGroupsForUser("p", "sub-alice", c, 2); },
               [](const GroupRow& g) { return g.name; }, 2);
  EXPECT_EQ(groups, (Names{"admins", "readers", "writers"}));
  EXPECT_EQ(s.ListGroupsForUser("p", "sub-alice", "", 10)->items[0].doc, R"({"Precedence":1})");
  EXPECT_TRUE(Fails(s.ListUsersInGroup("p", "nope", "", 10), kNotFound, "group"));
  EXPECT_TRUE(Fails(s.ListGroupsForUser("p", "nope", "", 10), kNotFound, "user"));
  EXPECT_TRUE(s.ListGroupsForUser("p", "sub-bob", "", 10)->items.size() == 1);

  EXPECT_TRUE(Ok(s.RemoveUserFromGroup("p", "admins", "sub-alice")));
  EXPECT_TRUE(Ok(s.RemoveUserFromGroup("p", "admins", "sub-alice")));  // idempotent
  EXPECT_TRUE(Fails(s.RemoveUserFromGroup("p", "nope", "sub-alice"), kNotFound, "group"));
  EXPECT_TRUE(Fails(s.RemoveUserFromGroup("p", "admins", "nope"), kNotFound, "user"));
  groups =
      AllPages([&](const std::string& c) { return s.ListGroupsForUser("p", "sub-alice", c, 2); },
               [](const GroupRow& g) { return g.name; }, 2);
  EXPECT_EQ(groups, (Names{"readers", "writers"}));

  // Deleting a group removes its memberships only; a recreated group starts empty.
  ASSERT_TRUE(Ok(s.DeleteGroup("p", "writers")));
  groups =
      AllPages([&](const std::string& c) { return s.ListGroupsForUser("p", "sub-alice", c, 2); },
               [](const GroupRow& g) { return g.name; }, 2);
  EXPECT_EQ(groups, Names{"readers"});
  ASSERT_TRUE(Ok(s.CreateGroup(Group("p", "writers"))));
  EXPECT_TRUE(s.ListUsersInGroup("p", "writers", "", 10)->items.empty());
  // The other pool's memberships are untouched.
  EXPECT_EQ(s.ListUsersInGroup("q", "admins", "", 10)->items.size(), 1u);
}

TYPED_TEST(StoreContractTest, DeletePoolCascades) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("q"))));
  for (const char* pool : {"p", "q"}) {
    ASSERT_TRUE(Ok(s.CreateClient(Client(pool, std::string("client-") + pool))));
    ASSERT_TRUE(Ok(s.CreateUser(User(pool, "alice", "a@x"))));
    ASSERT_TRUE(Ok(s.CreateGroup(Group(pool, "admins"))));
    ASSERT_TRUE(Ok(s.AddUserToGroup(pool, "admins", "sub-alice")));
  }
  ASSERT_TRUE(Ok(s.DeletePool("p")));
  EXPECT_TRUE(Fails(s.GetClient("client-p"), kNotFound));
  EXPECT_TRUE(Fails(s.GetUserBySub("p", "sub-alice"), kNotFound));
  EXPECT_TRUE(Fails(s.GetUserByUniqueKey("p", "email:a@x"), kNotFound));
  EXPECT_TRUE(Fails(s.GetGroup("p", "admins"), kNotFound));
  EXPECT_TRUE(Fails(s.ListUsers("p", UserQuery{}), kNotFound, "pool"));

  // Recreating the pool finds it empty and every key free.
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  EXPECT_EQ(*s.CountUsers("p"), 0);
  EXPECT_TRUE(s.ListClients("p", "", 10)->items.empty());
  EXPECT_TRUE(s.ListGroups("p", "", 10)->items.empty());
  EXPECT_EQ(Usernames(s, "p", Query(UserQuery::Op::kPrefix, "email", "")), Names{});
  ASSERT_TRUE(Ok(s.CreateClient(Client("p", "client-p"))));
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "alice", "a@x"))));
  ASSERT_TRUE(Ok(s.CreateGroup(Group("p", "admins"))));
  EXPECT_TRUE(s.ListUsersInGroup("p", "admins", "", 10)->items.empty());
  EXPECT_TRUE(s.ListGroupsForUser("p", "sub-alice", "", 10)->items.empty());

  // The other pool is intact.
  EXPECT_TRUE(Ok(s.GetClient("client-q")));
  EXPECT_EQ(s.ListUsersInGroup("q", "admins", "", 10)->items.size(), 1u);
  EXPECT_EQ(s.GetUserByUniqueKey("q", "email:a@x")->pool_id, "q");
}

// ---------------------------------------------------------------------------------------------
// Credentials and settings

TYPED_TEST(StoreContractTest, Credentials) {
  Store& s = this->s();
  EXPECT_TRUE(s.ListCredentials()->empty());
  for (const char* id : {"AKIDB", "AKIDA", "AKIDC"}) {
    CredentialRow c;
    c.access_key_id = id;
    // Sealed secrets are raw AEAD output: arbitrary bytes, NUL and invalid UTF-8 included.
    c.encrypted_secret = std::string("sealed-") + id + std::string("\x00\xff\xfe\x80", 4);
    c.description = "root";
    c.created_ms = 10;
    ASSERT_TRUE(Ok(s.PutCredential(c)));
  }
  CredentialRow dup;
  dup.access_key_id = "AKIDA";
  dup.encrypted_secret = "other";
  EXPECT_TRUE(Fails(s.PutCredential(dup), kConflict, "access_key_id"));
  auto got = s.GetCredential("AKIDA");
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->encrypted_secret, std::string("sealed-AKIDA\x00\xff\xfe\x80", 16));
  EXPECT_EQ(got->description, "root");
  EXPECT_EQ(got->created_ms, 10);
  EXPECT_TRUE(Fails(s.GetCredential("AKIDZ"), kNotFound, "credential"));
  auto all = s.ListCredentials();
  ASSERT_TRUE(Ok(all));
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].access_key_id, "AKIDA");
  EXPECT_EQ((*all)[2].access_key_id, "AKIDC");
}

TYPED_TEST(StoreContractTest, SettingsFirstWriterWins) {
  Store& s = this->s();
  EXPECT_TRUE(Fails(s.GetSetting("data_key"), kNotFound, "setting"));
  EXPECT_EQ(*s.PutSettingIfAbsent("data_key", "first"), "first");
  EXPECT_EQ(*s.PutSettingIfAbsent("data_key", "second"), "first");
  EXPECT_EQ(*s.GetSetting("data_key"), "first");
  EXPECT_EQ(*s.PutSettingIfAbsent("empty", ""), "");
  EXPECT_EQ(*s.PutSettingIfAbsent("empty", "x"), "");

  // Many nodes starting at once agree on one value.
  constexpr int kThreads = 8;
  std::vector<std::string> seen(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto v = s.PutSettingIfAbsent("token_key", "value-" + std::to_string(i));
      seen[i] = v ? *v : "error: " + v.error().detail();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& v : seen) EXPECT_EQ(v, seen[0]);
  EXPECT_EQ(*s.GetSetting("token_key"), seen[0]);
  EXPECT_TRUE(seen[0].starts_with("value-"));
}

// ---------------------------------------------------------------------------------------------
// Concurrency

TYPED_TEST(StoreContractTest, ConcurrentUpdatesLoseNothing) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  UserRow u = User("p", "counter");
  u.doc = "0";
  ASSERT_TRUE(Ok(s.CreateUser(u)));
  constexpr int kThreads = 4;
  constexpr int kIncrements = 15;
  std::atomic<int> conflicts = 0;
  std::atomic<int> errors = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements;) {
        auto cur = s.GetUserBySub("p", "sub-counter");
        if (!cur) {
          ++errors;
          return;
        }
        UserRow next = *cur;
        next.doc = std::to_string(std::stoi(cur->doc) + 1);
        auto st = s.UpdateUser(next, cur->version);
        if (st) {
          ++i;
        } else if (st.error().IsConflict() && st.error().detail() == "version") {
          ++conflicts;
        } else {
          ++errors;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  auto final_row = s.GetUserBySub("p", "sub-counter");
  ASSERT_TRUE(Ok(final_row));
  EXPECT_EQ(final_row->doc, std::to_string(kThreads * kIncrements));
  EXPECT_EQ(final_row->version, 1 + kThreads * kIncrements);
}

TYPED_TEST(StoreContractTest, ConcurrentClaimsOfOneKeyHaveOneWinner) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  constexpr int kThreads = 6;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(Ok(s.CreateUser(User("p", "claimer" + std::to_string(i)))));
  }
  std::atomic<int> name_wins = 0, key_wins = 0, wrong = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // Everyone signs up the same username...
      UserRow fresh = User("p", "same");
      fresh.sub = "sub-same-" + std::to_string(i);
      auto created = s.CreateUser(fresh);
      if (created) {
        ++name_wins;
      } else if (created.error().detail() != "username") {
        ++wrong;
      }
      // ...and claims the same alias.
      auto me = s.GetUserBySub("p", "sub-claimer" + std::to_string(i));
      if (!me) {
        ++wrong;
        return;
      }
      UserRow next = *me;
      next.unique_keys = {"email:shared@x"};
      auto updated = s.UpdateUser(next, me->version);
      if (updated) {
        ++key_wins;
      } else if (updated.error().detail() != "email:shared@x") {
        ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(name_wins.load(), 1);
  EXPECT_EQ(key_wins.load(), 1);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(*s.CountUsers("p"), kThreads + 1);
}

// ---------------------------------------------------------------------------------------------
// Signing keys

SigningKeyRow Key(const std::string& pool_id, const std::string& kid, std::int64_t created_ms) {
  SigningKeyRow k;
  k.pool_id = pool_id;
  k.kid = kid;
  // SecretBox output: arbitrary bytes, NUL and invalid UTF-8 included.
  k.sealed_private_key = "sealed-" + kid + std::string("\x00\xff\xfe\x80", 4);
  k.created_ms = created_ms;
  return k;
}

std::vector<std::string> Kids(Store& s, const std::string& pool_id) {
  std::vector<std::string> out;
  auto keys = s.ListSigningKeys(pool_id);
  EXPECT_TRUE(Ok(keys));
  if (keys) {
    for (const auto& k : *keys) out.push_back(k.kid);
  }
  return out;
}

TYPED_TEST(StoreContractTest, SigningKeys) {
  Store& s = this->s();
  EXPECT_TRUE(Fails(s.AddSigningKey(Key("p", "k1", 10)), kNotFound));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("q"))));
  EXPECT_EQ(Kids(s, "p"), Names{});
  ASSERT_TRUE(Ok(s.AddSigningKey(Key("p", "k1", 10))));
  ASSERT_TRUE(Ok(s.AddSigningKey(Key("p", "k3", 30))));
  ASSERT_TRUE(Ok(s.AddSigningKey(Key("p", "k2b", 20))));
  ASSERT_TRUE(Ok(s.AddSigningKey(Key("p", "k2a", 20))));
  ASSERT_TRUE(Ok(s.AddSigningKey(Key("q", "kq", 5))));
  // A kid is unique across pools.
  EXPECT_TRUE(Fails(s.AddSigningKey(Key("q", "k1", 40)), kConflict));
  EXPECT_TRUE(Fails(s.AddSigningKey(Key("p", "k1", 40)), kConflict));

  // Newest first, ties by kid.
  EXPECT_EQ(Kids(s, "p"), (Names{"k3", "k2a", "k2b", "k1"}));
  EXPECT_EQ(Kids(s, "q"), Names{"kq"});
  EXPECT_EQ(Kids(s, "none"), Names{});
  auto keys = s.ListSigningKeys("p");
  ASSERT_TRUE(Ok(keys));
  const SigningKeyRow& k1 = keys->back();
  EXPECT_EQ(k1.pool_id, "p");
  EXPECT_EQ(k1.sealed_private_key, std::string("sealed-k1\x00\xff\xfe\x80", 13));
  EXPECT_EQ(k1.created_ms, 10);
  EXPECT_EQ(k1.retired_ms, 0);

  // Retiring keeps the first time; the key must belong to the pool.
  ASSERT_TRUE(Ok(s.RetireSigningKey("p", "k1", 100)));
  ASSERT_TRUE(Ok(s.RetireSigningKey("p", "k1", 200)));
  EXPECT_EQ(s.ListSigningKeys("p")->back().retired_ms, 100);
  EXPECT_EQ(s.ListSigningKeys("p")->front().retired_ms, 0);
  EXPECT_TRUE(Fails(s.RetireSigningKey("q", "k1", 100), kNotFound));
  EXPECT_TRUE(Fails(s.RetireSigningKey("p", "nope", 100), kNotFound));

  EXPECT_TRUE(Fails(s.DeleteSigningKey("q", "k1"), kNotFound));
  ASSERT_TRUE(Ok(s.DeleteSigningKey("p", "k1")));
  EXPECT_TRUE(Fails(s.DeleteSigningKey("p", "k1"), kNotFound));
  EXPECT_EQ(Kids(s, "p"), (Names{"k3", "k2a", "k2b"}));
  // A deleted kid may be added again.
  ASSERT_TRUE(Ok(s.AddSigningKey(Key("q", "k1", 50))));
  EXPECT_EQ(Kids(s, "q"), (Names{"k1", "kq"}));
}

// ---------------------------------------------------------------------------------------------
// Token families

TokenFamilyRow Family(const std::string& pool_id, const std::string& sub, const std::string& id) {
  TokenFamilyRow f;
  f.family_id = id;
  f.pool_id = pool_id;
  f.client_id = "client-1";
  f.sub = sub;
  f.refresh_hash = "hash-" + id;
  f.doc = R"({"auth_time":1})";
  f.created_ms = 1000;
  f.expires_ms = 10000;
  return f;
}

TYPED_TEST(StoreContractTest, TokenFamilyCrudAndVersions) {
  Store& s = this->s();
  EXPECT_TRUE(Fails(s.CreateTokenFamily(Family("p", "sub-alice", "f1")), kNotFound));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreateUser(User("p", "alice"))));
  ASSERT_TRUE(Ok(s.CreateTokenFamily(Family("p", "sub-alice", "f1"))));
  EXPECT_TRUE(Fails(s.CreateTokenFamily(Family("p", "sub-alice", "f1")), kConflict));

  auto got = s.GetTokenFamily("f1");
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->pool_id, "p");
  EXPECT_EQ(got->client_id, "client-1");
  EXPECT_EQ(got->sub, "sub-alice");
  EXPECT_EQ(got->refresh_hash, "hash-f1");
  EXPECT_EQ(got->previous_refresh_hash, "");
  EXPECT_EQ(got->previous_valid_until_ms, 0);
  EXPECT_EQ(got->doc, R"({"auth_time":1})");
  EXPECT_EQ(got->created_ms, 1000);
  EXPECT_EQ(got->expires_ms, 10000);
  EXPECT_EQ(got->revoked_ms, 0);
  EXPECT_EQ(got->version, 1);
  EXPECT_TRUE(Fails(s.GetTokenFamily("nope"), kNotFound));

  // Rotation: everything but the identity columns is replaced.
  TokenFamilyRow next = *got;
  next.client_id = "ignored";
  next.sub = "ignored";
  next.created_ms = 1;
  next.previous_refresh_hash = next.refresh_hash;
  next.refresh_hash = "hash-2";
  next.previous_valid_until_ms = 5000;
  next.doc = R"({"auth_time":2})";
  next.expires_ms = 20000;
  ASSERT_TRUE(Ok(s.UpdateTokenFamily(next, 1)));
  EXPECT_TRUE(Fails(s.UpdateTokenFamily(next, 1), kConflict, "version"));
  next.family_id = "nope";
  EXPECT_TRUE(Fails(s.UpdateTokenFamily(next, 2), kNotFound));
  got = s.GetTokenFamily("f1");
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->client_id, "client-1");
  EXPECT_EQ(got->sub, "sub-alice");
  EXPECT_EQ(got->created_ms, 1000);
  EXPECT_EQ(got->refresh_hash, "hash-2");
  EXPECT_EQ(got->previous_refresh_hash, "hash-f1");
  EXPECT_EQ(got->previous_valid_until_ms, 5000);
  EXPECT_EQ(got->doc, R"({"auth_time":2})");
  EXPECT_EQ(got->expires_ms, 20000);
  EXPECT_EQ(got->version, 2);

  // Revoking is idempotent, keeps the first time and moves the version, so a refresh that read
  // the family before the revocation cannot write it back.
  ASSERT_TRUE(Ok(s.RevokeTokenFamily("f1", 7000)));
  ASSERT_TRUE(Ok(s.RevokeTokenFamily("f1", 8000)));
  EXPECT_TRUE(Fails(s.RevokeTokenFamily("nope", 7000), kNotFound));
  auto revoked = s.GetTokenFamily("f1");
  ASSERT_TRUE(Ok(revoked));
  EXPECT_EQ(revoked->revoked_ms, 7000);
  EXPECT_EQ(revoked->version, 3);
  EXPECT_TRUE(Fails(s.UpdateTokenFamily(*got, 2), kConflict, "version"));
}

TYPED_TEST(StoreContractTest, RevokeUserTokenFamiliesCountsLiveOnes) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("q"))));
  for (const char* id : {"a1", "a2", "a3"}) {
    ASSERT_TRUE(Ok(s.CreateTokenFamily(Family("p", "sub-alice", id))));
  }
  ASSERT_TRUE(Ok(s.CreateTokenFamily(Family("p", "sub-bob", "b1"))));
  ASSERT_TRUE(Ok(s.CreateTokenFamily(Family("q", "sub-alice", "qa1"))));
  ASSERT_TRUE(Ok(s.RevokeTokenFamily("a2", 500)));

  auto n = s.RevokeUserTokenFamilies("p", "sub-alice", 900);
  ASSERT_TRUE(Ok(n));
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(s.GetTokenFamily("a1")->revoked_ms, 900);
  EXPECT_EQ(s.GetTokenFamily("a2")->revoked_ms, 500);
  EXPECT_EQ(s.GetTokenFamily("a3")->revoked_ms, 900);
  EXPECT_EQ(s.GetTokenFamily("a1")->version, 2);
  EXPECT_EQ(s.GetTokenFamily("b1")->revoked_ms, 0);
  EXPECT_EQ(s.GetTokenFamily("qa1")->revoked_ms, 0);
  EXPECT_EQ(*s.RevokeUserTokenFamilies("p", "sub-alice", 999), 0);
  EXPECT_EQ(*s.RevokeUserTokenFamilies("p", "sub-nobody", 999), 0);
  EXPECT_EQ(*s.RevokeUserTokenFamilies("none", "sub-alice", 999), 0);
}

TYPED_TEST(StoreContractTest, PurgeTokenFamiliesRemovesExpired) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  for (int i = 1; i <= 4; ++i) {
    TokenFamilyRow f = Family("p", "sub-alice", "f" + std::to_string(i));
    f.expires_ms = i * 1000;
    ASSERT_TRUE(Ok(s.CreateTokenFamily(f)));
  }
  EXPECT_EQ(*s.PurgeTokenFamilies(1000), 1);  // expired at 1000: f1
  EXPECT_EQ(*s.PurgeTokenFamilies(1000), 0);
  EXPECT_EQ(*s.PurgeTokenFamilies(2500), 1);
  EXPECT_TRUE(Fails(s.GetTokenFamily("f1"), kNotFound));
  EXPECT_TRUE(Fails(s.GetTokenFamily("f2"), kNotFound));
  EXPECT_TRUE(Ok(s.GetTokenFamily("f3")));
  // A purged id may be used again.
  ASSERT_TRUE(Ok(s.CreateTokenFamily(Family("p", "sub-alice", "f1"))));
  EXPECT_EQ(*s.RevokeUserTokenFamilies("p", "sub-alice", 1), 3);
}

TYPED_TEST(StoreContractTest, DeletingUserOrPoolRemovesTheirRows) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("q"))));
  for (const char* pool : {"p", "q"}) {
    const std::string p = pool;
    ASSERT_TRUE(Ok(s.CreateUser(User(p, "alice"))));
    ASSERT_TRUE(Ok(s.CreateUser(User(p, "bob"))));
    ASSERT_TRUE(Ok(s.AddSigningKey(Key(p, "kid-" + p, 1))));
    ASSERT_TRUE(Ok(s.CreateTokenFamily(Family(p, "sub-alice", "fa-" + p))));
    ASSERT_TRUE(Ok(s.CreateTokenFamily(Family(p, "sub-bob", "fb-" + p))));
    EphemeralRow e;
    e.kind = "auth_session";
    e.key = "session-" + p;
    e.pool_id = p;
    e.doc = "{}";
    e.expires_ms = 10000;
    ASSERT_TRUE(Ok(s.PutEphemeral(e, 0)));
  }

  ASSERT_TRUE(Ok(s.DeleteUser("p", "sub-alice")));
  EXPECT_TRUE(Fails(s.GetTokenFamily("fa-p"), kNotFound));
  EXPECT_TRUE(Ok(s.GetTokenFamily("fb-p")));
  EXPECT_TRUE(Ok(s.GetTokenFamily("fa-q")));

  ASSERT_TRUE(Ok(s.DeletePool("p")));
  EXPECT_EQ(Kids(s, "p"), Names{});
  EXPECT_TRUE(Fails(s.GetTokenFamily("fb-p"), kNotFound));
  EXPECT_TRUE(Fails(s.GetEphemeral("auth_session", "session-p", 0), kNotFound));

  // Recreating the pool finds every id free; the other pool is intact.
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  EXPECT_EQ(Kids(s, "p"), Names{});
  EXPECT_TRUE(Ok(s.AddSigningKey(Key("p", "kid-p", 1))));
  EXPECT_TRUE(Ok(s.CreateTokenFamily(Family("p", "sub-bob", "fb-p"))));
  EXPECT_EQ(Kids(s, "q"), Names{"kid-q"});
  EXPECT_TRUE(Ok(s.GetTokenFamily("fa-q")));
  EXPECT_TRUE(Ok(s.GetTokenFamily("fb-q")));
  EXPECT_TRUE(Ok(s.GetEphemeral("auth_session", "session-q", 0)));
}

// ---------------------------------------------------------------------------------------------
// Ephemeral rows

EphemeralRow Ephemeral(const std::string& key, std::int64_t expires_ms,
                       const std::string& kind = "auth_session") {
  EphemeralRow e;
  e.kind = kind;
  e.key = key;
  e.pool_id = "p";
  e.doc = R"({"step":1})";
  e.expires_ms = expires_ms;
  return e;
}

TYPED_TEST(StoreContractTest, EphemeralLifecycle) {
  Store& s = this->s();
  ASSERT_TRUE(Ok(s.PutEphemeral(Ephemeral("s1", 1000), 0)));
  EXPECT_TRUE(Fails(s.PutEphemeral(Ephemeral("s1", 5000), 999), kConflict));
  // The same key in another kind is another row.
  ASSERT_TRUE(Ok(s.PutEphemeral(Ephemeral("s1", 1000, "used_code"), 0)));

  auto got = s.GetEphemeral("auth_session", "s1", 999);
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->kind, "auth_session");
  EXPECT_EQ(got->key, "s1");
  EXPECT_EQ(got->pool_id, "p");
  EXPECT_EQ(got->doc, R"({"step":1})");
  EXPECT_EQ(got->expires_ms, 1000);
  EXPECT_EQ(got->version, 1);
  EXPECT_TRUE(Fails(s.GetEphemeral("auth_session", "nope", 0), kNotFound));

  // Update: optimistic, live rows only; replaces doc and expiry.
  EphemeralRow next = *got;
  next.doc = R"({"step":2})";
  next.expires_ms = 2000;
  ASSERT_TRUE(Ok(s.UpdateEphemeral(next, 1, 999)));
  EXPECT_TRUE(Fails(s.UpdateEphemeral(next, 1, 999), kConflict, "version"));
  got = s.GetEphemeral("auth_session", "s1", 1500);
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->doc, R"({"step":2})");
  EXPECT_EQ(got->expires_ms, 2000);
  EXPECT_EQ(got->version, 2);

  // Expired at expires_ms: invisible to Get, Update and Take.
  EXPECT_TRUE(Fails(s.GetEphemeral("auth_session", "s1", 2000), kNotFound));
  EXPECT_TRUE(Fails(s.UpdateEphemeral(next, 2, 2000), kNotFound));
  EXPECT_TRUE(Fails(s.TakeEphemeral("auth_session", "s1", 2000), kNotFound));
  // Put over an expired row replaces it, starting again at version 1.
  EphemeralRow fresh = Ephemeral("s1", 9000);
  fresh.doc = "fresh";
  ASSERT_TRUE(Ok(s.PutEphemeral(fresh, 2000)));
  got = s.GetEphemeral("auth_session", "s1", 2000);
  ASSERT_TRUE(Ok(got));
  EXPECT_EQ(got->doc, "fresh");
  EXPECT_EQ(got->version, 1);

  // Take returns the row once.
  auto taken = s.TakeEphemeral("auth_session", "s1", 2000);
  ASSERT_TRUE(Ok(taken));
  EXPECT_EQ(taken->doc, "fresh");
  EXPECT_EQ(taken->expires_ms, 9000);
  EXPECT_EQ(taken->version, 1);
  EXPECT_TRUE(Fails(s.TakeEphemeral("auth_session", "s1", 2000), kNotFound));
  EXPECT_TRUE(Fails(s.GetEphemeral("auth_session", "s1", 2000), kNotFound));
  EXPECT_TRUE(Ok(s.GetEphemeral("used_code", "s1", 0)));
}

TYPED_TEST(StoreContractTest, PurgeEphemeralRemovesExpired) {
  Store& s = this->s();
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(Ok(s.PutEphemeral(Ephemeral("k" + std::to_string(i), i * 1000), 0)));
  }
  EXPECT_EQ(*s.PurgeEphemeral(999), 0);
  EXPECT_EQ(*s.PurgeEphemeral(2000), 2);
  EXPECT_EQ(*s.PurgeEphemeral(2000), 0);
  EXPECT_TRUE(Fails(s.GetEphemeral("auth_session", "k1", 0), kNotFound));
  EXPECT_TRUE(Ok(s.GetEphemeral("auth_session", "k3", 0)));
  EXPECT_EQ(*s.PurgeEphemeral(10000), 2);
}

TYPED_TEST(StoreContractTest, ConcurrentTakesHaveOneWinner) {
  Store& s = this->s();
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = "code-" + std::to_string(round);
    ASSERT_TRUE(Ok(s.PutEphemeral(Ephemeral(key, 100000, "used_code"), 0)));
    std::atomic<int> wins = 0, misses = 0, wrong = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        auto r = s.TakeEphemeral("used_code", key, 0);
        if (r) {
          ++wins;
        } else if (r.error().IsNotFound()) {
          ++misses;
        } else {
          ++wrong;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(wins.load(), 1) << key;
    EXPECT_EQ(misses.load(), kThreads - 1) << key;
    EXPECT_EQ(wrong.load(), 0) << key;
  }
}

TYPED_TEST(StoreContractTest, ConcurrentPutsOfOneKeyHaveOneWinner) {
  Store& s = this->s();
  constexpr int kThreads = 8;
  std::atomic<int> wins = 0, conflicts = 0, wrong = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto r = s.PutEphemeral(Ephemeral("once", 100000, "used_code"), 0);
      if (r) {
        ++wins;
      } else if (r.error().IsConflict()) {
        ++conflicts;
      } else {
        ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
  EXPECT_EQ(wrong.load(), 0);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL only: a server restart costs no more than the requests in flight. It restarts the
// server, so it runs only when COGNATE_TEST_PG_DIR is set too (not while other tests use it).

TEST(PostgresRestartTest, SurvivesServerRestart) {
  const char* dsn = std::getenv("COGNATE_TEST_PG_DSN");
  const char* dir = std::getenv("COGNATE_TEST_PG_DIR");
  if (dsn == nullptr || dir == nullptr || *dsn == '\0' || *dir == '\0') {
    GTEST_SKIP() << "needs COGNATE_TEST_PG_DSN and COGNATE_TEST_PG_DIR (the pg-temp DIR)";
  }
  PostgresBackend backend;
  std::string skip;
  auto owned = backend.Make(&skip);
  ASSERT_NE(owned, nullptr) << skip;
  Store& s = *owned;
  ASSERT_TRUE(Ok(s.Migrate()));
  ASSERT_TRUE(Ok(s.CreatePool(Pool("p"))));
  // Warm every pooled connection so all of them die with the server.
  std::vector<std::thread> warm;
  for (int i = 0; i < 3; ++i) warm.emplace_back([&] { EXPECT_TRUE(Ok(s.GetPool("p"))); });
  for (auto& t : warm) t.join();

  const std::string restart =
      std::string(COGNATE_SOURCE_DIR "/scripts/pg-temp restart '") + dir + "'";
  ASSERT_EQ(std::system(restart.c_str()), 0);
  // Reads and transactions on the dead connections reconnect transparently.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Ok(s.GetPool("p"))) << i;
  EXPECT_TRUE(Ok(s.CreateUser(User("p", "after-restart"))));
  ASSERT_EQ(std::system(restart.c_str()), 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(Ok(s.CreateUser(User("p", "again" + std::to_string(i))))) << i;
  }
  EXPECT_EQ(*s.CountUsers("p"), 4);
}

TEST(PostgresMigrationTest, ConcurrentFirstStartsMigrateOnce) {
  const char* env = std::getenv("COGNATE_TEST_PG_DSN");
  if (env == nullptr || *env == '\0') GTEST_SKIP() << "COGNATE_TEST_PG_DSN is not set";
  const std::string dsn = env;
  const std::string schema = "cognate_mig_" + std::to_string(getpid());
  ASSERT_EQ(PsqlValue(dsn, "DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema),
            "");
  // Every node's connections see only the fresh, empty schema.
  const std::string node_dsn =
      dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
  std::vector<std::unique_ptr<PostgresStore>> nodes;
  for (int i = 0; i < 4; ++i) nodes.push_back(std::make_unique<PostgresStore>(node_dsn, 2));
  std::vector<std::string> errors(nodes.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    threads.emplace_back([&, i] {
      auto st = nodes[i]->Migrate();
      if (!st) errors[i] = st.error().detail();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(PsqlValue(dsn, "SELECT count(*) FROM " + schema + ".schema_migrations"),
            std::to_string(migrations::PostgresMigrations().size()));
  EXPECT_TRUE(Ok(nodes[0]->CreatePool(Pool("p"))));
  EXPECT_TRUE(Ok(nodes[3]->GetPool("p")));
  EXPECT_EQ(PsqlValue(dsn, "SELECT count(*) FROM " + schema + ".pools"), "1");
  nodes.clear();
  EXPECT_EQ(PsqlValue(dsn, "DROP SCHEMA " + schema + " CASCADE"), "");
}

TEST(PostgresRestartTest, UnreachableServerIsUnavailable) {
  PostgresStore s("postgres://nobody@127.0.0.1:1/none?connect_timeout=2", 1);
  EXPECT_TRUE(Fails(s.Migrate(), StoreErrorCode::kUnavailable));
  EXPECT_TRUE(Fails(s.GetPool("p"), StoreErrorCode::kUnavailable));
  EXPECT_TRUE(Fails(s.CreatePool(Pool("p")), StoreErrorCode::kUnavailable));
}

}  // namespace
}  // namespace cognate::store
