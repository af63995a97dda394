#include "store/postgres/postgres_store.h"

#include <libpq-fe.h>

#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common/io_wait.h"
#include "store/migrations/migrations.h"
#include "store/store_util.h"

namespace cognate::store {
namespace {

using internal::BadCursorError;
using internal::ClampLimit;
using internal::DecodeCursor;
using internal::EncodeCursor;

StoreError NotFound(std::string what) { return {StoreErrorCode::kNotFound, std::move(what)}; }
StoreError Conflict(std::string what) { return {StoreErrorCode::kConflict, std::move(what)}; }
StoreError Unavailable(std::string what) { return {StoreErrorCode::kUnavailable, std::move(what)}; }

// Any 64-bit key for pg_advisory_xact_lock; "cognate\0" in ASCII.
constexpr std::int64_t kMigrationLockKey = 0x636f676e61746500;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

// Outside the anonymous namespace: PostgresStore::Impl (external linkage) holds these.
namespace pg_detail {
// One connection and the names of the statements prepared on it (keyed by SQL text).
struct PgConn {
  PGconn* conn = nullptr;
  std::unordered_map<std::string, std::string> prepared;

  PgConn() = default;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;
  ~PgConn() { Close(); }
  void Close() {
    if (conn != nullptr) PQfinish(conn);
    conn = nullptr;
    prepared.clear();
  }
  bool Broken() const { return conn == nullptr || PQstatus(conn) != CONNECTION_OK; }
};
}  // namespace pg_detail

namespace {

using pg_detail::PgConn;

std::string Trim(const char* s) {
  std::string out = s == nullptr ? "" : s;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// The StoreError for a failed result (or a null one: the connection is gone).
StoreError PgError(PgConn& c, const PGresult* r) {
  if (r == nullptr || PQstatus(c.conn) != CONNECTION_OK) {
    return Unavailable("connection lost: " + Trim(PQerrorMessage(c.conn)));
  }
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string sqlstate = state == nullptr ? "" : state;
  const char* constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
  std::string msg = Trim(PQresultErrorMessage(r));
  if (sqlstate == "23505") return Conflict(constraint != nullptr ? constraint : msg);
  if (sqlstate == "23503") return NotFound(constraint != nullptr ? constraint : msg);
  if (sqlstate.starts_with("08") || sqlstate.starts_with("53") || sqlstate.starts_with("57P") ||
      sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
    return Unavailable(sqlstate + " " + msg);
  }
  return {StoreErrorCode::kInternal, sqlstate + " " + msg};
}

// Text-format parameters: every value is a string (ints and bools in their text forms).
using Params = std::vector<std::string>;

// Runs `sql` as a prepared statement on `c`, preparing it on first use.
StoreResult<Result> Query(PgConn& c, const std::string& sql, const Params& params) {
  if (c.Broken()) return Unavailable("connection lost");
  auto it = c.prepared.find(sql);
  if (it == c.prepared.end()) {
    std::string name = "s" + std::to_string(c.prepared.size());
    IoWait waiting;
    Result prep(
        PQprepare(c.conn, name.c_str(), sql.c_str(), static_cast<int>(params.size()), nullptr));
    if (prep == nullptr || PQresultStatus(prep.get()) != PGRES_COMMAND_OK) {
      return PgError(c, prep.get());
    }
    it = c.prepared.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  Result r = [&] {
    IoWait waiting;  // the round trip: this thread's core may serve another meanwhile
    return Result(PQexecPrepared(c.conn, it->second.c_str(), static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0));
  }();
  if (r == nullptr) return PgError(c, nullptr);
  auto status = PQresultStatus(r.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return PgError(c, r.get());
  return r;
}

// Runs parameterless SQL (BEGIN, COMMIT, migration scripts) with the simple protocol.
StoreStatus Exec(PgConn& c, const std::string& sql) {
  if (c.Broken()) return Unavailable("connection lost");
  Result r = [&] {
    IoWait waiting;
    return Result(PQexec(c.conn, sql.c_str()));
  }();
  if (r == nullptr) return PgError(c, nullptr);
  auto status = PQresultStatus(r.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return PgError(c, r.get());
  return {};
}

std::string Text(const Result& r, int row, int col) {
  return std::string(PQgetvalue(r.get(), row, col),
                     static_cast<std::size_t>(PQgetlength(r.get(), row, col)));
}

std::int64_t Int(const Result& r, int row, int col) {
  const char* v = PQgetvalue(r.get(), row, col);
  std::int64_t out = 0;
  std::from_chars(v, v + PQgetlength(r.get(), row, col), out);
  return out;
}

bool Bool(const Result& r, int row, int col) { return PQgetvalue(r.get(), row, col)[0] == 't'; }

int Rows(const Result& r) { return PQntuples(r.get()); }

std::string Str(std::int64_t v) { return std::to_string(v); }

// A text[] literal: {"a","b\"c"} with quotes and backslashes escaped.
std::string ArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char ch : items[i]) {
      if (ch == '"' || ch == '\\') out.push_back('\\');
      out.push_back(ch);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

constexpr const char* kPoolCols = "id, name, doc, created_ms, modified_ms, version";
constexpr const char* kClientCols =
    "pool_id, client_id, name, doc, created_ms, modified_ms, version";
constexpr const char* kGroupCols =
    "g.pool_id, g.name, g.doc, g.created_ms, g.modified_ms, g.version";
constexpr const char* kUserCols =
    "u.pool_id, u.sub, u.username, u.username_key, u.status, u.enabled, u.unique_keys, "
    "u.indexed, u.doc, u.created_ms, u.modified_ms, u.version";
constexpr int kUserColCount = 12;
// encrypted_secret is bytea (raw AEAD output); it crosses the text protocol as hex.
constexpr const char* kCredentialCols =
    "access_key_id, encode(encrypted_secret, 'hex'), description, created_ms";

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::string FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

PoolRow ReadPool(const Result& r, int i) {
  PoolRow p;
  p.id = Text(r, i, 0);
  p.name = Text(r, i, 1);
  p.doc = Text(r, i, 2);
  p.created_ms = Int(r, i, 3);
  p.modified_ms = Int(r, i, 4);
  p.version = Int(r, i, 5);
  return p;
}

ClientRow ReadClient(const Result& r, int i) {
  ClientRow c;
  c.pool_id = Text(r, i, 0);
  c.client_id = Text(r, i, 1);
  c.name = Text(r, i, 2);
  c.doc = Text(r, i, 3);
  c.created_ms = Int(r, i, 4);
  c.modified_ms = Int(r, i, 5);
  c.version = Int(r, i, 6);
  return c;
}

GroupRow ReadGroup(const Result& r, int i) {
  GroupRow g;
  g.pool_id = Text(r, i, 0);
  g.name = Text(r, i, 1);
  g.doc = Text(r, i, 2);
  g.created_ms = Int(r, i, 3);
  g.modified_ms = Int(r, i, 4);
  g.version = Int(r, i, 5);
  return g;
}

StoreResult<UserRow> ReadUser(const Result& r, int i) {
  UserRow u;
  u.pool_id = Text(r, i, 0);
  u.sub = Text(r, i, 1);
  u.username = Text(r, i, 2);
  u.username_key = Text(r, i, 3);
  u.status = Text(r, i, 4);
  u.enabled = Bool(r, i, 5);
  auto keys = internal::DecodeStringList(Text(r, i, 6));
  auto attrs = internal::DecodeAttributes(Text(r, i, 7));
  if (!keys || !attrs) return StoreError(StoreErrorCode::kInternal, "corrupt user row");
  u.unique_keys = std::move(*keys);
  u.indexed = std::move(*attrs);
  u.doc = Text(r, i, 8);
  u.created_ms = Int(r, i, 9);
  u.modified_ms = Int(r, i, 10);
  u.version = Int(r, i, 11);
  return u;
}

CredentialRow ReadCredential(const Result& r, int i) {
  CredentialRow c;
  c.access_key_id = Text(r, i, 0);
  c.encrypted_secret = FromHex(Text(r, i, 1));
  c.description = Text(r, i, 2);
  c.created_ms = Int(r, i, 3);
  return c;
}

StoreResult<std::optional<std::string>> CursorKey(const std::string& cursor) {
  if (cursor.empty()) return std::optional<std::string>();
  auto parts = DecodeCursor(cursor, 1);
  if (!parts) return BadCursorError();
  return std::optional<std::string>(std::move((*parts)[0]));
}

// Builds a page from rows fetched with LIMIT limit+1.
template <class T, class Read, class Key>
StoreResult<Page<T>> MakePage(const Result& r, int limit, Read read, Key key) {
  Page<T> page;
  const int n = Rows(r);
  for (int i = 0; i < n && i < limit; ++i) {
    StoreResult<T> row = read(r, i);
    if (!row) return row.error();
    page.items.push_back(std::move(*row));
  }
  if (n > limit) page.next_cursor = key(page.items.back(), limit - 1);
  return page;
}

// Whether `sql` returns a row.
StoreResult<bool> Exists(PgConn& c, const std::string& sql, const Params& params) {
  auto r = Query(c, sql, params);
  if (!r) return r.error();
  return Rows(*r) > 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct PostgresStore::Impl {
  std::string dsn;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<PgConn>> conns;
  std::vector<PgConn*> idle;

  StoreStatus Connect(PgConn& c) {
    c.Close();
    const char* keys[] = {"connect_timeout", "dbname", nullptr};
    const char* values[] = {"5", dsn.c_str(), nullptr};
    {
      IoWait waiting;
      c.conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    }
    if (c.conn == nullptr || PQstatus(c.conn) != CONNECTION_OK) {
      std::string msg = c.conn ? Trim(PQerrorMessage(c.conn)) : "out of memory";
      c.Close();
      return Unavailable("connect: " + msg);
    }
    // Quiet the NOTICEs of CREATE TABLE IF NOT EXISTS and friends.
    return Exec(c, "SET client_min_messages = warning");
  }

  PgConn* Acquire() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        PgConn* c = idle.back();
        idle.pop_back();
        return c;
      }
    }
    IoWait waiting;  // ends (and may wait for a core) after `mu` is released below
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return !idle.empty(); });
    PgConn* c = idle.back();
    idle.pop_back();
    lock.unlock();
    return c;
  }

  void Release(PgConn* c) {
    if (!c->Broken() && PQtransactionStatus(c->conn) != PQTRANS_IDLE) {
      (void)Exec(*c, "ROLLBACK");
    }
    {
      std::lock_guard lock(mu);
      idle.push_back(c);
    }
    cv.notify_one();
  }

  // A leased connection, connected (or re-connected after a loss) before use.
  struct Lease {
    Impl& impl;
    PgConn* c;
    explicit Lease(Impl& i) : impl(i), c(i.Acquire()) {}
    ~Lease() { impl.Release(c); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
  };

  // Runs a read: `fn(conn)` once, and once more on a fresh connection if the connection was
  // lost (reads are idempotent).
  template <class F>
  auto Read(F&& fn) -> decltype(fn(std::declval<PgConn&>())) {
    using R = decltype(fn(std::declval<PgConn&>()));
    Lease lease(*this);
    for (int attempt = 0;; ++attempt) {
      if (lease.c->Broken()) {
        if (auto st = Connect(*lease.c); !st) return R(st.error());
      }
      R r = fn(*lease.c);
      if (r || attempt > 0 || !lease.c->Broken()) return r;
    }
  }

  // Runs `fn(conn)` inside BEGIN ... COMMIT; rolls back when it fails. BEGIN is retried once on
  // a fresh connection when the old one turns out to be dead.
  template <class F>
  auto Tx(F&& fn) -> decltype(fn(std::declval<PgConn&>())) {
    using R = decltype(fn(std::declval<PgConn&>()));
    Lease lease(*this);
    PgConn& c = *lease.c;
    for (int attempt = 0;; ++attempt) {
      if (c.Broken()) {
        if (auto st = Connect(c); !st) return R(st.error());
      }
      auto begun = Exec(c, "BEGIN");
      if (begun) break;
      if (attempt > 0 || !c.Broken()) return R(begun.error());
    }
    R result = fn(c);
    if (!result) {
      if (!c.Broken()) (void)Exec(c, "ROLLBACK");
      return result;
    }
    if (auto st = Exec(c, "COMMIT"); !st) return R(st.error());
    return result;
  }
};

PostgresStore::PostgresStore(std::string dsn, int pool_size) : impl_(std::make_unique<Impl>()) {
  impl_->dsn = std::move(dsn);
  if (pool_size < 1) pool_size = 1;
  for (int i = 0; i < pool_size; ++i) {
    impl_->conns.push_back(std::make_unique<PgConn>());
    impl_->idle.push_back(impl_->conns.back().get());
  }
}

PostgresStore::~PostgresStore() = default;

StoreStatus PostgresStore::Migrate() {
  return impl_->Tx([](PgConn& c) -> StoreStatus {
    if (auto st = Exec(c, "SELECT pg_advisory_xact_lock(" + Str(kMigrationLockKey) + ")"); !st) {
      return st;
    }
    if (auto st = Exec(c,
                       "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY,"
                       " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        !st) {
      return st;
    }
    for (const auto& m : migrations::PostgresMigrations()) {
      auto done = Exists(c, "SELECT 1 FROM schema_migrations WHERE version = $1", {Str(m.version)});
      if (!done) return done.error();
      if (*done) continue;
      if (auto st = Exec(c, std::string(m.sql)); !st) {
        return StoreError(st.error().code(), std::string(m.name) + ": " + st.error().detail());
      }
      auto rec = Query(c, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                       {Str(m.version), std::string(m.name)});
      if (!rec) return rec.error();
    }
    return {};
  });
}

// ---------------------------------------------------------------------------------------------
// Pools

namespace {

// After an UPDATE ... RETURNING that matched nothing: `if_exists` (by default kConflict
// "version") if the row exists, else kNotFound `what`.
StoreStatus MissedUpdate(PgConn& c, const std::string& what, const std::string& exists_sql,
                         const Params& key, const StoreStatus& if_exists = Conflict("version")) {
  auto exists = Exists(c, exists_sql, key);
  if (!exists) return exists.error();
  return *exists ? if_exists : NotFound(what);
}

// Runs a bound UPDATE ... RETURNING 1 with the version check in its WHERE.
StoreStatus CheckedUpdate(PgConn& c, const std::string& sql, const Params& params,
                          const std::string& what, const std::string& exists_sql, const Params& key,
                          const StoreStatus& if_exists = Conflict("version")) {
  auto r = Query(c, sql, params);
  if (!r) return r.error();
  if (Rows(*r) > 0) return {};
  return MissedUpdate(c, what, exists_sql, key, if_exists);
}

// Runs a DELETE ... RETURNING 1; kNotFound `what` when it removed nothing.
StoreStatus CheckedDelete(PgConn& c, const std::string& sql, const Params& params,
                          const std::string& what) {
  auto r = Query(c, sql, params);
  if (!r) return r.error();
  if (Rows(*r) == 0) return NotFound(what);
  return {};
}

// kNotFound "pool" unless the pool exists (locking it against a concurrent delete).
StoreStatus LockPool(PgConn& c, const std::string& pool_id) {
  auto pool = Exists(c, "SELECT 1 FROM pools WHERE id = $1 FOR KEY SHARE", {pool_id});
  if (!pool) return pool.error();
  if (!*pool) return NotFound("pool");
  return {};
}

// For lists that came back empty: kNotFound `what` when the parent is missing too.
template <class T>
StoreResult<Page<T>> EmptyOrMissing(PgConn& c, StoreResult<Page<T>> page, const std::string& what,
                                    const std::string& exists_sql, const Params& key) {
  if (!page || !page->items.empty()) return page;
  auto exists = Exists(c, exists_sql, key);
  if (!exists) return exists.error();
  if (!*exists) return NotFound(what);
  return page;
}

}  // namespace

StoreStatus PostgresStore::CreatePool(const PoolRow& row) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    auto r = Query(c,
                   "INSERT INTO pools (id, name, doc, created_ms, modified_ms, version) "
                   "VALUES ($1, $2, $3, $4, $5, 1)",
                   {row.id, row.name, row.doc, Str(row.created_ms), Str(row.modified_ms)});
    if (!r) return r.error().IsConflict() ? Conflict("id") : r.error();
    return {};
  });
}

StoreResult<PoolRow> PostgresStore::GetPool(const std::string& id) {
  return impl_->Read([&](PgConn& c) -> StoreResult<PoolRow> {
    auto r = Query(c, std::string("SELECT ") + kPoolCols + " FROM pools WHERE id = $1", {id});
    if (!r) return r.error();
    if (Rows(*r) == 0) return NotFound("pool");
    return ReadPool(*r, 0);
  });
}

StoreStatus PostgresStore::UpdatePool(const PoolRow& row, std::int64_t expected_version) {
  return impl_->Tx([&](PgConn& c) {
    return CheckedUpdate(c,
                         "UPDATE pools SET name = $1, doc = $2, modified_ms = $3, "
                         "version = version + 1 WHERE id = $4 AND version = $5 RETURNING 1",
                         {row.name, row.doc, Str(row.modified_ms), row.id, Str(expected_version)},
                         "pool", "SELECT 1 FROM pools WHERE id = $1", {row.id});
  });
}

StoreStatus PostgresStore::DeletePool(const std::string& id) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    if (auto st = CheckedDelete(c, "DELETE FROM pools WHERE id = $1 RETURNING 1", {id}, "pool");
        !st) {
      return st;
    }
    // Ephemeral rows have no foreign key (they need not belong to a pool).
    auto r = Query(c, "DELETE FROM ephemeral WHERE pool_id = $1", {id});
    if (!r) return r.error();
    return {};
  });
}

