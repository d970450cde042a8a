// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/sense.hpp"

#include <scsi/sg_lib.h>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/text/text.hpp"

namespace camx::scsi {
namespace {

// Forwarded sense nests sense inside sense; deeper levels stay as hex.
constexpr int kMaxForwardDepth = 4;

std::string from_buffer(const char* b) {
    return text::trim(b);
}

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string hex0x(std::uint64_t v) {
    return fmt::format("0x{:x}", v);
}

// ---- descriptor decoding ----------------------------------------------------------------

struct DescResult {
    SenseDescriptor desc;
    std::string warning;
};

RawDescriptor raw_of(std::uint8_t type, ByteView body) {
    return RawDescriptor{type, Bytes(body.begin(), body.end())};
}

DescResult odd_length(std::uint8_t type, ByteView body, std::size_t want) {
    return {
        raw_of(type, body),
        fmt::format("sense descriptor 0x{:02x} has {} bytes after its header, expected {}; kept "
                    "raw",
                    type, body.size(), want)};
}

UdsReferralDescriptor decode_uds(ByteView body, std::string& warning) {
    // body: byte 0 NOT_ALL_R, byte 1 reserved, then segment descriptors
    UdsReferralDescriptor d;
    d.not_all_referrals = (body[0] & 0x01) != 0;
    std::size_t off = 2;
    while (off < body.size()) {
        ByteView rest = body.subspan(off);
        if (rest.size() < 20) {
            d.trailing.assign(rest.begin(), rest.end());
            warning = "user data segment referral: truncated segment descriptor kept raw";
            break;
        }
        std::size_t ngroups = rest[3];
        std::size_t len = 20 + 4 * ngroups;
        if (rest.size() < len) {
            d.trailing.assign(rest.begin(), rest.end());
            warning = "user data segment referral: truncated segment descriptor kept raw";
            break;
        }
        UdsReferralDescriptor::Segment seg;
        seg.first_lba = bytes::be64(rest, 4);
        seg.last_lba = bytes::be64(rest, 12);
        for (std::size_t g = 0; g < ngroups; ++g) {
            std::size_t p = 20 + 4 * g;
            seg.groups.push_back(
                {static_cast<std::uint8_t>(rest[p] & 0x0f), bytes::be16(rest, p + 2)});
        }
        d.segments.push_back(std::move(seg));
        off += len;
    }
    return d;
}

DescResult decode_descriptor(std::uint8_t type, ByteView body) {
    SenseKeySpecific sks;
    switch (type) {
        case 0x00:
            if (body.size() != 10) return odd_length(type, body, 10);
            return {InformationDescriptor{(body[0] & 0x80) != 0, bytes::be64(body, 2)}, {}};
        case 0x01:
            if (body.size() != 10) return odd_length(type, body, 10);
            return {CommandSpecificDescriptor{bytes::be64(body, 2)}, {}};
        case 0x02:
            if (body.size() != 6) return odd_length(type, body, 6);
            sks.bytes = {body[2], body[3], body[4]};
            return {SksDescriptor{sks}, {}};
        case 0x03:
            if (body.size() != 2) return odd_length(type, body, 2);
            return {FruDescriptor{body[1]}, {}};
        case 0x04:
            if (body.size() != 2) return odd_length(type, body, 2);
            return {StreamCommandsDescriptor{(body[1] & 0x80) != 0, (body[1] & 0x40) != 0,
                                             (body[1] & 0x20) != 0},
                    {}};
        case 0x05:
            if (body.size() != 2) return odd_length(type, body, 2);
            return {BlockCommandsDescriptor{(body[1] & 0x20) != 0}, {}};
        case 0x09: {
            if (body.size() != 12) return odd_length(type, body, 12);
            AtaStatusReturnDescriptor a;
            a.extend = (body[0] & 0x01) != 0;
            a.error = body[1];
            a.count = bytes::be16(body, 2);
            // LBA bytes interleave high and low halves: 47:40 at 8, 39:32 at 6, 31:24 at 4,
            // 23:16 at 9, 15:8 at 7, 7:0 at 5 (offsets in the body).
            a.lba = (std::uint64_t{body[8]} << 40) | (std::uint64_t{body[6]} << 32) |
                    (std::uint64_t{body[4]} << 24) | (std::uint64_t{body[9]} << 16) |
                    (std::uint64_t{body[7]} << 8) | body[5];
            a.device = body[10];
            a.status = body[11];
            return {a, {}};
        }
        case 0x0a:
            if (body.size() != 6) return odd_length(type, body, 6);
            return {ProgressDescriptor{body[0], body[1], body[2], bytes::be16(body, 4)}, {}};
        case 0x0b: {
            if (body.size() < 2) return odd_length(type, body, 2);
            std::string w;
            auto d = decode_uds(body, w);
            return {std::move(d), w};
        }
        case 0x0c: {
            if (body.size() < 2) return odd_length(type, body, 2);
            ForwardedSenseDescriptor f;
            f.fsdt = (body[0] & 0x80) != 0;
            f.source = body[0] & 0x0f;
            f.status = body[1];
            f.sense.assign(body.begin() + 2, body.end());
            return {std::move(f), {}};
        }
        case 0x0d: {
            if (body.size() != 28) return odd_length(type, body, 28);
            DirectAccessDescriptor d;
            d.valid = (body[0] & 0x80) != 0;
            d.ili = (body[0] & 0x20) != 0;
            d.sks.bytes = {body[2], body[3], body[4]};
            d.fru = body[5];
            d.information = bytes::be64(body, 6);
            d.command_specific = bytes::be64(body, 14);
            return {d, {}};
        }
        default:
            return {raw_of(type, body), {}};
    }
}

void encode_descriptor(bytes::Writer& w, const SenseDescriptor& d) {
    std::visit(
        Overloaded{
            [&](const InformationDescriptor& x) {
                w.u8(0x00), w.u8(10), w.u8(x.valid ? 0x80 : 0), w.u8(0), w.be64(x.information);
            },
            [&](const CommandSpecificDescriptor& x) {
                w.u8(0x01), w.u8(10), w.zeros(2), w.be64(x.information);
            },
            [&](const SksDescriptor& x) {
                w.u8(0x02), w.u8(6), w.zeros(2), w.raw(x.sks.bytes), w.u8(0);
            },
            [&](const FruDescriptor& x) { w.u8(0x03), w.u8(2), w.u8(0), w.u8(x.code); },
            [&](const StreamCommandsDescriptor& x) {
                w.u8(0x04), w.u8(2), w.u8(0);
                w.u8(static_cast<std::uint8_t>((x.filemark ? 0x80 : 0) | (x.eom ? 0x40 : 0) |
                                               (x.ili ? 0x20 : 0)));
            },
            [&](const BlockCommandsDescriptor& x) {
                w.u8(0x05), w.u8(2), w.u8(0), w.u8(x.ili ? 0x20 : 0);
            },
            [&](const AtaStatusReturnDescriptor& x) {
                auto lb = [&](int shift) { return static_cast<std::uint8_t>(x.lba >> shift); };
                w.u8(0x09), w.u8(12), w.u8(x.extend ? 1 : 0), w.u8(x.error), w.be16(x.count);
                w.u8(lb(24)), w.u8(lb(0)), w.u8(lb(32)), w.u8(lb(8)), w.u8(lb(40)), w.u8(lb(16));
                w.u8(x.device), w.u8(x.status);
            },
            [&](const ProgressDescriptor& x) {
                w.u8(0x0a), w.u8(6), w.u8(x.key), w.u8(x.asc), w.u8(x.ascq), w.u8(0);
                w.be16(x.progress);
            },
            [&](const UdsReferralDescriptor& x) {
                std::size_t len = 2 + x.trailing.size();
                for (const auto& s : x.segments) len += 20 + 4 * s.groups.size();
                w.u8(0x0b), w.u8(static_cast<std::uint8_t>(len)), w.u8(x.not_all_referrals ? 1 : 0);
                w.u8(0);
                for (const auto& s : x.segments) {
                    w.zeros(3), w.u8(static_cast<std::uint8_t>(s.groups.size()));
                    w.be64(s.first_lba), w.be64(s.last_lba);
                    for (const auto& g : s.groups) w.u8(g.state & 0x0f), w.u8(0), w.be16(g.group);
                }
                w.raw(x.trailing);
            },
            [&](const ForwardedSenseDescriptor& x) {
                w.u8(0x0c), w.u8(static_cast<std::uint8_t>(2 + x.sense.size()));
                w.u8(static_cast<std::uint8_t>((x.fsdt ? 0x80 : 0) | (x.source & 0x0f)));
                w.u8(x.status), w.raw(x.sense);
            },
            [&](const DirectAccessDescriptor& x) {
                w.u8(0x0d), w.u8(28);
                w.u8(static_cast<std::uint8_t>((x.valid ? 0x80 : 0) | (x.ili ? 0x20 : 0)));
                w.u8(0), w.raw(x.sks.bytes), w.u8(x.fru), w.be64(x.information);
                w.be64(x.command_specific), w.zeros(6);
            },
            [&](const RawDescriptor& x) {
                w.u8(x.type), w.u8(static_cast<std::uint8_t>(x.data.size())), w.raw(x.data);
            },
        },
        d);
}

// ---- decoding --------------------------------------------------------------------------

void decode_fixed(Sense& s, ByteView b) {
    // b holds bytes 0 .. 7+additional length, clamped to what was received
    s.valid = (b[0] & 0x80) != 0;
    s.filemark = (b[2] & 0x80) != 0;
    s.eom = (b[2] & 0x40) != 0;
    s.ili = (b[2] & 0x20) != 0;
    s.sdat_ovfl = (b[2] & 0x10) != 0;
    s.key = b[2] & 0x0f;
    if (b.size() >= 7) s.information = bytes::be32(b, 3);
    if (b.size() >= 12) s.command_specific = bytes::be32(b, 8);
    if (b.size() >= 13) s.asc = b[12];
    if (b.size() >= 14) s.ascq = b[13];
    if (b.size() >= 15) s.fru = b[14];
    if (b.size() >= 18) s.sks.bytes = {b[15], b[16], b[17]};
    if (b.size() > 18) s.additional.assign(b.begin() + 18, b.end());
    if (b.size() < 18) {
        s.warnings.push_back(
            fmt::format("fixed sense has {} bytes, fewer than the 18 of its "
                        "fields; missing ones read as zero",
                        b.size()));
    }
}

void decode_descriptors(Sense& s, ByteView b) {
    s.key = b[1] & 0x0f;
    if (b.size() >= 3) s.asc = b[2];
    if (b.size() >= 4) s.ascq = b[3];
    if (b.size() >= 5) s.sdat_ovfl = (b[4] & 0x80) != 0;
    if (b.size() < 8) {
        s.warnings.push_back(
            fmt::format("descriptor sense has {} bytes, fewer than its 8 byte "
                        "header",
                        b.size()));
        return;
    }
    std::size_t off = 8;
    while (off < b.size()) {
        ByteView rest = b.subspan(off);
        if (rest.size() < 2) {
            s.descriptors.push_back(RawDescriptor{rest[0], {}});
            s.warnings.push_back(
                fmt::format("sense descriptor 0x{:02x} at byte {} truncated "
                            "before its length",
                            rest[0], off));
            break;
        }
        std::size_t len = 2 + std::size_t{rest[1]};
        if (rest.size() < len) {
            s.descriptors.push_back(raw_of(rest[0], rest.subspan(2)));
            s.warnings.push_back(
                fmt::format("sense descriptor 0x{:02x} at byte {} declares {} "
                            "bytes, {} present; kept raw",
                            rest[0], off, len, rest.size()));
            break;
        }
        auto r = decode_descriptor(rest[0], rest.subspan(2, len - 2));
        s.descriptors.push_back(std::move(r.desc));
        if (!r.warning.empty()) s.warnings.push_back(std::move(r.warning));
        off += len;
    }
}

template <class T>
const T* find_desc(const std::vector<SenseDescriptor>& v) {
    for (const auto& d : v) {
        if (const T* p = std::get_if<T>(&d)) return p;
    }
    return nullptr;
}

// ---- rendering -------------------------------------------------------------------------

std::string progress_text(std::uint16_t v) {
    return fmt::format("{:.2f}%", v * 100.0 / 65536.0);
}

std::string_view forwarded_source_name(std::uint8_t src) {
    static constexpr std::string_view names[] = {
        "EXTENDED COPY source device",        "EXTENDED COPY destination device 0",
        "EXTENDED COPY destination device 1", "EXTENDED COPY destination device 2",
        "EXTENDED COPY destination device 3", "EXTENDED COPY destination device 4",
        "EXTENDED COPY destination device 5", "EXTENDED COPY destination device 6"};
    return src < 8 ? names[src] : "reserved";
}

nlohmann::json sense_json(const Sense& s, int depth);

nlohmann::json descriptor_json(const SenseDescriptor& d, std::uint8_t key, int depth) {
    std::uint8_t type = descriptor_type(d);
    nlohmann::json j{{"descriptor_type", type},
                     {"descriptor_type_name", descriptor_type_name(type)}};
    std::visit(Overloaded{
                   [&](const InformationDescriptor& x) {
                       j["valid"] = x.valid;
                       j["information"] = x.information;
                   },
                   [&](const CommandSpecificDescriptor& x) {
                       j["command_specific_information"] = x.information;
                   },
                   [&](const SksDescriptor& x) { j["sense_key_specific"] = sks_json(x.sks, key); },
                   [&](const FruDescriptor& x) { j["fru_code"] = x.code; },
                   [&](const StreamCommandsDescriptor& x) {
                       j["filemark"] = x.filemark;
                       j["eom"] = x.eom;
                       j["ili"] = x.ili;
                   },
                   [&](const BlockCommandsDescriptor& x) { j["ili"] = x.ili; },
                   [&](const AtaStatusReturnDescriptor& x) {
                       j["extend"] = x.extend;
                       j["error"] = x.error;
                       j["count"] = x.count;
                       j["lba"] = x.lba;
                       j["device"] = x.device;
                       j["status"] = x.status;
                   },
                   [&](const ProgressDescriptor& x) {
                       j["sense_key"] = x.key;
                       j["sense_key_name"] = sense_key_name(x.key);
                       j["asc"] = x.asc;
                       j["ascq"] = x.ascq;
                       j["asc_ascq_name"] = asc_ascq_name(x.asc, x.ascq);
                       j["progress"] = x.progress;
                       j["progress_percent"] = x.progress * 100.0 / 65536.0;
                   },
                   [&](const UdsReferralDescriptor& x) {
                       j["not_all_referrals"] = x.not_all_referrals;
                       auto segs = nlohmann::json::array();
                       for (const auto& s : x.segments) {
                           auto groups = nlohmann::json::array();
                           for (const auto& g : s.groups) {
                               groups.push_back({{"target_port_group", g.group},
                                                 {"asymmetric_access_state", g.state}});
                           }
                           segs.push_back({{"first_lba", s.first_lba},
                                           {"last_lba", s.last_lba},
                                           {"target_port_groups", groups}});
                       }
                       j["segments"] = segs;
                       if (!x.trailing.empty()) j["trailing_bytes"] = hex::compact(x.trailing);
                   },
                   [&](const ForwardedSenseDescriptor& x) {
                       j["fsdt"] = x.fsdt;
                       j["sense_data_source"] = x.source;
                       j["sense_data_source_name"] = forwarded_source_name(x.source);
                       j["forwarded_status"] = x.status;
                       j["forwarded_status_name"] = scsi_status_name(x.status);
                       j["sense_bytes"] = hex::compact(x.sense);
                       j["sense"] = nullptr;
                       if (depth < kMaxForwardDepth && !x.sense.empty()) {
                           try {
                               j["sense"] = sense_json(Sense::decode(x.sense), depth + 1);
                           } catch (const Error&) {
                               // undecodable forwarded sense stays as sense_bytes only
                           }
                       }
                   },
                   [&](const DirectAccessDescriptor& x) {
                       j["valid"] = x.valid;
                       j["ili"] = x.ili;
                       j["sense_key_specific"] = sks_json(x.sks, key);
                       j["fru_code"] = x.fru;
                       j["information"] = x.information;
                       j["command_specific_information"] = x.command_specific;
                   },
                   [&](const RawDescriptor& x) { j["bytes"] = hex::compact(x.data); },
               },
               d);
    return j;
}

nlohmann::json sense_json(const Sense& s, int depth) {
    nlohmann::json j;
    j["response_code"] = s.response_code();
    j["format"] = s.descriptor_format ? "descriptor" : "fixed";
    j["deferred"] = s.deferred;
    j["sense_key"] = s.key;
    j["sense_key_name"] = sense_key_name(s.key);
    j["asc"] = s.asc;
    j["ascq"] = s.ascq;
    j["asc_ascq_name"] = asc_ascq_name(s.asc, s.ascq);
    j["sdat_ovfl"] = s.sdat_ovfl;
    auto info = s.information_field();
    j["valid"] = info.has_value();
    j["information"] = s.descriptor_format ? info.value_or(0) : s.information;
    j["command_specific_information"] = s.command_specific_field().value_or(0);
    j["filemark"] = s.filemark_flag();
    j["eom"] = s.eom_flag();
    j["ili"] = s.ili_flag();
    j["fru_code"] = s.fru_code();
    auto sks = s.key_specific();
    j["sense_key_specific"] = sks ? sks_json(*sks, s.key) : nlohmann::json(nullptr);
    j["additional_bytes"] = hex::compact(s.additional);
    auto descs = nlohmann::json::array();
    for (const auto& d : s.descriptors) descs.push_back(descriptor_json(d, s.key, depth));
    j["descriptors"] = descs;
    j["trailing_bytes"] = hex::compact(s.trailing);
    j["summary"] = s.summary();
    j["warnings"] = s.warnings;
    return j;
}

}  // namespace

// ---- names ---------------------------------------------------------------------------------

std::string sense_key_name(std::uint8_t key) {
    char b[80] = {};
    sg_get_sense_key_str(key, sizeof b, b);
    return from_buffer(b);
}

std::string asc_ascq_name(std::uint8_t asc, std::uint8_t ascq) {
    char b[160] = {};
    sg_get_asc_ascq_str(asc, ascq, sizeof b, b);
    std::string s = from_buffer(b);
    constexpr std::string_view lead = "Additional sense: ";
    if (s.starts_with(lead)) s.erase(0, lead.size());
    return s;
}

std::string scsi_status_name(std::uint8_t status) {
    char b[80] = {};
    sg_get_scsi_status_str(status, sizeof b, b);
    return from_buffer(b);
}

SksKind sks_kind(std::uint8_t sense_key) {
    switch (sense_key & 0x0f) {
        case 0x5:
            return SksKind::field_pointer;
        case 0x1:
        case 0x3:
        case 0x4:
            return SksKind::retry_count;
        case 0x0:
        case 0x2:
            return SksKind::progress;
        case 0xa:
            return SksKind::segment_pointer;
        case 0x6:
            return SksKind::unit_attention_queue;
        default:
            return SksKind::unknown;
    }
}

std::string_view sks_kind_name(SksKind k) {
    switch (k) {
        case SksKind::field_pointer:
            return "field_pointer";
        case SksKind::retry_count:
            return "retry_count";
        case SksKind::progress:
            return "progress";
        case SksKind::segment_pointer:
            return "segment_pointer";
        case SksKind::unit_attention_queue:
            return "unit_attention_queue";
        case SksKind::unknown:
            break;
    }
    return "unknown";
}

SenseKeySpecific SenseKeySpecific::field_pointer(bool in_cdb, std::uint16_t byte,
                                                 std::optional<std::uint8_t> bit) {
    SenseKeySpecific s;
    s.bytes[0] =
        static_cast<std::uint8_t>(0x80 | (in_cdb ? 0x40 : 0) | (bit ? 0x08 | (*bit & 0x07) : 0));
    s.bytes[1] = static_cast<std::uint8_t>(byte >> 8);
    s.bytes[2] = static_cast<std::uint8_t>(byte);
    return s;
}

SenseKeySpecific SenseKeySpecific::segment_pointer(bool in_segment_descriptor, std::uint16_t byte,
                                                   std::optional<std::uint8_t> bit) {
    SenseKeySpecific s;
    s.bytes[0] = static_cast<std::uint8_t>(0x80 | (in_segment_descriptor ? 0x20 : 0) |
                                           (bit ? 0x08 | (*bit & 0x07) : 0));
    s.bytes[1] = static_cast<std::uint8_t>(byte >> 8);
    s.bytes[2] = static_cast<std::uint8_t>(byte);
    return s;
}

SenseKeySpecific SenseKeySpecific::progress(std::uint16_t fraction_of_65536) {
    return {{0x80, static_cast<std::uint8_t>(fraction_of_65536 >> 8),
             static_cast<std::uint8_t>(fraction_of_65536)}};
}

SenseKeySpecific SenseKeySpecific::retry_count(std::uint16_t count) {
    return {{0x80, static_cast<std::uint8_t>(count >> 8), static_cast<std::uint8_t>(count)}};
}

SenseKeySpecific SenseKeySpecific::queue_overflow(bool overflow) {
    return {{static_cast<std::uint8_t>(0x80 | (overflow ? 1 : 0)), 0, 0}};
}

std::string to_text(const SenseKeySpecific& sks, std::uint8_t sense_key) {
    auto bit = [&] {
        return sks.bpv() ? fmt::format(" bit {}", sks.bit_pointer()) : std::string();
    };
    switch (sks_kind(sense_key)) {
        case SksKind::field_pointer:
            return fmt::format("field pointer: {} byte {}{}",
                               sks.command_data() ? "CDB" : "parameter data", sks.value(), bit());
        case SksKind::segment_pointer:
            return fmt::format("segment pointer: {} byte {}{}",
                               sks.segment_descriptor() ? "segment descriptor" : "parameter list",
                               sks.value(), bit());
        case SksKind::progress:
            return "progress: " + progress_text(sks.value());
        case SksKind::retry_count:
            return fmt::format("actual retry count: {}", sks.value());
        case SksKind::unit_attention_queue:
            return sks.overflow() ? "unit attention queue overflow" : "unit attention queue";
        case SksKind::unknown:
            break;
    }
    return "sense key specific: " + hex::compact(sks.bytes);
}

nlohmann::json sks_json(const SenseKeySpecific& sks, std::uint8_t sense_key) {
    SksKind kind = sks_kind(sense_key);
    nlohmann::json j{
        {"sksv", sks.sksv()}, {"kind", sks_kind_name(kind)}, {"bytes", hex::compact(sks.bytes)}};
    switch (kind) {
        case SksKind::field_pointer:
            j["command_data"] = sks.command_data();
            j["bpv"] = sks.bpv();
            j["bit_pointer"] = sks.bit_pointer();
            j["field_pointer"] = sks.value();
            break;
        case SksKind::segment_pointer:
            j["segment_descriptor"] = sks.segment_descriptor();
            j["bpv"] = sks.bpv();
            j["bit_pointer"] = sks.bit_pointer();
            j["field_pointer"] = sks.value();
            break;
        case SksKind::progress:
            j["progress"] = sks.value();
            j["progress_percent"] = sks.progress_percent();
            break;
        case SksKind::retry_count:
            j["actual_retry_count"] = sks.value();
            break;
        case SksKind::unit_attention_queue:
            j["overflow"] = sks.overflow();
            break;
        case SksKind::unknown:
            break;
    }
    return j;
}

std::uint8_t descriptor_type(const SenseDescriptor& d) {
    return std::visit(Overloaded{
                          [](const InformationDescriptor&) -> std::uint8_t { return 0x00; },
                          [](const CommandSpecificDescriptor&) -> std::uint8_t { return 0x01; },
                          [](const SksDescriptor&) -> std::uint8_t { return 0x02; },
                          [](const FruDescriptor&) -> std::uint8_t { return 0x03; },
                          [](const StreamCommandsDescriptor&) -> std::uint8_t { return 0x04; },
                          [](const BlockCommandsDescriptor&) -> std::uint8_t { return 0x05; },
                          [](const AtaStatusReturnDescriptor&) -> std::uint8_t { return 0x09; },
                          [](const ProgressDescriptor&) -> std::uint8_t { return 0x0a; },
                          [](const UdsReferralDescriptor&) -> std::uint8_t { return 0x0b; },
                          [](const ForwardedSenseDescriptor&) -> std::uint8_t { return 0x0c; },
                          [](const DirectAccessDescriptor&) -> std::uint8_t { return 0x0d; },
                          [](const RawDescriptor& r) -> std::uint8_t { return r.type; },
                      },
                      d);
}

std::string_view descriptor_type_name(std::uint8_t type) {
    switch (type) {
        case 0x00:
            return "Information";
        case 0x01:
            return "Command specific information";
        case 0x02:
            return "Sense key specific";
        case 0x03:
            return "Field replaceable unit";
        case 0x04:
            return "Stream commands";
        case 0x05:
            return "Block commands";
        case 0x06:
            return "OSD object identification";
        case 0x07:
            return "OSD response integrity check value";
        case 0x08:
            return "OSD attribute identification";
        case 0x09:
            return "ATA status return";
        case 0x0a:
            return "Another progress indication";
        case 0x0b:
            return "User data segment referral";
        case 0x0c:
            return "Forwarded sense data";
        case 0x0d:
            return "Direct-access block device";
        case 0x0e:
            return "Device designation";
        case 0x0f:
            return "Microcode activation";
        default:
            return type >= 0x80 ? "Vendor specific" : "Reserved";
    }
}

// ---- Sense ---------------------------------------------------------------------------------

std::optional<std::uint64_t> Sense::information_field() const {
    if (!descriptor_format) return valid ? std::optional<std::uint64_t>(information) : std::nullopt;
    if (auto* d = find_desc<InformationDescriptor>(descriptors); d && d->valid)
        return d->information;
    if (auto* d = find_desc<DirectAccessDescriptor>(descriptors); d && d->valid)
        return d->information;
    return std::nullopt;
}

std::optional<std::uint64_t> Sense::command_specific_field() const {
    if (!descriptor_format) return command_specific;
    if (auto* d = find_desc<CommandSpecificDescriptor>(descriptors)) return d->information;
    if (auto* d = find_desc<DirectAccessDescriptor>(descriptors)) return d->command_specific;
    return std::nullopt;
}

std::optional<SenseKeySpecific> Sense::key_specific() const {
    if (!descriptor_format) return sks.sksv() ? std::optional(sks) : std::nullopt;
    if (auto* d = find_desc<SksDescriptor>(descriptors); d && d->sks.sksv()) return d->sks;
    if (auto* d = find_desc<DirectAccessDescriptor>(descriptors); d && d->sks.sksv()) return d->sks;
    return std::nullopt;
}

std::uint8_t Sense::fru_code() const {
    if (!descriptor_format) return fru;
    if (auto* d = find_desc<FruDescriptor>(descriptors)) return d->code;
    if (auto* d = find_desc<DirectAccessDescriptor>(descriptors)) return d->fru;
    return 0;
}

bool Sense::filemark_flag() const {
    if (!descriptor_format) return filemark;
    auto* d = find_desc<StreamCommandsDescriptor>(descriptors);
    return d && d->filemark;
}

bool Sense::eom_flag() const {
    if (!descriptor_format) return eom;
    auto* d = find_desc<StreamCommandsDescriptor>(descriptors);
    return d && d->eom;
}

bool Sense::ili_flag() const {
    if (!descriptor_format) return ili;
    if (auto* d = find_desc<StreamCommandsDescriptor>(descriptors); d && d->ili) return true;
    if (auto* d = find_desc<BlockCommandsDescriptor>(descriptors); d && d->ili) return true;
    auto* d = find_desc<DirectAccessDescriptor>(descriptors);
    return d && d->ili;
}

std::string Sense::summary() const {
    std::string out = fmt::format("{}: {}", sense_key_name(key), asc_ascq_name(asc, ascq));
    std::vector<std::string> extra;
    if (auto s = key_specific()) extra.push_back(to_text(*s, key));
    if (auto i = information_field()) extra.push_back("information: " + hex0x(*i));
    if (auto* p = descriptor_format ? find_desc<ProgressDescriptor>(descriptors) : nullptr) {
        extra.push_back("progress: " + progress_text(p->progress));
    }
    if (filemark_flag()) extra.emplace_back("filemark");
    if (eom_flag()) extra.emplace_back("end of medium");
    if (ili_flag()) extra.emplace_back("incorrect length");
    if (fru_code() != 0) extra.push_back(fmt::format("FRU code: 0x{:x}", fru_code()));
    if (!extra.empty()) out += fmt::format(" ({})", fmt::join(extra, ", "));
    if (deferred) out += " [deferred]";
    return out;
}

Sense Sense::build(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq, bool descriptor,
                   std::optional<std::uint64_t> info, std::optional<SenseKeySpecific> key_spec) {
    Sense s;
    s.descriptor_format = descriptor;
    s.key = key & 0x0f;
    s.asc = asc;
    s.ascq = ascq;
    if (descriptor) {
        if (info) s.descriptors.emplace_back(InformationDescriptor{true, *info});
        if (key_spec) s.descriptors.emplace_back(SksDescriptor{*key_spec});
        return s;
    }
    if (info) {
        s.valid = *info <= 0xffffffffu;
        s.information = s.valid ? static_cast<std::uint32_t>(*info) : 0;
    }
    if (key_spec) s.sks = *key_spec;
    return s;
}

Sense Sense::decode(ByteView b) {
    if (b.empty()) throw Error(Category::malformed, "sense data is empty");
    Sense s;
    std::uint8_t rc = b[0] & 0x7f;
    switch (rc) {
        case 0x70:
        case 0x71:
            s.descriptor_format = false;
            break;
        case 0x72:
        case 0x73:
            s.descriptor_format = true;
            break;
        default:
            throw Error(Category::malformed,
                        fmt::format("unsupported sense response code 0x{:02x}", rc));
    }
    s.deferred = (rc & 1) != 0;
    std::size_t min = s.descriptor_format ? 2 : 3;
    if (b.size() < min) {
        throw Error(Category::malformed,
                    fmt::format("sense data too short: {} bytes, need {}", b.size(), min));
    }
    std::size_t declared = b.size() >= 8 ? 8 + std::size_t{b[7]} : b.size();
    if (declared > b.size()) {
        s.warnings.push_back(fmt::format("additional sense length declares {} bytes, {} present",
                                         declared, b.size()));
        declared = b.size();
    }
    ByteView body = b.first(declared);
    if (declared < b.size()) {
        s.trailing.assign(b.begin() + static_cast<std::ptrdiff_t>(declared), b.end());
        s.warnings.push_back(
            fmt::format("{} bytes after the declared sense length kept", s.trailing.size()));
    }
    if (s.descriptor_format) {
        if (b[0] & 0x80)
            s.warnings.emplace_back("reserved bit 7 of byte 0 set in descriptor sense");
        decode_descriptors(s, body);
    } else {
        decode_fixed(s, body);
    }
    return s;
}

Bytes Sense::encode() const {
    bytes::Writer w;
    if (!descriptor_format) {
        w.u8(static_cast<std::uint8_t>((valid ? 0x80 : 0) | response_code()));
        w.u8(0);
        w.u8(static_cast<std::uint8_t>((filemark ? 0x80 : 0) | (eom ? 0x40 : 0) | (ili ? 0x20 : 0) |
                                       (sdat_ovfl ? 0x10 : 0) | (key & 0x0f)));
        w.be32(information);
        if (additional.size() > 0xff - 10) {
            throw Error(Category::usage, "fixed sense additional bytes exceed 245");
        }
        w.u8(static_cast<std::uint8_t>(10 + additional.size()));
        w.be32(command_specific);
        w.u8(asc), w.u8(ascq), w.u8(fru);
        w.raw(sks.bytes);
        w.raw(additional);
    } else {
        w.u8(response_code());
        w.u8(key & 0x0f), w.u8(asc), w.u8(ascq);
        w.u8(sdat_ovfl ? 0x80 : 0), w.zeros(2);
        w.u8(0);
        for (const auto& d : descriptors) encode_descriptor(w, d);
        std::size_t len = w.size() - 8;
        if (len > 0xff) throw Error(Category::usage, "sense descriptors exceed 255 bytes");
        w.view()[7] = static_cast<std::uint8_t>(len);
    }
    Bytes out = w.take();
    if (out.size() > 0xff + 8) throw Error(Category::usage, "sense data exceeds 263 bytes");
    out.insert(out.end(), trailing.begin(), trailing.end());
    return out;
}

void to_json(nlohmann::json& j, const Sense& s) {
    j = sense_json(s, 0);
}

}  // namespace camx::scsi
