// SPDX-License-Identifier: BSD-2-Clause
// SCSI addresses as Linux names them: host:channel:target:lun, ordered numerically.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace camx::topology {

struct Hctl {
    std::uint32_t host = 0;
    std::uint32_t channel = 0;
    std::uint32_t target = 0;
    std::uint64_t lun = 0;  // Linux's flat 64-bit LUN (scsilun_to_int)

    auto operator<=>(const Hctl&) const = default;
    std::string str() const;
    // "0:0:0:0" exactly: four decimal fields, no sign, no spaces, each within its range.
    static std::optional<Hctl> parse(std::string_view s) noexcept;
};

// The H:C:T:L component of a sysfs path such as
// /sys/devices/.../target0:0:0/0:0:0:0/block/sda (the last component that parses).
std::optional<Hctl> hctl_from_syspath(std::string_view syspath) noexcept;

}  // namespace camx::topology
