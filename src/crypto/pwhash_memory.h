#pragma once
// Reuse of argon2id's working memory across password hashes on one thread.
//
// libsodium maps fresh memory for every argon2id hash (19 MiB by default) and unmaps it after:
// on this machine kind that costs as much kernel time as the hash's own arithmetic (zeroing and
// mapping 4,864 pages, then TLB shootdowns in a many-threaded server). libsodium is linked
// statically with `--wrap=mmap,--wrap=munmap` (src/crypto/CMakeLists.txt), so its calls come
// here first. While a `Scope` is alive on a thread, libsodium's one large anonymous mapping is
// served from that thread's arena and its unmapping keeps the arena; every other mapping, and
// every call outside a Scope, goes to the kernel unchanged. The arena is freed when the thread
// ends. Argon2 writes every block before reading it, so leftover contents cannot change a hash.

#include <cstddef>

namespace cognate::crypto::pwhash_memory {

// Arenas larger than this are not kept (an imported hash with huge parameters maps fresh memory).
inline constexpr std::size_t kMaxArenaBytes = 256u * 1024u * 1024u;

// Routes this thread's libsodium argon2 allocation to the arena while alive. Not reentrant.
class Scope {
 public:
  Scope();
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
};

// Bytes currently held by this thread's arena (0 before its first hash).
std::size_t ThreadArenaBytes();
// How many times this thread's arena was handed out (for tests).
std::size_t ThreadArenaReuses();

}  // namespace cognate::crypto::pwhash_memory
