// `pldr` with Hugging Face folders, run as a subprocess: generate from token ids and from text, and
// evaluate (in every build, also one without HDF5 and SentencePiece, where the tool reads the
// tokenizer with data/spm/), and in a full build convert to a checkpoint, export it back and load
// the export identically.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "autograd/grad_mode.h"
#include "data/tokenizer.h"
#include "interop/hf_export.h"
#include "interop/hf_import.h"
#include "io/safetensors.h"
#include "pldr/generate.h"
#include "tests/apps/run_pldr.h"

namespace {

namespace fs = std::filesystem;
const std::string kHf = std::string(PLDR_TEST_DATA_DIR) + "/hf/";
const std::string kTokenizer = std::string(PLDR_SOURCE_DIR) + "/data/tokenizer/pldr-refinedweb-32k.model";

struct HfCli : ::testing::Test {
  void SetUp() override {
    root = fs::path(::testing::TempDir()) / ("hf_cli_" + std::to_string(::getpid()));
    fs::remove_all(root);
    for (const bool gptj : {true, false}) {  // v51 and v52 RoPE pairings
      const fs::path folder = root / (gptj ? "v51" : "v52");
      fs::create_directories(folder);
      std::ifstream in(kHf + "tiny_expected.json");
      nlohmann::json config = nlohmann::json::parse(in)["config"];
      config["reference_rope"] = gptj;
      std::ofstream(folder / "config.json") << config.dump(2);
      fs::copy_file(kHf + "tiny_model.safetensors", folder / "model.safetensors");
    }
  }
  void TearDown() override { fs::remove_all(root); }
  std::string dir(const std::string& name) const { return (root / name).string(); }

  // `pldr generate --prompts` on `folder` completes `prompt` with the library's greedy `steps`
  // tokens of `model`, decoded with `tokenizer`.
  void expect_prompts_completion(const std::string& folder, pldr::PldrModel& model,
                                 const pldr::data::Tokenizer& tokenizer, const std::string& prompt, int steps) {
    pldr::GenerationOptions o;
    o.max_new_tokens = steps;
    o.sampling.greedy = true;
    o.stop_at_eos = false;
    const auto tokens = pldr::generate(model, tokenizer.encode_prompt(prompt), o).tokens;
    ASSERT_EQ(tokens.size(), size_t(steps));
    std::ofstream(dir("prompts.txt")) << prompt << "\n";
    const CommandResult r = pldr("generate --hf " + quote(folder) + " --prompts " + quote(dir("prompts.txt")) +
                                 " --greedy --max-new-tokens " + std::to_string(steps) + " --ignore-end");
    ASSERT_EQ(r.code, 0) << r.output;
    const nlohmann::json line = nlohmann::json::parse(r.output.substr(0, r.output.find('\n')));
    EXPECT_EQ(line["completion"], tokenizer.decode(tokens)) << r.output;
  }
  fs::path root;
};

// The greedy continuation the library gives, as the tool prints it.
std::string library_greedy(const std::string& folder, const std::vector<int32_t>& prompt, int steps) {
  const pldr::interop::HfModel m = pldr::interop::load_hf_folder(folder, pldr::DType::Float32);
  pldr::GenerationOptions o;
  o.max_new_tokens = steps;
  o.sampling.greedy = true;
  o.stop_at_eos = false;
  const auto tokens = pldr::generate(*m.model, prompt, o).tokens;
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) out += (i ? "," : "") + std::to_string(tokens[i]);
  return out;
}

