// SPDX-License-Identifier: BSD-2-Clause
// The data-out length a CDB states. Every command the CDB codec (cdb.hpp) has a struct for is
// read through its decode(), so the CDB layouts live in one place; only the commands the codec
// does not model keep a byte-offset reader here, each naming the field it reads.
#include "camx/scsi/data_out.hpp"

#include <cstddef>

#include "camx/error/error.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/opcode.hpp"

namespace camx::scsi {
namespace {

namespace codec = scsi::cdb;

template <class C>
constexpr std::uint8_t op = to_u8(C::opcode);

DataOutLength in_bytes(std::uint64_t n) {
    return DataOutLength{n, false};
}

DataOutLength in_blocks(std::uint64_t n) {
    return DataOutLength{n, true};
}

// The length `length` reads from the codec's decode of the CDB; nullopt when the codec refuses
// the CDB (shorter than its command, or another service action).
template <class C, class F>
std::optional<DataOutLength> decoded(ByteView cdb, F&& length) {
    try {
        return length(C::decode(cdb));
    } catch (const Error&) {
        return std::nullopt;
    }
}

// A command whose transfer length counts logical blocks.
template <class C>
std::optional<DataOutLength> transfer_blocks(ByteView cdb) {
    return decoded<C>(cdb, [](const C& q) { return in_blocks(q.transfer_length); });
}

// A command whose data-out is a parameter list of PARAMETER LIST LENGTH bytes.
template <class C>
std::optional<DataOutLength> parameter_list(ByteView cdb) {
    return decoded<C>(cdb, [](const C& q) { return in_bytes(q.parameter_list_length); });
}

// VERIFY: BYTCHK 0 sends nothing, 1 the blocks, 3 one block (SBC-4 5.31); 2 is reserved.
std::optional<DataOutLength> verify_bytchk(unsigned bytchk, std::optional<std::uint64_t> blocks) {
    switch (bytchk) {
        case 0:
            return in_bytes(0);
        case 1:
            if (!blocks) return std::nullopt;
            return in_blocks(*blocks);
        case 3:
            return in_blocks(1);
        default:
            return std::nullopt;
    }
}

template <class C>
std::optional<DataOutLength> verify(ByteView cdb) {
    return decoded<C>(cdb,
                      [](const C& q) { return verify_bytchk(q.bytchk, q.verification_length); });
}

// The codec has no struct for these: byte-offset readers.

// A big-endian field at [off, off + width), or nullopt when the CDB is shorter.
std::optional<std::uint64_t> field(ByteView cdb, std::size_t off, std::size_t width) {
    if (cdb.size() < off + width) return std::nullopt;
    return bytes::be(cdb, off, width);
}

std::optional<DataOutLength> field_in_bytes(ByteView cdb, std::size_t off, std::size_t width) {
    auto n = field(cdb, off, width);
    if (!n) return std::nullopt;
    return in_bytes(*n);
}

std::optional<DataOutLength> field_in_blocks(ByteView cdb, std::size_t off, std::size_t width) {
    auto n = field(cdb, off, width);
    if (!n) return std::nullopt;
    return in_blocks(*n);
}

// Variable-length CDBs (0x7f, SBC-4 32-byte commands): SERVICE ACTION in bytes 8..9.
std::optional<DataOutLength> variable_length(ByteView cdb) {
    auto sa = field(cdb, 8, 2);
    if (!sa) return std::nullopt;
    switch (*sa) {
        case 0x000b:  // WRITE(32): TRANSFER LENGTH in bytes 28..31
        case 0x000c:  // WRITE AND VERIFY(32): TRANSFER LENGTH in bytes 28..31
            return field_in_blocks(cdb, 28, 4);
        case 0x000a:  // VERIFY(32): BYTCHK in byte 10 bits 2..1, VERIFICATION LENGTH 28..31
            if (cdb.size() < 11) return std::nullopt;
            return verify_bytchk(bytes::bits(cdb[10], 2, 1), field(cdb, 28, 4));
        case 0x000d:  // WRITE SAME(32): one block, none with NDOB (byte 10 bit 0)
            if (cdb.size() > 10 && bytes::bit(cdb[10], 0)) return in_bytes(0);
            return in_blocks(1);
        default:
            return std::nullopt;
    }
}

}  // namespace

std::optional<DataOutLength> data_out_length(ByteView cdb) {
    if (cdb.empty()) return std::nullopt;
    switch (cdb[0]) {
        // Block writes: the codec's WRITE(6) decode already turns a length of 0 into 256.
        case op<codec::Write6>:
            return transfer_blocks<codec::Write6>(cdb);
        case op<codec::Write10>:
            return transfer_blocks<codec::Write10>(cdb);
        case op<codec::Write12>:
            return transfer_blocks<codec::Write12>(cdb);
        case op<codec::Write16>:
            return transfer_blocks<codec::Write16>(cdb);
        case op<codec::WriteAndVerify10>:
            return transfer_blocks<codec::WriteAndVerify10>(cdb);
        case op<codec::WriteAndVerify12>:
            return transfer_blocks<codec::WriteAndVerify12>(cdb);
        case op<codec::WriteAndVerify16>:
            return transfer_blocks<codec::WriteAndVerify16>(cdb);
        case op<codec::OrWrite16>:
            return transfer_blocks<codec::OrWrite16>(cdb);
        case op<codec::WriteAtomic16>:
            return transfer_blocks<codec::WriteAtomic16>(cdb);
        case op<codec::CompareAndWrite>:  // the verify blocks, then the write blocks
            return decoded<codec::CompareAndWrite>(
                cdb, [](const auto& q) { return in_blocks(2 * std::uint64_t{q.blocks}); });
        case op<codec::Verify10>:
            return verify<codec::Verify10>(cdb);
        case op<codec::Verify12>:
            return verify<codec::Verify12>(cdb);
        case op<codec::Verify16>:
            return verify<codec::Verify16>(cdb);
        // WRITE SAME: one block, whatever the number it fills; none with NDOB, which only
        // WRITE SAME(16) has.
        case op<codec::WriteSame10>:
            return decoded<codec::WriteSame10>(cdb, [](const auto&) { return in_blocks(1); });
        case op<codec::WriteSame16>:
            return decoded<codec::WriteSame16>(
                cdb, [](const auto& q) { return q.ndob ? in_bytes(0) : in_blocks(1); });
        // Parameter lists.
        case op<codec::ModeSelect6>:
            return parameter_list<codec::ModeSelect6>(cdb);
        case op<codec::ModeSelect10>:
            return parameter_list<codec::ModeSelect10>(cdb);
        case op<codec::Unmap>:
            return parameter_list<codec::Unmap>(cdb);
        case op<codec::LogSelect>:
            return parameter_list<codec::LogSelect>(cdb);
        case op<codec::PersistentReserveOut>:
            return parameter_list<codec::PersistentReserveOut>(cdb);
        case op<codec::SendDiagnostic>:
            return parameter_list<codec::SendDiagnostic>(cdb);
        case op<codec::Sanitize>:  // whatever the service action: the CDB states what it sends
            return parameter_list<codec::Sanitize>(cdb);
        case op<codec::SetTargetPortGroups>:  // MAINTENANCE OUT: other service actions unknown here
            return parameter_list<codec::SetTargetPortGroups>(cdb);
        case op<codec::ExtendedCopy>:
            // The codec has EXTENDED COPY(LID1) only; the other service actions of 0x83
            // (EXTENDED COPY(LID4), POPULATE TOKEN, WRITE USING TOKEN) carry their PARAMETER
            // LIST LENGTH in bytes 10..13 as well (SPC-5 6.6, SBC-4 5.10, 5.55).
            if (cdb.size() > 1 && bytes::bits(cdb[1], 4, 0) != codec::ExtendedCopy::service_action)
                return field_in_bytes(cdb, 10, 4);
            return parameter_list<codec::ExtendedCopy>(cdb);
        // Not in the codec.
        case 0x3b:  // WRITE BUFFER: PARAMETER LIST LENGTH in bytes 6..8 (SPC-6 6.49)
            return field_in_bytes(cdb, 6, 3);
        case 0xb5: {  // SECURITY PROTOCOL OUT: TRANSFER LENGTH in bytes 6..9, counted in
                      // 512-byte units with INC_512 (byte 4 bit 7) (SPC-6 6.42)
            auto n = field(cdb, 6, 4);
            if (!n) return std::nullopt;
            return in_bytes(bytes::bit(cdb[4], 7) ? *n * 512 : *n);
        }
        case 0x7f:
            return variable_length(cdb);
        // Commands that send nothing.
        case 0x00:  // TEST UNIT READY
        case 0x03:  // REQUEST SENSE
        case 0x08:  // READ(6)
        case 0x12:  // INQUIRY
        case 0x1a:  // MODE SENSE(6)
        case 0x1b:  // START STOP UNIT
        case 0x1c:  // RECEIVE DIAGNOSTIC RESULTS
        case 0x1e:  // PREVENT ALLOW MEDIUM REMOVAL
        case 0x25:  // READ CAPACITY(10)
        case 0x28:  // READ(10)
        case 0x34:  // PRE-FETCH(10)
        case 0x35:  // SYNCHRONIZE CACHE(10)
        case 0x37:  // READ DEFECT DATA(10)
        case 0x3c:  // READ BUFFER
        case 0x4d:  // LOG SENSE
        case 0x5a:  // MODE SENSE(10)
        case 0x5e:  // PERSISTENT RESERVE IN
        case 0x84:  // RECEIVE COPY RESULTS
        case 0x88:  // READ(16)
        case 0x90:  // PRE-FETCH(16)
        case 0x91:  // SYNCHRONIZE CACHE(16)
        case 0x9e:  // SERVICE ACTION IN(16): READ CAPACITY(16), GET LBA STATUS
        case 0xa0:  // REPORT LUNS
        case 0xa3:  // MAINTENANCE IN
        case 0xa8:  // READ(12)
        case 0xb7:  // READ DEFECT DATA(12)
            return in_bytes(0);
        default:
            return std::nullopt;
    }
}

}  // namespace camx::scsi
