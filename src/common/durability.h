#pragma once
// Durable writes acknowledged after the handler's thread has moved on.
//
// A store that must sync its log before a write may be acknowledged (SQLite's WAL) can let the
// request's answer wait for the disk instead of its thread: inside a DeferredDurability scope
// (the HTTP layer opens one around each handler run on a pool thread), the store records "commit
// N of source S must be on disk" with DeferDurability and returns; after the handler returns,
// the HTTP layer asks S to call back once commit N is durable, and only then sends the answer.
// The thread takes the next request meanwhile, and one sync covers every commit waiting at once.
// Outside such a scope (background tasks, commands, tests) DeferDurability answers false and the
// store syncs before it returns, as usual.

#include <cstdint>
#include <functional>

namespace cognate {

// Whatever can say when a commit of its own numbering has reached the disk.
class DurabilitySource {
 public:
  virtual ~DurabilitySource() = default;
  // Calls `done(true)` once commit `commit` (and every commit before it) is durable, or
  // `done(false)` if syncing failed. May call it at once, on the calling thread; otherwise on a
  // thread of the source's own. Every call is answered exactly once, also when the source is
  // destroyed.
  virtual void WhenDurable(std::uint64_t commit, std::function<void(bool)> done) = 0;
};

// A scope on the current thread in which durable commits are waited for by the scope's owner.
// Not nestable: an inner scope is a no-op that takes nothing over.
class DeferredDurability {
 public:
  DeferredDurability();
  ~DeferredDurability();
  DeferredDurability(const DeferredDurability&) = delete;
  DeferredDurability& operator=(const DeferredDurability&) = delete;

  // The source whose commits were deferred inside the scope (null: none), and the last of them.
  DurabilitySource* source() const { return source_; }
  std::uint64_t commit() const { return commit_; }

 private:
  friend bool DeferDurability(DurabilitySource& source, std::uint64_t commit);
  bool active_ = false;
  DurabilitySource* source_ = nullptr;
  std::uint64_t commit_ = 0;
};

// Called by a store after commit `commit` of `source`, which must be durable before the write is
// acknowledged: true when a scope on this thread has taken the wait over (the store returns
// without syncing), false when the store must sync now (no scope, or the scope already waits on
// another source).
bool DeferDurability(DurabilitySource& source, std::uint64_t commit);

}  // namespace cognate