StoreResult<Page<PoolRow>> PostgresStore::ListPools(const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  auto after = CursorKey(cursor);
  if (!after) return after.error();
  return impl_->Read([&](PgConn& c) -> StoreResult<Page<PoolRow>> {
    std::string sql = std::string("SELECT ") + kPoolCols + " FROM pools";
    Params params;
    if (*after) {
      sql += " WHERE id > $1";
      params.push_back(**after);
    }
    sql += " ORDER BY id LIMIT $" + std::to_string(params.size() + 1);
    params.push_back(Str(limit + 1));
    auto r = Query(c, sql, params);
    if (!r) return r.error();
    return MakePage<PoolRow>(
        *r, limit,
        [](const Result& res, int i) -> StoreResult<PoolRow> { return ReadPool(res, i); },
        [](const PoolRow& p, int) { return EncodeCursor({p.id}); });
  });
}

// ---------------------------------------------------------------------------------------------
// Clients

StoreStatus PostgresStore::CreateClient(const ClientRow& row) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    if (auto st = LockPool(c, row.pool_id); !st) return st;
    auto r = Query(
        c,
        "INSERT INTO clients (pool_id, client_id, name, doc, created_ms, modified_ms, "
        "version) VALUES ($1, $2, $3, $4, $5, $6, 1)",
        {row.pool_id, row.client_id, row.name, row.doc, Str(row.created_ms), Str(row.modified_ms)});
    if (!r) return r.error().IsConflict() ? Conflict("client_id") : r.error();
    return {};
  });
}

