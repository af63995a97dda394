#pragma once
// First-start work of the composition root: the master key, the root API credential and the AWS
// CLI profile files in the data directory, and the SigV4 secret lookup over the stored
// credentials.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "crypto/crypto.h"
#include "crypto/sigv4.h"
#include "store/store.h"

namespace cognate::app {

// A value or what went wrong (bootstrap errors end the program with a message).
template <class T>
struct Boot {
  std::optional<T> value;
  std::string error;
  explicit operator bool() const { return value.has_value(); }
};

// The 32-byte master key: COGNATE_MASTER_KEY from `env` (base64) when set, otherwise
// <data_dir>/master.key (base64 text), created with a fresh random key (mode 0600) when absent.
Boot<std::string> LoadOrCreateMasterKey(const std::filesystem::path& data_dir,
                                        const std::map<std::string, std::string>& env);

struct RootCredential {
  std::string access_key_id;      // "AKIA" + 16 upper-case letters and digits
  std::string secret_access_key;  // 40 characters
  bool created = false;           // true on the start that created it
};

// The deployment's root credential: created on first start (first writer wins when many nodes
// share one database) and stored with its secret sealed by `box`; later starts read it back.
Boot<RootCredential> EnsureRootCredential(store::Store& store, const crypto::SecretBox& box,
                                          std::int64_t now_ms);

// The HMAC key that signs trigger calls (X-Cognate-Signature): created on first start (random,
// first writer wins when many nodes share one database), stored sealed by `box`, and written to
// <data_dir>/trigger-secret (0600) so handler owners can read it.
Boot<std::string> EnsureTriggerSecret(store::Store& store, const crypto::SecretBox& box,
                                      const std::filesystem::path& data_dir);

// Writes <data_dir>/credentials (profile [cognate]) and <data_dir>/config ([profile cognate]
// with region and endpoint_url), both 0600, replacing earlier versions atomically.
std::string WriteCliProfile(const std::filesystem::path& data_dir, const RootCredential& cred,
                            const std::string& region, const std::string& endpoint_url);

// Resolves SigV4 access keys from `store`, opening secrets with `box`. Found keys are cached
// for `ttl`, unknown ones for a few seconds (so a flood of bad keys does not reach the store).
// `store` and `box` must outlive the returned function.
crypto::SigV4SecretLookup MakeSecretLookup(store::CredentialStore& store,
                                           const crypto::SecretBox& box,
                                           std::chrono::seconds ttl = std::chrono::seconds(60));

// The associated data binding a credential's sealed secret to its row.
std::string CredentialAad(const std::string& access_key_id);

// Writes `content` to `path` with mode 0600 via a temporary file and rename. "" on success.
std::string WritePrivateFile(const std::filesystem::path& path, const std::string& content);

}  // namespace cognate::app
