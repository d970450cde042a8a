// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/mode.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/mode_fields.hpp"

namespace camx::scsi {
namespace {

constexpr std::size_t header_size(ModeFormat f) {
    return f == ModeFormat::six ? 4 : 8;
}
// Bytes of the header not counted by the mode data length field.
constexpr std::size_t length_field_size(ModeFormat f) {
    return f == ModeFormat::six ? 1 : 2;
}

std::string page_label(std::uint8_t page, std::uint8_t subpage, bool spf) {
    return spf ? fmt::format("0x{:02x}/0x{:02x}", page, subpage) : fmt::format("0x{:02x}", page);
}

std::uint64_t field_mask(unsigned width) {
    return width >= 64 ? std::numeric_limits<std::uint64_t>::max() : (1ull << width) - 1;
}

// Where a field sits: the bytes it spans and how far its lowest bit is from the end of them.
struct Span {
    std::size_t offset;
    std::size_t length;
    unsigned shift;
};

Span span_of(const ModeField& f) {
    unsigned end = 7u - f.bit + f.width;  // bit count from the top of f.byte to the field's end
    std::size_t length = (end + 7) / 8;
    return {f.byte, length, static_cast<unsigned>(length * 8 - end)};
}

std::size_t usable_size(const ModePage& p) {
    return std::min(p.bytes.size(), p.header_size() + p.page_length);
}

std::optional<std::uint64_t> read_field(const ModePage& p, const ModeField& f) {
    Span s = span_of(f);
    if (s.offset + s.length > usable_size(p)) return std::nullopt;
    return (bytes::be(p.bytes, s.offset, s.length) >> s.shift) & field_mask(f.width);
}

void write_field(ModePage& p, const ModeField& f, std::uint64_t value) {
    Span s = span_of(f);
    std::uint64_t mask = field_mask(f.width) << s.shift;
    std::uint64_t word = bytes::be(p.bytes, s.offset, s.length);
    word = (word & ~mask) | ((value << s.shift) & mask);
    bytes::put_be(p.bytes, s.offset, s.length, word);
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

const ModeField& lookup_field(const ModePage& page, std::string_view name) {
    auto table = page.field_table();
    for (const auto& f : table) {
        if (iequal(f.name, name)) return f;
    }
    std::string label = page_label(page.page_code, page.subpage_code, page.spf);
    if (table.empty()) {
        throw Error(Category::usage,
                    fmt::format("mode page {} ({}) has no named fields; unknown field '{}'", label,
                                page.name().empty() ? "unnamed" : page.name(), name));
    }
    std::string names;
    for (const auto& f : table) names += fmt::format("{}{}", names.empty() ? "" : ", ", f.name);
    throw Error(Category::usage,
                fmt::format("mode page {} ({}) has no field '{}'; valid fields: {}", label,
                            page.name(), name, names));
}

// Decodes pages until the data ends; an incomplete page header is returned in leftover.
std::vector<ModePage> decode_pages(ByteView b, std::vector<std::string>& warnings,
                                   Bytes& leftover) {
    std::vector<ModePage> pages;
    std::size_t off = 0;
    while (off < b.size()) {
        auto page = ModePage::decode(b.subspan(off), warnings);
        if (!page) {
            warnings.push_back(fmt::format("{} byte(s) at the end cannot hold a mode page header",
                                           b.size() - off));
            leftover.assign(b.begin() + static_cast<std::ptrdiff_t>(off), b.end());
            break;
        }
        off += page->bytes.size();
        pages.push_back(std::move(*page));
    }
    return pages;
}

ModeParameters decode_header(ByteView b, ModeFormat format) {
    ModeParameters m;
    m.format = format;
    std::size_t hdr = header_size(format);
    if (b.size() < hdr) {
        throw Error(Category::malformed,
                    fmt::format("mode parameter data of {} bytes is shorter than the {}-byte "
                                "header of MODE SENSE({})",
                                b.size(), hdr, format == ModeFormat::six ? 6 : 10));
    }
    if (format == ModeFormat::six) {
        m.header.mode_data_length = b[0];
        m.header.medium_type = b[1];
        m.header.device_specific = b[2];
        m.header.block_descriptor_length = b[3];
    } else {
        m.header.mode_data_length = bytes::be16(b, 0);
        m.header.medium_type = b[2];
        m.header.device_specific = b[3];
        m.header.longlba = bytes::bit(b[4], 0);
        m.header.block_descriptor_length = bytes::be16(b, 6);
        if ((b[4] & 0xfe) != 0 || b[5] != 0) {
            m.warnings.push_back("reserved bits set in the mode parameter header");
        }
    }
    return m;
}

ModeParameters decode_parameters(ByteView b, ModeFormat format, bool select) {
    ModeParameters m = decode_header(b, format);
    std::size_t hdr = header_size(format);
    std::size_t total = select ? b.size() : m.header.mode_data_length + length_field_size(format);
    std::size_t end = std::min(total, b.size());
    if (total > b.size()) {
        m.warnings.push_back(fmt::format(
            "mode data length declares {} bytes, only {} present (truncated)", total, b.size()));
    } else if (total < b.size()) {
        ByteView rest = b.subspan(total);
        m.trailing.assign(rest.begin(), rest.end());
        m.warnings.push_back(
            fmt::format("{} byte(s) after the declared mode data length", rest.size()));
    }
    if (end < hdr) {
        m.warnings.push_back(fmt::format("mode data length {} is shorter than the header",
                                         m.header.mode_data_length));
        end = hdr;
    }
    ByteView data = b.first(end);

    std::size_t bd_end = hdr + m.header.block_descriptor_length;
    if (bd_end > end) {
        m.warnings.push_back(fmt::format("block descriptor length {} exceeds the mode data",
                                         m.header.block_descriptor_length));
        bd_end = end;
    }
    std::size_t unit = m.header.longlba ? 16 : 8;
    std::size_t off = hdr;
    for (; off + unit <= bd_end; off += unit) {
        BlockDescriptor d;
        if (m.header.longlba) {
            d.number_of_blocks = bytes::be64(data, off);
            d.density_code = data[off + 8];
            d.block_length = bytes::be32(data, off + 12);
        } else {
            d.density_code = data[off];
            d.number_of_blocks = bytes::be24(data, off + 1);
            d.block_length = bytes::be24(data, off + 5);
        }
        m.block_descriptors.push_back(d);
    }
    if (off < bd_end) {
        m.block_descriptor_extra.assign(data.begin() + static_cast<std::ptrdiff_t>(off),
                                        data.begin() + static_cast<std::ptrdiff_t>(bd_end));
        m.warnings.push_back(
            fmt::format("{} block descriptor byte(s) do not form a descriptor", bd_end - off));
    }

    Bytes leftover;
    m.pages = decode_pages(data.subspan(bd_end), m.warnings, leftover);
    // A cut-short page header sits before any bytes past the mode data length.
    m.trailing.insert(m.trailing.begin(), leftover.begin(), leftover.end());
    return m;
}

void put_descriptor(bytes::Writer& w, const BlockDescriptor& d, bool longlba) {
    if (longlba) {
        w.be64(d.number_of_blocks);
        w.u8(d.density_code);
        w.zeros(3);
        w.be32(d.block_length);
        return;
    }
    if (d.number_of_blocks > 0xffffff || d.block_length > 0xffffff) {
        throw Error(Category::usage,
                    fmt::format("block descriptor ({} blocks of {} bytes) does not fit the short "
                                "form; use LONGLBA",
                                d.number_of_blocks, d.block_length));
    }
    w.u8(d.density_code);
    w.be24(static_cast<std::uint32_t>(d.number_of_blocks));
    w.u8(0);
    w.be24(d.block_length);
}

Bytes encode_parameters(const ModeParameters& m, bool select) {
    bool longlba = m.format == ModeFormat::ten && m.header.longlba;
    std::size_t bdl =
        m.block_descriptors.size() * (longlba ? 16 : 8) + m.block_descriptor_extra.size();
    std::uint8_t dsp = m.header.device_specific;
    if (select) dsp &= static_cast<std::uint8_t>(~0x90u);
    bytes::Writer w;
    if (m.format == ModeFormat::six) {
        if (bdl > 0xff) throw Error(Category::usage, "block descriptors too long for MODE (6)");
        w.u8(0);
        w.u8(m.header.medium_type);
        w.u8(dsp);
        w.u8(static_cast<std::uint8_t>(bdl));
    } else {
        if (bdl > 0xffff) throw Error(Category::usage, "block descriptors too long for MODE (10)");
        w.be16(0);
        w.u8(m.header.medium_type);
        w.u8(dsp);
        w.u8(longlba ? 1 : 0);
        w.u8(0);
        w.be16(static_cast<std::uint16_t>(bdl));
    }
    for (const auto& d : m.block_descriptors) put_descriptor(w, d, longlba);
    w.raw(m.block_descriptor_extra);
    for (const auto& p : m.pages) {
        Bytes page = p.encode();
        if (select) page[0] &= 0x7f;
        w.raw(page);
    }
    Bytes out = w.take();
    if (select) return out;
    std::size_t mdl = out.size() - length_field_size(m.format);
    if (m.format == ModeFormat::six) {
        if (mdl > 0xff) {
            throw Error(Category::usage,
                        fmt::format("mode data of {} bytes does not fit MODE SENSE(6)", mdl + 1));
        }
        out[0] = static_cast<std::uint8_t>(mdl);
    } else {
        if (mdl > 0xffff) {
            throw Error(Category::usage,
                        fmt::format("mode data of {} bytes does not fit MODE SENSE(10)", mdl + 2));
        }
        bytes::put_be16(out, 0, static_cast<std::uint16_t>(mdl));
    }
    return out;
}

std::uint64_t parse_number(std::string_view text, std::string_view field) {
    std::string_view digits = text;
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        digits.remove_prefix(2);
        base = 16;
    }
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
        throw Error(Category::usage,
                    fmt::format("'{}' is not a number (value for field {})", text, field));
    }
    return v;
}

}  // namespace

