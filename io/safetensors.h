// safetensors files (the Hugging Face weight format): an 8-byte little-endian header length, a
// JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}, then the
// raw little-endian tensor bytes. Large models are split into shards listed by an index file
// (model.safetensors.index.json: {"weight_map": {name: shard file}}).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
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

// One tensor of a file mapped into memory: its bytes where they lie in the mapping, undecoded.
struct SafetensorsView {
  std::string dtype;  // as in SafetensorsEntry
  std::vector<int64_t> shape;
  const unsigned char* data = nullptr;  // `count` little-endian elements of `width` bytes each
  uint64_t count = 0;
  size_t width = 0;
  double (*decode)(const unsigned char*) = nullptr;  // one element in the stored dtype's value
  std::shared_ptr<const void> mapping;               // keeps `data` valid while any copy lives

  double value(uint64_t i) const { return decode(data + i * width); }
};

using SafetensorsViews = std::map<std::string, SafetensorsView>;

// The tensors of a file (or of every shard an index names, as read_sharded_safetensors) with
// nothing decoded or copied: the file is mapped into memory, and pages are read from disk only
// when touched. The mapping is private and writable (copy-on-write), so writing to a view changes
// this process's copy of that page and never the file. Errors as read_safetensors. The file must
// not be truncated while mapped (as with any mapping, touching the lost pages is a SIGBUS).
SafetensorsViews map_safetensors(const std::string& path);
SafetensorsViews map_sharded_safetensors(const std::string& index_path);

// Tells the system this process is done with the whole pages inside a view (one read once, e.g. to
// quantise it): they leave the process's resident memory, and would be read from the file again
// if touched. Only for views never written to (a written page would lose the write).
void release_pages(const SafetensorsView& view);

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
