// libFuzzer target: the token-file reader (header checks, then every token read back).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "data/token_file.h"
#include "fuzz/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = pldr::fuzz::input_as_file(data, size, ".tok");
  try {
    const pldr::data::TokenFile file(path);
    std::vector<int32_t> tokens(file.size());
    if (!tokens.empty()) file.read(0, tokens.size(), tokens.data());
  } catch (const std::exception&) {
  }
  return 0;
}
