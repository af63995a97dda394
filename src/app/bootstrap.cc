#include "app/bootstrap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

namespace cognate::app {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kKeyIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
constexpr const char* kRootSetting = "root_access_key_id";

std::string Trim(std::string s) {
  auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && is_space(s.back())) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return s.substr(i);
}

Boot<std::string> DecodeKey(const std::string& text, const std::string& where) {
  auto key = crypto::Base64Decode(Trim(text));
  if (!key || key->size() != crypto::SecretBox::kKeySize) {
    return {std::nullopt, where + " must be the base64 encoding of 32 bytes"};
  }
  return {std::move(key), {}};
}

}  // namespace

std::string WritePrivateFile(const fs::path& path, const std::string& content) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create " + tmp.string() + ": " + std::strerror(errno);
  ::fchmod(fd, 0600);
  std::string_view rest = content;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = std::strerror(errno);
      ::close(fd);
      return "cannot write " + tmp.string() + ": " + err;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return "cannot sync " + tmp.string();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return "cannot rename " + tmp.string() + ": " + std::strerror(errno);
  }
  return {};
}

Boot<std::string> LoadOrCreateMasterKey(const fs::path& data_dir,
                                        const std::map<std::string, std::string>& env) {
  if (auto it = env.find("COGNATE_MASTER_KEY"); it != env.end() && !it->second.empty()) {
    return DecodeKey(it->second, "COGNATE_MASTER_KEY");
  }
  fs::path file = data_dir / "master.key";
  std::error_code ec;
  if (fs::exists(file, ec)) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return {std::nullopt, "cannot read " + file.string()};
    return DecodeKey(text.str(), file.string());
  }
  std::string key = crypto::RandomBytes(crypto::SecretBox::kKeySize);
  // O_EXCL: two processes starting at once on one data dir must not each write their own key.
  fs::create_directories(data_dir, ec);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return LoadOrCreateMasterKey(data_dir, {});
    return {std::nullopt, "cannot create " + file.string() + ": " + std::strerror(errno)};
  }
  std::string text = crypto::Base64Encode(key) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return {std::nullopt, "cannot write " + file.string()};
  return {std::move(key), {}};
}

std::string CredentialAad(const std::string& access_key_id) {
  return "credential:" + access_key_id;
}

Boot<RootCredential> EnsureRootCredential(store::Store& store, const crypto::SecretBox& box,
                                          std::int64_t now_ms) {
  RootCredential fresh;
  fresh.access_key_id = "AKIA" + crypto::RandomString(16, kKeyIdAlphabet);
  fresh.secret_access_key = crypto::RandomString(40, kSecretAlphabet);
  auto winner = store.PutSettingIfAbsent(kRootSetting, fresh.access_key_id);
  if (!winner)
    return {std::nullopt, "cannot store the root credential: " + winner.error().detail()};
  if (*winner == fresh.access_key_id) {
    store::CredentialRow row;
    row.access_key_id = fresh.access_key_id;
    row.encrypted_secret = box.Seal(fresh.secret_access_key, CredentialAad(row.access_key_id));
    row.description = "root";
    row.created_ms = now_ms;
    if (auto put = store.PutCredential(row); !put) {
      return {std::nullopt, "cannot store the root credential: " + put.error().detail()};
    }
    fresh.created = true;
    return {std::move(fresh), {}};
  }
  // Another start (perhaps another node) created it; it may still be writing the row.
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto row = store.GetCredential(*winner);
    if (row) {
      auto secret = box.Open(row->encrypted_secret, CredentialAad(row->access_key_id));
      if (!secret) {
        return {std::nullopt,
                "the root credential cannot be decrypted: is this the master key the data was "
                "created with?"};
      }
      return {RootCredential{row->access_key_id, *secret, false}, {}};
    }
    if (!row.error().IsNotFound()) {
      return {std::nullopt, "cannot read the root credential: " + row.error().detail()};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return {std::nullopt, "the root credential " + *winner + " is named but missing"};
}

Boot<std::string> EnsureTriggerSecret(store::Store& store, const crypto::SecretBox& box,
                                      const fs::path& data_dir) {
  constexpr const char* kSetting = "trigger_secret";
  constexpr const char* kAad = "setting:trigger_secret";
  const std::string fresh = crypto::HexEncode(crypto::RandomBytes(32));
  auto winner = store.PutSettingIfAbsent(kSetting, crypto::Base64Encode(box.Seal(fresh, kAad)));
  if (!winner) return {std::nullopt, "cannot store the trigger secret: " + winner.error().detail()};
  auto sealed = crypto::Base64Decode(*winner);
  std::optional<std::string> secret;
  if (sealed) secret = box.Open(*sealed, kAad);
  if (!secret) {
    return {std::nullopt,
            "the trigger secret cannot be decrypted: is this the master key the data was created "
            "with?"};
  }
  if (auto err = WritePrivateFile(data_dir / "trigger-secret", *secret + "\n"); !err.empty()) {
    return {std::nullopt, err};
  }
  return {std::move(*secret), {}};
}

std::string WriteCliProfile(const fs::path& data_dir, const RootCredential& cred,
                            const std::string& region, const std::string& endpoint_url) {
  std::string credentials = "[cognate]\naws_access_key_id = " + cred.access_key_id +
                            "\naws_secret_access_key = " + cred.secret_access_key + "\n";
  std::string config =
      "[profile cognate]\nregion = " + region + "\nendpoint_url = " + endpoint_url + "\n";
  if (auto err = WritePrivateFile(data_dir / "credentials", credentials); !err.empty()) return err;
  return WritePrivateFile(data_dir / "config", config);
}

crypto::SigV4SecretLookup MakeSecretLookup(store::CredentialStore& store,
                                           const crypto::SecretBox& box, std::chrono::seconds ttl) {
  struct Entry {
    std::optional<crypto::SigV4Secret> secret;
    std::chrono::steady_clock::time_point expires;
  };
  struct Cache {
    std::mutex mu;
    std::unordered_map<std::string, Entry> entries;
  };
  auto cache = std::make_shared<Cache>();
  return [&store, &box, ttl, cache](std::string_view akid) -> std::optional<crypto::SigV4Secret> {
    if (akid.empty() || akid.size() > 128) return std::nullopt;
    std::string key(akid);
    auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(cache->mu);
      auto it = cache->entries.find(key);
      if (it != cache->entries.end() && it->second.expires > now) return it->second.secret;
    }
    Entry entry;
    auto row = store.GetCredential(key);
    if (row) {
      auto secret = box.Open(row->encrypted_secret, CredentialAad(row->access_key_id));
      if (secret) entry.secret = crypto::SigV4Secret{*secret, std::nullopt};
    } else if (!row.error().IsNotFound()) {
      return std::nullopt;  // the store is unavailable: do not cache the miss
    }
    entry.expires = now + (entry.secret ? ttl : std::chrono::seconds(5));
    std::lock_guard lock(cache->mu);
    if (cache->entries.size() > 10'000) cache->entries.clear();  // bound a flood of bad keys
    cache->entries[key] = entry;
    return entry.secret;
  };
}

}  // namespace cognate::app
