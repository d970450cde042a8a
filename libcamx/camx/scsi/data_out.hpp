// SPDX-License-Identifier: BSD-2-Clause
// How many bytes of data a CDB asks the initiator to send (its data-out transfer), read from
// the CDB's own fields (SPC-6, SBC-4), so an initiator can check a buffer before sending it.
#pragma once

#include <cstdint>
#include <optional>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

// A transfer length as the CDB states it: bytes, or logical blocks whose length the CDB
// does not carry (the device's READ CAPACITY does).
struct DataOutLength {
    std::uint64_t count = 0;
    bool in_blocks = false;
    // The length in bytes, given the device's logical block length.
    std::uint64_t bytes(std::uint32_t block_length) const noexcept {
        return in_blocks ? count * block_length : count;
    }
    bool operator==(const DataOutLength&) const = default;
};

// The data-out length of a command this table knows: every WRITE, WRITE AND VERIFY, WRITE
// SAME, COMPARE AND WRITE, ORWRITE, WRITE ATOMIC, VERIFY with BYTCHK, UNMAP, MODE SELECT,
// LOG SELECT, PERSISTENT RESERVE OUT, SEND DIAGNOSTIC, WRITE BUFFER, EXTENDED COPY, SANITIZE,
// SET TARGET PORT GROUPS, SECURITY PROTOCOL OUT; 0 for common commands that send nothing
// (INQUIRY, READ, MODE SENSE, TEST UNIT READY...). nullopt for a command it does not know
// and for a CDB too short: shorter than its command where the CDB codec (cdb.hpp) models it,
// shorter than its length field otherwise.
std::optional<DataOutLength> data_out_length(ByteView cdb);

}  // namespace camx::scsi
