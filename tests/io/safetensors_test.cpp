// safetensors: the tiny HF model, every dtype read, written and read back, the half-precision roundings (to nearest,
// ties to even), damaged files that are errors naming the file and the tensor, and mapped files: the
// same tensors in place, the mapping's lifetime, writes that never reach the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>

#include "io/error.h"
#include "io/safetensors.h"

namespace pldr::io {
namespace {

std::string temp(const std::string& name) {
  return ::testing::TempDir() + "/st_" + std::to_string(::getpid()) + "_" + name;
}

std::vector<double> round_trip(const std::string& dtype, const std::vector<double>& values) {
  const std::string path = temp("rt.safetensors");
  write_safetensors(path, {{"t", {dtype, {int64_t(values.size())}, values}}});
  const SafetensorsTensors back = read_safetensors(path);
  std::filesystem::remove(path);
  EXPECT_EQ(back.at("t").dtype, dtype);
  return back.at("t").values;
}

TEST(Safetensors, EveryDtypeRoundTrips) {
  EXPECT_EQ(round_trip("F64", {0.1, -1e300, 5e-324}), (std::vector<double>{0.1, -1e300, 5e-324}));
  EXPECT_EQ(round_trip("F32", {0.5, -3.25}), (std::vector<double>{0.5, -3.25}));
  EXPECT_EQ(round_trip("I64", {-(1LL << 40), 7}), (std::vector<double>{-double(1LL << 40), 7}));
  EXPECT_EQ(round_trip("I32", {-5, 2147483647}), (std::vector<double>{-5, 2147483647}));
  EXPECT_EQ(round_trip("I16", {-32768, 12}), (std::vector<double>{-32768, 12}));
  EXPECT_EQ(round_trip("I8", {-128, 127}), (std::vector<double>{-128, 127}));
  EXPECT_EQ(round_trip("U8", {0, 255}), (std::vector<double>{0, 255}));
  EXPECT_EQ(round_trip("BOOL", {0, 1, 1}), (std::vector<double>{0, 1, 1}));
}

TEST(Safetensors, HalfPrecisionsRoundToNearestEven) {
  // float16: 11 significant bits; 1 + 2^-11 is halfway between 1 and 1 + 2^-10 and goes to even (1).
  const double h = std::ldexp(1.0, -11);
  EXPECT_EQ(round_trip("F16", {1 + h, 1 + 3 * h, 65504, 65520, 1e-8, std::ldexp(1.0, -24), -2.5}),
            (std::vector<double>{1, 1 + 4 * h, 65504, INFINITY, 0, std::ldexp(1.0, -24), -2.5}));
  // bfloat16: 8 significant bits.
  const double b = std::ldexp(1.0, -8);
  EXPECT_EQ(round_trip("BF16", {1 + b, 1 + 3 * b, 1.0 / 3, -1e38}),
            (std::vector<double>{1, 1 + 4 * b, 0x1.56p-2, -0x1.2cp126}));
  EXPECT_TRUE(std::isnan(round_trip("BF16", {NAN})[0]));
  EXPECT_TRUE(std::isnan(round_trip("F16", {NAN})[0]));
}

TEST(Safetensors, ReadsTheHuggingFaceTinyModel) {
  const auto t = read_safetensors(std::string(PLDR_TEST_DATA_DIR) + "/hf/tiny_model.safetensors");
  const SafetensorsEntry& emb = t.at("decoder.embedding.weight");
  EXPECT_EQ(emb.dtype, "F32");
  EXPECT_EQ(emb.shape, (std::vector<int64_t>{50, 16}));
  EXPECT_EQ(emb.values.size(), 800u);
  EXPECT_EQ(t.at("decoder.dec_layers.1.mha1.plgatt_layer.pwlst").shape, (std::vector<int64_t>{2, 8, 8}));
}

TEST(Safetensors, DamagedFilesAreErrors) {
  std::ifstream in(std::string(PLDR_TEST_DATA_DIR) + "/hf/tiny_model.safetensors", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = temp("cut.safetensors");
  std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 100));
  EXPECT_THROW(read_safetensors(cut), IoError);  // the last tensor lies past the end
  std::string bad = bytes;
  bad[7] = '\x7f';  // an absurd header length
  std::ofstream(cut, std::ios::binary).write(bad.data(), static_cast<std::streamsize>(bad.size()));
  EXPECT_THROW(read_safetensors(cut), IoError);
  EXPECT_THROW(read_safetensors(temp("missing")), IoError);
  std::filesystem::remove(cut);
}

// A safetensors file from a header (JSON text) and the data bytes.
std::string write_raw_file(const std::string& name, const std::string& header, const std::string& data) {
  const std::string path = temp(name);
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((uint64_t(header.size()) >> (8 * i)) & 0xff);
  std::ofstream(path, std::ios::binary) << bytes << header << data;
  return path;
}

template <class T> std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string io_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not an IoError: ") + e.what();
  }
  return "no error";
}

