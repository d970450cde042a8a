#include "camx/target_config/control_socket.hpp"

#include <grp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
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

struct Client {
    UniqueFd fd;
    Peer peer;
    bool allowed = false;
    std::string in;
    std::string out;
    bool closing = false;  // close once out is written
};

}  // namespace

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

void ControlServer::run() {
    std::vector<Client> clients;
    while (true) {
        std::vector<pollfd> fds;
        fds.push_back({wake_.get(), POLLIN, 0});
        fds.push_back({listen_.get(), POLLIN, 0});
        for (const auto& c : clients) {
            short ev = c.closing ? 0 : POLLIN;
            if (!c.out.empty()) ev |= POLLOUT;
            fds.push_back({c.fd.get(), ev, 0});
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
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
            if (re & (POLLIN | POLLHUP | POLLERR)) {
                char buf[65536];
                ssize_t n = ::recv(c.fd.get(), buf, sizeof(buf), 0);
                if (n <= 0) {
                    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                    c.fd.reset();
                    continue;
                }
                c.in.append(buf, static_cast<std::size_t>(n));
                std::size_t nl;
                while (!c.closing && (nl = c.in.find('\n')) != std::string::npos) {
                    std::string line = c.in.substr(0, nl);
                    c.in.erase(0, nl + 1);
                    std::uint64_t id = 0;
                    if (!c.allowed) {
                        c.out += encode_error(
                            0, Error(Category::file,
                                     fmt::format("permission denied: uid {} may not use {}",
                                                 c.peer.uid, settings_.path)));
                        c.closing = true;
                        break;
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
                if (c.in.size() > kMaxLine) {
                    c.out += encode_error(0, Error(Category::usage, "request line too long"));
                    c.in.clear();
                    c.closing = true;
                }
            }
            if (c.fd && !c.out.empty() && (re & POLLOUT)) {
                ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
                if (n > 0)
                    c.out.erase(0, static_cast<std::size_t>(n));
                else if (n < 0 && errno != EAGAIN && errno != EINTR)
                    c.fd.reset();
            }
            if (c.fd && c.closing && c.out.empty()) c.fd.reset();
        }
        std::erase_if(clients, [](const Client& c) { return !c.fd; });
        if (fds[1].revents & POLLIN) {
            UniqueFd fd(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
            if (!fd) continue;
            if (clients.size() >= settings_.max_clients) continue;
            ucred cred{};
            socklen_t len = sizeof(cred);
            if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) continue;
            Client c;
            c.peer = Peer{cred.pid, cred.uid, cred.gid};
            c.allowed = allowed(c.peer);
            c.fd = std::move(fd);
            clients.push_back(std::move(c));
        }
    }
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
        if (n < 0)
            throw Error(Category::transport,
                        fmt::format("sending to ctld at {}: {}", path_, errno_text(errno)));
        sent += static_cast<std::size_t>(n);
    }
    return decode_response(read_line(), id);
}

}  // namespace camx::target_config::control
