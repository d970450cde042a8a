// SPDX-License-Identifier: BSD-2-Clause
#include "camx/topology/sysfs.hpp"

#include <dirent.h>
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

// One read: sysfs hands over a whole attribute (at most a page) in a single read, and the
// second read that would only return 0 is one syscall per attribute saved.
std::optional<std::string> read_fd(int fd) {
    std::array<char, kAttrMax> buf;
    ssize_t n = 0;
    do {
        n = ::read(fd, buf.data(), buf.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) return std::nullopt;
    std::string s(buf.data(), static_cast<std::size_t>(n));
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
    transport::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    return Dir(std::move(fd));
}

std::optional<Dir> Dir::open_child(const char* name) const {
    transport::UniqueFd fd(::openat(fd_.get(), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    return Dir(std::move(fd));
}

std::vector<std::string> Dir::entries() const {
    std::vector<std::string> out;
    if (listed_ && ::lseek(fd_.get(), 0, SEEK_SET) != 0) return out;
    listed_ = true;
    alignas(8) std::array<char, 32768> buf;
    for (;;) {
        const ssize_t n = ::getdents64(fd_.get(), buf.data(), buf.size());
        if (n <= 0) break;
        for (ssize_t off = 0; off < n;) {
            // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name
            std::uint16_t reclen = 0;
            std::memcpy(&reclen, buf.data() + off + 16, sizeof reclen);
            if (reclen == 0) return out;
            const std::string_view name(buf.data() + off + 19);
            if (name != "." && name != "..") out.emplace_back(name);
            off += reclen;
        }
    }
    return out;
}

std::optional<std::string> Dir::read(const char* name) const {
    transport::UniqueFd attr(::openat(fd_.get(), name, O_RDONLY | O_CLOEXEC));
    if (!attr) return std::nullopt;
    return read_fd(attr.get());
}

long Dir::read_bytes(const char* name, std::span<char> buf) const {
    transport::UniqueFd attr(::openat(fd_.get(), name, O_RDONLY | O_CLOEXEC));
    if (!attr) return -1;
    ssize_t n = 0;
    do {
        n = ::read(attr.get(), buf.data(), buf.size());
    } while (n < 0 && errno == EINTR);
    return n;
}

std::optional<std::string> Dir::read_link(const char* name) const {
    std::array<char, 4096> buf{};
    const ssize_t n = ::readlinkat(fd_.get(), name, buf.data(), buf.size());
    if (n < 0 || static_cast<std::size_t>(n) >= buf.size()) return std::nullopt;
    return std::string(buf.data(), static_cast<std::size_t>(n));
}

bool Dir::exists(const char* name) const {
    return ::faccessat(fd_.get(), name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
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
