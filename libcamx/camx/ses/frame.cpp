// SPDX-License-Identifier: BSD-2-Clause
#include "camx/ses/frame.hpp"

#include <fmt/format.h>

#include "camx/text/text.hpp"

namespace camx::ses::detail {

Frame frame(ByteView b, int expected, std::string_view name, std::vector<std::string>& warnings) {
    if (b.size() < 4) {
        throw Error(
            Category::malformed,
            fmt::format("{} page: {} bytes, shorter than the 4-byte header", name, b.size()));
    }
    if (expected >= 0 && b[0] != expected) {
        throw Error(
            Category::malformed,
            fmt::format("{} page: page code 0x{:02x}, expected 0x{:02x}", name, b[0], expected));
    }
    std::size_t len = bytes::be16(b, 2);
    if (len + 4 > b.size()) {
        warnings.push_back(
            fmt::format("page length {} but only {} bytes present (truncated)", len, b.size() - 4));
    } else if (len + 4 < b.size()) {
        warnings.push_back(
            fmt::format("{} bytes after the declared page length ignored", b.size() - 4 - len));
    }
    return {b[0], b[1], bytes::clamp(b, 4, len)};
}

bytes::Writer begin(std::uint8_t page_code, std::uint8_t byte1) {
    bytes::Writer w;
    w.u8(page_code);
    w.u8(byte1);
    w.be16(0);
    return w;
}

Bytes finish(bytes::Writer& w) {
    if (w.size() - 4 > 0xffff) {
        throw Error(Category::usage,
                    fmt::format("diagnostic page body of {} bytes exceeds 65535", w.size() - 4));
    }
    bytes::put_be16(w.view(), 2, static_cast<std::uint16_t>(w.size() - 4));
    return w.take();
}

std::string display_text(ByteView raw) {
    return text::ascii_field(raw);
}

}  // namespace camx::ses::detail
