#include "io/safetensors.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/error.h"

namespace pldr::io {

namespace {

double half_to_double(uint16_t h) {
  const int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  double v;
  if (exponent == 0) v = std::ldexp(double(mantissa), -24);
  else if (exponent == 31) v = mantissa ? NAN : INFINITY;
  else v = std::ldexp(double(mantissa | 0x400), exponent - 25);
  return sign ? -v : v;
}

template <class T> double load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<double>(v);
}

}  // namespace

std::map<std::string, SafetensorsEntry> read_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("safetensors " + path + ": cannot be opened");
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 8) throw IoError("safetensors " + path + ": too short for a header");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
  if (header_len > bytes.size() - 8) throw IoError("safetensors " + path + ": header length past the end (truncated?)");
  const nlohmann::json header =
      nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_len), nullptr, false);
  if (header.is_discarded() || !header.is_object()) throw IoError("safetensors " + path + ": header is not a JSON object");
  const unsigned char* data = bytes.data() + 8 + header_len;
  const uint64_t data_len = bytes.size() - 8 - header_len;

  std::map<std::string, SafetensorsEntry> out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const nlohmann::json& e = it.value();
    SafetensorsEntry entry;
    uint64_t begin = 0, end = 0;
    try {  // a malformed entry is a bad header, not a JSON library error
      entry.dtype = e.at("dtype").get<std::string>();
      entry.shape = e.at("shape").get<std::vector<int64_t>>();
      const nlohmann::json& offsets = e.at("data_offsets");
      if (!offsets.is_array() || offsets.size() != 2) throw std::invalid_argument("data_offsets must be [begin, end]");
      begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    } catch (const std::exception& x) {
      throw IoError("safetensors " + path + ": tensor " + it.key() + " has a bad header entry (" + x.what() + ")");
    }
    if (begin > end || end > data_len) throw IoError("safetensors " + path + ": tensor " + it.key() + " lies outside the data");
    size_t width = 0;
    double (*convert)(const unsigned char*) = nullptr;
    if (entry.dtype == "F32") width = 4, convert = load<float>;
    else if (entry.dtype == "F64") width = 8, convert = load<double>;
    else if (entry.dtype == "I32") width = 4, convert = load<int32_t>;
    else if (entry.dtype == "I64") width = 8, convert = load<int64_t>;
    else if (entry.dtype == "F16") width = 2, convert = [](const unsigned char* p) { return half_to_double(uint16_t(p[0] | p[1] << 8)); };
    else if (entry.dtype == "BF16") width = 2, convert = [](const unsigned char* p) {
      const uint32_t bits = uint32_t(p[0] | p[1] << 8) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return double(f);
    };
    else throw IoError("safetensors " + path + ": tensor " + it.key() + " has unsupported dtype " + entry.dtype);
    int64_t count = 1;
    for (int64_t d : entry.shape) count *= d;
    if (uint64_t(count) * width != end - begin)
      throw IoError("safetensors " + path + ": tensor " + it.key() + " has " + std::to_string(end - begin) + " bytes for its shape");
    entry.values.resize(count);
    for (int64_t i = 0; i < count; ++i) entry.values[i] = convert(data + begin + i * width);
    out.emplace(it.key(), std::move(entry));
  }
  return out;
}

}  // namespace pldr::io
