#include "io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/atomic_file.h"
#include "io/error.h"

namespace pldr::io {

namespace {

// ---- element encodings (little-endian, as safetensors stores them) ----

double half_to_double(uint16_t h) {
  const int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  double v;
  if (exponent == 0) v = std::ldexp(double(mantissa), -24);
  else if (exponent == 31) v = mantissa ? NAN : INFINITY;
  else v = std::ldexp(double(mantissa | 0x400), exponent - 25);
  return sign ? -v : v;
}

uint32_t float_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

// IEEE binary16, rounded to nearest with ties to even.
uint16_t float_to_half(float f) {
  const uint32_t x = float_bits(f), sign = (x >> 16) & 0x8000, abs = x & 0x7fffffff;
  if (abs >= 0x7f800000) return uint16_t(sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));  // inf, nan
  if (abs >= 0x477ff000) return uint16_t(sign | 0x7c00);  // 65520 and above round to infinity
  if (abs < 0x38800000) {  // below 2^-14: a subnormal half, counted in units of 2^-24 (exact scaling)
    float a;
    std::memcpy(&a, &abs, 4);
    return uint16_t(sign | uint32_t(std::nearbyint(a * 16777216.0f)));
  }
  uint32_t h = ((((abs >> 23) - 127 + 15) << 10) | ((abs & 0x7fffff) >> 13));
  const uint32_t rest = abs & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) ++h;  // a carry into the exponent is correct
  return uint16_t(sign | h);
}

// bfloat16: the top half of a float32, rounded to nearest with ties to even.
uint16_t float_to_bfloat16(float f) {
  const uint32_t x = float_bits(f);
  if ((x & 0x7fffffff) > 0x7f800000) return uint16_t((x >> 16) | 0x40);  // nan stays nan
  return uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

double bfloat16_to_double(uint16_t b) {
  const uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

template <class T> double load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<double>(v);
}

template <class T> void store(double v, unsigned char* p) {
  const T t = static_cast<T>(v);
  std::memcpy(p, &t, sizeof t);
}

uint16_t load_u16(const unsigned char* p) { return uint16_t(p[0] | p[1] << 8); }
void store_u16(uint16_t v, unsigned char* p) { p[0] = uint8_t(v), p[1] = uint8_t(v >> 8); }

struct Codec {
  size_t width;
  double (*decode)(const unsigned char*);
  void (*encode)(double, unsigned char*);
};

// nullptr for a dtype this reader does not know.
const Codec* codec(const std::string& dtype) {
  static const std::map<std::string, Codec> table{
      {"F64", {8, load<double>, store<double>}},
      {"F32", {4, load<float>, store<float>}},
      {"F16",
       {2, [](const unsigned char* p) { return half_to_double(load_u16(p)); },
        [](double v, unsigned char* p) { store_u16(float_to_half(float(v)), p); }}},
      {"BF16",
       {2, [](const unsigned char* p) { return bfloat16_to_double(load_u16(p)); },
        [](double v, unsigned char* p) { store_u16(float_to_bfloat16(float(v)), p); }}},
      {"I64", {8, load<int64_t>, store<int64_t>}},
      {"I32", {4, load<int32_t>, store<int32_t>}},
      {"I16", {2, load<int16_t>, store<int16_t>}},
      {"I8", {1, load<int8_t>, store<int8_t>}},
      {"U8", {1, load<uint8_t>, store<uint8_t>}},
      {"BOOL",
       {1, [](const unsigned char* p) { return *p ? 1.0 : 0.0; }, [](double v, unsigned char* p) { *p = v != 0; }}},
  };
  const auto it = table.find(dtype);
  return it == table.end() ? nullptr : &it->second;
}

// Elements of `shape`, or throws when a dimension is negative or the count overflows.
uint64_t element_count(const std::vector<int64_t>& shape) {
  uint64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("negative dimension");
    if (__builtin_mul_overflow(count, uint64_t(d), &count)) throw std::invalid_argument("shape too large");
  }
  return count;
}

// The whole file mapped private and writable: the tensors are used where they lie, and a write
// to one (nothing in inference writes to its parameters, but the tensor library cannot forbid it)
// copies that page for this process instead of faulting or reaching the file. The mapping (null
// for an empty file, which cannot be mapped) is released when the last holder lets go.
std::pair<std::span<const unsigned char>, std::shared_ptr<const void>> map_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("safetensors " + path + ": cannot be opened");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw IoError("safetensors " + path + ": cannot be opened (not a regular file)");
  }
  const size_t size = size_t(st.st_size);
  if (size == 0) {
    ::close(fd);
    return {};
  }
  void* base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  const int error = errno;
  ::close(fd);  // the mapping keeps the file
  if (base == MAP_FAILED) throw IoError("safetensors " + path + ": cannot be mapped (" + std::strerror(error) + ")");
  std::shared_ptr<const void> mapping(base, [size](const void* p) { ::munmap(const_cast<void*>(p), size); });
  return {{static_cast<const unsigned char*>(base), size}, std::move(mapping)};
}