StoreResult<ClientRow> PostgresStore::GetClient(const std::string& client_id) {
  return impl_->Read([&](PgConn& c) -> StoreResult<ClientRow> {
    auto r = Query(c, std::string("SELECT ") + kClientCols + " FROM clients WHERE client_id = $1",
                   {client_id});
    if (!r) return r.error();
    if (Rows(*r) == 0) return NotFound("client");
    return ReadClient(*r, 0);
  });
}

StoreStatus PostgresStore::UpdateClient(const ClientRow& row, std::int64_t expected_version) {
  return impl_->Tx([&](PgConn& c) {
    return CheckedUpdate(
        c,
        "UPDATE clients SET name = $1, doc = $2, modified_ms = $3, version = version + 1 "
        "WHERE client_id = $4 AND pool_id = $5 AND version = $6 RETURNING 1",
        {row.name, row.doc, Str(row.modified_ms), row.client_id, row.pool_id,
         Str(expected_version)},
        "client", "SELECT 1 FROM clients WHERE client_id = $1 AND pool_id = $2",
        {row.client_id, row.pool_id});
  });
}

StoreStatus PostgresStore::DeleteClient(const std::string& pool_id, const std::string& client_id) {
  return impl_->Tx([&](PgConn& c) {
    return CheckedDelete(c, "DELETE FROM clients WHERE client_id = $1 AND pool_id = $2 RETURNING 1",
                         {client_id, pool_id}, "client");
  });
}

