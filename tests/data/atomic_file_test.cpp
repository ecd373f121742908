// Tests of AtomicFile: commit replaces the file; a failed or abandoned write leaves it untouched.
#include "data/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/error.h"
#include "temp_dir.h"

namespace pldr::data {
namespace {

using testing::read_all;
using testing::TempDir;

TEST(DataAtomicFile, CommitWritesTheFileAndRemovesTheTemporary) {
  TempDir dir;
  const std::string path = dir.file("out.bin");
  AtomicFile file(path);
  file.write("abc", 3);
  file.write("def", 3);
  EXPECT_FALSE(std::filesystem::exists(path));  // nothing visible before commit
  file.commit();
  EXPECT_EQ(read_all(path), "abcdef");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(DataAtomicFile, ReplacesAnExistingFile) {
  TempDir dir;
  const std::string path = dir.write("out.txt", "old contents");
  write_file_atomically(path, "new");
  EXPECT_EQ(read_all(path), "new");
}

TEST(DataAtomicFile, AbandonedWriteLeavesTheOldFileAndNoTemporary) {
  TempDir dir;
  const std::string path = dir.write("out.txt", "old");
  {
    AtomicFile file(path);
    file.write("partial", 7);
  }
  EXPECT_EQ(read_all(path), "old");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(DataAtomicFile, MissingFolderIsADataErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.file("no/such/folder/out.txt");
  try {
    AtomicFile file(path);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pldr::data
