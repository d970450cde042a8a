// SPDX-License-Identifier: BSD-2-Clause
// How many Data-Out bytes a command's CDB asks for, per opcode: the command tables point
// here, so a frontend collects what the CDB carries instead of what the initiator declares.
#pragma once

#include <cstdint>

#include "camx/bytes/bytes.hpp"

namespace camx::ctl {

// What the lengths depend on: the LUN's logical block size and capacity in blocks.
struct MediumShape {
    std::uint32_t block_size = 512;
    std::uint64_t blocks = 0;
};

// The bytes the CDB asks the initiator to send; 0 when it sends none or when the engine
// refuses the command before it looks at data (a block range outside the LUN, a field it
// rejects). The caller caps the result at max_transfer_bytes.
using DataOutLength = std::uint64_t (*)(ByteView cdb, const MediumShape& medium);

std::uint64_t data_out_write_6(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_write_10(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_write_12(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_write_16(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_write_verify_10(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_write_verify_12(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_write_verify_16(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_verify_10(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_verify_12(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_verify_16(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_write_same_10(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_write_same_16(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_compare_and_write(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_orwrite_16(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_write_atomic_16(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_unmap(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_mode_select_6(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_mode_select_10(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_pr_out(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_send_diagnostic(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_extended_copy(ByteView cdb, const MediumShape& m);
std::uint64_t data_out_sanitize(ByteView cdb, const MediumShape& m);

}  // namespace camx::ctl