StoreResult<Page<ClientRow>> PostgresStore::ListClients(const std::string& pool_id,
                                                        const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  auto after = CursorKey(cursor);
  if (!after) return after.error();
  return impl_->Read([&](PgConn& c) -> StoreResult<Page<ClientRow>> {
    std::string sql = std::string("SELECT ") + kClientCols + " FROM clients WHERE pool_id = $1";
    Params params = {pool_id};
    if (*after) {
      sql += " AND client_id > $2";
      params.push_back(**after);
    }
    sql += " ORDER BY client_id LIMIT $" + std::to_string(params.size() + 1);
    params.push_back(Str(limit + 1));
    auto r = Query(c, sql, params);
    if (!r) return r.error();
    auto page = MakePage<ClientRow>(
        *r, limit,
        [](const Result& res, int i) -> StoreResult<ClientRow> { return ReadClient(res, i); },
        [](const ClientRow& cl, int) { return EncodeCursor({cl.client_id}); });
    return EmptyOrMissing(c, std::move(page), "pool", "SELECT 1 FROM pools WHERE id = $1",
                          {pool_id});
  });
}

// ---------------------------------------------------------------------------------------------
// Users

namespace {

std::vector<std::string> AttrNames(const UserRow& u) {
  std::vector<std::string> out;
  for (const auto& a : u.indexed) out.push_back(a.name);
  return out;
}

std::vector<std::string> AttrValues(const UserRow& u) {
  std::vector<std::string> out;
  for (const auto& a : u.indexed) out.push_back(a.value);
  return out;
}

// The smallest of `keys` that another user of the pool holds, if any.
StoreResult<std::optional<std::string>> TakenKey(PgConn& c, const UserRow& u) {
  if (u.unique_keys.empty()) return std::optional<std::string>();
  auto r = Query(c,
                 "SELECT min(key) FROM user_keys WHERE pool_id = $1 AND key = ANY($2::text[]) "
                 "AND sub <> $3",
                 {u.pool_id, ArrayLiteral(u.unique_keys), u.sub});
  if (!r) return r.error();
  if (Rows(*r) == 0 || PQgetisnull(r->get(), 0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(Text(*r, 0, 0));
}

// Maps a unique violation raised by a concurrent writer to the detail store.h promises.
StoreError UserConflict(PgConn& c, const StoreError& e, const UserRow& u) {
  if (!e.IsConflict()) return e;
  if (e.detail() == "users_username_uq") return Conflict("username");
  if (e.detail() == "users_pkey") return Conflict("sub");
  return Conflict(u.unique_keys.empty() ? e.detail() : u.unique_keys.front());
}

// Inserts the user's keys and attributes in one statement.
StoreStatus InsertUserIndexes(PgConn& c, const UserRow& u) {
  auto r = Query(c,
                 "WITH k AS (INSERT INTO user_keys (pool_id, key, sub) "
                 "SELECT $1, key, $2 FROM unnest($3::text[]) AS key) "
                 "INSERT INTO user_attrs (pool_id, name, value, sub) "
                 "SELECT $1, n, v, $2 FROM unnest($4::text[], $5::text[]) AS t(n, v)",
                 {u.pool_id, u.sub, ArrayLiteral(u.unique_keys), ArrayLiteral(AttrNames(u)),
                  ArrayLiteral(AttrValues(u))});
  if (!r) return r.error();
  return {};
}

}  // namespace

StoreStatus PostgresStore::CreateUser(const UserRow& row) {
  UserRow u = row;
  internal::NormalizeUser(u);
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    // One round trip for every check, in the contract's order (pool, username, sub, keys); the
    // pool row is locked against a concurrent DeletePool.
    auto pre =
        Query(c,
              "SELECT (SELECT 1 FROM pools WHERE id = $1 FOR KEY SHARE) IS NOT NULL, "
              "EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND username_key = $2), "
              "EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND sub = $3), "
              "(SELECT min(key) FROM user_keys WHERE pool_id = $1 AND key = ANY($4::text[]))",
              {u.pool_id, u.username_key, u.sub, ArrayLiteral(u.unique_keys)});
    if (!pre) return pre.error();
    if (!Bool(*pre, 0, 0)) return NotFound("pool");
    if (Bool(*pre, 0, 1)) return Conflict("username");
    if (Bool(*pre, 0, 2)) return Conflict("sub");
    if (!PQgetisnull(pre->get(), 0, 3)) return Conflict(Text(*pre, 0, 3));
    // The row, its keys and its attributes in one statement.
    auto ins = Query(
        c,
        "WITH u AS (INSERT INTO users (pool_id, sub, username, username_key, status, enabled, "
        "unique_keys, indexed, doc, created_ms, modified_ms, version) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1) RETURNING pool_id, sub), "
        "k AS (INSERT INTO user_keys (pool_id, key, sub) "
        "SELECT u.pool_id, key, u.sub FROM u, unnest($12::text[]) AS key) "
        "INSERT INTO user_attrs (pool_id, name, value, sub) "
        "SELECT u.pool_id, n, v, u.sub FROM u, unnest($13::text[], $14::text[]) AS t(n, v)",
        {u.pool_id, u.sub, u.username, u.username_key, u.status, u.enabled ? "true" : "false",
         internal::EncodeStringList(u.unique_keys), internal::EncodeAttributes(u.indexed), u.doc,
         Str(u.created_ms), Str(u.modified_ms), ArrayLiteral(u.unique_keys),
         ArrayLiteral(AttrNames(u)), ArrayLiteral(AttrValues(u))});
    if (!ins) return UserConflict(c, ins.error(), u);
    return {};
  });
}

namespace {

StoreResult<UserRow> OneUser(PgConn& c, const std::string& where, const Params& params) {
  auto r = Query(c, std::string("SELECT ") + kUserCols + " FROM users u WHERE " + where, params);
  if (!r) return r.error();
  if (Rows(*r) == 0) return NotFound("user");
  return ReadUser(*r, 0);
}

}  // namespace

StoreResult<UserRow> PostgresStore::GetUserByUsernameKey(const std::string& pool_id,
                                                         const std::string& username_key) {
  return impl_->Read([&](PgConn& c) {
    return OneUser(c, "u.pool_id = $1 AND u.username_key = $2", {pool_id, username_key});
  });
}

StoreResult<UserRow> PostgresStore::GetUserBySub(const std::string& pool_id,
                                                 const std::string& sub) {
  return impl_->Read([&](PgConn& c) {
    return OneUser(c, "u.pool_id = $1 AND u.sub = $2", {pool_id, sub});
  });
}

StoreResult<UserRow> PostgresStore::GetUserByUniqueKey(const std::string& pool_id,
                                                       const std::string& key) {
  return impl_->Read([&](PgConn& c) {
    return OneUser(c,
                   "u.pool_id = $1 AND u.sub = (SELECT k.sub FROM user_keys k "
                   "WHERE k.pool_id = $1 AND k.key = $2)",
                   {pool_id, key});
  });
}