std::string_view page_control_name(PageControl pc) noexcept {
    switch (pc) {
        case PageControl::current:
            return "current";
        case PageControl::changeable:
            return "changeable";
        case PageControl::default_values:
            return "default";
        case PageControl::saved:
            return "saved";
    }
    return "";
}

std::string_view mode_page_name(std::uint8_t page, std::uint8_t subpage) {
    if (subpage == 0) {
        switch (page) {
            case 0x00:
                return "Vendor specific";
            case 0x01:
                return "Read-Write Error Recovery";
            case 0x02:
                return "Disconnect-Reconnect";
            case 0x03:
                return "Format Device";
            case 0x04:
                return "Rigid Disk Geometry";
            case 0x05:
                return "Flexible Disk";
            case 0x07:
                return "Verify Error Recovery";
            case 0x08:
                return "Caching";
            case 0x09:
                return "Peripheral Device";
            case 0x0a:
                return "Control";
            case 0x0b:
                return "Medium Types Supported";
            case 0x0c:
                return "Notch and Partition";
            case 0x0f:
                return "Data Compression";
            case 0x10:
                return "XOR Control";
            case 0x11:
                return "Medium Partition";
            case 0x14:
                return "Enclosure Services Management";
            case 0x15:
                return "Extended";
            case 0x16:
                return "Extended Device-Type Specific";
            case 0x18:
                return "Protocol Specific Logical Unit";
            case 0x19:
                return "Protocol Specific Port";
            case 0x1a:
                return "Power Condition";
            case 0x1c:
                return "Informational Exceptions Control";
            case 0x1d:
                return "Medium Configuration";
            default:
                break;
        }
    } else {
        switch ((page << 8) | subpage) {
            case 0x0a01:
                return "Control Extension";
            case 0x0a02:
                return "Application Tag";
            case 0x0a03:
                return "Command Duration Limit A";
            case 0x0a04:
                return "Command Duration Limit B";
            case 0x0a05:
                return "IO Advice Hints Grouping";
            case 0x0a06:
                return "Background Operation Control";
            case 0x0af0:
                return "Control Data Protection";
            case 0x0af1:
                return "PATA Control";
            case 0x1801:
                return "Transport Layer";
            case 0x1901:
                return "Phy Control and Discover";
            case 0x1902:
                return "Shared Port Control";
            case 0x1903:
                return "Enhanced Phy Control";
            case 0x1a01:
                return "Power Consumption";
            case 0x1af1:
                return "ATA Power Condition";
            case 0x1c01:
                return "Background Control";
            case 0x1c02:
                return "Logical Block Provisioning";
            default:
                break;
        }
    }
    if (page == 0x00 || (page >= 0x20 && page <= 0x3e)) return "Vendor specific";
    return "";
}

