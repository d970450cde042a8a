// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/report_luns.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"

namespace camx::scsi {
namespace {

constexpr std::size_t kHeaderLen = 8;
constexpr std::size_t kLunLen = 8;

bool zero_from(const std::array<std::uint8_t, 8>& b, std::size_t off) {
    return std::all_of(b.begin() + static_cast<std::ptrdiff_t>(off), b.end(),
                       [](auto c) { return c == 0; });
}

LunLevel extended_level(ByteView rest) {
    LunLevel l;
    const unsigned length_code = (rest[0] >> 4) & 3u;
    l.extended_address_method = rest[0] & 0x0f;
    l.length_bytes = static_cast<std::uint8_t>(2 * (length_code + 1));
    l.addressing = LunAddressing::extended_reserved;
    if (l.length_bytes > rest.size()) {
        l.length_bytes = static_cast<std::uint8_t>(rest.size());
        l.lun = bytes::be(rest, 1, rest.size() - 1);
        return l;
    }
    l.lun = bytes::be(rest, 1, l.length_bytes - 1u);
    if (length_code == 0 && l.extended_address_method == 1) {
        l.addressing = LunAddressing::well_known;
    } else if (length_code == 1 && l.extended_address_method == 2) {
        l.addressing = LunAddressing::extended_flat;
    } else if (length_code == 2 && l.extended_address_method == 2) {
        l.addressing = LunAddressing::long_extended_flat;
    } else if (length_code == 3 && l.extended_address_method == 0xf) {
        l.addressing = LunAddressing::not_specified;
    }
    return l;
}

}  // namespace

std::string lun_addressing_name(LunAddressing a) {
    switch (a) {
        case LunAddressing::peripheral:
            return "peripheral";
        case LunAddressing::flat:
            return "flat";
        case LunAddressing::logical_unit:
            return "logical_unit";
        case LunAddressing::well_known:
            return "well_known";
        case LunAddressing::extended_flat:
            return "extended_flat";
        case LunAddressing::long_extended_flat:
            return "long_extended_flat";
        case LunAddressing::not_specified:
            return "not_specified";
        case LunAddressing::extended_reserved:
            return "extended_reserved";
    }
    return "unknown";
}

std::string well_known_lun_name(std::uint8_t wlun) {
    switch (wlun) {
        case 0x01:
            return "REPORT LUNS";
        case 0x02:
            return "ACCESS CONTROLS";
        case 0x03:
            return "TARGET LOG PAGES";
        case 0x04:
            return "SECURITY PROTOCOL";
        case 0x05:
            return "MANAGEMENT PROTOCOL";
        case 0x06:
            return "TARGET COMMANDS";
        default:
            return {};
    }
}

Lun Lun::from_bytes(ByteView eight) {
    if (eight.size() != kLunLen) {
        throw Error(Category::malformed, fmt::format("a LUN has 8 bytes, not {}", eight.size()));
    }
    Lun l;
    std::copy(eight.begin(), eight.end(), l.bytes.begin());
    return l;
}

Lun Lun::from_int(std::uint64_t v) {
    Lun l;
    for (std::size_t i = 0; i < kLunLen; i += 2) {
        l.bytes[i] = static_cast<std::uint8_t>((v >> 8) & 0xff);
        l.bytes[i + 1] = static_cast<std::uint8_t>(v & 0xff);
        v >>= 16;
    }
    return l;
}

std::uint64_t Lun::to_int() const {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < kLunLen; i += 2) {
        v |= static_cast<std::uint64_t>((bytes[i] << 8) | bytes[i + 1]) << (i * 8);
    }
    return v;
}

std::vector<LunLevel> Lun::levels() const {
    std::vector<LunLevel> out;
    const ByteView all(bytes);
    std::size_t off = 0;
    while (off < kLunLen && (out.empty() || !zero_from(bytes, off))) {
        const auto rest = all.subspan(off);
        LunLevel l;
        switch (rest[0] >> 6) {
            case 0:
                l.addressing = LunAddressing::peripheral;
                l.bus_identifier = rest[0] & 0x3f;
                if (l.bus_identifier == 0) {
                    l.lun = rest[1];
                } else {
                    l.target = rest[1];
                }
                break;
            case 1:
                l.addressing = LunAddressing::flat;
                l.lun = static_cast<std::uint64_t>(((rest[0] & 0x3fu) << 8) | rest[1]);
                break;
            case 2:
                l.addressing = LunAddressing::logical_unit;
                l.target = rest[0] & 0x3f;
                l.bus_identifier = static_cast<std::uint8_t>(rest[1] >> 5);
                l.lun = rest[1] & 0x1f;
                break;
            default:
                l = extended_level(rest);
                break;
        }
        out.push_back(l);
        off += l.length_bytes;
    }
    return out;
}

