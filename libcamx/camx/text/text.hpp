// SPDX-License-Identifier: BSD-2-Clause
// Device-supplied text made safe for people and JSON: trimmed, NUL padding dropped,
// anything not printable ASCII escaped as \xNN.
#pragma once

#include <string>
#include <string_view>

#include "camx/bytes/bytes.hpp"

namespace camx::text {

// A fixed-width ASCII field (INQUIRY vendor, product, serial...): trailing and leading
// spaces and NULs removed; stops at the first NUL (vendors NUL-terminate inside the field).
std::string ascii_field(ByteView field);

// Like ascii_field but keeps embedded NULs escaped instead of stopping there.
std::string escaped(ByteView raw);

std::string trim(std::string_view s);

}  // namespace camx::text
