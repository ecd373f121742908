#include "io/hdf5_file.h"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <type_traits>

namespace pldr::io {

namespace {

// Closes an HDF5 handle of any kind when it goes out of scope.
class Handle {
 public:
  explicit Handle(hid_t id = H5I_INVALID_HID) : id_(id) {}
  ~Handle() {
    if (id_ >= 0) H5Idec_ref(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
};

void silence_hdf5() {
  static const bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

// bfloat16 as an HDF5 float type: float32's layout cut to its top 16 bits. Created once, kept
// for the life of the process.
hid_t bfloat16_type() {
  static const hid_t type = [] {
    const hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(t, 15, 7, 8, 0, 7);  // sign position, exponent position and size, mantissa position and size
    H5Tset_offset(t, 0);
    H5Tset_precision(t, 16);
    H5Tset_size(t, 2);
    H5Tset_ebias(t, 127);
    return t;
  }();
  return type;
}

template <class T> hid_t memory_type() {
  if constexpr (std::is_same_v<T, BFloat16>) return bfloat16_type();
  else if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
  else if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  else if constexpr (std::is_same_v<T, int32_t>) return H5T_NATIVE_INT32;
  else if constexpr (std::is_same_v<T, int64_t>) return H5T_NATIVE_INT64;
  else return H5T_NATIVE_UINT8;
}

// Links and attributes stay in their object's header, which the 1.8 format checksums: HDF5's
// default moves more than 8 of them to a fractal heap whose blocks carry no checksum, where a
// flipped byte could silently point a name at another dataset of the same shape.
void keep_links_and_attributes_in_headers(hid_t create_plist) {
  H5Pset_link_phase_change(create_plist, 65535, 65535);
  H5Pset_attr_phase_change(create_plist, 65535, 65535);
}

// The checksum of a dataset's bytes, kept beside it and hidden from attribute_names().
constexpr const char* kChecksumAttribute = "checksum_fnv1a64";

std::string parent_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

IoError H5File::error(const std::string& object, const std::string& what) const {
  return IoError("HDF5 file " + path_ + ": " + (object.empty() ? "" : object + ": ") + what);
}

H5File H5File::open_read(const std::string& path) {
  silence_hdf5();
  if (!std::filesystem::exists(path)) throw IoError("HDF5 file " + path + ": does not exist");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw IoError("HDF5 file " + path + ": is not an HDF5 file");
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw IoError("HDF5 file " + path + ": cannot be opened (truncated or damaged?)");
  return H5File(id, path);
}

H5File H5File::create(const std::string& path) {
  silence_hdf5();
  // The 1.8 file format and later checksum every piece of metadata (superblock, object headers
  // with their attributes, link and chunk indexes); datasets get Fletcher-32 in write().
  Handle access(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST);
  Handle creation(H5Pcreate(H5P_FILE_CREATE));
  keep_links_and_attributes_in_headers(creation.get());
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, creation.get(), access.get());
  if (id < 0) throw IoError("HDF5 file " + path + ": cannot be created");
  return H5File(id, path);
}

H5File::~H5File() {
  if (id_ >= 0) H5Fclose(id_);
}

H5File::H5File(H5File&& o) noexcept : id_(o.id_), path_(std::move(o.path_)) { o.id_ = -1; }

H5File& H5File::operator=(H5File&& o) noexcept {
  if (this != &o) {
    if (id_ >= 0) H5Fclose(id_);
    id_ = o.id_;
    path_ = std::move(o.path_);
    o.id_ = -1;
  }
  return *this;
}

bool H5File::exists(const std::string& path) const {
  if (path == "/" || path.empty()) return true;
  // Check each prefix: H5Lexists fails (rather than returning false) on a missing parent.
  size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (H5Lexists(id_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos == std::string::npos) return true;
  }
}

bool H5File::is_group(const std::string& path) const {
  if (!exists(path)) return false;
  H5O_info_t info;
  return H5Oget_info_by_name(id_, path.c_str(), &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_GROUP;
}

bool H5File::is_dataset(const std::string& path) const {
  if (!exists(path)) return false;
  H5O_info_t info;
  return H5Oget_info_by_name(id_, path.c_str(), &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_DATASET;
}

std::vector<std::string> H5File::list(const std::string& group) const {
  if (!is_group(group)) throw error(group, "is not a group");
  std::vector<std::string> names;
  H5Literate_by_name(
      id_, group.c_str(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr,
      [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
        static_cast<std::vector<std::string>*>(out)->push_back(name);
        return 0;
      },
      &names, H5P_DEFAULT);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<int64_t> H5File::shape(const std::string& dataset) const {
  if (!is_dataset(dataset)) throw error(dataset, "no such dataset");
  Handle d(H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT));
  Handle space(H5Dget_space(d.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw error(dataset, "cannot read its shape");
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return std::vector<int64_t>(dims.begin(), dims.end());
}

ElementType H5File::element_type(const std::string& dataset) const {
  if (!is_dataset(dataset)) throw error(dataset, "no such dataset");
  Handle d(H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT));
  Handle t(H5Dget_type(d.get()));
  const H5T_class_t cls = H5Tget_class(t.get());
  const size_t size = H5Tget_size(t.get());
  if (cls == H5T_FLOAT && size == 2 && H5Tget_ebias(t.get()) == 127) return ElementType::BFloat16;
  if (cls == H5T_FLOAT) return size == 4 ? ElementType::Float32 : size == 8 ? ElementType::Float64 : ElementType::Other;
  if (cls == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(t.get()) == H5T_SGN_2;
    if (size == 4 && is_signed) return ElementType::Int32;
    if (size == 8 && is_signed) return ElementType::Int64;
    if (size == 1) return is_signed ? ElementType::Int8 : ElementType::UInt8;
  }
  return ElementType::Other;
}

void H5File::create_group(const std::string& path) {
  if (path == "/" || exists(path)) {
    if (path != "/" && !is_group(path)) throw error(path, "exists and is not a group");
    return;
  }
  // One group at a time, so that each gets the checksummed layout.
  if (parent_of(path) != "/") create_group(parent_of(path));
  Handle group_plist(H5Pcreate(H5P_GROUP_CREATE));
  keep_links_and_attributes_in_headers(group_plist.get());
  Handle g(H5Gcreate2(id_, path.c_str(), H5P_DEFAULT, group_plist.get(), H5P_DEFAULT));
  if (!g.ok()) throw error(path, "cannot create group");
}

namespace {

// 64-bit FNV-1a: any change of one byte changes it. Over the little-endian bytes as stored.
uint64_t fnv1a64(const unsigned char* bytes, size_t count) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < count; ++i) h = (h ^ bytes[i]) * 0x100000001b3ull;
  return h;
}

}  // namespace

template <class T> std::vector<T> H5File::read(const std::string& dataset, std::vector<int64_t>* shape_out) const {
  const std::vector<int64_t> dims = shape(dataset);
  int64_t count = 1;
  for (int64_t d : dims) count *= d;
  std::vector<T> values(count);
  read_into(dataset, values.data(), count);
  if (shape_out) *shape_out = dims;
  return values;
}

template <class T> void H5File::read_into(const std::string& dataset, T* out, int64_t count) const {
  int64_t stored = 1;
  for (int64_t d : shape(dataset)) stored *= d;
  if (stored != count)
    throw error(dataset, "holds " + std::to_string(stored) + " values, not the " + std::to_string(count) + " expected");
  Handle d(H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT));
  if (count > 0 && has_checksum(dataset)) {
    // Read in the stored type, check the bytes against the checksum written with them, then
    // convert in place: in `out` itself when T is at least as wide, else in a buffer wide enough.
    // The stored type itself, not its native counterpart: a custom type (bfloat16) has no native
    // type of its own width, and the checksum covers the bytes as written.
    Handle native(H5Dget_type(d.get()));
    const size_t width = H5Tget_size(native.get());
    std::vector<unsigned char> wider(width > sizeof(T) ? size_t(count) * width : 0);
    unsigned char* buffer = wider.empty() ? reinterpret_cast<unsigned char*>(out) : wider.data();
    if (H5Dread(d.get(), native.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0 ||
        fnv1a64(buffer, size_t(count) * width) != uint64_t(read_attribute_int(dataset, kChecksumAttribute)))
      throw error(dataset, "is damaged (its data does not match its checksum)");
    if (H5Tconvert(native.get(), memory_type<T>(), size_t(count), buffer, nullptr, H5P_DEFAULT) < 0)
      throw error(dataset, "cannot be converted to the requested type");
    if (!wider.empty()) std::memcpy(out, buffer, size_t(count) * sizeof(T));
  } else if (count > 0 && H5Dread(d.get(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
    throw error(dataset, "cannot be read (damaged, or not convertible to the requested type)");
  }
}

template <class T> T H5File::read_scalar(const std::string& dataset) const {
  const std::vector<T> v = read<T>(dataset);
  if (v.size() != 1) throw error(dataset, "is not a single value");
  return v[0];
}

bool H5File::has_checksum(const std::string& dataset) const { return has_attribute(dataset, kChecksumAttribute); }

namespace {
// Chunked storage with the Fletcher-32 filter, so that HDF5 itself reports damaged chunks. Chunks
// hold whole rows of the first dimension, 64 MiB or one row (HDF5's limit is 4 GiB). Empty and
// scalar datasets stay contiguous: HDF5 cannot chunk them, and they hold no data to damage.
hid_t checksummed_layout(const std::vector<hsize_t>& dims, size_t element_size) {  // a new property list
  const hid_t create = H5Pcreate(H5P_DATASET_CREATE);
  size_t row_bytes = element_size;
  for (size_t i = 1; i < dims.size(); ++i) row_bytes *= dims[i];
  if (dims.empty() || row_bytes == 0 || dims[0] == 0) return create;
  if (row_bytes > (size_t(1) << 31)) return create;  // one row beyond HDF5's chunk limit: unchecked
  std::vector<hsize_t> chunk = dims;
  chunk[0] = std::clamp<hsize_t>((hsize_t(64) << 20) / row_bytes, 1, dims[0]);
  H5Pset_chunk(create, int(chunk.size()), chunk.data());
  H5Pset_fletcher32(create);
  return create;
}
}  // namespace

template <class T> void H5File::write(const std::string& dataset, const T* data, const std::vector<int64_t>& shape) {
  create_group(parent_of(dataset));
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Handle plist(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(plist.get(), 1);
  Handle layout(checksummed_layout(dims, sizeof(T)));
  Handle d(H5Dcreate2(id_, dataset.c_str(), memory_type<T>(), space.get(), plist.get(), layout.get(), H5P_DEFAULT));
  if (!d.ok()) throw error(dataset, "cannot create dataset");
  if (H5Dwrite(d.get(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    throw error(dataset, "cannot write");
  size_t count = 1;
  for (hsize_t n : dims) count *= n;
  if (count > 0)
    write_attribute(dataset, kChecksumAttribute,
                    int64_t(fnv1a64(reinterpret_cast<const unsigned char*>(data), count * sizeof(T))));
  if constexpr (std::is_same_v<T, BFloat16>) write_attribute(dataset, "dtype", std::string("bfloat16"));
}

#define PLDR_H5_INSTANTIATE(T)                                                              \
  template std::vector<T> H5File::read<T>(const std::string&, std::vector<int64_t>*) const; \
  template void H5File::read_into<T>(const std::string&, T*, int64_t) const;                \
  template T H5File::read_scalar<T>(const std::string&) const;                              \
  template void H5File::write<T>(const std::string&, const T*, const std::vector<int64_t>&);
PLDR_H5_INSTANTIATE(float)
PLDR_H5_INSTANTIATE(double)
PLDR_H5_INSTANTIATE(int32_t)
PLDR_H5_INSTANTIATE(int64_t)
PLDR_H5_INSTANTIATE(uint8_t)
PLDR_H5_INSTANTIATE(BFloat16)
#undef PLDR_H5_INSTANTIATE

void H5File::write_string_dataset(const std::string& dataset, const std::string& text) {
  const std::vector<uint8_t> bytes(text.begin(), text.end());
  write<uint8_t>(dataset, bytes, {static_cast<int64_t>(bytes.size())});
}

std::string H5File::read_string_dataset(const std::string& dataset) const {
  const std::vector<uint8_t> bytes = read<uint8_t>(dataset);
  return std::string(bytes.begin(), bytes.end());
}

// ---- attributes ----

bool H5File::has_attribute(const std::string& object, const std::string& name) const {
  return exists(object) && H5Aexists_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

std::vector<std::string> H5File::attribute_names(const std::string& object) const {
  if (!exists(object)) throw error(object, "no such object");
  std::vector<std::string> names;
  H5Aiterate_by_name(
      id_, object.c_str(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr,
      [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
        if (std::string(name) != kChecksumAttribute) static_cast<std::vector<std::string>*>(out)->push_back(name);
        return 0;
      },
      &names, H5P_DEFAULT);
  std::sort(names.begin(), names.end());
  return names;
}

namespace {
Handle open_attribute(hid_t file, const std::string& object, const std::string& name) {
  return Handle(H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
}
}  // namespace

std::vector<double> H5File::read_attribute_doubles(const std::string& object, const std::string& name) const {
  if (!has_attribute(object, name)) throw error(object, "lacks attribute '" + name + "'");
  Handle a = open_attribute(id_, object, name);
  Handle space(H5Aget_space(a.get()));
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  std::vector<double> values(std::max<hssize_t>(count, 0));
  if (!values.empty() && H5Aread(a.get(), H5T_NATIVE_DOUBLE, values.data()) < 0)
    throw error(object, "attribute '" + name + "' is not numeric");
  return values;
}

double H5File::read_attribute_double(const std::string& object, const std::string& name) const {
  const std::vector<double> v = read_attribute_doubles(object, name);
  if (v.size() != 1) throw error(object, "attribute '" + name + "' is not a single number");
  return v[0];
}

int64_t H5File::read_attribute_int(const std::string& object, const std::string& name) const {
  if (!has_attribute(object, name)) throw error(object, "lacks attribute '" + name + "'");
  Handle a = open_attribute(id_, object, name);
  int64_t value = 0;
  Handle space(H5Aget_space(a.get()));
  if (H5Sget_simple_extent_npoints(space.get()) != 1 || H5Aread(a.get(), H5T_NATIVE_INT64, &value) < 0)
    throw error(object, "attribute '" + name + "' is not a single integer");
  return value;
}

std::string H5File::read_attribute_string(const std::string& object, const std::string& name) const {
  if (!has_attribute(object, name)) throw error(object, "lacks attribute '" + name + "'");
  Handle a = open_attribute(id_, object, name);
  Handle type(H5Aget_type(a.get()));
  if (H5Tget_class(type.get()) != H5T_STRING) throw error(object, "attribute '" + name + "' is not a string");
  if (H5Tis_variable_str(type.get()) > 0) {  // h5py's default for str attributes
    char* text = nullptr;
    Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    if (H5Aread(a.get(), mem.get(), &text) < 0) throw error(object, "attribute '" + name + "' cannot be read");
    std::string out = text ? text : "";
    H5free_memory(text);
    return out;
  }
  const size_t size = H5Tget_size(type.get());
  std::string out(size, '\0');
  if (H5Aread(a.get(), type.get(), out.data()) < 0) throw error(object, "attribute '" + name + "' cannot be read");
  out.resize(std::min(out.find('\0'), out.size()));
  return out;
}

namespace {
void replace_attribute(hid_t file, const std::string& object, const std::string& name) {
  if (H5Aexists_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT) > 0)
    H5Adelete_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT);
}
}  // namespace

void H5File::write_attribute(const std::string& object, const std::string& name, const std::vector<double>& values) {
  replace_attribute(id_, object, name);
  const hsize_t n = values.size();
  // An empty list gets a null dataspace (as h5py writes empty arrays): HDF5 refuses a write
  // without a buffer.
  Handle space(n == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, &n, nullptr));
  Handle a(H5Acreate_by_name(id_, object.c_str(), name.c_str(), H5T_NATIVE_DOUBLE, space.get(), H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT));
  if (!a.ok() || (n > 0 && H5Awrite(a.get(), H5T_NATIVE_DOUBLE, values.data()) < 0))
    throw error(object, "cannot write attribute " + name);
}

void H5File::write_attribute(const std::string& object, const std::string& name, double value) {
  replace_attribute(id_, object, name);
  Handle space(H5Screate(H5S_SCALAR));
  Handle a(H5Acreate_by_name(id_, object.c_str(), name.c_str(), H5T_NATIVE_DOUBLE, space.get(), H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT));
  if (!a.ok() || H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value) < 0)
    throw error(object, "cannot write attribute " + name);
}

void H5File::write_attribute(const std::string& object, const std::string& name, int64_t value) {
  replace_attribute(id_, object, name);
  Handle space(H5Screate(H5S_SCALAR));
  Handle a(H5Acreate_by_name(id_, object.c_str(), name.c_str(), H5T_NATIVE_INT64, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT));
  if (!a.ok() || H5Awrite(a.get(), H5T_NATIVE_INT64, &value) < 0) throw error(object, "cannot write attribute " + name);
}

void H5File::write_attribute(const std::string& object, const std::string& name, const std::string& value) {
  replace_attribute(id_, object, name);
  Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), std::max<size_t>(value.size(), 1));
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  Handle space(H5Screate(H5S_SCALAR));
  Handle a(H5Acreate_by_name(id_, object.c_str(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT));
  std::string padded = value.empty() ? std::string(1, '\0') : value;
  if (!a.ok() || H5Awrite(a.get(), type.get(), padded.data()) < 0)
    throw error(object, "cannot write attribute " + name);
}

void H5File::flush() {
  if (H5Fflush(id_, H5F_SCOPE_GLOBAL) < 0) throw error("", "flush failed");
}

}  // namespace pldr::io