// Every tensor's place in `bytes`, checked; `mapping` keeps the bytes valid.
SafetensorsViews parse_views(std::span<const unsigned char> bytes, const std::string& source,
                             const std::shared_ptr<const void>& mapping) {
  const std::string where = "safetensors " + source + ": ";
  if (bytes.size() < 8) throw IoError(where + "too short for a header");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
  if (header_len > bytes.size() - 8) throw IoError(where + "header length past the end (truncated?)");
  const nlohmann::json header =
      nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + std::ptrdiff_t(header_len), nullptr, false);
  if (header.is_discarded() || !header.is_object()) throw IoError(where + "header is not a JSON object");
  const unsigned char* data = bytes.data() + 8 + header_len;
  const uint64_t data_len = bytes.size() - 8 - header_len;

  SafetensorsViews out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const nlohmann::json& e = it.value();
    SafetensorsView entry;
    uint64_t begin = 0, end = 0, count = 0;
    try {  // a malformed entry is a bad header, not a JSON library error
      entry.dtype = e.at("dtype").get<std::string>();
      entry.shape = e.at("shape").get<std::vector<int64_t>>();
      const nlohmann::json& offsets = e.at("data_offsets");
      if (!offsets.is_array() || offsets.size() != 2) throw std::invalid_argument("data_offsets must be [begin, end]");
      begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
      count = element_count(entry.shape);
    } catch (const std::exception& x) {
      throw IoError(where + "tensor " + it.key() + " has a bad header entry (" + x.what() + ")");
    }
    if (begin > end || end > data_len) throw IoError(where + "tensor " + it.key() + " lies outside the data");
    const Codec* c = codec(entry.dtype);
    if (!c) throw IoError(where + "tensor " + it.key() + " has unsupported dtype " + entry.dtype);
    if (count > (end - begin) / c->width || count * c->width != end - begin)
      throw IoError(where + "tensor " + it.key() + " has " + std::to_string(end - begin) +
                    " bytes, its shape and dtype need " + std::to_string(count) + " x " + std::to_string(c->width));
    entry.data = data + begin, entry.count = count, entry.width = c->width, entry.decode = c->decode;
    entry.mapping = mapping;
    out.emplace(it.key(), std::move(entry));
  }
  return out;
}

SafetensorsTensors decode_all(const SafetensorsViews& views) {
  SafetensorsTensors out;
  for (const auto& [name, view] : views) {
    SafetensorsEntry& entry = out[name];
    entry.dtype = view.dtype, entry.shape = view.shape;
    entry.values.resize(view.count);
    for (uint64_t i = 0; i < view.count; ++i) entry.values[i] = view.value(i);
  }
  return out;
}

}  // namespace

SafetensorsTensors parse_safetensors(std::span<const unsigned char> bytes, const std::string& source) {
  return decode_all(parse_views(bytes, source, nullptr));
}

SafetensorsViews map_safetensors(const std::string& path) {
  const auto [bytes, mapping] = map_file(path);
  return parse_views(bytes, path, mapping);
}

void release_pages(const SafetensorsView& view) {
  const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(view.data) + page - 1) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(view.data) + view.count * view.width) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

SafetensorsTensors read_safetensors(const std::string& path) { return decode_all(map_safetensors(path)); }

SafetensorsTensors read_sharded_safetensors(const std::string& index_path) {
  return decode_all(map_sharded_safetensors(index_path));
}

SafetensorsViews map_sharded_safetensors(const std::string& index_path) {
  std::ifstream in(index_path);
  if (!in) throw IoError("safetensors index " + index_path + ": cannot be opened");
  const nlohmann::json index = nlohmann::json::parse(in, nullptr, false);
  if (index.is_discarded() || !index.is_object())
    throw IoError("safetensors index " + index_path + ": is not a JSON object");
  if (!index.contains("weight_map") || !index["weight_map"].is_object())
    throw IoError("safetensors index " + index_path + ": weight_map is missing or not an object");
  std::map<std::string, std::vector<std::string>> names_by_shard;
  for (const auto& [name, shard] : index["weight_map"].items()) {
    if (!shard.is_string())
      throw IoError("safetensors index " + index_path + ": weight_map." + name + " is not a file name");
    names_by_shard[shard.get<std::string>()].push_back(name);
  }
  const std::filesystem::path folder = std::filesystem::path(index_path).parent_path();
  SafetensorsViews all;
  for (const auto& [shard, names] : names_by_shard) {
    const std::string shard_path = (folder / shard).string();
    SafetensorsViews tensors = map_safetensors(shard_path);
    for (const std::string& name : names) {
      auto it = tensors.find(name);
      if (it == tensors.end())
        throw IoError("safetensors index " + index_path + ": weight_map." + name + " names " + shard +
                      ", which lacks it");
      all.insert(tensors.extract(it));
    }
  }
  return all;
}

void write_safetensors(const std::string& path, const SafetensorsTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    const Codec* c = codec(t.dtype);
    if (!c) throw IoError("safetensors " + path + ": tensor " + name + " has unsupported dtype " + t.dtype);
    if (element_count(t.shape) != t.values.size())
      throw IoError("safetensors " + path + ": tensor " + name + " has " + std::to_string(t.values.size()) +
                    " values for its shape");
    const uint64_t size = t.values.size() * c->width;
    header[name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-aligned, as the reference writer pads
  unsigned char length[8];
  for (int i = 0; i < 8; ++i) length[i] = uint8_t(uint64_t(text.size()) >> (8 * i));
  AtomicFile file(path);
  file.write(length, 8);
  file.write(text.data(), text.size());
  for (const auto& [name, t] : tensors) {
    const Codec* c = codec(t.dtype);
    std::vector<unsigned char> bytes(t.values.size() * c->width);
    for (size_t i = 0; i < t.values.size(); ++i) c->encode(t.values[i], bytes.data() + i * c->width);
    file.write(bytes.data(), bytes.size());
  }
  file.commit();
}

}  // namespace pldr::io
