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
  EXPECT_EQ(PsqlValue(dsn, "SELECT count(*) FROM " + schema + ".schema_migrations"), "1");
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
