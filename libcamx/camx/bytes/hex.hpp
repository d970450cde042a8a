// SPDX-License-Identifier: BSD-2-Clause
// Hex text in and out: the sg3_utils --inhex file format, hex typed on a command line,
// and hex dumps for humans.
#pragma once

#include <string>
#include <string_view>

#include "camx/bytes/bytes.hpp"

namespace camx::hex {

// Reads an --inhex file (ASCII hex pairs, '#' comments; "-" is stdin) or, with binary,
// its raw bytes, any size. Throws Error(file) if unreadable, Error(usage) if not hex.
Bytes read_file(const std::string& path, bool binary = false);

// Parses hex typed by a user: "12 00 00 00 24 00", "120000002400" or "12,00,00".
Bytes parse(std::string_view text);

// 16 bytes per line with offsets and, unless bare, printable ASCII at the right.
std::string dump(ByteView b, bool bare = false);

// Lower-case hex without separators ("5000c50012345678").
std::string compact(ByteView b);

}  // namespace camx::hex
