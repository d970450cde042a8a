// SPDX-License-Identifier: BSD-2-Clause
// Standard INQUIRY data (SPC-6 6.7.2): decode, encode and the JSON mapping camctl prints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

// "disk", "tape", "enclosure services device"... from libsgutils2.
std::string peripheral_device_type_name(unsigned pdt);

// Name of a version descriptor ("SPC-5 (no version claimed)", "SBC-4 (revision code 0x04)").
// From a compact table of the common standards (SAM, SPC, SBC, SSC, SES, SMC, MMC, ZBC, SAT,
// SAS/SPL, FCP, iSCSI, SRP, SOP, UAS...); empty when the standard is not in the table.
std::string version_descriptor_name(std::uint16_t code);

// Name of the VERSION field ("SPC-3"); empty when reserved.
std::string inquiry_version_name(std::uint8_t version);

struct Inquiry {
    std::uint8_t peripheral_qualifier = 0;
    std::uint8_t peripheral_device_type = 0;
    bool removable = false;
    bool lu_cong = false;
    std::uint8_t hot_pluggable = 0;
    std::uint8_t version = 0x07;
    bool aerc = false;    // obsolete
    bool trmtsk = false;  // obsolete
    bool normaca = false;
    bool hisup = false;
    std::uint8_t response_data_format = 2;
    bool sccs = false;
    bool acc = false;
    std::uint8_t tpgs = 0;
    bool tpc = false;  // the 3PC bit
    bool protect = false;
    bool bque = false;  // obsolete
    bool encserv = false;
    bool vs6 = false;  // vendor specific bit 5 of byte 6
    bool multip = false;
    bool mchngr = false;   // obsolete
    bool ackreqq = false;  // obsolete
    bool addr32 = false;   // obsolete
    bool addr16 = false;   // obsolete (SPI)
    bool reladr = false;   // obsolete
    bool wbus32 = false;   // obsolete
    bool wbus16 = false;   // obsolete (SPI)
    bool sync = false;     // obsolete (SPI)
    bool linked = false;   // obsolete
    bool trandis = false;  // obsolete
    bool cmdque = false;
    bool vs7 = false;    // vendor specific bit 0 of byte 7
    std::string vendor;  // T10 VENDOR IDENTIFICATION, trimmed
    std::string product;
    std::string revision;
    Bytes vendor_specific;      // bytes 36..55 without trailing zero padding
    std::uint8_t clocking = 0;  // SPI byte 56 (obsolete)
    bool qas = false;
    bool ius = false;
    std::vector<std::uint16_t> version_descriptors;  // the non-zero ones, in order
    Bytes vendor_specific_tail;                      // bytes 96.. up to the ADDITIONAL LENGTH
    // As decoded. encode() writes the length of what it encodes (31 for 36 bytes, 91 plus the
    // tail for 96 or more), so decode(encode(x)) == x when this holds that value.
    std::uint8_t additional_length = 31;
    Bytes trailing;  // bytes after ADDITIONAL LENGTH + 5 (not encoded)
    std::vector<std::string> warnings;

    // Tolerant: needs the 5-byte header, decodes whatever else is present.
    static Inquiry decode(ByteView data);
    // 36 bytes, or 96 plus the vendor specific tail when any field past byte 35 is set.
    Bytes encode() const;
    bool operator==(const Inquiry&) const = default;
};

void to_json(nlohmann::json& j, const Inquiry& inq);

}  // namespace camx::scsi