StoreStatus PostgresStore::UpdateUser(const UserRow& row, std::int64_t expected_version) {
  UserRow u = row;
  internal::NormalizeUser(u);
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    auto upd =
        Query(c,
              "UPDATE users SET username = $1, status = $2, enabled = $3, unique_keys = $4, "
              "indexed = $5, doc = $6, modified_ms = $7, version = version + 1 "
              "WHERE pool_id = $8 AND sub = $9 AND version = $10 RETURNING 1",
              {u.username, u.status, u.enabled ? "true" : "false",
               internal::EncodeStringList(u.unique_keys), internal::EncodeAttributes(u.indexed),
               u.doc, Str(u.modified_ms), u.pool_id, u.sub, Str(expected_version)});
    if (!upd) return upd.error();
    if (Rows(*upd) == 0) {
      return MissedUpdate(c, "user", "SELECT 1 FROM users WHERE pool_id = $1 AND sub = $2",
                          {u.pool_id, u.sub});
    }
    auto taken = TakenKey(c, u);
    if (!taken) return taken.error();
    if (*taken) return Conflict(**taken);
    auto del = Query(c,
                     "WITH k AS (DELETE FROM user_keys WHERE pool_id = $1 AND sub = $2) "
                     "DELETE FROM user_attrs WHERE pool_id = $1 AND sub = $2",
                     {u.pool_id, u.sub});
    if (!del) return del.error();
    if (auto st = InsertUserIndexes(c, u); !st) return UserConflict(c, st.error(), u);
    return {};
  });
}

StoreStatus PostgresStore::DeleteUser(const std::string& pool_id, const std::string& sub) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    if (auto st = CheckedDelete(c, "DELETE FROM users WHERE pool_id = $1 AND sub = $2 RETURNING 1",
                                {pool_id, sub}, "user");
        !st) {
      return st;
    }
    auto r = Query(c, "DELETE FROM token_families WHERE pool_id = $1 AND sub = $2", {pool_id, sub});
    if (!r) return r.error();
    return {};
  });
}

StoreResult<Page<UserRow>> PostgresStore::ListUsers(const std::string& pool_id,
                                                    const UserQuery& query) {
  const int limit = ClampLimit(query.limit);
  const std::string pool_sql = "SELECT 1 FROM pools WHERE id = $1";
  if (query.op == UserQuery::Op::kAll) {
    auto after = CursorKey(query.cursor);
    if (!after) return after.error();
    return impl_->Read([&](PgConn& c) -> StoreResult<Page<UserRow>> {
      std::string sql = std::string("SELECT ") + kUserCols + " FROM users u WHERE u.pool_id = $1";
      Params params = {pool_id};
      if (*after) {
        sql += " AND u.username_key > $2";
        params.push_back(**after);
      }
      sql += " ORDER BY u.username_key LIMIT $" + std::to_string(params.size() + 1);
      params.push_back(Str(limit + 1));
      auto r = Query(c, sql, params);
      if (!r) return r.error();
      auto page = MakePage<UserRow>(*r, limit, ReadUser, [](const UserRow& u, int) {
        return EncodeCursor({u.username_key});
      });
      return EmptyOrMissing(c, std::move(page), "pool", pool_sql, {pool_id});
    });
  }
  std::optional<std::vector<std::string>> after;
  if (!query.cursor.empty()) {
    after = DecodeCursor(query.cursor, 2);
    if (!after) return BadCursorError();
  }
  const bool equals = query.op == UserQuery::Op::kEquals;
  // text is UTF-8 here: a value that is not cannot be stored, so it matches nothing.
  const bool valid = internal::IsValidUtf8(query.value) && internal::IsValidUtf8(query.attribute) &&
                     (!after || internal::IsValidUtf8((*after)[0]));
  const auto upper = equals || !valid ? std::nullopt : internal::Utf8PrefixUpperBound(query.value);
  const auto start = internal::ResolveFilterStart(equals, query.value, after);
  return impl_->Read([&](PgConn& c) -> StoreResult<Page<UserRow>> {
    if (!valid || start == internal::FilterStart::kEmpty) {
      auto exists = Exists(c, pool_sql, {pool_id});
      if (!exists) return exists.error();
      if (!*exists) return NotFound("pool");
      return Page<UserRow>{};
    }
    // The user_attrs primary key (pool_id, name, value, sub) serves both filters: a seek for
    // equals, a range [prefix, upper) for prefix; a cursor moves the start of the range.
    std::string sql = std::string("SELECT ") + kUserCols +
                      ", a.value FROM user_attrs a JOIN users u "
                      "ON u.pool_id = a.pool_id AND u.sub = a.sub "
                      "WHERE a.pool_id = $1 AND a.name = $2";
    Params params = {pool_id, query.attribute};
    switch (start) {
      case internal::FilterStart::kFromValue:
        sql += equals ? " AND a.value = $3" : " AND a.value >= $3";
        params.push_back(query.value);
        break;
      case internal::FilterStart::kAfterSub:
        // u.sub repeats the bound so a merge join on sub also starts its users scan there.
        sql += " AND a.value = $3 AND a.sub > $4 AND u.sub > $4";
        params.push_back(query.value);
        params.push_back((*after)[1]);
        break;
      default:
        sql += " AND (a.value, a.sub) > ($3, $4)";
        params.push_back((*after)[0]);
        params.push_back((*after)[1]);
        break;
    }
    if (upper) {
      sql += " AND a.value < $" + std::to_string(params.size() + 1);
      params.push_back(*upper);
    }
    sql += " ORDER BY a.value, a.sub LIMIT $" + std::to_string(params.size() + 1);
    params.push_back(Str(limit + 1));
    auto r = Query(c, sql, params);
    if (!r) return r.error();
    const Result& res = *r;
    auto page = MakePage<UserRow>(res, limit, ReadUser, [&](const UserRow& u, int i) {
      return EncodeCursor({Text(res, i, kUserColCount), u.sub});
    });
    return EmptyOrMissing(c, std::move(page), "pool", pool_sql, {pool_id});
  });
}

StoreResult<std::int64_t> PostgresStore::CountUsers(const std::string& pool_id) {
  return impl_->Read([&](PgConn& c) -> StoreResult<std::int64_t> {
    auto r = Query(c,
                   "SELECT (SELECT count(*) FROM users WHERE pool_id = $1), "
                   "EXISTS (SELECT 1 FROM pools WHERE id = $1)",
                   {pool_id});
    if (!r) return r.error();
    if (!Bool(*r, 0, 1)) return NotFound("pool");
    return Int(*r, 0, 0);
  });
}

// ---------------------------------------------------------------------------------------------
// Groups

