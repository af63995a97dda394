// SQLite-only behaviour the contract suite cannot express: durability of acknowledged writes
// across kill -9, concurrent first starts, arbitrary bytes, and ":memory:".
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

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

TEST(SqliteStoreTest, AcknowledgedWritesSurviveKill9) {
  TempDir dir;
  const std::string db = dir.File("kill.db");
  {
    SqliteStore s(db);
    ASSERT_TRUE(s.Migrate());
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    SqliteStore s(db);
    for (int i = 0;; ++i) {
      if (!s.CreatePool(Pool("p" + std::to_string(i)))) _exit(2);
      // Acknowledge: the parent counts only writes that returned success.
      if (write(fds[1], &i, sizeof i) != sizeof i) _exit(3);
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
