// H5File on the reference's golden files (written by h5py) and on round trips; atomic writes.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include "io/atomic_file.h"
#include "io/hdf5_file.h"

namespace pldr::io {
namespace {

namespace fs = std::filesystem;
const std::string kTiny = std::string(PLDR_TEST_DATA_DIR) + "/golden/tiny.h5";

std::string temp(const std::string& name) {
  return ::testing::TempDir() + "/io_" + std::to_string(::getpid()) + "_" + name;
}

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
  EXPECT_NE(message_of([&] { f.read_attribute_double("forward", "nope"); }).find("lacks attribute 'nope'"),
            std::string::npos);
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

TEST(H5File, GoldenStructureQueries) {
  const H5File f = H5File::open_read(kTiny);
  EXPECT_EQ(f.path(), kTiny);
  EXPECT_EQ(f.read_attribute_double("forward", "accuracy"), 0.0);
  EXPECT_EQ(f.read_attribute_int("config", "vocab_size"), 50);
  EXPECT_EQ(f.read_attribute_double("config", "layer_norm_eps"), 1e-6);
  EXPECT_TRUE(f.has_attribute("config", "rope"));
  EXPECT_FALSE(f.has_attribute("config", "nope"));
  EXPECT_FALSE(f.has_attribute("missing/group", "rope"));
  const std::vector<std::string> config = f.attribute_names("config");
  EXPECT_TRUE(std::is_sorted(config.begin(), config.end()));
  EXPECT_NE(std::find(config.begin(), config.end(), "d_model"), config.end());
  // list(): sorted member names of the root and of nested groups.
  EXPECT_EQ(f.list("/"), (std::vector<std::string>{"config", "dag", "forward", "forward_f32", "generate", "grads",
                                                   "inputs", "params", "train"}));
  EXPECT_EQ(f.list("forward"), (std::vector<std::string>{"hidden", "layer0", "layer1", "logits"}));
  EXPECT_EQ(f.list("inputs"), std::vector<std::string>{"tokens"});
  const std::vector<std::string> layer0 = f.list("forward/layer0");
  EXPECT_NE(std::find(layer0.begin(), layer0.end(), "G_LM"), layer0.end());
  // exists / is_group / is_dataset on nested, missing and odd paths.
  EXPECT_TRUE(f.exists("/"));
  EXPECT_TRUE(f.exists("/config"));
  EXPECT_TRUE(f.exists("dag/grads"));
  EXPECT_TRUE(f.exists("params/decoder.embedding.weight"));
  EXPECT_FALSE(f.exists("params/decoder.embedding.weight/below"));  // a path through a dataset
  EXPECT_FALSE(f.exists("params/missing"));
  EXPECT_FALSE(f.exists("missing"));
  EXPECT_TRUE(f.is_group("/"));
  EXPECT_TRUE(f.is_group("forward/layer0"));
  EXPECT_FALSE(f.is_group("forward/logits"));
  EXPECT_FALSE(f.is_group("forward/missing"));
  EXPECT_TRUE(f.is_dataset("forward/layer0/G_LM"));
  EXPECT_FALSE(f.is_dataset("forward/layer0"));
  EXPECT_FALSE(f.is_dataset("forward/layer0/missing"));
  EXPECT_FALSE(f.is_dataset("missing/deeper"));
  // Shapes and element types of datasets written by h5py.
  EXPECT_EQ(f.shape("inputs/tokens"), (std::vector<int64_t>{2, 13}));
  EXPECT_EQ(f.shape("forward/logits"), (std::vector<int64_t>{2, 12, 50}));
  EXPECT_EQ(f.shape("params/decoder.embedding.weight"), (std::vector<int64_t>{50, 16}));
  EXPECT_EQ(f.element_type("forward/logits"), ElementType::Float64);
  EXPECT_EQ(f.element_type("params/decoder.embedding.weight"), ElementType::Float64);
  // HDF5 converts on read: the float64 embedding as float32 matches to float precision.
  const std::vector<double> d = f.read<double>("params/decoder.embedding.weight");
  const std::vector<float> s = f.read<float>("params/decoder.embedding.weight");
  ASSERT_EQ(d.size(), s.size());
  for (size_t i = 0; i < d.size(); ++i) EXPECT_EQ(s[i], static_cast<float>(d[i]));
  const std::vector<int64_t> tokens = f.read<int64_t>("inputs/tokens");
  EXPECT_EQ(tokens.size(), 26u);
  for (int64_t t : tokens) EXPECT_TRUE(t >= 0 && t < 50) << t;
}

TEST(H5File, RoundTripShapesAndElementTypes) {
  const std::string path = temp("types.h5");
  {
    H5File f = H5File::create(path);
    std::vector<float> f32(24);
    for (size_t i = 0; i < f32.size(); ++i) f32[i] = 0.5f * static_cast<float>(i) - 3;
    f.write<float>("g/f32", f32, {2, 3, 4});
    f.write<double>("g/f64", std::vector<double>{1e-300, -0.0, 1e300}, {3, 1});
    f.write<int32_t>("g/i32", std::vector<int32_t>{INT32_MIN, 0, INT32_MAX, 5}, {2, 2});
    f.write<int64_t>("g/i64", std::vector<int64_t>{INT64_MIN, INT64_MAX}, {2});
    f.write<uint8_t>("g/u8", std::vector<uint8_t>{0, 1, 127, 128, 255, 9}, {3, 2});
    f.write<double>("scalar", std::vector<double>{2.5}, {});
    f.write<float>("empty", std::vector<float>{}, {0});
    f.write<double>("deep/er/and/deeper", std::vector<double>{7}, {1});
    f.create_group("made/by/hand");
    f.write_string_dataset("texts/utf8", "G_LM ∘ A_LM\nsecond line");
    f.write_string_dataset("texts/empty", "");
    f.write_string_dataset("texts/nul", std::string("a\0b", 3));
  }
  const H5File f = H5File::open_read(path);
  std::vector<int64_t> shape;
  const std::vector<float> f32 = f.read<float>("g/f32", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3, 4}));
  ASSERT_EQ(f32.size(), 24u);
  EXPECT_EQ(f32[23], 0.5f * 23 - 3);
  EXPECT_EQ(f.element_type("g/f32"), ElementType::Float32);
  EXPECT_EQ(f.read<double>("g/f64", &shape), (std::vector<double>{1e-300, -0.0, 1e300}));
  EXPECT_EQ(shape, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(f.element_type("g/f64"), ElementType::Float64);
  EXPECT_EQ(f.read<int32_t>("g/i32", &shape), (std::vector<int32_t>{INT32_MIN, 0, INT32_MAX, 5}));
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(f.element_type("g/i32"), ElementType::Int32);
  EXPECT_EQ(f.read<int64_t>("g/i64"), (std::vector<int64_t>{INT64_MIN, INT64_MAX}));
  EXPECT_EQ(f.element_type("g/i64"), ElementType::Int64);
  EXPECT_EQ(f.read<uint8_t>("g/u8", &shape), (std::vector<uint8_t>{0, 1, 127, 128, 255, 9}));
  EXPECT_EQ(shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(f.element_type("g/u8"), ElementType::UInt8);
  EXPECT_EQ(f.read<int32_t>("g/u8"), (std::vector<int32_t>{0, 1, 127, 128, 255, 9}));  // widened on read
  EXPECT_EQ(f.read_scalar<double>("scalar"), 2.5);
  EXPECT_EQ(f.shape("scalar"), std::vector<int64_t>{});
  EXPECT_TRUE(f.read<float>("empty", &shape).empty());
  EXPECT_EQ(shape, std::vector<int64_t>{0});
  EXPECT_EQ(f.read_scalar<int32_t>("deep/er/and/deeper"), 7);
  EXPECT_TRUE(f.is_group("deep/er/and"));
  EXPECT_TRUE(f.is_group("made/by/hand"));
  EXPECT_TRUE(f.list("made/by/hand").empty());
  EXPECT_EQ(f.list("/"), (std::vector<std::string>{"deep", "empty", "g", "made", "scalar", "texts"}));
  EXPECT_EQ(f.list("g"), (std::vector<std::string>{"f32", "f64", "i32", "i64", "u8"}));
  EXPECT_EQ(f.read_string_dataset("texts/utf8"), "G_LM ∘ A_LM\nsecond line");
  EXPECT_EQ(f.read_string_dataset("texts/empty"), "");
  EXPECT_EQ(f.read_string_dataset("texts/nul"), std::string("a\0b", 3));
  fs::remove(path);
}

TEST(H5File, AttributesOfEveryKindOnGroupsAndDatasets) {
  const std::string path = temp("attrs.h5");
  {
    H5File f = H5File::create(path);
    f.write<float>("data/x", std::vector<float>{1, 2}, {2});
    f.write_attribute("/", "int", int64_t(-5));
    f.write_attribute("/", "big", int64_t(1) << 53);
    f.write_attribute("data", "double", -1.25);
    f.write_attribute("data/x", "string", std::string("a string with spaces, ∘ and \"quotes\""));
    f.write_attribute("data/x", "empty", std::string());
    f.write_attribute("data/x", "doubles", std::vector<double>{0.01, 0.02, 0.03});
    f.write_attribute("data/x", "no doubles", std::vector<double>{});
    f.write_attribute("/", "replaced", 1.0);
    f.write_attribute("/", "replaced", std::string("now a string"));  // same name, another kind
  }
  const H5File f = H5File::open_read(path);
  EXPECT_EQ(f.read_attribute_int("/", "int"), -5);
  EXPECT_EQ(f.read_attribute_int("/", "big"), int64_t(1) << 53);
  EXPECT_EQ(f.read_attribute_double("/", "int"), -5.0);  // integers read as doubles too
  EXPECT_EQ(f.read_attribute_double("data", "double"), -1.25);
  EXPECT_EQ(f.read_attribute_string("data/x", "string"), "a string with spaces, ∘ and \"quotes\"");
  EXPECT_EQ(f.read_attribute_string("data/x", "empty"), "");
  EXPECT_EQ(f.read_attribute_doubles("data/x", "doubles"), (std::vector<double>{0.01, 0.02, 0.03}));
  EXPECT_TRUE(f.read_attribute_doubles("data/x", "no doubles").empty());
  EXPECT_EQ(f.read_attribute_doubles("data", "double"), std::vector<double>{-1.25});  // a scalar is a list of one
  EXPECT_EQ(f.read_attribute_string("/", "replaced"), "now a string");
  EXPECT_EQ(f.attribute_names("/"), (std::vector<std::string>{"big", "int", "replaced"}));
  EXPECT_EQ(f.attribute_names("data/x"), (std::vector<std::string>{"doubles", "empty", "no doubles", "string"}));
  EXPECT_TRUE(f.attribute_names("data").size() == 1);
  // Asking for the wrong kind is an IoError naming the attribute, the object and the file.
  for (const std::string& m : {message_of([&] { f.read_attribute_string("/", "int"); }),
                               message_of([&] { f.read_attribute_double("data/x", "doubles"); }),
                               message_of([&] { f.read_attribute_int("data/x", "doubles"); }),
                               message_of([&] { f.read_attribute_double("data/x", "string"); })}) {
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find(": attribute '"), std::string::npos) << m;
  }
  EXPECT_NE(message_of([&] { f.read_attribute_string("/", "int"); }).find("is not a string"), std::string::npos);
  EXPECT_NE(message_of([&] { f.read_attribute_double("data/x", "doubles"); }).find("is not a single number"),
            std::string::npos);
  fs::remove(path);
}

TEST(H5File, MisuseIsAnIoErrorNamingFileAndObject) {
  const H5File golden = H5File::open_read(kTiny);
  struct Case {
    std::string message, object, problem;
  };
  const std::vector<Case> cases{
      {message_of([&] { golden.read<double>("params/missing.weight"); }), "params/missing.weight", "no such dataset"},
      {message_of([&] { golden.read<double>("forward/layer0"); }), "forward/layer0", "no such dataset"},
      {message_of([&] { golden.shape("nope/deeper"); }), "nope/deeper", "no such dataset"},
      {message_of([&] { golden.element_type("nope"); }), "nope", "no such dataset"},
      {message_of([&] { golden.read_scalar<double>("inputs/tokens"); }), "inputs/tokens", "is not a single value"},
      {message_of([&] { golden.list("forward/logits"); }), "forward/logits", "is not a group"},
      {message_of([&] { golden.list("missing"); }), "missing", "is not a group"},
      {message_of([&] { golden.read_attribute_int("config", "missing_key"); }), "config",
       "lacks attribute 'missing_key'"},
      {message_of([&] { golden.read_attribute_string("missing", "rope"); }), "missing", "lacks attribute 'rope'"},
      {message_of([&] { golden.read_attribute_doubles("dag", "coefs"); }), "dag", "lacks attribute 'coefs'"},
      {message_of([&] { golden.attribute_names("missing"); }), "missing", "no such object"},
  };
  for (const Case& c : cases) {
    EXPECT_NE(c.message.find("HDF5 file " + kTiny), std::string::npos) << c.message;
    EXPECT_NE(c.message.find(c.object + ": "), std::string::npos) << c.message;
    EXPECT_NE(c.message.find(c.problem), std::string::npos) << c.message;
  }
  // Writing: an existing dataset, a group where a dataset is, a folder that does not exist.
  const std::string path = temp("misuse.h5");
  H5File f = H5File::create(path);
  f.write<double>("a/x", std::vector<double>{1}, {1});
  EXPECT_NE(message_of([&] { f.write<double>("a/x", std::vector<double>{2}, {1}); }).find("a/x: cannot create dataset"),
            std::string::npos);
  EXPECT_NE(message_of([&] { f.create_group("a/x"); }).find("a/x: exists and is not a group"), std::string::npos);
  EXPECT_NE(message_of([&] { f.write<double>("a/x/y", std::vector<double>{2}, {1}); }).find(path), std::string::npos);
  EXPECT_NE(message_of([&] { f.write_attribute("missing", "k", 1.0); }).find("missing: cannot write attribute k"),
            std::string::npos);
  EXPECT_EQ(f.read<double>("a/x"), std::vector<double>{1});  // the failed writes left it alone
  const std::string nowhere = temp("no-such-folder") + "/x.h5";
  EXPECT_NE(message_of([&] { H5File::create(nowhere); }).find(nowhere + ": cannot be created"), std::string::npos);
  // A folder is not an HDF5 file.
  EXPECT_NE(message_of([] { H5File::open_read(::testing::TempDir()); }).find("is not an HDF5 file"), std::string::npos);
  fs::remove(path);
}

TEST(H5File, DamagedFilesGiveIoErrorsNotCrashes) {
  std::ifstream in(kTiny, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string missing = temp("absent.h5");
  EXPECT_EQ(message_of([&] { H5File::open_read(missing); }), "HDF5 file " + missing + ": does not exist");
  const std::string empty = temp("empty.h5");
  std::ofstream(empty, std::ios::binary).flush();
  EXPECT_EQ(message_of([&] { H5File::open_read(empty); }), "HDF5 file " + empty + ": is not an HDF5 file");
  // Cut at several places: every read of the whole file either works or is an IoError naming it.
  for (size_t keep : {size_t(8), size_t(100), size_t(1000), bytes.size() / 4, bytes.size() / 2, bytes.size() - 1000}) {
    const std::string cut = temp("cut" + std::to_string(keep) + ".h5");
    std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(keep));
    const std::string m = message_of([&] {
      const H5File f = H5File::open_read(cut);
      for (const std::string group : {"params", "forward/layer0", "dag/grads"})
        for (const std::string& name : f.list(group))
          if (f.is_dataset(group + "/" + name)) f.read<double>(group + "/" + name);
    });
    EXPECT_NE(m.find("HDF5 file " + cut), std::string::npos) << keep << ": " << m;
    fs::remove(cut);
  }
  // Damage inside: flip bytes in the middle of the file (the data of some datasets).
  std::string flipped = bytes;
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) flipped[i] = static_cast<char>(~flipped[i]);
  const std::string bad = temp("flipped.h5");
  std::ofstream(bad, std::ios::binary).write(flipped.data(), static_cast<std::streamsize>(flipped.size()));
  try {  // raw data changes are not detectable without checksums; structure damage must be an IoError
    const H5File f = H5File::open_read(bad);
    for (const std::string& name : f.list("params")) f.read<double>("params/" + name);
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
  fs::remove(empty);
  fs::remove(bad);
}

TEST(H5File, MovedFromFileIsEmptyAndTheTargetWorks) {
  H5File a = H5File::open_read(kTiny);
  H5File b = std::move(a);
  EXPECT_EQ(b.read_attribute_int("config", "d_model"), 16);
  H5File c = H5File::open_read(kTiny);
  c = std::move(b);
  EXPECT_EQ(c.path(), kTiny);
  EXPECT_EQ(c.shape("inputs/tokens"), (std::vector<int64_t>{2, 13}));
}

TEST(AtomicFile, NewFileThatFailsLeavesNothingAndAnHdf5WriterWorks) {
  const fs::path folder = temp("atomic_new");
  fs::remove_all(folder);
  fs::create_directories(folder);
  const std::string path = (folder / "out.h5").string();
  EXPECT_THROW(write_atomically(path,
                                [](const std::string& tmp) {
                                  H5File f = H5File::create(tmp);
                                  f.write<double>("x", std::vector<double>{1}, {1});
                                  throw IoError("disk full");
                                }),
               IoError);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(folder));
  // A writer that never creates the temporary file is an error too, and leaves nothing.
  EXPECT_THROW(write_atomically(path, [](const std::string&) {}), IoError);
  EXPECT_TRUE(fs::is_empty(folder));
  write_atomically(path, [](const std::string& tmp) {
    H5File f = H5File::create(tmp);
    f.write<double>("x", std::vector<double>{42}, {1});
  });
  EXPECT_EQ(H5File::open_read(path).read_scalar<double>("x"), 42);
  EXPECT_EQ(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 1);
  // Replacing an HDF5 file that failed halfway keeps the old content readable.
  EXPECT_THROW(write_atomically(path,
                                [](const std::string& tmp) {
                                  H5File f = H5File::create(tmp);
                                  f.write<double>("x", std::vector<double>{-1}, {1});
                                  throw std::runtime_error("killed");
                                }),
               std::runtime_error);
  EXPECT_EQ(H5File::open_read(path).read_scalar<double>("x"), 42);
  EXPECT_EQ(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 1);
  // A relative path in the current folder works (its folder is ".").
  const fs::path old = fs::current_path();
  fs::current_path(folder);
  write_atomically("rel.txt", [](const std::string& tmp) { std::ofstream(tmp) << "relative"; });
  fs::current_path(old);
  EXPECT_TRUE(fs::exists(folder / "rel.txt"));
  fs::remove_all(folder);
}

TEST(H5File, BFloat16DatasetsKeepTheirBitsAndReadAsFloat) {
  const std::string path = temp("bf16.h5");
  const std::vector<BFloat16> values{BFloat16(1.0f),
                                     BFloat16(-2.5f),
                                     BFloat16(1e-3f),
                                     BFloat16(3e38f),
                                     BFloat16::from_bits(0x0001) /* smallest subnormal */,
                                     BFloat16(-0.0f)};
  {
    H5File f = H5File::create(path);
    f.write<BFloat16>("w/half", values, {2, 3});
  }
  const H5File f = H5File::open_read(path);
  EXPECT_EQ(f.element_type("w/half"), ElementType::BFloat16);
  EXPECT_EQ(f.read_attribute_string("w/half", "dtype"), "bfloat16");
  std::vector<int64_t> shape;
  const std::vector<BFloat16> back = f.read<BFloat16>("w/half", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(back.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(back[i].bits, values[i].bits) << i;
  const std::vector<double> wide = f.read<double>("w/half");  // HDF5's own conversion, exact
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(wide[i], double(float(values[i]))) << i;
  EXPECT_TRUE(std::signbit(wide[5]));
  fs::remove(path);
}

}  // namespace
}  // namespace pldr::io
