#include "dist/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "dist/error.h"

namespace pldr::dist {

namespace {

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : int(std::min<int64_t>(left, 1 << 30));
}

std::string seconds_text(Milliseconds t) { return std::to_string(double(t.count()) / 1000.0).substr(0, 5) + " s"; }

}  // namespace

std::string system_error_text(int err) { return std::strerror(err); }

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.release();
  }
  return *this;
}

Socket::~Socket() { close(); }

int Socket::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void Socket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Socket listen_on(uint16_t port) {
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) throw DistError("cannot create a socket: " + system_error_text(errno));
  const int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(port);
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw DistError("cannot listen on port " + std::to_string(port) + ": " + system_error_text(errno));
  if (::listen(s.fd(), 128) != 0)
    throw DistError("cannot listen on port " + std::to_string(port) + ": " + system_error_text(errno));
  return s;
}

uint16_t local_port(const Socket& s) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

std::string local_host(const Socket& s) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&addr), &len);
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &addr.sin_addr, text, sizeof text);
  return text;
}

void set_no_delay(const Socket& s) {
  const int one = 1;
  ::setsockopt(s.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void set_non_blocking(const Socket& s) { ::fcntl(s.fd(), F_SETFL, ::fcntl(s.fd(), F_GETFL) | O_NONBLOCK); }

Socket connect_before(const std::string& host, uint16_t port, Clock::time_point deadline, const std::string& what) {
  const std::string where = what + " at " + host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  const auto start = Clock::now();
  std::string last_error;
  for (;;) {
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
    if (rc != 0) {
      last_error = std::string("cannot resolve host: ") + ::gai_strerror(rc);
    } else {
      Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
      const int status = ::connect(s.fd(), found->ai_addr, found->ai_addrlen);
      ::freeaddrinfo(found);
      int err = status == 0 ? 0 : errno;
      if (err == EINPROGRESS) {  // wait for the handshake, within the deadline
        pollfd p{s.fd(), POLLOUT, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) == 1) {
          socklen_t len = sizeof err;
          ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
        } else {
          err = ETIMEDOUT;
        }
      }
      if (err == 0) {
        ::fcntl(s.fd(), F_SETFL, ::fcntl(s.fd(), F_GETFL) & ~O_NONBLOCK);
        set_no_delay(s);
        return s;
      }
      last_error = system_error_text(err);
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(Milliseconds(std::min(100, remaining_ms(deadline))));
  }
  throw DistError("could not connect to " + where + " within " +
                  seconds_text(std::chrono::duration_cast<Milliseconds>(Clock::now() - start)) + " (" + last_error +
                  ")");
}

Socket accept_before(const Socket& listener, Clock::time_point deadline, const std::string& what) {
  pollfd p{listener.fd(), POLLIN, 0};
  const int ready = ::poll(&p, 1, remaining_ms(deadline));
  if (ready != 1) throw DistError("no connection from " + what + " before the timeout");
  Socket s(::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!s.valid()) throw DistError("accepting " + what + ": " + system_error_text(errno));
  set_no_delay(s);
  return s;
}

bool send_all(const Socket& s, const void* data, size_t bytes, Milliseconds timeout, std::string& error) {
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    pollfd fd{s.fd(), POLLOUT, 0};
    const int ready = ::poll(&fd, 1, int(timeout.count()));
    if (ready == 0) return error = "nothing could be sent for " + seconds_text(timeout), false;
    if (ready < 0 && errno == EINTR) continue;
    const ssize_t n = ::send(s.fd(), p, bytes, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return error = "connection lost (" + system_error_text(errno) + ")", false;
    p += n;
    bytes -= size_t(n);
  }
  return true;
}

bool recv_all(const Socket& s, void* data, size_t bytes, Milliseconds timeout, std::string& error) {
  char* p = static_cast<char*>(data);
  while (bytes > 0) {
    pollfd fd{s.fd(), POLLIN, 0};
    const int ready = ::poll(&fd, 1, int(timeout.count()));
    if (ready == 0) return error = "nothing received for " + seconds_text(timeout), false;
    if (ready < 0 && errno == EINTR) continue;
    const ssize_t n = ::recv(s.fd(), p, bytes, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n == 0) return error = "connection closed", false;
    if (n < 0) return error = "connection lost (" + system_error_text(errno) + ")", false;
    p += n;
    bytes -= size_t(n);
  }
  return true;
}

}  // namespace pldr::dist
