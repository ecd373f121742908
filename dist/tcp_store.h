// A small key-value store over TCP for rendezvous: rank 0 hosts it (TcpStoreServer, a thread),
// every rank (rank 0 too) talks to it through a TcpStore client.
//
// Besides set/get (get waits until the key is set) and add (an atomic counter), the store holds a
// run's first failure: report_failure records a message unless one is recorded already and returns
// the recorded one, and every get waiting then, or later, fails with it. So a rank that sees a
// neighbour vanish learns what happened first, and no rank waits for a key that will never come.
//
// Ranks: a connection that adds to the key kClaimPrefix + r is rank r's until it adds to
// kGoodbyePrefix + r; if it closes in between, the rank's process ended, and that is recorded as
// the failure (so a rank that dies during rendezvous stops the others at once).
//
// Wire format (one request, one response, in order): request = op (1 byte), key length (u32),
// key, value length (u32), value, timeout in ms (u32, for get); response = status (1 byte:
// 0 ok, 1 failure recorded, 2 timed out), length (u32), value.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "dist/socket.h"

namespace pldr::dist {

constexpr const char* kClaimPrefix = "claims/";
constexpr const char* kGoodbyePrefix = "goodbye/";

class TcpStoreServer {
 public:
  // Listens on `port` on all interfaces; throws DistError when it cannot ("port 29500 in use").
  explicit TcpStoreServer(uint16_t port);
  ~TcpStoreServer();  // stops the thread and closes every connection

  uint16_t port() const { return port_; }
  // Waits until at most `clients` connections remain open, or `deadline`: rank 0 keeps the store
  // up after a failure until the other ranks have read it.
  void wait_for_clients(int clients, Clock::time_point deadline) const;

 private:
  void serve();

  Socket listener_;
  uint16_t port_ = 0;
  int wake_[2] = {-1, -1};  // a pipe that stops serve()
  std::atomic<int> clients_{0};
  std::thread thread_;
};

class TcpStore {
 public:
  // Connects with retries until `timeout`; `timeout` also bounds every later wait.
  TcpStore(const std::string& host, uint16_t port, Milliseconds timeout);

  void set(const std::string& key, const std::string& value);
  // Waits for the key up to the timeout; throws DistError with the recorded failure, or naming the
  // key (`waiting_for` says for what, e.g. "rank 2 to join").
  std::string get(const std::string& key, const std::string& waiting_for);
  bool has(const std::string& key);  // without waiting
  int64_t add(const std::string& key, int64_t delta);
  // Records `message` as the run's failure unless one is recorded; returns the recorded one.
  std::string report_failure(const std::string& message, Milliseconds timeout);

  const Socket& socket() const { return socket_; }  // readable only when the store closed
  std::string where() const { return host_ + ":" + std::to_string(port_); }

 private:
  enum class Status : uint8_t { Ok = 0, Failed = 1, TimedOut = 2 };
  Status request(uint8_t op, const std::string& key, const std::string& value, Milliseconds wait,
                 Milliseconds io_timeout, std::string& reply);

  std::string host_;
  uint16_t port_;
  Milliseconds timeout_;
  Socket socket_;
};

}  // namespace pldr::dist
