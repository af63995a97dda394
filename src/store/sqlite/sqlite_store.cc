#include "store/sqlite/sqlite_store.h"

#include <sched.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/durability.h"
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

}  // namespace

// Outside the anonymous namespace: SqliteStore::Impl (external linkage) holds these.
namespace sqlite_detail {
// One connection and its cache of prepared statements (keyed by SQL text).
struct Conn {
  sqlite3* db = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> stmts;
  // On the writer, inside a write transaction: whether its commit must reach the disk before
  // Write returns. Write sets it from its Sync argument; the transaction's body may raise it.
  bool durable_commit = false;

  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    for (auto& [sql, stmt] : stmts) sqlite3_finalize(stmt);
    if (db != nullptr) sqlite3_close_v2(db);
  }
};
}  // namespace sqlite_detail

namespace {

using sqlite_detail::Conn;

StoreError SqlError(sqlite3* db, int rc) {
  std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xFF) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Conflict(std::move(msg));
      }
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return NotFound(std::move(msg));
      return {StoreErrorCode::kInternal, std::move(msg)};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
      return {StoreErrorCode::kUnavailable, std::move(msg)};
    default:
      return {StoreErrorCode::kInternal, std::move(msg)};
  }
}

// A cached prepared statement in use; resets itself when it goes out of scope. Parameters are
// bound in order with Bind(); Step() returns SQLITE_ROW, SQLITE_DONE or an error code.
class Stmt {
 public:
  Stmt(Conn& conn, const std::string& sql) : conn_(conn) {
    auto it = conn.stmts.find(sql);
    if (it != conn.stmts.end()) {
      stmt_ = it->second;
      return;
    }
    prepare_rc_ = sqlite3_prepare_v3(conn.db, sql.c_str(), static_cast<int>(sql.size()) + 1,
                                     SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (prepare_rc_ == SQLITE_OK) conn.stmts.emplace(sql, stmt_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() {
    if (stmt_ != nullptr && prepare_rc_ == SQLITE_OK) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  Stmt& Bind(const std::string& v) {
    if (prepare_rc_ == SQLITE_OK) {
      sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
    return *this;
  }
  Stmt& BindBlob(const std::string& v) {
    if (prepare_rc_ == SQLITE_OK) {
      sqlite3_bind_blob(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
    return *this;
  }
  Stmt& Bind(std::int64_t v) {
    if (prepare_rc_ == SQLITE_OK) sqlite3_bind_int64(stmt_, ++index_, v);
    return *this;
  }

  int Step() {
    if (prepare_rc_ != SQLITE_OK) return prepare_rc_;
    return sqlite3_step(stmt_);
  }
  // Steps a statement that returns no rows; SQLITE_DONE on success.
  int Run() {
    int rc = Step();
    while (rc == SQLITE_ROW) rc = sqlite3_step(stmt_);
    return rc;
  }
  StoreError Error(int rc) const { return SqlError(conn_.db, rc); }

  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, col));
  }
  std::string Bytes(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, col));
  }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  Conn& conn_;
  sqlite3_stmt* stmt_ = nullptr;
  int prepare_rc_ = SQLITE_OK;
  int index_ = 0;
};

// Runs `sql` (possibly several statements) without caching.
StoreStatus ExecScript(Conn& conn, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(conn.db, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    StoreError e = SqlError(conn.db, rc);
    if (err != nullptr) {
      e = StoreError(e.code(), err);
      sqlite3_free(err);
    }
    return e;
  }
  return {};
}

StoreStatus Exec(Conn& conn, const std::string& sql) {
  Stmt stmt(conn, sql);
  int rc = stmt.Run();
  if (rc != SQLITE_DONE) return stmt.Error(rc);
  return {};
}

// Column lists and row readers, in the order every SELECT below uses.
constexpr const char* kPoolCols = "id, name, doc, created_ms, modified_ms, version";
constexpr const char* kClientCols =
    "pool_id, client_id, name, doc, created_ms, modified_ms, version";
constexpr const char* kGroupCols =
    "g.pool_id, g.name, g.doc, g.created_ms, g.modified_ms, g.version";
constexpr const char* kUserCols =
    "u.pool_id, u.sub, u.username, u.username_key, u.status, u.enabled, u.unique_keys, "
    "u.indexed, u.doc, u.created_ms, u.modified_ms, u.version";
constexpr int kUserColCount = 12;

PoolRow ReadPool(const Stmt& s) {
  PoolRow r;
  r.id = s.Text(0);
  r.name = s.Text(1);
  r.doc = s.Text(2);
  r.created_ms = s.Int(3);
  r.modified_ms = s.Int(4);
  r.version = s.Int(5);
  return r;
}

ClientRow ReadClient(const Stmt& s) {
  ClientRow r;
  r.pool_id = s.Text(0);
  r.client_id = s.Text(1);
  r.name = s.Text(2);
  r.doc = s.Text(3);
  r.created_ms = s.Int(4);
  r.modified_ms = s.Int(5);
  r.version = s.Int(6);
  return r;
}

GroupRow ReadGroup(const Stmt& s) {
  GroupRow r;
  r.pool_id = s.Text(0);
  r.name = s.Text(1);
  r.doc = s.Text(2);
  r.created_ms = s.Int(3);
  r.modified_ms = s.Int(4);
  r.version = s.Int(5);
  return r;
}

StoreResult<UserRow> ReadUser(const Stmt& s) {
  UserRow r;
  r.pool_id = s.Text(0);
  r.sub = s.Text(1);
  r.username = s.Text(2);
  r.username_key = s.Text(3);
  r.status = s.Text(4);
  r.enabled = s.Int(5) != 0;
  auto keys = internal::DecodeStringList(s.Text(6));
  auto attrs = internal::DecodeAttributes(s.Text(7));
  if (!keys || !attrs) return StoreError(StoreErrorCode::kInternal, "corrupt user row");
  r.unique_keys = std::move(*keys);
  r.indexed = std::move(*attrs);
  r.doc = s.Text(8);
  r.created_ms = s.Int(9);
  r.modified_ms = s.Int(10);
  r.version = s.Int(11);
  return r;
}

// Decodes a one-part cursor; an empty cursor yields nullopt inside a success.
StoreResult<std::optional<std::string>> CursorKey(const std::string& cursor) {
  if (cursor.empty()) return std::optional<std::string>();
  auto parts = DecodeCursor(cursor, 1);
  if (!parts) return BadCursorError();
  return std::optional<std::string>(std::move((*parts)[0]));
}

// Whether `sql` (bound with `key`...) returns a row.
template <class... Args>
StoreResult<bool> Exists(Conn& c, const std::string& sql, const Args&... args) {
  Stmt s(c, sql);
  (s.Bind(args), ...);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return s.Error(rc);
}

// Runs a keyset-paginated SELECT whose last bound parameter is the row limit; `read` turns the
// current row into T and `key` gives the cursor parts of a T.
template <class T, class Read, class Key>
StoreResult<Page<T>> RunPage(Stmt& s, int limit, Read read, Key key) {
  s.Bind(static_cast<std::int64_t>(limit) + 1);
  Page<T> page;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = key(page.items.back());
      break;
    }
    StoreResult<T> row = read(s);
    if (!row) return row.error();
    page.items.push_back(std::move(*row));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return s.Error(rc);
  return page;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

// How a write transaction commits. Both kinds commit at synchronous=NORMAL (the WAL is written,
// not synced, under the writer lock); a kDurable commit is then synced by SyncWal outside the
// lock (at synchronous_full), and Write returns once it is on disk. A kTransient one never
// waits: a later durable commit's sync covers it.
enum class Sync : std::uint8_t { kDurable, kTransient };

// Ephemeral rows that expire within this long of the write are transient.
constexpr std::int64_t kTransientMs = 24LL * 3600 * 1000;
bool IsTransient(std::int64_t expires_ms, std::int64_t now_ms) {
  return expires_ms - now_ms <= kTransientMs;
}

struct SqliteStore::Impl final : DurabilitySource {
  ~Impl() override { StopSyncer(); }

  std::string path;
  SqliteOptions opts;
  std::optional<StoreError> open_error;
  std::mutex write_mu;
  std::unique_ptr<Conn> writer;
  // Durable commits so far (incremented under write_mu once COMMIT has written the WAL) and how
  // many of them a finished fdatasync of the WAL covers.
  std::atomic<std::uint64_t> durable_commits{0};
  std::atomic<std::uint64_t> synced_commits{0};
  std::mutex sync_mu;    // one fdatasync at a time; guards wal_fd
  std::string wal_path;  // empty for an in-memory database
  int wal_fd = -1;       // wal_path, opened at the first sync
  ino_t wal_ino = 0;     // which file wal_fd is
  dev_t wal_dev = 0;
  std::atomic<std::uint64_t> wal_syncs{0};
  // Answers deferred to the disk (WhenDurable), and the thread that syncs for them.
  struct Waiter {
    std::uint64_t commit;
    std::function<void(bool)> done;
  };
  std::mutex waiters_mu;
  std::condition_variable waiters_cv;
  std::deque<Waiter> waiters;    // guarded by waiters_mu
  bool syncer_stopping = false;  // guarded by waiters_mu
  std::thread syncer;            // started by the first WhenDurable that must wait
  std::mutex read_mu;
  std::condition_variable read_cv;
  std::vector<std::unique_ptr<Conn>> readers;  // all reader connections
  std::vector<Conn*> idle;                     // those not in use

  // The calling thread's pinned snapshot (PinReads): the reader connection it holds and whether
  // a read transaction is open on it. One per thread; `owner` says which store it belongs to.
  struct Pin {
    Impl* owner = nullptr;
    int depth = 0;
    Conn* conn = nullptr;  // taken at the first read inside the pin
    bool open = false;
    std::chrono::steady_clock::time_point began;
    // Rows this snapshot has already returned (MemoRead), by key: one snapshot answers the same
    // point read with the same row, so a request that asks twice is answered from here. Emptied
    // whenever the snapshot ends.
    std::vector<std::pair<std::string, PoolRow>> pools;
    std::vector<std::pair<std::string, ClientRow>> clients;
    std::vector<std::pair<std::string, UserRow>> users;  // key: pool id, '\n', sub
  };
  // Rows kept per kind and snapshot: a request reads a handful; one that reads many (a listing)
  // gains nothing from the memo and should not search a long one.
  static constexpr std::size_t kMemoRows = 8;
  std::atomic<std::uint64_t> memo_hits{0};
  static Pin& ThreadPin() {
    static thread_local Pin pin;
    return pin;
  }

  StoreResult<std::unique_ptr<Conn>> Open(bool write) {
    auto conn = std::make_unique<Conn>();
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (write ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &conn->db, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = conn->db ? sqlite3_errmsg(conn->db) : sqlite3_errstr(rc);
      return StoreError(StoreErrorCode::kUnavailable, "open " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(conn->db, 1);
    sqlite3_busy_timeout(conn->db, opts.busy_timeout_ms);
    // NORMAL even at synchronous_full: durable commits are synced by SyncWal (see Sync).
    std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
    if (write) pragmas += "PRAGMA journal_mode=WAL;";
    if (auto st = ExecScript(*conn, pragmas); !st) return st.error();
    return conn;
  }

  StoreStatus Available() const {
    if (open_error) return *open_error;
    return {};
  }

  // Runs `fn(conn)` inside BEGIN IMMEDIATE ... COMMIT on the writer connection; rolls back when
  // `fn` fails. A durable commit (kDurable, or `fn` set conn.durable_commit) is on disk when this
  // returns; the writer lock is not held while it waits for the disk, so other writes go on.
  template <class F>
  auto Write(F&& fn, Sync sync = Sync::kDurable) -> decltype(fn(std::declval<Conn&>())) {
    using R = decltype(fn(std::declval<Conn&>()));
    if (open_error) return R(*open_error);
    std::uint64_t commit = 0;  // this write's place among the durable commits, if it is one
    R result = [&]() -> R {
      std::lock_guard lock(write_mu);
      EndPinnedSnapshot();  // this thread reads its own write
      if (auto st = Exec(*writer, "BEGIN IMMEDIATE"); !st) return R(st.error());
      writer->durable_commit = sync == Sync::kDurable;
      R r = fn(*writer);
      if (!r) {
        (void)Exec(*writer, "ROLLBACK");
        return r;
      }
      if (auto st = Exec(*writer, "COMMIT"); !st) {
        (void)Exec(*writer, "ROLLBACK");
        return R(st.error());
      }
      if (writer->durable_commit) commit = durable_commits.fetch_add(1) + 1;
      return r;
    }();
    if (commit != 0 && opts.synchronous_full && !wal_path.empty() &&
        !DeferDurability(*this, commit)) {
      if (auto st = SyncWal(commit); !st) return R(st.error());
    }
    return result;
  }

  // Makes durable commit number `commit` (and every commit before it) reach the disk: one
  // fdatasync of the WAL file, shared by the writes that wait at the same time (a sync that began
  // after a commit covers it). SQLite at synchronous=FULL makes the same fdatasync inside COMMIT;
  // at NORMAL it syncs the WAL before each checkpoint and the database after it, so frames that
  // a checkpoint has moved out of the WAL are on disk already.
  StoreStatus SyncWal(std::uint64_t commit) {
    std::lock_guard lock(sync_mu);
    if (synced_commits.load() >= commit) return {};
    const std::uint64_t upto = durable_commits.load();  // all of these have written the WAL
    // SQLite keeps the WAL file while any connection is open (ours always are), but should it
    // ever be replaced (a journal-mode change by another process), sync the new one.
    struct stat now_at_path {};
    if (::stat(wal_path.c_str(), &now_at_path) == 0 && wal_fd >= 0 &&
        (now_at_path.st_ino != wal_ino || now_at_path.st_dev != wal_dev)) {
      ::close(wal_fd);
      wal_fd = -1;
    }
    if (wal_fd < 0) {
      wal_fd = ::open(wal_path.c_str(), O_RDONLY | O_CLOEXEC);
      struct stat opened {};
      if (wal_fd < 0 || ::fstat(wal_fd, &opened) != 0) {
        const int err = errno;
        if (wal_fd >= 0) ::close(wal_fd);
        wal_fd = -1;
        errno = err;
        return StoreError(StoreErrorCode::kUnavailable,
                          std::string("open WAL for sync: ") + std::strerror(errno));
      }
      wal_ino = opened.st_ino;
      wal_dev = opened.st_dev;
    }
    if (::fdatasync(wal_fd) != 0) {
      return StoreError(StoreErrorCode::kUnavailable,
                        std::string("sync WAL: ") + std::strerror(errno));
    }
    wal_syncs.fetch_add(1, std::memory_order_relaxed);
    synced_commits.store(upto);
    return {};
  }

  // DurabilitySource: answers at once when a sync has covered `commit`; otherwise the syncer
  // thread answers after its next sync, which covers every commit made before it began.
  void WhenDurable(std::uint64_t commit, std::function<void(bool)> done) override {
    if (synced_commits.load() >= commit) {
      done(true);
      return;
    }
    {
      std::lock_guard lock(waiters_mu);
      if (!syncer_stopping) {
        if (!syncer.joinable()) syncer = std::thread([this] { SyncerLoop(); });
        waiters.push_back({commit, std::move(done)});
        waiters_cv.notify_one();
        return;
      }
    }
    done(static_cast<bool>(SyncWal(commit)));  // the store is closing: sync here
  }

  void SyncerLoop() {
    // SCHED_BATCH: the syncer wakes several times per sync (the wait for work, then each disk
    // completion inside fdatasync); under the default policy every wake-up preempted the thread
    // computing sign-ins. Its answers wait for the disk anyway. Refused: keeps the default.
    const sched_param none{};
    (void)sched_setscheduler(0, SCHED_BATCH, &none);
    for (;;) {
      std::deque<Waiter> batch;
      {
        std::unique_lock lock(waiters_mu);
        waiters_cv.wait(lock, [&] { return syncer_stopping || !waiters.empty(); });
        if (waiters.empty()) return;
        batch.swap(waiters);  // every one of these has its commit counted in durable_commits
      }
      const bool ok = static_cast<bool>(SyncWal(durable_commits.load()));
      for (auto& w : batch) w.done(ok);
    }
  }

  // Answers every waiter (after a last sync) and ends the syncer thread.
  void StopSyncer() {
    {
      std::lock_guard lock(waiters_mu);
      syncer_stopping = true;
    }
    waiters_cv.notify_one();
    if (syncer.joinable()) syncer.join();
  }

  // Runs `fn(conn)` in a read transaction (one snapshot) on an idle reader connection.
  template <class F>
  auto Read(F&& fn) -> decltype(fn(std::declval<Conn&>())) {
    using R = decltype(fn(std::declval<Conn&>()));
    if (open_error) return R(*open_error);
    if (readers.empty()) {
      std::lock_guard lock(write_mu);
      return fn(*writer);
    }
    if (Pin& pin = ThreadPin(); pin.owner == this) return PinnedRead(pin, fn);
    Conn* conn = TakeReader();
    R result = [&]() -> R {
      if (auto st = Exec(*conn, "BEGIN"); !st) return R(st.error());
      R r = fn(*conn);
      (void)Exec(*conn, "COMMIT");
      return r;
    }();
    ReturnReader(conn);
    return result;
  }

  // Runs `fn` in the thread's pinned snapshot, opening one when there is none or it is too old.
  template <class F>
  auto PinnedRead(Pin& pin, F&& fn) -> decltype(fn(std::declval<Conn&>())) {
    using R = decltype(fn(std::declval<Conn&>()));
    if (pin.conn == nullptr) pin.conn = TakeReader();
    const auto now = std::chrono::steady_clock::now();
    EndPinnedSnapshotIfOld(pin, now);
    if (!pin.open) {
      if (auto st = Exec(*pin.conn, "BEGIN"); !st) return R(st.error());
      pin.open = true;
      pin.began = now;
    }
    R r = fn(*pin.conn);
    // A failed statement may have ended the transaction; start afresh at the next read.
    if (!r && !r.error().IsNotFound()) EndPinnedSnapshot();
    return r;
  }

  // A point read answered from the pinned snapshot's memo when this snapshot has returned the
  // row for `key` before, else read (and remembered). The same as Read(fn) in every outcome.
  template <class Row, class F>
  StoreResult<Row> MemoRead(std::vector<std::pair<std::string, Row>> Pin::*memo,
                            const std::string& key, F&& fn) {
    Pin& pin = ThreadPin();
    if (pin.owner != this || readers.empty() || open_error) return Read(fn);
    EndPinnedSnapshotIfOld(pin, std::chrono::steady_clock::now());  // the memo goes with it
    auto& rows = pin.*memo;
    if (pin.open) {
      for (const auto& [k, row] : rows) {
        if (k == key) {
          memo_hits.fetch_add(1, std::memory_order_relaxed);
          return row;
        }
      }
    }
    StoreResult<Row> r = Read(fn);
    if (r && pin.open && rows.size() < kMemoRows) rows.emplace_back(key, *r);
    return r;
  }

  // A snapshot older than pinned_snapshot_max_age_ms serves no more reads.
  void EndPinnedSnapshotIfOld(const Pin& pin, std::chrono::steady_clock::time_point now) {
    if (pin.open && now - pin.began > std::chrono::milliseconds(opts.pinned_snapshot_max_age_ms)) {
      EndPinnedSnapshot();
    }
  }

  // Ends the calling thread's pinned read transaction, if it has one on this store (the
  // connection stays pinned), and forgets the rows it returned.
  void EndPinnedSnapshot() {
    Pin& pin = ThreadPin();
    if (pin.owner != this || !pin.open) return;
    (void)Exec(*pin.conn, "COMMIT");
    pin.open = false;
    pin.pools.clear();
    pin.clients.clear();
    pin.users.clear();
  }

  Conn* TakeReader() {
    std::unique_lock lock(read_mu);
    read_cv.wait(lock, [&] { return !idle.empty(); });
    Conn* conn = idle.back();
    idle.pop_back();
    return conn;
  }
  void ReturnReader(Conn* conn) {
    {
      std::lock_guard lock(read_mu);
      idle.push_back(conn);
    }
    read_cv.notify_one();
  }
};

// SqliteStore::PinReads: pins the calling thread's reads to one snapshot until destroyed.
class SqliteReadPin final : public ReadPin {
 public:
  explicit SqliteReadPin(SqliteStore::Impl& impl) : impl_(impl) {
    auto& pin = SqliteStore::Impl::ThreadPin();
    if (pin.depth++ == 0) pin.owner = &impl_;
  }
  SqliteReadPin(const SqliteReadPin&) = delete;
  SqliteReadPin& operator=(const SqliteReadPin&) = delete;
  ~SqliteReadPin() override {
    auto& pin = SqliteStore::Impl::ThreadPin();
    if (--pin.depth > 0) return;
    impl_.EndPinnedSnapshot();
    if (pin.conn != nullptr) impl_.ReturnReader(pin.conn);
    pin = {};
  }

 private:
  SqliteStore::Impl& impl_;
};

SqliteStore::SqliteStore(std::string path, SqliteOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
  impl_->opts = opts;
  auto writer = impl_->Open(true);
  if (!writer) {
    impl_->open_error = writer.error();
    return;
  }
  impl_->writer = std::move(*writer);
  if (impl_->path == ":memory:" || impl_->path.empty()) return;
  if (const char* db = sqlite3_db_filename(impl_->writer->db, "main"); db != nullptr && *db) {
    impl_->wal_path = sqlite3_filename_wal(db);
  }
  for (int i = 0; i < opts.reader_connections; ++i) {
    auto reader = impl_->Open(false);
    if (!reader) {
      impl_->open_error = reader.error();
      return;
    }
    impl_->idle.push_back(reader->get());
    impl_->readers.push_back(std::move(*reader));
  }
}

SqliteStore::~SqliteStore() {
  impl_->StopSyncer();
  if (impl_->wal_fd >= 0) ::close(impl_->wal_fd);
}

std::unique_ptr<ReadPin> SqliteStore::PinReads() {
  if (impl_->open_error || impl_->readers.empty()) return nullptr;
  // A thread already pinned to another store keeps that pin; this store reads as usual.
  const auto* owner = Impl::ThreadPin().owner;
  if (owner != nullptr && owner != impl_.get()) return nullptr;
  return std::make_unique<SqliteReadPin>(*impl_);
}

StoreStatus SqliteStore::Migrate() {
  return impl_->Write([](Conn& c) -> StoreStatus {
    if (auto st = ExecScript(c,
                             "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                             " applied_ms INTEGER NOT NULL)");
        !st) {
      return st;
    }
    for (const auto& m : migrations::SqliteMigrations()) {
      auto done = Exists(c, "SELECT 1 FROM schema_migrations WHERE version = ?",
                         static_cast<std::int64_t>(m.version));
      if (!done) return done.error();
      if (*done) continue;
      if (auto st = ExecScript(c, std::string(m.sql)); !st) {
        return StoreError(st.error().code(), std::string(m.name) + ": " + st.error().detail());
      }
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      Stmt s(c, "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)");
      s.Bind(static_cast<std::int64_t>(m.version)).Bind(std::string(m.name)).Bind(now);
      if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
    }
    return {};
  });
}

// ---------------------------------------------------------------------------------------------
// Pools

StoreStatus SqliteStore::CreatePool(const PoolRow& row) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    auto exists = Exists(c, "SELECT 1 FROM pools WHERE id = ?", row.id);
    if (!exists) return exists.error();
    if (*exists) return Conflict("id");
    Stmt s(c,
           "INSERT INTO pools (id, name, doc, created_ms, modified_ms, version) "
           "VALUES (?, ?, ?, ?, ?, 1)");
    s.Bind(row.id).Bind(row.name).Bind(row.doc).Bind(row.created_ms).Bind(row.modified_ms);
    if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
    return {};
  });
}

StoreResult<PoolRow> SqliteStore::GetPool(const std::string& id) {
  return impl_->MemoRead(&Impl::Pin::pools, id, [&](Conn& c) -> StoreResult<PoolRow> {
    Stmt s(c, std::string("SELECT ") + kPoolCols + " FROM pools WHERE id = ?");
    s.Bind(id);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return ReadPool(s);
    if (rc == SQLITE_DONE) return NotFound("pool");
    return s.Error(rc);
  });
}

namespace {

// Runs a bound UPDATE; when it changed nothing, returns `if_exists` when `exists_sql` finds the
// row and kNotFound `what` when it does not.
template <class... Args>
StoreStatus RunUpdate(Conn& c, Stmt& update, const StoreStatus& if_exists, const std::string& what,
                      const std::string& exists_sql, const Args&... key) {
  if (int rc = update.Run(); rc != SQLITE_DONE) return update.Error(rc);
  if (sqlite3_changes(c.db) > 0) return {};
  auto exists = Exists(c, exists_sql, key...);
  if (!exists) return exists.error();
  return *exists ? if_exists : NotFound(what);
}

// Applies an optimistic UPDATE (already bound, version check in its WHERE) and tells a missing
// row (kNotFound `what`) from a moved version (kConflict "version") when nothing changed.
template <class... Args>
StoreStatus CheckedUpdate(Conn& c, Stmt& update, const std::string& what,
                          const std::string& exists_sql, const Args&... key) {
  return RunUpdate(c, update, Conflict("version"), what, exists_sql, key...);
}

// Applies an UPDATE that changes nothing once already applied (idempotent): kNotFound `what`
// only when the row is missing.
template <class... Args>
StoreStatus IdempotentUpdate(Conn& c, Stmt& update, const std::string& what,
                             const std::string& exists_sql, const Args&... key) {
  return RunUpdate(c, update, StoreStatus(), what, exists_sql, key...);
}

}  // namespace

StoreStatus SqliteStore::UpdatePool(const PoolRow& row, std::int64_t expected_version) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c,
           "UPDATE pools SET name = ?, doc = ?, modified_ms = ?, version = version + 1 "
           "WHERE id = ? AND version = ?");
    s.Bind(row.name).Bind(row.doc).Bind(row.modified_ms).Bind(row.id).Bind(expected_version);
    return CheckedUpdate(c, s, "pool", "SELECT 1 FROM pools WHERE id = ?", row.id);
  });
}

