#include "camx/topology/sysfs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "camx/error/error.hpp"
#include "camx/transport/fd.hpp"

namespace camx::topology {
namespace {

constexpr std::size_t kAttrMax = 4096;  // a sysfs attribute is at most one page

std::optional<std::string> read_fd(int fd) {
    std::array<char, kAttrMax> buf{};
    std::size_t have = 0;
    while (have < buf.size()) {
        const ssize_t n = ::read(fd, buf.data() + have, buf.size() - have);
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;
        }
        if (n == 0) break;
        have += static_cast<std::size_t>(n);
    }
    std::string s(buf.data(), have);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
    return s;
}

}  // namespace

Sysfs::Sysfs(std::string root) : root_(std::move(root)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

Sysfs Sysfs::system() {
    const char* env = std::getenv("CAMX_SYSFS");
    return Sysfs(env != nullptr && *env != '\0' ? env : "/sys");
}

std::string Sysfs::path(std::string_view relative) const {
    while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
    return fmt::format("{}/{}", root_, relative);
}

std::optional<Dir> Dir::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
        ::close(fd);
        return std::nullopt;
    }
    return Dir(d);
}

std::optional<Dir> Dir::open_child(const char* name) const {
    const int child = ::openat(fd(), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (child < 0) return std::nullopt;
    DIR* d = ::fdopendir(child);
    if (d == nullptr) {
        ::close(child);
        return std::nullopt;
    }
    return Dir(d);
}

int Dir::fd() const noexcept {
    return ::dirfd(dir_.get());
}

std::vector<std::string> Dir::entries() const {
    std::vector<std::string> out;
    ::rewinddir(dir_.get());
    while (const dirent* e = ::readdir(dir_.get())) {
        const std::string_view name(e->d_name);
        if (name == "." || name == "..") continue;
        out.emplace_back(name);
    }
    return out;
}

std::optional<std::string> Dir::read(const char* name) const {
    transport::UniqueFd attr(::openat(fd(), name, O_RDONLY | O_CLOEXEC));
    if (!attr) return std::nullopt;
    return read_fd(attr.get());
}

std::optional<std::string> Dir::read_link(const char* name) const {
    std::array<char, 4096> buf{};
    const ssize_t n = ::readlinkat(fd(), name, buf.data(), buf.size());
    if (n < 0 || static_cast<std::size_t>(n) >= buf.size()) return std::nullopt;
    return std::string(buf.data(), static_cast<std::size_t>(n));
}

bool Dir::exists(const char* name) const {
    return ::faccessat(fd(), name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

std::optional<std::string> read_file(const std::string& path) {
    transport::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    return read_fd(fd.get());
}

std::optional<std::string> read_link(const std::string& path) {
    std::array<char, 4096> buf{};
    const ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0 || static_cast<std::size_t>(n) >= buf.size()) return std::nullopt;
    return std::string(buf.data(), static_cast<std::size_t>(n));
}

void write_file(const std::string& path, std::string_view value) {
    transport::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) {
        const int err = errno;
        throw Error(err == ENOENT ? Category::no_device : Category::file,
                    fmt::format("cannot open {} for writing: {}", path, std::strerror(err)));
    }
    // sysfs takes a store in one write(); a short write would be a different request.
    const ssize_t n = ::write(fd.get(), value.data(), value.size());
    if (n < 0) {
        const int err = errno;
        throw Error(err == ENODEV || err == ENXIO ? Category::device_gone : Category::file,
                    fmt::format("cannot write '{}' to {}: {}", value, path, std::strerror(err)));
    }
    if (static_cast<std::size_t>(n) != value.size())
        throw Error(Category::file, fmt::format("short write of '{}' to {}: {} of {} bytes", value,
                                                path, n, value.size()));
}

}  // namespace camx::topology