std::string_view ModePage::name() const {
    return mode_page_name(page_code, spf ? subpage_code : 0);
}

std::span<const ModeField> ModePage::field_table() const {
    return mode_tables::fields_for(page_code, subpage_code, spf);
}

std::vector<std::pair<const ModeField*, std::uint64_t>> ModePage::fields() const {
    std::vector<std::pair<const ModeField*, std::uint64_t>> out;
    for (const auto& f : field_table()) {
        if (auto v = read_field(*this, f)) out.emplace_back(&f, *v);
    }
    return out;
}

std::optional<std::uint64_t> ModePage::field(std::string_view name) const {
    for (const auto& f : field_table()) {
        if (iequal(f.name, name)) return read_field(*this, f);
    }
    return std::nullopt;
}

ModePage ModePage::make(std::uint8_t page_code, std::uint8_t subpage_code, bool spf,
                        ByteView parameters) {
    if (parameters.size() > (spf ? 0xffffu : 0xffu)) {
        throw Error(Category::usage,
                    fmt::format("mode page {} parameters too long ({} bytes)",
                                page_label(page_code, subpage_code, spf), parameters.size()));
    }
    ModePage p;
    p.page_code = page_code & 0x3f;
    p.subpage_code = spf ? subpage_code : 0;
    p.spf = spf;
    p.page_length = static_cast<std::uint16_t>(parameters.size());
    p.bytes = p.encode();  // header only: bytes is still empty
    p.bytes.insert(p.bytes.end(), parameters.begin(), parameters.end());
    return p;
}

