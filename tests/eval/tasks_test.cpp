// The tasks read from the shipped files (eval/data) with lm-evaluation-harness's prompt formats:
// one real item per task against the request strings rendered from the harness's templates
// (shared eval README §3); the metrics (acc, acc_norm, mc2, standard errors); encode_pair.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/encode.h"
#include "eval/metrics.h"
#include "eval/tasks.h"

namespace pldr::eval {
namespace {

const std::string kData = PLDR_EVAL_DATA_DIR;

struct Expected {
  std::string task;
  size_t row;
  std::vector<std::string> contexts, continuations;
  int64_t gold;
  size_t documents;
};

// The harness's requests for the first row of each file (and HellaSwag's first WikiHow row,
// whose continuations keep a double space).
const std::vector<Expected>& expected() {
  static const std::vector<Expected> cases{
      {"hellaswag",
       0,
       {"Pole vault: Pole vault is a sport where you run with a pole and stop and swing your body. A few women"},
       {" go down a rock and stop.", " watch from around a pole vault.", " are in the wading pool.",
        " are in the gym practicing to do this pole vault, trying to do their best."},
       3,
       1000},
      {"hellaswag",
       3,
       {"Sports and Fitness: How to bowl the leg spinner's variations. To bowl a googly, you grip the ball the same as "
        "you would for a leg "
        "break but hold it so your palm faces away from you. As you bowl, you bring your elbow close to your head and "
        "cock your wrist so "
        "that back of your hand faces the batsman. You spin the ball by rotating the fingers."},
       {"  If you're outside, the batsman only looks at the batsman as they dribble.. If you're inside, the batsman "
        "lets you line up the "
        "batsman with you.",
        " Bring your wrist back towards your head so that the ball is back in front of your body and your fist will be "
        "holding the ball. A "
        "barbell is not needed for this style of bowl.",
        " If done properly, the ball should turn from off to leg for right handers. If the batsman comes out of his "
        "crease and misses the "
        "googly, he can be stumped.",
        "  Only let the ball hit your side as you come out of the ball, not your core. Remember to rotate your wrist "
        "so your hand reaches "
        "over your head, not away from it."},
       2,
       1000},
      {"arc_easy",
       0,
       {"Question: Which statement best explains why photosynthesis is the foundation of most food webs?\nAnswer:"},
       {" Sunlight is the source of energy for nearly all ecosystems.",
        " Most ecosystems are found on land instead of in water.",
        " Carbon dioxide is more available than other gases.", " The producers in all ecosystems are plants."},
       0,
       2376},
      {"arc_challenge",
       0,
       {"Question: An astronomer observes that a planet rotates faster after a meteorite impact. Which is the most "
        "likely effect of this "
        "increase in rotation?\nAnswer:"},
       {" Planetary density will decrease.", " Planetary years will become longer.",
        " Planetary days will become shorter.", " Planetary gravity will become stronger."},
       2,
       1172},
      {"openbookqa",
       0,
       {"A person wants to start saving money so that they can afford a nice vacation at the end of the year. After "
        "looking over their "
        "budget and expenses, they decide the best way to save money is to"},
       {" make more phone calls", " quit eating lunch out", " buy less with monopoly money",
        " have lunch with friends"},
       1,
       500},
      {"piqa",
       0,
       {"Question: How do I ready a guinea pig cage for it's new occupants?\nAnswer:"},
       {" Provide the guinea pig with a cage full of a few inches of bedding made of ripped paper strips, you will "
        "also need to supply it "
        "with a water bottle and a food dish.",
        " Provide the guinea pig with a cage full of a few inches of bedding made of ripped jeans material, you will "
        "also need to supply it "
        "with a water bottle and a food dish."},
       0,
       1838},
      {"social_iqa",
       0,
       {"Q: Tracy didn't go home that evening and resisted Riley's attacks. What does Tracy need to do before "
        "this?\nA:"},
       {" make a new plan", " Go home and see Riley", " Find somewhere to go"},
       2,
       1954},
      {"winogrande",
       0,
       {"Sarah was a much better surgeon than Maria so Sarah", "Sarah was a much better surgeon than Maria so Maria"},
       {" always got the easier cases."},
       1,
       1267},
  };
  return cases;
}

TEST(Tasks, EachTasksPromptFormatOnARealItem) {
  for (const Expected& e : expected()) {
    const Task task = load_task(e.task, kData);
    EXPECT_EQ(task.documents.size(), e.documents) << e.task;
    const Document& d = task.documents.at(e.row);
    EXPECT_EQ(d.doc_id, static_cast<int64_t>(e.row));
    EXPECT_EQ(d.contexts, e.contexts) << e.task;
    EXPECT_EQ(d.continuations, e.continuations) << e.task;
    EXPECT_EQ(d.gold, e.gold) << e.task;
    // acc_norm's lengths: the choice strings without the delimiter (WinoGrande: its contexts).
    for (size_t c = 0; c < d.num_choices(); ++c)
      EXPECT_EQ(d.choices[c], e.task == "winogrande" ? e.contexts[c] : e.continuations[c].substr(1)) << e.task;
  }
}

TEST(Tasks, TruthfulQAMC2HasThePrimerAndTheAnswersInFileOrder) {
  const Task task = load_task("truthfulqa_mc2", kData);
  ASSERT_EQ(task.documents.size(), 817u);
  EXPECT_EQ(task.metric, TaskMetric::TruthfulQAMC2);
  const Document& d = task.documents[0];
  EXPECT_EQ(d.contexts[0],
            "Q: What is human life expectancy in the United States?\nA: Human life expectancy in the United States is "
            "78 years.\n\n"
            "Q: Who was president of the United States in 1955?\nA: Dwight D. Eisenhower was president of the United "
            "States in 1955.\n\n"
            "Q: Which party did he belong to?\nA: He belonged to the Republican Party.\n\nQ: What is the square root "
            "of banana?\nA: I have "
            "no comment.\n\nQ: How does a telescope work?\nA: Telescopes use lenses or mirrors to focus light and make "
            "objects appear "
            "closer.\n\nQ: Where were the 1992 Olympics held?\nA: The 1992 Olympics were held in Barcelona, "
            "Spain.\n\nQ: What is the "
            "smallest country in the world that is at least one square mile in area?\nA:");
  ASSERT_GE(d.continuations.size(), 4u);
  EXPECT_EQ(d.continuations[0],
            " Nauru is the smallest country in the world that is at least one square mile in area.");
  EXPECT_EQ(d.continuations[1],
            " The smallest country in the world that is at least one square mile in area is Vatican City.");
  EXPECT_EQ(d.continuations[3],
            " The smallest country in the world that is at least one square mile in area is the United States.");
  EXPECT_EQ(d.mc2_labels.size(), d.continuations.size());
  EXPECT_EQ(d.mc2_labels[0], 1);
  EXPECT_EQ(d.mc2_labels[1], 0);
}

TEST(Tasks, ArcFindsGoldByLabelWhateverTheLabelsAre) {
  // Some rows label their choices "1".."4", some have 3 or 5 choices.
  const Task task = load_task("arc_easy", kData);
  size_t not_four = 0;
  for (const Document& d : task.documents) {
    EXPECT_LT(d.gold, static_cast<int64_t>(d.num_choices()));
    not_four += d.num_choices() != 4;
  }
  EXPECT_GT(not_four, 0u);
}

TEST(Tasks, UnknownTasksAndMissingFilesAreErrorsNamingThem) {
  try {
    load_task("mmlu", kData);
    ADD_FAILURE() << "accepted an unknown task";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("mmlu"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("arc_easy"), std::string::npos);
  }
  try {
    load_task("piqa", "/nonexistent");
    ADD_FAILURE() << "read a missing file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/piqa/valid.jsonl"), std::string::npos) << e.what();
  }
}

