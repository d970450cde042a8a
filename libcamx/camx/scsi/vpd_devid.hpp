// SPDX-License-Identifier: BSD-2-Clause
// Designation descriptors (SPC-6 7.7.6): the Device Identification VPD page's list, also
// used by the Logical Block Provisioning and SCSI Ports pages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

enum class DesignatorType : std::uint8_t {
    vendor_specific = 0x0,
    t10_vendor_id = 0x1,
    eui64 = 0x2,
    naa = 0x3,
    relative_target_port = 0x4,
    target_port_group = 0x5,
    logical_unit_group = 0x6,
    md5_logical_unit = 0x7,
    scsi_name_string = 0x8,
    protocol_specific_port = 0x9,
    uuid = 0xa,
};

enum class CodeSet : std::uint8_t { binary = 1, ascii = 2, utf8 = 3 };

struct Designator {
    std::uint8_t protocol_identifier = 0;
    std::uint8_t code_set = 1;
    bool piv = false;
    std::uint8_t association = 0;  // 0 LU, 1 target port, 2 target device
    std::uint8_t designator_type = 0;
    Bytes value;  // the designator itself, kept whole whatever its type
    bool operator==(const Designator&) const = default;

    bool protocol_valid() const { return piv && (association == 1 || association == 2); }
    Bytes encode() const;  // 4-byte header + value
};

// Splits a list of designation descriptors. Never reads past list; a descriptor that
// overruns it stops the walk, and the bytes from there are returned in unparsed.
struct DesignatorList {
    std::vector<Designator> designators;
    Bytes unparsed;
    std::vector<std::string> warnings;
};
DesignatorList decode_designators(ByteView list);

// "naa.5000c5003011cb2b"-style identifier for NAA, EUI-64 and SCSI name string designators;
// empty for other types.
std::string designator_id_string(const Designator& d);

// The JSON of one designator: header fields with libsgutils2's names, "value" (text for
// ASCII/UTF-8 code sets, lower-case hex otherwise) and the subfields of its type.
void to_json(nlohmann::json& j, const Designator& d);

}  // namespace camx::scsi
