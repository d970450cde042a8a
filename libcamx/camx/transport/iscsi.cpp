// SPDX-License-Identifier: BSD-2-Clause
#include "camx/transport/iscsi.hpp"

// libiscsi's headers use these types without including their definitions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "camx/error/error.hpp"
#include "camx/transport/fd.hpp"
#include "camx/transport/sg.hpp"

namespace camx::transport {
namespace {

constexpr int kConnectTimeoutSeconds = 30;
constexpr int kLogoutTimeoutSeconds = 5;

struct ContextDeleter {
    void operator()(iscsi_context* ctx) const noexcept {
        if (iscsi_is_logged_in(ctx)) {
            iscsi_set_timeout(ctx, kLogoutTimeoutSeconds);
            iscsi_logout_sync(ctx);  // a clean logout; the target drops the session either way
        }
        iscsi_destroy_context(ctx);
    }
};
using Context = std::unique_ptr<iscsi_context, ContextDeleter>;

struct UrlDeleter {
    void operator()(iscsi_url* url) const noexcept { iscsi_destroy_url(url); }
};
using Url = std::unique_ptr<iscsi_url, UrlDeleter>;

struct TaskDeleter {
    void operator()(scsi_task* task) const noexcept { scsi_free_scsi_task(task); }
};
using Task = std::unique_ptr<scsi_task, TaskDeleter>;

std::string last_error(iscsi_context* ctx) {
    const char* e = iscsi_get_error(ctx);
    return e != nullptr && *e != '\0' ? e : "unknown libiscsi error";
}

// libiscsi reports a failed connect by the state it ended in ("iscsi_service failed with :
// ... Can not reconnect right now"). After such a failure a plain TCP connect to the portal
// tells the cause; nullopt when the portal accepts connections (the login failed).
std::optional<Error> probe(const Portal& portal, int timeout_s) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(portal.port);
    if (int rc = ::getaddrinfo(portal.host.c_str(), port.c_str(), &hints, &found); rc != 0)
        return Error(Category::transport,
                     fmt::format("cannot resolve {}: {}", portal.host, ::gai_strerror(rc)));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
    int last = 0;
    for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                             ai->ai_protocol));
        if (!fd) {
            last = errno;
            continue;
        }
        if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) return std::nullopt;
        if (errno != EINPROGRESS) {
            last = errno;
            continue;
        }
        pollfd p{fd.get(), POLLOUT, 0};
        if (::poll(&p, 1, timeout_s * 1000) <= 0) {
            last = ETIMEDOUT;
            continue;
        }
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0) return std::nullopt;
        last = err;
    }
    if (last == ECONNREFUSED)
        return Error(Category::transport, fmt::format("connection refused by {}: nothing listens "
                                                      "there",
                                                      portal.str()));
    if (last == ETIMEDOUT)
        return Error(Category::timeout,
                     fmt::format("no answer from {} within {} s", portal.str(), timeout_s));
    return Error(Category::transport,
                 fmt::format("cannot connect to {}: {}", portal.str(), std::strerror(last)));
}

// The login failed on an open connection: say what the target answered.
Error login_failure(const std::string& url, const Portal& portal, const std::string& target,
                    const std::string& initiator, const std::string& why) {
    // RFC 7143 login status 0x0203 Not Found, in libiscsi's words.
    if (why.find("Target not found") != std::string::npos)
        return Error(Category::no_device, fmt::format("no target {} at {}", target, portal.str()));
    return Error(Category::transport,
                 fmt::format("cannot log in to {} as {}: {}", url, initiator, why));
}

// After login, as iscsi_full_connect_sync does: TEST UNIT READY until the unit attentions of
// a new nexus are cleared. A LUN the target does not have is Error(no_device); other
// conditions are left to the command the caller sends.
void check_lun(iscsi_context* ctx, int lun, const std::string& target, const Portal& portal) {
    constexpr int kAttempts = 8;
    for (int i = 0; i < kAttempts; ++i) {
        Task task(iscsi_testunitready_sync(ctx, lun));
        if (!task)
            throw Error(Category::transport, fmt::format("{}: TEST UNIT READY after login: {}",
                                                         portal.str(), last_error(ctx)));
        if (task->status != SCSI_STATUS_CHECK_CONDITION) return;
        if (task->sense.key == SCSI_SENSE_UNIT_ATTENTION) continue;
        if (task->sense.key == SCSI_SENSE_ILLEGAL_REQUEST &&
            task->sense.ascq == SCSI_SENSE_ASCQ_LOGICAL_UNIT_NOT_SUPPORTED)
            throw Error(Category::no_device,
                        fmt::format("no LUN {} at target {} ({})", lun, target, portal.str()));
        return;
    }
}

