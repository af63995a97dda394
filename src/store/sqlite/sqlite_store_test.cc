// SQLite-only behaviour the contract suite cannot express: durability of acknowledged writes
// across kill -9 (synced at once or deferred to the syncer), concurrent first starts, arbitrary
// bytes, and ":memory:".
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/durability.h"

namespace cognate::store {
namespace {

class TempDir {
 public:
  TempDir() {
    // mkdtemp replaces the trailing six 'X' characters with a unique suffix.
    std::string tmpl =
        (std::filesystem::temp_directory_path() / ("cognate-sqlite-" + std::string(6, 'X')))
            .string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

PoolRow Pool(const std::string& id) {
  PoolRow p;
  p.id = id;
  p.name = id;
  p.doc = "{}";
  return p;
}

// Creates the database `db`, then runs `write(store, i)` for i = 0, 1, ... in a child process
// until the parent has seen at least 50 acknowledgements, kills the child with SIGKILL, and
// returns the last i acknowledged (-1 if the database could not be created).
template <class Write>
int WriteUntilKilled(const std::string& db, Write write) {
  {
    SqliteStore s(db);
    if (!s.Migrate()) return -1;
  }
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    close(fds[0]);
    SqliteStore s(db);
    for (int i = 0;; ++i) {
      if (!write(s, i)) _exit(2);
      // Acknowledge: the parent counts only writes that returned success.
      if (::write(fds[1], &i, sizeof i) != sizeof i) _exit(3);
    }
  }
  close(fds[1]);
  int last = -1;
  for (int got = 0; got < 50;) {
    int i;
    if (read(fds[0], &i, sizeof i) != sizeof i) break;
    last = i;
    ++got;
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  // Drain acknowledgements written before the kill.
  int i;
  while (read(fds[0], &i, sizeof i) == sizeof i) last = i;
  close(fds[0]);
  return last;
}

TEST(SqliteStoreTest, AcknowledgedWritesSurviveKill9) {
  TempDir dir;
  const std::string db = dir.File("kill.db");
  const int last = WriteUntilKilled(
      db, [](SqliteStore& s, int i) { return bool(s.CreatePool(Pool("p" + std::to_string(i)))); });
  ASSERT_GE(last, 49);
  SqliteStore s(db);
  ASSERT_TRUE(s.Migrate());
  for (int k = 0; k <= last; ++k) {
    EXPECT_TRUE(s.GetPool("p" + std::to_string(k))) << "acknowledged pool p" << k << " lost";
  }
}

EphemeralRow Ephemeral(const std::string& kind, const std::string& key, std::int64_t expires_ms) {
  EphemeralRow e;
  e.kind = kind;
  e.key = key;
  e.doc = R"({"n":")" + key + "\"}";
  e.expires_ms = expires_ms;
  return e;
}

// Transient ephemeral rows (a sign-in session) commit without an fsync: they must still survive
// kill -9, alone and interleaved with durable writes and with takes of earlier rows.
TEST(SqliteStoreTest, TransientEphemeralWritesSurviveKill9) {
  TempDir dir;
  const std::string db = dir.File("ephemeral.db");
  constexpr std::int64_t kNow = 1'000'000;
  constexpr std::int64_t kFiveMinutes = 5 * 60 * 1000;
  const int last = WriteUntilKilled(db, [](SqliteStore& s, int i) {
    const std::string key = "s" + std::to_string(i);
    if (!s.PutEphemeral(Ephemeral("auth_session", key, kNow + kFiveMinutes), kNow)) return false;
    if (i % 2 == 1) {  // every other round: take the previous session, as a sign-in answer does
      if (!s.TakeEphemeral("auth_session", "s" + std::to_string(i - 1), kNow)) return false;
    }
    if (i % 5 == 0 && !s.CreatePool(Pool("p" + std::to_string(i)))) return false;
    return true;
  });
  ASSERT_GE(last, 49);
  SqliteStore s(db);
  ASSERT_TRUE(s.Migrate());
  for (int k = 0; k <= last; ++k) {
    const std::string key = "s" + std::to_string(k);
    const bool taken = k % 2 == 0 && k + 1 <= last;
    // The round after the last acknowledged one may have taken that row before the kill, without
    // living to acknowledge it: either outcome is right for that row.
    const bool maybe_taken = k % 2 == 0 && k == last;
    auto got = s.GetEphemeral("auth_session", key, kNow);
    if (taken) {
      EXPECT_FALSE(got) << "acknowledged take of " << key << " undone";
    } else if (got || !maybe_taken) {
      ASSERT_TRUE(got) << "acknowledged session " << key << " lost";
      EXPECT_EQ(got->doc, R"({"n":")" + key + "\"}");
    }
    if (k % 5 == 0) {
      EXPECT_TRUE(s.GetPool("p" + std::to_string(k))) << "pool p" << k << " lost";
    }
  }
}

// Long-lived ephemeral rows (a pool's domain record) are written durably; transient ones (a
// sign-in session) never wait for the disk. An update or take learns which it is from the row.
TEST(SqliteStoreTest, LongLivedEphemeralRowsAreSyncedAndTransientOnesAreNot) {
  TempDir dir;
  SqliteStore s(dir.File("long.db"));
  ASSERT_TRUE(s.Migrate());
  constexpr std::int64_t kNow = 1'000'000;
  constexpr std::int64_t kForever = 253402300799000;  // 9999-12-31
  std::uint64_t syncs = s.WalSyncsForTest();
  auto synced = [&] {
    const std::uint64_t now = s.WalSyncsForTest();
    const bool any = now > syncs;
    syncs = now;
    return any;
  };
  ASSERT_TRUE(s.PutEphemeral(Ephemeral("domain", "my-app", kForever), kNow));
  EXPECT_TRUE(synced());
  auto got = s.GetEphemeral("domain", "my-app", kNow);
  ASSERT_TRUE(got);
  EphemeralRow next = *got;
  next.doc = R"({"v":2})";
  next.expires_ms = kNow + 1000;  // shortened: the old row was long-lived, so still durable
  ASSERT_TRUE(s.UpdateEphemeral(next, got->version, kNow));
  EXPECT_TRUE(synced());
  got = s.GetEphemeral("domain", "my-app", kNow);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->doc, R"({"v":2})");
  EXPECT_EQ(got->version, 2);
  EXPECT_FALSE(s.UpdateEphemeral(next, 1, kNow));  // a stale version still conflicts
  next.doc = R"({"v":3})";
  ASSERT_TRUE(s.UpdateEphemeral(next, 2, kNow));  // transient before and after
  EXPECT_FALSE(synced());