namespace {

// Runs a bound DELETE; kNotFound `what` when it removed nothing.
StoreStatus CheckedDelete(Conn& c, Stmt& del, const std::string& what) {
  if (int rc = del.Run(); rc != SQLITE_DONE) return del.Error(rc);
  if (sqlite3_changes(c.db) == 0) return NotFound(what);
  return {};
}

}  // namespace

StoreStatus SqliteStore::DeletePool(const std::string& id) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c, "DELETE FROM pools WHERE id = ?");
    s.Bind(id);
    if (auto st = CheckedDelete(c, s, "pool"); !st) return st;
    // Ephemeral rows have no foreign key (they need not belong to a pool).
    Stmt ephemeral(c, "DELETE FROM ephemeral WHERE pool_id = ?");
    ephemeral.Bind(id);
    if (int rc = ephemeral.Run(); rc != SQLITE_DONE) return ephemeral.Error(rc);
    return {};
  });
}

StoreResult<Page<PoolRow>> SqliteStore::ListPools(const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  auto after = CursorKey(cursor);
  if (!after) return after.error();
  return impl_->Read([&](Conn& c) -> StoreResult<Page<PoolRow>> {
    std::string sql = std::string("SELECT ") + kPoolCols + " FROM pools";
    if (*after) sql += " WHERE id > ?";
    sql += " ORDER BY id LIMIT ?";
    Stmt s(c, sql);
    if (*after) s.Bind(**after);
    return RunPage<PoolRow>(
        s, limit, [](const Stmt& st) -> StoreResult<PoolRow> { return ReadPool(st); },
        [](const PoolRow& r) { return EncodeCursor({r.id}); });
  });
}

