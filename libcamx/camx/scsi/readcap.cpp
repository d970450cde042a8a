// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/readcap.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"

namespace camx::scsi {
namespace {

using bytes::bit;
using bytes::bits;

constexpr std::size_t kRc10Len = 8;
constexpr std::size_t kRc16Len = 32;

void size_fields(nlohmann::json& j, std::uint64_t last_lba, std::uint32_t block_length) {
    j["last_lba"] = last_lba;
    j["block_length_bytes"] = block_length;
    // last_lba + 1 overflows only for a 2^64-block medium; report that exactly as a double.
    if (last_lba == UINT64_MAX) {
        j["blocks"] = 18446744073709551616.0;
        j["capacity_bytes"] = 18446744073709551616.0 * block_length;
        return;
    }
    const std::uint64_t blocks = last_lba + 1;
    j["blocks"] = blocks;
    if (block_length != 0 && blocks > UINT64_MAX / block_length) {
        j["capacity_bytes"] = static_cast<double>(blocks) * block_length;
    } else {
        j["capacity_bytes"] = blocks * block_length;
    }
}

}  // namespace

ReadCapacity10Data ReadCapacity10Data::decode(ByteView data) {
    if (data.size() < kRc10Len) {
        throw Error(Category::malformed,
                    fmt::format("READ CAPACITY(10) data has {} bytes, needs 8", data.size()));
    }
    ReadCapacity10Data d;
    d.returned_lba = bytes::be32(data, 0);
    d.block_length = bytes::be32(data, 4);
    if (data.size() > kRc10Len) {
        d.trailing.assign(data.begin() + kRc10Len, data.end());
        d.warnings.push_back(
            fmt::format("{} bytes after the 8-byte data ignored", d.trailing.size()));
    }
    return d;
}

Bytes ReadCapacity10Data::encode() const {
    bytes::Writer w;
    w.be32(returned_lba);
    w.be32(block_length);
    return w.take();
}

ReadCapacity16Data ReadCapacity16Data::decode(ByteView data) {
    if (data.size() < 12) {
        throw Error(
            Category::malformed,
            fmt::format("READ CAPACITY(16) data has {} bytes, needs at least 12", data.size()));
    }
    ReadCapacity16Data d;
    d.returned_lba = bytes::be64(data, 0);
    d.block_length = bytes::be32(data, 8);
    if (data.size() < kRc16Len) {
        d.warnings.push_back(
            fmt::format("READ CAPACITY(16) data truncated to {} of 32 bytes", data.size()));
    }
    if (data.size() > 12) {
        d.rc_basis = static_cast<std::uint8_t>(bits(data[12], 5, 4));
        d.p_type = static_cast<std::uint8_t>(bits(data[12], 3, 1));
        d.prot_en = bit(data[12], 0);
        if (bits(data[12], 7, 6) != 0) d.warnings.push_back("reserved bits set in byte 12");
    }
    if (data.size() > 13) {
        d.p_i_exponent = static_cast<std::uint8_t>(bits(data[13], 7, 4));
        d.lbppbe = static_cast<std::uint8_t>(bits(data[13], 3, 0));
    }
    if (data.size() > 15) {
        const auto w = bytes::be16(data, 14);
        d.lbpme = (w & 0x8000) != 0;
        d.lbprz = (w & 0x4000) != 0;
        d.lowest_aligned_lba = static_cast<std::uint16_t>(w & 0x3fff);
    }
    auto reserved = bytes::clamp(data, 16, 16);
    if (std::any_of(reserved.begin(), reserved.end(), [](auto c) { return c != 0; })) {
        d.reserved.assign(reserved.begin(), reserved.end());
        d.warnings.push_back("reserved bytes 16..31 are not zero");
    }
    if (data.size() > kRc16Len) {
        d.trailing.assign(data.begin() + kRc16Len, data.end());
        d.warnings.push_back(
            fmt::format("{} bytes after the 32-byte data ignored", d.trailing.size()));
    }
    return d;
}

Bytes ReadCapacity16Data::encode() const {
    bytes::Writer w;
    w.be64(returned_lba);
    w.be32(block_length);
    w.u8(static_cast<std::uint8_t>(((rc_basis & 3u) << 4) | ((p_type & 7u) << 1) |
                                   (prot_en ? 1u : 0u)));
    w.u8(static_cast<std::uint8_t>(((p_i_exponent & 0xfu) << 4) | (lbppbe & 0xfu)));
    w.be16(static_cast<std::uint16_t>((lbpme ? 0x8000u : 0u) | (lbprz ? 0x4000u : 0u) |
                                      (lowest_aligned_lba & 0x3fffu)));
    Bytes res = reserved;
    res.resize(16, 0);
    w.raw(res);
    return w.take();
}

void to_json(nlohmann::json& j, const ReadCapacity10Data& d) {
    j = nlohmann::json::object();
    size_fields(j, d.returned_lba, d.block_length);
    j["use_read_capacity_16"] = d.returned_lba == 0xffffffffu;
    j["warnings"] = d.warnings;
}

void to_json(nlohmann::json& j, const ReadCapacity16Data& d) {
    j = nlohmann::json::object();
    size_fields(j, d.returned_lba, d.block_length);
    j["protection_enabled"] = d.prot_en;
    j["protection_type"] = d.protection_type();
    j["p_type"] = d.p_type;
    j["p_i_exponent"] = d.p_i_exponent;
    j["logical_blocks_per_physical_block_exponent"] = d.lbppbe;
    j["physical_block_length_bytes"] = static_cast<std::uint64_t>(d.block_length) << d.lbppbe;
    j["lbpme"] = d.lbpme;
    j["lbprz"] = d.lbprz;
    j["lowest_aligned_lba"] = d.lowest_aligned_lba;
    j["rc_basis"] = d.rc_basis;
    j["warnings"] = d.warnings;
}

}  // namespace camx::scsi
