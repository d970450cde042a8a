// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/vpd.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <scsi/sg_lib.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/inquiry.hpp"
#include "camx/text/text.hpp"

namespace camx::scsi {
namespace {

using bytes::be16;
using bytes::be32;
using bytes::be64;
using bytes::bit;
using bytes::bits;

constexpr std::size_t kHeaderLen = 4;

std::uint8_t u8of(unsigned v) {
    return static_cast<std::uint8_t>(v);
}
std::uint8_t flag(bool v, unsigned n) {
    return v ? u8of(1u << n) : 0;
}

bool all_zero(ByteView b) {
    return std::all_of(b.begin(), b.end(), [](auto c) { return c == 0; });
}

// Header checks common to every page; returns the payload, cut at PAGE LENGTH.
ByteView open_page(ByteView page, VpdCommon& c) {
    if (page.size() < kHeaderLen) {
        throw Error(Category::malformed,
                    fmt::format("VPD page has {} bytes, the header needs 4", page.size()));
    }
    c.peripheral_qualifier = u8of(bits(page[0], 7, 5));
    c.peripheral_device_type = u8of(bits(page[0], 4, 0));
    const std::size_t declared = kHeaderLen + be16(page, 2);
    if (page.size() < declared) {
        c.warnings.push_back(fmt::format(
            "page truncated: PAGE LENGTH declares {} bytes, {} present", declared, page.size()));
    } else if (page.size() > declared) {
        c.trailing.assign(page.begin() + static_cast<std::ptrdiff_t>(declared), page.end());
        c.warnings.push_back(
            fmt::format("{} bytes after the declared page length ignored", c.trailing.size()));
    }
    return page.subspan(kHeaderLen, std::min(declared, page.size()) - kHeaderLen);
}

Bytes close_page(const VpdCommon& c, std::uint8_t code, ByteView payload) {
    bytes::Writer w;
    w.u8(u8of(((c.peripheral_qualifier & 7u) << 5) | (c.peripheral_device_type & 0x1fu)));
    w.u8(code);
    w.be16(static_cast<std::uint16_t>(payload.size()));
    w.raw(payload);
    return w.take();
}

// Payload offsets below are page offsets minus the 4-byte header.
std::uint8_t at(ByteView p, std::size_t page_off) {
    return page_off - kHeaderLen < p.size() ? p[page_off - kHeaderLen] : 0;
}
std::uint64_t be_at(ByteView p, std::size_t page_off, std::size_t len) {
    const auto off = page_off - kHeaderLen;
    return off + len <= p.size() ? bytes::be(p, off, len) : 0;
}

void short_page_warning(VpdCommon& c, ByteView p, std::size_t full_len) {
    if (p.size() + kHeaderLen < full_len) {
        c.warnings.push_back(
            fmt::format("page has {} bytes, fewer than the {} of its layout; "
                        "missing fields read as zero",
                        p.size() + kHeaderLen, full_len));
    }
}

// Bytes [from, to) of the page when any is non-zero (kept so nothing is lost).
Bytes nonzero_range(VpdCommon& c, ByteView p, std::size_t from, std::size_t to) {
    auto r = bytes::clamp(p, from - kHeaderLen, to - from);
    if (all_zero(r)) return {};
    c.warnings.push_back(fmt::format("reserved bytes {}..{} are not zero", from, to - 1));
    return Bytes(r.begin(), r.end());
}

Bytes fixed_payload(std::size_t page_len, const Bytes& tail, std::size_t tail_off) {
    Bytes p(page_len - kHeaderLen, 0);
    if (!tail.empty()) {
        const auto off = tail_off - kHeaderLen;
        if (p.size() < off + tail.size()) p.resize(off + tail.size(), 0);
        std::copy(tail.begin(), tail.end(), p.begin() + static_cast<std::ptrdiff_t>(off));
    }
    return p;
}

void put(Bytes& p, std::size_t page_off, std::size_t len, std::uint64_t v) {
    bytes::put_be(p, page_off - kHeaderLen, len, v);
}

SupportedVpdPages decode_00(ByteView page) {
    SupportedVpdPages s;
    auto p = open_page(page, s);
    s.pages.assign(p.begin(), p.end());
    return s;
}

UnitSerialNumber decode_80(ByteView page) {
    UnitSerialNumber s;
    s.serial_number = text::ascii_field(open_page(page, s));
    return s;
}

DeviceIdentification decode_83(ByteView page) {
    DeviceIdentification d;
    auto p = open_page(page, d);
    auto list = decode_designators(p);
    // A bare 16-byte NAA 6 with no descriptor header: the pre-SPC-2 layout of old arrays.
    if (list.designators.empty() && p.size() == 16 && (p[0] >> 4) == 6) {
        d.pre_spc_format = true;
        d.designators.push_back({.protocol_identifier = 0,
                                 .code_set = 1,
                                 .piv = false,
                                 .association = 0,
                                 .designator_type = 3,
                                 .value = Bytes(p.begin(), p.end())});
        d.warnings.push_back("pre-SPC format: one NAA designator without a descriptor header");
        return d;
    }
    d.designators = std::move(list.designators);
    d.unparsed = std::move(list.unparsed);
    d.warnings.insert(d.warnings.end(), list.warnings.begin(), list.warnings.end());
    return d;
}

ExtendedInquiry decode_86(ByteView page) {
    ExtendedInquiry e;
    auto p = open_page(page, e);
    short_page_warning(e, p, 20);
    const auto b4 = at(p, 4), b5 = at(p, 5), b6 = at(p, 6), b7 = at(p, 7), b8 = at(p, 8);
    e.activate_microcode = u8of(bits(b4, 7, 6));
    e.spt = u8of(bits(b4, 5, 3));
    e.grd_chk = bit(b4, 2);
    e.app_chk = bit(b4, 1);
    e.ref_chk = bit(b4, 0);
    e.uask_sup = bit(b5, 5);
    e.group_sup = bit(b5, 4);
    e.prior_sup = bit(b5, 3);
    e.headsup = bit(b5, 2);
    e.ordsup = bit(b5, 1);
    e.simpsup = bit(b5, 0);
    e.wu_sup = bit(b6, 3);
    e.crd_sup = bit(b6, 2);
    e.nv_sup = bit(b6, 1);
    e.v_sup = bit(b6, 0);
    e.no_pi_chk = bit(b7, 5);
    e.p_i_i_sup = bit(b7, 4);
    e.luiclr = bit(b7, 0);
    e.lu_coll_type = u8of(bits(b8, 7, 5));
    e.r_sup = bit(b8, 4);
    e.rtd_sup = bit(b8, 3);
    e.hssrelef = bit(b8, 1);
    e.cbcs = bit(b8, 0);
    e.multi_it_nexus_microcode_download = u8of(bits(at(p, 9), 3, 0));
    e.extended_self_test_completion_minutes = static_cast<std::uint16_t>(be_at(p, 10, 2));
    const auto b12 = at(p, 12);
    e.poa_sup = bit(b12, 7);
    e.hra_sup = bit(b12, 6);
    e.vsa_sup = bit(b12, 5);
    e.dms_valid = bit(b12, 4);
    e.maximum_supported_sense_data_length = at(p, 13);
    const auto b14 = at(p, 14);
    e.ibs = bit(b14, 7);
    e.ias = bit(b14, 6);
    e.sac = bit(b14, 2);
    e.nrd1 = bit(b14, 1);
    e.nrd0 = bit(b14, 0);
    e.maximum_inquiry_change_logs = static_cast<std::uint16_t>(be_at(p, 15, 2));
    e.maximum_mode_page_change_logs = static_cast<std::uint16_t>(be_at(p, 17, 2));
    const auto b19 = at(p, 19);
    e.dm_md_4 = bit(b19, 7);
    e.dm_md_5 = bit(b19, 6);
    e.dm_md_6 = bit(b19, 5);
    e.dm_md_7 = bit(b19, 4);
    e.dm_md_d = bit(b19, 3);
    e.dm_md_e = bit(b19, 2);
    e.dm_md_f = bit(b19, 1);
    e.reserved = nonzero_range(e, p, 20, std::max<std::size_t>(64, p.size() + kHeaderLen));
    return e;
}

Bytes encode_86(const ExtendedInquiry& e) {
    Bytes p = fixed_payload(64, e.reserved, 20);
    auto set = [&p](std::size_t off, std::uint8_t v) { p[off - kHeaderLen] = v; };
    set(4, u8of(((e.activate_microcode & 3u) << 6) | ((e.spt & 7u) << 3)) | flag(e.grd_chk, 2) |
               flag(e.app_chk, 1) | flag(e.ref_chk, 0));
    set(5, flag(e.uask_sup, 5) | flag(e.group_sup, 4) | flag(e.prior_sup, 3) | flag(e.headsup, 2) |
               flag(e.ordsup, 1) | flag(e.simpsup, 0));
    set(6, flag(e.wu_sup, 3) | flag(e.crd_sup, 2) | flag(e.nv_sup, 1) | flag(e.v_sup, 0));
    set(7, flag(e.no_pi_chk, 5) | flag(e.p_i_i_sup, 4) | flag(e.luiclr, 0));
    set(8, u8of((e.lu_coll_type & 7u) << 5) | flag(e.r_sup, 4) | flag(e.rtd_sup, 3) |
               flag(e.hssrelef, 1) | flag(e.cbcs, 0));
    set(9, e.multi_it_nexus_microcode_download & 0xf);
    put(p, 10, 2, e.extended_self_test_completion_minutes);
    set(12, flag(e.poa_sup, 7) | flag(e.hra_sup, 6) | flag(e.vsa_sup, 5) | flag(e.dms_valid, 4));
    set(13, e.maximum_supported_sense_data_length);
    set(14, flag(e.ibs, 7) | flag(e.ias, 6) | flag(e.sac, 2) | flag(e.nrd1, 1) | flag(e.nrd0, 0));
    put(p, 15, 2, e.maximum_inquiry_change_logs);
    put(p, 17, 2, e.maximum_mode_page_change_logs);
    set(19, flag(e.dm_md_4, 7) | flag(e.dm_md_5, 6) | flag(e.dm_md_6, 5) | flag(e.dm_md_7, 4) |
                flag(e.dm_md_d, 3) | flag(e.dm_md_e, 2) | flag(e.dm_md_f, 1));
    return close_page(e, ExtendedInquiry::page_code, p);
}

constexpr std::size_t kAtaIdentifyOff = 60;
constexpr std::size_t kAtaIdentifyLen = 512;

AtaInformation decode_89(ByteView page) {
    AtaInformation a;
    auto p = open_page(page, a);
    short_page_warning(a, p, kAtaIdentifyOff + kAtaIdentifyLen);
    a.sat_vendor = text::ascii_field(bytes::clamp(p, 8 - kHeaderLen, 8));
    a.sat_product = text::ascii_field(bytes::clamp(p, 16 - kHeaderLen, 16));
    a.sat_revision = text::ascii_field(bytes::clamp(p, 32 - kHeaderLen, 4));
    auto sig = bytes::clamp(p, 36 - kHeaderLen, 20);
    a.device_signature.assign(sig.begin(), sig.end());
    a.command_code = at(p, 56);
    if (!all_zero(bytes::clamp(p, 0, 4)) || !all_zero(bytes::clamp(p, 57 - kHeaderLen, 3))) {
        a.warnings.push_back("reserved bytes 4..7 or 57..59 are not zero");
    }
    auto id = bytes::clamp(p, kAtaIdentifyOff - kHeaderLen, p.size());
    a.identify_data.assign(id.begin(), id.end());
    return a;
}

Bytes encode_89(const AtaInformation& a) {
    bytes::Writer w;
    w.zeros(4);
    w.ascii(a.sat_vendor, 8);
    w.ascii(a.sat_product, 16);
    w.ascii(a.sat_revision, 4);
    Bytes sig = a.device_signature;
    sig.resize(20, 0);
    w.raw(sig);
    w.u8(a.command_code);
    w.zeros(3);
    w.raw(a.identify_data);
    return close_page(a, AtaInformation::page_code, w.take());
}

// ATA strings: each 16-bit word little-endian on the wire, first character in its high byte.
std::string ata_string(const Bytes& identify, int first_word, int words) {
    const auto needed = static_cast<std::size_t>(first_word + words) * 2;
    if (identify.size() < needed) return {};
    std::vector<std::uint16_t> w(static_cast<std::size_t>(first_word + words));
    for (std::size_t i = 0; i < w.size(); ++i) {
        w[i] = static_cast<std::uint16_t>(identify[2 * i] | (identify[2 * i + 1] << 8));
    }
    std::vector<char> out(static_cast<std::size_t>(words) * 2 + 1, 0);
    const int n = sg_ata_get_chars(w.data(), first_word, words, sg_is_big_endian(), out.data());
    return text::ascii_field(
        ByteView(reinterpret_cast<const std::uint8_t*>(out.data()), static_cast<std::size_t>(n)));
}

BlockLimits decode_b0(ByteView page) {
    BlockLimits l;
    auto p = open_page(page, l);
    short_page_warning(l, p, 64);
    l.wsnz = bit(at(p, 4), 0);
    l.maximum_compare_and_write_length = at(p, 5);
    l.optimal_transfer_length_granularity = static_cast<std::uint16_t>(be_at(p, 6, 2));
    l.maximum_transfer_length = static_cast<std::uint32_t>(be_at(p, 8, 4));
    l.optimal_transfer_length = static_cast<std::uint32_t>(be_at(p, 12, 4));
    l.maximum_prefetch_length = static_cast<std::uint32_t>(be_at(p, 16, 4));
    l.maximum_unmap_lba_count = static_cast<std::uint32_t>(be_at(p, 20, 4));
    l.maximum_unmap_block_descriptor_count = static_cast<std::uint32_t>(be_at(p, 24, 4));
    l.optimal_unmap_granularity = static_cast<std::uint32_t>(be_at(p, 28, 4));
    const auto uga = static_cast<std::uint32_t>(be_at(p, 32, 4));
    l.ugavalid = (uga & 0x80000000u) != 0;
    l.unmap_granularity_alignment = uga & 0x7fffffffu;
    l.maximum_write_same_length = be_at(p, 36, 8);
    l.maximum_atomic_transfer_length = static_cast<std::uint32_t>(be_at(p, 44, 4));
    l.atomic_alignment = static_cast<std::uint32_t>(be_at(p, 48, 4));
    l.atomic_transfer_length_granularity = static_cast<std::uint32_t>(be_at(p, 52, 4));
    l.maximum_atomic_transfer_length_with_atomic_boundary =
        static_cast<std::uint32_t>(be_at(p, 56, 4));
    l.maximum_atomic_boundary_size = static_cast<std::uint32_t>(be_at(p, 60, 4));
    auto extra = bytes::clamp(p, 64 - kHeaderLen, p.size());
    l.extra.assign(extra.begin(), extra.end());
    return l;
}

Bytes encode_b0(const BlockLimits& l) {
    Bytes p(64 - kHeaderLen, 0);
    p[0] = flag(l.wsnz, 0);
    p[1] = l.maximum_compare_and_write_length;
    put(p, 6, 2, l.optimal_transfer_length_granularity);
    put(p, 8, 4, l.maximum_transfer_length);
    put(p, 12, 4, l.optimal_transfer_length);
    put(p, 16, 4, l.maximum_prefetch_length);
    put(p, 20, 4, l.maximum_unmap_lba_count);
    put(p, 24, 4, l.maximum_unmap_block_descriptor_count);
    put(p, 28, 4, l.optimal_unmap_granularity);
    put(p, 32, 4, (l.ugavalid ? 0x80000000u : 0u) | (l.unmap_granularity_alignment & 0x7fffffffu));
    put(p, 36, 8, l.maximum_write_same_length);
    put(p, 44, 4, l.maximum_atomic_transfer_length);
    put(p, 48, 4, l.atomic_alignment);
    put(p, 52, 4, l.atomic_transfer_length_granularity);
    put(p, 56, 4, l.maximum_atomic_transfer_length_with_atomic_boundary);
    put(p, 60, 4, l.maximum_atomic_boundary_size);
    p.insert(p.end(), l.extra.begin(), l.extra.end());
    return close_page(l, BlockLimits::page_code, p);
}

BlockDeviceCharacteristics decode_b1(ByteView page) {
    BlockDeviceCharacteristics c;
    auto p = open_page(page, c);
    short_page_warning(c, p, 16);
    c.medium_rotation_rate = static_cast<std::uint16_t>(be_at(p, 4, 2));
    c.product_type = at(p, 6);
    const auto b7 = at(p, 7), b8 = at(p, 8);
    c.wabereq = u8of(bits(b7, 7, 6));
    c.wacereq = u8of(bits(b7, 5, 4));
    c.nominal_form_factor = u8of(bits(b7, 3, 0));
    c.zoned = u8of(bits(b8, 5, 4));
    c.bocs = bit(b8, 3);
    c.rbwz = bit(b8, 2);
    c.fuab = bit(b8, 1);
    c.vbuls = bit(b8, 0);
    if (bits(b8, 7, 6) != 0 || !all_zero(bytes::clamp(p, 9 - kHeaderLen, 3))) {
        c.warnings.push_back(fmt::format("reserved fields set: byte 8 {:02x}, bytes 9..11 {}", b8,
                                         hex::compact(bytes::clamp(p, 9 - kHeaderLen, 3))));
    }
    c.depopulation_time_seconds = static_cast<std::uint32_t>(be_at(p, 12, 4));
    c.reserved = nonzero_range(c, p, 16, std::max<std::size_t>(64, p.size() + kHeaderLen));
    return c;
}

Bytes encode_b1(const BlockDeviceCharacteristics& c) {
    Bytes p = fixed_payload(64, c.reserved, 16);
    put(p, 4, 2, c.medium_rotation_rate);
    p[6 - kHeaderLen] = c.product_type;
    p[7 - kHeaderLen] =
        u8of(((c.wabereq & 3u) << 6) | ((c.wacereq & 3u) << 4) | (c.nominal_form_factor & 0xfu));
    p[8 - kHeaderLen] = u8of((c.zoned & 3u) << 4) | flag(c.bocs, 3) | flag(c.rbwz, 2) |
                        flag(c.fuab, 1) | flag(c.vbuls, 0);
    put(p, 12, 4, c.depopulation_time_seconds);
    return close_page(c, BlockDeviceCharacteristics::page_code, p);
}

LogicalBlockProvisioning decode_b2(ByteView page) {
    LogicalBlockProvisioning l;
    auto p = open_page(page, l);
    short_page_warning(l, p, 8);
    l.threshold_exponent = at(p, 4);
    const auto b5 = at(p, 5), b6 = at(p, 6);
    l.lbpu = bit(b5, 7);
    l.lbpws = bit(b5, 6);
    l.lbpws10 = bit(b5, 5);
    l.lbprz = u8of(bits(b5, 4, 2));
    l.anc_sup = bit(b5, 1);
    l.dp = bit(b5, 0);
    l.minimum_percentage = u8of(bits(b6, 7, 3));
    l.provisioning_type = u8of(bits(b6, 2, 0));
    l.threshold_percentage = at(p, 7);
    auto rest = bytes::clamp(p, 8 - kHeaderLen, p.size());
    if (l.dp && !rest.empty()) {
        auto list = decode_designators(rest);
        l.warnings.insert(l.warnings.end(), list.warnings.begin(), list.warnings.end());
        if (!list.designators.empty()) {
            const auto used = list.designators.front().value.size() + 4;
            l.provisioning_group.push_back(std::move(list.designators.front()));
            rest = rest.subspan(used);
        }
    }
    if (!rest.empty()) {
        l.extra.assign(rest.begin(), rest.end());
        l.warnings.push_back(
            fmt::format("{} bytes after the fixed fields not decoded", rest.size()));
    }
    return l;
}

Bytes encode_b2(const LogicalBlockProvisioning& l) {
    bytes::Writer w;
    w.u8(l.threshold_exponent);
    w.u8(flag(l.lbpu, 7) | flag(l.lbpws, 6) | flag(l.lbpws10, 5) | u8of((l.lbprz & 7u) << 2) |
         flag(l.anc_sup, 1) | flag(l.dp, 0));
    w.u8(u8of(((l.minimum_percentage & 0x1fu) << 3) | (l.provisioning_type & 7u)));
    w.u8(l.threshold_percentage);
    for (const auto& d : l.provisioning_group) w.raw(d.encode());
    w.raw(l.extra);
    return close_page(l, LogicalBlockProvisioning::page_code, w.take());
}

RawVpdPage decode_raw(ByteView page) {
    RawVpdPage r;
    auto p = open_page(page, r);
    r.page_code = page[1];
    r.payload.assign(p.begin(), p.end());
    return r;
}

std::string provisioning_type_name(unsigned t) {
    switch (t) {
        case 0:
            return "not known or fully provisioned";
        case 1:
            return "resource provisioned";
        case 2:
            return "thin provisioned";
        default:
            return "reserved";
    }
}

std::string form_factor_name(unsigned f) {
    static constexpr std::array<const char*, 6> kNames{
        "not reported", "5.25 inch", "3.5 inch", "2.5 inch", "1.8 inch", "less than 1.8 inch"};
    return f < kNames.size() ? kNames[f] : "reserved";
}

std::string rotation_rate_name(unsigned r) {
    if (r == 0) return "not reported";
    if (r == 1) return "non-rotating medium";
    if (r >= 0x401 && r <= 0xfffe) return fmt::format("{} rpm", r);
    return "reserved";
}

void page_fields(nlohmann::json& j, const SupportedVpdPages& s) {
    j["supported_pages"] = s.pages;
    auto named = nlohmann::json::array();
    for (auto code : s.pages)
        named.push_back({{"page_code", code}, {"page_name", vpd_page_name(code)}});
    j["supported_pages_named"] = named;
}

void page_fields(nlohmann::json& j, const UnitSerialNumber& s) {
    j["serial_number"] = s.serial_number;
}

void page_fields(nlohmann::json& j, const DeviceIdentification& d) {
    j["designators"] = d.designators;
    j["pre_spc_format"] = d.pre_spc_format;
    j["unparsed"] = hex::compact(d.unparsed);
}

void page_fields(nlohmann::json& j, const ExtendedInquiry& e) {
    j.update(nlohmann::json{
        {"activate_microcode", e.activate_microcode},
        {"spt", e.spt},
        {"grd_chk", e.grd_chk},
        {"app_chk", e.app_chk},
        {"ref_chk", e.ref_chk},
        {"uask_sup", e.uask_sup},
        {"group_sup", e.group_sup},
        {"prior_sup", e.prior_sup},
        {"headsup", e.headsup},
        {"ordsup", e.ordsup},
        {"simpsup", e.simpsup},
        {"wu_sup", e.wu_sup},
        {"crd_sup", e.crd_sup},
        {"nv_sup", e.nv_sup},
        {"v_sup", e.v_sup},
        {"no_pi_chk", e.no_pi_chk},
        {"p_i_i_sup", e.p_i_i_sup},
        {"luiclr", e.luiclr},
        {"lu_coll_type", e.lu_coll_type},
        {"r_sup", e.r_sup},
        {"rtd_sup", e.rtd_sup},
        {"hssrelef", e.hssrelef},
        {"cbcs", e.cbcs},
        {"multi_it_nexus_microcode_download", e.multi_it_nexus_microcode_download},
        {"extended_self_test_completion_minutes", e.extended_self_test_completion_minutes},
        {"poa_sup", e.poa_sup},
        {"hra_sup", e.hra_sup},
        {"vsa_sup", e.vsa_sup},
        {"dms_valid", e.dms_valid},
        {"maximum_supported_sense_data_length", e.maximum_supported_sense_data_length},
        {"ibs", e.ibs},
        {"ias", e.ias},
        {"sac", e.sac},
        {"nrd1", e.nrd1},
        {"nrd0", e.nrd0},
        {"maximum_inquiry_change_logs", e.maximum_inquiry_change_logs},
        {"maximum_mode_page_change_logs", e.maximum_mode_page_change_logs},
        {"dm_md_4", e.dm_md_4},
        {"dm_md_5", e.dm_md_5},
        {"dm_md_6", e.dm_md_6},
        {"dm_md_7", e.dm_md_7},
        {"dm_md_d", e.dm_md_d},
        {"dm_md_e", e.dm_md_e},
        {"dm_md_f", e.dm_md_f},
        {"reserved", hex::compact(e.reserved)},
    });
}

void page_fields(nlohmann::json& j, const AtaInformation& a) {
    j["sat_vendor"] = a.sat_vendor;
    j["sat_product"] = a.sat_product;
    j["sat_revision"] = a.sat_revision;
    j["device_signature"] = hex::compact(a.device_signature);
    j["transport"] = a.transport();
    j["command_code"] = a.command_code;
    j["model"] = a.model();
    j["serial_number"] = a.serial_number();
    j["firmware_revision"] = a.firmware_revision();
    j["identify_data"] = hex::compact(a.identify_data);
}

void page_fields(nlohmann::json& j, const BlockLimits& l) {
    j.update(nlohmann::json{
        {"wsnz", l.wsnz},
        {"maximum_compare_and_write_length_blocks", l.maximum_compare_and_write_length},
        {"optimal_transfer_length_granularity_blocks", l.optimal_transfer_length_granularity},
        {"maximum_transfer_length_blocks", l.maximum_transfer_length},
        {"optimal_transfer_length_blocks", l.optimal_transfer_length},
        {"maximum_prefetch_length_blocks", l.maximum_prefetch_length},
        {"maximum_unmap_lba_count", l.maximum_unmap_lba_count},
        {"maximum_unmap_block_descriptor_count", l.maximum_unmap_block_descriptor_count},
        {"optimal_unmap_granularity_blocks", l.optimal_unmap_granularity},
        {"ugavalid", l.ugavalid},
        {"unmap_granularity_alignment", l.unmap_granularity_alignment},
        {"maximum_write_same_length_blocks", l.maximum_write_same_length},
        {"maximum_atomic_transfer_length_blocks", l.maximum_atomic_transfer_length},
        {"atomic_alignment", l.atomic_alignment},
        {"atomic_transfer_length_granularity", l.atomic_transfer_length_granularity},
        {"maximum_atomic_transfer_length_with_atomic_boundary_blocks",
         l.maximum_atomic_transfer_length_with_atomic_boundary},
        {"maximum_atomic_boundary_size_blocks", l.maximum_atomic_boundary_size},
        {"extra", hex::compact(l.extra)},
    });
}

void page_fields(nlohmann::json& j, const BlockDeviceCharacteristics& c) {
    j.update(nlohmann::json{
        {"medium_rotation_rate", c.medium_rotation_rate},
        {"medium_rotation_rate_name", rotation_rate_name(c.medium_rotation_rate)},
        {"product_type", c.product_type},
        {"wabereq", c.wabereq},
        {"wacereq", c.wacereq},
        {"nominal_form_factor", c.nominal_form_factor},
        {"nominal_form_factor_name", form_factor_name(c.nominal_form_factor)},
        {"zoned", c.zoned},
        {"bocs", c.bocs},
        {"rbwz", c.rbwz},
        {"fuab", c.fuab},
        {"vbuls", c.vbuls},
        {"depopulation_time_seconds", c.depopulation_time_seconds},
        {"reserved", hex::compact(c.reserved)},
    });
}

void page_fields(nlohmann::json& j, const LogicalBlockProvisioning& l) {
    j.update(nlohmann::json{
        {"threshold_exponent", l.threshold_exponent},
        {"lbpu", l.lbpu},
        {"lbpws", l.lbpws},
        {"lbpws10", l.lbpws10},
        {"lbprz", l.lbprz},
        {"anc_sup", l.anc_sup},
        {"dp", l.dp},
        {"minimum_percentage", l.minimum_percentage},
        {"provisioning_type", l.provisioning_type},
        {"provisioning_type_name", provisioning_type_name(l.provisioning_type)},
        {"threshold_percentage", l.threshold_percentage},
        {"provisioning_group_descriptors", l.provisioning_group},
        {"extra", hex::compact(l.extra)},
    });
}

void page_fields(nlohmann::json& j, const RawVpdPage& r) {
    j["payload"] = hex::compact(r.payload);
}

}  // namespace

std::string AtaInformation::model() const {
    return ata_string(identify_data, 27, 20);
}
std::string AtaInformation::serial_number() const {
    return ata_string(identify_data, 10, 10);
}
std::string AtaInformation::firmware_revision() const {
    return ata_string(identify_data, 23, 4);
}
std::string AtaInformation::transport() const {
    if (device_signature.empty()) return {};
    if (device_signature[0] == 0x34) return "SATA";
    if (device_signature[0] == 0x00) return "PATA";
    return {};
}

VpdPage decode_vpd(ByteView page) {
    if (page.size() < kHeaderLen) {
        throw Error(Category::malformed,
                    fmt::format("VPD page has {} bytes, the header needs 4", page.size()));
    }
    switch (page[1]) {
        case 0x00:
            return decode_00(page);
        case 0x80:
            return decode_80(page);
        case 0x83:
            return decode_83(page);
        case 0x86:
            return decode_86(page);
        case 0x89:
            return decode_89(page);
        case 0xb0:
            return decode_b0(page);
        case 0xb1:
            return decode_b1(page);
        case 0xb2:
            return decode_b2(page);
        default:
            return decode_raw(page);
    }
}

Bytes encode_vpd(const VpdPage& page) {
    struct Encoder {
        Bytes operator()(const SupportedVpdPages& s) const {
            return close_page(s, s.page_code, s.pages);
        }
        Bytes operator()(const UnitSerialNumber& s) const {
            return close_page(
                s, s.page_code,
                ByteView(reinterpret_cast<const std::uint8_t*>(s.serial_number.data()),
                         s.serial_number.size()));
        }
        Bytes operator()(const DeviceIdentification& d) const {
            Bytes p;
            for (const auto& x : d.designators) {
                auto e = d.pre_spc_format ? x.value : x.encode();
                p.insert(p.end(), e.begin(), e.end());
            }
            p.insert(p.end(), d.unparsed.begin(), d.unparsed.end());
            return close_page(d, d.page_code, p);
        }
        Bytes operator()(const ExtendedInquiry& e) const { return encode_86(e); }
        Bytes operator()(const AtaInformation& a) const { return encode_89(a); }
        Bytes operator()(const BlockLimits& l) const { return encode_b0(l); }
        Bytes operator()(const BlockDeviceCharacteristics& c) const { return encode_b1(c); }
        Bytes operator()(const LogicalBlockProvisioning& l) const { return encode_b2(l); }
        Bytes operator()(const RawVpdPage& r) const {
            return close_page(r, r.page_code, r.payload);
        }
    };
    return std::visit(Encoder{}, page);
}

std::uint8_t vpd_page_code(const VpdPage& page) {
    return std::visit(
        [](const auto& p) -> std::uint8_t {
            if constexpr (std::is_same_v<std::decay_t<decltype(p)>, RawVpdPage>) {
                return p.page_code;
            } else {
                return std::decay_t<decltype(p)>::page_code;
            }
        },
        page);
}

std::string vpd_page_name(std::uint8_t code) {
    switch (code) {
        case 0x00:
            return "Supported VPD Pages";
        case 0x80:
            return "Unit Serial Number";
        case 0x83:
            return "Device Identification";
        case 0x84:
            return "Software Interface Identification";
        case 0x85:
            return "Management Network Addresses";
        case 0x86:
            return "Extended INQUIRY Data";
        case 0x87:
            return "Mode Page Policy";
        case 0x88:
            return "SCSI Ports";
        case 0x89:
            return "ATA Information";
        case 0x8a:
            return "Power Condition";
        case 0x8b:
            return "Device Constituents";
        case 0x8c:
            return "CFA Profile Information";
        case 0x8d:
            return "Power Consumption";
        case 0x8f:
            return "Third-party Copy";
        case 0x90:
            return "Protocol Specific Logical Unit Information";
        case 0x91:
            return "Protocol Specific Port Information";
        case 0x92:
            return "SCSI Feature Sets";
        case 0xb0:
            return "Block Limits";
        case 0xb1:
            return "Block Device Characteristics";
        case 0xb2:
            return "Logical Block Provisioning";
        case 0xb3:
            return "Referrals";
        case 0xb4:
            return "Supported Block Lengths and Protection Types";
        case 0xb5:
            return "Block Device Characteristics Extension";
        case 0xb6:
            return "Zoned Block Device Characteristics";
        case 0xb7:
            return "Block Limits Extension";
        case 0xb8:
            return "Format Presets";
        case 0xb9:
            return "Concurrent Positioning Ranges";
        default:
            return {};
    }
}

VpdSplit split_vpd_pages(ByteView buffer) {
    VpdSplit out;
    std::size_t off = 0;
    while (buffer.size() - off >= kHeaderLen) {
        const std::size_t len = kHeaderLen + be16(buffer, off + 2);
        const std::size_t take = std::min(len, buffer.size() - off);
        if (take < len) {
            out.warnings.push_back(
                fmt::format("page 0x{:02x} at offset {} truncated: {} of {} bytes", buffer[off + 1],
                            off, take, len));
        }
        out.pages.push_back(buffer.subspan(off, take));
        off += take;
    }
    if (off < buffer.size()) {
        out.leftover.assign(buffer.begin() + static_cast<std::ptrdiff_t>(off), buffer.end());
        out.warnings.push_back(fmt::format("{} bytes at offset {} too short for a page header",
                                           out.leftover.size(), off));
    }
    return out;
}

void to_json(nlohmann::json& j, const VpdPage& page) {
    const auto code = vpd_page_code(page);
    j = nlohmann::json::object();
    j["page_code"] = code;
    j["page_name"] = vpd_page_name(code);
    std::visit(
        [&j](const auto& p) {
            j["peripheral_qualifier"] = p.peripheral_qualifier;
            j["peripheral_device_type"] = p.peripheral_device_type;
            j["peripheral_device_type_name"] =
                peripheral_device_type_name(p.peripheral_device_type);
            page_fields(j, p);
            j["trailing"] = hex::compact(p.trailing);
            j["warnings"] = p.warnings;
        },
        page);
}

}  // namespace camx::scsi
