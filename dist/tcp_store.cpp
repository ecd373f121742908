#include "dist/tcp_store.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "dist/error.h"

namespace pldr::dist {

namespace {

enum Op : uint8_t { kSet = 1, kGet = 2, kAdd = 3, kFail = 4 };

constexpr Milliseconds kReplyTimeout{5000};  // a client that reads nothing for this long is dropped

void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

uint32_t get_u32(const std::string& in, size_t at) {
  uint32_t v;
  std::memcpy(&v, in.data() + at, 4);
  return v;
}

struct Request {
  uint8_t op;
  std::string key, value;
  uint32_t wait_ms;
};

// Takes one whole request off the front of `buffer`, if it holds one.
std::optional<Request> take_request(std::string& buffer) {
  if (buffer.size() < 5) return std::nullopt;
  const uint32_t key_len = get_u32(buffer, 1);
  if (buffer.size() < 5 + size_t(key_len) + 4) return std::nullopt;
  const uint32_t value_len = get_u32(buffer, 5 + key_len);
  const size_t total = 5 + size_t(key_len) + 4 + value_len + 4;
  if (buffer.size() < total) return std::nullopt;
  Request r{uint8_t(buffer[0]), buffer.substr(5, key_len), buffer.substr(9 + key_len, value_len),
            get_u32(buffer, total - 4)};
  buffer.erase(0, total);
  return r;
}

std::string response(uint8_t status, const std::string& value) {
  std::string out(1, char(status));
  put_u32(out, uint32_t(value.size()));
  return out + value;
}

struct Waiter {
  int fd;
  std::string key;
  Clock::time_point deadline;
};

// What the store's thread holds: the open connections and their unread bytes, the data, the
// recorded failure, the gets waiting for a key, and which connection claimed which rank.
class StoreState {
 public:
  // Starts watching a new connection.
  void add_client(Socket client) {
    set_no_delay(client);
    const int fd = client.fd();
    sockets_.emplace(fd, std::move(client));
  }

  // What to poll: the wake pipe, the listener, then every connection.
  std::vector<pollfd> poll_list(int wake_fd, int listener_fd) const {
    std::vector<pollfd> fds{{wake_fd, POLLIN, 0}, {listener_fd, POLLIN, 0}};
    for (const auto& [fd, s] : sockets_) fds.push_back({fd, POLLIN, 0});
    return fds;
  }

  // How long poll may wait: until the first waiting get times out, or for ever (-1).
  int poll_timeout_ms() const {
    int wait_ms = -1;
    for (const Waiter& w : waiters_) {
      const auto left = std::chrono::duration_cast<Milliseconds>(w.deadline - Clock::now()).count();
      wait_ms = int(std::max<int64_t>(0, wait_ms < 0 ? left : std::min<int64_t>(wait_ms, left)));
    }
    return wait_ms;
  }

  // Answers the waiting gets whose deadline has passed: timed out.
  void expire_waiters(Clock::time_point now) {
    answer_waiters([&](const Waiter& w) { return w.deadline <= now; }, 2, "");
  }

  // Reads what connection `fd` sent and handles its whole requests; false when the client left
  // (its connection is then closed).
  bool receive(int fd) {
    char chunk[4096];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) {
      drop(fd);
      return false;
    }
    std::string& buffer = buffers_[fd];
    buffer.append(chunk, size_t(n));
    while (auto r = take_request(buffer)) handle(fd, *r);
    return true;
  }

 private:
  // Sends one response; a client that does not read it in time is disconnected.
  void reply(int fd, uint8_t status, const std::string& value) {
    std::string error;
    if (!send_all(sockets_.at(fd), response(status, value).data(), 5 + value.size(), kReplyTimeout, error))
      ::shutdown(fd, SHUT_RDWR);
  }

  // Replies to (and stops waiting for) every waiting get that `matches`.
  template <class Matches> void answer_waiters(Matches&& matches, uint8_t status, const std::string& value) {
    for (size_t i = 0; i < waiters_.size();) {
      if (matches(waiters_[i])) {
        reply(waiters_[i].fd, status, value);
        waiters_.erase(waiters_.begin() + i);
      } else {
        ++i;
      }
    }
  }

  // Carries out one request from connection `fd` and replies (a get may wait instead).
  void handle(int fd, const Request& r) {
    switch (r.op) {
      case kSet:
        data_[r.key] = r.value;
        reply(fd, 0, "");
        answer_waiters([&](const Waiter& w) { return w.key == r.key; }, 0, r.value);
        break;
      case kGet:
        if (data_.count(r.key)) reply(fd, 0, data_[r.key]);
        else if (failure_) reply(fd, 1, *failure_);
        else waiters_.push_back({fd, r.key, Clock::now() + Milliseconds(r.wait_ms)});
        break;
      case kAdd: {
        if (r.key.rfind(kClaimPrefix, 0) == 0) ranks_[fd] = r.key.substr(std::strlen(kClaimPrefix));
        if (r.key.rfind(kGoodbyePrefix, 0) == 0) ranks_.erase(fd);
        const int64_t now = (data_.count(r.key) ? std::stoll(data_[r.key]) : 0) + std::stoll(r.value);
        data_[r.key] = std::to_string(now);
        reply(fd, 0, data_[r.key]);
        break;
      }
      case kFail:
        if (!failure_) failure_ = r.value;
        reply(fd, 1, *failure_);
        answer_waiters([](const Waiter&) { return true; }, 1, *failure_);
        break;
      default: ::shutdown(fd, SHUT_RDWR);  // not our protocol
    }
  }

