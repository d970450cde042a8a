// SPDX-License-Identifier: BSD-2-Clause
#include "camx/text/text.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace camx::text {
namespace {

bool printable(std::uint8_t c) { return c >= 0x20 && c < 0x7f; }

std::string escape_all(ByteView raw) {
    std::string out;
    out.reserve(raw.size());
    for (auto c : raw) {
        if (printable(c) && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    return out;
}

bool blank(std::uint8_t c) { return c == ' ' || c == 0 || c == '\t'; }

ByteView strip(ByteView b) {
    auto first = std::find_if_not(b.begin(), b.end(), blank);
    auto last = std::find_if_not(b.rbegin(), b.rend(), blank).base();
    if (first >= last) return {};
    return b.subspan(static_cast<std::size_t>(first - b.begin()),
                     static_cast<std::size_t>(last - first));
}

}  // namespace

std::string ascii_field(ByteView field) {
    auto nul = std::find(field.begin(), field.end(), std::uint8_t{0});
    // Leading NULs are padding, not a terminator.
    auto lead = std::find_if(field.begin(), field.end(), [](auto c) { return c != 0; });
    if (lead != field.end() && nul < lead) nul = std::find(lead, field.end(), std::uint8_t{0});
    auto head = field.first(static_cast<std::size_t>(nul - field.begin()));
    return escape_all(strip(head));
}

std::string escaped(ByteView raw) { return escape_all(strip(raw)); }

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

}  // namespace camx::text
