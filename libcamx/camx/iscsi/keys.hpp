// SPDX-License-Identifier: BSD-2-Clause
// The iSCSI login and text keys of RFC 7143 section 13: how each is negotiated, its
// default and range, its scope, when it may be used and who may send it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace camx::iscsi {

enum class KeyKind : std::uint8_t {
    declarative,  // no answer: the sender states a value (names, MaxRecvDataSegmentLength)
    list,         // the responder picks the first offered value it supports
    boolean_and,  // result = offer AND responder's value
    boolean_or,   // result = offer OR responder's value
    numeric_min,  // result = the smaller of offer and responder's value
    numeric_max,  // result = the larger
    security,     // CHAP_*: exchanged by the authentication method, not negotiated
    request,      // SendTargets: a question answered by the target, not a parameter
    obsolete,     // RFC 3720 markers: answered Reject, never NotUnderstood (RFC 7143 13.25)
};

enum class KeyScope : std::uint8_t { session, connection };

enum class KeyUse : std::uint8_t {
    initialize_only,    // IO: only during login
    leading_only,       // LO: only during the login of a session's first connection
    all,                // ALL: login and full feature phase
    full_feature_only,  // FFPO
};

enum class KeyStage : std::uint8_t { security, operational, any };

enum class KeySenders : std::uint8_t { initiator, target, both };

struct KeyInfo {
    std::string_view name;
    KeyKind kind;
    KeyScope scope;
    KeyUse use;
    KeyStage stage;
    KeySenders senders;
    std::string_view default_value;  // empty when the key has none
    std::uint64_t min = 0;           // numeric keys
    std::uint64_t max = 0;
    std::span<const std::string_view> values;  // list keys: the defined values
    bool irrelevant_in_discovery = false;
};

std::span<const KeyInfo> key_table();
const KeyInfo* find_key(std::string_view name);

// Private (X-) and public (X#) extension keys; a target that does not know one answers
// NotUnderstood.
bool is_extension_key(std::string_view name);

std::string_view key_kind_name(KeyKind kind);

}  // namespace camx::iscsi