// ---------------------------------------------------------------------------------------------
// Clients

StoreStatus SqliteStore::CreateClient(const ClientRow& row) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    auto pool = Exists(c, "SELECT 1 FROM pools WHERE id = ?", row.pool_id);
    if (!pool) return pool.error();
    if (!*pool) return NotFound("pool");
    auto exists = Exists(c, "SELECT 1 FROM clients WHERE client_id = ?", row.client_id);
    if (!exists) return exists.error();
    if (*exists) return Conflict("client_id");
    Stmt s(c,
           "INSERT INTO clients (pool_id, client_id, name, doc, created_ms, modified_ms, version) "
           "VALUES (?, ?, ?, ?, ?, ?, 1)");
    s.Bind(row.pool_id).Bind(row.client_id).Bind(row.name).Bind(row.doc).Bind(row.created_ms);
    s.Bind(row.modified_ms);
    if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
    return {};
  });
}

StoreResult<ClientRow> SqliteStore::GetClient(const std::string& client_id) {
  return impl_->MemoRead(&Impl::Pin::clients, client_id, [&](Conn& c) -> StoreResult<ClientRow> {
    Stmt s(c, std::string("SELECT ") + kClientCols + " FROM clients WHERE client_id = ?");
    s.Bind(client_id);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return ReadClient(s);
    if (rc == SQLITE_DONE) return NotFound("client");
    return s.Error(rc);
  });
}

