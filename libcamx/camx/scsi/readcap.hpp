// SPDX-License-Identifier: BSD-2-Clause
// READ CAPACITY(10) and READ CAPACITY(16) parameter data (SBC-4 5.20.2, 5.21.2).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

struct ReadCapacity10Data {
    std::uint32_t returned_lba = 0;  // 0xffffffff: use READ CAPACITY(16)
    std::uint32_t block_length = 0;
    Bytes trailing;
    std::vector<std::string> warnings;

    static ReadCapacity10Data decode(ByteView data);  // needs 8 bytes
    Bytes encode() const;
    bool operator==(const ReadCapacity10Data&) const = default;
};

struct ReadCapacity16Data {
    std::uint64_t returned_lba = 0;
    std::uint32_t block_length = 0;
    std::uint8_t rc_basis = 0;
    std::uint8_t p_type = 0;
    bool prot_en = false;
    std::uint8_t p_i_exponent = 0;
    std::uint8_t lbppbe = 0;  // logical blocks per physical block exponent
    bool lbpme = false;
    bool lbprz = false;
    std::uint16_t lowest_aligned_lba = 0;
    Bytes reserved;  // bytes 16..31 when not all zero
    Bytes trailing;
    std::vector<std::string> warnings;

    // Needs the 12 bytes of RETURNED LOGICAL BLOCK ADDRESS and block length; a shorter rest
    // than 32 bytes leaves the later fields zero and adds a warning.
    static ReadCapacity16Data decode(ByteView data);
    Bytes encode() const;  // 32 bytes
    bool operator==(const ReadCapacity16Data&) const = default;

    // 0 when protection is off, else P_TYPE + 1 (types 1..3).
    unsigned protection_type() const { return prot_en ? p_type + 1u : 0u; }
};

// "capacity" object of camctl readcap.
void to_json(nlohmann::json& j, const ReadCapacity10Data& d);
void to_json(nlohmann::json& j, const ReadCapacity16Data& d);

}  // namespace camx::scsi