std::optional<ModePage> ModePage::decode(ByteView b, std::vector<std::string>& warnings) {
    if (b.size() < 2) return std::nullopt;
    ModePage p;
    p.ps = bytes::bit(b[0], 7);
    p.spf = bytes::bit(b[0], 6);
    p.page_code = b[0] & 0x3f;
    if (p.spf) {
        if (b.size() < 4) return std::nullopt;
        p.subpage_code = b[1];
        p.page_length = bytes::be16(b, 2);
    } else {
        p.page_length = b[1];
    }
    std::size_t declared = p.header_size() + p.page_length;
    ByteView present = bytes::clamp(b, 0, declared);
    p.bytes.assign(present.begin(), present.end());
    if (present.size() < declared) {
        warnings.push_back(fmt::format("mode page {} declares {} bytes, only {} present",
                                       page_label(p.page_code, p.subpage_code, p.spf), declared,
                                       present.size()));
    }
    return p;
}

Bytes ModePage::encode() const {
    bytes::Writer w;
    w.u8(static_cast<std::uint8_t>((ps ? 0x80 : 0) | (spf ? 0x40 : 0) | (page_code & 0x3f)));
    if (spf) {
        w.u8(subpage_code);
        w.be16(page_length);
    } else {
        w.u8(static_cast<std::uint8_t>(page_length));
    }
    if (bytes.size() > header_size()) w.raw(ByteView(bytes).subspan(header_size()));
    return w.take();
}

const ModePage* ModeParameters::find(std::uint8_t page_code, std::uint8_t subpage_code) const {
    for (const auto& p : pages) {
        if (p.page_code == page_code && p.subpage_code == subpage_code) return &p;
    }
    return nullptr;
}

ModePage* ModeParameters::find(std::uint8_t page_code, std::uint8_t subpage_code) {
    const auto* self = this;
    return const_cast<ModePage*>(self->find(page_code, subpage_code));
}

ModeParameters ModeParameters::decode(ByteView b, ModeFormat format) {
    return decode_parameters(b, format, false);
}

ModeParameters ModeParameters::decode_select(ByteView b, ModeFormat format) {
    return decode_parameters(b, format, true);
}

Bytes ModeParameters::encode() const {
    return encode_parameters(*this, false);
}

Bytes ModeParameters::encode_select() const {
    return encode_parameters(*this, true);
}

std::vector<ModePage> decode_mode_pages(ByteView b, std::vector<std::string>& warnings) {
    Bytes leftover;
    return decode_pages(b, warnings, leftover);
}

std::vector<ModeParameters> split_page_controls(ByteView b, ModeFormat format) {
    ModeParameters base = ModeParameters::decode(b, format);
    std::size_t start =
        std::min(b.size(), header_size(format) + base.header.block_descriptor_length);
    std::vector<std::string> warnings;
    std::vector<ModePage> pages = decode_mode_pages(b.subspan(start), warnings);

    std::vector<ModeParameters> out;
    std::size_t run = 0;
    for (std::size_t i = 0; i < pages.size(); ++i) {
        const auto& p = pages[i];
        bool same = i > 0 && pages[i - 1].page_code == p.page_code &&
                    pages[i - 1].subpage_code == p.subpage_code && pages[i - 1].spf == p.spf;
        run = same ? run + 1 : 0;
        if (run >= out.size()) {
            ModeParameters m;
            m.format = format;
            m.header = base.header;
            m.block_descriptors = base.block_descriptors;
            m.block_descriptor_extra = base.block_descriptor_extra;
            m.warnings = warnings;
            out.push_back(std::move(m));
        }
        out[run].pages.push_back(p);
    }
    for (auto& m : out) {
        m.header.mode_data_length =
            static_cast<std::uint16_t>(m.encode().size() - length_field_size(format));
    }
    return out;
}