ReportLunsData ReportLunsData::decode(ByteView data, bool lu_cong) {
    if (data.size() < kHeaderLen) {
        throw Error(Category::malformed,
                    fmt::format("REPORT LUNS data has {} bytes, the header needs 8", data.size()));
    }
    ReportLunsData d;
    d.lu_cong = lu_cong;
    d.lun_list_length = bytes::be32(data, 0);
    if (bytes::be32(data, 4) != 0) d.warnings.push_back("reserved bytes 4..7 are not zero");
    if (d.lun_list_length % kLunLen != 0) {
        d.warnings.push_back(
            fmt::format("LUN LIST LENGTH {} is not a multiple of 8", d.lun_list_length));
    }
    const auto list = bytes::clamp(data, kHeaderLen, d.lun_list_length);
    if (list.size() < d.lun_list_length) {
        d.warnings.push_back(fmt::format("LUN list truncated: {} of {} bytes present", list.size(),
                                         d.lun_list_length));
    }
    std::size_t off = 0;
    for (; off + kLunLen <= list.size(); off += kLunLen) {
        d.luns.push_back(Lun::from_bytes(list.subspan(off, kLunLen)));
    }
    if (off < list.size()) {
        d.partial.assign(list.begin() + static_cast<std::ptrdiff_t>(off), list.end());
        d.warnings.push_back(fmt::format("{} bytes of an incomplete LUN entry", d.partial.size()));
    }
    const std::size_t end = kHeaderLen + list.size();
    if (data.size() > end) {
        d.trailing.assign(data.begin() + static_cast<std::ptrdiff_t>(end), data.end());
        d.warnings.push_back(
            fmt::format("{} bytes after the declared LUN list ignored", d.trailing.size()));
    }
    return d;
}

Bytes ReportLunsData::encode() const {
    bytes::Writer w;
    w.be32(static_cast<std::uint32_t>(luns.size() * kLunLen));
    w.zeros(4);
    for (const auto& l : luns) w.raw(l.bytes);
    return w.take();
}

void to_json(nlohmann::json& j, const LunLevel& l) {
    j = nlohmann::json{{"addressing", lun_addressing_name(l.addressing)}};
    switch (l.addressing) {
        case LunAddressing::peripheral:
            j["bus_identifier"] = l.bus_identifier;
            if (l.bus_identifier == 0) {
                j["lun"] = l.lun;
            } else {
                j["target"] = l.target;
            }
            break;
        case LunAddressing::logical_unit:
            j["bus_identifier"] = l.bus_identifier;
            j["target"] = l.target;
            j["lun"] = l.lun;
            break;
        case LunAddressing::well_known:
            j["well_known_lun"] = l.lun;
            j["well_known_lun_name"] = well_known_lun_name(static_cast<std::uint8_t>(l.lun));
            break;
        case LunAddressing::not_specified:
            break;
        case LunAddressing::extended_reserved:
            j["extended_address_method"] = l.extended_address_method;
            j["length_bytes"] = l.length_bytes;
            j["value"] = l.lun;
            break;
        default:
            j["lun"] = l.lun;
            break;
    }
}

void to_json(nlohmann::json& j, const Lun& lun) {
    static constexpr const char* kMethods[] = {"peripheral", "flat", "logical_unit", "extended"};
    j = nlohmann::json{{"lun", lun.to_int()},
                       {"address_method", lun.address_method()},
                       {"address_method_name", kMethods[lun.address_method()]},
                       {"bytes", hex::compact(lun.bytes)},
                       {"well_known", lun.is_well_known()},
                       {"levels", lun.levels()}};
}

void to_json(nlohmann::json& j, const ReportLunsData& d) {
    auto luns = nlohmann::json::array();
    for (const auto& l : d.luns) {
        nlohmann::json e = l;
        if (d.lu_cong) {
            // SAM-6: the first two bytes address the administrative LU, the next two its
            // subsidiary LU (absent for the administrative LU itself).
            e["administrative_element"] = bytes::be16(l.bytes, 0);
            const auto sub = bytes::be16(l.bytes, 2);
            e["administrative_lu"] = sub == 0;
            if (sub != 0) e["subsidiary_element"] = sub;
        }
        luns.push_back(std::move(e));
    }
    j = nlohmann::json{{"lun_list_length", d.lun_list_length},
                       {"luns", luns},
                       {"partial", hex::compact(d.partial)},
                       {"trailing", hex::compact(d.trailing)},
                       {"warnings", d.warnings}};
}

}  // namespace camx::scsi
