#include "train/running_metrics.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "io/atomic_file.h"

namespace pldr {

std::optional<EpochMetrics> RunningMetrics::add(double loss, double accuracy, uint64_t epoch) {
  std::optional<EpochMetrics> finished;
  if (in_epoch_ && epoch != epoch_.epoch) {
    finished = epoch_;
    finished->loss /= double(finished->steps);
    finished->accuracy /= double(finished->steps);
    in_epoch_ = false;
  }
  if (!in_epoch_) epoch_ = EpochMetrics{epoch, 0, 0, 0}, in_epoch_ = true;
  epoch_.steps += 1;
  epoch_.loss += loss;
  epoch_.accuracy += accuracy;
  steps_ += 1;
  loss_sum_ += loss;
  accuracy_sum_ += accuracy;
  return finished;
}

nlohmann::json RunningMetrics::to_json() const {
  nlohmann::json j{{"steps", steps_}, {"loss_sum", loss_sum_}, {"accuracy_sum", accuracy_sum_}};
  if (in_epoch_)
    j["epoch"] = {
        {"epoch", epoch_.epoch}, {"steps", epoch_.steps}, {"loss_sum", epoch_.loss}, {"accuracy_sum", epoch_.accuracy}};
  return j;
}

RunningMetrics RunningMetrics::from_json(const nlohmann::json& j) {
  RunningMetrics m;
  m.steps_ = j.at("steps").get<int64_t>();
  m.loss_sum_ = j.at("loss_sum").get<double>();
  m.accuracy_sum_ = j.at("accuracy_sum").get<double>();
  if (j.contains("epoch")) {
    const nlohmann::json& e = j.at("epoch");
    m.in_epoch_ = true;
    m.epoch_ = {e.at("epoch").get<uint64_t>(), e.at("steps").get<int64_t>(), e.at("loss_sum").get<double>(),
                e.at("accuracy_sum").get<double>()};
  }
  return m;
}

void RunningMetrics::save(const std::string& path, int64_t step) const {
  // nlohmann writes the shortest decimal that reads back to the same double: a resumed run logs what
  // an unbroken one does.
  io::write_file_atomically(path, nlohmann::json{{"step", step}, {"metrics", to_json()}}.dump() + "\n");
}

std::optional<RunningMetrics> RunningMetrics::load(const std::string& path, int64_t step) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  std::ifstream in(path);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("step") || !j.contains("metrics"))
    throw std::runtime_error(path + ": not a running-metrics file");
  if (j.at("step").get<int64_t>() != step) return std::nullopt;
  try {
    return from_json(j.at("metrics"));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace pldr
