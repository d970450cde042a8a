// SPDX-License-Identifier: BSD-2-Clause
#include "camx/bytes/bytes.hpp"

#include <fmt/format.h>

namespace camx::bytes {

void throw_short(std::size_t need, std::size_t have) {
    throw Error(Category::malformed,
                fmt::format("response too short: need {} bytes, have {}", need, have));
}

void Writer::ascii(const std::string& s, std::size_t width, char pad) {
    for (std::size_t i = 0; i < width; ++i) {
        out_.push_back(static_cast<std::uint8_t>(i < s.size() ? s[i] : pad));
    }
}

}  // namespace camx::bytes
