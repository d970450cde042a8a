// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/sense_category.hpp"

namespace camx::scsi {

SenseKey sense_key(ByteView s) noexcept {
    SenseKey k;
    if (s.empty()) return k;
    k.response_code = s[0] & 0x7f;
    if ((k.response_code == 0x70 || k.response_code == 0x71) && s.size() >= 3) {
        k.key = s[2] & 0x0f;
        if (s.size() >= 13) k.asc = s[12];
        if (s.size() >= 14) k.ascq = s[13];
        k.valid = true;
    } else if ((k.response_code == 0x72 || k.response_code == 0x73) && s.size() >= 2) {
        k.key = s[1] & 0x0f;
        if (s.size() >= 3) k.asc = s[2];
        if (s.size() >= 4) k.ascq = s[3];
        k.valid = true;
    }
    return k;
}

Category category_of(std::uint8_t status, ByteView sense) noexcept {
    switch (status) {
        case 0x00: return Category::other;  // GOOD: callers do not ask
        case 0x08: case 0x28: return Category::busy;  // BUSY, TASK SET FULL
        case 0x18: return Category::reservation_conflict;
        case 0x02: break;  // CHECK CONDITION: decided by the sense key below
        default: return Category::other;
    }
    SenseKey k = sense_key(sense);
    if (!k.valid) return Category::sense;
    switch (k.key) {
        case 0x0: return Category::no_sense;
        case 0x1: return Category::recovered;
        case 0x2: return Category::not_ready;
        case 0x3: case 0x4: return Category::medium_hardware;
        case 0x5:
            if (k.asc == 0x20 && k.ascq == 0x00) return Category::invalid_opcode;
            if (k.asc == 0x21 && k.ascq == 0x00) return Category::lba_out_of_range;
            return Category::illegal_request;
        case 0x6: return Category::unit_attention;
        case 0x7: return Category::data_protect;
        case 0xb: return Category::aborted_command;
        case 0xe: return Category::miscompare;
        default: return Category::sense;
    }
}

}  // namespace camx::scsi
