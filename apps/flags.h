// A small command-line parser (library pldr_flags, used by the pldr tool and bench/): `--name value`,
// `--name=value`, boolean `--name`, positionals; `-o` is `--output`. Every flag a command reads must
// be declared; anything else is a usage error naming it.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace pldr::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Flags {
 public:
  // value_flags take a value; switch_flags do not.
  Flags(const std::vector<std::string>& args, const std::set<std::string>& value_flags,
        const std::set<std::string>& switch_flags);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback) const;
  std::string require(const std::string& name) const;
  // The value when given, else nothing.
  std::optional<std::string> optional(const std::string& name) const;
  double get_double(const std::string& name, double fallback) const;
  int64_t get_int(const std::string& name, int64_t fallback) const;
  bool on(const std::string& name) const { return switches_.count(name) > 0; }
  const std::vector<std::string>& positionals() const { return positionals_; }
  // All value flags given, for configuration overrides.
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> switches_;
  std::vector<std::string> positionals_;
};

// Token ids written as text ("2,15,7" or "2 15 7": commas or whitespace between them), each in
// [0, vocab_size); a UsageError names `what` (the flag) and the bad item.
std::vector<int32_t> parse_token_ids(const std::string& text, int64_t vocab_size, const std::string& what);

}  // namespace pldr::cli