void set_field(ModePage& page, std::string_view name, std::uint64_t value) {
    const ModeField& f = lookup_field(page, name);
    if ((value & ~field_mask(f.width)) != 0) {
        throw Error(Category::usage,
                    fmt::format("value {} does not fit field {} ({} bit(s), at most {})", value,
                                f.name, f.width, field_mask(f.width)));
    }
    if (!read_field(page, f)) {
        throw Error(Category::usage,
                    fmt::format("field {} lies beyond the {} bytes of mode page {}", f.name,
                                usable_size(page),
                                page_label(page.page_code, page.subpage_code, page.spf)));
    }
    write_field(page, f, value);
}

void set_field(ModePage& page, std::string_view name, std::uint64_t value,
               const ModePage& changeable) {
    const ModeField& f = lookup_field(page, name);
    std::uint64_t mask = read_field(changeable, f).value_or(0);
    std::string label = page_label(page.page_code, page.subpage_code, page.spf);
    if (mask == 0) {
        throw Error(Category::usage, fmt::format("field {} of mode page {} ({}) is not changeable",
                                                 f.name, label, page.name()));
    }
    std::uint64_t current = read_field(page, f).value_or(0);
    if (((value ^ current) & ~mask) != 0) {
        throw Error(Category::usage,
                    fmt::format("field {} of mode page {}: only bits 0x{:x} are changeable, "
                                "cannot set {}",
                                f.name, label, mask, value));
    }
    set_field(page, name, value);
}

void set_field(ModePage& page, std::string_view assignment, const ModePage* changeable) {
    auto eq = assignment.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        throw Error(Category::usage,
                    fmt::format("'{}' is not of the form field=value", assignment));
    }
    std::string_view name = assignment.substr(0, eq);
    std::uint64_t value = parse_number(assignment.substr(eq + 1), name);
    if (changeable) {
        set_field(page, name, value, *changeable);
    } else {
        set_field(page, name, value);
    }
}

void to_json(nlohmann::json& j, const ModeHeader& h) {
    j = nlohmann::json{{"mode_data_length", h.mode_data_length},
                       {"medium_type", h.medium_type},
                       {"device_specific_parameter", h.device_specific},
                       {"wp", h.wp()},
                       {"dpofua", h.dpofua()},
                       {"block_descriptor_length", h.block_descriptor_length},
                       {"longlba", h.longlba}};
}

void to_json(nlohmann::json& j, const BlockDescriptor& d) {
    j = nlohmann::json{{"number_of_blocks", d.number_of_blocks},
                       {"block_length_bytes", d.block_length},
                       {"density_code", d.density_code}};
}

void to_json(nlohmann::json& j, const ModePage& p) {
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& [f, v] : p.fields()) {
        if (f->width == 1) {
            fields[std::string(f->name)] = v != 0;
        } else {
            fields[std::string(f->name)] = v;
        }
    }
    j = nlohmann::json{{"page_code", p.page_code},
                       {"subpage_code", p.subpage_code},
                       {"ps", p.ps},
                       {"spf", p.spf},
                       {"page_length", p.page_length},
                       {"truncated", p.truncated()},
                       {"fields", std::move(fields)},
                       {"bytes", hex::compact(p.bytes)}};
    if (!p.name().empty()) j["page_name"] = p.name();
}

void to_json(nlohmann::json& j, const ModeParameters& m) {
    j = nlohmann::json{{"header", m.header},
                       {"block_descriptors", m.block_descriptors},
                       {"pages", m.pages},
                       {"warnings", m.warnings}};
    if (!m.block_descriptor_extra.empty()) {
        j["block_descriptor_extra_bytes"] = hex::compact(m.block_descriptor_extra);
    }
    if (!m.trailing.empty()) j["trailing_bytes"] = hex::compact(m.trailing);
}

}  // namespace camx::scsi
