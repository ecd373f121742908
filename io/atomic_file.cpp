// Temporary file, fsync, rename, fsync of the folder (io/atomic_file.h).
#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "io/error.h"

namespace pldr::io {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string temporary_path_for(const std::string& path) { return path + ".tmp-" + std::to_string(::getpid()); }

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw IoError(path + ": cannot be opened to sync it: " + errno_text());
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw IoError(path + ": fsync failed: " + errno_text());
}

// Renames the synced temporary file over `path` (removing it if that fails), then syncs the
// folder so that the rename itself is durable.
void publish(const std::string& tmp_path, const std::string& path) {
  if (::rename(tmp_path.c_str(), path.c_str()) != 0) {
    const std::string reason = errno_text();
    ::unlink(tmp_path.c_str());
    throw IoError(path + ": cannot rename " + tmp_path + " over it: " + reason);
  }
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  fsync_path(folder.empty() ? "." : folder.string(), O_RDONLY | O_DIRECTORY);
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), tmp_path_(temporary_path_for(path_)) {
  fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw IoError(path_ + ": cannot create " + tmp_path_ + ": " + errno_text());
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_path_.c_str());
  }
}

void AtomicFile::write(const void* bytes, std::size_t count) {
  const char* p = static_cast<const char*>(bytes);
  while (count > 0) {
    const ssize_t n = ::write(fd_, p, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(path_ + ": write failed: " + errno_text());
    }
    p += n;
    count -= static_cast<std::size_t>(n);
  }
}

void AtomicFile::commit() {
  if (::fsync(fd_) != 0) throw IoError(path_ + ": fsync failed: " + errno_text());
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) {
    ::unlink(tmp_path_.c_str());
    throw IoError(path_ + ": close failed: " + errno_text());
  }
  publish(tmp_path_, path_);
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  AtomicFile file(path);
  file.write(contents.data(), contents.size());
  file.commit();
}

void write_atomically(const std::string& final_path, const std::function<void(const std::string& tmp_path)>& writer) {
  const std::string tmp = temporary_path_for(final_path);
  try {
    writer(tmp);
    fsync_path(tmp, O_RDONLY);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  publish(tmp, final_path);
}

}  // namespace pldr::io
