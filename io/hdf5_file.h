// H5File: a small RAII wrapper over the HDF5 C API for checkpoints, golden files and inspection
// output. Paths inside the file are "group/sub/name"; "/" is the root. Every failure becomes an
// IoError naming the file, the object and the problem (HDF5's own error printing is silenced).
// Files it writes detect damage: the metadata carries the checksums of HDF5's 1.8 format (links
// and attributes kept in the checksummed object headers), and every non-empty dataset HDF5's
// Fletcher-32 filter and a checksum of its bytes (attribute checksum_fnv1a64), checked on read.
// (Fletcher-32 alone misses a flipped chunk size in the layout message.) Datasets without one,
// from older files or other tools, are read unchecked.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/error.h"
#include "tensor/bfloat16.h"

namespace pldr::io {

// BFloat16: a 16-bit float with float32's 8-bit exponent (see write below).
enum class ElementType { Float32, Float64, BFloat16, Int32, Int64, UInt8, Int8, Other };

class H5File {
 public:
  static H5File open_read(const std::string& path);  // IoError: missing, not HDF5, damaged
  static H5File create(const std::string& path);     // truncates
  ~H5File();
  H5File(H5File&& other) noexcept;
  H5File& operator=(H5File&& other) noexcept;
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;

  const std::string& path() const { return path_; }

  // ---- structure ----
  bool exists(const std::string& path) const;  // false when any part of the path is missing
  bool is_group(const std::string& path) const;
  bool is_dataset(const std::string& path) const;
  std::vector<std::string> list(const std::string& group) const;  // member names, sorted
  std::vector<int64_t> shape(const std::string& dataset) const;
  ElementType element_type(const std::string& dataset) const;
  // Whether the dataset carries a checksum of its bytes (every non-empty dataset this class
  // writes does; files written before it, or by other tools, do not).
  bool has_checksum(const std::string& dataset) const;
  void create_group(const std::string& path);  // with missing parents

  // ---- datasets (HDF5 converts the stored type to T on read) ----
  // T: float, double, BFloat16, int32_t, int64_t, uint8_t. A BFloat16 dataset is stored as a
  // 16-bit HDF5 float (sign bit 15, exponent bits 7-14 with bias 127, mantissa bits 0-6), which
  // HDF5 itself converts to float or double on read (so old readers get the values), and carries
  // a string attribute dtype = "bfloat16".
  template <class T> std::vector<T> read(const std::string& dataset, std::vector<int64_t>* shape_out = nullptr) const;
  // The same into `out`, which holds `count` elements: the dataset's, or it throws. Needs no
  // buffer of its own when T is at least as wide as the stored type.
  template <class T> void read_into(const std::string& dataset, T* out, int64_t count) const;
  template <class T> T read_scalar(const std::string& dataset) const;
  template <class T> void write(const std::string& dataset, const T* data, const std::vector<int64_t>& shape);
  template <class T>
  void write(const std::string& dataset, const std::vector<T>& data, const std::vector<int64_t>& shape) {
    write<T>(dataset, data.data(), shape);
  }
  void write_string_dataset(const std::string& dataset, const std::string& text);
  std::string read_string_dataset(const std::string& dataset) const;

  // ---- attributes of any object ("/" for the root) ----
  bool has_attribute(const std::string& object, const std::string& name) const;
  std::vector<std::string> attribute_names(const std::string& object) const;
  double read_attribute_double(const std::string& object, const std::string& name) const;
  int64_t read_attribute_int(const std::string& object, const std::string& name) const;
  std::vector<double> read_attribute_doubles(const std::string& object, const std::string& name) const;
  std::string read_attribute_string(const std::string& object, const std::string& name) const;
  void write_attribute(const std::string& object, const std::string& name, double value);
  void write_attribute(const std::string& object, const std::string& name, int64_t value);
  void write_attribute(const std::string& object, const std::string& name, const std::string& value);
  void write_attribute(const std::string& object, const std::string& name, const std::vector<double>& values);

  void flush();

 private:
  H5File(int64_t id, std::string path) : id_(id), path_(std::move(path)) {}
  IoError error(const std::string& object, const std::string& what) const;
  int64_t id_ = -1;  // hid_t
  std::string path_;
};

}  // namespace pldr::io