StoreStatus PostgresStore::CreateGroup(const GroupRow& row) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    if (auto st = LockPool(c, row.pool_id); !st) return st;
    auto r = Query(c,
                   "INSERT INTO pool_groups (pool_id, name, doc, created_ms, modified_ms, version) "
                   "VALUES ($1, $2, $3, $4, $5, 1)",
                   {row.pool_id, row.name, row.doc, Str(row.created_ms), Str(row.modified_ms)});
    if (!r) return r.error().IsConflict() ? Conflict("name") : r.error();
    return {};
  });
}

StoreResult<GroupRow> PostgresStore::GetGroup(const std::string& pool_id, const std::string& name) {
  return impl_->Read([&](PgConn& c) -> StoreResult<GroupRow> {
    auto r = Query(c,
                   std::string("SELECT ") + kGroupCols +
                       " FROM pool_groups g WHERE g.pool_id = $1 AND g.name = $2",
                   {pool_id, name});
    if (!r) return r.error();
    if (Rows(*r) == 0) return NotFound("group");
    return ReadGroup(*r, 0);
  });
}

StoreStatus PostgresStore::UpdateGroup(const GroupRow& row, std::int64_t expected_version) {
  return impl_->Tx([&](PgConn& c) {
    return CheckedUpdate(
        c,
        "UPDATE pool_groups SET doc = $1, modified_ms = $2, version = version + 1 "
        "WHERE pool_id = $3 AND name = $4 AND version = $5 RETURNING 1",
        {row.doc, Str(row.modified_ms), row.pool_id, row.name, Str(expected_version)}, "group",
        "SELECT 1 FROM pool_groups WHERE pool_id = $1 AND name = $2", {row.pool_id, row.name});
  });
}

StoreStatus PostgresStore::DeleteGroup(const std::string& pool_id, const std::string& name) {
  return impl_->Tx([&](PgConn& c) {
    return CheckedDelete(c, "DELETE FROM pool_groups WHERE pool_id = $1 AND name = $2 RETURNING 1",
                         {pool_id, name}, "group");
  });
}

StoreResult<Page<GroupRow>> PostgresStore::ListGroups(const std::string& pool_id,
                                                      const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  auto after = CursorKey(cursor);
  if (!after) return after.error();
  return impl_->Read([&](PgConn& c) -> StoreResult<Page<GroupRow>> {
    std::string sql =
        std::string("SELECT ") + kGroupCols + " FROM pool_groups g WHERE g.pool_id = $1";
    Params params = {pool_id};
    if (*after) {
      sql += " AND g.name > $2";
      params.push_back(**after);
    }
    sql += " ORDER BY g.name LIMIT $" + std::to_string(params.size() + 1);
    params.push_back(Str(limit + 1));
    auto r = Query(c, sql, params);
    if (!r) return r.error();
    auto page = MakePage<GroupRow>(
        *r, limit,
        [](const Result& res, int i) -> StoreResult<GroupRow> { return ReadGroup(res, i); },
        [](const GroupRow& g, int) { return EncodeCursor({g.name}); });
    return EmptyOrMissing(c, std::move(page), "pool", "SELECT 1 FROM pools WHERE id = $1",
                          {pool_id});
  });
}

namespace {

StoreStatus CheckGroupAndUser(PgConn& c, const std::string& pool_id, const std::string& group,
                              const std::string& sub) {
  auto r = Query(c,
                 "SELECT EXISTS (SELECT 1 FROM pool_groups WHERE pool_id = $1 AND name = $2), "
                 "EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND sub = $3)",
                 {pool_id, group, sub});
  if (!r) return r.error();
  if (!Bool(*r, 0, 0)) return NotFound("group");
  if (!Bool(*r, 0, 1)) return NotFound("user");
  return {};
}

}  // namespace

StoreStatus PostgresStore::AddUserToGroup(const std::string& pool_id, const std::string& group,
                                          const std::string& sub) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    if (auto st = CheckGroupAndUser(c, pool_id, group, sub); !st) return st;
    auto r = Query(c,
                   "INSERT INTO group_members (pool_id, group_name, sub) VALUES ($1, $2, $3) "
                   "ON CONFLICT DO NOTHING",
                   {pool_id, group, sub});
    if (!r) {
      // A concurrent delete of the group or the user (foreign key violation).
      if (r.error().IsNotFound()) {
        return NotFound(r.error().detail().find("group_name") != std::string::npos ? "group"
                                                                                   : "user");
      }
      return r.error();
    }
    return {};
  });
}

StoreStatus PostgresStore::RemoveUserFromGroup(const std::string& pool_id, const std::string& group,
                                               const std::string& sub) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    if (auto st = CheckGroupAndUser(c, pool_id, group, sub); !st) return st;
    auto r =
        Query(c, "DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND sub = $3",
              {pool_id, group, sub});
    if (!r) return r.error();
    return {};
  });
}

StoreResult<Page<UserRow>> PostgresStore::ListUsersInGroup(const std::string& pool_id,
                                                           const std::string& group,
                                                           const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  auto after = CursorKey(cursor);
  if (!after) return after.error();
  return impl_->Read([&](PgConn& c) -> StoreResult<Page<UserRow>> {
    std::string sql = std::string("SELECT ") + kUserCols +
                      " FROM group_members m JOIN users u ON u.pool_id = m.pool_id AND "
                      "u.sub = m.sub WHERE m.pool_id = $1 AND m.group_name = $2";
    Params params = {pool_id, group};
    if (*after) {
      sql += " AND m.sub > $3 AND u.sub > $3";
      params.push_back(**after);
    }
    sql += " ORDER BY m.sub LIMIT $" + std::to_string(params.size() + 1);
    params.push_back(Str(limit + 1));
    auto r = Query(c, sql, params);
    if (!r) return r.error();
    auto page = MakePage<UserRow>(*r, limit, ReadUser,
                                  [](const UserRow& u, int) { return EncodeCursor({u.sub}); });
    return EmptyOrMissing(c, std::move(page), "group",
                          "SELECT 1 FROM pool_groups WHERE pool_id = $1 AND name = $2",
                          {pool_id, group});
  });
}

StoreResult<Page<GroupRow>> PostgresStore::ListGroupsForUser(const std::string& pool_id,
                                                             const std::string& sub,
                                                             const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  auto after = CursorKey(cursor);
  if (!after) return after.error();
  return impl_->Read([&](PgConn& c) -> StoreResult<Page<GroupRow>> {
    std::string sql = std::string("SELECT ") + kGroupCols +
                      " FROM group_members m JOIN pool_groups g ON g.pool_id = m.pool_id AND "
                      "g.name = m.group_name WHERE m.pool_id = $1 AND m.sub = $2";
    Params params = {pool_id, sub};
    if (*after) {
      sql += " AND m.group_name > $3";
      params.push_back(**after);
    }
    sql += " ORDER BY m.group_name LIMIT $" + std::to_string(params.size() + 1);
    params.push_back(Str(limit + 1));
    auto r = Query(c, sql, params);
    if (!r) return r.error();
    auto page = MakePage<GroupRow>(
        *r, limit,
        [](const Result& res, int i) -> StoreResult<GroupRow> { return ReadGroup(res, i); },
        [](const GroupRow& g, int) { return EncodeCursor({g.name}); });
    return EmptyOrMissing(c, std::move(page), "user",
                          "SELECT 1 FROM users WHERE pool_id = $1 AND sub = $2", {pool_id, sub});
  });
}

