// SPDX-License-Identifier: BSD-2-Clause
#include "pidfile.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "camx/error/error.hpp"

namespace camx::ctld {

namespace {

// The pid the file holds, for the message naming who runs; empty when unreadable.
std::string holder(int fd) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string s(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

PidFile::PidFile(std::string path) : path_(std::move(path)) {
    fd_.reset(::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd_)
        throw Error(Category::file, fmt::format("pidfile {}: {}", path_, std::strerror(errno)));
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        std::string pid = holder(fd_.get());
        fd_.reset();
        if (err == EWOULDBLOCK)
            throw Error(Category::busy,
                        fmt::format("pidfile {}: held by a running ctld{}", path_,
                                    pid.empty() ? "" : fmt::format(" (pid {})", pid)));
        throw Error(Category::file, fmt::format("pidfile {}: {}", path_, std::strerror(err)));
    }
    std::string text = fmt::format("{}\n", ::getpid());
    if (::ftruncate(fd_.get(), 0) != 0 ||
        ::pwrite(fd_.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        int err = errno;
        ::unlink(path_.c_str());
        throw Error(Category::file, fmt::format("pidfile {}: {}", path_, std::strerror(err)));
    }
}

PidFile::~PidFile() {
    // Unlinked while still locked: a ctld starting now cannot take the old file for free.
    ::unlink(path_.c_str());
}

}  // namespace camx::ctld
