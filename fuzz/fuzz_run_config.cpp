// libFuzzer target: run configurations (pldr train --config) and Hugging Face config.json, both
// JSON validated key by key. Any input either gives a configuration or throws naming the key.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fuzz/fuzz_input_file.h"
#include "interop/hf_import.h"
#include "train/run_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = pldr::fuzz::input_as_file(data, size, ".json");
  try {
    const nlohmann::json j = pldr::RunConfig::read_json_file(path);
    pldr::RunConfig::from_json(j).to_json();
  } catch (const std::exception&) {
  }
  try {
    pldr::interop::read_hf_config(path).to_json();
  } catch (const std::exception&) {
  }
  return 0;
}
