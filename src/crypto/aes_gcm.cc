#include "crypto/aes_gcm.h"

#include <memory>

#include <openssl/evp.h>

#include "crypto/crypto.h"

namespace cognate::crypto {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::optional<std::string> AesGcmSealBase64(std::string_view key, std::string_view plain) {
  if (key.size() != kAesGcmKeySize) return std::nullopt;
  const std::string iv = RandomBytes(kAesGcmIvSize);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return std::nullopt;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(iv)) != 1) {
    return std::nullopt;
  }
  std::string out = iv;
  out.resize(kAesGcmIvSize + plain.size() + kAesGcmTagSize);
  int len = 0;
  if (EVP_EncryptUpdate(ctx.get(), Bytes(out) + kAesGcmIvSize, &len, Bytes(plain),
                        static_cast<int>(plain.size())) != 1) {
    return std::nullopt;
  }
  int tail = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), Bytes(out) + kAesGcmIvSize + len, &tail) != 1) {
    return std::nullopt;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize,
                          Bytes(out) + kAesGcmIvSize + plain.size()) != 1) {
    return std::nullopt;
  }
  return Base64Encode(out);
}

std::optional<std::string> AesGcmOpenBase64(std::string_view key, std::string_view sealed) {
  if (key.size() != kAesGcmKeySize) return std::nullopt;
  auto raw = Base64Decode(sealed);
  if (!raw || raw->size() < kAesGcmIvSize + kAesGcmTagSize) return std::nullopt;
  const std::string_view all(*raw);
  const std::string_view iv = all.substr(0, kAesGcmIvSize);
  const std::string_view body =
      all.substr(kAesGcmIvSize, all.size() - kAesGcmIvSize - kAesGcmTagSize);
  std::string tag(all.substr(all.size() - kAesGcmTagSize));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return std::nullopt;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(iv)) != 1) {
    return std::nullopt;
  }
  std::string plain(body.size(), '\0');
  int len = 0;
  if (EVP_DecryptUpdate(ctx.get(), Bytes(plain), &len, Bytes(body),
                        static_cast<int>(body.size())) != 1) {
    return std::nullopt;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize, Bytes(tag)) != 1) {
    return std::nullopt;
  }
  int tail = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), Bytes(plain) + len, &tail) != 1) return std::nullopt;
  plain.resize(static_cast<std::size_t>(len + tail));
  return plain;
}

}  // namespace cognate::crypto
