// SPDX-License-Identifier: BSD-2-Clause
#include "camx/topology/watch.hpp"

#include <libudev.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/error/error.hpp"

namespace camx::topology {
namespace {

constexpr const char* kSubsystems[] = {"scsi", "block", "scsi_generic", "bsg"};
constexpr std::chrono::milliseconds kStopPoll{200};  // how often watch() looks at *stop

struct UdevDeleter {
    void operator()(udev* u) const noexcept { udev_unref(u); }
};
struct MonitorDeleter {
    void operator()(udev_monitor* m) const noexcept { udev_monitor_unref(m); }
};
struct DeviceDeleter {
    void operator()(udev_device* d) const noexcept { udev_device_unref(d); }
};

std::string str(const char* s) {
    return s != nullptr ? std::string(s) : std::string();
}

bool udevd_running() {
    return ::access("/run/udev/control", F_OK) == 0;
}

}  // namespace

struct Watch::Impl {
    std::unique_ptr<udev, UdevDeleter> udev_ctx;
    std::unique_ptr<udev_monitor, MonitorDeleter> monitor;
};

Watch::Watch(EventSource source) : impl_(std::make_unique<Impl>()) {
    impl_->udev_ctx.reset(udev_new());
    if (!impl_->udev_ctx) throw Error(Category::other, "cannot create a udev context");
    const bool use_udev =
        source == EventSource::udev || (source == EventSource::automatic && udevd_running());
    const char* name = use_udev ? "udev" : "kernel";
    impl_->monitor.reset(udev_monitor_new_from_netlink(impl_->udev_ctx.get(), name));
    if (!impl_->monitor)
        throw Error(Category::file, fmt::format("cannot open a {} event monitor (netlink): {}",
                                                name, std::strerror(errno)));
    for (const char* s : kSubsystems) {
        if (udev_monitor_filter_add_match_subsystem_devtype(impl_->monitor.get(), s, nullptr) < 0)
            throw Error(Category::other, fmt::format("cannot filter {} events", s));
    }
    if (const int rc = udev_monitor_enable_receiving(impl_->monitor.get()); rc < 0)
        throw Error(Category::file,
                    fmt::format("cannot receive {} events: {}", name, std::strerror(-rc)));
}

Watch::~Watch() = default;
Watch::Watch(Watch&&) noexcept = default;
Watch& Watch::operator=(Watch&&) noexcept = default;

int Watch::fd() const noexcept {
    return udev_monitor_get_fd(impl_->monitor.get());
}

std::optional<Event> Watch::next(std::chrono::milliseconds timeout) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        pollfd p{fd(), POLLIN, 0};
        const int rc = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
        if (rc < 0) {
            if (errno == EINTR) continue;
            throw Error(Category::other,
                        fmt::format("waiting for udev events: {}", std::strerror(errno)));
        }
        if (rc == 0) return std::nullopt;
        std::unique_ptr<udev_device, DeviceDeleter> dev(
            udev_monitor_receive_device(impl_->monitor.get()));
        if (!dev) continue;  // a message that did not pass the filter or was malformed
        Event e;
        e.time = std::chrono::system_clock::now();
        e.action = str(udev_device_get_action(dev.get()));
        e.subsystem = str(udev_device_get_subsystem(dev.get()));
        e.devtype = str(udev_device_get_devtype(dev.get()));
        e.sysname = str(udev_device_get_sysname(dev.get()));
        e.syspath = str(udev_device_get_syspath(dev.get()));
        e.devnode = str(udev_device_get_devnode(dev.get()));
        e.seqnum = udev_device_get_seqnum(dev.get());
        e.hctl = hctl_from_syspath(e.syspath);
        if (e.subsystem != "scsi" && !e.hctl) {
            if (clock::now() >= deadline) return std::nullopt;
            continue;  // a block, generic or bsg device that is not a SCSI logical unit
        }
        return e;
    }
}

std::size_t watch(const std::function<bool(const Event&)>& on_event,
                  std::chrono::milliseconds duration, const std::atomic<bool>* stop,
                  EventSource source) {
    using clock = std::chrono::steady_clock;
    Watch w(source);
    const auto deadline = clock::now() + duration;
    std::size_t n = 0;
    while (stop == nullptr || !stop->load()) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) break;
        auto e = w.next(stop != nullptr ? std::min(left, kStopPoll) : left);
        if (!e) continue;
        ++n;
        if (!on_event(*e)) break;
    }
    return n;
}

void to_json(nlohmann::json& j, const Event& e) {
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(e.time.time_since_epoch());
    j = nlohmann::json{
        {"action", e.action},
        {"subsystem", e.subsystem},
        {"devtype", e.devtype},
        {"sysname", e.sysname},
        {"syspath", e.syspath},
        {"devnode", e.devnode},
        {"seqnum", e.seqnum},
        {"timestamp_us", us.count()},
        {"time",
         fmt::format("{:%FT%TZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(e.time)))}};
    if (e.hctl)
        j["hctl"] = e.hctl->str();
    else
        j["hctl"] = nullptr;
}

}  // namespace camx::topology
