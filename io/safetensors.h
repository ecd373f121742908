// Reading safetensors files (the Hugging Face weight format): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw tensor bytes.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pldr::io {

struct SafetensorsEntry {
  std::string dtype;            // "F32", "F64", "F16", "BF16", "I32", "I64", ...
  std::vector<int64_t> shape;
  std::vector<double> values;   // converted from the stored dtype (F32, F64, F16, BF16, I32, I64)
};

// All tensors of a file by name. Throws IoError naming the file on a truncated file, a bad
// header, offsets outside the data, or an unsupported dtype.
std::map<std::string, SafetensorsEntry> read_safetensors(const std::string& path);

}  // namespace pldr::io
