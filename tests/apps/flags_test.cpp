// apps/flags.h: Flags::optional (the form bench/ passes --threads on to requested_num_threads) and
// the parser driven by a command's declaration.
#include "apps/flags.h"

#include <gtest/gtest.h>

#include <sstream>

namespace pldr::cli {
namespace {

TEST(Flags, OptionalGivesTheValueOnlyWhenTheFlagIsGiven) {
  const Flags given({"--threads", "3", "--output=x"}, {"threads", "output", "steps"}, {});
  EXPECT_EQ(given.optional("threads"), std::optional<std::string>("3"));
  EXPECT_EQ(given.optional("output"), std::optional<std::string>("x"));
  EXPECT_EQ(given.optional("steps"), std::nullopt);
  const Flags empty_value({"--threads="}, {"threads"}, {});
  EXPECT_EQ(empty_value.optional("threads"), std::optional<std::string>(""));
}

// A command's declaration drives the parser: aliases, repeated values, positionals and overrides.
CommandSpec example_spec() {
  return {.name = "example",
          .synopsis = "FILE [flags]",
          .summary = "an example",
          .flags = {{"output", "FILE", "", "where", {"-o", "--output_path"}},
                    {"stop", "TEXT", "", "repeatable", {}},
                    {"quiet", "", "", "a switch", {}}},
          .positionals = "one file",
          .min_positionals = 1,
          .max_positionals = 1};
}

TEST(Flags, DeclaredSpellingsAliasesAndRepeatedValues) {
  const Flags f({"in.txt", "--output_path", "a.json", "--stop", "x", "--stop=y", "--quiet"}, example_spec());
  EXPECT_EQ(f.get("output", ""), "a.json");
  EXPECT_EQ(f.all("stop"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(f.get("stop", ""), "y");
  EXPECT_TRUE(f.on("quiet"));
  EXPECT_EQ(f.positionals(), std::vector<std::string>{"in.txt"});
  EXPECT_EQ(Flags({"in.txt", "-o", "b"}, example_spec()).get("output", ""), "b");
}

TEST(Flags, AnythingUndeclaredIsAUsageErrorNamingIt) {
  auto message = [](const std::vector<std::string>& args) {
    try {
      Flags(args, example_spec());
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({"in.txt", "-n", "5"}), "unknown flag -n");
  EXPECT_NE(message({"in.txt", "and"}).find("unexpected argument 'and'"), std::string::npos);
  EXPECT_EQ(message({}), "pldr example takes one file");
  EXPECT_EQ(message({"in.txt", "--quiet=1"}), "--quiet takes no value");
  EXPECT_EQ(message({"in.txt", "--section.key=3"}), "unknown flag --section.key");
  EXPECT_THROW(Flags({"in.txt", "--help"}, example_spec()), HelpRequested);
  // After "--" everything is positional, "--help" included.
  EXPECT_NE(message({"in.txt", "--", "--help"}).find("unexpected argument '--help'"), std::string::npos);
}

TEST(Flags, OverridesAsFlagsBecomeAssignments) {
  CommandSpec spec = example_spec();
  spec.overrides_as_flags = true;
  spec.max_positionals = 10;
  const Flags f({"in.txt", "--training.steps=5", "--data.context", "64", "--out_dir=x"}, spec);
  EXPECT_EQ(f.positionals(), (std::vector<std::string>{"in.txt", "training.steps=5", "data.context=64", "out_dir=x"}));
}

TEST(Flags, HelpListsEveryFlagWithItsDefault) {
  CommandSpec spec = example_spec();
  spec.flags[1].default_value = "none";
  std::ostringstream out;
  print_help(out, spec);
  for (const char* text : {"usage: pldr example FILE [flags]", "-o, --output FILE", "also --output_path",
                           "(default: none)", "--quiet", "-h, --help", "exit status"})
    EXPECT_NE(out.str().find(text), std::string::npos) << text << " in\n" << out.str();
}

}  // namespace
}  // namespace pldr::cli
