// SPDX-License-Identifier: BSD-2-Clause
// iSCSI header and data digests: CRC32C (RFC 7143 13.1, test vectors RFC 3720 B.4),
// computed with ISA-L and carried on the wire least significant byte first.
#pragma once

#include <array>
#include <cstdint>

#include "camx/bytes/bytes.hpp"

namespace camx::iscsi {

// The CRC32C of data (initial value and final XOR all ones), as a number.
std::uint32_t crc32c(ByteView data);
// Continues a CRC32C over several buffers: crc32c(a+b) == crc32c_extend(crc32c(a), b).
std::uint32_t crc32c_extend(std::uint32_t crc, ByteView data);

// The four digest bytes as transmitted after a header or data segment.
std::array<std::uint8_t, 4> digest_bytes(std::uint32_t crc);
// Reads a transmitted digest at off (throws Error(malformed) past the end).
std::uint32_t read_digest(ByteView b, std::size_t off);

}  // namespace camx::iscsi
