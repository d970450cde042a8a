// SPDX-License-Identifier: BSD-2-Clause
// Shared framing of SES diagnostic pages: the 4-byte header (page code, one page-specific
// byte, page length) checked on decode and written on encode.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "camx/bytes/bytes.hpp"

namespace camx::ses::detail {

struct Frame {
    std::uint8_t page_code = 0;
    std::uint8_t byte1 = 0;
    ByteView body;  // bytes after the header, clamped to the declared page length
};

// Throws Error(malformed) if b is shorter than the header or (when expected >= 0) carries
// another page code; warns when the declared length and the buffer disagree.
Frame frame(ByteView b, int expected, std::string_view name, std::vector<std::string>& warnings);

// Starts a page: code, byte 1, length placeholder.
bytes::Writer begin(std::uint8_t page_code, std::uint8_t byte1);
// Patches the page length and returns the bytes; throws Error(usage) past 65535 bytes of body.
Bytes finish(bytes::Writer& w);

// "text" kept as bytes in the model and shown trimmed and escaped.
std::string display_text(ByteView raw);

}  // namespace camx::ses::detail
