// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/persist.hpp"

#include <scsi/sg_lib.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/text/text.hpp"

namespace camx::scsi {
namespace {

constexpr std::size_t kFixedTidLength = 24;
constexpr std::string_view kIsidSeparator = ",i,0x";

std::uint8_t flag(bool v, unsigned n) {
    return static_cast<std::uint8_t>(v ? 1u << n : 0u);
}

// The part of a PR IN response its ADDITIONAL LENGTH covers, with warnings for the rest.
ByteView declared_payload(ByteView b, std::vector<std::string>& warnings) {
    std::size_t declared = 8 + std::size_t{bytes::be32(b, 4)};
    if (declared > b.size()) {
        warnings.push_back(
            fmt::format("additional length declares {} bytes, {} present", declared, b.size()));
        declared = b.size();
    } else if (declared < b.size()) {
        warnings.push_back(
            fmt::format("{} bytes after the declared length ignored", b.size() - declared));
    }
    return b.subspan(8, declared - 8);
}

std::size_t find_isid(const std::string& s) {
    std::string lower(s);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find(kIsidSeparator);
}

std::string hex64(std::uint64_t v) {
    return fmt::format("0x{:016x}", v);
}

}  // namespace

std::string_view pr_in_action_name(std::uint8_t sa) {
    switch (sa) {
        case 0x00:
            return "READ KEYS";
        case 0x01:
            return "READ RESERVATION";
        case 0x02:
            return "REPORT CAPABILITIES";
        case 0x03:
            return "READ FULL STATUS";
        default:
            return "reserved";
    }
}

std::string_view pr_out_action_name(std::uint8_t sa) {
    switch (sa) {
        case 0x00:
            return "REGISTER";
        case 0x01:
            return "RESERVE";
        case 0x02:
            return "RELEASE";
        case 0x03:
            return "CLEAR";
        case 0x04:
            return "PREEMPT";
        case 0x05:
            return "PREEMPT AND ABORT";
        case 0x06:
            return "REGISTER AND IGNORE EXISTING KEY";
        case 0x07:
            return "REGISTER AND MOVE";
        case 0x08:
            return "REPLACE LOST RESERVATION";
        default:
            return "reserved";
    }
}

std::string_view pr_type_name(std::uint8_t type) {
    switch (type) {
        case 0x1:
            return "Write Exclusive";
        case 0x3:
            return "Exclusive Access";
        case 0x5:
            return "Write Exclusive, registrants only";
        case 0x6:
            return "Exclusive Access, registrants only";
        case 0x7:
            return "Write Exclusive, all registrants";
        case 0x8:
            return "Exclusive Access, all registrants";
        default:
            return "obsolete or reserved";
    }
}

std::string_view pr_type_short_name(std::uint8_t type) {
    switch (type) {
        case 0x1:
            return "wr_ex";
        case 0x3:
            return "ex_ac";
        case 0x5:
            return "wr_ex_ro";
        case 0x6:
            return "ex_ac_ro";
        case 0x7:
            return "wr_ex_ar";
        case 0x8:
            return "ex_ac_ar";
        default:
            return "";
    }
}

std::string_view pr_scope_name(std::uint8_t scope) {
    return scope == 0 ? "LU_SCOPE" : "reserved";
}

std::string protocol_identifier_name(std::uint8_t proto) {
    char b[128] = {};
    sg_get_trans_proto_str(proto & 0x0f, sizeof b, b);
    return text::trim(b);
}

// ---- TransportID -------------------------------------------------------------------------

TransportId TransportId::fibre_channel(std::uint64_t n_port_name) {
    TransportId t;
    t.protocol = fc;
    t.name = n_port_name;
    return t;
}

TransportId TransportId::sas_address(std::uint64_t address) {
    TransportId t;
    t.protocol = sas;
    t.name = address;
    return t;
}

TransportId TransportId::iscsi_initiator(std::string iname, std::string isid_hex) {
    TransportId t;
    t.protocol = iscsi;
    t.format = isid_hex.empty() ? 0 : 1;
    t.iscsi_name = std::move(iname);
    t.isid = std::move(isid_hex);
    return t;
}

TransportId TransportId::srp_initiator(const std::array<std::uint8_t, 16>& port) {
    TransportId t;
    t.protocol = srp;
    t.srp_port = port;
    return t;
}

TransportId TransportId::sop_routing(std::uint16_t id) {
    TransportId t;
    t.protocol = sop;
    t.routing_id = id;
    return t;
}

std::size_t TransportId::length_at(ByteView b) {
    bytes::require(b, 0, 1);
    if ((b[0] & 0x0f) != iscsi) return kFixedTidLength;
    if (b.size() < 4) return 4;
    return 4 + std::size_t{bytes::be16(b, 2)};
}

TransportId TransportId::decode(ByteView b, std::vector<std::string>& warnings) {
    bytes::require(b, 0, 1);
    TransportId t;
    t.protocol = b[0] & 0x0f;
    t.format = static_cast<std::uint8_t>(b[0] >> 6);
    auto keep_raw = [&](std::string why) {
        if (!why.empty()) warnings.push_back(std::move(why));
        TransportId r;
        r.protocol = t.protocol;
        r.format = t.format;
        r.raw.assign(b.begin(), b.end());
        return r;
    };
    if (t.protocol == iscsi) {
        if (t.format > 1 || b.size() < 4) {
            return keep_raw(t.format > 1
                                ? fmt::format("iSCSI TransportID format {} kept raw", t.format)
                                : "iSCSI TransportID truncated; kept raw");
        }
        ByteView text_bytes = b.subspan(4);
        auto nul = std::find(text_bytes.begin(), text_bytes.end(), std::uint8_t{0});
        if (nul == text_bytes.end()) warnings.emplace_back("iSCSI name is not NUL terminated");
        std::string s =
            text::ascii_field(text_bytes.first(static_cast<std::size_t>(nul - text_bytes.begin())));
        if (t.format == 1) {
            std::size_t sep = find_isid(s);
            if (sep == std::string::npos) {
                warnings.emplace_back("iSCSI TransportID format 1 without \",i,0x\" separator");
                t.iscsi_name = s;
            } else {
                t.iscsi_name = s.substr(0, sep);
                t.isid = s.substr(sep + kIsidSeparator.size());
            }
        } else {
            t.iscsi_name = s;
        }
        return t;
    }
    bool known = t.protocol == fc || t.protocol == sas || t.protocol == srp || t.protocol == sop;
    if (!known) return keep_raw({});
    if (t.format != 0) return keep_raw(fmt::format("TransportID format {} kept raw", t.format));
    if (b.size() != kFixedTidLength) {
        return keep_raw(fmt::format("TransportID of {} bytes, expected 24; kept raw", b.size()));
    }
    switch (t.protocol) {
        case fc:
            t.name = bytes::be64(b, 8);
            break;
        case sas:
            t.name = bytes::be64(b, 4);
            break;
        case srp:
            std::copy(b.begin() + 8, b.begin() + 24, t.srp_port.begin());
            break;
        case sop:
            t.routing_id = bytes::be16(b, 2);
            break;
        default:
            break;
    }
    return t;
}

Bytes TransportId::encode() const {
    if (!raw.empty()) return raw;
    bytes::Writer w;
    w.u8(static_cast<std::uint8_t>(((format & 3) << 6) | (protocol & 0x0f)));
    if (protocol == iscsi) {
        std::string s = iscsi_name;
        if (format == 1) s += std::string(kIsidSeparator) + isid;
        std::size_t len = s.size() + 1;  // NUL terminated
        len = std::max<std::size_t>(20, (len + 3) / 4 * 4);
        if (len > 0xffff) throw Error(Category::usage, "iSCSI name too long for a TransportID");
        w.u8(0), w.be16(static_cast<std::uint16_t>(len));
        w.ascii(s, len, '\0');
        return w.take();
    }
    w.zeros(kFixedTidLength - 1);
    Bytes out = w.take();
    switch (protocol) {
        case fc:
            bytes::put_be64(out, 8, name);
            break;
        case sas:
            bytes::put_be64(out, 4, name);
            break;
        case srp:
            std::copy(srp_port.begin(), srp_port.end(), out.begin() + 8);
            break;
        case sop:
            bytes::put_be16(out, 2, routing_id);
            break;
        default:
            break;
    }
    return out;
}

std::vector<TransportId> decode_transport_ids(ByteView b, std::vector<std::string>& warnings) {
    std::vector<TransportId> out;
    std::size_t off = 0;
    while (off < b.size()) {
        ByteView rest = b.subspan(off);
        std::size_t len = TransportId::length_at(rest);
        if (len > rest.size()) {
            warnings.push_back(
                fmt::format("TransportID at byte {} needs {} bytes, {} present; kept raw", off, len,
                            rest.size()));
            TransportId t;
            t.protocol = rest[0] & 0x0f;
            t.format = static_cast<std::uint8_t>(rest[0] >> 6);
            t.raw.assign(rest.begin(), rest.end());
            out.push_back(std::move(t));
            break;
        }
        out.push_back(TransportId::decode(rest.first(len), warnings));
        off += len;
    }
    return out;
}

// ---- PR IN ---------------------------------------------------------------------------------

PrKeys PrKeys::decode(ByteView b) {
    PrKeys k;
    k.generation = bytes::be32(b, 0);
    ByteView p = declared_payload(b, k.warnings);
    for (std::size_t off = 0; off + 8 <= p.size(); off += 8) k.keys.push_back(bytes::be64(p, off));
    if (p.size() % 8 != 0) {
        k.warnings.push_back(fmt::format("{} bytes of a partial key ignored", p.size() % 8));
    }
    return k;
}

Bytes PrKeys::encode() const {
    bytes::Writer w;
    w.be32(generation), w.be32(static_cast<std::uint32_t>(keys.size() * 8));
    for (auto key : keys) w.be64(key);
    return w.take();
}

PrReservation PrReservation::decode(ByteView b) {
    PrReservation r;
    r.generation = bytes::be32(b, 0);
    ByteView p = declared_payload(b, r.warnings);
    if (p.empty()) return r;
    if (p.size() < 16) {
        r.warnings.push_back(
            fmt::format("reservation descriptor truncated: {} of 16 bytes", p.size()));
        return r;
    }
    r.reservation = Holder{bytes::be64(p, 0), static_cast<std::uint8_t>(p[13] >> 4),
                           static_cast<std::uint8_t>(p[13] & 0x0f)};
    if (p.size() > 16) r.warnings.push_back("bytes after the reservation descriptor ignored");
    return r;
}

Bytes PrReservation::encode() const {
    bytes::Writer w;
    w.be32(generation), w.be32(reservation ? 16 : 0);
    if (reservation) {
        w.be64(reservation->key), w.zeros(4), w.u8(0);
        w.u8(static_cast<std::uint8_t>((reservation->scope << 4) | (reservation->type & 0x0f)));
        w.zeros(2);
    }
    return w.take();
}

std::uint16_t PrCapabilities::mask_bit(std::uint8_t type) {
    switch (type) {
        case 0x1:
        case 0x3:
        case 0x5:
        case 0x6:
        case 0x7:
            return static_cast<std::uint16_t>(1u << (8 + type));
        case 0x8:
            return 1;
        default:
            return 0;
    }
}

bool PrCapabilities::type_supported(std::uint8_t type) const {
    std::uint16_t m = mask_bit(type);
    return m != 0 && (type_mask & m) != 0;
}

std::vector<std::uint8_t> PrCapabilities::supported_types() const {
    std::vector<std::uint8_t> out;
    for (std::uint8_t t : {1, 3, 5, 6, 7, 8}) {
        if (type_supported(t)) out.push_back(t);
    }
    return out;
}

PrCapabilities PrCapabilities::decode(ByteView b) {
    PrCapabilities c;
    bytes::require(b, 0, 4);
    std::size_t len = bytes::be16(b, 0);
    if (len != 8) c.warnings.push_back(fmt::format("length {}, expected 8", len));
    c.rlr_c = bytes::bit(b[2], 7);
    c.crh = bytes::bit(b[2], 4);
    c.sip_c = bytes::bit(b[2], 3);
    c.atp_c = bytes::bit(b[2], 2);
    c.ptpl_c = bytes::bit(b[2], 0);
    c.tmv = bytes::bit(b[3], 7);
    c.allow_commands = static_cast<std::uint8_t>(bytes::bits(b[3], 6, 4));
    c.ptpl_a = bytes::bit(b[3], 0);
    if (b.size() >= 6) {
        c.type_mask = bytes::be16(b, 4);
    } else {
        c.warnings.push_back(fmt::format("{} bytes, the type mask is missing", b.size()));
    }
    if (b.size() > 5 && b.size() < 8) {
        c.warnings.push_back(fmt::format("{} of 8 bytes present", b.size()));
    }
    if (b.size() > 8)
        c.warnings.push_back(fmt::format("{} bytes after byte 8 ignored", b.size() - 8));
    return c;
}

Bytes PrCapabilities::encode() const {
    bytes::Writer w;
    w.be16(8);
    w.u8(static_cast<std::uint8_t>(flag(rlr_c, 7) | flag(crh, 4) | flag(sip_c, 3) | flag(atp_c, 2) |
                                   flag(ptpl_c, 0)));
    w.u8(static_cast<std::uint8_t>(flag(tmv, 7) | ((allow_commands & 7) << 4) | flag(ptpl_a, 0)));
    w.be16(type_mask), w.zeros(2);
    return w.take();
}

PrFullStatus PrFullStatus::decode(ByteView b) {
    PrFullStatus s;
    s.generation = bytes::be32(b, 0);
    ByteView p = declared_payload(b, s.warnings);
    std::size_t off = 0;
    while (off < p.size()) {
        ByteView d = p.subspan(off);
        if (d.size() < 24) {
            s.warnings.push_back(fmt::format("truncated status descriptor at byte {}", off + 8));
            break;
        }
        PrStatusDescriptor sd;
        sd.key = bytes::be64(d, 0);
        sd.all_tg_pt = bytes::bit(d[12], 1);
        sd.r_holder = bytes::bit(d[12], 0);
        sd.scope = static_cast<std::uint8_t>(d[13] >> 4);
        sd.type = d[13] & 0x0f;
        sd.relative_target_port = bytes::be16(d, 18);
        std::size_t tid_len = bytes::be32(d, 20);
        ByteView tid = bytes::clamp(d, 24, tid_len);
        if (tid.size() < tid_len) {
            s.warnings.push_back(
                fmt::format("TransportID of the status descriptor at byte {} "
                            "truncated; kept raw",
                            off + 8));
            sd.transport_id.raw.assign(tid.begin(), tid.end());
            if (!tid.empty()) sd.transport_id.protocol = tid[0] & 0x0f;
            s.descriptors.push_back(std::move(sd));
            break;
        }
        if (!tid.empty()) sd.transport_id = TransportId::decode(tid, s.warnings);
        s.descriptors.push_back(std::move(sd));
        off += 24 + tid_len;
    }
    return s;
}

Bytes PrFullStatus::encode() const {
    bytes::Writer w;
    w.be32(generation), w.be32(0);
    for (const auto& d : descriptors) {
        Bytes tid = d.transport_id.encode();
        w.be64(d.key), w.zeros(4);
        w.u8(static_cast<std::uint8_t>(flag(d.all_tg_pt, 1) | flag(d.r_holder, 0)));
        w.u8(static_cast<std::uint8_t>((d.scope << 4) | (d.type & 0x0f)));
        w.zeros(4), w.be16(d.relative_target_port), w.be32(static_cast<std::uint32_t>(tid.size()));
        w.raw(tid);
    }
    bytes::put_be32(w.view(), 4, static_cast<std::uint32_t>(w.size() - 8));
    return w.take();
}

// ---- PR OUT --------------------------------------------------------------------------------

PrOutParameters PrOutParameters::decode(ByteView b) {
    PrOutParameters p;
    bytes::require(b, 0, 24);
    p.key = bytes::be64(b, 0);
    p.service_action_key = bytes::be64(b, 8);
    p.spec_i_pt = bytes::bit(b[20], 3);
    p.all_tg_pt = bytes::bit(b[20], 2);
    p.aptpl = bytes::bit(b[20], 0);
    if (!p.spec_i_pt) {
        if (b.size() > 24)
            p.warnings.push_back(fmt::format("{} bytes after byte 24 ignored", b.size() - 24));
        return p;
    }
    if (b.size() < 28) {
        p.warnings.emplace_back(
            "SPEC_I_PT set but the TransportID parameter data length is missing");
        return p;
    }
    std::size_t len = bytes::be32(b, 24);
    ByteView tids = bytes::clamp(b, 28, len);
    if (tids.size() < len) {
        p.warnings.push_back(fmt::format(
            "TransportID parameter data length {} but {} bytes present", len, tids.size()));
    } else if (28 + len < b.size()) {
        p.warnings.push_back(
            fmt::format("{} bytes after the TransportIDs ignored", b.size() - 28 - len));
    }
    p.transport_ids = decode_transport_ids(tids, p.warnings);
    return p;
}

Bytes PrOutParameters::encode() const {
    bytes::Writer w;
    w.be64(key), w.be64(service_action_key), w.zeros(4);
    w.u8(static_cast<std::uint8_t>(flag(spec_i_pt, 3) | flag(all_tg_pt, 2) | flag(aptpl, 0)));
    w.zeros(3);
    if (spec_i_pt) {
        Bytes tids;
        for (const auto& t : transport_ids) {
            Bytes e = t.encode();
            tids.insert(tids.end(), e.begin(), e.end());
        }
        w.be32(static_cast<std::uint32_t>(tids.size()));
        w.raw(tids);
    }
    return w.take();
}

PrRegisterAndMove PrRegisterAndMove::decode(ByteView b) {
    PrRegisterAndMove m;
    bytes::require(b, 0, 24);
    m.key = bytes::be64(b, 0);
    m.service_action_key = bytes::be64(b, 8);
    m.unreg = bytes::bit(b[17], 1);
    m.aptpl = bytes::bit(b[17], 0);
    m.relative_target_port = bytes::be16(b, 18);
    std::size_t len = bytes::be32(b, 20);
    ByteView tid = bytes::clamp(b, 24, len);
    if (tid.size() < len) {
        m.warnings.push_back(fmt::format(
            "TransportID parameter data length {} but {} bytes present", len, tid.size()));
    } else if (24 + len < b.size()) {
        m.warnings.push_back(
            fmt::format("{} bytes after the TransportID ignored", b.size() - 24 - len));
    }
    if (tid.empty()) {
        m.warnings.emplace_back("no TransportID");
        return m;
    }
    auto ids = decode_transport_ids(tid, m.warnings);
    m.transport_id = ids.front();
    if (ids.size() > 1) m.warnings.emplace_back("more than one TransportID; the first is used");
    return m;
}

Bytes PrRegisterAndMove::encode() const {
    bytes::Writer w;
    Bytes tid = transport_id.encode();
    w.be64(key), w.be64(service_action_key), w.u8(0);
    w.u8(static_cast<std::uint8_t>(flag(unreg, 1) | flag(aptpl, 0)));
    w.be16(relative_target_port), w.be32(static_cast<std::uint32_t>(tid.size()));
    w.raw(tid);
    return w.take();
}

// ---- JSON ----------------------------------------------------------------------------------

void to_json(nlohmann::json& j, const TransportId& t) {
    j = {{"protocol_identifier", t.protocol},
         {"protocol_identifier_name", protocol_identifier_name(t.protocol)},
         {"format_code", t.format}};
    if (!t.raw.empty()) {
        j["bytes"] = hex::compact(t.raw);
        return;
    }
    switch (t.protocol) {
        case TransportId::fc:
            j["n_port_name"] = hex64(t.name);
            break;
        case TransportId::sas:
            j["sas_address"] = hex64(t.name);
            break;
        case TransportId::srp:
            j["initiator_port_identifier"] = hex::compact(t.srp_port);
            break;
        case TransportId::sop:
            j["routing_id"] = t.routing_id;
            break;
        case TransportId::iscsi:
            j["iscsi_name"] = t.iscsi_name;
            if (t.format == 1) j["isid"] = t.isid;
            break;
        default:
            j["bytes"] = hex::compact(t.encode());
            break;
    }
}

void to_json(nlohmann::json& j, const PrKeys& k) {
    j = {{"generation", k.generation}, {"keys", k.keys}, {"warnings", k.warnings}};
}

void to_json(nlohmann::json& j, const PrReservation& r) {
    j = {{"generation", r.generation}, {"reservation", nullptr}, {"warnings", r.warnings}};
    if (r.reservation) {
        j["reservation"] = {{"key", r.reservation->key},
                            {"scope", r.reservation->scope},
                            {"scope_name", pr_scope_name(r.reservation->scope)},
                            {"type", r.reservation->type},
                            {"type_name", pr_type_name(r.reservation->type)}};
    }
}

void to_json(nlohmann::json& j, const PrCapabilities& c) {
    auto types = nlohmann::json::array();
    for (auto t : c.supported_types())
        types.push_back({{"type", t}, {"type_name", pr_type_name(t)}});
    j = {{"rlr_c", c.rlr_c},
         {"crh", c.crh},
         {"sip_c", c.sip_c},
         {"atp_c", c.atp_c},
         {"ptpl_c", c.ptpl_c},
         {"tmv", c.tmv},
         {"allow_commands", c.allow_commands},
         {"ptpl_a", c.ptpl_a},
         {"type_mask", c.type_mask},
         {"supported_types", types},
         {"warnings", c.warnings}};
    for (std::uint8_t t : {1, 3, 5, 6, 7, 8})
        j[std::string(pr_type_short_name(t))] = c.type_supported(t);
}

void to_json(nlohmann::json& j, const PrStatusDescriptor& d) {
    j = {{"key", d.key},
         {"all_tg_pt", d.all_tg_pt},
         {"r_holder", d.r_holder},
         {"scope", d.scope},
         {"scope_name", pr_scope_name(d.scope)},
         {"type", d.type},
         {"type_name", pr_type_name(d.type)},
         {"relative_target_port", d.relative_target_port},
         {"transport_id", d.transport_id}};
}

void to_json(nlohmann::json& j, const PrFullStatus& s) {
    j = {{"generation", s.generation}, {"descriptors", s.descriptors}, {"warnings", s.warnings}};
}

void to_json(nlohmann::json& j, const PrOutParameters& p) {
    j = {{"reservation_key", p.key}, {"service_action_reservation_key", p.service_action_key},
         {"spec_i_pt", p.spec_i_pt}, {"all_tg_pt", p.all_tg_pt},
         {"aptpl", p.aptpl},         {"transport_ids", p.transport_ids},
         {"warnings", p.warnings}};
}

void to_json(nlohmann::json& j, const PrRegisterAndMove& m) {
    j = {{"reservation_key", m.key},
         {"service_action_reservation_key", m.service_action_key},
         {"unreg", m.unreg},
         {"aptpl", m.aptpl},
         {"relative_target_port", m.relative_target_port},
         {"transport_id", m.transport_id},
         {"warnings", m.warnings}};
}

}  // namespace camx::scsi