TEST_F(HfCli, GeneratesTokenIdsFromAFolder) {
  const CommandResult r =
      pldr("generate --hf " + quote(dir("v52")) + " --ids 2,15,7 --greedy --max-new-tokens 6 --ignore-end");
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string expected = library_greedy(dir("v52"), {2, 15, 7}, 6);
  EXPECT_EQ(r.output.substr(0, expected.size() + 1), expected + "\n") << r.output;
  EXPECT_RESULT(pldr("generate --hf " + quote(dir("v52")) + " --ids 2,50"), 2,
                "--ids: '50' is not a token id in [0, 50)");
  EXPECT_RESULT(pldr("generate --hf " + quote(dir("v52")) + " --ids 2,x"), 2, "--ids: 'x' is not a token id");
  EXPECT_RESULT(pldr("generate --hf " + quote(dir("absent")) + " --ids 2"), 1, "absent: is not a folder");
  EXPECT_RESULT(pldr("generate --hf " + quote(dir("v52")) + " --ids 2 --dtype int32"), 2,
                "--dtype must be float32 or float64");
}

// The tiny model widened to the published tokenizer's 32,000 pieces, exported with it into `folder`.
std::unique_ptr<pldr::PldrModel> export_text_model(const std::string& tiny_folder, const std::string& folder) {
  pldr::PldrConfig config = pldr::interop::load_hf_folder(tiny_folder, pldr::DType::Float32).model->config();
  config.vocab_size = 32000;
  auto model = std::make_unique<pldr::PldrModel>(config, pldr::DType::Float32);
  model->initialize(5);
  pldr::interop::export_hf_folder(*model, folder, kTokenizer);
  return model;
}

TEST_F(HfCli, GeneratesTextWithTheFoldersTokenizer) {
  const std::string folder = dir("text");
  const std::unique_ptr<pldr::PldrModel> model = export_text_model(dir("v52"), folder);

  const std::string prompt = "The quick brown fox";
  const CommandResult r = pldr("generate --hf " + quote(folder) + " --prompt " + quote(prompt) +
                               " --greedy --max-new-tokens 5 --ignore-end");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.substr(0, prompt.size()), prompt) << r.output;
  EXPECT_TRUE(mentions(r, "5 tokens in")) << r.output;

  // --prompts: the completion is the library's greedy continuation, decoded.
  const pldr::data::Tokenizer tokenizer = pldr::data::Tokenizer::load(kTokenizer);
  expect_prompts_completion(folder, *model, tokenizer, prompt, 5);
}

// The bundled Shakespeare export (tests/data/shakespeare_hf: trained, with its own 512-piece
// tokenizer; scripts/test-arm.sh runs it on aarch64): the tool's greedy completion of a prompt is
// the library's, decoded with the folder's tokenizer.
TEST_F(HfCli, CompletesTextWithTheBundledShakespeareExport) {
  const std::string folder = std::string(PLDR_TEST_DATA_DIR) + "/shakespeare_hf";
  const pldr::interop::HfModel m = pldr::interop::load_hf_folder(folder, pldr::DType::Float32);
  const pldr::data::Tokenizer tokenizer = pldr::data::Tokenizer::load(folder + "/tokenizer.model");
  expect_prompts_completion(folder, *m.model, tokenizer, "ROMEO:", 12);
}

TEST_F(HfCli, EvaluatesTextAndATaskWithTheFoldersTokenizer) {
  const std::string folder = dir("text");
  export_text_model(dir("v52"), folder);
  std::ofstream(dir("text.txt")) << "To be, or not to be, that is the question.\n";
  EXPECT_RESULT(pldr("eval --hf " + quote(folder) + " --text " + quote(dir("text.txt"))), 0, "bits per byte");
  const std::string results = dir("results.json");
  EXPECT_RESULT(pldr("eval --hf " + quote(folder) + " --tasks arc_easy --limit 2 --output " + quote(results)), 0,
                "arc_easy");
  std::ifstream in(results);
  const nlohmann::json r = nlohmann::json::parse(in, nullptr, false);
  EXPECT_TRUE(r.dump().find("arc_easy") != std::string::npos) << r.dump();
}