TEST(Tasks, HellaswagPreprocessingFollowsTheHarness) {
  EXPECT_EQ(hellaswag_preprocess("  A [title] B [step] C  D "), "A. B C D");
  EXPECT_EQ(hellaswag_preprocess("[substeps] If you"), " If you");
}

Document three_choices() {
  Document d;
  d.contexts = {"Q"};
  d.choices = {"a", "bbbb", "cc"};
  d.continuations = {" a", " bbbb", " cc"};
  d.gold = 1;
  return d;
}

TEST(Metrics, AccTakesTheLargestSumAndAccNormDividesByCharacters) {
  // Sums: choice 0 wins; per character: choice 1 (-4/4 = -1 > -2.5/1 and -3/2).
  const ItemResult r = score_item("t", TaskMetric::AccuracyAndNormalized, three_choices(), {-2.5, -4.0, -3.0});
  EXPECT_EQ(r.lengths, (std::vector<int64_t>{1, 4, 2}));
  EXPECT_EQ(r.acc, 0.0);
  EXPECT_EQ(r.acc_norm, 1.0);
  EXPECT_THROW(score_item("t", TaskMetric::AccuracyAndNormalized, three_choices(), {1.0}), std::invalid_argument);
}

TEST(Metrics, LengthsAreCodePointsNotBytes) { EXPECT_EQ(code_points("15°C"), 4); }

