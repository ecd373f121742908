// Writing a file so that readers see either the old file or the complete new one, never a
// half-written one: bytes go to a temporary file in the same folder ("<path>.tmp-<pid>"), which
// is then fsynced and renamed over the final path, and the folder fsynced. A write that fails
// or is abandoned removes the temporary file and leaves the old file as it was.
#pragma once
#include <cstddef>
#include <functional>
#include <string>

namespace pldr::io {

// Streaming writer: write() any number of times, then commit(). Destroying an uncommitted
// AtomicFile discards what was written.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* bytes, std::size_t count);
  void commit();

 private:
  std::string path_;
  std::string tmp_path_;
  int fd_ = -1;
};

// The whole of `contents` to `path`, through an AtomicFile.
void write_file_atomically(const std::string& path, const std::string& contents);

// For writers that need a file name (HDF5): `writer` creates and fills the temporary file it is
// given; if it throws, nothing replaces `final_path`.
void write_atomically(const std::string& final_path, const std::function<void(const std::string& tmp_path)>& writer);

}  // namespace pldr::io
