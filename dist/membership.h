// Joining a run through the store, the first step of every engine: rank 0 hosts the store, every
// rank connects (retrying until the timeout), checks that its WORLD_SIZE is rank 0's and claims
// its rank (a second process with the same rank is an error).
#pragma once
#include <memory>

#include "dist/rendezvous.h"
#include "dist/tcp_store.h"

namespace pldr::dist {

struct Membership {
  std::unique_ptr<TcpStoreServer> server;  // rank 0 only
  std::unique_ptr<TcpStore> store;
};

// Throws DistError naming the rank, the store's host:port and what went wrong; a failure after
// connecting is recorded in the store for the other ranks.
Membership join_store(const Rendezvous& rendezvous);

}  // namespace pldr::dist
