// SPDX-License-Identifier: BSD-2-Clause
// From SCSI status and sense bytes to camx::Category: the one place that decides which
// exit code a failed command gives.
#pragma once

#include <cstdint>

#include "camx/bytes/bytes.hpp"
#include "camx/error/error.hpp"

namespace camx::scsi {

// Key, ASC and ASCQ from fixed (0x70/0x71) or descriptor (0x72/0x73) sense; zeros if neither.
struct SenseKey {
    std::uint8_t response_code = 0;
    std::uint8_t key = 0;
    std::uint8_t asc = 0;
    std::uint8_t ascq = 0;
    bool valid = false;
};
SenseKey sense_key(ByteView sense) noexcept;

// The category of a completed command; Category::other is never returned for GOOD (0).
Category category_of(std::uint8_t status, ByteView sense) noexcept;

}  // namespace camx::scsi
