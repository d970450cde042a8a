// SPDX-License-Identifier: BSD-2-Clause
#include "camx/target_config/control_socket.hpp"

#include <grp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace camx::target_config::control {

using transport::UniqueFd;

namespace {

std::string errno_text(int e) {
    return std::strerror(e);
}

sockaddr_un address(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(a.sun_path))
        throw Error(Category::usage,
                    fmt::format("control socket path '{}' is empty or too long", path));
    std::memcpy(a.sun_path, path.data(), path.size());
    return a;
}

UniqueFd unix_socket(int flags) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0));
    if (!fd) throw Error(Category::other, fmt::format("socket: {}", errno_text(errno)));
    return fd;
}

// 0 on success, errno otherwise.
int connect_to(const UniqueFd& fd, const std::string& path) {
    sockaddr_un a = address(path);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof(a)) == 0) return 0;
    return errno;
}

// Supplementary groups of a process, from /proc (SO_PEERCRED carries only the primary one).
bool in_group(pid_t pid, gid_t gid) {
    std::ifstream in(fmt::format("/proc/{}/status", pid));
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with("Groups:")) continue;
        std::istringstream ss(line.substr(7));
        unsigned long g;
        while (ss >> g) {
            if (g == gid) return true;
        }
    }
    return false;
}

}  // namespace

struct ControlServer::Client {
    UniqueFd fd;
    Peer peer;
    bool allowed = false;
    std::string in;
    std::string out;
    bool closing = false;  // close once out is written
    // A complete request served or answer bytes sent; the idle timeout counts from here.
    Clock::time_point last_activity;
    // Since when out has been over max_output_bytes without a break.
    std::optional<Clock::time_point> over_cap_since;
    bool held_back = false;  // serving stopped at the cap; c.in may hold complete requests
};

ControlServer::ControlServer(ServerSettings settings, ControlHandler& handler)
    : settings_(std::move(settings)), handler_(handler) {
    if (!settings_.group.empty()) {
        std::vector<char> buf(16384);
        group gr{};
        group* found = nullptr;
        if (::getgrnam_r(settings_.group.c_str(), &gr, buf.data(), buf.size(), &found) != 0 ||
            !found)
            throw Error(Category::usage, fmt::format("unknown group '{}'", settings_.group));
        gid_ = found->gr_gid;
    }
    std::filesystem::path p(settings_.path);
    if (p.has_parent_path()) {
        std::error_code ec;
        if (std::filesystem::create_directories(p.parent_path(), ec))
            ::chmod(p.parent_path().c_str(), 0755);
        if (ec)
            throw Error(Category::file,
                        fmt::format("{}: {}", p.parent_path().string(), ec.message()));
    }
    struct stat st {};
    if (::lstat(settings_.path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            throw Error(Category::file,
                        fmt::format("{}: exists and is not a socket", settings_.path));
        UniqueFd probe = unix_socket(0);
        if (connect_to(probe, settings_.path) == 0)
            throw Error(Category::busy,
                        fmt::format("{}: another ctld is already listening", settings_.path));
        ::unlink(settings_.path.c_str());
    }
    listen_ = unix_socket(SOCK_NONBLOCK);
    sockaddr_un a = address(settings_.path);
    // Create the socket with no access for others, then open it to the group.
    mode_t old = ::umask(0177);
    int rc = ::bind(listen_.get(), reinterpret_cast<const sockaddr*>(&a), sizeof(a));
    int err = errno;
    ::umask(old);
    if (rc != 0)
        throw Error(Category::file, fmt::format("{}: bind: {}", settings_.path, errno_text(err)));
    if (gid_) {
        if (::chown(settings_.path.c_str(), static_cast<uid_t>(-1), *gid_) != 0 ||
            ::chmod(settings_.path.c_str(), 0660) != 0) {
            err = errno;
            ::unlink(settings_.path.c_str());
            throw Error(Category::file, fmt::format("{}: {}", settings_.path, errno_text(err)));
        }
    }
    if (::listen(listen_.get(), 16) != 0) {
        err = errno;
        ::unlink(settings_.path.c_str());
        throw Error(Category::file, fmt::format("{}: listen: {}", settings_.path, errno_text(err)));
    }
    wake_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_) {
        err = errno;
        ::unlink(settings_.path.c_str());
        throw Error(Category::other, fmt::format("eventfd: {}", errno_text(err)));
    }
}

ControlServer::~ControlServer() {
    ::unlink(settings_.path.c_str());
}

void ControlServer::stop() noexcept {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof(one));
}

