// SPDX-License-Identifier: BSD-2-Clause
// REPORT LUNS parameter data (SPC-6 6.35) and the eight-byte LUN with every SAM-6 addressing
// method, plus Linux's integer form of a LUN (scsilun_to_int / int_to_scsilun).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

enum class LunAddressing : std::uint8_t {
    peripheral,          // method 00b
    flat,                // method 01b, 14-bit LUN
    logical_unit,        // method 10b: target, bus, LUN
    well_known,          // extended, length 00b, method 1h
    extended_flat,       // extended, length 01b, method 2h, 24-bit LUN
    long_extended_flat,  // extended, length 10b, method 2h, 40-bit LUN
    not_specified,       // extended, length 11b, method Fh (FFFF...)
    extended_reserved,   // any other extended combination, value kept raw
};
std::string lun_addressing_name(LunAddressing a);

// One addressing level of a hierarchical LUN.
struct LunLevel {
    LunAddressing addressing = LunAddressing::peripheral;
    std::uint8_t bus_identifier = 0;  // peripheral and logical unit methods
    std::uint8_t target = 0;          // peripheral (bus != 0) and logical unit methods
    std::uint64_t lun = 0;            // the LUN or W-LUN at this level, or raw extended value
    std::uint8_t extended_address_method = 0;
    std::uint8_t length_bytes = 2;
    bool operator==(const LunLevel&) const = default;
};

struct Lun {
    std::array<std::uint8_t, 8> bytes{};

    static Lun from_bytes(ByteView eight);  // throws Error(malformed) unless 8 bytes
    // Linux's int form: the first two bytes are the low 16 bits, the next two the next 16...
    static Lun from_int(std::uint64_t v);
    std::uint64_t to_int() const;

    unsigned address_method() const { return bytes[0] >> 6; }
    bool is_well_known() const { return bytes[0] == 0xc1; }
    // The addressing levels, up to the first all-zero remainder (at least one level).
    std::vector<LunLevel> levels() const;
    bool operator==(const Lun&) const = default;
};

// "REPORT LUNS", "ACCESS CONTROLS", "TARGET LOG PAGES", ...; empty for an unassigned W-LUN.
std::string well_known_lun_name(std::uint8_t wlun);

struct ReportLunsData {
    std::uint32_t lun_list_length = 0;  // as decoded; encode() writes 8 * luns.size()
    std::vector<Lun> luns;
    // LU_CONG from standard INQUIRY: each LUN is an administrative element and a subsidiary
    // element (shown that way in JSON).
    bool lu_cong = false;
    Bytes partial;   // bytes of an incomplete last entry
    Bytes trailing;  // bytes after LUN LIST LENGTH + 8
    std::vector<std::string> warnings;

    static ReportLunsData decode(ByteView data, bool lu_cong = false);  // needs 8 bytes
    Bytes encode() const;
    bool operator==(const ReportLunsData&) const = default;
};

void to_json(nlohmann::json& j, const Lun& lun);
void to_json(nlohmann::json& j, const LunLevel& level);
// camctl reportluns: {"lun_list_length", "luns": [...], "warnings"}.
void to_json(nlohmann::json& j, const ReportLunsData& d);

}  // namespace camx::scsi