// ---------------------------------------------------------------------------------------------
// Credentials and settings

StoreStatus PostgresStore::PutCredential(const CredentialRow& row) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    auto r = Query(
        c,
        "INSERT INTO credentials (access_key_id, encrypted_secret, description, "
        "created_ms) VALUES ($1, decode($2, 'hex'), $3, $4)",
        {row.access_key_id, ToHex(row.encrypted_secret), row.description, Str(row.created_ms)});
    if (!r) return r.error().IsConflict() ? Conflict("access_key_id") : r.error();
    return {};
  });
}

StoreResult<CredentialRow> PostgresStore::GetCredential(const std::string& access_key_id) {
  return impl_->Read([&](PgConn& c) -> StoreResult<CredentialRow> {
    auto r = Query(
        c, std::string("SELECT ") + kCredentialCols + " FROM credentials WHERE access_key_id = $1",
        {access_key_id});
    if (!r) return r.error();
    if (Rows(*r) == 0) return NotFound("credential");
    return ReadCredential(*r, 0);
  });
}

StoreResult<std::vector<CredentialRow>> PostgresStore::ListCredentials() {
  return impl_->Read([&](PgConn& c) -> StoreResult<std::vector<CredentialRow>> {
    auto r = Query(
        c, std::string("SELECT ") + kCredentialCols + " FROM credentials ORDER BY access_key_id",
        {});
    if (!r) return r.error();
    std::vector<CredentialRow> out;
    for (int i = 0; i < Rows(*r); ++i) out.push_back(ReadCredential(*r, i));
    return out;
  });
}

StoreResult<std::string> PostgresStore::PutSettingIfAbsent(const std::string& name,
                                                           const std::string& value) {
  // Autocommit statements: after ON CONFLICT DO NOTHING waited for a concurrent first writer,
  // the SELECT takes a fresh snapshot that sees its row.
  return impl_->Read([&](PgConn& c) -> StoreResult<std::string> {
    auto ins = Query(c, "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                     {name, value});
    if (!ins) return ins.error();
    auto r = Query(c, "SELECT value FROM settings WHERE name = $1", {name});
    if (!r) return r.error();
    if (Rows(*r) == 0) return StoreError(StoreErrorCode::kInternal, "setting vanished");
    return Text(*r, 0, 0);
  });
}

StoreResult<std::string> PostgresStore::GetSetting(const std::string& name) {
  return impl_->Read([&](PgConn& c) -> StoreResult<std::string> {
    auto r = Query(c, "SELECT value FROM settings WHERE name = $1", {name});
    if (!r) return r.error();
    if (Rows(*r) == 0) return NotFound("setting");
    return Text(*r, 0, 0);
  });
}

// ---------------------------------------------------------------------------------------------
// Signing keys

namespace {

// sealed_private_key is bytea (SecretBox output); it crosses the text protocol as hex.
constexpr const char* kSigningKeyCols =
    "pool_id, kid, encode(sealed_private_key, 'hex'), created_ms, retired_ms";
using internal::kEphemeralColumns;
using internal::kTokenFamilyColumns;

// Row `i` of a result, as the shared row readers of store_util.h read it.
struct ResultRow {
  const Result& r;
  int i;
  std::string Text(int col) const { return cognate::store::Text(r, i, col); }
  std::int64_t Int(int col) const { return cognate::store::Int(r, i, col); }
  std::string Bytes(int col) const { return FromHex(Text(col)); }
};

// Runs an UPDATE or DELETE and returns how many rows it changed.
StoreResult<std::int64_t> CountChanges(PgConn& c, const std::string& sql, const Params& params) {
  auto r = Query(c, sql, params);
  if (!r) return r.error();
  const char* n = PQcmdTuples(r->get());
  std::int64_t out = 0;
  std::from_chars(n, n + std::strlen(n), out);
  return out;
}

// Runs an UPDATE ... RETURNING 1 that matches nothing once already applied (idempotent);
// kNotFound `what` only when the row is missing.
StoreStatus IdempotentUpdate(PgConn& c, const std::string& sql, const Params& params,
                             const std::string& what, const std::string& exists_sql,
                             const Params& key) {
  return CheckedUpdate(c, sql, params, what, exists_sql, key, StoreStatus());
}

}  // namespace

StoreStatus PostgresStore::AddSigningKey(const SigningKeyRow& row) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    if (auto st = LockPool(c, row.pool_id); !st) return st;
    auto r = Query(c,
                   "INSERT INTO signing_keys (pool_id, kid, sealed_private_key, created_ms, "
                   "retired_ms) VALUES ($1, $2, decode($3, 'hex'), $4, $5)",
                   {row.pool_id, row.kid, ToHex(row.sealed_private_key), Str(row.created_ms),
                    Str(row.retired_ms)});
    if (!r) return r.error().IsConflict() ? Conflict("kid") : r.error();
    return {};
  });
}

StoreResult<std::vector<SigningKeyRow>> PostgresStore::ListSigningKeys(const std::string& pool_id) {
  return impl_->Read([&](PgConn& c) -> StoreResult<std::vector<SigningKeyRow>> {
    auto r = Query(c,
                   std::string("SELECT ") + kSigningKeyCols +
                       " FROM signing_keys WHERE pool_id = $1 ORDER BY created_ms DESC, kid",
                   {pool_id});
    if (!r) return r.error();
    std::vector<SigningKeyRow> out;
    for (int i = 0; i < Rows(*r); ++i) out.push_back(internal::ReadSigningKeyRow(ResultRow{*r, i}));
    return out;
  });
}

StoreStatus PostgresStore::RetireSigningKey(const std::string& pool_id, const std::string& kid,
                                            std::int64_t retired_ms) {
  return impl_->Tx([&](PgConn& c) {
    return IdempotentUpdate(c,
                            "UPDATE signing_keys SET retired_ms = $1 "
                            "WHERE kid = $2 AND pool_id = $3 AND retired_ms = 0 RETURNING 1",
                            {Str(retired_ms), kid, pool_id}, "signing key",
                            "SELECT 1 FROM signing_keys WHERE kid = $1 AND pool_id = $2",
                            {kid, pool_id});
  });
}

StoreStatus PostgresStore::DeleteSigningKey(const std::string& pool_id, const std::string& kid) {
  return impl_->Tx([&](PgConn& c) {
    return CheckedDelete(c, "DELETE FROM signing_keys WHERE kid = $1 AND pool_id = $2 RETURNING 1",
                         {kid, pool_id}, "signing key");
  });
}

// ---------------------------------------------------------------------------------------------
// Token families

