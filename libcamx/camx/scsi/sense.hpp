// SPDX-License-Identifier: BSD-2-Clause
// Sense data (SPC-6 4.4): fixed (0x70/0x71) and descriptor (0x72/0x73) formats decoded into
// one model, encoded for the target engine, rendered as JSON and as a one-line summary.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

enum class SenseKeyCode : std::uint8_t {
    no_sense = 0x0,
    recovered_error = 0x1,
    not_ready = 0x2,
    medium_error = 0x3,
    hardware_error = 0x4,
    illegal_request = 0x5,
    unit_attention = 0x6,
    data_protect = 0x7,
    blank_check = 0x8,
    vendor_specific = 0x9,
    copy_aborted = 0xa,
    aborted_command = 0xb,
    volume_overflow = 0xd,
    miscompare = 0xe,
    completed = 0xf,
};

// Names from libsgutils2: "Illegal Request", "Invalid field in cdb", "Check Condition".
std::string sense_key_name(std::uint8_t key);
std::string asc_ascq_name(std::uint8_t asc, std::uint8_t ascq);
std::string scsi_status_name(std::uint8_t status);

// How the three SENSE KEY SPECIFIC bytes read; it depends on the sense key.
enum class SksKind : std::uint8_t {
    field_pointer,         // ILLEGAL REQUEST
    retry_count,           // RECOVERED, MEDIUM and HARDWARE ERROR
    progress,              // NO SENSE, NOT READY
    segment_pointer,       // COPY ABORTED
    unit_attention_queue,  // UNIT ATTENTION
    unknown,
};
SksKind sks_kind(std::uint8_t sense_key);
std::string_view sks_kind_name(SksKind k);

// The three bytes as on the wire (byte 0 bit 7 is SKSV) with views for each interpretation.
struct SenseKeySpecific {
    std::array<std::uint8_t, 3> bytes{};

    bool sksv() const { return (bytes[0] & 0x80) != 0; }
    bool command_data() const { return (bytes[0] & 0x40) != 0; }        // C/D, field pointer
    bool segment_descriptor() const { return (bytes[0] & 0x20) != 0; }  // SD, segment pointer
    bool bpv() const { return (bytes[0] & 0x08) != 0; }
    std::uint8_t bit_pointer() const { return bytes[0] & 0x07; }
    bool overflow() const { return (bytes[0] & 0x01) != 0; }
    // Field pointer, segment pointer, progress (of 65536) or actual retry count.
    std::uint16_t value() const { return static_cast<std::uint16_t>((bytes[1] << 8) | bytes[2]); }
    double progress_percent() const { return value() * 100.0 / 65536.0; }

    static SenseKeySpecific field_pointer(bool in_cdb, std::uint16_t byte,
                                          std::optional<std::uint8_t> bit = {});
    static SenseKeySpecific segment_pointer(bool in_segment_descriptor, std::uint16_t byte,
                                            std::optional<std::uint8_t> bit = {});
    static SenseKeySpecific progress(std::uint16_t fraction_of_65536);
    static SenseKeySpecific retry_count(std::uint16_t count);
    static SenseKeySpecific queue_overflow(bool overflow);

    bool operator==(const SenseKeySpecific&) const = default;
};

// "field pointer: CDB byte 2 bit 7", "progress: 18.99%", ...
std::string to_text(const SenseKeySpecific& sks, std::uint8_t sense_key);
nlohmann::json sks_json(const SenseKeySpecific& sks, std::uint8_t sense_key);

