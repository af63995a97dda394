#include "app/bootstrap.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "app/test_support.h"

#include "store/memory/memory_store.h"

namespace cognate::app {
namespace {

namespace fs = std::filesystem;

using testing::Slurp;

unsigned Mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

class BootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cognate-boot-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(BootstrapTest, MasterKeyIsCreatedOnceWithMode0600) {
  auto first = LoadOrCreateMasterKey(dir_, {});
  ASSERT_TRUE(first) << first.error;
  EXPECT_EQ(first.value->size(), 32u);
  EXPECT_EQ(Mode(dir_ / "master.key"), 0600u);
  auto second = LoadOrCreateMasterKey(dir_, {});
  ASSERT_TRUE(second) << second.error;
  EXPECT_EQ(*first.value, *second.value);
}

TEST_F(BootstrapTest, MasterKeyFromEnvironmentWins) {
  std::string key(32, '\x07');
  auto out = LoadOrCreateMasterKey(dir_, {{"COGNATE_MASTER_KEY", crypto::Base64Encode(key)}});
  ASSERT_TRUE(out) << out.error;
  EXPECT_EQ(*out.value, key);
  EXPECT_FALSE(fs::exists(dir_ / "master.key"));
}

TEST_F(BootstrapTest, BadMasterKeysAreRejected) {
  auto short_env = LoadOrCreateMasterKey(dir_, {{"COGNATE_MASTER_KEY", "c2hvcnQ="}});
  EXPECT_FALSE(short_env);
  EXPECT_NE(short_env.error.find("COGNATE_MASTER_KEY"), std::string::npos);
  fs::create_directories(dir_);
  std::ofstream(dir_ / "master.key") << "not base64!!\n";
  auto bad_file = LoadOrCreateMasterKey(dir_, {});
  EXPECT_FALSE(bad_file);
  EXPECT_NE(bad_file.error.find("master.key"), std::string::npos);
}

TEST_F(BootstrapTest, RootCredentialIsCreatedSealedAndReused) {
  store::MemoryStore store;
  crypto::SecretBox box(std::string(32, 'k'));
  auto first = EnsureRootCredential(store, box, 1000);
  ASSERT_TRUE(first) << first.error;
  EXPECT_TRUE(first.value->created);
  EXPECT_TRUE(std::regex_match(first.value->access_key_id, std::regex("AKIA[A-Z0-9]{16}")));
  EXPECT_EQ(first.value->secret_access_key.size(), 40u);

  auto row = store.GetCredential(first.value->access_key_id);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->encrypted_secret.find(first.value->secret_access_key), std::string::npos);
  EXPECT_EQ(box.Open(row->encrypted_secret, CredentialAad(row->access_key_id)),
            first.value->secret_access_key);

  auto again = EnsureRootCredential(store, box, 2000);
  ASSERT_TRUE(again) << again.error;
  EXPECT_FALSE(again.value->created);
  EXPECT_EQ(again.value->access_key_id, first.value->access_key_id);
  EXPECT_EQ(again.value->secret_access_key, first.value->secret_access_key);
  EXPECT_EQ(store.ListCredentials()->size(), 1u);

  crypto::SecretBox other(std::string(32, 'x'));
  auto wrong_key = EnsureRootCredential(store, other, 3000);
  EXPECT_FALSE(wrong_key);
  EXPECT_NE(wrong_key.error.find("master key"), std::string::npos);
}

TEST_F(BootstrapTest, CliProfileFiles) {
  RootCredential cred{"AKIAABCDEFGHIJKLMNOP", std::string(40, 's'), true};
  ASSERT_EQ(WriteCliProfile(dir_, cred, "us-east-1", "http://127.0.0.1:9229"), "");
  EXPECT_EQ(Slurp(dir_ / "credentials"),
            "[cognate]\naws_access_key_id = AKIAABCDEFGHIJKLMNOP\naws_secret_access_key = " +
                std::string(40, 's') + "\n");
  EXPECT_EQ(Slurp(dir_ / "config"),
            "[profile cognate]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9229\n");
  EXPECT_EQ(Mode(dir_ / "credentials"), 0600u);
  EXPECT_EQ(Mode(dir_ / "config"), 0600u);
  // Rewritten in place on the next start (e.g. another port).
  ASSERT_EQ(WriteCliProfile(dir_, cred, "us-east-1", "http://127.0.0.1:1234"), "");
  EXPECT_NE(Slurp(dir_ / "config").find(":1234"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "config.tmp"));
}

TEST_F(BootstrapTest, SecretLookupResolvesAndCaches) {
  store::MemoryStore store;
  crypto::SecretBox box(std::string(32, 'k'));
  auto root = EnsureRootCredential(store, box, 1000);
  ASSERT_TRUE(root);
  auto lookup = MakeSecretLookup(store, box);
  auto found = lookup(root.value->access_key_id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->secret_access_key, root.value->secret_access_key);
  EXPECT_FALSE(found->session_token);
  EXPECT_FALSE(lookup("AKIANOTAREALKEY00000"));
  EXPECT_FALSE(lookup(""));
  // A second call is served from the cache.
  EXPECT_TRUE(lookup(root.value->access_key_id));
}

TEST_F(BootstrapTest, SecretLookupRejectsTamperedRows) {
  store::MemoryStore store;
  crypto::SecretBox box(std::string(32, 'k'));
  store::CredentialRow row;
  row.access_key_id = "AKIAMOVEDSECRET00000";
  row.encrypted_secret = box.Seal("secret", CredentialAad("AKIAOTHERKEY00000000"));
  ASSERT_TRUE(store.PutCredential(row));
  auto lookup = MakeSecretLookup(store, box);
  EXPECT_FALSE(lookup("AKIAMOVEDSECRET00000"));
}

TEST_F(BootstrapTest, WritePrivateFileCreatesParents) {
  ASSERT_EQ(WritePrivateFile(dir_ / "a" / "b.txt", "hello"), "");
  EXPECT_EQ(Slurp(dir_ / "a" / "b.txt"), "hello");
  EXPECT_EQ(Mode(dir_ / "a" / "b.txt"), 0600u);
}

}  // namespace
}  // namespace cognate::app
