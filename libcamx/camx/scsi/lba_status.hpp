// SPDX-License-Identifier: BSD-2-Clause
// GET LBA STATUS parameter data (SBC-4 5.8.2): the provisioning status of LBA extents, with
// the completion condition and RTP bit of later SBC-4 revisions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

struct LbaStatusDescriptor {
    std::uint64_t lba = 0;
    std::uint32_t blocks = 0;
    std::uint8_t lba_access = 0;           // byte 12 bits 7-4
    std::uint8_t provisioning_status = 0;  // byte 12 bits 3-0
    std::uint8_t additional_status = 0;    // byte 13; bit 0: may hold unrecovered errors
    bool operator==(const LbaStatusDescriptor&) const = default;
};

struct LbaStatus {
    std::uint8_t completion_condition = 0;  // byte 7 bits 3-1
    bool rtp = false;                       // byte 7 bit 0
    std::vector<LbaStatusDescriptor> descriptors;
    std::vector<std::string> warnings;

    // Throws Error(malformed) below the 8-byte header; a list cut short keeps its whole
    // descriptors and says so.
    static LbaStatus decode(ByteView data);
    Bytes encode() const;
    bool operator==(const LbaStatus&) const = default;
};

// "mapped or unknown", "deallocated", "anchored", "mapped", "unknown"; "reserved" otherwise.
std::string_view provisioning_status_name(std::uint8_t status) noexcept;

void to_json(nlohmann::json& j, const LbaStatus& s);

}  // namespace camx::scsi
