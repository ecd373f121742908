// libFuzzer target: the safetensors reader. Any input either parses or throws IoError.
#include <cstddef>
#include <cstdint>

#include "io/error.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    pldr::io::parse_safetensors({data, size}, "fuzz");
  } catch (const pldr::io::IoError&) {
  }
  return 0;
}
