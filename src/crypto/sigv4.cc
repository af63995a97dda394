#include "crypto/sigv4.h"
// Placeholder until the SigV4 verifier lands; refuses everything.
namespace cognate::crypto {
SigV4Outcome VerifySigV4(const SigV4Request&, std::string_view, const SigV4SecretLookup&,
                         std::int64_t, std::int64_t) {
  return {std::nullopt, SigV4Failure::kMissing, "Missing Authentication Token"};
}
void SignSigV4ForTest(SigV4Request&, std::string_view, std::string_view, std::string_view,
                      std::string_view, std::int64_t, bool) {}
}  // namespace cognate::crypto