StoreStatus SqliteStore::UpdateClient(const ClientRow& row, std::int64_t expected_version) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c,
           "UPDATE clients SET name = ?, doc = ?, modified_ms = ?, version = version + 1 "
           "WHERE client_id = ? AND pool_id = ? AND version = ?");
    s.Bind(row.name).Bind(row.doc).Bind(row.modified_ms).Bind(row.client_id).Bind(row.pool_id);
    s.Bind(expected_version);
    return CheckedUpdate(c, s, "client",
                         "SELECT 1 FROM clients WHERE client_id = ? AND pool_id = ?", row.client_id,
                         row.pool_id);
  });
}

StoreStatus SqliteStore::DeleteClient(const std::string& pool_id, const std::string& client_id) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c, "DELETE FROM clients WHERE client_id = ? AND pool_id = ?");
    s.Bind(client_id).Bind(pool_id);
    return CheckedDelete(c, s, "client");
  });
}

StoreResult<Page<ClientRow>> SqliteStore::ListClients(const std::string& pool_id,
                                                      const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  auto after = CursorKey(cursor);
  if (!after) return after.error();
  return impl_->Read([&](Conn& c) -> StoreResult<Page<ClientRow>> {
    auto pool = Exists(c, "SELECT 1 FROM pools WHERE id = ?", pool_id);
    if (!pool) return pool.error();
    if (!*pool) return NotFound("pool");
    std::string sql = std::string("SELECT ") + kClientCols + " FROM clients WHERE pool_id = ?";
    if (*after) sql += " AND client_id > ?";
    sql += " ORDER BY client_id LIMIT ?";
    Stmt s(c, sql);
    s.Bind(pool_id);
    if (*after) s.Bind(**after);
    return RunPage<ClientRow>(
        s, limit, [](const Stmt& st) -> StoreResult<ClientRow> { return ReadClient(st); },
        [](const ClientRow& r) { return EncodeCursor({r.client_id}); });
  });
}

// ---------------------------------------------------------------------------------------------
// Users

