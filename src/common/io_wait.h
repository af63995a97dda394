#pragma once
// A thread about to wait for I/O that may take a while (a database round trip, a connection from
// a pool) says so, so that the thread pool running it can let another of its threads use the
// core meanwhile. The sign-in lane runs one CPU-heavy request per core at a time; without this,
// a sign-in waiting on PostgreSQL would leave its core idle (docs/decisions.md).

namespace cognate {

// What a pool does when one of its threads starts and stops waiting.
class IoWaitHooks {
 public:
  virtual ~IoWaitHooks() = default;
  virtual void BeginWait() = 0;
  virtual void EndWait() = 0;
};

// Installs `hooks` for the calling thread (null: none, the default).
void SetThreadIoWaitHooks(IoWaitHooks* hooks);

// Marks a wait on the calling thread: the thread's hooks run at the start and the end of the
// outermost one (a wait inside a wait is part of it).
class IoWait {
 public:
  IoWait();
  ~IoWait();
  IoWait(const IoWait&) = delete;
  IoWait& operator=(const IoWait&) = delete;

 private:
  IoWaitHooks* hooks_ = nullptr;  // set when this is the outermost wait and the thread has hooks
};

}  // namespace cognate
