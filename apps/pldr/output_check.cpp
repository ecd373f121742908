#include "apps/pldr/output_check.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace pldr::cli {

namespace fs = std::filesystem;

namespace {

// Creates and removes a probe file in `dir`, as the atomic writers create their temporary files.
void probe(const fs::path& dir, const std::string& what) {
  const fs::path file = dir / (".pldr-write-check-" + std::to_string(::getpid()));
  FILE* f = std::fopen(file.c_str(), "wb");
  if (!f) throw std::runtime_error(what + ": cannot write in " + dir.string() + ": " + std::strerror(errno));
  std::fclose(f);
  std::remove(file.c_str());
}

}  // namespace

void check_can_write(const std::string& path, const std::string& flag) {
  const std::string what = flag + " " + path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw std::runtime_error(what + ": is a folder, not a file");
  const fs::path dir = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) throw std::runtime_error(what + ": folder " + dir.string() + " does not exist");
  probe(dir, what);
}

void check_can_write_into(const std::string& dir, const std::string& flag) {
  const std::string what = flag + " " + dir;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) throw std::runtime_error(what + ": is a file, not a folder");
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(what + ": cannot create the folder: " + ec.message());
  probe(dir, what);
}

}  // namespace pldr::cli
