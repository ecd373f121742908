// TCP sockets with a deadline on every blocking operation (poll), for the store and the ring.
// Nothing here waits without a limit: a peer that vanishes is reported within the timeout.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace pldr::dist {

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;

// An owned file descriptor, closed on destruction.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();
  void close();

 private:
  int fd_ = -1;
};

// Listens on all interfaces; port 0 picks a free one. Throws DistError naming the port.
Socket listen_on(uint16_t port);
uint16_t local_port(const Socket& s);
// The address this end of a connected socket has (the interface that reaches the peer).
std::string local_host(const Socket& s);

// Connects, retrying refused or unreachable attempts until `deadline`; throws DistError naming
// host:port, `what` (e.g. "the store"), the time waited and the last error.
Socket connect_before(const std::string& host, uint16_t port, Clock::time_point deadline, const std::string& what);
// Accepts one connection before `deadline`, else throws DistError naming `what`.
Socket accept_before(const Socket& listener, Clock::time_point deadline, const std::string& what);

// Low latency for small messages, non-blocking I/O for the ring's poll loop.
void set_no_delay(const Socket& s);
void set_non_blocking(const Socket& s);

// Blocking exchange of whole messages with an inactivity timeout. They return false when the peer
// closed or reset the connection or nothing moved for `timeout`; `error` then says which.
bool send_all(const Socket& s, const void* data, size_t bytes, Milliseconds timeout, std::string& error);
bool recv_all(const Socket& s, void* data, size_t bytes, Milliseconds timeout, std::string& error);

std::string system_error_text(int err);

}  // namespace pldr::dist
