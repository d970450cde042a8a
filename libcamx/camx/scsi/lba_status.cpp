// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/lba_status.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/error/error.hpp"

namespace camx::scsi {

namespace {
constexpr std::size_t header_size = 8;
constexpr std::size_t descriptor_size = 16;
}  // namespace

LbaStatus LbaStatus::decode(ByteView data) {
    if (data.size() < header_size) {
        throw Error(Category::malformed,
                    fmt::format("GET LBA STATUS data has {} bytes, header needs 8", data.size()));
    }
    LbaStatus out;
    out.completion_condition = static_cast<std::uint8_t>((data[7] >> 1) & 0x07);
    out.rtp = (data[7] & 0x01) != 0;
    if (data[4] || data[5] || data[6] || (data[7] & 0xf0))
        out.warnings.push_back("reserved header bytes 4-7 are not zero");
    const std::size_t declared = std::size_t{bytes::be32(data, 0)} + 4;
    auto body =
        bytes::clamp(data, header_size, declared < header_size ? 0 : declared - header_size);
    if (declared > data.size()) {
        out.warnings.push_back(
            fmt::format("PARAMETER DATA LENGTH says {} bytes, {} present", declared, data.size()));
    } else if (data.size() > declared) {
        out.warnings.push_back(
            fmt::format("{} bytes after the declared length", data.size() - declared));
    }
    for (std::size_t off = 0; off + descriptor_size <= body.size(); off += descriptor_size) {
        LbaStatusDescriptor d;
        d.lba = bytes::be64(body, off);
        d.blocks = bytes::be32(body, off + 8);
        d.lba_access = static_cast<std::uint8_t>(body[off + 12] >> 4);
        d.provisioning_status = static_cast<std::uint8_t>(body[off + 12] & 0x0f);
        d.additional_status = body[off + 13];
        if (body[off + 14] || body[off + 15])
            out.warnings.push_back(fmt::format("descriptor {}: reserved bytes 14-15 are not zero",
                                               out.descriptors.size()));
        out.descriptors.push_back(d);
    }
    if (body.size() % descriptor_size != 0) {
        out.warnings.push_back(fmt::format("{} bytes of a partial LBA status descriptor ignored",
                                           body.size() % descriptor_size));
    }
    return out;
}

Bytes LbaStatus::encode() const {
    bytes::Writer w;
    w.be32(static_cast<std::uint32_t>(header_size - 4 + descriptor_size * descriptors.size()));
    w.zeros(3);
    w.u8(static_cast<std::uint8_t>(((completion_condition & 0x07) << 1) | (rtp ? 1 : 0)));
    for (const auto& d : descriptors) {
        w.be64(d.lba);
        w.be32(d.blocks);
        w.u8(static_cast<std::uint8_t>(((d.lba_access & 0x0f) << 4) |
                                       (d.provisioning_status & 0x0f)));
        w.u8(d.additional_status);
        w.zeros(2);
    }
    return w.take();
}

std::string_view provisioning_status_name(std::uint8_t status) noexcept {
    switch (status) {
        case 0:
            return "mapped or unknown";
        case 1:
            return "deallocated";
        case 2:
            return "anchored";
        case 3:
            return "mapped";
        case 4:
            return "unknown";
        default:
            return "reserved";
    }
}

void to_json(nlohmann::json& j, const LbaStatus& s) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& d : s.descriptors)
        a.push_back({{"lba", d.lba},
                     {"blocks", d.blocks},
                     {"lba_access", d.lba_access},
                     {"provisioning_status", d.provisioning_status},
                     {"provisioning_status_name", provisioning_status_name(d.provisioning_status)},
                     {"additional_status", d.additional_status}});
    j = {{"completion_condition", s.completion_condition},
         {"rtp", s.rtp},
         {"descriptors", a},
         {"warnings", s.warnings}};
}

}  // namespace camx::scsi
