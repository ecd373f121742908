// For fuzz targets whose reader takes a path: the input written to a file of this process.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

namespace pldr::fuzz {

inline std::string input_as_file(const uint8_t* data, size_t size, const char* suffix) {
  static const std::string path = "/tmp/pldr_fuzz_" + std::to_string(::getpid()) + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), std::streamsize(size));
  return path;
}

}  // namespace pldr::fuzz
