#include "camx/transport/iscsi.hpp"

// libiscsi's headers use these types without including their definitions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "camx/error/error.hpp"
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
    return r;
}

}  // namespace

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
    if (iscsi_full_connect_sync(ctx.get(), parsed->portal, parsed->lun) != 0)
        throw Error(Category::transport, fmt::format("cannot log in to {} as {}: {}", shown,
                                                     initiator, last_error(ctx.get())));
    const int lun = parsed->lun;
    return std::make_unique<IscsiTransport>(std::move(ctx), lun, shown);
}

}  // namespace camx::transport