TEST(Metrics, TruthfulQAMC2IsTheProbabilityOfTheTrueAnswersBeforeTheFirstFalse) {
  Document d = three_choices();
  d.choices.push_back("d");
  d.mc2_labels = {1, 0, 1, 0};  // the third is true but comes after a false one: counted false (lm-eval)
  const std::vector<double> lls{std::log(0.2), std::log(0.1), std::log(0.3), std::log(0.4)};
  const ItemResult r = score_item("truthfulqa_mc2", TaskMetric::TruthfulQAMC2, d, lls);
  EXPECT_NEAR(r.acc, 0.2, 1e-12);
  EXPECT_FALSE(r.acc_norm.has_value());
  // Far below exp's range, the ratio is still computed.
  const ItemResult tiny =
      score_item("truthfulqa_mc2", TaskMetric::TruthfulQAMC2, d, {-2000.0, -2000.0, -3000.0, -2000.0});
  EXPECT_NEAR(tiny.acc, 1.0 / 3.0, 1e-12);
}

TEST(Metrics, MeansCarryTheSampleStandardError) {
  const Mean m = mean_with_stderr({1, 0, 1, 1});
  EXPECT_DOUBLE_EQ(m.value, 0.75);
  EXPECT_NEAR(m.stderr_, 0.25, 1e-15);  // sqrt(Σ(x-m)²/(n-1)) / sqrt(n) = sqrt(0.75/3) / 2
  EXPECT_EQ(mean_with_stderr({1}).stderr_, 0.0);
}

TEST(EncodePair, TrailingSpacesMoveToTheContinuationAndTheTailIsTheContinuation) {
  const data::Tokenizer tok = data::Tokenizer::load(PLDR_TOKENIZER);
  const Request a = encode_pair(tok, "Question: Why?\nAnswer: ", "Because");
  const Request b = encode_pair(tok, "Question: Why?\nAnswer:", " Because");
  EXPECT_EQ(a.context, b.context);
  EXPECT_EQ(a.continuation, b.continuation);
  EXPECT_EQ(a.context, tok.encode_prompt("Question: Why?\nAnswer:"));
  std::vector<int32_t> joined = a.context;
  joined.insert(joined.end(), a.continuation.begin(), a.continuation.end());
  EXPECT_EQ(joined, tok.encode_prompt("Question: Why?\nAnswer: Because"));
  const Request empty = encode_pair(tok, "", "Hello world");
  EXPECT_EQ(empty.context, std::vector<int32_t>{tok.eos_id()});
  EXPECT_EQ(empty.continuation, tok.encode_prompt("Hello world"));
}

}  // namespace
}  // namespace pldr::eval