TEST(Safetensors, TinyModelNamesShapesAndValues) {
  const auto t = read_safetensors(std::string(PLDR_TEST_DATA_DIR) + "/hf/tiny_model.safetensors");
  EXPECT_FALSE(t.count("__metadata__"));
  EXPECT_TRUE(t.count("final_layer.weight"));
  EXPECT_TRUE(t.count("decoder.dec_layers.0.ffn.gluw1.weight"));
  for (const auto& [name, e] : t) {
    EXPECT_EQ(e.dtype, "F32") << name;
    int64_t count = 1;
    for (int64_t d : e.shape) count *= d;
    EXPECT_EQ(static_cast<int64_t>(e.values.size()), count) << name;
    for (double v : e.values) ASSERT_TRUE(std::isfinite(v)) << name;
  }
  EXPECT_EQ(t.at("decoder.dec_layers.0.ffn.gluw1.weight").shape.size(), 2u);
}

TEST(Safetensors, EveryDtypeConverts) {
  std::string data;
  data += raw(std::vector<float>{1.5f, -2});                           // F32 [2]   0..8
  data += raw(std::vector<double>{0.1});                               // F64 [1]   8..16
  data += raw(std::vector<int32_t>{-3, 4});                            // I32 [2]  16..24
  data += raw(std::vector<int64_t>{int64_t(1) << 40});                 // I64 [1]  24..32
  data += raw(std::vector<uint16_t>{0x3c00, 0xc000, 0x0001, 0x7c00});  // F16 [2,2] 32..40: 1, -2, 2^-24, inf
  data += raw(std::vector<uint16_t>{0x3f80, 0x4049});                  // BF16 [2]  40..44: 1, 3.140625
  const std::string header = R"({"__metadata__": {"format": "pt"},
    "f32": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
    "f64": {"dtype": "F64", "shape": [1], "data_offsets": [8, 16]},
    "i32": {"dtype": "I32", "shape": [2], "data_offsets": [16, 24]},
    "i64": {"dtype": "I64", "shape": [1], "data_offsets": [24, 32]},
    "f16": {"dtype": "F16", "shape": [2, 2], "data_offsets": [32, 40]},
    "bf16": {"dtype": "BF16", "shape": [2], "data_offsets": [40, 44]},
    "scalar": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]},
    "empty": {"dtype": "F32", "shape": [0, 3], "data_offsets": [44, 44]}})";
  const std::string path = write_raw_file("all.safetensors", header, data);
  const auto t = read_safetensors(path);
  EXPECT_EQ(t.size(), 8u);
  EXPECT_EQ(t.at("f32").values, (std::vector<double>{1.5, -2}));
  EXPECT_EQ(t.at("f64").values, std::vector<double>{0.1});
  EXPECT_EQ(t.at("i32").values, (std::vector<double>{-3, 4}));
  EXPECT_EQ(t.at("i64").values, std::vector<double>{double(int64_t(1) << 40)});
  EXPECT_EQ(t.at("f16").shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(t.at("f16").values, (std::vector<double>{1, -2, std::ldexp(1.0, -24), INFINITY}));
  EXPECT_EQ(t.at("bf16").values, (std::vector<double>{1, 3.140625}));
  EXPECT_EQ(t.at("scalar").values, std::vector<double>{1.5});
  EXPECT_TRUE(t.at("empty").values.empty());
  std::filesystem::remove(path);
}

