// SPDX-License-Identifier: BSD-2-Clause
// iSCSI text parameters (RFC 7143 6.1): key=value pairs, each NUL terminated, carried in
// Login and Text PDUs; decoded with limits so a peer cannot make us hold unbounded text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "camx/bytes/bytes.hpp"

namespace camx::iscsi {

struct KeyValue {
    std::string key;
    std::string value;
    bool operator==(const KeyValue&) const = default;
};
using TextList = std::vector<KeyValue>;  // in the order sent

struct TextLimits {
    std::size_t max_key_bytes = 63;       // RFC 7143 6.1: key names up to 63 bytes
    std::size_t max_value_bytes = 8192;   // the largest values (CHAP_C/CHAP_R) fit
    std::size_t max_total_bytes = 65536;  // a whole negotiation sequence
    std::size_t max_pairs = 256;
    bool allow_duplicates = false;  // SendTargets answers repeat TargetAddress
};

// Throws Error(malformed) for a pair without '=' or NUL terminator, an empty or invalid key
// name, a limit exceeded or (unless allowed) a repeated key. Empty entries (stray NULs) are
// skipped.
TextList decode_text(ByteView data, const TextLimits& limits = {});
// Throws Error(usage) for a key or value the decoder would refuse (invalid name, NUL).
Bytes encode_text(const TextList& pairs);

// Letters, digits, '.', '-', '+', '@', '_' (RFC 7143 6.1 key-name).
bool valid_key_name(std::string_view key);

const std::string* find_value(const TextList& pairs, std::string_view key);

}  // namespace camx::iscsi