namespace {

// Inserts the user's unique keys and indexed attributes; a taken key is kConflict naming it.
StoreStatus InsertUserIndexes(Conn& c, const UserRow& user) {
  for (const auto& key : user.unique_keys) {
    Stmt s(c, "INSERT INTO user_keys (pool_id, key, sub) VALUES (?, ?, ?)");
    s.Bind(user.pool_id).Bind(key).Bind(user.sub);
    if (int rc = s.Run(); rc != SQLITE_DONE) {
      StoreError e = s.Error(rc);
      return e.IsConflict() ? Conflict(key) : e;
    }
  }
  for (const auto& a : user.indexed) {
    Stmt s(c, "INSERT INTO user_attrs (pool_id, name, value, sub) VALUES (?, ?, ?, ?)");
    s.Bind(user.pool_id).Bind(a.name).Bind(a.value).Bind(user.sub);
    if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
  }
  return {};
}

// CreateUser's body, inside a write transaction. `user` is in normal form.
StoreStatus InsertUser(Conn& c, const UserRow& user) {
  auto pool = Exists(c, "SELECT 1 FROM pools WHERE id = ?", user.pool_id);
  if (!pool) return pool.error();
  if (!*pool) return NotFound("pool");
  auto name = Exists(c, "SELECT 1 FROM users WHERE pool_id = ? AND username_key = ?", user.pool_id,
                     user.username_key);
  if (!name) return name.error();
  if (*name) return Conflict("username");
  auto sub = Exists(c, "SELECT 1 FROM users WHERE pool_id = ? AND sub = ?", user.pool_id, user.sub);
  if (!sub) return sub.error();
  if (*sub) return Conflict("sub");
  Stmt s(c,
         "INSERT INTO users (pool_id, sub, username, username_key, status, enabled, unique_keys, "
         "indexed, doc, created_ms, modified_ms, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
         "?, 1)");
  s.Bind(user.pool_id).Bind(user.sub).Bind(user.username).Bind(user.username_key);
  s.Bind(user.status).Bind(static_cast<std::int64_t>(user.enabled ? 1 : 0));
  s.Bind(internal::EncodeStringList(user.unique_keys));
  s.Bind(internal::EncodeAttributes(user.indexed));
  s.Bind(user.doc).Bind(user.created_ms).Bind(user.modified_ms);
  if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
  return InsertUserIndexes(c, user);
}

StoreResult<UserRow> SelectOneUser(Conn& c, const std::string& where, const std::string& a,
                                   const std::string& b) {
  Stmt s(c, std::string("SELECT ") + kUserCols + " FROM users u WHERE " + where);
  s.Bind(a).Bind(b);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return ReadUser(s);
  if (rc == SQLITE_DONE) return NotFound("user");
  return s.Error(rc);
}

}  // namespace

StoreStatus SqliteStore::CreateUser(const UserRow& row) {
  UserRow user = row;
  internal::NormalizeUser(user);
  return impl_->Write([&](Conn& c) { return InsertUser(c, user); });
}

StoreStatus SqliteStore::CreateUsersBulkForTest(const std::vector<UserRow>& rows) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    for (const auto& row : rows) {
      UserRow user = row;
      internal::NormalizeUser(user);
      if (auto st = InsertUser(c, user); !st) return st;
    }
    return {};
  });
}

StoreResult<UserRow> SqliteStore::GetUserByUsernameKey(const std::string& pool_id,
                                                       const std::string& username_key) {
  return impl_->Read([&](Conn& c) {
    return SelectOneUser(c, "u.pool_id = ? AND u.username_key = ?", pool_id, username_key);
  });
}

StoreResult<UserRow> SqliteStore::GetUserBySub(const std::string& pool_id, const std::string& sub) {
  return impl_->MemoRead(&Impl::Pin::users, pool_id + '\n' + sub, [&](Conn& c) {
    return SelectOneUser(c, "u.pool_id = ? AND u.sub = ?", pool_id, sub);
  });
}

std::uint64_t SqliteStore::MemoHitsForTest() const { return impl_->memo_hits.load(); }
std::uint64_t SqliteStore::WalSyncsForTest() const { return impl_->wal_syncs.load(); }

StoreResult<UserRow> SqliteStore::GetUserByUniqueKey(const std::string& pool_id,
                                                     const std::string& key) {
  return impl_->Read([&](Conn& c) {
    return SelectOneUser(c,
                         "u.pool_id = ?1 AND u.sub = (SELECT k.sub FROM user_keys k "
                         "WHERE k.pool_id = ?1 AND k.key = ?2)",
                         pool_id, key);
  });
}

StoreStatus SqliteStore::UpdateUser(const UserRow& row, std::int64_t expected_version) {
  UserRow next = row;
  internal::NormalizeUser(next);
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c,
           "UPDATE users SET username = ?, status = ?, enabled = ?, unique_keys = ?, indexed = ?, "
           "doc = ?, modified_ms = ?, version = version + 1 "
           "WHERE pool_id = ? AND sub = ? AND version = ?");
    s.Bind(next.username).Bind(next.status).Bind(static_cast<std::int64_t>(next.enabled ? 1 : 0));
    s.Bind(internal::EncodeStringList(next.unique_keys));
    s.Bind(internal::EncodeAttributes(next.indexed));
    s.Bind(next.doc).Bind(next.modified_ms).Bind(next.pool_id).Bind(next.sub);
    s.Bind(expected_version);
    if (auto st = CheckedUpdate(c, s, "user", "SELECT 1 FROM users WHERE pool_id = ? AND sub = ?",
                                next.pool_id, next.sub);
        !st) {
      return st;
    }
    for (const auto& key : next.unique_keys) {
      Stmt k(c, "SELECT sub FROM user_keys WHERE pool_id = ? AND key = ?");
      k.Bind(next.pool_id).Bind(key);
      int rc = k.Step();
      if (rc == SQLITE_ROW && k.Text(0) != next.sub) return Conflict(key);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return k.Error(rc);
    }
    for (const char* sql : {"DELETE FROM user_keys WHERE pool_id = ? AND sub = ?",
                            "DELETE FROM user_attrs WHERE pool_id = ? AND sub = ?"}) {
      Stmt d(c, sql);
      d.Bind(next.pool_id).Bind(next.sub);
      if (int rc = d.Run(); rc != SQLITE_DONE) return d.Error(rc);
    }
    return InsertUserIndexes(c, next);
  });
}

StoreStatus SqliteStore::DeleteUser(const std::string& pool_id, const std::string& sub) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c, "DELETE FROM users WHERE pool_id = ? AND sub = ?");
    s.Bind(pool_id).Bind(sub);
    if (auto st = CheckedDelete(c, s, "user"); !st) return st;
    Stmt families(c, "DELETE FROM token_families WHERE pool_id = ? AND sub = ?");
    families.Bind(pool_id).Bind(sub);
    if (int rc = families.Run(); rc != SQLITE_DONE) return families.Error(rc);
    return {};
  });
}

StoreResult<Page<UserRow>> SqliteStore::ListUsers(const std::string& pool_id,
                                                  const UserQuery& query) {
  const int limit = ClampLimit(query.limit);
  if (query.op == UserQuery::Op::kAll) {
    auto after = CursorKey(query.cursor);
    if (!after) return after.error();
    return impl_->Read([&](Conn& c) -> StoreResult<Page<UserRow>> {
      auto pool = Exists(c, "SELECT 1 FROM pools WHERE id = ?", pool_id);
      if (!pool) return pool.error();
      if (!*pool) return NotFound("pool");
      std::string sql = std::string("SELECT ") + kUserCols + " FROM users u WHERE u.pool_id = ?";
      if (*after) sql += " AND u.username_key > ?";
      sql += " ORDER BY u.username_key LIMIT ?";
      Stmt s(c, sql);
      s.Bind(pool_id);
      if (*after) s.Bind(**after);
      return RunPage<UserRow>(s, limit, ReadUser,
                              [](const UserRow& r) { return EncodeCursor({r.username_key}); });
    });
  }
  std::optional<std::vector<std::string>> after;
  if (!query.cursor.empty()) {
    after = DecodeCursor(query.cursor, 2);
    if (!after) return BadCursorError();
  }
  const bool equals = query.op == UserQuery::Op::kEquals;
  const auto upper = equals ? std::nullopt : internal::BytePrefixUpperBound(query.value);
  const auto start = internal::ResolveFilterStart(equals, query.value, after);
  return impl_->Read([&](Conn& c) -> StoreResult<Page<UserRow>> {
    auto pool = Exists(c, "SELECT 1 FROM pools WHERE id = ?", pool_id);
    if (!pool) return pool.error();
    if (!*pool) return NotFound("pool");
    if (start == internal::FilterStart::kEmpty) return Page<UserRow>{};
    // The (pool_id, name, value, sub) primary key of user_attrs serves both filters: a seek for
    // equals, a range [prefix, upper) for prefix; a cursor moves the start of the range.
    std::string sql = std::string("SELECT ") + kUserCols +
                      ", a.value FROM user_attrs a JOIN users u "
                      "ON u.pool_id = a.pool_id AND u.sub = a.sub "
                      "WHERE a.pool_id = ? AND a.name = ?";
    switch (start) {
      case internal::FilterStart::kFromValue:
        sql += equals ? " AND a.value = ?" : " AND a.value >= ?";
        break;
      case internal::FilterStart::kAfterSub:
        // u.sub repeats the bound so a join on sub also starts its users scan there.
        sql += " AND a.value = ? AND a.sub > ? AND u.sub > ?";
        break;
      default:
        sql += " AND (a.value, a.sub) > (?, ?)";
        break;
    }
    if (upper) sql += " AND a.value < ?";
    sql += " ORDER BY a.value, a.sub LIMIT ?";
    Stmt s(c, sql);
    s.Bind(pool_id).Bind(query.attribute);
    switch (start) {
      case internal::FilterStart::kFromValue:
        s.Bind(query.value);
        break;
      case internal::FilterStart::kAfterSub:
        s.Bind(query.value).Bind((*after)[1]).Bind((*after)[1]);
        break;
      default:
        s.Bind((*after)[0]).Bind((*after)[1]);
        break;
    }
    if (upper) s.Bind(*upper);
    // Remember each row's matched value for the cursor.
    std::vector<std::string> values;
    auto read = [&](const Stmt& st) -> StoreResult<UserRow> {
      values.push_back(st.Text(kUserColCount));
      return ReadUser(st);
    };
    auto page = RunPage<UserRow>(s, limit, read, [&](const UserRow& r) {
      return EncodeCursor({values[static_cast<std::size_t>(limit) - 1], r.sub});
    });
    return page;
  });
}

