// DataError: the one exception type of pldr::data. Its message names the file and the problem.
#pragma once

#include <stdexcept>
#include <string>

namespace pldr::data {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace pldr::data
