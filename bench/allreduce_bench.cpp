// bench/allreduce_bench: all-reduce bus bandwidth on loopback, for the ring engine written here
// and Gloo's ring (when built with Gloo) in the same run, with the machine's loopback TCP stream
// bandwidth and memcpy bandwidth for scale. Writes one JSON report (stdout, or --output FILE).
//
//   allreduce_bench [--ranks 2,3,4] [--sizes-mib 1,4,16,64,256] [--engines ring,gloo] [--repeats 3]
//                   [--output FILE]
//
// Each configuration runs `repeats` times, each time in fresh processes (one per rank, forked,
// rendezvous on a free loopback port), engines alternating, and the median is reported (a shared
// machine's load moves single runs a lot). After one checked all-reduce (every rank's value summed) and one warm-up,
// rank 0 times `iterations` all-reduces between two barriers. Bus bandwidth is NCCL-tests'
// definition: bytes · 2(N-1)/N / time, the data each rank sends and receives in a ring; algorithm
// bandwidth is bytes / time.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "dist/process_group.h"
#include "dist/socket.h"

namespace {

using namespace pldr::dist;
using Seconds = std::chrono::duration<double>;

std::vector<int> parse_list(const std::string& text) {
  std::vector<int> out;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');) out.push_back(std::stoi(item));
  return out;
}

std::vector<std::string> parse_names(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');) out.push_back(item);
  return out;
}

double now_s() { return Seconds(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// How many timed all-reduces: about 1 GiB of buffer in all, at least 3.
int iterations_for(size_t bytes) { return int(std::max<size_t>(3, std::min<size_t>(100, (size_t(1) << 30) / bytes))); }

// One rank's work: returns JSON lines (rank 0) describing each size.
std::string run_rank(const Rendezvous& rv, const std::string& engine, const std::vector<int>& sizes_mib) {
  auto group = connect(rv, engine);
  std::string lines;
  for (int mib : sizes_mib) {
    const size_t bytes = size_t(mib) << 20, count = bytes / sizeof(float);
    std::vector<float> buffer(count, float(rv.rank + 1));
    group->all_reduce(std::span<float>(buffer));  // checked: 1 + 2 + ... + N everywhere
    const float expected = float(rv.world_size * (rv.world_size + 1) / 2);
    bool correct = true;
    for (size_t i = 0; i < count; i += 4099) correct = correct && buffer[i] == expected;
    correct = correct && buffer[count - 1] == expected;
    std::fill(buffer.begin(), buffer.end(), 0.0f);  // sums stay 0: no overflow however many runs
    group->all_reduce(std::span<float>(buffer));    // warm-up
    const int iterations = iterations_for(bytes);
    group->barrier();
    const double start = now_s();
    for (int i = 0; i < iterations; ++i) group->all_reduce(std::span<float>(buffer));
    group->barrier();
    const double per_op = (now_s() - start) / iterations;
    const double n = rv.world_size;
    nlohmann::json line{{"engine", engine},
                        {"ranks", rv.world_size},
                        {"bytes", bytes},
                        {"iterations", iterations},
                        {"seconds_per_op", per_op},
                        {"algbw_GBps", double(bytes) / per_op / 1e9},
                        {"busbw_GBps", double(bytes) * 2 * (n - 1) / n / per_op / 1e9},
                        {"checked", correct}};
    lines += line.dump() + "\n";
  }
  return rv.rank == 0 ? lines : "";
}

// Forks the ranks of one configuration; returns rank 0's lines, or throws with a rank's error.
std::string run_configuration(const std::string& engine, int ranks, const std::vector<int>& sizes_mib) {
  const uint16_t port = local_port(listen_on(0));  // free now; rank 0 takes it
  std::vector<std::pair<pid_t, int>> children;
  for (int r = 0; r < ranks; ++r) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      std::string out;
      int code = 0;
      try {
        out = run_rank(Rendezvous{r, ranks, "127.0.0.1", port, Milliseconds(60000)}, engine, sizes_mib);
      } catch (const std::exception& e) {
        out = std::string("error: ") + e.what();
        code = 1;
      }
      (void)!::write(fds[1], out.data(), out.size());
      ::_exit(code);
    }
    ::close(fds[1]);
    children.emplace_back(pid, fds[0]);
  }
  std::string rank0, errors;
  for (auto [pid, fd] : children) {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
    ::close(fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) errors += out + "\n";
    else if (rank0.empty()) rank0 = out;
  }
  if (!errors.empty()) throw std::runtime_error(engine + " on " + std::to_string(ranks) + " ranks: " + errors);
  return rank0;
}

// A plain TCP stream between two processes on loopback: the most any loopback all-reduce can
// move per rank and direction.
double loopback_stream_GBps(size_t bytes) {
  const Socket listener = listen_on(0);
  const uint16_t port = local_port(listener);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const Socket s = connect_before("127.0.0.1", port, Clock::now() + std::chrono::seconds(10), "the bench");
    std::vector<char> chunk(size_t(4) << 20, 1);
    std::string error;
    for (size_t sent = 0; sent < bytes; sent += chunk.size())
      if (!send_all(s, chunk.data(), std::min(chunk.size(), bytes - sent), std::chrono::seconds(30), error)) ::_exit(1);
    ::_exit(0);
  }
  const Socket s = accept_before(listener, Clock::now() + std::chrono::seconds(10), "the sender");
  std::vector<char> chunk(size_t(4) << 20);
  std::string error;
  const double start = now_s();
  for (size_t got = 0; got < bytes; got += chunk.size())
    if (!recv_all(s, chunk.data(), std::min(chunk.size(), bytes - got), std::chrono::seconds(30), error))
      throw std::runtime_error("loopback stream: " + error);
  const double seconds = now_s() - start;
  ::waitpid(pid, nullptr, 0);
  return double(bytes) / seconds / 1e9;
}

