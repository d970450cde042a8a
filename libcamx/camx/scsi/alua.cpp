// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/alua.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace camx::scsi {
namespace {

std::uint8_t flag(bool v, unsigned n) {
    return static_cast<std::uint8_t>(v ? 1u << n : 0u);
}

}  // namespace

std::string_view access_state_name(std::uint8_t state) {
    switch (state) {
        case 0x0:
            return "active/optimized";
        case 0x1:
            return "active/non-optimized";
        case 0x2:
            return "standby";
        case 0x3:
            return "unavailable";
        case 0x4:
            return "logical block dependent";
        case 0xe:
            return "offline";
        case 0xf:
            return "transitioning";
        default:
            return "reserved";
    }
}

std::string_view tpg_status_name(std::uint8_t status) {
    switch (status) {
        case 0x0:
            return "no status available";
        case 0x1:
            return "altered by SET TARGET PORT GROUPS";
        case 0x2:
            return "altered by implicit asymmetric logical unit access";
        default:
            return "reserved";
    }
}

TargetPortGroups TargetPortGroups::decode(ByteView b) {
    TargetPortGroups t;
    std::size_t declared = 4 + std::size_t{bytes::be32(b, 0)};
    std::size_t off = 4;
    if (b.size() >= 5 && bytes::bits(b[4], 6, 4) == 1) {
        t.extended = true;
        if (b.size() >= 6) t.implicit_transition_time = b[5];
        off = 8;
    }
    if (declared > b.size()) {
        t.warnings.push_back(
            fmt::format("return data length declares {} bytes, {} present", declared, b.size()));
        declared = b.size();
    } else if (declared < b.size()) {
        t.warnings.push_back(
            fmt::format("{} bytes after the declared return data ignored", b.size() - declared));
    }
    if (t.extended && declared < 8) {
        t.warnings.emplace_back("extended header truncated");
        return t;
    }
    ByteView data = b.first(declared);
    while (off < data.size()) {
        ByteView d = data.subspan(off);
        if (d.size() < 8) {
            t.warnings.push_back(
                fmt::format("truncated target port group descriptor at byte {}", off));
            break;
        }
        TargetPortGroup g;
        g.pref = bytes::bit(d[0], 7);
        g.rtpg_fmt = static_cast<std::uint8_t>(bytes::bits(d[0], 6, 4));
        g.state = d[0] & 0x0f;
        g.t_sup = bytes::bit(d[1], 7);
        g.o_sup = bytes::bit(d[1], 6);
        g.lbd_sup = bytes::bit(d[1], 4);
        g.u_sup = bytes::bit(d[1], 3);
        g.s_sup = bytes::bit(d[1], 2);
        g.an_sup = bytes::bit(d[1], 1);
        g.ao_sup = bytes::bit(d[1], 0);
        g.group = bytes::be16(d, 2);
        g.status = d[5];
        g.vendor_specific = d[6];
        std::size_t count = d[7];
        std::size_t have = (d.size() - 8) / 4;
        if (have < count) {
            t.warnings.push_back(fmt::format("target port group {} lists {} ports, {} present",
                                             g.group, count, have));
            count = have;
        }
        for (std::size_t i = 0; i < count; ++i) {
            g.relative_target_ports.push_back(bytes::be16(d, 8 + 4 * i + 2));
        }
        t.groups.push_back(std::move(g));
        off += 8 + 4 * count;
    }
    return t;
}

Bytes TargetPortGroups::encode() const {
    bytes::Writer w;
    w.be32(0);
    if (extended) w.u8(0x10), w.u8(implicit_transition_time), w.zeros(2);
    for (const auto& g : groups) {
        if (g.relative_target_ports.size() > 0xff) {
            throw Error(Category::usage, "more than 255 ports in a target port group");
        }
        w.u8(static_cast<std::uint8_t>(flag(g.pref, 7) | ((g.rtpg_fmt & 7) << 4) |
                                       (g.state & 0x0f)));
        w.u8(static_cast<std::uint8_t>(flag(g.t_sup, 7) | flag(g.o_sup, 6) | flag(g.lbd_sup, 4) |
                                       flag(g.u_sup, 3) | flag(g.s_sup, 2) | flag(g.an_sup, 1) |
                                       flag(g.ao_sup, 0)));
        w.be16(g.group), w.u8(0), w.u8(g.status), w.u8(g.vendor_specific);
        w.u8(static_cast<std::uint8_t>(g.relative_target_ports.size()));
        for (auto p : g.relative_target_ports) w.zeros(2), w.be16(p);
    }
    bytes::put_be32(w.view(), 0, static_cast<std::uint32_t>(w.size() - 4));
    return w.take();
}

SetTargetPortGroups SetTargetPortGroups::decode(ByteView b) {
    SetTargetPortGroups s;
    bytes::require(b, 0, 4);
    std::size_t off = 4;
    for (; off + 4 <= b.size(); off += 4) {
        s.entries.push_back({static_cast<std::uint8_t>(b[off] & 0x0f), bytes::be16(b, off + 2)});
    }
    if (off < b.size()) {
        s.warnings.push_back(
            fmt::format("{} bytes of a partial descriptor ignored", b.size() - off));
    }
    return s;
}

Bytes SetTargetPortGroups::encode() const {
    bytes::Writer w;
    w.zeros(4);
    for (const auto& e : entries) w.u8(e.state & 0x0f), w.u8(0), w.be16(e.group);
    return w.take();
}

void to_json(nlohmann::json& j, const TargetPortGroup& g) {
    j = {{"pref", g.pref},
         {"rtpg_fmt", g.rtpg_fmt},
         {"asymmetric_access_state", g.state},
         {"asymmetric_access_state_name", access_state_name(g.state)},
         {"t_sup", g.t_sup},
         {"o_sup", g.o_sup},
         {"lbd_sup", g.lbd_sup},
         {"u_sup", g.u_sup},
         {"s_sup", g.s_sup},
         {"an_sup", g.an_sup},
         {"ao_sup", g.ao_sup},
         {"target_port_group", g.group},
         {"status_code", g.status},
         {"status_code_name", tpg_status_name(g.status)},
         {"vendor_specific", g.vendor_specific},
         {"relative_target_ports", g.relative_target_ports}};
}

void to_json(nlohmann::json& j, const TargetPortGroups& t) {
    j = {{"extended_header", t.extended},
         {"implicit_transition_time_seconds", t.implicit_transition_time},
         {"groups", t.groups},
         {"warnings", t.warnings}};
}

void to_json(nlohmann::json& j, const SetTargetPortGroups& s) {
    auto entries = nlohmann::json::array();
    for (const auto& e : s.entries) {
        entries.push_back({{"asymmetric_access_state", e.state},
                           {"asymmetric_access_state_name", access_state_name(e.state)},
                           {"target_port_group", e.group}});
    }
    j = {{"descriptors", entries}, {"warnings", s.warnings}};
}

}  // namespace camx::scsi
