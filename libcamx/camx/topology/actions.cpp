// SPDX-License-Identifier: BSD-2-Clause
#include "camx/topology/actions.hpp"

#include <fcntl.h>
#include <scsi/sg.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "camx/error/error.hpp"
#include "camx/transport/fd.hpp"

// The kernel's <scsi/sg.h> has these; glibc's copy predates them.
#ifndef SG_SCSI_RESET_TARGET
#define SG_SCSI_RESET_TARGET 4
#endif

namespace camx::topology {
namespace {

std::string device_file(const Hctl& hctl, const char* file, const Sysfs& sysfs) {
    return sysfs.path(fmt::format("class/scsi_device/{}/device/{}", hctl.str(), file));
}

int reset_value(ResetLevel level) noexcept {
    switch (level) {
        case ResetLevel::device:
            return SG_SCSI_RESET_DEVICE;
        case ResetLevel::target:
            return SG_SCSI_RESET_TARGET;
        case ResetLevel::bus:
            return SG_SCSI_RESET_BUS;
        case ResetLevel::host:
            return SG_SCSI_RESET_HOST;
    }
    return SG_SCSI_RESET_DEVICE;
}

}  // namespace

std::string ScanFilter::str() const {
    auto field = [](const auto& v) { return v ? fmt::format("{}", *v) : std::string("-"); };
    return fmt::format("{} {} {}", field(channel), field(target), field(lun));
}

void rescan_host(std::uint32_t host, const ScanFilter& filter, const Sysfs& sysfs) {
    write_file(sysfs.path(fmt::format("class/scsi_host/host{}/scan", host)), filter.str());
}

void rescan_device(const Hctl& hctl, const Sysfs& sysfs) {
    write_file(device_file(hctl, "rescan", sysfs), "1");
}

void delete_device(const Hctl& hctl, const Sysfs& sysfs) {
    write_file(device_file(hctl, "delete", sysfs), "1");
}

std::string_view reset_level_name(ResetLevel level) noexcept {
    switch (level) {
        case ResetLevel::device:
            return "device";
        case ResetLevel::target:
            return "target";
        case ResetLevel::bus:
            return "bus";
        case ResetLevel::host:
            return "host";
    }
    return "device";
}

void reset(const std::string& node, ResetLevel level) {
    transport::UniqueFd fd(::open(node.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
        const int err = errno;
        throw Error(
            err == ENOENT || err == ENXIO || err == ENODEV ? Category::no_device : Category::file,
            fmt::format("cannot open {}: {}", node, std::strerror(err)));
    }
    int value = reset_value(level);
    if (::ioctl(fd.get(), SG_SCSI_RESET, &value) != 0) {
        const int err = errno;
        Category c = Category::transport;
        if (err == ENODEV || err == ENXIO) c = Category::device_gone;
        if (err == EACCES || err == EPERM) c = Category::file;
        if (err == ENOTTY || err == EINVAL) c = Category::unsupported;
        throw Error(c, fmt::format("{} reset through {} (SG_SCSI_RESET) failed: {}",
                                   reset_level_name(level), node, std::strerror(err)));
    }
}

}  // namespace camx::topology
