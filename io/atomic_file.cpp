#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "io/error.h"

namespace pldr::io {

namespace {
void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw IoError(path + ": cannot be opened to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw IoError(path + ": fsync failed");
}
}  // namespace

void write_atomically(const std::string& final_path, const std::function<void(const std::string& tmp_path)>& writer) {
  const std::string tmp = final_path + ".tmp-" + std::to_string(::getpid());
  try {
    writer(tmp);
    fsync_path(tmp, O_RDONLY);
    if (std::rename(tmp.c_str(), final_path.c_str()) != 0) throw IoError(final_path + ": cannot rename the temporary file over it");
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  std::filesystem::path folder = std::filesystem::path(final_path).parent_path();
  fsync_path(folder.empty() ? "." : folder.string(), O_RDONLY | O_DIRECTORY);
}

}  // namespace pldr::io
