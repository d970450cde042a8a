#include "camx/scsi/data_out.hpp"

#include <cstddef>

namespace camx::scsi {
namespace {

// A big-endian length field at [off, off + width), or nullopt when the CDB is shorter.
std::optional<std::uint64_t> field(ByteView cdb, std::size_t off, std::size_t width) {
    if (cdb.size() < off + width) return std::nullopt;
    return bytes::be(cdb, off, width);
}

std::optional<DataOutLength> in_bytes(std::optional<std::uint64_t> n) {
    if (!n) return std::nullopt;
    return DataOutLength{*n, false};
}

std::optional<DataOutLength> in_blocks(std::optional<std::uint64_t> n) {
    if (!n) return std::nullopt;
    return DataOutLength{*n, true};
}

// VERIFY: BYTCHK (byte 1 bits 2..1) 0 sends nothing, 1 the blocks, 3 one block (SBC-4 5.31).
std::optional<DataOutLength> verify(ByteView cdb, std::size_t off, std::size_t width) {
    if (cdb.size() < 2) return std::nullopt;
    switch (bytes::bits(cdb[1], 2, 1)) {
        case 0:
            return DataOutLength{0, false};
        case 1:
            return in_blocks(field(cdb, off, width));
        case 3:
            return DataOutLength{1, true};
        default:
            return std::nullopt;  // reserved
    }
}

// WRITE SAME: one block, none with NDOB (byte 1 bit 0; WRITE SAME(10) has no NDOB).
std::optional<DataOutLength> write_same(ByteView cdb, bool has_ndob) {
    if (has_ndob && cdb.size() > 1 && bytes::bit(cdb[1], 0)) return DataOutLength{0, false};
    return DataOutLength{1, true};
}

// Commands of a variable-length CDB (0x7f): the service action is in bytes 8..9.
std::optional<DataOutLength> variable_length(ByteView cdb) {
    auto sa = field(cdb, 8, 2);
    if (!sa) return std::nullopt;
    switch (*sa) {
        case 0x000b:  // WRITE(32)
        case 0x000c:  // WRITE AND VERIFY(32)
            return in_blocks(field(cdb, 28, 4));
        case 0x000a: {  // VERIFY(32): BYTCHK in byte 10
            if (cdb.size() < 11) return std::nullopt;
            switch (bytes::bits(cdb[10], 2, 1)) {
                case 0:
                    return DataOutLength{0, false};
                case 1:
                    return in_blocks(field(cdb, 28, 4));
                case 3:
                    return DataOutLength{1, true};
                default:
                    return std::nullopt;
            }
        }
        case 0x000d:  // WRITE SAME(32): NDOB in byte 10
            if (cdb.size() > 10 && bytes::bit(cdb[10], 0)) return DataOutLength{0, false};
            return DataOutLength{1, true};
        default:
            return std::nullopt;
    }
}

}  // namespace

std::optional<DataOutLength> data_out_length(ByteView cdb) {
    if (cdb.empty()) return std::nullopt;
    switch (cdb[0]) {
        case 0x0a: {  // WRITE(6): a transfer length of 0 means 256 blocks
            auto n = field(cdb, 4, 1);
            if (!n) return std::nullopt;
            return DataOutLength{*n == 0 ? 256u : *n, true};
        }
        case 0x2a:  // WRITE(10)
        case 0x2e:  // WRITE AND VERIFY(10)
            return in_blocks(field(cdb, 7, 2));
        case 0xaa:  // WRITE(12)
        case 0xae:  // WRITE AND VERIFY(12)
            return in_blocks(field(cdb, 6, 4));
        case 0x8a:  // WRITE(16)
        case 0x8e:  // WRITE AND VERIFY(16)
        case 0x8b:  // ORWRITE(16)
            return in_blocks(field(cdb, 10, 4));
        case 0x9c:  // WRITE ATOMIC(16)
            return in_blocks(field(cdb, 12, 2));
        case 0x89: {  // COMPARE AND WRITE: the verify blocks, then the write blocks
            auto n = field(cdb, 13, 1);
            if (!n) return std::nullopt;
            return DataOutLength{2 * *n, true};
        }
        case 0x2f:  // VERIFY(10)
            return verify(cdb, 7, 2);
        case 0xaf:  // VERIFY(12)
            return verify(cdb, 6, 4);
        case 0x8f:  // VERIFY(16)
            return verify(cdb, 10, 4);
        case 0x41:  // WRITE SAME(10)
            return write_same(cdb, false);
        case 0x93:  // WRITE SAME(16)
            return write_same(cdb, true);
        case 0x7f:
            return variable_length(cdb);
        case 0x15:  // MODE SELECT(6)
            return in_bytes(field(cdb, 4, 1));
        case 0x55:  // MODE SELECT(10)
        case 0x42:  // UNMAP
        case 0x4c:  // LOG SELECT
        case 0x48:  // SANITIZE
            return in_bytes(field(cdb, 7, 2));
        case 0x1d:  // SEND DIAGNOSTIC
            return in_bytes(field(cdb, 3, 2));
        case 0x3b:  // WRITE BUFFER
            return in_bytes(field(cdb, 6, 3));
        case 0x5f:  // PERSISTENT RESERVE OUT
            return in_bytes(field(cdb, 5, 4));
        case 0x83:  // EXTENDED COPY (LID1 and LID4 alike)
            return in_bytes(field(cdb, 10, 4));
        case 0xa4:  // MAINTENANCE OUT: SET TARGET PORT GROUPS; other actions unknown here
            if (cdb.size() > 1 && bytes::bits(cdb[1], 4, 0) == 0x0a)
                return in_bytes(field(cdb, 6, 4));
            return std::nullopt;
        case 0xb5: {  // SECURITY PROTOCOL OUT: INC_512 (byte 4 bit 7) counts 512-byte units
            auto n = field(cdb, 6, 4);
            if (!n) return std::nullopt;
            return DataOutLength{bytes::bit(cdb[4], 7) ? *n * 512 : *n, false};
        }
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
            return DataOutLength{0, false};
        default:
            return std::nullopt;
    }
}

}  // namespace camx::scsi
