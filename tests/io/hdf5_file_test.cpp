// H5File on the reference's golden files (written by h5py) and on round trips; atomic writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>

#include "io/atomic_file.h"
#include "io/hdf5_file.h"

namespace pldr::io {
namespace {

namespace fs = std::filesystem;
const std::string kTiny = std::string(PLDR_TEST_DATA_DIR) + "/golden/tiny.h5";

std::string temp(const std::string& name) { return ::testing::TempDir() + "/io_" + std::to_string(::getpid()) + "_" + name; }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "no IoError";
}

TEST(H5File, ReadsGoldenAttributesAndDatasets) {
  const H5File f = H5File::open_read(kTiny);
  EXPECT_EQ(f.read_attribute_int("config", "d_model"), 16);
  EXPECT_EQ(f.read_attribute_string("config", "rope").rfind("gptj", 0), 0u);
  EXPECT_NEAR(f.read_attribute_double("forward", "loss"), 3.962985118655263, 1e-15);
  EXPECT_EQ(f.read_attribute_doubles("dag", "coeffs"), (std::vector<double>{0.01, 0.02, 0.03}));
  std::vector<int64_t> shape;
  const std::vector<double> emb = f.read<double>("params/decoder.embedding.weight", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{50, 16}));
  EXPECT_EQ(emb.size(), 800u);
  EXPECT_EQ(f.element_type("inputs/tokens"), ElementType::Int32);
  EXPECT_EQ(f.read<int32_t>("inputs/tokens").size(), 26u);
  EXPECT_TRUE(f.exists("forward/layer1/G_LM"));
  EXPECT_FALSE(f.exists("forward/layer9/G_LM"));
  EXPECT_FALSE(f.exists("nope/deeper/still"));
  EXPECT_TRUE(f.is_group("forward"));
  EXPECT_TRUE(f.is_dataset("forward/logits"));
  const std::vector<std::string> top = f.list("/");
  EXPECT_NE(std::find(top.begin(), top.end(), "params"), top.end());
}

TEST(H5File, RoundTripsEveryTypeAttributesAndStrings) {
  const std::string path = temp("round.h5");
  {
    H5File f = H5File::create(path);
    f.write<float>("a/f32", std::vector<float>{1.5f, -2}, {2});
    f.write<double>("a/b/f64", std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
    f.write<int32_t>("i32", std::vector<int32_t>{-7}, {1});
    f.write<int64_t>("i64", std::vector<int64_t>{1LL << 40}, {1});
    f.write<uint8_t>("u8", std::vector<uint8_t>{255, 0}, {2});
    f.write_string_dataset("text", "{\"json\": true}");
    f.write_attribute("/", "version", int64_t(3));
    f.write_attribute("a", "scale", 0.25);
    f.write_attribute("a/b/f64", "name", std::string("weights"));
    f.write_attribute("/", "list", std::vector<double>{1, 2});
    f.flush();
  }
  const H5File f = H5File::open_read(path);
  std::vector<int64_t> shape;
  EXPECT_EQ(f.read<double>("a/b/f64", &shape), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f.read<float>("a/f32"), (std::vector<float>{1.5f, -2}));
  EXPECT_EQ(f.read<double>("i32"), std::vector<double>{-7});  // converted on read
  EXPECT_EQ(f.read_scalar<int64_t>("i64"), 1LL << 40);
  EXPECT_EQ(f.read<uint8_t>("u8"), (std::vector<uint8_t>{255, 0}));
  EXPECT_EQ(f.read_string_dataset("text"), "{\"json\": true}");
  EXPECT_EQ(f.read_attribute_int("/", "version"), 3);
  EXPECT_EQ(f.read_attribute_double("a", "scale"), 0.25);
  EXPECT_EQ(f.read_attribute_string("a/b/f64", "name"), "weights");
  EXPECT_EQ(f.read_attribute_doubles("/", "list"), (std::vector<double>{1, 2}));
  EXPECT_EQ(f.attribute_names("/"), (std::vector<std::string>{"list", "version"}));
  fs::remove(path);
}

TEST(H5File, ErrorsNameTheFileAndTheProblem) {
  EXPECT_NE(message_of([] { H5File::open_read(temp("missing.h5")); }).find("does not exist"), std::string::npos);
  const std::string text = temp("text.h5");
  std::ofstream(text) << "not hdf5 at all";
  EXPECT_NE(message_of([&] { H5File::open_read(text); }).find("is not an HDF5 file"), std::string::npos);
  // Truncated copies of a real file: the first 1000 bytes, and half of it.
  std::ifstream in(kTiny, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t keep : {size_t(1000), bytes.size() / 2}) {
    const std::string cut = temp("cut.h5");
    std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(keep));
    const std::string m = message_of([&] {
      const H5File f = H5File::open_read(cut);
      f.read<double>("params/final_layer.weight");
      f.read<double>("forward/logits");
    });
    EXPECT_NE(m.find(cut), std::string::npos) << m;
    fs::remove(cut);
  }
  const H5File f = H5File::open_read(kTiny);
  EXPECT_NE(message_of([&] { f.read<double>("params/nope"); }).find("params/nope"), std::string::npos);
  EXPECT_NE(message_of([&] { f.read_attribute_double("forward", "nope"); }).find("lacks attribute 'nope'"), std::string::npos);
  fs::remove(text);
}

TEST(AtomicFile, OldFileSurvivesAFailedWriteAndNoTemporaryRemains) {
  const fs::path folder = temp("atomic");
  fs::create_directories(folder);
  const std::string path = (folder / "out.txt").string();
  write_atomically(path, [](const std::string& tmp) { std::ofstream(tmp) << "first"; });
  EXPECT_THROW(write_atomically(path,
                                [](const std::string& tmp) {
                                  std::ofstream(tmp) << "half of a new ver";
                                  throw std::runtime_error("killed while saving");
                                }),
               std::runtime_error);
  std::string content;
  std::getline(std::ifstream(path), content);
  EXPECT_EQ(content, "first");
  write_atomically(path, [](const std::string& tmp) { std::ofstream(tmp) << "second"; });
  std::getline(std::ifstream(path), content);
  EXPECT_EQ(content, "second");
  EXPECT_EQ(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 1);
  fs::remove_all(folder);
}

}  // namespace
}  // namespace pldr::io