// int8 weights (docs/int8.md): pldr quantize writes a folder that generates what --weights int8
// gives when quantising at load; it generates and evaluates text; bad input fails clearly.
TEST_F(HfCli, QuantizesToAnInt8FolderThatGeneratesAsQuantisingAtLoad) {
  const std::string out = dir("int8");
  EXPECT_RESULT(pldr("quantize --hf " + quote(dir("v52")) + " -o " + quote(out)), 0, "int8 weights");
  const std::string args = " --ids 5,9,11,3 --greedy --max-new-tokens 8 --ignore-end";
  const CommandResult at_load = pldr("generate --hf " + quote(dir("v52")) + " --weights int8" + args);
  const CommandResult stored = pldr("generate --hf " + quote(out) + args);
  ASSERT_EQ(at_load.code, 0) << at_load.output;
  ASSERT_EQ(stored.code, 0) << stored.output;
  const std::string ids = stored.output.substr(0, stored.output.find('\n'));
  EXPECT_EQ(ids, at_load.output.substr(0, at_load.output.find('\n')));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), ','), 7) << ids;
  EXPECT_EQ(stored.output.substr(0, stored.output.find('\n')),
            pldr("generate --hf " + quote(out) + " --weights int8" + args).output.substr(0, ids.size()));

  // Bad input: an existing output, an unknown --weights value, float32 from an int8 folder.
  std::ofstream(dir("file")) << "keep me";
  EXPECT_RESULT(pldr("quantize --hf " + quote(dir("v52")) + " -o " + quote(dir("file"))), 2, "exists");
  EXPECT_RESULT(pldr("quantize --hf " + quote(dir("v52")) + " -o " + quote(out)), 2, "exists");
  std::ifstream kept(dir("file"));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), "keep me");
  EXPECT_RESULT(pldr("generate --hf " + quote(dir("v52")) + " --weights int4" + args), 2,
                "--weights must be float32 or int8, got int4");
  EXPECT_RESULT(pldr("generate --hf " + quote(out) + " --weights float32" + args), 1, "holds int8 weights");
  EXPECT_RESULT(pldr("generate --hf " + quote(dir("v52")) + " --weights int8 --dtype float64" + args), 1,
                "int8 weights run in float32");
  EXPECT_RESULT(pldr("quantize -o " + quote(dir("none"))), 2, "give exactly one of --checkpoint CKPT or --hf DIR");
  EXPECT_RESULT(pldr("quantize --hf " + quote(dir("absent")) + " -o " + quote(dir("none"))), 1, "is not a folder");
}

TEST_F(HfCli, Int8WeightsEvaluateTextNearFloat32) {
  const std::string folder = dir("text"), int8 = dir("text_int8");
  export_text_model(dir("v52"), folder);
  EXPECT_RESULT(pldr("quantize --hf " + quote(folder) + " -o " + quote(int8)), 0, "tokenizer.model");
  std::ofstream(dir("text.txt")) << "To be, or not to be, that is the question.\n";
  const CommandResult f32 = pldr("eval --hf " + quote(folder) + " --text " + quote(dir("text.txt")));
  const CommandResult q8 = pldr("eval --hf " + quote(int8) + " --text " + quote(dir("text.txt")));
  ASSERT_EQ(f32.code, 0) << f32.output;
  ASSERT_EQ(q8.code, 0) << q8.output;
  auto perplexity = [](const std::string& out) {
    const size_t at = out.find("token perplexity");
    EXPECT_NE(at, std::string::npos) << out;
    return std::stod(out.substr(out.find_first_of("0123456789", at)));
  };
  const double a = perplexity(f32.output), b = perplexity(q8.output);
  EXPECT_NE(a, b);                                 // int8 weights ran
  EXPECT_NEAR(b / a, 1.0, 0.01) << a << " " << b;  // and they cost under 1% of perplexity
}