StoreStatus PostgresStore::CreateTokenFamily(const TokenFamilyRow& row) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    if (auto st = LockPool(c, row.pool_id); !st) return st;
    auto r = Query(c,
                   "INSERT INTO token_families (family_id, pool_id, client_id, sub, refresh_hash, "
                   "previous_refresh_hash, previous_valid_until_ms, doc, created_ms, expires_ms, "
                   "revoked_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)",
                   {row.family_id, row.pool_id, row.client_id, row.sub, row.refresh_hash,
                    row.previous_refresh_hash, Str(row.previous_valid_until_ms), row.doc,
                    Str(row.created_ms), Str(row.expires_ms), Str(row.revoked_ms)});
    if (!r) return r.error().IsConflict() ? Conflict("family_id") : r.error();
    return {};
  });
}

StoreResult<TokenFamilyRow> PostgresStore::GetTokenFamily(const std::string& family_id) {
  return impl_->Read([&](PgConn& c) -> StoreResult<TokenFamilyRow> {
    auto r = Query(
        c,
        std::string("SELECT ") + kTokenFamilyColumns + " FROM token_families WHERE family_id = $1",
        {family_id});
    if (!r) return r.error();
    if (Rows(*r) == 0) return NotFound("token family");
    return internal::ReadTokenFamilyRow(ResultRow{*r, 0});
  });
}

StoreStatus PostgresStore::UpdateTokenFamily(const TokenFamilyRow& row,
                                             std::int64_t expected_version) {
  return impl_->Tx([&](PgConn& c) {
    return CheckedUpdate(
        c,
        "UPDATE token_families SET refresh_hash = $1, previous_refresh_hash = $2, "
        "previous_valid_until_ms = $3, doc = $4, expires_ms = $5, revoked_ms = $6, "
        "version = version + 1 WHERE family_id = $7 AND version = $8 RETURNING 1",
        {row.refresh_hash, row.previous_refresh_hash, Str(row.previous_valid_until_ms), row.doc,
         Str(row.expires_ms), Str(row.revoked_ms), row.family_id, Str(expected_version)},
        "token family", "SELECT 1 FROM token_families WHERE family_id = $1", {row.family_id});
  });
}

StoreStatus PostgresStore::RevokeTokenFamily(const std::string& family_id,
                                             std::int64_t revoked_ms) {
  return impl_->Tx([&](PgConn& c) {
    return IdempotentUpdate(c,
                            "UPDATE token_families SET revoked_ms = $1, version = version + 1 "
                            "WHERE family_id = $2 AND revoked_ms = 0 RETURNING 1",
                            {Str(revoked_ms), family_id}, "token family",
                            "SELECT 1 FROM token_families WHERE family_id = $1", {family_id});
  });
}

StoreResult<std::int64_t> PostgresStore::RevokeUserTokenFamilies(const std::string& pool_id,
                                                                 const std::string& sub,
                                                                 std::int64_t revoked_ms) {
  return impl_->Tx([&](PgConn& c) {
    return CountChanges(c,
                        "UPDATE token_families SET revoked_ms = $1, version = version + 1 "
                        "WHERE pool_id = $2 AND sub = $3 AND revoked_ms = 0",
                        {Str(revoked_ms), pool_id, sub});
  });
}

StoreResult<std::int64_t> PostgresStore::PurgeTokenFamilies(std::int64_t now_ms) {
  return impl_->Tx([&](PgConn& c) {
    return CountChanges(c, "DELETE FROM token_families WHERE expires_ms <= $1", {Str(now_ms)});
  });
}

// ---------------------------------------------------------------------------------------------
// Ephemeral rows

StoreStatus PostgresStore::PutEphemeral(const EphemeralRow& row, std::int64_t now_ms) {
  return impl_->Tx([&](PgConn& c) -> StoreStatus {
    // Replaces the row only when it has expired; a live one is left alone (no row returned).
    auto r = Query(c,
                   "INSERT INTO ephemeral (kind, key, pool_id, doc, expires_ms, version) "
                   "VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (kind, key) DO UPDATE SET "
                   "pool_id = excluded.pool_id, doc = excluded.doc, "
                   "expires_ms = excluded.expires_ms, version = 1 "
                   "WHERE ephemeral.expires_ms <= $6 RETURNING 1",
                   {row.kind, row.key, row.pool_id, row.doc, Str(row.expires_ms), Str(now_ms)});
    if (!r) return r.error();
    if (Rows(*r) == 0) return Conflict("ephemeral");
    return {};
  });
}

StoreResult<EphemeralRow> PostgresStore::GetEphemeral(const std::string& kind,
                                                      const std::string& key, std::int64_t now_ms) {
  return impl_->Read([&](PgConn& c) -> StoreResult<EphemeralRow> {
    auto r = Query(c,
                   std::string("SELECT ") + kEphemeralColumns +
                       " FROM ephemeral WHERE kind = $1 AND key = $2 AND expires_ms > $3",
                   {kind, key, Str(now_ms)});
    if (!r) return r.error();
    if (Rows(*r) == 0) return NotFound("ephemeral");
    return internal::ReadEphemeralRow(ResultRow{*r, 0});
  });
}

StoreStatus PostgresStore::UpdateEphemeral(const EphemeralRow& row, std::int64_t expected_version,
                                           std::int64_t now_ms) {
  return impl_->Tx([&](PgConn& c) {
    return CheckedUpdate(
        c,
        "UPDATE ephemeral SET doc = $1, expires_ms = $2, version = version + 1 "
        "WHERE kind = $3 AND key = $4 AND version = $5 AND expires_ms > $6 RETURNING 1",
        {row.doc, Str(row.expires_ms), row.kind, row.key, Str(expected_version), Str(now_ms)},
        "ephemeral", "SELECT 1 FROM ephemeral WHERE kind = $1 AND key = $2 AND expires_ms > $3",
        {row.kind, row.key, Str(now_ms)});
  });
}

StoreResult<EphemeralRow> PostgresStore::TakeEphemeral(const std::string& kind,
                                                       const std::string& key,
                                                       std::int64_t now_ms) {
  // One DELETE ... RETURNING: concurrent takers queue on the row lock and, once the first
  // commits, find nothing to delete.
  return impl_->Tx([&](PgConn& c) -> StoreResult<EphemeralRow> {
    auto r = Query(c,
                   std::string("DELETE FROM ephemeral WHERE kind = $1 AND key = $2 AND "
                               "expires_ms > $3 RETURNING ") +
                       kEphemeralColumns,
                   {kind, key, Str(now_ms)});
    if (!r) return r.error();
    if (Rows(*r) == 0) return NotFound("ephemeral");
    return internal::ReadEphemeralRow(ResultRow{*r, 0});
  });
}

StoreResult<std::int64_t> PostgresStore::PurgeEphemeral(std::int64_t now_ms) {
  return impl_->Tx([&](PgConn& c) {
    return CountChanges(c, "DELETE FROM ephemeral WHERE expires_ms <= $1", {Str(now_ms)});
  });
}

}  // namespace cognate::store
