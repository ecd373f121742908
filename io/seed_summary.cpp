#include "io/seed_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "io/error.h"
#include "io/metric_keys.h"

namespace pldr::io {

using namespace metric_keys;

namespace {

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

double average(const std::vector<double>& v) {
  double mean = 0;
  for (double x : v) mean += x / double(v.size());
  return mean;
}

// "mean ± sd" of the values (the sample standard deviation; the value alone for one), "-" for none.
std::string mean_and_spread(const std::vector<double>& v) {
  if (v.empty()) return "-";
  const double mean = average(v);
  if (v.size() == 1) return number(mean);
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return number(mean) + " ± " + number(std::sqrt(ss / double(v.size() - 1)));
}

std::string mean_of(const std::vector<double>& v) { return v.empty() ? "-" : number(average(v)); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// One variant's numbers, a value per run that has it.
struct Variant {
  std::string name;
  int runs = 0;
  double steps = 0;
  std::vector<double> val_loss, bits_per_char, lowest_val_loss, tokens_per_s, seconds, worst_rmse;
  int identical = 0, checked = 0;

  void add(const SeededRun& r) {
    const MetricsTable& t = r.table;
    ++runs;
    auto last = [&](const char* key, std::vector<double>& into) {
      if (t.has(key) && !t.columns.at(key).empty()) into.push_back(t.columns.at(key).back().second);
    };
    if (t.has(kLoss) && !t.columns.at(kLoss).empty()) steps = std::max(steps, t.columns.at(kLoss).back().first);
    last(kValLoss, val_loss);
    last(kElapsedS, seconds);
    last(kValBitsPerChar, bits_per_char);
    if (t.has(kValLoss) && !t.columns.at(kValLoss).empty()) {
      const auto& c = t.columns.at(kValLoss);
      lowest_val_loss.push_back(std::min_element(c.begin(), c.end(), [](const auto& a, const auto& b) {
                                  return a.second < b.second;
                                })->second);
    }
    if (t.has(kTokensPerS) && !t.columns.at(kTokensPerS).empty()) {
      std::vector<double> rates;
      for (const auto& [step, rate] : t.columns.at(kTokensPerS)) rates.push_back(rate);
      tokens_per_s.push_back(median(rates));
    }
    if (r.invariance) {
      ++checked;
      identical += r.invariance->tokens_identical ? 1 : 0;
      worst_rmse.push_back(r.invariance->worst_G_LM_rmse);
    }
  }
};

}  // namespace

InvarianceSummary read_invariance_summary(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError(path + ": cannot open the invariance report");
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  using Pointer = nlohmann::json::json_pointer;
  const Pointer identical("/summary/tokens_identical"), rmse("/summary/worst/G_LM/rmse");
  const bool valid =
      j.is_object() && j.contains(identical) && j[identical].is_boolean() && j.contains(rmse) && j[rmse].is_number();
  if (!valid) throw IoError(path + ": not a pldr invariance report (no summary.tokens_identical and worst G_LM rmse)");
  return {j[identical].get<bool>(), j[rmse].get<double>()};
}

std::string variant_of(const std::string& run_name) {
  const size_t slash = run_name.rfind("/seed");
  if (slash == std::string::npos || slash == 0) return run_name;
  const std::string seed = run_name.substr(slash + 5);
  const bool digits =
      !seed.empty() && std::all_of(seed.begin(), seed.end(), [](char c) { return c >= '0' && c <= '9'; });
  return digits ? run_name.substr(0, slash) : run_name;
}

std::string seed_summary_table(const std::vector<SeededRun>& runs) {
  std::vector<Variant> variants;
  std::map<std::string, size_t> index;
  for (const SeededRun& r : runs) {
    const std::string v = variant_of(r.name);
    if (!index.count(v)) {
      index[v] = variants.size();
      variants.emplace_back();
      variants.back().name = v;
    }
    variants[index[v]].add(r);
  }
  std::string md =
      "| variant | seeds | steps | validation loss | bits/char | lowest validation loss | tokens/s | training s | "
      "G-cache: "
      "tokens identical | G-cache: worst G_LM RMSE |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Variant& v : variants) {
    const std::string identical =
        v.checked ? std::to_string(v.identical) + " of " + std::to_string(v.checked) : std::string("-");
    md += "| " + v.name + " | " + std::to_string(v.runs) + " | " + (v.steps > 0 ? number(v.steps) : "-") + " | " +
          mean_and_spread(v.val_loss) + " | " + mean_and_spread(v.bits_per_char) + " | " + mean_of(v.lowest_val_loss) +
          " | " + mean_of(v.tokens_per_s) + " | " + mean_of(v.seconds) + " | " + identical + " | " +
          mean_of(v.worst_rmse) + " |\n";
  }
  return md +
         "\nMean ± sample standard deviation over the seeds; tokens/s: each run's median logged rate; training s: "
         "each run's seconds in its training loop, validation included (mean).\n";
}

}  // namespace pldr::io
