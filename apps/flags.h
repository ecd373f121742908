// A small command-line parser (library pldr_flags, used by the pldr tool and bench/): `--name value`,
// `--name=value`, boolean `--name`, positionals. A command declares its flags once (CommandSpec:
// name, value, default, help text, aliases); the parser, `--help` and the README check all read
// that declaration. Anything that is not a declared flag or an expected positional is a usage
// error naming it.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace pldr::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Thrown by the parser on --help or -h; the tool prints the command's help and exits 0.
struct HelpRequested {};

// One flag of a command. A switch has an empty `value`.
struct FlagSpec {
  std::string name;                  // without the leading "--"
  std::string value;                 // the placeholder of its value ("N", "FILE"); empty: a switch
  std::string default_value;         // shown in the help; empty: none
  std::string help;                  // one line
  std::vector<std::string> aliases;  // other spellings, written out: "-o", "--output_path"
};

// A command: its name, the synopsis of its positional arguments, a one-line summary and its flags.
struct CommandSpec {
  std::string name = "";      // "generate", "tokenizer train"
  std::string synopsis = "";  // what follows the name in the usage line
  std::string summary = "";   // one line for `pldr --help`
  std::vector<FlagSpec> flags = {};
  std::string positionals = "";  // what positionals are, for the error message ("FILES", "a checkpoint")
  size_t min_positionals = 0;
  size_t max_positionals = 0;
  // `--section.key=value` (not a declared flag) becomes the positional `section.key=value`: the
  // run-configuration overrides of `pldr train`.
  bool overrides_as_flags = false;
  std::string notes = "";  // printed after the flags
};

// The help text of a command: usage line, summary, each flag with its value, default and help.
void print_help(std::ostream& out, const CommandSpec& spec);

class Flags {
 public:
  // Parses `args` against the command's declaration (throws UsageError, or HelpRequested).
  Flags(const std::vector<std::string>& args, const CommandSpec& spec);
  // value_flags take a value; switch_flags do not; positionals are collected unchecked (bench/).
  Flags(const std::vector<std::string>& args, const std::set<std::string>& value_flags,
        const std::set<std::string>& switch_flags);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback) const;
  std::string require(const std::string& name) const;
  // The value when given, else nothing.
  std::optional<std::string> optional(const std::string& name) const;
  double get_double(const std::string& name, double fallback) const;
  int64_t get_int(const std::string& name, int64_t fallback) const;
  // Every value of a flag given several times (--stop a --stop b), in order; get() gives the last.
  std::vector<std::string> all(const std::string& name) const;
  bool on(const std::string& name) const { return switches_.count(name) > 0; }
  const std::vector<std::string>& positionals() const { return positionals_; }
  // All value flags given, for configuration overrides.
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  void parse(const std::vector<std::string>& args, const std::map<std::string, const FlagSpec*>& spellings,
             bool overrides_as_flags);

  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> all_values_;
  std::set<std::string> switches_;
  std::vector<std::string> positionals_;
};

// Token ids written as text ("2,15,7" or "2 15 7": commas or whitespace between them), each in
// [0, vocab_size); a UsageError names `what` (the flag) and the bad item.
std::vector<int32_t> parse_token_ids(const std::string& text, int64_t vocab_size, const std::string& what);

}  // namespace pldr::cli
