// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/opcodes.hpp"

#include <scsi/sg_lib.h>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/text/text.hpp"

namespace camx::scsi {
namespace {

constexpr std::size_t kTimeoutsLength = 12;

CommandTimeouts decode_timeouts(ByteView b, std::vector<std::string>& warnings) {
    CommandTimeouts t;
    if (std::uint16_t len = bytes::be16(b, 0); len != 0x0a) {
        warnings.push_back(fmt::format("command timeouts descriptor length {}, expected 10", len));
    }
    t.command_specific = b[3];
    t.nominal_seconds = bytes::be32(b, 4);
    t.recommended_seconds = bytes::be32(b, 8);
    return t;
}

void encode_timeouts(bytes::Writer& w, const CommandTimeouts& t) {
    w.be16(0x0a), w.u8(0), w.u8(t.command_specific);
    w.be32(t.nominal_seconds), w.be32(t.recommended_seconds);
}

bool bit(std::uint8_t byte, unsigned n) {
    return bytes::bit(byte, n);
}
std::uint8_t flag(bool v, unsigned n) {
    return static_cast<std::uint8_t>(v ? 1u << n : 0u);
}

}  // namespace

std::string command_name(std::uint8_t opcode, std::optional<std::uint16_t> sa, int pdt) {
    char b[128] = {};
    if (sa) {
        sg_get_opcode_sa_name(opcode, *sa, pdt, sizeof b, b);
    } else {
        sg_get_opcode_name(opcode, pdt, sizeof b, b);
    }
    return text::trim(b);
}

std::string_view support_name(std::uint8_t support) {
    switch (support) {
        case 0:
            return "not currently available";
        case 1:
            return "not supported";
        case 3:
            return "supported (standard)";
        case 5:
            return "supported (vendor specific)";
        default:
            return "reserved";
    }
}

// ---- all commands --------------------------------------------------------------------------

SupportedOpcodes SupportedOpcodes::decode(ByteView b) {
    SupportedOpcodes s;
    std::size_t declared = 4 + std::size_t{bytes::be32(b, 0)};
    ByteView data = b.first(std::min(declared, b.size()));
    if (declared > b.size()) {
        s.warnings.push_back(
            fmt::format("command data length declares {} bytes, {} present", declared, b.size()));
    } else if (declared < b.size()) {
        s.warnings.push_back(
            fmt::format("{} bytes after the declared command data ignored", b.size() - declared));
    }
    std::size_t off = 4;
    while (off < data.size()) {
        ByteView d = data.subspan(off);
        if (d.size() < 8) {
            s.warnings.push_back(fmt::format("truncated command descriptor at byte {}", off));
            break;
        }
        CommandDescriptor c;
        c.opcode = d[0];
        c.service_action = bytes::be16(d, 2);
        std::uint8_t b5 = d[5];
        c.rwcdlp = bit(b5, 6);
        c.mlu = static_cast<std::uint8_t>(bytes::bits(b5, 5, 4));
        c.cdlp = static_cast<std::uint8_t>(bytes::bits(b5, 3, 2));
        bool ctdp = bit(b5, 1);
        c.servactv = bit(b5, 0);
        c.cdb_length = bytes::be16(d, 6);
        if (ctdp) {
            if (d.size() < 8 + kTimeoutsLength) {
                s.warnings.push_back(fmt::format(
                    "command descriptor at byte {} truncated in its timeouts descriptor", off));
                s.commands.push_back(c);
                break;
            }
            c.timeouts = decode_timeouts(d.subspan(8), s.warnings);
        }
        s.commands.push_back(c);
        off += ctdp ? 8 + kTimeoutsLength : 8;
    }
    return s;
}

Bytes SupportedOpcodes::encode() const {
    bytes::Writer w;
    w.be32(0);
    for (const auto& c : commands) {
        w.u8(c.opcode), w.u8(0), w.be16(c.service_action), w.u8(0);
        w.u8(static_cast<std::uint8_t>(flag(c.rwcdlp, 6) | ((c.mlu & 3) << 4) |
                                       ((c.cdlp & 3) << 2) | flag(c.timeouts.has_value(), 1) |
                                       flag(c.servactv, 0)));
        w.be16(c.cdb_length);
        if (c.timeouts) encode_timeouts(w, *c.timeouts);
    }
    bytes::put_be32(w.view(), 0, static_cast<std::uint32_t>(w.size() - 4));
    return w.take();
}

// ---- one command ---------------------------------------------------------------------------

OneCommand OneCommand::decode(ByteView b) {
    OneCommand c;
    bytes::require(b, 0, 4);
    c.rwcdlp = bit(b[0], 0);
    bool ctdp = bit(b[1], 7);
    c.mlu = static_cast<std::uint8_t>(bytes::bits(b[1], 6, 5));
    c.cdlp = static_cast<std::uint8_t>(bytes::bits(b[1], 4, 3));
    c.support = static_cast<std::uint8_t>(bytes::bits(b[1], 2, 0));
    std::size_t cdb_size = bytes::be16(b, 2);
    ByteView usage = bytes::clamp(b, 4, cdb_size);
    c.cdb_usage.assign(usage.begin(), usage.end());
    if (usage.size() < cdb_size) {
        c.warnings.push_back(
            fmt::format("CDB usage data declares {} bytes, {} present", cdb_size, usage.size()));
        return c;
    }
    std::size_t end = 4 + cdb_size;
    if (ctdp) {
        if (b.size() < end + kTimeoutsLength) {
            c.warnings.emplace_back("CTDP set but the command timeouts descriptor is truncated");
            return c;
        }
        c.timeouts = decode_timeouts(b.subspan(end), c.warnings);
        end += kTimeoutsLength;
    }
    if (end < b.size()) {
        c.warnings.push_back(
            fmt::format("{} bytes after the one-command data ignored", b.size() - end));
    }
    return c;
}

Bytes OneCommand::encode() const {
    bytes::Writer w;
    w.u8(rwcdlp ? 1 : 0);
    w.u8(static_cast<std::uint8_t>(flag(timeouts.has_value(), 7) | ((mlu & 3) << 5) |
                                   ((cdlp & 3) << 3) | (support & 7)));
    w.be16(static_cast<std::uint16_t>(cdb_usage.size()));
    w.raw(cdb_usage);
    if (timeouts) encode_timeouts(w, *timeouts);
    return w.take();
}

// ---- task management functions ---------------------------------------------------------------

SupportedTmfs SupportedTmfs::decode(ByteView b) {
    SupportedTmfs t;
    bytes::require(b, 0, 4);
    t.ats = bit(b[0], 7), t.atss = bit(b[0], 6), t.cacas = bit(b[0], 5), t.ctss = bit(b[0], 4);
    t.lurs = bit(b[0], 3), t.qts = bit(b[0], 2), t.trs = bit(b[0], 1), t.ws = bit(b[0], 0);
    t.qaes = bit(b[1], 2), t.qtss = bit(b[1], 1), t.itnrs = bit(b[1], 0);
    std::size_t declared = 4 + std::size_t{b[3]};
    if (b[3] == 0) {
        if (b.size() > 4) {
            t.warnings.push_back(
                fmt::format("{} bytes after the basic data ignored", b.size() - 4));
        }
        return t;
    }
    if (b[3] < 0x0c) {
        t.warnings.push_back(fmt::format("additional data length {}, expected 0 or 12", b[3]));
        return t;
    }
    if (b.size() < 16) {
        t.warnings.push_back(fmt::format("extended data truncated: {} of 16 bytes", b.size()));
        return t;
    }
    Extended e;
    e.tmftmov = bit(b[4], 0);
    e.atts = bit(b[6], 7), e.atsts = bit(b[6], 6), e.cacats = bit(b[6], 5), e.ctsts = bit(b[6], 4);
    e.lurts = bit(b[6], 3), e.qtts = bit(b[6], 2);
    e.qaets = bit(b[7], 2), e.qtsts = bit(b[7], 1), e.itnrts = bit(b[7], 0);
    e.long_timeout_100ms = bytes::be32(b, 8);
    e.short_timeout_100ms = bytes::be32(b, 12);
    t.extended = e;
    if (declared != 16 || b.size() > 16) {
        t.warnings.push_back(
            fmt::format("extended data of {} bytes ({} present); decoded the "
                        "first 16",
                        declared, b.size()));
    }
    return t;
}

Bytes SupportedTmfs::encode() const {
    bytes::Writer w;
    w.u8(static_cast<std::uint8_t>(flag(ats, 7) | flag(atss, 6) | flag(cacas, 5) | flag(ctss, 4) |
                                   flag(lurs, 3) | flag(qts, 2) | flag(trs, 1) | flag(ws, 0)));
    w.u8(static_cast<std::uint8_t>(flag(qaes, 2) | flag(qtss, 1) | flag(itnrs, 0)));
    w.u8(0);
    w.u8(extended ? 0x0c : 0);
    if (extended) {
        const Extended& e = *extended;
        w.u8(flag(e.tmftmov, 0)), w.u8(0);
        w.u8(static_cast<std::uint8_t>(flag(e.atts, 7) | flag(e.atsts, 6) | flag(e.cacats, 5) |
                                       flag(e.ctsts, 4) | flag(e.lurts, 3) | flag(e.qtts, 2)));
        w.u8(static_cast<std::uint8_t>(flag(e.qaets, 2) | flag(e.qtsts, 1) | flag(e.itnrts, 0)));
        w.be32(e.long_timeout_100ms), w.be32(e.short_timeout_100ms);
    }
    return w.take();
}

// ---- JSON ----------------------------------------------------------------------------------

void to_json(nlohmann::json& j, const CommandTimeouts& t) {
    j = {{"command_specific", t.command_specific},
         {"nominal_command_processing_timeout_seconds", t.nominal_seconds},
         {"recommended_command_timeout_seconds", t.recommended_seconds}};
}

void to_json(nlohmann::json& j, const CommandDescriptor& d) {
    j = {{"opcode", d.opcode},
         {"service_action", d.service_action},
         {"servactv", d.servactv},
         {"name",
          command_name(d.opcode, d.servactv ? std::optional(d.service_action) : std::nullopt)},
         {"cdb_length", d.cdb_length},
         {"rwcdlp", d.rwcdlp},
         {"mlu", d.mlu},
         {"cdlp", d.cdlp},
         {"ctdp", d.timeouts.has_value()},
         {"timeouts", d.timeouts ? nlohmann::json(*d.timeouts) : nlohmann::json(nullptr)}};
}

void to_json(nlohmann::json& j, const SupportedOpcodes& s) {
    j = {{"commands", s.commands}, {"warnings", s.warnings}};
}

void to_json(nlohmann::json& j, const OneCommand& c) {
    j = {{"support", c.support},
         {"support_name", support_name(c.support)},
         {"supported", c.supported()},
         {"rwcdlp", c.rwcdlp},
         {"mlu", c.mlu},
         {"cdlp", c.cdlp},
         {"cdb_size", c.cdb_usage.size()},
         {"cdb_usage_data", hex::compact(c.cdb_usage)},
         {"ctdp", c.timeouts.has_value()},
         {"timeouts", c.timeouts ? nlohmann::json(*c.timeouts) : nlohmann::json(nullptr)},
         {"warnings", c.warnings}};
}

void to_json(nlohmann::json& j, const SupportedTmfs& t) {
    j = {{"ats", t.ats},   {"atss", t.atss}, {"cacas", t.cacas}, {"ctss", t.ctss},
         {"lurs", t.lurs}, {"qts", t.qts},   {"trs", t.trs},     {"ws", t.ws},
         {"qaes", t.qaes}, {"qtss", t.qtss}, {"itnrs", t.itnrs}, {"warnings", t.warnings}};
    if (t.extended) {
        const auto& e = *t.extended;
        j["extended"] = {{"tmftmov", e.tmftmov},
                         {"atts", e.atts},
                         {"atsts", e.atsts},
                         {"cacats", e.cacats},
                         {"ctsts", e.ctsts},
                         {"lurts", e.lurts},
                         {"qtts", e.qtts},
                         {"qaets", e.qaets},
                         {"qtsts", e.qtsts},
                         {"itnrts", e.itnrts},
                         {"long_timeout_100ms", e.long_timeout_100ms},
                         {"short_timeout_100ms", e.short_timeout_100ms}};
    } else {
        j["extended"] = nullptr;
    }
}

}  // namespace camx::scsi
