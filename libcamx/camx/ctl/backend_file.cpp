// SPDX-License-Identifier: BSD-2-Clause
// File and block device backends: pread/pwrite on one descriptor, fdatasync for SYNCHRONIZE
// CACHE and FUA, hole punching or BLKDISCARD for UNMAP, SEEK_DATA/SEEK_HOLE for LBA status.
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "camx/ctl/backend.hpp"

namespace camx::ctl {
namespace {

class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

std::string errno_text(int e) {
    return std::strerror(e);
}

class FileBackend final : public Backend {
  public:
    // A block backend on a regular file serves the file (ctl.conf(5): "a block device, or a
    // file"). A size creates a missing file of the file backend.
    FileBackend(std::string path, bool block, bool read_only, std::uint64_t size)
        : path_(std::move(path)),
          block_(block),
          fd_(open_fd(path_, read_only, !block && size != 0, read_only_)) {
        struct stat st {};
        if (::fstat(fd_.get(), &st) != 0) {
            throw Error(Category::file, fmt::format("{}: {}", path_, errno_text(errno)));
        }
        if (block_ && S_ISREG(st.st_mode)) block_ = false;
        if (block && !block_ && !S_ISREG(st.st_mode)) {
            throw Error(Category::file, fmt::format("{}: not a block device or file", path_));
        }
        if (!block && !S_ISREG(st.st_mode)) {
            throw Error(Category::file, fmt::format("{}: not a regular file", path_));
        }
        size_ = query_size();
        if (size != 0) resize(size, false);
    }

    std::uint64_t size_bytes() const override { return size_.load(); }
    bool read_only() const override { return read_only_; }

    void read(std::uint64_t offset, MutableByteView out) override {
        std::size_t done = 0;
        while (done < out.size()) {
            ssize_t n = ::pread(fd_.get(), out.data() + done, out.size() - done,
                                static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) io_error("read");
            if (n == 0) {  // past the end of a file: reads as zeros
                std::memset(out.data() + done, 0, out.size() - done);
                return;
            }
            done += static_cast<std::size_t>(n);
        }
    }

    void write(std::uint64_t offset, ByteView data) override {
        std::size_t done = 0;
        while (done < data.size()) {
            ssize_t n = ::pwrite(fd_.get(), data.data() + done, data.size() - done,
                                 static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) io_error("write");
            done += static_cast<std::size_t>(n);
        }
    }

    void flush() override {
        if (::fdatasync(fd_.get()) != 0) io_error("fdatasync");
    }

    void unmap(std::uint64_t offset, std::uint64_t length) override {
        if (block_) {
            std::uint64_t range[2] = {offset, length};
            if (::ioctl(fd_.get(), BLKDISCARD, range) == 0) return;
        } else if (::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                               static_cast<off_t>(offset), static_cast<off_t>(length)) == 0) {
            return;
        }
        // No discard support: write zeros so the range still reads back as zeros.
        std::vector<std::uint8_t> zeros(std::min<std::uint64_t>(length, 1u << 20));
        while (length > 0) {
            std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(length, zeros.size()));
            write(offset, ByteView(zeros.data(), n));
            offset += n, length -= n;
        }
    }

    Extent extent(std::uint64_t offset) const override {
        std::uint64_t size = size_.load();
        if (offset >= size) return {false, 0};
        if (block_) return {true, size - offset};
        off_t data = ::lseek(fd_.get(), static_cast<off_t>(offset), SEEK_DATA);
        if (data < 0) return {false, size - offset};  // ENXIO: only a hole up to the end
        if (static_cast<std::uint64_t>(data) > offset) {
            return {false, static_cast<std::uint64_t>(data) - offset};
        }
        off_t hole = ::lseek(fd_.get(), static_cast<off_t>(offset), SEEK_HOLE);
        std::uint64_t end =
            hole < 0 ? size : std::min<std::uint64_t>(size, static_cast<std::uint64_t>(hole));
        return {true, end - offset};
    }

    void resize(std::uint64_t size, bool force) override {
        std::uint64_t now = query_size();
        if (size == 0 || size == now) {
            size_ = now;
            return;
        }
        if (block_) {
            throw Error(Category::usage,
                        fmt::format("{} is {} bytes: a block device LUN has the device's size "
                                    "(resize the device first)",
                                    path_, now));
        }
        if (read_only_)
            throw Error(Category::usage, fmt::format("{}: read-only, cannot be resized", path_));
        if (size < now && !force && holds_data_from(size)) {
            throw Error(Category::usage,
                        fmt::format("{}: shrinking to {} bytes would cut off data the file "
                                    "holds beyond it (force to do it anyway)",
                                    path_, size));
        }
        if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
            throw Error(Category::file, fmt::format("{}: cannot resize to {} bytes: {}", path_,
                                                    size, errno_text(errno)));
        }
        size_ = size;
    }

  private:
    // Whether the file has data (not a hole) at offset or after it; when the file system
    // cannot say, it has.
    bool holds_data_from(std::uint64_t offset) const {
        off_t data = ::lseek(fd_.get(), static_cast<off_t>(offset), SEEK_DATA);
        return data >= 0 || errno != ENXIO;
    }

    static int open_fd(const std::string& path, bool want_ro, bool create, bool& read_only) {
        int fd = -1;
        if (!want_ro) {
            fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
            if (fd < 0 && errno != EACCES && errno != EROFS && errno != EPERM) {
                throw Error(Category::file, fmt::format("{}: {}", path, errno_text(errno)));
            }
        }
        // A read-only block device (BLKROSET, losetup -r) opens for writing all the same;
        // only its writes fail.
        struct stat st {};
        int ro = 0;
        if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) &&
            ::ioctl(fd, BLKROGET, &ro) == 0 && ro) {
            ::close(fd);
            fd = -1;
        }
        read_only = fd < 0;
        if (fd < 0) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw Error(Category::file, fmt::format("{}: {}", path, errno_text(errno)));
        return fd;
    }

    std::uint64_t query_size() const {
        if (block_) {
            std::uint64_t bytes = 0;
            if (::ioctl(fd_.get(), BLKGETSIZE64, &bytes) != 0) {
                throw Error(Category::file,
                            fmt::format("{}: BLKGETSIZE64: {}", path_, errno_text(errno)));
            }
            return bytes;
        }
        struct stat st {};
        if (::fstat(fd_.get(), &st) != 0) {
            throw Error(Category::file, fmt::format("{}: {}", path_, errno_text(errno)));
        }
        return static_cast<std::uint64_t>(st.st_size);
    }

    [[noreturn]] void io_error(const char* what) const {
        throw Error(Category::medium_hardware,
                    fmt::format("{}: {}: {}", path_, what, errno_text(errno)));
    }

    std::string path_;
    bool block_;
    bool read_only_ = false;
    Fd fd_;
    std::atomic<std::uint64_t> size_{0};
};

}  // namespace

std::unique_ptr<Backend> open_file_backend(const std::string& path, bool block_device,
                                           bool read_only, std::uint64_t size_bytes) {
    return std::make_unique<FileBackend>(path, block_device, read_only, size_bytes);
}

}  // namespace camx::ctl