bool ControlServer::allowed(const Peer& p) const {
    if (p.uid == 0 || p.uid == ::geteuid()) return true;
    if (!gid_) return false;
    return p.gid == *gid_ || in_group(static_cast<pid_t>(p.pid), *gid_);
}

ServerStats ControlServer::stats() const {
    return {clients_now_.load(), buffered_now_.load(), peak_output_.load()};
}

void ControlServer::run() {
    std::vector<Client> clients;
    while (true) {
        // Requests held back while the answers were over the cap, once they have drained.
        for (auto& c : clients)
            if (c.held_back && c.out.size() <= settings_.max_output_bytes) serve_requests(c);
        std::vector<pollfd> fds;
        fds.push_back({wake_.get(), POLLIN, 0});
        fds.push_back({listen_.get(), POLLIN, 0});
        for (const auto& c : clients) {
            bool reading = !c.closing && c.out.size() <= settings_.max_output_bytes;
            short ev = reading ? POLLIN : 0;
            if (!c.out.empty()) ev |= POLLOUT;
            fds.push_back({c.fd.get(), ev, 0});
        }
        publish(clients);
        int rc = ::poll(fds.data(), fds.size(), poll_timeout_ms(clients, Clock::now()));
        if (rc < 0) {
            if (errno == EINTR) continue;
            throw Error(Category::other, fmt::format("poll: {}", errno_text(errno)));
        }
        if (fds[0].revents & POLLIN) {
            std::uint64_t v;
            [[maybe_unused]] auto n = ::read(wake_.get(), &v, sizeof(v));
            return;
        }
        for (std::size_t i = 0; i < clients.size(); ++i) {
            Client& c = clients[i];
            short re = fds[i + 2].revents;
            // POLLHUP without POLLIN: the peer is gone; recv() reports it (or what is left).
            if (re & (POLLIN | POLLHUP | POLLERR)) read_from(c);
            if (c.fd && !c.out.empty() && (re & POLLOUT)) write_to(c);
            if (c.fd && c.closing && c.out.empty()) c.fd.reset();
            if (c.fd) expire(c, Clock::now());
        }
        std::erase_if(clients, [](const Client& c) { return !c.fd; });
        if (fds[1].revents & POLLIN) accept_client(clients);
    }
}

void ControlServer::publish(const std::vector<Client>& clients) {
    std::size_t buffered = 0;
    std::size_t peak = peak_output_.load();
    for (const auto& c : clients) {
        buffered += c.in.size() + c.out.size();
        peak = std::max(peak, c.out.size());
    }
    clients_now_ = clients.size();
    buffered_now_ = buffered;
    peak_output_ = peak;
}

void ControlServer::accept_client(std::vector<Client>& clients) {
    UniqueFd fd(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd) return;
    if (clients.size() >= settings_.max_clients) {
        // Said before closing, so that ctladm can tell this from a daemon that went away; a
        // fresh socket's buffer takes the one line, and nothing waits if it did not.
        std::string line = encode_error(
            0, Error(Category::busy,
                     fmt::format("ctld at {} has too many control clients ({} at most); try "
                                 "again later",
                                 settings_.path, settings_.max_clients)));
        [[maybe_unused]] auto n =
            ::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        return;
    }
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return;
    Client c;
    c.peer = Peer{cred.pid, cred.uid, cred.gid};
    c.allowed = allowed(c.peer);
    c.fd = std::move(fd);
    c.last_activity = Clock::now();
    clients.push_back(std::move(c));
}

void ControlServer::serve_line(Client& c, std::string_view line) {
    c.last_activity = Clock::now();
    std::uint64_t id = 0;
    if (!c.allowed) {
        c.out += encode_error(
            0, Error(Category::file, fmt::format("permission denied: uid {} may not use {}",
                                                 c.peer.uid, settings_.path)));
        c.closing = true;
        return;
    }
    try {
        Request r = decode_request(line, &id);
        r.peer = c.peer;
        c.out += encode_result(id, handler_.handle(r));
    } catch (const Error& e) {
        c.out += encode_error(id, e);
    } catch (const std::exception& e) {
        c.out += encode_error(id, Error(Category::other, e.what()));
    }
}

// Serves the complete lines in c.in until its answers pass the cap; the rest waits there.
void ControlServer::serve_requests(Client& c) {
    std::size_t start = 0;
    std::size_t nl;
    while (!c.closing && c.out.size() <= settings_.max_output_bytes &&
           (nl = c.in.find('\n', start)) != std::string::npos) {
        serve_line(c, std::string_view(c.in).substr(start, nl - start));
        start = nl + 1;
    }
    c.in.erase(0, start);
    if (c.closing) c.in.clear();
    c.held_back = c.out.size() > settings_.max_output_bytes;
    if (c.out.size() > peak_output_.load()) peak_output_ = c.out.size();
}

