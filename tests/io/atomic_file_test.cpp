// Tests of io::AtomicFile (the streaming writer): commit replaces the file; a failed or abandoned write leaves it
// untouched.
#include "io/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "io/error.h"
#include "tests/data/temp_dir.h"

namespace pldr::io {
namespace {

using data::testing::read_all;
using data::testing::TempDir;

// How many entries `folder` holds (after a write: only the file itself, no temporary).
size_t files_in(const std::string& folder) {
  return static_cast<size_t>(
      std::distance(std::filesystem::directory_iterator(folder), std::filesystem::directory_iterator()));
}

TEST(IoAtomicFile, CommitWritesTheFileAndRemovesTheTemporary) {
  TempDir dir;
  const std::string path = dir.file("out.bin");
  AtomicFile file(path);
  file.write("abc", 3);
  file.write("def", 3);
  EXPECT_FALSE(std::filesystem::exists(path));  // nothing visible before commit
  file.commit();
  EXPECT_EQ(read_all(path), "abcdef");
  EXPECT_EQ(files_in(std::filesystem::path(path).parent_path()), 1u) << "no temporary file is left";
}

TEST(IoAtomicFile, ReplacesAnExistingFile) {
  TempDir dir;
  const std::string path = dir.write("out.txt", "old contents");
  write_file_atomically(path, "new");
  EXPECT_EQ(read_all(path), "new");
}

TEST(IoAtomicFile, AbandonedWriteLeavesTheOldFileAndNoTemporary) {
  TempDir dir;
  const std::string path = dir.write("out.txt", "old");
  {
    AtomicFile file(path);
    file.write("partial", 7);
  }
  EXPECT_EQ(read_all(path), "old");
  EXPECT_EQ(files_in(std::filesystem::path(path).parent_path()), 1u) << "no temporary file is left";
}

TEST(IoAtomicFile, MissingFolderIsAnIoErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.file("no/such/folder/out.txt");
  try {
    AtomicFile file(path);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pldr::io
