#include "common/io_wait.h"

namespace cognate {
namespace {
thread_local IoWaitHooks* thread_hooks = nullptr;
thread_local int wait_depth = 0;
}  // namespace

void SetThreadIoWaitHooks(IoWaitHooks* hooks) { thread_hooks = hooks; }

IoWait::IoWait() {
  if (wait_depth++ == 0 && thread_hooks != nullptr) {
    hooks_ = thread_hooks;
    hooks_->BeginWait();
  }
}

IoWait::~IoWait() {
  --wait_depth;
  if (hooks_ != nullptr) hooks_->EndWait();
}

}  // namespace cognate