#if PLDR_APP_FULL
// A checkpoint quantised at load and by pldr quantize generates as the folder it came from does.
TEST_F(HfCli, QuantizesACheckpoint) {
  const std::string h5 = dir("v52.h5"), out = dir("v52_int8");
  EXPECT_RESULT(pldr("convert --hf " + quote(dir("v52")) + " -o " + quote(h5)), 0, "wrote " + h5);
  EXPECT_RESULT(pldr("quantize --checkpoint " + quote(h5) + " -o " + quote(out)), 0, "no tokenizer");
  const std::string args = " --ids 5,9,11,3 --greedy --max-new-tokens 8 --ignore-end";
  const CommandResult folder = pldr("generate --hf " + quote(dir("v52")) + " --weights int8" + args);
  ASSERT_EQ(folder.code, 0) << folder.output;
  const std::string ids = folder.output.substr(0, folder.output.find('\n'));
  for (const std::string& source : {"--checkpoint " + quote(h5) + " --weights int8", "--hf " + quote(out)}) {
    const CommandResult r = pldr("generate " + source + args);
    EXPECT_EQ(r.output.substr(0, r.output.find('\n')), ids) << source << "\n" << r.output;
  }
}

TEST_F(HfCli, ConvertsExportsAndLoadsAgainIdentically) {
  for (const std::string version : {"v51", "v52"}) {
    SCOPED_TRACE(version);
    const std::string h5 = dir(version + ".h5"), exported = dir(version + "_exported");
    EXPECT_RESULT(pldr("convert --hf " + quote(dir(version)) + " -o " + quote(h5)), 0, "wrote " + h5);
    // The test folders have no tokenizer: an export without one is refused unless asked for.
    EXPECT_RESULT(pldr("export " + quote(h5) + " -o " + quote(exported)), 1, "pass --tokenizer MODEL");
    EXPECT_RESULT(pldr("export " + quote(h5) + " -o " + quote(exported) + " --without-tokenizer"), 0,
                  "config.json, model.safetensors");
    // The same float32 tensors, and the same generation from the export and from the checkpoint.
    const auto original = pldr::io::read_safetensors(dir(version) + "/model.safetensors");
    const auto again = pldr::io::read_safetensors(exported + "/model.safetensors");
    ASSERT_EQ(again.size(), original.size());
    for (const auto& [name, e] : original) {
      ASSERT_TRUE(again.count(name)) << name;
      EXPECT_EQ(again.at(name).shape, e.shape) << name;
      EXPECT_EQ(again.at(name).values, e.values) << name;
    }
    const std::string args = " --ids 5,9,11,3 --greedy --max-new-tokens 8 --ignore-end";
    const CommandResult from_folder = pldr("generate --hf " + quote(dir(version)) + args);
    EXPECT_EQ(from_folder.code, 0) << from_folder.output;
    const std::string ids = from_folder.output.substr(0, from_folder.output.find('\n'));
    EXPECT_EQ(ids, library_greedy(dir(version), {5, 9, 11, 3}, 8));
    for (const std::string& source : {"--hf " + quote(exported), "--checkpoint " + quote(h5)}) {
      const CommandResult r = pldr("generate " + source + args);
      EXPECT_EQ(r.output.substr(0, r.output.find('\n')), ids) << source << "\n" << r.output;
    }
  }
  // The two pairings are different models.
  EXPECT_NE(
      pldr("generate --hf " + quote(dir("v51")) + " --ids 5,9,11,3 --greedy --max-new-tokens 8 --ignore-end").output,
      pldr("generate --hf " + quote(dir("v52")) + " --ids 5,9,11,3 --greedy --max-new-tokens 8 --ignore-end").output);
  const std::string out = dir("deductive.h5");
  EXPECT_RESULT(
      pldr("inspect --hf " + quote(dir("v51")) + " --tokenizer " + quote(kTokenizer) + " --prompt hi -o " + quote(out)),
      1, "more than the model's vocabulary of 50");
  EXPECT_RESULT(pldr("convert -o " + quote(dir("x.h5"))), 2, "--hf DIR is required");
  EXPECT_RESULT(pldr("export " + quote(dir("v52")) + " -o " + quote(dir("x"))), 1, "v52");
}
#endif

}  // namespace
