#include "common/io_wait.h"

#include <gtest/gtest.h>

#include <thread>

namespace cognate {
namespace {

struct CountingHooks final : IoWaitHooks {
  int begun = 0, ended = 0;
  void BeginWait() override { ++begun; }
  void EndWait() override { ++ended; }
};

TEST(IoWaitTest, TheOutermostWaitCallsTheThreadsHooks) {
  CountingHooks hooks;
  SetThreadIoWaitHooks(&hooks);
  {
    IoWait outer;
    EXPECT_EQ(hooks.begun, 1);
    {
      IoWait inner;  // part of the outer wait
      EXPECT_EQ(hooks.begun, 1);
    }
    EXPECT_EQ(hooks.ended, 0);
  }
  EXPECT_EQ(hooks.ended, 1);
  { IoWait again; }
  EXPECT_EQ(hooks.begun, 2);
  EXPECT_EQ(hooks.ended, 2);
  SetThreadIoWaitHooks(nullptr);
  { IoWait none; }
  EXPECT_EQ(hooks.begun, 2);
}

TEST(IoWaitTest, HooksBelongToTheirThread) {
  CountingHooks hooks;
  SetThreadIoWaitHooks(&hooks);
  std::thread([] { IoWait elsewhere; }).join();
  EXPECT_EQ(hooks.begun, 0);
  SetThreadIoWaitHooks(nullptr);
}

}  // namespace
}  // namespace cognate
