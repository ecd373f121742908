// safetensors files (the Hugging Face weight format): an 8-byte little-endian header length, a
// JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}, then the
// raw little-endian tensor bytes. Large models are split into shards listed by an index file
// (model.safetensors.index.json: {"weight_map": {name: shard file}}).
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace pldr::io {

struct SafetensorsEntry {
  std::string dtype;  // "F32", "F64", "F16", "BF16", "I8", "U8", "I16", "I32", "I64", "BOOL"
  std::vector<int64_t> shape;
  std::vector<double> values;  // in the stored dtype's value (BOOL as 0 or 1), row-major
};

using SafetensorsTensors = std::map<std::string, SafetensorsEntry>;

// All tensors of a file (or of bytes held in memory, named `source` in errors) by name. Throws
// IoError naming the file and the tensor on a truncated file, a bad header, offsets outside the
// data, a size that does not match the shape, or an unsupported dtype.
SafetensorsTensors read_safetensors(const std::string& path);
SafetensorsTensors parse_safetensors(std::span<const unsigned char> bytes, const std::string& source);

// All tensors of a sharded model: reads every shard the index names (paths relative to the
// index's folder) and checks each listed tensor is in the shard the index says.
SafetensorsTensors read_sharded_safetensors(const std::string& index_path);

// Writes `tensors` atomically, each encoded in its entry's dtype (values rounded to nearest,
// ties to even, for F32, F16 and BF16), in name order, with `metadata` as __metadata__.
void write_safetensors(const std::string& path, const SafetensorsTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace pldr::io
