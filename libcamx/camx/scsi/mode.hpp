// SPDX-License-Identifier: BSD-2-Clause
// Mode parameter data of MODE SENSE/MODE SELECT (6) and (10): header, block descriptors and
// mode pages, with field tables that drive both decoding and `camctl modepage -e` editing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

// Which CDB the parameter data belongs to: the 6-byte form has a 4-byte header,
// the 10-byte form an 8-byte header with LONGLBA.
enum class ModeFormat : std::uint8_t { six, ten };

// PC field of MODE SENSE: each value is a separate response with the same layout.
enum class PageControl : std::uint8_t {
    current = 0,
    changeable = 1,
    default_values = 2,
    saved = 3
};

std::string_view page_control_name(PageControl pc) noexcept;

struct ModeHeader {
    std::uint16_t mode_data_length = 0;  // as received; reserved (zero) in MODE SELECT
    std::uint8_t medium_type = 0;
    std::uint8_t device_specific = 0;  // WP bit 7, DPOFUA bit 4 for direct-access devices
    bool longlba = false;              // 10-byte form only
    std::uint16_t block_descriptor_length = 0;

    bool wp() const noexcept { return (device_specific & 0x80) != 0; }
    bool dpofua() const noexcept { return (device_specific & 0x10) != 0; }
    bool operator==(const ModeHeader&) const = default;
};

// The general (SPC) block descriptor: short form density + 24-bit count + 24-bit length,
// long form (LONGLBA) 64-bit count, density, 32-bit length.
struct BlockDescriptor {
    std::uint8_t density_code = 0;
    std::uint64_t number_of_blocks = 0;
    std::uint32_t block_length = 0;
    bool operator==(const BlockDescriptor&) const = default;
};

// One field of a decoded mode page, as the standards draw it: byte offset from the start of
// the page (page header included), the highest bit it occupies in that byte, and its width
// in bits (a field wider than bit+1 continues into the following bytes).
struct ModeField {
    std::string_view name;  // lower-case sdparm acronym: "wce", "rcd", "mrie"
    std::uint16_t byte;
    std::uint8_t bit;
    std::uint8_t width;
    std::string_view description;
};

struct ModePage {
    std::uint8_t page_code = 0;
    std::uint8_t subpage_code = 0;
    bool spf = false;               // sub_page format: 4-byte page header
    bool ps = false;                // parameters savable (MODE SENSE only; zero in MODE SELECT)
    std::uint16_t page_length = 0;  // as declared by the page
    Bytes bytes;                    // the whole page as present in the data, header included

    std::size_t header_size() const noexcept { return spf ? 4 : 2; }
    // The declared page reaches past the data it came in.
    bool truncated() const noexcept { return bytes.size() < header_size() + page_length; }
    std::string_view name() const;
    // Fields for the pages camx decodes (0x01, 0x08, 0x0a, 0x0a/0x01, 0x1c); empty otherwise.
    std::span<const ModeField> field_table() const;
    // The table's fields that lie inside the declared page and the bytes present.
    std::vector<std::pair<const ModeField*, std::uint64_t>> fields() const;
    std::optional<std::uint64_t> field(std::string_view name) const;

    // A page from its parameter bytes (what follows the page header).
    static ModePage make(std::uint8_t page_code, std::uint8_t subpage_code, bool spf,
                         ByteView parameters);
    // The page at the start of b, or nullopt when b cannot hold its page header; reads at
    // most the declared length and reports truncation in warnings.
    static std::optional<ModePage> decode(ByteView b, std::vector<std::string>& warnings);
    Bytes encode() const;  // header rebuilt from the members, then bytes after the header
    bool operator==(const ModePage&) const = default;
};

struct ModeParameters {
    ModeFormat format = ModeFormat::ten;
    ModeHeader header;
    std::vector<BlockDescriptor> block_descriptors;
    Bytes block_descriptor_extra;  // block descriptor bytes not forming a whole descriptor
    std::vector<ModePage> pages;
    Bytes trailing;  // bytes past the mode data length, or a page header cut short
    std::vector<std::string> warnings;

    const ModePage* find(std::uint8_t page_code, std::uint8_t subpage_code = 0) const;
    ModePage* find(std::uint8_t page_code, std::uint8_t subpage_code = 0);

    static ModeParameters decode(ByteView b, ModeFormat format);
    // A MODE SELECT parameter list: the mode data length is reserved, the list ends with b.
    static ModeParameters decode_select(ByteView b, ModeFormat format);
    // MODE SENSE parameter data as a target returns it; lengths computed from the contents.
    Bytes encode() const;
    // MODE SELECT parameter list: mode data length zero (reserved), PS zero in every page,
    // WP and DPOFUA zero (reserved for MODE SELECT in SBC).
    Bytes encode_select() const;
    bool operator==(const ModeParameters&) const = default;
};

// Mode pages back to back (no header), each split on its own page length.
std::vector<ModePage> decode_mode_pages(ByteView b, std::vector<std::string>& warnings);

// A capture holding one header and block descriptors followed by each page repeated once per
// page control (current, changeable, default[, saved]), as `sg_modes -A` writes it: returns
// one ModeParameters per page control in that order, each with the same header fields and its
// mode data length recomputed for its own pages.
std::vector<ModeParameters> split_page_controls(ByteView b, ModeFormat format);

// Field editing for MODE SELECT. Names are matched without regard to case. Unknown names give
// Error(usage) listing the page's fields; a value wider than the field gives Error(usage).
void set_field(ModePage& page, std::string_view name, std::uint64_t value);
// As above, checked against the page from page control 1 (changeable values): changing a bit
// the device does not report as changeable gives Error(usage) naming the field.
void set_field(ModePage& page, std::string_view name, std::uint64_t value,
               const ModePage& changeable);
// "name=value" (value decimal or 0x hex) as typed after `-e`.
void set_field(ModePage& page, std::string_view assignment, const ModePage* changeable);

std::string_view mode_page_name(std::uint8_t page_code, std::uint8_t subpage_code);

void to_json(nlohmann::json& j, const ModeHeader& h);
void to_json(nlohmann::json& j, const BlockDescriptor& d);
void to_json(nlohmann::json& j, const ModePage& p);
void to_json(nlohmann::json& j, const ModeParameters& m);

}  // namespace camx::scsi