StoreResult<std::int64_t> SqliteStore::CountUsers(const std::string& pool_id) {
  return impl_->Read([&](Conn& c) -> StoreResult<std::int64_t> {
    auto pool = Exists(c, "SELECT 1 FROM pools WHERE id = ?", pool_id);
    if (!pool) return pool.error();
    if (!*pool) return NotFound("pool");
    Stmt s(c, "SELECT count(*) FROM users WHERE pool_id = ?");
    s.Bind(pool_id);
    int rc = s.Step();
    if (rc != SQLITE_ROW) return s.Error(rc);
    return s.Int(0);
  });
}

// ---------------------------------------------------------------------------------------------
// Groups

StoreStatus SqliteStore::CreateGroup(const GroupRow& row) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    auto pool = Exists(c, "SELECT 1 FROM pools WHERE id = ?", row.pool_id);
    if (!pool) return pool.error();
    if (!*pool) return NotFound("pool");
    auto exists = Exists(c, "SELECT 1 FROM pool_groups WHERE pool_id = ? AND name = ?", row.pool_id,
                         row.name);
    if (!exists) return exists.error();
    if (*exists) return Conflict("name");
    Stmt s(c,
           "INSERT INTO pool_groups (pool_id, name, doc, created_ms, modified_ms, version) "
           "VALUES (?, ?, ?, ?, ?, 1)");
    s.Bind(row.pool_id).Bind(row.name).Bind(row.doc).Bind(row.created_ms).Bind(row.modified_ms);
    if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
    return {};
  });
}

StoreResult<GroupRow> SqliteStore::GetGroup(const std::string& pool_id, const std::string& name) {
  return impl_->Read([&](Conn& c) -> StoreResult<GroupRow> {
    Stmt s(c, std::string("SELECT ") + kGroupCols +
                  " FROM pool_groups g WHERE g.pool_id = ? AND g.name = ?");
    s.Bind(pool_id).Bind(name);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return ReadGroup(s);
    if (rc == SQLITE_DONE) return NotFound("group");
    return s.Error(rc);
  });
}

StoreStatus SqliteStore::UpdateGroup(const GroupRow& row, std::int64_t expected_version) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c,
           "UPDATE pool_groups SET doc = ?, modified_ms = ?, version = version + 1 "
           "WHERE pool_id = ? AND name = ? AND version = ?");
    s.Bind(row.doc).Bind(row.modified_ms).Bind(row.pool_id).Bind(row.name).Bind(expected_version);
    return CheckedUpdate(c, s, "group", "SELECT 1 FROM pool_groups WHERE pool_id = ? AND name = ?",
                         row.pool_id, row.name);
  });
}

StoreStatus SqliteStore::DeleteGroup(const std::string& pool_id, const std::string& name) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c, "DELETE FROM pool_groups WHERE pool_id = ? AND name = ?");
    s.Bind(pool_id).Bind(name);
    return CheckedDelete(c, s, "group");
  });
}

StoreResult<Page<GroupRow>> SqliteStore::ListGroups(const std::string& pool_id,
                                                    const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  auto after = CursorKey(cursor);
  if (!after) return after.error();
  return impl_->Read([&](Conn& c) -> StoreResult<Page<GroupRow>> {
    auto pool = Exists(c, "SELECT 1 FROM pools WHERE id = ?", pool_id);
    if (!pool) return pool.error();
    if (!*pool) return NotFound("pool");
    std::string sql =
        std::string("SELECT ") + kGroupCols + " FROM pool_groups g WHERE g.pool_id = ?";
    if (*after) sql += " AND g.name > ?";
    sql += " ORDER BY g.name LIMIT ?";
    Stmt s(c, sql);
    s.Bind(pool_id);
    if (*after) s.Bind(**after);
    return RunPage<GroupRow>(
        s, limit, [](const Stmt& st) -> StoreResult<GroupRow> { return ReadGroup(st); },
        [](const GroupRow& r) { return EncodeCursor({r.name}); });
  });
}

namespace {

// kNotFound "group" / "user" unless both exist.
StoreStatus CheckGroupAndUser(Conn& c, const std::string& pool_id, const std::string& group,
                              const std::string& sub) {
  auto g = Exists(c, "SELECT 1 FROM pool_groups WHERE pool_id = ? AND name = ?", pool_id, group);
  if (!g) return g.error();
  if (!*g) return NotFound("group");
  auto u = Exists(c, "SELECT 1 FROM users WHERE pool_id = ? AND sub = ?", pool_id, sub);
  if (!u) return u.error();
  if (!*u) return NotFound("user");
  return {};
}

}  // namespace

StoreStatus SqliteStore::AddUserToGroup(const std::string& pool_id, const std::string& group,
                                        const std::string& sub) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    if (auto st = CheckGroupAndUser(c, pool_id, group, sub); !st) return st;
    Stmt s(c, "INSERT OR IGNORE INTO group_members (pool_id, group_name, sub) VALUES (?, ?, ?)");
    s.Bind(pool_id).Bind(group).Bind(sub);
    if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
    return {};
  });
}

StoreStatus SqliteStore::RemoveUserFromGroup(const std::string& pool_id, const std::string& group,
                                             const std::string& sub) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    if (auto st = CheckGroupAndUser(c, pool_id, group, sub); !st) return st;
    Stmt s(c, "DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND sub = ?");
    s.Bind(pool_id).Bind(group).Bind(sub);
    if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
    return {};
  });
}

StoreResult<Page<UserRow>> SqliteStore::ListUsersInGroup(const std::string& pool_id,
                                                         const std::string& group,
                                                         const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  auto after = CursorKey(cursor);
  if (!after) return after.error();
  return impl_->Read([&](Conn& c) -> StoreResult<Page<UserRow>> {
    auto g = Exists(c, "SELECT 1 FROM pool_groups WHERE pool_id = ? AND name = ?", pool_id, group);
    if (!g) return g.error();
    if (!*g) return NotFound("group");
    std::string sql = std::string("SELECT ") + kUserCols +
                      " FROM group_members m JOIN users u ON u.pool_id = m.pool_id AND "
                      "u.sub = m.sub WHERE m.pool_id = ? AND m.group_name = ?";
    if (*after) sql += " AND m.sub > ?";
    sql += " ORDER BY m.sub LIMIT ?";
    Stmt s(c, sql);
    s.Bind(pool_id).Bind(group);
    if (*after) s.Bind(**after);
    return RunPage<UserRow>(s, limit, ReadUser,
                            [](const UserRow& r) { return EncodeCursor({r.sub}); });
  });
}

