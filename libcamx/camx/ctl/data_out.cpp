// SPDX-License-Identifier: BSD-2-Clause
// Data-Out lengths by command, from the CDB codec: block writes and verifies in whole
// blocks inside the LUN, WRITE SAME one block, COMPARE AND WRITE both halves, the rest
// their parameter list length.
#include "camx/ctl/data_out.hpp"

#include "camx/error/error.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/opcode.hpp"

namespace camx::ctl {
namespace {

namespace cdb = scsi::cdb;

// Blocks outside the LUN are refused (LBA OUT OF RANGE) before the handler reads data.
std::uint64_t blocks_inside(const MediumShape& m, std::uint64_t lba, std::uint64_t blocks) {
    if (lba > m.blocks || blocks > m.blocks - lba) return 0;
    return blocks * m.block_size;
}

// A CDB the codec cannot read is refused before any data is looked at.
template <class C, class F>
std::uint64_t from(ByteView bytes, F&& length) {
    try {
        return length(C::decode(bytes));
    } catch (const Error&) {
        return 0;
    }
}

template <class C>
std::uint64_t block_write(ByteView bytes, const MediumShape& m) {
    return from<C>(bytes, [&](const C& q) { return blocks_inside(m, q.lba, q.transfer_length); });
}

// WRITE AND VERIFY: BYTCHK 0 and 1 carry the blocks, other values are refused.
template <class C>
std::uint64_t write_verify(ByteView bytes, const MediumShape& m) {
    return from<C>(bytes, [&](const C& q) -> std::uint64_t {
        return q.bytchk > 1 ? 0 : blocks_inside(m, q.lba, q.transfer_length);
    });
}

// VERIFY: BYTCHK 1 compares the blocks sent, 3 one block against every block, 0 sends none.
template <class C>
std::uint64_t verify(ByteView bytes, const MediumShape& m) {
    return from<C>(bytes, [&](const C& q) -> std::uint64_t {
        std::uint64_t n = blocks_inside(m, q.lba, q.verification_length);
        if (n == 0) return 0;
        if (q.bytchk == 1) return n;
        return q.bytchk == 3 ? m.block_size : 0;
    });
}

}  // namespace

std::uint64_t data_out_write_6(ByteView b, const MediumShape& m) {
    return block_write<cdb::Write6>(b, m);
}
std::uint64_t data_out_write_10(ByteView b, const MediumShape& m) {
    return block_write<cdb::Write10>(b, m);
}
std::uint64_t data_out_write_12(ByteView b, const MediumShape& m) {
    return block_write<cdb::Write12>(b, m);
}
std::uint64_t data_out_write_16(ByteView b, const MediumShape& m) {
    return block_write<cdb::Write16>(b, m);
}
std::uint64_t data_out_orwrite_16(ByteView b, const MediumShape& m) {
    return block_write<cdb::OrWrite16>(b, m);
}
std::uint64_t data_out_write_atomic_16(ByteView b, const MediumShape& m) {
    return block_write<cdb::WriteAtomic16>(b, m);
}
std::uint64_t data_out_write_verify_10(ByteView b, const MediumShape& m) {
    return write_verify<cdb::WriteAndVerify10>(b, m);
}
std::uint64_t data_out_write_verify_12(ByteView b, const MediumShape& m) {
    return write_verify<cdb::WriteAndVerify12>(b, m);
}
std::uint64_t data_out_write_verify_16(ByteView b, const MediumShape& m) {
    return write_verify<cdb::WriteAndVerify16>(b, m);
}
std::uint64_t data_out_verify_10(ByteView b, const MediumShape& m) {
    return verify<cdb::Verify10>(b, m);
}
std::uint64_t data_out_verify_12(ByteView b, const MediumShape& m) {
    return verify<cdb::Verify12>(b, m);
}
std::uint64_t data_out_verify_16(ByteView b, const MediumShape& m) {
    return verify<cdb::Verify16>(b, m);
}

// WRITE SAME: one logical block, whatever the number of blocks it fills (none with NDOB).
std::uint64_t data_out_write_same_10(ByteView b, const MediumShape& m) {
    return from<cdb::WriteSame10>(b, [&](const auto&) { return std::uint64_t{m.block_size}; });
}
std::uint64_t data_out_write_same_16(ByteView b, const MediumShape& m) {
    return from<cdb::WriteSame16>(
        b, [&](const auto& q) { return q.ndob ? 0 : std::uint64_t{m.block_size}; });
}

// COMPARE AND WRITE: the verify half and the write half.
std::uint64_t data_out_compare_and_write(ByteView b, const MediumShape& m) {
    return from<cdb::CompareAndWrite>(
        b, [&](const auto& q) { return 2 * std::uint64_t{q.blocks} * m.block_size; });
}

std::uint64_t data_out_unmap(ByteView b, const MediumShape&) {
    return from<cdb::Unmap>(b, [](const auto& q) { return q.parameter_list_length; });
}
std::uint64_t data_out_mode_select_6(ByteView b, const MediumShape&) {
    return from<cdb::ModeSelect6>(b, [](const auto& q) { return q.parameter_list_length; });
}
std::uint64_t data_out_mode_select_10(ByteView b, const MediumShape&) {
    return from<cdb::ModeSelect10>(b, [](const auto& q) { return q.parameter_list_length; });
}
std::uint64_t data_out_pr_out(ByteView b, const MediumShape&) {
    return from<cdb::PersistentReserveOut>(b,
                                           [](const auto& q) { return q.parameter_list_length; });
}
std::uint64_t data_out_send_diagnostic(ByteView b, const MediumShape&) {
    return from<cdb::SendDiagnostic>(b, [](const auto& q) { return q.parameter_list_length; });
}
std::uint64_t data_out_extended_copy(ByteView b, const MediumShape&) {
    return from<cdb::ExtendedCopy>(b, [](const auto& q) { return q.parameter_list_length; });
}
// SANITIZE: only OVERWRITE carries a parameter list.
std::uint64_t data_out_sanitize(ByteView b, const MediumShape&) {
    return from<cdb::Sanitize>(b, [](const auto& q) -> std::uint64_t {
        return q.service_action == static_cast<std::uint8_t>(scsi::SanitizeSa::overwrite)
                   ? q.parameter_list_length
                   : 0;
    });
}

}  // namespace camx::ctl
