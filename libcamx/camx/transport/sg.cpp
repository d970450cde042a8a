// SPDX-License-Identifier: BSD-2-Clause
#include "camx/transport/sg.hpp"

#include <fcntl.h>
#include <scsi/sg_lib.h>
#include <scsi/sg_pt.h>
#include <scsi/sg_pt_linux.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>

#include <fmt/format.h>

#include "camx/transport/fd.hpp"

namespace camx::transport {
namespace {

constexpr int kDidNoConnect = 0x01;     // host_status DID_NO_CONNECT: device offline or removed
constexpr int kDidTimeOut = 0x03;       // host_status DID_TIME_OUT
constexpr int kDriverTimeout = 0x06;    // driver_status DRIVER_TIMEOUT
constexpr int kDriverMask = 0x0f;       // the driver byte's low nibble; the rest is obsolete
constexpr std::size_t kSenseMax = 252;  // SPC-4 maximum sense data length
constexpr std::size_t kCdbMax = 260;    // largest variable-length CDB (SPC-4 0x7f, 252 + 8)

struct PtDeleter {
    void operator()(sg_pt_base* p) const noexcept { destruct_scsi_pt_obj(p); }
};
using PtObject = std::unique_ptr<sg_pt_base, PtDeleter>;

std::string errno_text(int err) {
    return safe_strerror(err);
}

// sg_pt has no getter for the driver byte; sg_pt_linux.h, shipped with it, exposes the
// sg v4 header it fills in for both the v3 (sg, block) and v4 (bsg) paths.
int driver_status(const sg_pt_base* pt) noexcept {
    return static_cast<int>(pt->impl.io_hdr.driver_status);
}

// "Host_status=0x07 [DID_ERROR]; Driver_status=0x00 [DRIVER_OK]"
std::string transport_error_text(const sg_pt_base* pt) {
    std::array<char, 256> buf{};
    get_scsi_pt_transport_err_str(pt, static_cast<int>(buf.size()), buf.data());
    std::string s(buf.data());
    while (!s.empty() && s.back() == '\n') s.pop_back();
    for (std::size_t pos = 0; (pos = s.find('\n', pos)) != std::string::npos;)
        s.replace(pos, 1, "; ");
    return s;
}

std::string command_name(ByteView cdb) {
    // sg_get_command_name reads service-action bytes past byte 0 whatever the CDB's length.
    std::array<std::uint8_t, 32> padded{};
    std::copy_n(cdb.begin(), std::min(cdb.size(), padded.size()), padded.begin());
    std::array<char, 128> buf{};
    sg_get_command_name(padded.data(), -1, static_cast<int>(buf.size()), buf.data());
    return buf.data();
}

[[noreturn]] void throw_os_error(const std::string& what, const std::string& path, int err) {
    const Category c = category_of_errno(err);
    switch (c) {
        case Category::device_gone:
            throw Error(c, fmt::format("{} on {}: the device is gone (removed while open): {}",
                                       what, path, errno_text(err)));
        case Category::unsupported:
            throw Error(
                c, fmt::format("{} on {}: the node does not accept SCSI commands (SG_IO): {}", what,
                               path, errno_text(err)));
        case Category::file:
            throw Error(c, fmt::format("{} on {}: {} (SG_IO needs the node opened read-write, "
                                       "and root for most commands)",
                                       what, path, errno_text(err)));
        default:
            throw Error(c, fmt::format("{} on {}: SG_IO failed: {}", what, path, errno_text(err)));
    }
}

int checked_length(std::size_t n, const char* what) {
    if (n > static_cast<std::size_t>(INT_MAX))
        throw Error(Category::usage, fmt::format("{} of {} bytes is too large for SG_IO", what, n));
    return static_cast<int>(n);
}

class SgTransport final : public Transport {
  public:
    SgTransport(std::string path, UniqueFd fd, PtObject pt)
        : path_(std::move(path)), fd_(std::move(fd)), pt_(std::move(pt)) {}

    Result execute(const Command& cmd) override;
    std::string path() const override { return path_; }