  // Forgets a client that left.
  void drop(int fd) {
    std::erase_if(waiters_, [fd](const Waiter& w) { return w.fd == fd; });
    if (ranks_.count(fd) && !failure_) {  // a rank's process ended without saying goodbye
      failure_ = "rank " + ranks_[fd] + " lost: its connection to the store closed";
      answer_waiters([](const Waiter&) { return true; }, 1, *failure_);
    }
    ranks_.erase(fd);
    sockets_.erase(fd);
    buffers_.erase(fd);
  }

  std::map<int, Socket> sockets_;
  std::map<int, std::string> buffers_;
  std::map<std::string, std::string> data_;
  std::optional<std::string> failure_;
  std::vector<Waiter> waiters_;
  std::map<int, std::string> ranks_;  // connection -> the rank it claimed, until it says goodbye
};

}  // namespace

TcpStoreServer::TcpStoreServer(uint16_t port) {
  try {
    listener_ = listen_on(port);
  } catch (const DistError& e) {
    throw DistError(std::string("cannot host the store: ") + e.what());
  }
  port_ = local_port(listener_);
  if (::pipe2(wake_, O_CLOEXEC) != 0) throw DistError("cannot create a pipe: " + system_error_text(errno));
  thread_ = std::thread([this] { serve(); });
}

TcpStoreServer::~TcpStoreServer() {
  const char stop = 0;
  (void)!::write(wake_[1], &stop, 1);
  thread_.join();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void TcpStoreServer::wait_for_clients(int clients, Clock::time_point deadline) const {
  while (clients_.load() > clients && Clock::now() < deadline) std::this_thread::sleep_for(Milliseconds(10));
}

void TcpStoreServer::serve() {
  StoreState store;
  for (;;) {
    std::vector<pollfd> fds = store.poll_list(wake_[0], listener_.fd());
    if (::poll(fds.data(), fds.size(), store.poll_timeout_ms()) < 0 && errno != EINTR) return;
    if (fds[0].revents) return;
    store.expire_waiters(Clock::now());
    if (fds[1].revents & POLLIN) {
      Socket client(::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
      if (client.valid()) {
        store.add_client(std::move(client));
        ++clients_;
      }
    }
    for (size_t i = 2; i < fds.size(); ++i)
      if (fds[i].revents && !store.receive(fds[i].fd)) --clients_;
  }
}

TcpStore::TcpStore(const std::string& host, uint16_t port, Milliseconds timeout)
    : host_(host),
      port_(port),
      timeout_(timeout),
      socket_(connect_before(host, port, Clock::now() + timeout, "the store")) {}

TcpStore::Status TcpStore::request(uint8_t op, const std::string& key, const std::string& value, Milliseconds wait,
                                   Milliseconds io_timeout, std::string& reply) {
  std::string message(1, char(op));
  put_u32(message, uint32_t(key.size()));
  message += key;
  put_u32(message, uint32_t(value.size()));
  message += value;
  put_u32(message, uint32_t(wait.count()));
  std::string error;
  char head[5];
  if (!send_all(socket_, message.data(), message.size(), io_timeout, error) ||
      !recv_all(socket_, head, 5, wait + io_timeout, error))
    throw DistError("rank 0 lost: the store at " + where() + " does not answer (" + error + ")");
  reply.assign(get_u32(std::string(head, 5), 1), '\0');
  if (!reply.empty() && !recv_all(socket_, reply.data(), reply.size(), io_timeout, error))
    throw DistError("rank 0 lost: the store at " + where() + " does not answer (" + error + ")");
  return Status(uint8_t(head[0]));
}

void TcpStore::set(const std::string& key, const std::string& value) {
  std::string reply;
  request(kSet, key, value, Milliseconds(0), timeout_, reply);
}

std::string TcpStore::get(const std::string& key, const std::string& waiting_for) {
  std::string reply;
  switch (request(kGet, key, "", timeout_, timeout_, reply)) {
    case Status::Ok: return reply;
    case Status::Failed: throw DistError(reply);
    case Status::TimedOut: break;
  }
  throw DistError("timed out after " + std::to_string(timeout_.count() / 1000.0).substr(0, 5) + " s waiting for " +
                  waiting_for + " (store " + where() + ")");
}

bool TcpStore::has(const std::string& key) {
  std::string reply;
  return request(kGet, key, "", Milliseconds(0), timeout_, reply) == Status::Ok;
}

int64_t TcpStore::add(const std::string& key, int64_t delta) {
  std::string reply;
  request(kAdd, key, std::to_string(delta), Milliseconds(0), timeout_, reply);
  return std::stoll(reply);
}

std::string TcpStore::report_failure(const std::string& message, Milliseconds timeout) {
  std::string reply;
  request(kFail, "", message, Milliseconds(0), timeout, reply);
  return reply;
}

}  // namespace pldr::dist
