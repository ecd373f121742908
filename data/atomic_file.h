// AtomicFile: writes a file so that readers see either the old file or the complete new one.
// Bytes go to "<path>.tmp"; commit() fsyncs it, renames it over <path> and fsyncs the folder.
// Destroying an uncommitted AtomicFile removes the temporary file and leaves <path> untouched.
#pragma once

#include <cstddef>
#include <string>

namespace pldr::data {

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

// Writes the whole of `contents` to `path` through an AtomicFile.
void write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace pldr::data
