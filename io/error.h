// IoError: a file could not be read or written; the message names the file and the problem.
#pragma once
#include <stdexcept>

namespace pldr::io {

struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace pldr::io