TEST(Safetensors, BadFilesAreIoErrorsNamingTheFileAndProblem) {
  const std::string f32 = raw(std::vector<float>{1, 2});
  struct Case {
    std::string header, data, problem;
  };
  const std::vector<Case> cases{
      {R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 12]}})", f32, "tensor x lies outside the data"},
      {R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [8, 4]}})", f32, "tensor x lies outside the data"},
      {R"({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", f32,
       "tensor x has 8 bytes, its shape and dtype need 3 x 4"},
      {R"({"x": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}})", f32, "unsupported dtype C64"},
      {R"({"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 8]}})", f32,
       "tensor x has a bad header entry (negative dimension)"},
      {R"({"x": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 8]}})", f32,
       "tensor x has a bad header entry (shape too large)"},
      {R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]})", f32, "header is not a JSON object"},
      {R"([1, 2, 3])", f32, "header is not a JSON object"},
      // Entries that are not {dtype, shape, data_offsets} objects.
      {R"({"x": {"shape": [2], "data_offsets": [0, 8]}})", f32, "tensor x"},
      {R"({"x": {"dtype": "F32", "shape": "two", "data_offsets": [0, 8]}})", f32, "tensor x"},
      {R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0]}})", f32, "tensor x"},
      {R"({"x": 5})", f32, "tensor x"},
  };
  for (const Case& c : cases) {
    const std::string path = write_raw_file("bad.safetensors", c.header, c.data);
    const std::string m = io_message([&] { read_safetensors(path); });
    EXPECT_NE(m.find("safetensors " + path + ": "), std::string::npos) << c.header << "\n" << m;
    EXPECT_NE(m.find(c.problem), std::string::npos) << c.header << "\n" << m;
    std::filesystem::remove(path);
  }
  // Too short for the length, and a length past the end.
  const std::string tiny = temp("short.safetensors");
  std::ofstream(tiny, std::ios::binary) << "abc";
  EXPECT_NE(io_message([&] { read_safetensors(tiny); }).find("too short for a header"), std::string::npos);
  const std::string cut =
      write_raw_file("cut.safetensors", R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", "");
  std::ifstream in(cut, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(cut, std::ios::binary).write(bytes.data(), 20);
  EXPECT_NE(io_message([&] { read_safetensors(cut); }).find("header length past the end"), std::string::npos);
  EXPECT_NE(io_message([&] { read_safetensors(temp("absent.safetensors")); }).find("cannot be opened"),
            std::string::npos);
  std::filesystem::remove(tiny);
  std::filesystem::remove(cut);
}

TEST(Safetensors, MappedFilesGiveTheSameTensorsInPlace) {
  const std::string path = std::string(PLDR_TEST_DATA_DIR) + "/hf/tiny_model.safetensors";
  const SafetensorsTensors read = read_safetensors(path);
  std::weak_ptr<const void> mapping;
  SafetensorsView kept;
  {
    const SafetensorsViews views = map_safetensors(path);
    ASSERT_EQ(views.size(), read.size());
    for (const auto& [name, v] : views) {
      const SafetensorsEntry& e = read.at(name);
      EXPECT_EQ(v.dtype, e.dtype) << name;
      EXPECT_EQ(v.shape, e.shape) << name;
      ASSERT_EQ(v.count, e.values.size()) << name;
      for (uint64_t i = 0; i < v.count; ++i) ASSERT_EQ(v.value(i), e.values[i]) << name << "[" << i << "]";
      EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data) % alignof(float), 0u) << name;  // usable as float32 in place
    }
    mapping = views.begin()->second.mapping;
    kept = views.at("final_layer.weight");
  }
  ASSERT_FALSE(mapping.expired());  // one view's handle is enough
  EXPECT_EQ(kept.value(kept.count - 1), read.at("final_layer.weight").values.back());
  kept = {};
  EXPECT_TRUE(mapping.expired());
  EXPECT_NE(io_message([] { map_safetensors(::testing::TempDir()); }).find("not a regular file"), std::string::npos);
}

TEST(Safetensors, WritesThroughAMappingNeverReachTheFile) {
  const std::string path = temp("cow.safetensors");
  write_safetensors(path, {{"t", {"F32", {2}, {1.5, 2.5}}}});
  {
    const SafetensorsViews views = map_safetensors(path);
    const float seven = 7;
    std::memcpy(const_cast<unsigned char*>(views.at("t").data), &seven, sizeof seven);
    EXPECT_EQ(views.at("t").value(0), 7);  // this process's private copy of the page
  }
  EXPECT_EQ(read_safetensors(path).at("t").values, (std::vector<double>{1.5, 2.5}));
  std::filesystem::remove(path);
}

TEST(Safetensors, WrittenFilesFollowTheFormat) {
  const std::string path = temp("format.safetensors");
  write_safetensors(path, {{"b", {"F32", {1}, {2}}}, {"a", {"F16", {2}, {1, 1}}}}, {{"format", "pt"}});
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n << 8 | uint8_t(bytes[i]);
  EXPECT_EQ(n % 8, 0u);  // the data starts 8-aligned
  EXPECT_EQ(bytes.size(), 8 + n + 4 + 4);
  EXPECT_EQ(
      bytes.substr(8, n).find(R"({"__metadata__":{"format":"pt"},"a":{"data_offsets":[0,4],"dtype":"F16","shape":[2]},)"
                              R"("b":{"data_offsets":[4,8],"dtype":"F32","shape":[1]}})"),
      0u);
}

}  // namespace
}  // namespace pldr::io
