// SPDX-License-Identifier: BSD-2-Clause
#include "camx/topology/hctl.hpp"

#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace camx::topology {
namespace {

template <typename T>
bool parse_field(std::string_view s, T& out) noexcept {
    if (s.empty() || s.size() > 20) return false;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

}  // namespace

std::string Hctl::str() const {
    return fmt::format("{}:{}:{}:{}", host, channel, target, lun);
}

std::optional<Hctl> Hctl::parse(std::string_view s) noexcept {
    std::string_view parts[4];
    for (int i = 0; i < 3; ++i) {
        const auto colon = s.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        parts[i] = s.substr(0, colon);
        s.remove_prefix(colon + 1);
    }
    parts[3] = s;
    Hctl h;
    if (!parse_field(parts[0], h.host) || !parse_field(parts[1], h.channel) ||
        !parse_field(parts[2], h.target) || !parse_field(parts[3], h.lun))
        return std::nullopt;
    return h;
}

std::optional<Hctl> hctl_from_syspath(std::string_view syspath) noexcept {
    std::optional<Hctl> found;
    while (!syspath.empty()) {
        const auto slash = syspath.find('/');
        const auto part = syspath.substr(0, slash);
        if (auto h = Hctl::parse(part)) found = h;
        if (slash == std::string_view::npos) break;
        syspath.remove_prefix(slash + 1);
    }
    return found;
}

}  // namespace camx::topology
