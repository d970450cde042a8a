// SPDX-License-Identifier: BSD-2-Clause
// Reading and writing sysfs under a root that tests can move (CAMX_SYSFS), with the
// directory-relative calls the topology scan needs to stay fast over thousands of LUNs.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "camx/transport/fd.hpp"

namespace camx::topology {

class Sysfs {
  public:
    explicit Sysfs(std::string root);
    // $CAMX_SYSFS when set and not empty, else /sys.
    static Sysfs system();

    const std::string& root() const noexcept { return root_; }
    // root + "/" + relative
    std::string path(std::string_view relative) const;

  private:
    std::string root_;
};

// An open directory: entries listed once, attributes read relative to it. Holds a plain
// descriptor and lists with getdents64: no DIR stream, so no extra fcntl/fstat/lseek per
// directory, which matters when a scan opens several per logical unit.
class Dir {
  public:
    // Opens path; nullopt when it does not exist or is not a directory.
    static std::optional<Dir> open(const std::string& path);
    // Opens name relative to this directory (following symlinks).
    std::optional<Dir> open_child(const char* name) const;

    // Entry names without "." and "..", in directory order.
    std::vector<std::string> entries() const;
    // A sysfs attribute: its text without the trailing newline; nullopt if unreadable.
    // name may be a relative path ("0:0:0:0/state"): no directory of its own to open.
    std::optional<std::string> read(const char* name) const;
    // An attribute's raw bytes (binary attributes such as inquiry), one read into buf;
    // the number of bytes read, or -1 when unreadable.
    long read_bytes(const char* name, std::span<char> buf) const;
    std::optional<std::string> read_link(const char* name) const;
    bool exists(const char* name) const;
    int fd() const noexcept { return fd_.get(); }

  private:
    explicit Dir(transport::UniqueFd fd) : fd_(std::move(fd)) {}
    transport::UniqueFd fd_;
    mutable bool listed_ = false;  // a second listing rewinds first
};

std::optional<std::string> read_file(const std::string& path);
std::optional<std::string> read_link(const std::string& path);
// Writes value to an existing sysfs file; throws Error(no_device) if it does not exist,
// Error(file) otherwise, naming the file.
void write_file(const std::string& path, std::string_view value);

}  // namespace camx::topology