  ASSERT_TRUE(s.PutEphemeral(Ephemeral("branding", "b1", kForever), kNow));
  EXPECT_TRUE(synced());
  auto taken = s.TakeEphemeral("branding", "b1", kNow);
  ASSERT_TRUE(taken);
  EXPECT_TRUE(synced());
  EXPECT_EQ(taken->key, "b1");
  EXPECT_FALSE(s.GetEphemeral("branding", "b1", kNow));
  EXPECT_FALSE(s.TakeEphemeral("branding", "b1", kNow));

  ASSERT_TRUE(s.PutEphemeral(Ephemeral("auth_session", "s1", kNow + 180'000), kNow));
  ASSERT_TRUE(s.TakeEphemeral("auth_session", "s1", kNow));
  EXPECT_FALSE(synced());
  ASSERT_TRUE(s.CreatePool(Pool("p1")));
  EXPECT_TRUE(synced());
}

// Inside a DeferredDurability scope a durable write returns before its sync and names the commit
// to wait for; WhenDurable answers once a sync has covered it. Outside one, the write syncs.
TEST(SqliteStoreTest, ADeferredWriteIsAnsweredAfterItsSync) {
  TempDir dir;
  SqliteStore s(dir.File("defer.db"));
  ASSERT_TRUE(s.Migrate());
  const std::uint64_t before = s.WalSyncsForTest();
  DurabilitySource* source = nullptr;
  std::uint64_t commit = 0;
  {
    DeferredDurability scope;
    ASSERT_TRUE(s.CreatePool(Pool("p1")));
    ASSERT_TRUE(s.CreatePool(Pool("p2")));
    source = scope.source();
    commit = scope.commit();
  }
  ASSERT_NE(source, nullptr);
  EXPECT_GT(commit, 0u);
  EXPECT_EQ(s.WalSyncsForTest(), before);  // nothing synced yet
  std::promise<bool> answered;
  source->WhenDurable(commit, [&](bool ok) { answered.set_value(ok); });
  auto f = answered.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(f.get());
  EXPECT_EQ(s.WalSyncsForTest(), before + 1);  // one sync covered both writes
  bool at_once = false;                        // already covered: answered on the calling thread
  source->WhenDurable(commit, [&](bool ok) { at_once = ok; });
  EXPECT_TRUE(at_once);

  {
    DeferredDurability scope;  // transient writes name nothing to wait for
    ASSERT_TRUE(s.PutEphemeral(Ephemeral("auth_session", "s", 2'000'000), 1'000'000));
    EXPECT_EQ(scope.source(), nullptr);
  }
  ASSERT_TRUE(s.CreatePool(Pool("p3")));  // no scope: synced before it returns
  EXPECT_EQ(s.WalSyncsForTest(), before + 2);
}

// A store closed while answers wait for the disk still answers each of them, after a sync.
TEST(SqliteStoreTest, ClosingTheStoreAnswersWaitingWrites) {
  TempDir dir;
  std::atomic<int> answered{0}, good{0};
  {
    SqliteStore s(dir.File("close.db"));
    ASSERT_TRUE(s.Migrate());
    for (int i = 0; i < 20; ++i) {
      DeferredDurability scope;
      ASSERT_TRUE(s.CreatePool(Pool("p" + std::to_string(i))));
      scope.source()->WhenDurable(scope.commit(), [&](bool ok) {
        answered.fetch_add(1);
        if (ok) good.fetch_add(1);
      });
    }
  }  // closed at once, with answers possibly still queued
  EXPECT_EQ(answered.load(), 20);
  EXPECT_EQ(good.load(), 20);
  SqliteStore again(dir.File("close.db"));
  ASSERT_TRUE(again.Migrate());
  EXPECT_TRUE(again.GetPool("p19"));
}

// The syncer answers from its own thread, which runs under SCHED_BATCH: its wake-ups (work, then
// each disk completion) must not preempt the threads computing requests.
TEST(SqliteStoreTest, TheSyncerRunsUnderBatchScheduling) {
  TempDir dir;
  SqliteStore s(dir.File("batch.db"));
  ASSERT_TRUE(s.Migrate());
  DeferredDurability scope;
  ASSERT_TRUE(s.CreatePool(Pool("p")));
  std::promise<std::pair<int, std::thread::id>> answered;
  scope.source()->WhenDurable(scope.commit(), [&](bool) {
    answered.set_value({sched_getscheduler(0), std::this_thread::get_id()});
  });
  const auto [policy, thread] = answered.get_future().get();
  EXPECT_NE(thread, std::this_thread::get_id());  // not synced yet: the syncer answered
  EXPECT_EQ(policy, SCHED_BATCH);
  EXPECT_NE(sched_getscheduler(0), SCHED_BATCH);  // and the caller's policy is untouched
}

// Writers on many threads, each answered after its sync: every answer is a success and the
// syncs are shared (fewer than the writes).
TEST(SqliteStoreTest, DeferredWritesShareSyncs) {
  TempDir dir;
  SqliteStore s(dir.File("group.db"));
  ASSERT_TRUE(s.Migrate());
  const std::uint64_t before = s.WalSyncsForTest();
  constexpr int kThreads = 8, kWrites = 40;
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        DeferredDurability scope;
        if (!s.CreatePool(Pool("p" + std::to_string(t) + "-" + std::to_string(i)))) {
          failed.fetch_add(1);
          continue;
        }
        std::promise<bool> answered;
        scope.source()->WhenDurable(scope.commit(), [&](bool good) { answered.set_value(good); });
        (answered.get_future().get() ? ok : failed).fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kWrites);
  EXPECT_EQ(failed.load(), 0);
  const std::uint64_t syncs = s.WalSyncsForTest() - before;
  EXPECT_GE(syncs, 1u);
  EXPECT_LT(syncs, static_cast<std::uint64_t>(kThreads * kWrites));
}

// A write acknowledged only after WhenDurable answered survives kill -9 (the acknowledgement
// comes from the syncer thread's answer, not from the write's return).
TEST(SqliteStoreTest, DeferredAcknowledgedWritesSurviveKill9) {
  TempDir dir;
  const std::string db = dir.File("deferkill.db");
  const int last = WriteUntilKilled(db, [](SqliteStore& s, int i) {
    DeferredDurability scope;
    if (!s.CreatePool(Pool("p" + std::to_string(i))) || scope.source() == nullptr) return false;
    std::promise<bool> answered;
    scope.source()->WhenDurable(scope.commit(), [&](bool ok) { answered.set_value(ok); });
    return answered.get_future().get();
  });
  ASSERT_GE(last, 49);
  SqliteStore s(db);
  ASSERT_TRUE(s.Migrate());
  for (int k = 0; k <= last; ++k) {
    EXPECT_TRUE(s.GetPool("p" + std::to_string(k))) << "acknowledged pool p" << k << " lost";
  }
}

TEST(SqliteStoreTest, ConcurrentFirstStartsMigrateOnce) {
  TempDir dir;
  const std::string db = dir.File("race.db");
  std::vector<std::unique_ptr<SqliteStore>> nodes;
  for (int i = 0; i < 4; ++i) nodes.push_back(std::make_unique<SqliteStore>(db));
  std::vector<std::thread> threads;
  std::vector<int> ok(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    threads.emplace_back([&, i] { ok[i] = nodes[i]->Migrate() ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  for (int v : ok) EXPECT_EQ(v, 1);
  ASSERT_TRUE(nodes[0]->CreatePool(Pool("p")));
  EXPECT_TRUE(nodes[3]->GetPool("p"));
}

TEST(SqliteStoreTest, ArbitraryBytesRoundTripAndSortByByte) {
  SqliteStore s(":memory:");
  ASSERT_TRUE(s.Migrate());
  ASSERT_TRUE(s.CreatePool(Pool("p")));
  const std::vector<std::string> values = {std::string("a\0b", 3), "\xff\xfe", "\x80", "a"};
  for (std::size_t i = 0; i < values.size(); ++i) {
    UserRow u;
    u.pool_id = "p";
    u.sub = "s" + std::to_string(i);
    u.username = u.username_key = values[i];
    u.indexed = {{"v", values[i]}};
    u.unique_keys = {"k:" + values[i]};
    u.doc = values[i];
    ASSERT_TRUE(s.CreateUser(u));
  }
  auto got = s.GetUserByUniqueKey("p", "k:" + values[0]);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->username_key, values[0]);
  EXPECT_EQ(got->doc, values[0]);
  UserQuery q;
  q.op = UserQuery::Op::kPrefix;
  q.attribute = "v";
  q.value = "\xff";
  auto page = s.ListUsers("p", q);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].sub, "s1");
  q.op = UserQuery::Op::kAll;
  page = s.ListUsers("p", q);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 4u);
  EXPECT_EQ(page->items[0].username_key, "a");
  EXPECT_EQ(page->items[1].username_key, values[0]);
  EXPECT_EQ(page->items[2].username_key, "\x80");
  EXPECT_EQ(page->items[3].username_key, "\xff\xfe");
}

// PinReads: a thread's reads share one snapshot until it writes, the snapshot ages out, or the
// pin ends; the reader connection it holds goes back to the pool.
class PinnedReadsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(60'000); }
  void Open(int max_age_ms) {
    SqliteOptions o;
    o.reader_connections = 2;  // one for the pinned thread, one for "another request"
    o.pinned_snapshot_max_age_ms = max_age_ms;
    store_ = std::make_unique<SqliteStore>(dir_.File("pin.db"), o);
    ASSERT_TRUE(store_->Migrate());
    if (!store_->GetPool("p")) {
      ASSERT_TRUE(store_->CreatePool(Pool("p")));
    }
  }
  // Runs `fn` on another thread (another request); false if it did not finish within 5 s (it
  // waits for a reader connection that a pin never gave back): the binary then exits, since
  // the thread can neither be joined nor outlive the store.
  template <class F>
  bool OnAnotherThread(F fn) {
    std::atomic<bool> done{false};
    std::thread t([&] {
      fn();
      done = true;
    });
    for (int i = 0; i < 500 && !done; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!done) {
      std::fprintf(stderr, "another thread waited 5 s for a reader connection\n");
      std::_Exit(1);
    }
    t.join();
    return true;
  }
  void RenameElsewhere(const std::string& name) {
    OnAnotherThread([&] {
      auto row = store_->GetPool("p");
      ASSERT_TRUE(row);
      PoolRow next = *row;
      next.name = name;
      ASSERT_TRUE(store_->UpdatePool(next, row->version));
    });
  }
  std::string Name() {
    auto row = store_->GetPool("p");
    return row ? row->name : "(error)";
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(PinnedReadsTest, ReadsInsideAPinShareOneSnapshot) {
  {
    auto pin = store_->PinReads();
    ASSERT_NE(pin, nullptr);
    EXPECT_EQ(Name(), "p");
    RenameElsewhere("renamed");
    EXPECT_EQ(Name(), "p");  // still the pin's snapshot
  }
  EXPECT_EQ(Name(), "renamed");  // the pin ended: a fresh snapshot
}

TEST_F(PinnedReadsTest, TheThreadsOwnWriteEndsTheSnapshot) {
  auto pin = store_->PinReads();
  EXPECT_EQ(Name(), "p");
  RenameElsewhere("elsewhere");
  ASSERT_TRUE(store_->CreatePool(Pool("q")));
  EXPECT_TRUE(store_->GetPool("q"));  // reads its own write
  EXPECT_EQ(Name(), "elsewhere");     // and everything committed before it
}

// A row that is not there is an answer, not a failure: the snapshot stays.
TEST_F(PinnedReadsTest, ANotFoundReadKeepsTheSnapshot) {
  auto pin = store_->PinReads();
  EXPECT_EQ(Name(), "p");
  RenameElsewhere("renamed");
  auto missing = store_->GetPool("no-such-pool");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().IsNotFound());
  EXPECT_EQ(Name(), "p");
}

TEST_F(PinnedReadsTest, AnOldSnapshotIsRenewed) {
  Open(1);
  auto pin = store_->PinReads();
  EXPECT_EQ(Name(), "p");
  RenameElsewhere("later");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(Name(), "later");
}

TEST_F(PinnedReadsTest, NestedPinsEndAtTheOuterEndAndGiveTheConnectionBack) {
  for (int round = 0; round < 3; ++round) {
    auto outer = store_->PinReads();
    {
      auto inner = store_->PinReads();
      EXPECT_NE(inner, nullptr);
      EXPECT_EQ(Name(), round == 0 ? "p" : "r" + std::to_string(round - 1));
    }
    RenameElsewhere("r" + std::to_string(round));
    // The inner pin's end did not end the outer snapshot.
    EXPECT_EQ(Name(), round == 0 ? "p" : "r" + std::to_string(round - 1));
  }
  // Each round's pin held one of the two connections; had one not been given back, the third
  // round's other thread would have found none.
  std::string seen;
  OnAnotherThread([&] { seen = Name(); });
  EXPECT_EQ(seen, "r2");
}

// The memo answers a repeated point read inside one snapshot, and never past its end: not after
// the thread's own write, a renewal or the end of the pin.
TEST_F(PinnedReadsTest, ARepeatedReadInOneSnapshotComesFromTheMemo) {
  auto pin = store_->PinReads();
  const auto hits = store_->MemoHitsForTest();
  EXPECT_EQ(Name(), "p");
  EXPECT_EQ(Name(), "p");
  EXPECT_EQ(store_->MemoHitsForTest(), hits + 1);
  ASSERT_TRUE(store_->GetPool("no-such-pool").error().IsNotFound());
  ASSERT_TRUE(store_->GetPool("no-such-pool").error().IsNotFound());  // not remembered
  EXPECT_EQ(store_->MemoHitsForTest(), hits + 1);
}

TEST_F(PinnedReadsTest, TheMemoEndsWithTheThreadsOwnWrite) {
  auto pin = store_->PinReads();
  auto row = store_->GetPool("p");
  ASSERT_TRUE(row);
  PoolRow next = *row;
  next.name = "mine";
  ASSERT_TRUE(store_->UpdatePool(next, row->version));
  EXPECT_EQ(Name(), "mine");
  EXPECT_EQ(Name(), "mine");  // and the new snapshot's memo holds the new row only
}

TEST_F(PinnedReadsTest, TheMemoEndsWithTheSnapshot) {
  Open(1);
  auto pin = store_->PinReads();
  EXPECT_EQ(Name(), "p");
  RenameElsewhere("later");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(Name(), "later");  // the renewal forgot the remembered row
  EXPECT_EQ(Name(), "later");
}

TEST_F(PinnedReadsTest, TheMemoEndsWithThePin) {
  {
    auto pin = store_->PinReads();
    EXPECT_EQ(Name(), "p");
  }
  RenameElsewhere("after");
  auto pin = store_->PinReads();
  EXPECT_EQ(Name(), "after");
  EXPECT_EQ(Name(), "after");
}

TEST_F(PinnedReadsTest, TheMemoKeepsClientsAndUsersApartByKey) {
  ClientRow c;
  c.pool_id = "p";
  c.client_id = "c1";
  c.name = "one";
  c.doc = "{}";
  ASSERT_TRUE(store_->CreateClient(c));
  c.client_id = "c2";
  c.name = "two";
  ASSERT_TRUE(store_->CreateClient(c));
  ASSERT_TRUE(store_->CreatePool(Pool("q")));
  for (const char* pool : {"p", "q"}) {
    UserRow u;
    u.pool_id = pool;
    u.sub = "same-sub";
    u.username = u.username_key = std::string("user-of-") + pool;
    u.doc = "{}";
    ASSERT_TRUE(store_->CreateUser(u));
  }
  auto pin = store_->PinReads();
  const auto hits = store_->MemoHitsForTest();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(store_->GetClient("c1")->name, "one");
    EXPECT_EQ(store_->GetClient("c2")->name, "two");
    EXPECT_EQ(store_->GetUserBySub("p", "same-sub")->username, "user-of-p");
    EXPECT_EQ(store_->GetUserBySub("q", "same-sub")->username, "user-of-q");
  }
  EXPECT_EQ(store_->MemoHitsForTest(), hits + 4);
}

TEST_F(PinnedReadsTest, AnotherStoreReadsAsUsualWhileThisThreadIsPinned) {
  SqliteStore other(dir_.File("other.db"));
  ASSERT_TRUE(other.Migrate());
  ASSERT_TRUE(other.CreatePool(Pool("o")));
  auto pin = store_->PinReads();
  EXPECT_EQ(other.PinReads(), nullptr);  // one store's pin per thread
  EXPECT_TRUE(other.GetPool("o"));
  EXPECT_EQ(Name(), "p");
}

TEST(SqliteStoreTest, InMemoryDatabaseHasNoPins) {
  SqliteStore s(":memory:");
  ASSERT_TRUE(s.Migrate());
  EXPECT_EQ(s.PinReads(), nullptr);
}

TEST(SqliteStoreTest, UnopenableFileIsUnavailable) {
  SqliteStore s("/nonexistent-dir/x/y.db");
  auto st = s.Migrate();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), StoreErrorCode::kUnavailable);
  auto pool = s.GetPool("p");
  ASSERT_FALSE(pool);
  EXPECT_EQ(pool.error().code(), StoreErrorCode::kUnavailable);
}

}  // namespace
}  // namespace cognate::store