void ControlServer::read_from(Client& c) {
    char buf[65536];
    ssize_t n = ::recv(c.fd.get(), buf, sizeof(buf), 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        c.fd.reset();
        return;
    }
    c.in.append(buf, static_cast<std::size_t>(n));
    serve_requests(c);
    // Held-back requests are complete lines; only a line without its end can be too long.
    if (c.in.size() > kMaxLine && c.in.find('\n') == std::string::npos) {
        c.out += encode_error(0, Error(Category::usage, "request line too long"));
        c.in.clear();
        c.closing = true;
    }
}

void ControlServer::write_to(Client& c) {
    ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) {
        c.out.erase(0, static_cast<std::size_t>(n));
        c.last_activity = Clock::now();
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        c.fd.reset();
    }
}

void ControlServer::expire(Client& c, Clock::time_point now) {
    if (c.out.size() > settings_.max_output_bytes) {
        if (!c.over_cap_since) c.over_cap_since = now;
    } else {
        c.over_cap_since.reset();
    }
    // A client that does not read its answers gets no more of them.
    if (c.over_cap_since && now - *c.over_cap_since >= settings_.idle_timeout) {
        c.fd.reset();
        return;
    }
    if (now - c.last_activity < settings_.idle_timeout) return;
    if (!c.out.empty() || c.closing) {
        c.fd.reset();
        return;
    }
    // Told why, for a client that comes back after a pause; the line fits the empty buffer.
    auto ms = settings_.idle_timeout.count();
    std::string idle = ms % 1000 ? fmt::format("{} ms", ms) : fmt::format("{} s", ms / 1000);
    c.out = encode_error(
        0, Error(Category::timeout, fmt::format("no request for {}: connection closed", idle)));
    c.in.clear();
    c.closing = true;
    c.last_activity = now;
}

int ControlServer::poll_timeout_ms(const std::vector<Client>& clients,
                                   Clock::time_point now) const {
    if (clients.empty()) return -1;
    auto next = Clock::time_point::max();
    for (const auto& c : clients) {
        next = std::min(next, c.last_activity + settings_.idle_timeout);
        if (c.over_cap_since) next = std::min(next, *c.over_cap_since + settings_.idle_timeout);
    }
    auto left = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
    return static_cast<int>(std::clamp<std::int64_t>(left, 0, 60000));
}

ControlClient::ControlClient(std::string path, int timeout_ms)
    : path_(std::move(path)), timeout_ms_(timeout_ms), fd_(unix_socket(0)) {
    int err = connect_to(fd_, path_);
    if (err == EACCES || err == EPERM)
        throw Error(Category::file,
                    fmt::format("cannot connect to ctld at {}: {}", path_, errno_text(err)));
    if (err != 0)
        throw Error(Category::transport, fmt::format("cannot connect to ctld at {}: {} (is ctld "
                                                     "running?)",
                                                     path_, errno_text(err)));
}

std::string ControlClient::read_line() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
    while (true) {
        if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return line;
        }
        if (buffer_.size() > kMaxLine)
            throw Error(Category::malformed, "response line from ctld too long");
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            throw Error(Category::timeout, fmt::format("no answer from ctld at {}", path_));
        pollfd p{fd_.get(), POLLIN, 0};
        int rc = ::poll(&p, 1, static_cast<int>(left.count()));
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) throw Error(Category::other, fmt::format("poll: {}", errno_text(errno)));
        if (rc == 0) continue;
        char buf[65536];
        ssize_t n = ::recv(fd_.get(), buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw Error(Category::transport,
                        fmt::format("ctld at {} closed the connection", path_));
        buffer_.append(buf, static_cast<std::size_t>(n));
    }
}

nlohmann::json ControlClient::call(const Command& command) {
    std::uint64_t id = next_id_++;
    std::string line = encode_request(id, command);
    std::size_t sent = 0;
    while (sent < line.size()) {
        ssize_t n = ::send(fd_.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        // ctld may have answered and closed before reading (too many clients): that answer
        // is still queued here and says more than the broken pipe.
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
            return decode_response(read_line(), id);
        if (n < 0)
            throw Error(Category::transport,
                        fmt::format("sending to ctld at {}: {}", path_, errno_text(errno)));
        sent += static_cast<std::size_t>(n);
    }
    return decode_response(read_line(), id);
}

}  // namespace camx::target_config::control
