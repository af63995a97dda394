#include "crypto/pwhash_memory.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <thread>

#include "crypto/crypto.h"

namespace cognate::crypto {
namespace {

TEST(PwhashMemory, HashesReuseOneArenaPerThreadAndStayCorrect) {
  std::thread([] {
    EXPECT_EQ(pwhash_memory::ThreadArenaBytes(), 0u);
    const std::string phc = HashPassword("correct horse");
    const std::size_t arena = pwhash_memory::ThreadArenaBytes();
    EXPECT_GE(arena, 19u * 1024u * 1024u);
    // The arena's leftovers (another password's blocks) never change an answer.
    EXPECT_TRUE(VerifyPassword("correct horse", phc));
    EXPECT_FALSE(VerifyPassword("correct horsf", phc));
    EXPECT_TRUE(VerifyPassword("correct horse", phc));
    EXPECT_EQ(pwhash_memory::ThreadArenaBytes(), arena);
    EXPECT_EQ(pwhash_memory::ThreadArenaReuses(), 3u);
  }).join();
}

TEST(PwhashMemory, ABiggerHashGrowsTheArenaAndSmallerOnesFit) {
  std::thread([] {
    const std::string big = HashPassword("pw", {.ops_limit = 1, .mem_limit = 32u << 20});
    EXPECT_GE(pwhash_memory::ThreadArenaBytes(), 32u << 20);
    const std::string small = HashPassword("pw");
    EXPECT_TRUE(VerifyPassword("pw", big));
    EXPECT_TRUE(VerifyPassword("pw", small));
    EXPECT_GE(pwhash_memory::ThreadArenaBytes(), 32u << 20);
  }).join();
}

TEST(PwhashMemory, MappingsOutsideAScopeAreUntouched) {
  std::thread([] {
    (void)HashPassword("pw");
    const std::size_t reuses = pwhash_memory::ThreadArenaReuses();
    void* m = mmap(nullptr, 8u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(m, MAP_FAILED);
    static_cast<char*>(m)[0] = 1;
    EXPECT_EQ(munmap(m, 8u << 20), 0);
    EXPECT_EQ(pwhash_memory::ThreadArenaReuses(), reuses);
  }).join();
}

}  // namespace
}  // namespace cognate::crypto
