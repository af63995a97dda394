#include "crypto/pwhash_memory.h"

#include <sys/mman.h>

#include <cstddef>

// The linker's names for the wrapped functions (see pwhash_memory.h).
extern "C" void* __real_mmap(void* addr, std::size_t len, int prot, int flags, int fd, off_t off);
extern "C" int __real_munmap(void* addr, std::size_t len);

namespace cognate::crypto::pwhash_memory {
namespace {

// Smaller mappings are not argon2's block memory.
constexpr std::size_t kMinArenaBytes = 1u << 20;

struct Arena {
  void* base = nullptr;
  std::size_t size = 0;
  bool in_scope = false;
  bool lent = false;
  std::size_t reuses = 0;

  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    if (base != nullptr) __real_munmap(base, size);
  }
};

thread_local Arena t_arena;

bool Servable(const Arena& a, void* addr, std::size_t len, int prot, int flags, int fd) {
  return a.in_scope && !a.lent && addr == nullptr && fd == -1 && len >= kMinArenaBytes &&
         len <= kMaxArenaBytes && prot == (PROT_READ | PROT_WRITE) &&
         (flags & MAP_ANONYMOUS) != 0 && (flags & MAP_FIXED) == 0;
}

}  // namespace

Scope::Scope() { t_arena.in_scope = true; }
Scope::~Scope() { t_arena.in_scope = false; }

std::size_t ThreadArenaBytes() { return t_arena.size; }
std::size_t ThreadArenaReuses() { return t_arena.reuses; }

}  // namespace cognate::crypto::pwhash_memory

using cognate::crypto::pwhash_memory::t_arena;

extern "C" void* __wrap_mmap(void* addr, std::size_t len, int prot, int flags, int fd, off_t off) {
  auto& a = t_arena;
  if (!cognate::crypto::pwhash_memory::Servable(a, addr, len, prot, flags, fd)) {
    return __real_mmap(addr, len, prot, flags, fd, off);
  }
  if (a.size < len) {
    if (a.base != nullptr) __real_munmap(a.base, a.size);
    a.base = nullptr;
    a.size = 0;
    void* fresh = __real_mmap(nullptr, len, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (fresh == MAP_FAILED) return MAP_FAILED;  // errno from the kernel
    a.base = fresh;
    a.size = len;
  } else {
    ++a.reuses;
  }
  a.lent = true;
  return a.base;
}

extern "C" int __wrap_munmap(void* addr, std::size_t len) {
  auto& a = t_arena;
  if (a.lent && addr == a.base) {
    a.lent = false;
    return 0;
  }
  return __real_munmap(addr, len);
}