StoreResult<Page<GroupRow>> SqliteStore::ListGroupsForUser(const std::string& pool_id,
                                                           const std::string& sub,
                                                           const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  auto after = CursorKey(cursor);
  if (!after) return after.error();
  return impl_->Read([&](Conn& c) -> StoreResult<Page<GroupRow>> {
    auto u = Exists(c, "SELECT 1 FROM users WHERE pool_id = ? AND sub = ?", pool_id, sub);
    if (!u) return u.error();
    if (!*u) return NotFound("user");
    std::string sql = std::string("SELECT ") + kGroupCols +
                      " FROM group_members m JOIN pool_groups g ON g.pool_id = m.pool_id AND "
                      "g.name = m.group_name WHERE m.pool_id = ? AND m.sub = ?";
    if (*after) sql += " AND m.group_name > ?";
    sql += " ORDER BY m.group_name LIMIT ?";
    Stmt s(c, sql);
    s.Bind(pool_id).Bind(sub);
    if (*after) s.Bind(**after);
    return RunPage<GroupRow>(
        s, limit, [](const Stmt& st) -> StoreResult<GroupRow> { return ReadGroup(st); },
        [](const GroupRow& r) { return EncodeCursor({r.name}); });
  });
}

// ---------------------------------------------------------------------------------------------
// Credentials and settings

StoreStatus SqliteStore::PutCredential(const CredentialRow& row) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    auto exists = Exists(c, "SELECT 1 FROM credentials WHERE access_key_id = ?", row.access_key_id);
    if (!exists) return exists.error();
    if (*exists) return Conflict("access_key_id");
    Stmt s(c,
           "INSERT INTO credentials (access_key_id, encrypted_secret, description, created_ms) "
           "VALUES (?, ?, ?, ?)");
    s.Bind(row.access_key_id).Bind(row.encrypted_secret).Bind(row.description);
    s.Bind(row.created_ms);
    if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
    return {};
  });
}

namespace {
CredentialRow ReadCredential(const Stmt& s) {
  CredentialRow r;
  r.access_key_id = s.Text(0);
  r.encrypted_secret = s.Text(1);
  r.description = s.Text(2);
  r.created_ms = s.Int(3);
  return r;
}
constexpr const char* kCredentialCols = "access_key_id, encrypted_secret, description, created_ms";
}  // namespace

StoreResult<CredentialRow> SqliteStore::GetCredential(const std::string& access_key_id) {
  return impl_->Read([&](Conn& c) -> StoreResult<CredentialRow> {
    Stmt s(c,
           std::string("SELECT ") + kCredentialCols + " FROM credentials WHERE access_key_id = ?");
    s.Bind(access_key_id);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return ReadCredential(s);
    if (rc == SQLITE_DONE) return NotFound("credential");
    return s.Error(rc);
  });
}

StoreResult<std::vector<CredentialRow>> SqliteStore::ListCredentials() {
  return impl_->Read([&](Conn& c) -> StoreResult<std::vector<CredentialRow>> {
    Stmt s(c,
           std::string("SELECT ") + kCredentialCols + " FROM credentials ORDER BY access_key_id");
    std::vector<CredentialRow> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadCredential(s));
    if (rc != SQLITE_DONE) return s.Error(rc);
    return out;
  });
}

StoreResult<std::string> SqliteStore::PutSettingIfAbsent(const std::string& name,
                                                         const std::string& value) {
  return impl_->Write([&](Conn& c) -> StoreResult<std::string> {
    Stmt ins(c, "INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)");
    ins.Bind(name).Bind(value);
    if (int rc = ins.Run(); rc != SQLITE_DONE) return ins.Error(rc);
    Stmt s(c, "SELECT value FROM settings WHERE name = ?");
    s.Bind(name);
    int rc = s.Step();
    if (rc != SQLITE_ROW) return s.Error(rc);
    return s.Text(0);
  });
}

StoreResult<std::string> SqliteStore::GetSetting(const std::string& name) {
  return impl_->Read([&](Conn& c) -> StoreResult<std::string> {
    Stmt s(c, "SELECT value FROM settings WHERE name = ?");
    s.Bind(name);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return s.Text(0);
    if (rc == SQLITE_DONE) return NotFound("setting");
    return s.Error(rc);
  });
}

// ---------------------------------------------------------------------------------------------
// Signing keys

namespace {

// Runs a bound UPDATE or DELETE and returns how many rows it changed.
StoreResult<std::int64_t> CountChanges(Conn& c, Stmt& s) {
  if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
  return static_cast<std::int64_t>(sqlite3_changes(c.db));
}

// kNotFound "pool" unless the pool exists.
StoreStatus PoolExists(Conn& c, const std::string& pool_id) {
  auto pool = Exists(c, "SELECT 1 FROM pools WHERE id = ?", pool_id);
  if (!pool) return pool.error();
  if (!*pool) return NotFound("pool");
  return {};
}

constexpr const char* kSigningKeyCols = "pool_id, kid, sealed_private_key, created_ms, retired_ms";
using internal::kEphemeralColumns;
using internal::kTokenFamilyColumns;
using internal::ReadEphemeralRow;
using internal::ReadSigningKeyRow;
using internal::ReadTokenFamilyRow;

}  // namespace

StoreStatus SqliteStore::AddSigningKey(const SigningKeyRow& row) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    if (auto st = PoolExists(c, row.pool_id); !st) return st;
    auto exists = Exists(c, "SELECT 1 FROM signing_keys WHERE kid = ?", row.kid);
    if (!exists) return exists.error();
    if (*exists) return Conflict("kid");
    Stmt s(c,
           "INSERT INTO signing_keys (pool_id, kid, sealed_private_key, created_ms, retired_ms) "
           "VALUES (?, ?, ?, ?, ?)");
    s.Bind(row.pool_id).Bind(row.kid).BindBlob(row.sealed_private_key).Bind(row.created_ms);
    s.Bind(row.retired_ms);
    if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
    return {};
  });
}

StoreResult<std::vector<SigningKeyRow>> SqliteStore::ListSigningKeys(const std::string& pool_id) {
  return impl_->Read([&](Conn& c) -> StoreResult<std::vector<SigningKeyRow>> {
    Stmt s(c, std::string("SELECT ") + kSigningKeyCols +
                  " FROM signing_keys WHERE pool_id = ? ORDER BY created_ms DESC, kid");
    s.Bind(pool_id);
    std::vector<SigningKeyRow> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadSigningKeyRow(s));
    if (rc != SQLITE_DONE) return s.Error(rc);
    return out;
  });
}

StoreStatus SqliteStore::RetireSigningKey(const std::string& pool_id, const std::string& kid,
                                          std::int64_t retired_ms) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c,
           "UPDATE signing_keys SET retired_ms = ? "
           "WHERE kid = ? AND pool_id = ? AND retired_ms = 0");
    s.Bind(retired_ms).Bind(kid).Bind(pool_id);
    return IdempotentUpdate(c, s, "signing key",
                            "SELECT 1 FROM signing_keys WHERE kid = ? AND pool_id = ?", kid,
                            pool_id);
  });
}

StoreStatus SqliteStore::DeleteSigningKey(const std::string& pool_id, const std::string& kid) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c, "DELETE FROM signing_keys WHERE kid = ? AND pool_id = ?");
    s.Bind(kid).Bind(pool_id);
    return CheckedDelete(c, s, "signing key");
  });
}

// ---------------------------------------------------------------------------------------------
// Token families

StoreStatus SqliteStore::CreateTokenFamily(const TokenFamilyRow& row) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    if (auto st = PoolExists(c, row.pool_id); !st) return st;
    auto exists = Exists(c, "SELECT 1 FROM token_families WHERE family_id = ?", row.family_id);
    if (!exists) return exists.error();
    if (*exists) return Conflict("family_id");
    Stmt s(c,
           "INSERT INTO token_families (family_id, pool_id, client_id, sub, refresh_hash, "
           "previous_refresh_hash, previous_valid_until_ms, doc, created_ms, expires_ms, "
           "revoked_ms, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)");
    s.Bind(row.family_id).Bind(row.pool_id).Bind(row.client_id).Bind(row.sub);
    s.Bind(row.refresh_hash).Bind(row.previous_refresh_hash).Bind(row.previous_valid_until_ms);
    s.Bind(row.doc).Bind(row.created_ms).Bind(row.expires_ms).Bind(row.revoked_ms);
    if (int rc = s.Run(); rc != SQLITE_DONE) return s.Error(rc);
    return {};
  });
}