class IscsiTransport final : public Transport {
  public:
    IscsiTransport(Context ctx, int lun, std::string path)
        : ctx_(std::move(ctx)), lun_(lun), path_(std::move(path)) {}

    Result execute(const Command& cmd) override;
    std::string path() const override { return path_; }

  private:
    Context ctx_;
    int lun_;
    std::string path_;
};

Result IscsiTransport::execute(const Command& cmd) {
    if (cmd.cdb.empty()) throw Error(Category::usage, "an empty CDB cannot be sent");
    if (cmd.cdb.size() > SCSI_CDB_MAX_SIZE)
        throw Error(Category::unsupported,
                    fmt::format("{}: libiscsi carries CDBs of at most {} bytes, this one has {}",
                                path_, SCSI_CDB_MAX_SIZE, cmd.cdb.size()));
    Result r;
    int dir = SCSI_XFER_NONE;
    if (cmd.direction == Direction::in && !cmd.data_in.empty()) {
        dir = SCSI_XFER_READ;
        r.requested = cmd.data_in.size();
    } else if (cmd.direction == Direction::out && !cmd.data_out.empty()) {
        dir = SCSI_XFER_WRITE;
        r.requested = cmd.data_out.size();
    }
    if (r.requested > static_cast<std::size_t>(INT32_MAX))
        throw Error(Category::usage,
                    fmt::format("a transfer of {} bytes is too large", r.requested));

    std::array<unsigned char, SCSI_CDB_MAX_SIZE> cdb{};
    std::copy(cmd.cdb.begin(), cmd.cdb.end(), cdb.begin());
    Task task(scsi_create_task(static_cast<int>(cmd.cdb.size()), cdb.data(), dir,
                               static_cast<int>(r.requested)));
    if (!task) throw Error(Category::other, fmt::format("{}: cannot allocate a SCSI task", path_));

    scsi_iovec out_iov{};
    if (dir == SCSI_XFER_READ) {
        if (scsi_task_add_data_in_buffer(task.get(), static_cast<int>(r.requested),
                                         cmd.data_in.data()) != 0)
            throw Error(Category::other,
                        fmt::format("{}: cannot attach the data-in buffer", path_));
    } else if (dir == SCSI_XFER_WRITE) {
        // libiscsi only reads from data-out buffers; its iovec is not const-qualified.
        out_iov.iov_base = const_cast<std::uint8_t*>(cmd.data_out.data());
        out_iov.iov_len = cmd.data_out.size();
        scsi_task_set_iov_out(task.get(), &out_iov, 1);
    }

    iscsi_set_timeout(ctx_.get(), timeout_seconds(cmd.timeout));
    if (iscsi_scsi_command_sync(ctx_.get(), lun_, task.get(), nullptr) == nullptr)
        throw Error(Category::transport,
                    fmt::format("{}: cannot send the command: {}", path_, last_error(ctx_.get())));

    switch (task->status) {
        case SCSI_STATUS_TIMEOUT:
            throw Error(Category::timeout, fmt::format("{}: the command timed out after {} s",
                                                       path_, timeout_seconds(cmd.timeout)));
        case SCSI_STATUS_CANCELLED:
        case SCSI_STATUS_ERROR:
            throw Error(Category::transport,
                        fmt::format("{}: the command failed: {}", path_, last_error(ctx_.get())));
        default:
            break;
    }
    if (task->status < 0 || task->status > 0xff)
        throw Error(Category::transport, fmt::format("{}: unexpected iSCSI response 0x{:x}: {}",
                                                     path_, task->status, last_error(ctx_.get())));
    r.status = static_cast<std::uint8_t>(task->status);
    // For CHECK CONDITION libiscsi keeps the response's data segment in datain.
    if (task->status == SCSI_STATUS_CHECK_CONDITION && task->datain.data != nullptr &&
        task->datain.size > 0)
        r.sense = sense_from_segment(
            ByteView(task->datain.data, static_cast<std::size_t>(task->datain.size)));
    if (task->residual_status == SCSI_RESIDUAL_UNDERFLOW)
        r.residual = std::min(task->residual, r.requested);
    else if (task->residual_status == SCSI_RESIDUAL_OVERFLOW)
        r.overflow = task->residual;
    return r;
}

}  // namespace

std::string Portal::str() const {
    if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
    return fmt::format("{}:{}", host, port);
}

