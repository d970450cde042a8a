// SPDX-License-Identifier: BSD-2-Clause
// Changing what the kernel sees: rescans and deletions through sysfs, resets through the
// SG_SCSI_RESET ioctl. Errors name the file or node involved.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "camx/topology/hctl.hpp"
#include "camx/topology/sysfs.hpp"

namespace camx::topology {

// What a host scan looks for; nullopt is the "-" wildcard.
struct ScanFilter {
    std::optional<std::uint32_t> channel{};
    std::optional<std::uint32_t> target{};
    std::optional<std::uint64_t> lun{};
    // "C T L" as /sys/class/scsi_host/hostN/scan takes it: "- - -" for everything.
    std::string str() const;
};

// Writes the filter to <root>/class/scsi_host/host<N>/scan.
void rescan_host(std::uint32_t host, const ScanFilter& filter = {},
                 const Sysfs& sysfs = Sysfs::system());
// Writes 1 to <root>/class/scsi_device/<H:C:T:L>/device/rescan (re-reads INQUIRY, capacity).
void rescan_device(const Hctl& hctl, const Sysfs& sysfs = Sysfs::system());
// Writes 1 to <root>/class/scsi_device/<H:C:T:L>/device/delete (removes the device).
void delete_device(const Hctl& hctl, const Sysfs& sysfs = Sysfs::system());

enum class ResetLevel : std::uint8_t { device, target, bus, host };
std::string_view reset_level_name(ResetLevel level) noexcept;
// SG_SCSI_RESET on a node (sg preferred; sd, st and others accept it too).
void reset(const std::string& node, ResetLevel level);

}  // namespace camx::topology
