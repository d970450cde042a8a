// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/inquiry.hpp"

#include <algorithm>
#include <array>
#include <iterator>

#include <fmt/format.h>
#include <scsi/sg_lib.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/text/text.hpp"

namespace camx::scsi {
namespace {

using bytes::bit;
using bytes::bits;

struct Standard {
    std::uint16_t base;  // version descriptor with the low five bits (revision code) zero
    const char* name;
};

// SPC-6 Annex E: each standard owns 32 codes; its base code means "no version claimed".
constexpr std::array<Standard, 66> kStandards{{
    {0x0020, "SAM"},     {0x0040, "SAM-2"}, {0x0060, "SAM-3"},   {0x0080, "SAM-4"},
    {0x00a0, "SAM-5"},   {0x00c0, "SAM-6"}, {0x0120, "SPC"},     {0x0140, "MMC"},
    {0x0160, "SCC"},     {0x0180, "SBC"},   {0x01a0, "SMC"},     {0x01c0, "SES"},
    {0x01e0, "SCC-2"},   {0x0200, "SSC"},   {0x0220, "RBC"},     {0x0240, "MMC-2"},
    {0x0260, "SPC-2"},   {0x02a0, "MMC-3"}, {0x02e0, "SMC-2"},   {0x0300, "SPC-3"},
    {0x0320, "SBC-2"},   {0x0340, "OSD"},   {0x0360, "SSC-2"},   {0x03a0, "MMC-4"},
    {0x03c0, "ADC"},     {0x03e0, "SES-2"}, {0x0400, "SSC-3"},   {0x0420, "MMC-5"},
    {0x0440, "OSD-2"},   {0x0460, "SPC-4"}, {0x0480, "SMC-3"},   {0x04a0, "ADC-2"},
    {0x04c0, "SBC-3"},   {0x04e0, "MMC-6"}, {0x0500, "ADC-3"},   {0x0520, "SSC-4"},
    {0x0560, "OSD-3"},   {0x0580, "SES-3"}, {0x05a0, "SSC-5"},   {0x05c0, "SPC-5"},
    {0x05e0, "SFSC"},    {0x0600, "SBC-4"}, {0x0620, "ZBC"},     {0x0640, "ADC-4"},
    {0x0660, "ZBC-2"},   {0x0680, "SES-4"}, {0x08c0, "FCP"},     {0x0900, "FCP-2"},
    {0x0940, "SRP"},     {0x0960, "iSCSI"}, {0x0a00, "FCP-3"},   {0x0a40, "FCP-4"},
    {0x0aa0, "SPI"},     {0x0be0, "SAS"},   {0x0c00, "SAS-1.1"}, {0x0c20, "SAS-2"},
    {0x0c40, "SAS-2.1"}, {0x0c60, "SAS-3"}, {0x1740, "UAS"},     {0x1780, "UAS-2"},
    {0x1ea0, "SAT"},     {0x1ec0, "SAT-2"}, {0x1ee0, "SAT-3"},   {0x1f00, "SAT-4"},
    {0x20e0, "SPL-3"},   {0x2100, "SPL-4"},
}};

// Fields of the standard data at fixed offsets (SPC-6 table 150).
constexpr std::size_t kVendorOff = 8;
constexpr std::size_t kProductOff = 16;
constexpr std::size_t kRevisionOff = 32;
constexpr std::size_t kVendorSpecificOff = 36;
constexpr std::size_t kVendorSpecificLen = 20;
constexpr std::size_t kVersionDescOff = 58;
constexpr std::size_t kVersionDescCount = 8;
constexpr std::size_t kShortLen = 36;
constexpr std::size_t kLongLen = 96;

Bytes without_trailing_zeros(ByteView b) {
    auto end = std::find_if(b.rbegin(), b.rend(), [](auto c) { return c != 0; }).base();
    return Bytes(b.begin(), end);
}

bool all_zero(ByteView b) {
    return std::all_of(b.begin(), b.end(), [](auto c) { return c == 0; });
}

void decode_flags(Inquiry& q, ByteView d) {
    q.peripheral_qualifier = static_cast<std::uint8_t>(bits(d[0], 7, 5));
    q.peripheral_device_type = static_cast<std::uint8_t>(bits(d[0], 4, 0));
    q.removable = bit(d[1], 7);
    q.lu_cong = bit(d[1], 6);
    q.hot_pluggable = static_cast<std::uint8_t>(bits(d[1], 5, 4));
    q.version = d[2];
    q.aerc = bit(d[3], 7);
    q.trmtsk = bit(d[3], 6);
    q.normaca = bit(d[3], 5);
    q.hisup = bit(d[3], 4);
    q.response_data_format = static_cast<std::uint8_t>(bits(d[3], 3, 0));
    q.additional_length = d[4];
    if (bits(d[1], 3, 0) != 0) q.warnings.push_back("reserved bits set in byte 1");
    if (d.size() > 5) {
        q.sccs = bit(d[5], 7);
        q.acc = bit(d[5], 6);
        q.tpgs = static_cast<std::uint8_t>(bits(d[5], 5, 4));
        q.tpc = bit(d[5], 3);
        q.protect = bit(d[5], 0);
        if (bits(d[5], 2, 1) != 0) q.warnings.push_back("reserved bits set in byte 5");
    }
    if (d.size() > 6) {
        q.bque = bit(d[6], 7);
        q.encserv = bit(d[6], 6);
        q.vs6 = bit(d[6], 5);
        q.multip = bit(d[6], 4);
        q.mchngr = bit(d[6], 3);
        q.ackreqq = bit(d[6], 2);
        q.addr32 = bit(d[6], 1);
        q.addr16 = bit(d[6], 0);
    }
    if (d.size() > 7) {
        q.reladr = bit(d[7], 7);
        q.wbus32 = bit(d[7], 6);
        q.wbus16 = bit(d[7], 5);
        q.sync = bit(d[7], 4);
        q.linked = bit(d[7], 3);
        q.trandis = bit(d[7], 2);
        q.cmdque = bit(d[7], 1);
        q.vs7 = bit(d[7], 0);
    }
}

void decode_extended(Inquiry& q, ByteView d) {
    q.vendor_specific =
        without_trailing_zeros(bytes::clamp(d, kVendorSpecificOff, kVendorSpecificLen));
    if (d.size() > 56) {
        q.clocking = static_cast<std::uint8_t>(bits(d[56], 3, 2));
        q.qas = bit(d[56], 1);
        q.ius = bit(d[56], 0);
        if (bits(d[56], 7, 4) != 0) q.warnings.push_back("reserved bits set in byte 56");
    }
    if (d.size() > 57 && d[57] != 0) q.warnings.push_back("reserved byte 57 is not zero");
    for (std::size_t i = 0; i < kVersionDescCount; ++i) {
        const auto off = kVersionDescOff + 2 * i;
        if (off + 2 > d.size()) break;
        const auto code = bytes::be16(d, off);
        if (code != 0) q.version_descriptors.push_back(code);
    }
    auto reserved = bytes::clamp(d, kVersionDescOff + 2 * kVersionDescCount,
                                 kLongLen - (kVersionDescOff + 2 * kVersionDescCount));
    if (!all_zero(reserved)) {
        q.warnings.push_back(
            fmt::format("reserved bytes 74..95 are not zero: {}", hex::compact(reserved)));
    }
    if (d.size() > kLongLen) q.vendor_specific_tail.assign(d.begin() + kLongLen, d.end());
}

}  // namespace

std::string peripheral_device_type_name(unsigned pdt) {
    std::array<char, 64> buf{};
    sg_get_pdt_str(static_cast<int>(pdt), static_cast<int>(buf.size()), buf.data());
    return buf.data();
}

std::string version_descriptor_name(std::uint16_t code) {
    const auto base = static_cast<std::uint16_t>(code & ~0x1fu);
    auto it = std::find_if(kStandards.begin(), kStandards.end(),
                           [base](const Standard& s) { return s.base == base; });
    if (it == kStandards.end()) return {};
    if (code == base) return fmt::format("{} (no version claimed)", it->name);
    return fmt::format("{} (revision code 0x{:02x})", it->name, code & 0x1f);
}

std::string inquiry_version_name(std::uint8_t version) {
    switch (version) {
        case 0x00:
            return "no standard claimed";
        case 0x01:
        case 0x02:
            return "SCSI-2 or earlier";
        case 0x03:
            return "SPC";
        case 0x04:
            return "SPC-2";
        case 0x05:
            return "SPC-3";
        case 0x06:
            return "SPC-4";
        case 0x07:
            return "SPC-5";
        default:
            return {};
    }
}

Inquiry Inquiry::decode(ByteView data) {
    if (data.size() < 5) {
        throw Error(Category::malformed,
                    fmt::format("INQUIRY data has {} bytes, the header needs 5", data.size()));
    }
    Inquiry q;
    const std::size_t declared = std::size_t{data[4]} + 5;
    auto d = data.first(std::min(declared, data.size()));
    if (data.size() < declared) {
        q.warnings.push_back(
            fmt::format("response truncated: ADDITIONAL LENGTH declares {} bytes, {} present",
                        declared, data.size()));
    } else if (data.size() > declared) {
        q.trailing.assign(data.begin() + static_cast<std::ptrdiff_t>(declared), data.end());
        q.warnings.push_back(
            fmt::format("{} bytes after the declared length ignored", data.size() - declared));
    }
    decode_flags(q, d);
    q.vendor = text::ascii_field(bytes::clamp(d, kVendorOff, 8));
    q.product = text::ascii_field(bytes::clamp(d, kProductOff, 16));
    q.revision = text::ascii_field(bytes::clamp(d, kRevisionOff, 4));
    if (d.size() < kShortLen && declared >= kShortLen) {
        q.warnings.push_back("vendor, product or revision missing or cut short");
    }
    if (d.size() > kShortLen) decode_extended(q, d);
    return q;
}

Bytes Inquiry::encode() const {
    const bool extended = !vendor_specific.empty() || clocking != 0 || qas || ius ||
                          !version_descriptors.empty() || !vendor_specific_tail.empty();
    Bytes b(extended ? kLongLen : kShortLen, 0);
    auto f = [](bool v, unsigned n) { return v ? static_cast<std::uint8_t>(1u << n) : 0; };
    b[0] = static_cast<std::uint8_t>(((peripheral_qualifier & 7u) << 5) |
                                     (peripheral_device_type & 0x1fu));
    b[1] = f(removable, 7) | f(lu_cong, 6) | static_cast<std::uint8_t>((hot_pluggable & 3u) << 4);
    b[2] = version;
    b[3] = f(aerc, 7) | f(trmtsk, 6) | f(normaca, 5) | f(hisup, 4) |
           static_cast<std::uint8_t>(response_data_format & 0xfu);
    b[5] = f(sccs, 7) | f(acc, 6) | static_cast<std::uint8_t>((tpgs & 3u) << 4) | f(tpc, 3) |
           f(protect, 0);
    b[6] = f(bque, 7) | f(encserv, 6) | f(vs6, 5) | f(multip, 4) | f(mchngr, 3) | f(ackreqq, 2) |
           f(addr32, 1) | f(addr16, 0);
    b[7] = f(reladr, 7) | f(wbus32, 6) | f(wbus16, 5) | f(sync, 4) | f(linked, 3) | f(trandis, 2) |
           f(cmdque, 1) | f(vs7, 0);
    auto put_ascii = [&b](const std::string& s, std::size_t off, std::size_t width) {
        for (std::size_t i = 0; i < width; ++i) {
            b[off + i] = i < s.size() ? static_cast<std::uint8_t>(s[i]) : ' ';
        }
    };
    put_ascii(vendor, kVendorOff, 8);
    put_ascii(product, kProductOff, 16);
    put_ascii(revision, kRevisionOff, 4);
    if (extended) {
        std::copy_n(vendor_specific.begin(), std::min(vendor_specific.size(), kVendorSpecificLen),
                    b.begin() + kVendorSpecificOff);
        b[56] = static_cast<std::uint8_t>(((clocking & 3u) << 2)) | f(qas, 1) | f(ius, 0);
        for (std::size_t i = 0; i < std::min(version_descriptors.size(), kVersionDescCount); ++i) {
            bytes::put_be16(b, kVersionDescOff + 2 * i, version_descriptors[i]);
        }
        b.insert(b.end(), vendor_specific_tail.begin(), vendor_specific_tail.end());
    }
    b[4] = static_cast<std::uint8_t>(std::min<std::size_t>(b.size() - 5, 0xff));
    return b;
}

void to_json(nlohmann::json& j, const Inquiry& q) {
    auto descriptors = nlohmann::json::array();
    for (auto code : q.version_descriptors) {
        descriptors.push_back({{"code", code}, {"name", version_descriptor_name(code)}});
    }
    j = nlohmann::json{
        {"peripheral_qualifier", q.peripheral_qualifier},
        {"peripheral_device_type", q.peripheral_device_type},
        {"peripheral_device_type_name", peripheral_device_type_name(q.peripheral_device_type)},
        {"removable", q.removable},
        {"lu_cong", q.lu_cong},
        {"hot_pluggable", q.hot_pluggable},
        {"version", q.version},
        {"version_name", inquiry_version_name(q.version)},
        {"normaca", q.normaca},
        {"hisup", q.hisup},
        {"response_data_format", q.response_data_format},
        {"additional_length", q.additional_length},
        {"sccs", q.sccs},
        {"acc", q.acc},
        {"tpgs", q.tpgs},
        {"tpc", q.tpc},
        {"protect", q.protect},
        {"encserv", q.encserv},
        {"multip", q.multip},
        {"cmdque", q.cmdque},
        {"obsolete",
         {{"aerc", q.aerc},
          {"trmtsk", q.trmtsk},
          {"bque", q.bque},
          {"mchngr", q.mchngr},
          {"ackreqq", q.ackreqq},
          {"addr32", q.addr32},
          {"addr16", q.addr16},
          {"reladr", q.reladr},
          {"wbus32", q.wbus32},
          {"wbus16", q.wbus16},
          {"sync", q.sync},
          {"linked", q.linked},
          {"trandis", q.trandis},
          {"clocking", q.clocking},
          {"qas", q.qas},
          {"ius", q.ius}}},
        {"vendor_specific_bits", {{"byte6_bit5", q.vs6}, {"byte7_bit0", q.vs7}}},
        {"vendor", q.vendor},
        {"product", q.product},
        {"revision", q.revision},
        {"vendor_specific", hex::compact(q.vendor_specific)},
        {"version_descriptors", descriptors},
        {"vendor_specific_tail", hex::compact(q.vendor_specific_tail)},
        {"trailing", hex::compact(q.trailing)},
        {"warnings", q.warnings},
    };
}

}  // namespace camx::scsi