Portal iscsi_portal(std::string_view url) {
    const std::string shown = redact_iscsi_url(url);
    auto bad = [&](const std::string& why) {
        return Error(Category::usage, fmt::format("invalid iSCSI URL '{}': {}", shown, why));
    };
    const auto start = url.find("://");
    if (start == std::string_view::npos) throw bad("no iscsi://");
    std::string_view auth = url.substr(start + 3);
    auth = auth.substr(0, auth.find('/'));
    if (const auto at = auth.rfind('@'); at != std::string_view::npos) auth.remove_prefix(at + 1);
    Portal p;
    std::optional<std::string_view> port;
    if (auth.starts_with('[')) {
        const auto close = auth.find(']');
        if (close == std::string_view::npos) throw bad("'[' without ']'");
        p.host = auth.substr(1, close - 1);
        const auto rest = auth.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') throw bad(fmt::format("'{}' after ']'", rest));
            port = rest.substr(1);
        }
    } else {
        const auto colon = auth.rfind(':');
        p.host = auth.substr(0, colon);
        if (colon != std::string_view::npos) port = auth.substr(colon + 1);
    }
    if (p.host.empty()) throw bad("no host");
    if (port) {
        unsigned n = 0;
        const auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), n);
        if (ec != std::errc{} || end != port->data() + port->size() || n == 0 || n > 65535)
            throw bad(fmt::format("port '{}' is not a number from 1 to 65535", *port));
        p.port = static_cast<std::uint16_t>(n);
    }
    return p;
}

bool is_iscsi_url(std::string_view s) noexcept {
    constexpr std::string_view scheme = "iscsi://";
    if (s.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        const char c = s[i];
        if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != scheme[i])
            return false;
    }
    return true;
}

std::string redact_iscsi_url(std::string_view url) {
    const auto start = url.find("://");
    if (start == std::string_view::npos) return std::string(url);
    const auto auth_begin = start + 3;
    const auto path_begin = url.find('/', auth_begin);
    const auto at = url.rfind('@', path_begin == std::string_view::npos ? url.size() : path_begin);
    if (at == std::string_view::npos || at < auth_begin) return std::string(url);
    auto userinfo = url.substr(auth_begin, at - auth_begin);
    userinfo = userinfo.substr(0, userinfo.find('%'));
    return fmt::format("{}{}{}", url.substr(0, auth_begin), userinfo, url.substr(at));
}

std::string initiator_name() {
    const char* env = std::getenv("CAMX_INITIATOR_NAME");
    return env != nullptr && *env != '\0' ? std::string(env) : std::string(kDefaultInitiatorName);
}

Bytes sense_from_segment(ByteView segment) {
    if (segment.size() < 2) return {};
    const std::size_t len = (std::size_t{segment[0]} << 8) | segment[1];
    const auto body = bytes::clamp(segment, 2, len);
    return Bytes(body.begin(), body.end());
}

std::unique_ptr<Transport> open_iscsi(const std::string& url) {
    const std::string shown = redact_iscsi_url(url);
    const Portal portal = iscsi_portal(url);
    const std::string initiator = initiator_name();
    Context ctx(iscsi_create_context(initiator.c_str()));
    if (!ctx)
        throw Error(Category::other,
                    fmt::format("cannot create an iSCSI context for initiator {}", initiator));
    Url parsed(iscsi_parse_full_url(ctx.get(), url.c_str()));
    if (!parsed)
        throw Error(Category::usage,
                    fmt::format("invalid iSCSI URL '{}' (expected "
                                "iscsi://[user[%password]@]host[:port]/iqn/lun): {}",
                                shown, last_error(ctx.get())));
    iscsi_set_session_type(ctx.get(), ISCSI_SESSION_NORMAL);
    iscsi_set_header_digest(ctx.get(), ISCSI_HEADER_DIGEST_NONE_CRC32C);
    iscsi_set_targetname(ctx.get(), parsed->target);
    if (parsed->user[0] != '\0')
        iscsi_set_initiator_username_pwd(ctx.get(), parsed->user, parsed->passwd);
    if (parsed->target_user[0] != '\0')
        iscsi_set_target_username_pwd(ctx.get(), parsed->target_user, parsed->target_passwd);
    // A tool reports a lost connection instead of reconnecting and replaying behind its back.
    iscsi_set_noautoreconnect(ctx.get(), 1);
    iscsi_set_timeout(ctx.get(), kConnectTimeoutSeconds);
    // iscsi_full_connect_sync in its three steps, so that a failure says which one failed.
    if (iscsi_connect_sync(ctx.get(), parsed->portal) != 0) {
        // The URL leads, as in every message about a device; the probe says what happened.
        if (auto refused = probe(portal, kConnectTimeoutSeconds))
            throw Error(refused->category(), fmt::format("{}: {}", shown, refused->what()));
        throw Error(Category::transport, fmt::format("{}: cannot connect to {}: {}", shown,
                                                     portal.str(), last_error(ctx.get())));
    }
    if (iscsi_login_sync(ctx.get()) != 0)
        throw login_failure(shown, portal, parsed->target, initiator, last_error(ctx.get()));
    check_lun(ctx.get(), parsed->lun, parsed->target, portal);
    const int lun = parsed->lun;
    return std::make_unique<IscsiTransport>(std::move(ctx), lun, shown);
}

}  // namespace camx::transport
