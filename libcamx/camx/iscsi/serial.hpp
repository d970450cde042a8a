// SPDX-License-Identifier: BSD-2-Clause
// Serial number arithmetic (RFC 1982, SERIAL_BITS = 32) for CmdSN, StatSN, ExpCmdSN,
// MaxCmdSN, DataSN and R2TSN, which wrap and are compared as a window, not as integers.
#pragma once

#include <cstdint>

namespace camx::iscsi::serial {

inline constexpr std::uint32_t half = 0x80000000u;

// s1 < s2 in serial order. Pairs exactly 2^31 apart are neither less nor greater.
constexpr bool lt(std::uint32_t s1, std::uint32_t s2) {
    return (s1 < s2 && s2 - s1 < half) || (s1 > s2 && s1 - s2 > half);
}
constexpr bool gt(std::uint32_t s1, std::uint32_t s2) {
    return lt(s2, s1);
}
constexpr bool le(std::uint32_t s1, std::uint32_t s2) {
    return s1 == s2 || lt(s1, s2);
}
constexpr bool ge(std::uint32_t s1, std::uint32_t s2) {
    return s1 == s2 || gt(s1, s2);
}

// RFC 1982 addition: n must be at most 2^31 - 1.
constexpr std::uint32_t add(std::uint32_t s, std::uint32_t n) {
    return s + n;
}

// A non-immediate command is accepted when ExpCmdSN <= CmdSN <= MaxCmdSN (RFC 7143 4.2.2.1).
constexpr bool in_window(std::uint32_t sn, std::uint32_t first, std::uint32_t last) {
    return le(first, sn) && le(sn, last);
}

// MaxCmdSN == ExpCmdSN - 1 closes the command window; anything further below is invalid.
constexpr bool window_closed(std::uint32_t exp_cmd_sn, std::uint32_t max_cmd_sn) {
    return max_cmd_sn == exp_cmd_sn - 1;
}

}  // namespace camx::iscsi::serial
