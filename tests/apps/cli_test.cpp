// The `pldr` tool as a user meets it, run as a subprocess: exit codes (0 done, 1 error, 2 usage)
// and messages for bad input; checkpoints saved here with save_checkpoint and then damaged; and the
// whole pipeline (tokenizer, prepare, train, generate, inspect, plot, resume) on a small slice of text.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include <nlohmann/json.hpp>
#include "data/tokenizer.h"
#include "io/hdf5_file.h"

#include "tests/apps/run_pldr.h"
#include "train/checkpoint.h"

namespace {

namespace fs = std::filesystem;
using pldr::io::H5File;

const std::string kGolden = std::string(PLDR_TEST_DATA_DIR) + "/golden/tiny.h5";
const std::string kTokenizer = std::string(PLDR_SOURCE_DIR) + "/data/tokenizer/pldr-refinedweb-32k.model";

// A folder for this process's files, removed at the end.
fs::path scratch() {
  static const fs::path dir = [] {
    const fs::path d = fs::path(::testing::TempDir()) / ("apps_cli_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }();
  return dir;
}
struct RemoveScratch : ::testing::Environment {
  void TearDown() override { fs::remove_all(scratch()); }
};
[[maybe_unused]] const auto* const kRemoveScratch = ::testing::AddGlobalTestEnvironment(new RemoveScratch);

std::string scratch_file(const std::string& name, const std::string& content) {
  const std::string path = (scratch() / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// ---------------------------------------------------------------------------------------------
// Usage errors: exit 2 with a message saying what is wrong.

TEST(Usage, NoArgumentsPrintsUsageAndExitsTwo) {
  const CommandResult r = pldr("");
  EXPECT_RESULT(r, 2, "usage: pldr COMMAND");
  for (const char* command : {"tokenizer", "prepare", "train", "generate", "eval", "inspect", "invariance", "transfer",
                              "convert", "export", "plot", "verify-golden"})
    EXPECT_TRUE(mentions(r, command)) << command;
  EXPECT_RESULT(pldr("--help"), 0, "usage: pldr COMMAND");
}

TEST(Usage, UnknownCommandExitsTwoNamingIt) {
  EXPECT_RESULT(pldr("frobnicate"), 2, "unknown command 'frobnicate'");
  EXPECT_RESULT(pldr("Train --config x.json"), 2, "unknown command 'Train'");
}

TEST(Usage, UnknownFlagExitsTwoNamingIt) {
  EXPECT_RESULT(pldr("generate --checkpoint x.h5 --prompt y --tmperature 2"), 2, "unknown flag --tmperature");
  EXPECT_RESULT(pldr("verify-golden " + quote(kGolden) + " --fast"), 2, "unknown flag --fast");
  EXPECT_RESULT(pldr("train --config x.json --step 3"), 2, "unknown flag --step");
  EXPECT_RESULT(pldr("inspect --checkpoint x.h5 --prompt y -o out.h5 --layers 1"), 2, "unknown flag --layers");
  EXPECT_RESULT(pldr("plot m.jsonl -o c.svg --dpi=300"), 2, "unknown flag --dpi");
  // The usage line of the command follows the message.
  EXPECT_RESULT(pldr("generate --bogus"), 2, "usage: pldr generate (--checkpoint CKPT | --hf DIR)");
}

TEST(Usage, BadFlagValuesAndMissingFlagsExitTwo) {
  EXPECT_RESULT(pldr("verify-golden " + quote(kGolden) + " --dtype int32"), 2, "--dtype must be float64 or float32");
  EXPECT_RESULT(pldr("verify-golden " + quote(kGolden) + " --rope-table guessed"), 2,
                "--rope-table must be reference or fitted");
  EXPECT_RESULT(pldr("verify-golden " + quote(kGolden) + " --simd neon"), 2, "--simd must be avx2 or avx512");
  EXPECT_RESULT(pldr("verify-golden"), 2, "takes one golden file");
  EXPECT_RESULT(pldr("verify-golden a.h5 b.h5"), 2, "takes one golden file");
  EXPECT_RESULT(pldr("generate --checkpoint"), 2, "--checkpoint needs a value");
  EXPECT_RESULT(pldr("generate --prompt hi"), 2, "give exactly one of --checkpoint CKPT or --hf DIR");
  EXPECT_RESULT(pldr("train"), 2, "missing required flag --config");
  EXPECT_RESULT(pldr("generate --greedy=yes --checkpoint x.h5 --prompt hi"), 2, "--greedy takes no value");
  EXPECT_RESULT(pldr("inspect --checkpoint x.h5 --prompt hi"), 2, "missing required flag --output");
}

// ---------------------------------------------------------------------------------------------
// verify-golden

TEST(VerifyGolden, TheTinyGoldenFilePasses) {
  const CommandResult r = pldr("verify-golden " + quote(kGolden));
  EXPECT_RESULT(r, 0, "\"passed\": true");
  EXPECT_FALSE(mentions(r, "\"passed\": false")) << r.output.substr(0, 3000);
  EXPECT_EQ(r.output.find_first_not_of(" \n"), r.output.find('{')) << "the report is JSON: " << r.output.substr(0, 200);
  // The fit, kept as a diagnostic, finds the computed table entry for entry.
  EXPECT_RESULT(pldr("verify-golden " + quote(kGolden) + " --rope-table fitted"), 0, "0 of 48 entries differ");
}

TEST(VerifyGolden, FilesThatAreNotGoldenAreErrors) {
  EXPECT_RESULT(pldr("verify-golden " + quote(scratch_file("notes.txt", "plain text\n"))), 1, "is not an HDF5 file");
  const std::string absent = (scratch() / "absent.h5").string();
  EXPECT_RESULT(pldr("verify-golden " + quote(absent)), 1, absent + ": does not exist");
  const std::string bytes = file_bytes(kGolden);
  const std::string half = scratch_file("golden_half.h5", bytes.substr(0, bytes.size() / 2));
  EXPECT_RESULT(pldr("verify-golden " + quote(half)), 1, half);
  {
    H5File f = H5File::create((scratch() / "other.h5").string());
    f.write<double>("x", std::vector<double>{1}, {1});
  }
  EXPECT_RESULT(pldr("verify-golden " + quote((scratch() / "other.h5").string())), 1, "is not a golden file");
}

// ---------------------------------------------------------------------------------------------
// train: configuration errors exit 1 and name the file or the key.

TEST(TrainConfig, MissingConfigNamesTheFile) {
  const std::string missing = (scratch() / "missing.json").string();
  EXPECT_RESULT(pldr("train --config " + quote(missing)), 1, missing);
}

TEST(TrainConfig, BadConfigurationsNameTheKey) {
  struct Case {
    std::string json, key;
  };
  const std::vector<Case> cases{
      {R"({"optimizer": {"lr": -1}, "data": {"train": "x.tok"}})", "optimizer.lr must be > 0"},
      {R"({"optimizer": {"lr": "fast"}, "data": {"train": "x.tok"}})", "optimizer.lr must be a number"},
      {R"({"trainng": {}, "data": {"train": "x.tok"}})", "trainng is not a known key"},
      {R"({"training": {"stepz": 3}, "data": {"train": "x.tok"}})", "training.stepz is not a known key"},
      {R"({"model": {"hidden_sise": 3}, "data": {"train": "x.tok"}})", "hidden_sise"},
      {R"({"data": {"train": "x.tok", "context": 4096}})", "data.context"},
      {R"({"data": {"train": "x.tok", "packing": "zip"}})", "data.packing"},
      {R"({"training": {"steps": 10}})", "data.train"},
      {R"({"dag": [0.1, -1, 0], "data": {"train": "x.tok"}})", "dag"},
      {R"([1, 2])", "must be a JSON object"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string path = scratch_file("bad" + std::to_string(i) + ".json", cases[i].json);
    EXPECT_RESULT(pldr("train --config " + quote(path)), 1, cases[i].key);
  }
  EXPECT_RESULT(pldr("train --config " + quote(scratch_file("broken.json", "{ not json"))), 1,
                "broken.json is not valid JSON");
}

TEST(TrainConfig, BadOverridesNameTheKey) {
  const std::string path = scratch_file("ok.json", R"({"data": {"train": "x.tok", "context": 16},
    "model": {"vocab_size": 40, "hidden_size": 16, "num_attention_heads": 2, "head_dim": 8, "num_hidden_layers": 1,
              "intermediate_size": 24, "A_dff": 12, "num_reslayerA": 1, "num_denseA": 1, "max_position_embeddings": 32}})");
  EXPECT_RESULT(pldr("train --config " + quote(path) + " optimizer.lr=-0.5"), 1, "optimizer.lr");
  EXPECT_RESULT(pldr("train --config " + quote(path) + " optimizer.lrate=1"), 1, "lrate");
  EXPECT_RESULT(pldr("train --config " + quote(path) + " justaword"), 1, "justaword");
  // A valid configuration whose token file is missing fails naming the file.
  EXPECT_RESULT(
      pldr("train --config " + quote(path) + " training.steps=1 out_dir=" + quote((scratch() / "run_x").string())), 1,
      "x.tok");
}

// ---------------------------------------------------------------------------------------------
// generate and inspect on checkpoints saved here (a tiny float32 model with the published 32k
// tokenizer), whole and damaged.

class Checkpoints : public ::testing::Test {
 protected:
  static pldr::RunConfig config() {
    pldr::RunConfig c;
    c.model.vocab_size = 32000;
    c.model.hidden_size = 16;
    c.model.num_attention_heads = 2;
    c.model.head_dim = 8;
    c.model.num_hidden_layers = 2;
    c.model.intermediate_size = 24;
    c.model.A_dff = 12;
    c.model.num_reslayerA = 1;
    c.model.num_denseA = 1;
    c.model.max_position_embeddings = 64;
    c.data.train = "unused.tok";
    c.data.context = 32;
    c.tokenizer = kTokenizer;
    return c;
  }

  static void SetUpTestSuite() {
    const pldr::RunConfig c = config();
    pldr::PldrModel model(c.model, pldr::DType::Float32);
    model.initialize(11);
    pldr::TrainingState state;
    state.step = 3;
    state.tokenizer_identity = pldr::data::Tokenizer::load(kTokenizer).identity();
    pldr::save_checkpoint(good(), c, model, nullptr, state);
    // A small model (vocabulary 40) that names the 32k tokenizer and records no identity.
    pldr::RunConfig small = c;
    small.model.vocab_size = 40;
    pldr::PldrModel m40(small.model, pldr::DType::Float32);
    m40.initialize(12);
    pldr::save_checkpoint(path("vocab40.h5"), small, m40, nullptr, pldr::TrainingState{});
  }

  static std::string path(const std::string& name) { return (scratch() / name).string(); }
  static std::string good() { return path("good.h5"); }

  // A copy of the good checkpoint with every attribute and dataset, except: `drop` left out,
  // `reshape` written flattened, `run_config` (when given) as the configuration, and `edit`
  // applied at the end.
  static std::string copy(const std::string& name, const std::string& drop, const std::string& reshape,
                          const std::function<void(H5File&)>& edit = nullptr, const std::string& run_config = "") {
    const H5File src = H5File::open_read(good());
    const std::string out = path(name);
    H5File dst = H5File::create(out);
    for (const std::string& attr : src.attribute_names("/")) {
      if (attr == "format" || attr == "tokenizer_identity" || attr == "dtype")
        dst.write_attribute("/", attr, src.read_attribute_string("/", attr));
      else dst.write_attribute("/", attr, src.read_attribute_int("/", attr));
    }
    dst.write_string_dataset("run_config", run_config.empty() ? src.read_string_dataset("run_config") : run_config);
    for (const std::string& p : src.list("params")) {
      const std::string name_in_file = "params/" + p;
      if (name_in_file == drop) continue;
      std::vector<int64_t> shape;
      const std::vector<float> values = src.read<float>(name_in_file, &shape);
      if (name_in_file == reshape) shape = {static_cast<int64_t>(values.size())};
      dst.write<float>(name_in_file, values, shape);
    }
    if (edit) edit(dst);
    return out;
  }

  static CommandResult generate(const std::string& checkpoint, const std::string& more = "") {
    return pldr("generate --checkpoint " + quote(checkpoint) + " --prompt 'The cat' --max-new-tokens 3 " + more);
  }
};

TEST_F(Checkpoints, TheSavedCheckpointGeneratesAndInspects) {
  const CommandResult r = generate(good(), "--greedy --seed 1");
  EXPECT_RESULT(r, 0, "3 tokens in");
  EXPECT_TRUE(mentions(r, "The cat")) << r.output;
  // Greedy decoding is deterministic, with and without the cache. (They need not agree with each
  // other: the G-cache freezes G_LM from the prompt, by design.)
  const std::string text = r.output.substr(0, r.output.find('\n'));
  EXPECT_EQ(generate(good(), "--greedy").output.substr(0, text.size() + 1), text + "\n");
  const CommandResult uncached = generate(good(), "--greedy --no-cache");
  EXPECT_RESULT(uncached, 0, "no cache");
  const std::string uncached_text = uncached.output.substr(0, uncached.output.find('\n'));
  EXPECT_EQ(generate(good(), "--greedy --no-cache").output.substr(0, uncached_text.size() + 1), uncached_text + "\n");
  // Sampling with a seed repeats.
  const CommandResult sampled = generate(good(), "--seed 9 --top-k 50 --temperature 0.8");
  EXPECT_EQ(sampled.code, 0) << sampled.output;
  EXPECT_EQ(generate(good(), "--seed 9 --top-k 50 --temperature 0.8").output.substr(0, sampled.output.find('\n')),
            sampled.output.substr(0, sampled.output.find('\n')));
  EXPECT_RESULT(pldr("generate --checkpoint " + quote(good()) + " --prompt '' --max-new-tokens 2 --seed 4"), 0,
                "2 tokens in");
  const std::string out = path("deductive.h5");
  EXPECT_RESULT(pldr("inspect --checkpoint " + quote(good()) + " --prompt 'The cat sat' -o " + quote(out)), 0, out);
  const H5File f = H5File::open_read(out);
  EXPECT_TRUE(f.exists("G_LM/layer0"));
  EXPECT_TRUE(f.exists("E/layer1"));
  EXPECT_EQ(f.shape("G_LM/layer1")[1], 2);
  // The parameters of Hugging Face's output_pldr_attentions tuple: pw, a and ba [H, dk, dk] per layer.
  const pldr::LoadedCheckpoint c = pldr::load_checkpoint(good());
  const pldr::PowerLawParameters& p = *c.model->decoder.dec_layers[1]->mha1.plgatt_layer;
  EXPECT_EQ(f.shape("pw/layer1"), (std::vector<int64_t>{2, 8, 8}));
  EXPECT_EQ(f.read<double>("pw/layer1"), p.pwlst.value().to_vector<double>());
  EXPECT_EQ(f.read<double>("a/layer1"), p.alst.value().to_vector<double>());
  EXPECT_EQ(f.read<double>("ba/layer0").size(), 2u * 8 * 8);
}

// --G FILE runs a learned model on a fixed G (the layout inspect writes). The G of the prompt itself
// gives what the KV+G cache gives, which freezes G from the prompt; a fixed G makes decoding with and
// without the cache agree, and the G-cache invariance trivial.
TEST_F(Checkpoints, AFixedGRunsGenerateEvalAndInvariance) {
  const std::string g = path("fixed_g.h5");
  ASSERT_EQ(pldr("inspect --checkpoint " + quote(good()) + " --prompt 'The cat' -o " + quote(g)).code, 0);
  auto text_of = [](const CommandResult& r) { return r.output.substr(0, r.output.find('\n')); };
  const CommandResult fixed = generate(good(), "--greedy --G " + quote(g));
  ASSERT_EQ(fixed.code, 0) << fixed.output;
  EXPECT_EQ(text_of(fixed), text_of(generate(good(), "--greedy")));
  EXPECT_EQ(text_of(generate(good(), "--greedy --no-cache --G " + quote(g))), text_of(fixed));

  const std::string out = path("fixed_g_invariance.json");
  EXPECT_RESULT(pldr("invariance --checkpoint " + quote(good()) + " --prompts " +
                     quote(scratch_file("fixed_g_prompts.txt", "Once upon a time\n")) + " -o " + quote(out) +
                     " --max-new-tokens 3 --G " + quote(g)),
                0, "tokens identical with and without the G-cache");
  std::ifstream in(out);
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["summary"]["worst"]["G_LM"]["max_abs"].get<double>(), 0.0);

  const std::string text = scratch_file("fixed_g_text.txt", "The cat sat on the mat.\n");
  EXPECT_RESULT(pldr("eval --checkpoint " + quote(good()) + " --text " + quote(text) + " --window 8 --output " +
                     quote(path("fixed_g_eval.json")) + " --G " + quote(g)),
                0, "bits per byte");
  EXPECT_RESULT(generate(good(), "--G " + quote(path("missing_g.h5"))), 1, "missing_g.h5");
}

// The G-cache invariance experiment: a JSON report and its SVG chart, and bad input named.
TEST_F(Checkpoints, InvarianceWritesItsReportAndChart) {
  const std::string prompts = scratch_file("prompts.txt", "The cat sat\n\nOnce upon a time\n");
  const std::string out = path("invariance.json");
  const CommandResult r = pldr("invariance --checkpoint " + quote(good()) + " --prompts " + quote(prompts) + " -o " +
                               quote(out) + " --max-new-tokens 3");
  EXPECT_RESULT(r, 0, "tokens identical with and without the G-cache");
  std::ifstream in(out);
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(j["prompts"].size(), 2u);
  EXPECT_EQ(j["prompts"][0]["steps"].size(), 3u);
  EXPECT_EQ(j["prompts"][0]["tokens_cached"].size(), 3u);
  EXPECT_NE(file_bytes(path("invariance.svg")).find("<svg"), std::string::npos);
  EXPECT_RESULT(pldr("invariance --checkpoint " + quote(good()) + " --prompts " +
                     quote(scratch_file("empty.txt", "\n")) + " -o " + quote(out)),
                1, "no prompts");
  EXPECT_RESULT(pldr("invariance --checkpoint " + quote(good()) + " --prompts " + quote(prompts) + " -o " + quote(out) +
                     " --max-new-tokens 0"),
                2, "--max-new-tokens must be positive");
}

// With --task, the report holds the task's scores with the KV+G cache and without a cache.
TEST_F(Checkpoints, InvarianceScoresATaskWithAndWithoutTheCache) {
  const std::string out = path("invariance_task.json");
  EXPECT_RESULT(pldr("invariance --checkpoint " + quote(good()) + " --prompts " +
                     quote(scratch_file("task_prompts.txt", "The cat\n")) + " -o " + quote(out) +
                     " --max-new-tokens 2 --task arc_easy --task-limit 3"),
                0, "acc");
  std::ifstream in(out);
  const nlohmann::json j = nlohmann::json::parse(in);
  for (const char* mode : {"kvg_cache", "no_cache"}) {
    const nlohmann::json& e = j["eval"][mode];
    EXPECT_EQ(e["task"], "arc_easy") << mode;
    EXPECT_EQ(e["n"], 3) << mode;
    for (const char* metric : {"acc", "acc_norm"}) {
      EXPECT_GE(e[metric].get<double>(), 0.0) << mode << " " << metric;
      EXPECT_LE(e[metric].get<double>(), 1.0) << mode << " " << metric;
    }
  }
  EXPECT_RESULT(pldr("invariance --checkpoint " + quote(good()) + " --prompts " +
                     quote(scratch_file("task_prompts.txt", "The cat\n")) + " -o " + quote(out) + " --task nothing"),
                1, "nothing");
}

// The v510Gi transfer: inspect's G_LM loads as the external G of a model without a metric learner.
TEST_F(Checkpoints, TransferWritesAnExternalGCheckpointFromInspectsOutput) {
  const std::string deductive = path("transfer_g.h5"), out = path("transferred.h5");
  ASSERT_EQ(pldr("inspect --checkpoint " + quote(good()) + " --prompt 'The cat' -o " + quote(deductive)).code, 0);
  EXPECT_RESULT(pldr("transfer --checkpoint " + quote(good()) + " --G " + quote(deductive) + " -o " + quote(out)), 0,
                "no metric learner");
  const pldr::LoadedCheckpoint c = pldr::load_checkpoint(out);
  EXPECT_EQ(c.config.model.custom_G_type, pldr::GType::External);
  EXPECT_EQ(c.state.step, 0);
  const H5File f = H5File::open_read(deductive);
  EXPECT_EQ(c.model->predefined_G[1].to_vector<double>(), f.read<double>("G_LM/layer1"));
  EXPECT_RESULT(
      pldr("transfer --checkpoint " + quote(out) + " --G " + quote(deductive) + " -o " + quote(path("again.h5"))), 2,
      "must be a model with a learned G");
  EXPECT_RESULT(
      pldr("transfer --checkpoint " + quote(good()) + " --G " + quote(deductive) + " --group nothing -o " + quote(out)),
      1, "lacks nothing/layer0");
}

// --hf: a Hugging Face folder (config.json + model.safetensors), prompts given as token ids.
TEST_F(Checkpoints, InvarianceReadsAHuggingFaceFolderAndTokenIds) {
  const fs::path hf = scratch() / "hf_tiny";
  fs::create_directories(hf);
  std::ifstream expected(std::string(PLDR_TEST_DATA_DIR) + "/hf/tiny_expected.json");
  std::ofstream(hf / "config.json") << nlohmann::json::parse(expected)["config"].dump();
  fs::copy_file(std::string(PLDR_TEST_DATA_DIR) + "/hf/tiny_model.safetensors", hf / "model.safetensors",
                fs::copy_options::overwrite_existing);
  const std::string ids = scratch_file("ids.txt", "5 9 14 3\n7 7 21\n"), out = path("hf_invariance.json");
  EXPECT_RESULT(pldr("invariance --hf " + quote(hf.string()) + " --token-ids --prompts " + quote(ids) + " -o " +
                     quote(out) + " --max-new-tokens 2"),
                0, "wrote");
  std::ifstream in(out);
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["prompts"][1]["prompt"], (std::vector<int>{7, 7, 21}));
  EXPECT_EQ(j["prompts"][0]["steps"][1]["layers"].size(), 2u);
  EXPECT_RESULT(pldr("invariance --hf " + quote(hf.string()) + " --token-ids --prompts " +
                     quote(scratch_file("bad_ids.txt", "5 x\n")) + " -o " + quote(out)),
                2, "'x' is not a token id");
  EXPECT_RESULT(pldr("invariance --hf " + quote(hf.string()) + " --checkpoint " + quote(good()) + " --prompts " +
                     quote(ids) + " -o " + quote(out)),
                2, "give exactly one of --checkpoint CKPT or --hf DIR");
}

TEST_F(Checkpoints, GenerationLimitsAreChecked) {
  EXPECT_RESULT(generate(good(), "--max-new-tokens 0"), 2, "--max-new-tokens must be positive");
  EXPECT_RESULT(generate(good(), "--max-new-tokens abc"), 2, "--max-new-tokens expects an integer, got 'abc'");
  EXPECT_RESULT(generate(good(), "--temperature hot"), 2, "--temperature expects a number");
  EXPECT_RESULT(generate(good(), "--max-new-tokens 100"), 2, "exceeds the model's 64 positions");
  EXPECT_RESULT(generate(good(), "--nucleus wide"), 2, "--nucleus must be reference or hf");
  EXPECT_EQ(generate(good(), "--top-p 1.5").code, 1);
}

TEST_F(Checkpoints, InspectWithoutOutputExitsTwo) {
  EXPECT_RESULT(pldr("inspect --checkpoint " + quote(good()) + " --prompt hi"), 2, "missing required flag --output");
  EXPECT_FALSE(fs::exists(path("hi")));
}

TEST_F(Checkpoints, MissingOrNonHdf5CheckpointsNameTheProblem) {
  const std::string absent = path("absent.h5");
  EXPECT_RESULT(generate(absent), 1, absent + ": does not exist");
  const std::string text = scratch_file("text.h5", "not a checkpoint\n");
  EXPECT_RESULT(generate(text), 1, text + ": is not an HDF5 file");
  EXPECT_RESULT(pldr("inspect --checkpoint " + quote(text) + " --prompt hi -o " + quote(path("x.h5"))), 1,
                "is not an HDF5 file");
  EXPECT_FALSE(fs::exists(path("x.h5")));
}

TEST_F(Checkpoints, TruncatedCheckpointsNameTheFile) {
  const std::string bytes = file_bytes(good());
  ASSERT_GT(bytes.size(), 100000u);
  for (size_t keep : {size_t(1000), bytes.size() / 2, bytes.size() - 4096}) {
    const std::string cut = scratch_file("cut" + std::to_string(keep) + ".h5", bytes.substr(0, keep));
    const CommandResult r = generate(cut);
    EXPECT_EQ(r.code, 1) << keep << ": " << r.output;
    EXPECT_TRUE(mentions(r, cut)) << keep << ": " << r.output;
  }
}

TEST_F(Checkpoints, Hdf5FilesThatAreNotCheckpointsNameTheProblem) {
  EXPECT_RESULT(generate(kGolden), 1, "is an HDF5 file but not a pldr checkpoint");
  const std::string future =
      copy("future.h5", "", "", [](H5File& f) { f.write_attribute("/", "format_version", int64_t(99)); });
  EXPECT_RESULT(generate(future), 1, "has format version 99");
  const std::string other =
      copy("other_format.h5", "", "", [](H5File& f) { f.write_attribute("/", "format", std::string("zip")); });
  EXPECT_RESULT(generate(other), 1, "not a pldr checkpoint");
}

TEST_F(Checkpoints, MissingTensorIsNamed) {
  const std::string lacking = copy("lacking.h5", "params/final_layer.bias", "");
  EXPECT_RESULT(generate(lacking), 1, "checkpoint " + lacking + ": lacks tensor params/final_layer.bias");
  const std::string lacking_inner = copy("lacking_inner.h5", "params/decoder.dec_layers.1.mha1.plgatt_layer.Wlst", "");
  EXPECT_RESULT(generate(lacking_inner), 1, "lacks tensor params/decoder.dec_layers.1.mha1.plgatt_layer.Wlst");
  EXPECT_RESULT(pldr("inspect --checkpoint " + quote(lacking) + " --prompt hi -o " + quote(path("y.h5"))), 1,
                "lacks tensor params/final_layer.bias");
}

TEST_F(Checkpoints, TensorOfTheWrongShapeIsNamed) {
  const std::string flat = copy("flat.h5", "", "params/decoder.embedding.weight");
  EXPECT_RESULT(generate(flat), 1,
                "tensor params/decoder.embedding.weight has shape [512000], the configuration expects [32000,16]");
  // The right number of values in another layout is still the wrong shape.
  const std::string transposed = copy("transposed.h5", "params/final_layer.weight", "", [](H5File& f) {
    const H5File src = H5File::open_read(good());
    std::vector<int64_t> shape;
    const std::vector<float> v = src.read<float>("params/final_layer.weight", &shape);
    ASSERT_EQ(shape.size(), 2u);
    f.write<float>("params/final_layer.weight", v, {shape[1], shape[0]});
  });
  const CommandResult r = generate(transposed);
  EXPECT_RESULT(r, 1, "tensor params/final_layer.weight has shape");
}

TEST_F(Checkpoints, BadRunConfigAndTokenizerProblemsAreNamed) {
  const std::string bad_config = copy("bad_config.h5", "", "", nullptr, R"({"model": {"hidden_size": "big"}})");
  EXPECT_RESULT(generate(bad_config), 1, "bad_config.h5: bad run_config: config: hidden_size must be an integer");
  const std::string not_json = copy("not_json.h5", "", "", nullptr, "{ cut");
  EXPECT_RESULT(generate(not_json), 1, "not_json.h5: bad run_config");
  // The tokenizer must be the one the checkpoint recorded.
  const std::string wrong_identity = copy("wrong_identity.h5", "", "", [](H5File& f) {
    f.write_attribute("/", "tokenizer_identity", std::string("fnv1a64:0"));
  });
  EXPECT_RESULT(generate(wrong_identity), 1, "is not the one the checkpoint was trained with");
  // A tokenizer that is not there.
  const std::string absent = path("absent.model");
  EXPECT_RESULT(generate(good(), "--tokenizer " + quote(absent)), 1, absent);
}

TEST_F(Checkpoints, TokenizerLargerThanTheModelVocabularyIsAnError) {
  // The vocabulary-40 model cannot embed the 32k tokenizer's ids: refused up front.
  EXPECT_RESULT(generate(path("vocab40.h5")), 1, "more than the model's vocabulary of 40");
  EXPECT_RESULT(
      pldr("inspect --checkpoint " + quote(path("vocab40.h5")) + " --prompt 'The cat' -o " + quote(path("z.h5"))), 1,
      "more than the model's vocabulary of 40");
}

// ---------------------------------------------------------------------------------------------
// The whole pipeline on 60 kB of text: a tokenizer, token files, 4 training steps, then generate,
// inspect, plot and resume on the run's checkpoint.

TEST(Pipeline, TokenizePrepareTrainGenerateInspectPlotResume) {
  const fs::path dir = scratch() / "pipeline";
  fs::create_directories(dir);
  const std::string d = quote(dir.string());
  std::ifstream in(std::string(PLDR_SOURCE_DIR) + "/data/corpus/tinyshakespeare.txt");
  std::string text(60000, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  ASSERT_EQ(in.gcount(), 60000);
  std::ofstream(dir / "text.txt") << text;
  auto at = [&](const std::string& name) { return quote((dir / name).string()); };

  ASSERT_EQ(pldr("tokenizer train " + at("text.txt") + " --vocab-size 400 --output " + at("tok")).code, 0);
  const CommandResult prep = pldr("prepare " + at("text.txt") + " --tokenizer " + at("tok.model") + " --output " +
                                  at("data") + " --val-fraction 0.1 --quiet");
  ASSERT_EQ(prep.code, 0) << prep.output;
  std::ofstream(dir / "run.json") << R"({
    "model": {"vocab_size": 400, "hidden_size": 32, "num_attention_heads": 2, "head_dim": 16, "num_hidden_layers": 2,
              "intermediate_size": 64, "A_dff": 16, "num_reslayerA": 1, "num_denseA": 1, "max_position_embeddings": 64},
    "data": {"context": 32, "batch_size": 4},
    "training": {"steps": 4, "log_every": 2, "eval_every": 2, "eval_batches": 2},
    "schedule": {"warmup_steps": 1}
  })";
  const CommandResult train = pldr("train --config " + at("run.json") + " data.train=" + at("data.train.tok") +
                                   " data.val=" + at("data.val.tok") + " data.meta=" + at("data.meta.json") +
                                   " tokenizer=" + at("tok.model") + " out_dir=" + at("run"));
  ASSERT_EQ(train.code, 0) << train.output;
  EXPECT_TRUE(mentions(train, "bits per character")) << train.output;
  const std::string checkpoint = at("run/checkpoint.h5");

  EXPECT_RESULT(pldr("generate --checkpoint " + checkpoint + " --prompt 'First Citizen:' --max-new-tokens 12 --seed 3"),
                0, "tokens/s");
  EXPECT_RESULT(pldr("generate --checkpoint " + checkpoint + " --prompt Hello --greedy --no-cache --max-new-tokens 4"),
                0, "no cache");
  // The run's tokenizer is the default; another one (the 32k model) is refused.
  EXPECT_RESULT(pldr("generate --checkpoint " + checkpoint + " --prompt hi --tokenizer " + quote(kTokenizer)), 1,
                "is not the one the checkpoint was trained with");
  ASSERT_EQ(pldr("inspect --checkpoint " + checkpoint + " --prompt 'To be' -o " + at("deductive.h5")).code, 0);
  const H5File f = H5File::open_read((dir / "deductive.h5").string());
  EXPECT_EQ(f.shape("G_LM/layer1")[1], 2);
  EXPECT_TRUE(f.exists("E/layer0"));
  EXPECT_RESULT(pldr("plot " + at("run/metrics.jsonl") + " -o " + at("curves.svg")), 0, "");
  EXPECT_EQ(file_bytes((dir / "curves.svg").string()).rfind("<svg", 0), 0u);
  EXPECT_RESULT(pldr("plot " + at("absent.jsonl") + " -o " + at("x.svg")), 1, "absent.jsonl");
  // verify-golden refuses a checkpoint; resume continues from the checkpoint's step.
  EXPECT_RESULT(pldr("verify-golden " + checkpoint), 1, "is not a golden file");
  EXPECT_RESULT(pldr("train --resume " + checkpoint + " --config " + at("run.json")), 2, "--resume continues");
  EXPECT_RESULT(pldr("train --resume " + checkpoint + " --quiet"), 0, "trained 4 steps");
}

}  // namespace