// Sense data descriptors (type in the comment). Lengths other than the standard one are kept raw.
struct InformationDescriptor {  // 0x00
    bool valid = true;
    std::uint64_t information = 0;
    bool operator==(const InformationDescriptor&) const = default;
};
struct CommandSpecificDescriptor {  // 0x01
    std::uint64_t information = 0;
    bool operator==(const CommandSpecificDescriptor&) const = default;
};
struct SksDescriptor {  // 0x02
    SenseKeySpecific sks;
    bool operator==(const SksDescriptor&) const = default;
};
struct FruDescriptor {  // 0x03
    std::uint8_t code = 0;
    bool operator==(const FruDescriptor&) const = default;
};
struct StreamCommandsDescriptor {  // 0x04
    bool filemark = false;
    bool eom = false;
    bool ili = false;
    bool operator==(const StreamCommandsDescriptor&) const = default;
};
struct BlockCommandsDescriptor {  // 0x05
    bool ili = false;
    bool operator==(const BlockCommandsDescriptor&) const = default;
};
struct AtaStatusReturnDescriptor {  // 0x09 (SAT)
    bool extend = false;
    std::uint8_t error = 0;
    std::uint16_t count = 0;
    std::uint64_t lba = 0;  // 48 bits
    std::uint8_t device = 0;
    std::uint8_t status = 0;
    bool operator==(const AtaStatusReturnDescriptor&) const = default;
};
struct ProgressDescriptor {  // 0x0A, another progress indication
    std::uint8_t key = 0;
    std::uint8_t asc = 0;
    std::uint8_t ascq = 0;
    std::uint16_t progress = 0;
    bool operator==(const ProgressDescriptor&) const = default;
};
struct UdsReferralDescriptor {  // 0x0B (SBC)
    struct Group {
        std::uint8_t state = 0;  // asymmetric access state
        std::uint16_t group = 0;
        bool operator==(const Group&) const = default;
    };
    struct Segment {
        std::uint64_t first_lba = 0;
        std::uint64_t last_lba = 0;
        std::vector<Group> groups;
        bool operator==(const Segment&) const = default;
    };
    bool not_all_referrals = false;
    std::vector<Segment> segments;
    Bytes trailing;  // a truncated segment descriptor, as received
    bool operator==(const UdsReferralDescriptor&) const = default;
};
struct ForwardedSenseDescriptor {  // 0x0C
    bool fsdt = false;
    std::uint8_t source = 0;  // 0 EXTENDED COPY source, 1..7 destination device n-1
    std::uint8_t status = 0;  // forwarded SCSI status
    Bytes sense;              // the forwarded sense data; decoded on demand (bounded depth)
    bool operator==(const ForwardedSenseDescriptor&) const = default;
};
struct DirectAccessDescriptor {  // 0x0D (SBC)
    bool valid = false;
    bool ili = false;
    SenseKeySpecific sks;
    std::uint8_t fru = 0;
    std::uint64_t information = 0;
    std::uint64_t command_specific = 0;
    bool operator==(const DirectAccessDescriptor&) const = default;
};
struct RawDescriptor {  // OSD ones, unknown and vendor types, and odd lengths
    std::uint8_t type = 0;
    Bytes data;  // after the two header bytes
    bool operator==(const RawDescriptor&) const = default;
};

using SenseDescriptor =
    std::variant<InformationDescriptor, CommandSpecificDescriptor, SksDescriptor, FruDescriptor,
                 StreamCommandsDescriptor, BlockCommandsDescriptor, AtaStatusReturnDescriptor,
                 ProgressDescriptor, UdsReferralDescriptor, ForwardedSenseDescriptor,
                 DirectAccessDescriptor, RawDescriptor>;

std::uint8_t descriptor_type(const SenseDescriptor& d);
std::string_view descriptor_type_name(std::uint8_t type);

struct Sense {
    bool descriptor_format = false;
    bool deferred = false;
    std::uint8_t key = 0;
    std::uint8_t asc = 0;
    std::uint8_t ascq = 0;
    bool sdat_ovfl = false;

    // Fixed format fields (descriptor format carries them in descriptors).
    bool valid = false;
    bool filemark = false;
    bool eom = false;
    bool ili = false;
    std::uint32_t information = 0;
    std::uint32_t command_specific = 0;
    std::uint8_t fru = 0;
    SenseKeySpecific sks;
    Bytes additional;  // fixed: bytes 18 and on within the additional sense length

    std::vector<SenseDescriptor> descriptors;
    Bytes trailing;  // bytes after the declared length
    std::vector<std::string> warnings;

    std::uint8_t response_code() const {
        return static_cast<std::uint8_t>((descriptor_format ? 0x72 : 0x70) | (deferred ? 1 : 0));
    }

    // The same facts whatever the format.
    std::optional<std::uint64_t> information_field() const;  // only when VALID
    std::optional<std::uint64_t> command_specific_field() const;
    std::optional<SenseKeySpecific> key_specific() const;  // only when SKSV
    std::uint8_t fru_code() const;
    bool filemark_flag() const;
    bool eom_flag() const;
    bool ili_flag() const;

    // "Illegal Request: Invalid field in cdb (field pointer: CDB byte 2 bit 7)"
    std::string summary() const;

    // Sense for a target to return; information too wide for fixed format clears VALID.
    static Sense build(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq,
                       bool descriptor_format, std::optional<std::uint64_t> information = {},
                       std::optional<SenseKeySpecific> sks = {});

    static Sense decode(ByteView b);
    Bytes encode() const;

    bool operator==(const Sense&) const = default;
};

void to_json(nlohmann::json& j, const Sense& s);

}  // namespace camx::scsi
