// What goes wrong between ranks ends in a clear error within the timeout, never a hang: a store
// nobody hosts, a port in use, a rank that never arrives, world sizes that differ, a rank killed
// or gone silent in the middle of an all-reduce; and the environment a launcher sets.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <thread>

#include "dist/error.h"
#include "dist/process_group.h"
#include "dist/ring_group.h"
#include "dist/socket.h"
#include "tests/dist/fork_ranks.h"

namespace pldr::dist {
namespace {

using testing::fork_ranks;
using testing::free_port;

#define EXPECT_CONTAINS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

void join(const Rendezvous& rv, std::string&) { RingGroup group(rv); }

TEST(RingErrors, NoStoreOnThePortNamesHostAndPort) {
  const uint16_t port = free_port();
  // Rank 1 alone: nobody hosts the store.
  const auto result = fork_ranks({2}, port, Milliseconds(800), [](Rendezvous rv, std::string& report) {
    rv.rank = 1;
    join(rv, report);
  });
  EXPECT_EQ(result.ranks[0].exit_code, 1);
  EXPECT_CONTAINS(result.ranks[0].report, ("could not connect to the store at 127.0.0.1:" + std::to_string(port)));
  EXPECT_CONTAINS(result.ranks[0].report, ("rank 1 of 2"));
  EXPECT_LT(result.seconds, 5.0);
}

TEST(RingErrors, PortInUse) {
  const Socket taken = listen_on(0);
  const auto result = fork_ranks({2}, local_port(taken), Milliseconds(800), join);
  EXPECT_EQ(result.ranks[0].exit_code, 1);
  EXPECT_CONTAINS(result.ranks[0].report,
                  ("cannot host the store: cannot listen on port " + std::to_string(local_port(taken))));
}

TEST(RingErrors, ARankThatNeverArrivesIsNamed) {
  const auto result = fork_ranks({3, 3}, free_port(), Milliseconds(1000), join);  // rank 2 never starts
  for (const auto& r : result.ranks) {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.report, ("waiting for rank 2 to join"));
  }
  EXPECT_LT(result.seconds, 8.0);
}

TEST(RingErrors, MismatchedWorldSizesNameBoth) {
  const auto result = fork_ranks({2, 3}, free_port(), Milliseconds(2000), join);
  for (const auto& r : result.ranks) {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.report,
                    ("mismatched world sizes: rank 0 was started with WORLD_SIZE=2, rank 1 with WORLD_SIZE=3"));
  }
}

// Rank 2 dies (SIGKILL) or stops answering between two all-reduces; the others report it within
// the timeout, whichever of them noticed first.
void lose_rank_2(bool kill, double timeout_s) {
  const auto result = fork_ranks(
      {3, 3, 3}, free_port(), Milliseconds(int64_t(timeout_s * 1000)), [&](const Rendezvous& rv, std::string&) {
        RingGroup group(rv);
        std::vector<float> v(1 << 18, 1.0f);
        group.all_reduce(std::span<float>(v));
        if (rv.rank == 2) {
          if (kill) ::raise(SIGKILL);
          std::this_thread::sleep_for(std::chrono::duration<double>(timeout_s * 2));  // silent, then gone
          ::_exit(0);
        }
        for (;;) group.all_reduce(std::span<float>(v));
      });
  EXPECT_EQ(result.ranks[2].exit_code, kill ? 128 + SIGKILL : 0);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(result.ranks[size_t(r)].exit_code, 1);
    EXPECT_CONTAINS(result.ranks[size_t(r)].report, ("rank 2 lost: ")) << "rank " << r;
  }
  EXPECT_LT(result.seconds, 2 * timeout_s + 10) << "the survivors took too long";
}

TEST(RingErrors, AKilledRankIsNamedByTheOthers) { lose_rank_2(true, 30); }  // noticed at once, not after 30 s

TEST(RingErrors, ASilentRankIsNamedAfterTheTimeout) { lose_rank_2(false, 1); }

TEST(Rendezvous, TorchrunAndSlurmVariables) {
  auto from = [](std::map<std::string, std::string> env) {
    return rendezvous_from_environment(
        [env](const char* name) { return env.count(name) ? env.at(name).c_str() : nullptr; });
  };
  EXPECT_FALSE(from({}).has_value());
  const auto torchrun = from({{"RANK", "1"}, {"WORLD_SIZE", "4"}, {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29501"}});
  ASSERT_TRUE(torchrun.has_value());
  EXPECT_EQ(torchrun->rank, 1);
  EXPECT_EQ(torchrun->world_size, 4);
  EXPECT_EQ(torchrun->master_addr, "node7");
  EXPECT_EQ(torchrun->master_port, 29501);
  EXPECT_EQ(torchrun->timeout, kDefaultTimeout);
  const auto slurm =
      from({{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "8"}, {"MASTER_PORT", "1234"}, {"PLDR_DIST_TIMEOUT", "2.5"}});
  ASSERT_TRUE(slurm.has_value());
  EXPECT_EQ(slurm->rank, 3);
  EXPECT_EQ(slurm->world_size, 8);
  EXPECT_EQ(slurm->timeout, Milliseconds(2500));
  auto error_of = [&](std::map<std::string, std::string> env) {
    try {
      from(env);
    } catch (const DistError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_CONTAINS(error_of({{"RANK", "4"}, {"WORLD_SIZE", "4"}, {"MASTER_PORT", "1"}}),
                  ("RANK=4 is not an integer in [0, 3]"));
  EXPECT_CONTAINS(error_of({{"RANK", "0"}}), ("WORLD_SIZE is not set"));
  EXPECT_CONTAINS(error_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}}), ("MASTER_PORT is not set"));
  EXPECT_CONTAINS(error_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "x"}}), ("MASTER_PORT=x"));
  EXPECT_CONTAINS(error_of({{"RANK", "0"}, {"WORLD_SIZE", "1"}, {"PLDR_DIST_TIMEOUT", "0"}}), ("PLDR_DIST_TIMEOUT=0"));
}

TEST(ProcessGroup, OneProcessIsTheIdentity) {
  auto group = connect(Rendezvous{});
  EXPECT_EQ(group->world_size(), 1);
  std::vector<double> v{1.5, -2};
  group->all_reduce(std::span<double>(v));
  group->barrier();
  EXPECT_EQ(v, (std::vector<double>{1.5, -2}));
  EXPECT_THROW(connect(Rendezvous{}, "mpi"), DistError);
}

}  // namespace
}  // namespace pldr::dist