  private:
    std::string path_;
    UniqueFd fd_;  // declared first so pt_, which refers to it, is destroyed first
    PtObject pt_;
};

Result SgTransport::execute(const Command& cmd) {
    if (cmd.cdb.empty() || cmd.cdb.size() > kCdbMax)
        throw Error(Category::usage,
                    fmt::format("a CDB of {} bytes cannot be sent", cmd.cdb.size()));
    const std::string what = command_name(cmd.cdb);
    sg_pt_base* pt = pt_.get();
    clear_scsi_pt_obj(pt);  // keeps the fd; the data and sense pointers must not accumulate

    std::array<std::uint8_t, kSenseMax> sense{};
    set_scsi_pt_cdb(pt, cmd.cdb.data(), static_cast<int>(cmd.cdb.size()));
    set_scsi_pt_sense(pt, sense.data(), static_cast<int>(sense.size()));
    Result r;
    if (cmd.direction == Direction::in && !cmd.data_in.empty()) {
        set_scsi_pt_data_in(pt, cmd.data_in.data(), checked_length(cmd.data_in.size(), "data-in"));
        r.requested = cmd.data_in.size();
    } else if (cmd.direction == Direction::out && !cmd.data_out.empty()) {
        set_scsi_pt_data_out(pt, cmd.data_out.data(),
                             checked_length(cmd.data_out.size(), "data-out"));
        r.requested = cmd.data_out.size();
    }

    const int rc = do_scsi_pt(pt, -1, timeout_seconds(cmd.timeout), 0);
    if (rc < 0) throw_os_error(what, path_, -rc);
    if (rc == SCSI_PT_DO_TIMEOUT)
        throw Error(Category::timeout, fmt::format("{} on {}: timed out after {} s", what, path_,
                                                   timeout_seconds(cmd.timeout)));
    if (rc != SCSI_PT_DO_START_OK)
        throw Error(
            Category::transport,
            fmt::format("{} on {}: the pass-through layer refused the command ({})", what, path_,
                        rc == SCSI_PT_DO_NOT_SUPPORTED ? "not supported" : "bad parameters"));
    if (const int os = get_scsi_pt_os_err(pt); os != 0) throw_os_error(what, path_, os);

    r.host_status = get_scsi_pt_transport_err(pt);
    r.driver_status = driver_status(pt);
    if (is_timeout(r.host_status, r.driver_status))
        throw Error(Category::timeout,
                    fmt::format("{} on {}: timed out after {} s ({})", what, path_,
                                timeout_seconds(cmd.timeout), transport_error_text(pt)));
    if (r.host_status == kDidNoConnect)
        throw Error(Category::device_gone,
                    fmt::format("{} on {}: the device is offline or was removed ({})", what, path_,
                                transport_error_text(pt)));
    if (get_scsi_pt_result_category(pt) == SCSI_PT_RESULT_TRANSPORT_ERR)
        throw Error(Category::transport,
                    fmt::format("{} on {}: {}", what, path_, transport_error_text(pt)));

    const int status = get_scsi_pt_status_response(pt);
    r.status = status < 0 ? 0 : static_cast<std::uint8_t>(status & 0xff);
    const int sense_len = get_scsi_pt_sense_len(pt);
    if (sense_len > 0) {
        const auto n = std::min(static_cast<std::size_t>(sense_len), sense.size());
        r.sense.assign(sense.begin(), sense.begin() + static_cast<std::ptrdiff_t>(n));
    }
    const int resid = get_scsi_pt_resid(pt);
    r.residual = resid <= 0 ? 0 : std::min(static_cast<std::size_t>(resid), r.requested);
    return r;
}

}  // namespace

Category category_of_errno(int err) noexcept {
    switch (err) {
        case ENODEV:
        case ENXIO:
            return Category::device_gone;
        case ETIMEDOUT:
            return Category::timeout;
        case EACCES:
        case EPERM:
        case EROFS:
            return Category::file;
        case ENOTTY:
            return Category::unsupported;
        default:
            return Category::transport;
    }
}

int timeout_seconds(std::chrono::milliseconds timeout) noexcept {
    const auto ms = timeout.count();
    if (ms <= 1000) return 1;
    // sg_pt multiplies by 1000 into an int.
    constexpr std::int64_t max_seconds = INT_MAX / 1000;
    const std::int64_t s = (ms + 999) / 1000;
    return static_cast<int>(std::min(s, max_seconds));
}

bool is_timeout(int host_status, int driver_status) noexcept {
    return host_status == kDidTimeOut || (driver_status & kDriverMask) == kDriverTimeout;
}

std::unique_ptr<Transport> open_sg(const std::string& path, bool read_only) {
    const int flags = (read_only ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_CLOEXEC;
    const int rc = scsi_pt_open_flags(path.c_str(), flags, 0);
    if (rc < 0) {
        const int err = -rc;
        const bool missing = err == ENOENT || err == ENODEV || err == ENXIO;
        throw Error(missing ? Category::no_device : Category::file,
                    fmt::format("cannot open {}: {}", path, errno_text(err)));
    }
    UniqueFd fd(rc);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        throw Error(Category::file, fmt::format("cannot stat {}: {}", path, errno_text(errno)));
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        throw Error(Category::file, fmt::format("{} is not a device node", path));

    PtObject pt(construct_scsi_pt_obj_with_fd(fd.get(), 0));
    if (!pt)
        throw Error(Category::other,
                    fmt::format("{}: cannot allocate a pass-through object", path));
    if (const int err = get_scsi_pt_os_err(pt.get()); err != 0)
        throw Error(Category::file, fmt::format("{}: {}", path, errno_text(err)));
    return std::make_unique<SgTransport>(path, std::move(fd), std::move(pt));
}

}  // namespace camx::transport
