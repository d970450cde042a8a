// SPDX-License-Identifier: BSD-2-Clause
// The 8-byte SAM LUN field of iSCSI PDUs (SAM-5 4.7): single-level peripheral (LUN < 256)
// and flat space (LUN < 16384) addressing; other formats are kept as raw bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::iscsi {

struct Lun {
    std::array<std::uint8_t, 8> raw{};

    // The encoding targets use: peripheral device addressing below 256, flat space above.
    // Throws Error(usage) for numbers flat space cannot carry (>= 16384).
    static Lun from_number(std::uint32_t lun);
    static Lun decode(ByteView b);  // the 8 bytes at b[0..8)
    void encode_to(MutableByteView b) const;

    // The LUN number for single-level peripheral (bus 0) and flat space addresses.
    std::optional<std::uint32_t> number() const;
    // SAM address method of the first level: 0 peripheral, 1 flat, 2 logical unit, 3 extended.
    unsigned address_method() const { return raw[0] >> 6; }

    bool operator==(const Lun&) const = default;
};

void to_json(nlohmann::json& j, const Lun& lun);

}  // namespace camx::iscsi
