// Joining a run through the store, the first step of every engine: rank 0 hosts the store, every
// rank connects (retrying until the timeout), checks that its WORLD_SIZE is rank 0's and claims
// its rank (a second process with the same rank is an error).
#pragma once
#include <memory>

#include "dist/rendezvous.h"
#include "dist/tcp_store.h"

namespace pldr::dist {

struct Membership {
  int rank = 0;
  Milliseconds timeout{0};
  std::unique_ptr<TcpStoreServer> server;  // rank 0 only
  std::unique_ptr<TcpStore> store;

  // Records `message` as the run's failure unless one is recorded, and returns the recorded one;
  // when the store no longer answers, rank 0 (its host) is gone, and the message says so.
  std::string record_failure(const std::string& message);
  // On rank 0: keeps the store up until the other ranks have left (having read the failure), for
  // at most kFailureGrace.
  void linger() const;
};

constexpr Milliseconds kFailureGrace{10000};

// Throws DistError naming the rank, the store's host:port and what went wrong; a failure after
// connecting is recorded in the store for the other ranks.
Membership join_store(const Rendezvous& rendezvous);

}  // namespace pldr::dist
