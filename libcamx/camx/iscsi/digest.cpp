// SPDX-License-Identifier: BSD-2-Clause
#include "camx/iscsi/digest.hpp"

#include <isa-l.h>

#include <climits>

namespace camx::iscsi {

std::uint32_t crc32c_extend(std::uint32_t crc, ByteView data) {
    // crc32_iscsi works on the raw register: feed it the un-inverted state and invert the result.
    std::uint32_t reg = ~crc;
    while (!data.empty()) {
        std::size_t n = std::min<std::size_t>(data.size(), INT_MAX);
        reg = crc32_iscsi(const_cast<unsigned char*>(data.data()), static_cast<int>(n), reg);
        data = data.subspan(n);
    }
    return ~reg;
}

std::uint32_t crc32c(ByteView data) {
    return crc32c_extend(0, data);
}

std::array<std::uint8_t, 4> digest_bytes(std::uint32_t crc) {
    return {static_cast<std::uint8_t>(crc), static_cast<std::uint8_t>(crc >> 8),
            static_cast<std::uint8_t>(crc >> 16), static_cast<std::uint8_t>(crc >> 24)};
}

std::uint32_t read_digest(ByteView b, std::size_t off) {
    bytes::require(b, off, 4);
    return static_cast<std::uint32_t>(b[off]) | static_cast<std::uint32_t>(b[off + 1]) << 8 |
           static_cast<std::uint32_t>(b[off + 2]) << 16 |
           static_cast<std::uint32_t>(b[off + 3]) << 24;
}

}  // namespace camx::iscsi