StoreResult<TokenFamilyRow> SqliteStore::GetTokenFamily(const std::string& family_id) {
  return impl_->Read([&](Conn& c) -> StoreResult<TokenFamilyRow> {
    Stmt s(c, std::string("SELECT ") + kTokenFamilyColumns +
                  " FROM token_families WHERE family_id = ?");
    s.Bind(family_id);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return ReadTokenFamilyRow(s);
    if (rc == SQLITE_DONE) return NotFound("token family");
    return s.Error(rc);
  });
}

StoreStatus SqliteStore::UpdateTokenFamily(const TokenFamilyRow& row,
                                           std::int64_t expected_version) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c,
           "UPDATE token_families SET refresh_hash = ?, previous_refresh_hash = ?, "
           "previous_valid_until_ms = ?, doc = ?, expires_ms = ?, revoked_ms = ?, "
           "version = version + 1 WHERE family_id = ? AND version = ?");
    s.Bind(row.refresh_hash).Bind(row.previous_refresh_hash).Bind(row.previous_valid_until_ms);
    s.Bind(row.doc).Bind(row.expires_ms).Bind(row.revoked_ms).Bind(row.family_id);
    s.Bind(expected_version);
    return CheckedUpdate(c, s, "token family", "SELECT 1 FROM token_families WHERE family_id = ?",
                         row.family_id);
  });
}

StoreStatus SqliteStore::RevokeTokenFamily(const std::string& family_id, std::int64_t revoked_ms) {
  return impl_->Write([&](Conn& c) -> StoreStatus {
    Stmt s(c,
           "UPDATE token_families SET revoked_ms = ?, version = version + 1 "
           "WHERE family_id = ? AND revoked_ms = 0");
    s.Bind(revoked_ms).Bind(family_id);
    return IdempotentUpdate(c, s, "token family",
                            "SELECT 1 FROM token_families WHERE family_id = ?", family_id);
  });
}

StoreResult<std::int64_t> SqliteStore::RevokeUserTokenFamilies(const std::string& pool_id,
                                                               const std::string& sub,
                                                               std::int64_t revoked_ms) {
  return impl_->Write([&](Conn& c) -> StoreResult<std::int64_t> {
    Stmt s(c,
           "UPDATE token_families SET revoked_ms = ?, version = version + 1 "
           "WHERE pool_id = ? AND sub = ? AND revoked_ms = 0");
    s.Bind(revoked_ms).Bind(pool_id).Bind(sub);
    return CountChanges(c, s);
  });
}

StoreResult<std::int64_t> SqliteStore::PurgeTokenFamilies(std::int64_t now_ms) {
  return impl_->Write([&](Conn& c) -> StoreResult<std::int64_t> {
    Stmt s(c, "DELETE FROM token_families WHERE expires_ms <= ?");
    s.Bind(now_ms);
    return CountChanges(c, s);
  });
}

// ---------------------------------------------------------------------------------------------
// Ephemeral rows

StoreStatus SqliteStore::PutEphemeral(const EphemeralRow& row, std::int64_t now_ms) {
  const Sync sync = IsTransient(row.expires_ms, now_ms) ? Sync::kTransient : Sync::kDurable;
  return impl_->Write(
      [&](Conn& c) -> StoreStatus {
        // Replaces the row only when it has expired; a live one is left alone (no change).
        Stmt s(c,
               "INSERT INTO ephemeral (kind, key, pool_id, doc, expires_ms, version) "
               "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (kind, key) DO UPDATE SET "
               "pool_id = excluded.pool_id, doc = excluded.doc, expires_ms = excluded.expires_ms, "
               "version = 1 WHERE ephemeral.expires_ms <= ?");
        s.Bind(row.kind).Bind(row.key).Bind(row.pool_id).Bind(row.doc).Bind(row.expires_ms);
        s.Bind(now_ms);
        auto changed = CountChanges(c, s);
        if (!changed) return changed.error();
        if (*changed == 0) return Conflict("ephemeral");
        return {};
      },
      sync);
}

StoreResult<EphemeralRow> SqliteStore::GetEphemeral(const std::string& kind, const std::string& key,
                                                    std::int64_t now_ms) {
  return impl_->Read([&](Conn& c) -> StoreResult<EphemeralRow> {
    Stmt s(c, std::string("SELECT ") + kEphemeralColumns +
                  " FROM ephemeral WHERE kind = ? AND key = ? AND expires_ms > ?");
    s.Bind(kind).Bind(key).Bind(now_ms);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return ReadEphemeralRow(s);
    if (rc == SQLITE_DONE) return NotFound("ephemeral");
    return s.Error(rc);
  });
}

StoreStatus SqliteStore::UpdateEphemeral(const EphemeralRow& row, std::int64_t expected_version,
                                         std::int64_t now_ms) {
  // A row made long-lived by this update is written durably; so is one that was long-lived
  // (the update cannot shorten what an earlier durable write promised without a durable write).
  const Sync sync = IsTransient(row.expires_ms, now_ms) ? Sync::kTransient : Sync::kDurable;
  return impl_->Write(
      [&](Conn& c) -> StoreStatus {
        if (!c.durable_commit) {
          Stmt q(c, "SELECT expires_ms FROM ephemeral WHERE kind = ? AND key = ?");
          q.Bind(row.kind).Bind(row.key);
          if (q.Step() == SQLITE_ROW && !IsTransient(q.Int(0), now_ms)) c.durable_commit = true;
        }  // q is reset here, before the update
        Stmt s(c,
               "UPDATE ephemeral SET doc = ?, expires_ms = ?, version = version + 1 "
               "WHERE kind = ? AND key = ? AND version = ? AND expires_ms > ?");
        s.Bind(row.doc).Bind(row.expires_ms).Bind(row.kind).Bind(row.key).Bind(expected_version);
        s.Bind(now_ms);
        return CheckedUpdate(
            c, s, "ephemeral",
            "SELECT 1 FROM ephemeral WHERE kind = ? AND key = ? AND expires_ms > ?", row.kind,
            row.key, now_ms);
      },
      sync);
}

StoreResult<EphemeralRow> SqliteStore::TakeEphemeral(const std::string& kind,
                                                     const std::string& key, std::int64_t now_ms) {
  // One write transaction: the writer lock (in-process) and BEGIN IMMEDIATE (across processes)
  // make the read and the delete one step, so only one taker sees the row. Taking a transient
  // row waits for no disk; taking a long-lived one does.
  return impl_->Write(
      [&](Conn& c) -> StoreResult<EphemeralRow> {
        EphemeralRow row;
        {
          Stmt s(c, std::string("SELECT ") + kEphemeralColumns +
                        " FROM ephemeral WHERE kind = ? AND key = ? AND expires_ms > ?");
          s.Bind(kind).Bind(key).Bind(now_ms);
          int rc = s.Step();
          if (rc == SQLITE_DONE) return NotFound("ephemeral");
          if (rc != SQLITE_ROW) return s.Error(rc);
          row = ReadEphemeralRow(s);
        }
        if (!IsTransient(row.expires_ms, now_ms)) c.durable_commit = true;
        Stmt del(c, "DELETE FROM ephemeral WHERE kind = ? AND key = ?");
        del.Bind(kind).Bind(key);
        if (int rc = del.Run(); rc != SQLITE_DONE) return del.Error(rc);
        return row;
      },
      Sync::kTransient);
}

StoreResult<std::int64_t> SqliteStore::PurgeEphemeral(std::int64_t now_ms) {
  return impl_->Write([&](Conn& c) -> StoreResult<std::int64_t> {
    Stmt s(c, "DELETE FROM ephemeral WHERE expires_ms <= ?");
    s.Bind(now_ms);
    return CountChanges(c, s);
  });
}

}  // namespace cognate::store
