#include "apps/flags.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace pldr::cli {

namespace {

bool looks_like_a_flag(const std::string& a) {
  return a.size() > 1 && a[0] == '-' && !std::isdigit(static_cast<unsigned char>(a[1])) && a[1] != '.';
}

std::string flag_column(const FlagSpec& f) {
  std::string column = "--" + f.name;
  for (const std::string& alias : f.aliases)
    if (alias.size() == 2) column = alias + ", " + column;  // a short form first, as "-o, --output"
  if (!f.value.empty()) column += " " + f.value;
  return column;
}

}  // namespace

void print_help(std::ostream& out, const CommandSpec& spec) {
  out << "usage: pldr " << spec.name << (spec.synopsis.empty() ? "" : " " + spec.synopsis) << "\n"
      << spec.summary << "\n\nflags:\n";
  size_t width = 0;
  for (const FlagSpec& f : spec.flags) width = std::max(width, flag_column(f).size());
  for (const FlagSpec& f : spec.flags) {
    const std::string column = flag_column(f);
    out << "  " << column << std::string(width - column.size() + 2, ' ') << f.help;
    if (!f.default_value.empty()) out << " (default: " << f.default_value << ")";
    out << "\n";
    std::string long_aliases;
    for (const std::string& alias : f.aliases)
      if (alias.size() > 2) long_aliases += (long_aliases.empty() ? "" : ", ") + alias;
    if (!long_aliases.empty()) out << std::string(width + 4, ' ') << "also " << long_aliases << "\n";
  }
  out << "  -h, --help" << std::string(width > 10 ? width - 10 + 2 : 2, ' ') << "print this help\n";
  if (!spec.notes.empty()) out << "\n" << spec.notes << "\n";
  out << "\nexit status: 0 done, 1 error while running, 2 usage error (a bad flag, value or argument)\n";
}

Flags::Flags(const std::vector<std::string>& args, const CommandSpec& spec) {
  std::map<std::string, const FlagSpec*> spellings;
  for (const FlagSpec& f : spec.flags) {
    spellings["--" + f.name] = &f;
    for (const std::string& alias : f.aliases) spellings[alias] = &f;
  }
  for (const std::string& a : args)
    if (a == "--") break;
    else if (a == "--help" || a == "-h") throw HelpRequested{};
  parse(args, spellings, spec.overrides_as_flags);
  // A value with spaces split by the shell leaves its words here; so does a flag typed without
  // its dashes. Either way the argument is named, never dropped.
  if (positionals_.size() > spec.max_positionals) {
    const std::string& extra = positionals_[spec.max_positionals];
    throw UsageError("unexpected argument '" + extra + "' (" +
                     (spec.max_positionals == 0 ? "pldr " + spec.name + " takes no positional arguments"
                                                : "pldr " + spec.name + " takes " + spec.positionals) +
                     "; quote a value that has spaces)");
  }
  if (positionals_.size() < spec.min_positionals) throw UsageError("pldr " + spec.name + " takes " + spec.positionals);
}

Flags::Flags(const std::vector<std::string>& args, const std::set<std::string>& value_flags,
             const std::set<std::string>& switch_flags) {
  std::vector<FlagSpec> specs;
  for (const std::string& name : value_flags) specs.push_back({name, "VALUE", "", "", {}});
  for (const std::string& name : switch_flags) specs.push_back({name, "", "", "", {}});
  std::map<std::string, const FlagSpec*> spellings;
  for (const FlagSpec& f : specs) spellings["--" + f.name] = &f;
  const FlagSpec output{"output", "VALUE", "", "", {}};
  if (value_flags.count("output")) spellings["-o"] = &output;
  parse(args, spellings, false);
}

void Flags::parse(const std::vector<std::string>& args, const std::map<std::string, const FlagSpec*>& spellings,
                  bool overrides_as_flags) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {  // everything after it is positional
      positionals_.insert(positionals_.end(), args.begin() + i + 1, args.end());
      return;
    }
    if (!looks_like_a_flag(a)) {
      positionals_.push_back(a);
      continue;
    }
    std::string spelling = a, value;
    const size_t eq = a.rfind("--", 0) == 0 ? a.find('=') : std::string::npos;
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = a.substr(eq + 1);
      spelling = a.substr(0, eq);
    }
    const auto it = spellings.find(spelling);
    if (it == spellings.end()) {
      const std::string key = spelling.substr(2);
      if (overrides_as_flags && spelling.rfind("--", 0) == 0 && (inline_value || key.find('.') != std::string::npos)) {
        if (!inline_value) {
          if (i + 1 >= args.size()) throw UsageError(spelling + " needs a value");
          value = args[++i];
        }
        positionals_.push_back(key + "=" + value);  // a run-configuration override
        continue;
      }
      throw UsageError("unknown flag " + spelling);
    }
    const FlagSpec& f = *it->second;
    if (f.value.empty()) {
      if (inline_value) throw UsageError(spelling + " takes no value");
      switches_.insert(f.name);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) throw UsageError(spelling + " needs a value");
      value = args[++i];
    }
    values_[f.name] = value;
    all_values_[f.name].push_back(value);
  }
}

std::string Flags::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::vector<std::string> Flags::all(const std::string& name) const {
  auto it = all_values_.find(name);
  return it == all_values_.end() ? std::vector<std::string>{} : it->second;
}

std::string Flags::require(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw UsageError("missing required flag --" + name);
  return it->second;
}

std::optional<std::string> Flags::optional(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

double Flags::get_double(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string v = get(name, "");
  try {
    size_t used = 0;
    const double d = std::stod(v, &used);
    if (used != v.size() || !std::isfinite(d)) throw std::invalid_argument(v);
    return d;
  } catch (const std::exception&) {
    throw UsageError("--" + name + " expects a number, got '" + v + "'");
  }
}

int64_t Flags::get_int(const std::string& name, int64_t fallback) const {
  if (!has(name)) return fallback;
  const std::string v = get(name, "");
  try {
    size_t used = 0;
    const long long n = std::stoll(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return n;
  } catch (const std::exception&) {
    throw UsageError("--" + name + " expects an integer, got '" + v + "'");
  }
}

std::vector<int32_t> parse_token_ids(const std::string& text, int64_t vocab_size, const std::string& what) {
  std::string spaced = text;
  for (char& c : spaced)
    if (c == ',') c = ' ';
  std::istringstream in(spaced);
  std::vector<int32_t> ids;
  for (std::string item; in >> item;) {
    size_t used = 0;
    long long id = -1;
    try {
      id = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || id < 0 || id >= vocab_size)
      throw UsageError(what + ": '" + item + "' is not a token id in [0, " + std::to_string(vocab_size) + ")");
    ids.push_back(static_cast<int32_t>(id));
  }
  if (ids.empty()) throw UsageError(what + ": no token ids");
  return ids;
}

}  // namespace pldr::cli