double memcpy_GBps(size_t bytes) {
  std::vector<char> a(bytes, 1), b(bytes, 0);
  std::memcpy(b.data(), a.data(), bytes);  // touch
  const int repeats = 5;
  const double start = now_s();
  for (int i = 0; i < repeats; ++i) std::memcpy(i % 2 ? a.data() : b.data(), i % 2 ? b.data() : a.data(), bytes);
  return double(bytes) * repeats / (now_s() - start) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> ranks{2, 3, 4}, sizes{1, 4, 16, 64, 256};
  std::vector<std::string> engines{"ring", "gloo"};
  std::string output;
  int repeats = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--ranks") ranks = parse_list(value);
    else if (flag == "--sizes-mib") sizes = parse_list(value);
    else if (flag == "--engines") engines = parse_names(value);
    else if (flag == "--output") output = value;
    else if (flag == "--repeats") repeats = std::max(1, std::stoi(value));
    else {
      std::cerr << "allreduce_bench: unknown flag " << flag << "\n";
      return 2;
    }
  }
  try {
    nlohmann::json report;
    report["cpus"] = ::sysconf(_SC_NPROCESSORS_ONLN);
    std::cerr << "loopback stream and memcpy...\n";
    report["loopback_stream_GBps"] = loopback_stream_GBps(size_t(2) << 30);
    report["memcpy_GBps"] = memcpy_GBps(size_t(256) << 20);
    report["busbw_definition"] = "bytes * 2 (N-1) / N / seconds per all-reduce";
    report["results"] = nlohmann::json::array();
    std::map<std::tuple<int, std::string, size_t>, std::vector<nlohmann::json>> runs;  // (ranks, engine, bytes)
    for (int repeat = 0; repeat < repeats; ++repeat)
      for (int n : ranks)
        for (const std::string& engine : engines) {
          if (!engine_available(engine)) {
            if (repeat == 0) std::cerr << "engine " << engine << " is not in this build; skipped\n";
            continue;
          }
          std::cerr << engine << " on " << n << " ranks (run " << repeat + 1 << " of " << repeats << ")...\n";
          std::stringstream lines(run_configuration(engine, n, sizes));
          for (std::string line; std::getline(lines, line);)
            if (!line.empty()) {
              nlohmann::json j = nlohmann::json::parse(line);
              runs[{n, engine, j["bytes"].get<size_t>()}].push_back(j);
            }
        }
    for (auto& [key, list] : runs) {
      std::sort(list.begin(), list.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
        return a["seconds_per_op"].get<double>() < b["seconds_per_op"].get<double>();
      });
      nlohmann::json median = list[list.size() / 2];
      median["runs"] = list.size();
      median["busbw_GBps_all_runs"] = nlohmann::json::array();
      for (const auto& j : list) median["busbw_GBps_all_runs"].push_back(j["busbw_GBps"]);
      report["results"].push_back(median);
    }
    const std::string text = report.dump(2) + "\n";
    if (output.empty()) std::cout << text;
    else std::ofstream(output) << text;
  } catch (const std::exception& e) {
    std::cerr << "allreduce_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
