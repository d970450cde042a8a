// SPDX-License-Identifier: BSD-2-Clause
#include "camx/iscsi/keys.hpp"

#include <array>

namespace camx::iscsi {

namespace {

constexpr std::array<std::string_view, 2> digest_values{"CRC32C", "None"};
constexpr std::array<std::string_view, 6> auth_values{"KRB5", "SPKM1", "SPKM2",
                                                      "SRP",  "CHAP",  "None"};
constexpr std::array<std::string_view, 2> session_type_values{"Discovery", "Normal"};
constexpr std::array<std::string_view, 3> task_reporting_values{"RFC3720", "ResponseFence",
                                                                "FastAbort"};
constexpr std::uint64_t max_24 = (1u << 24) - 1;

using K = KeyKind;
using S = KeyScope;
using U = KeyUse;
using G = KeyStage;
using W = KeySenders;

constexpr KeyInfo table[] = {
    {"HeaderDigest", K::list, S::connection, U::initialize_only, G::operational, W::both, "None", 0,
     0, digest_values},
    {"DataDigest", K::list, S::connection, U::initialize_only, G::operational, W::both, "None", 0,
     0, digest_values},
    {"MaxConnections",
     K::numeric_min,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "1",
     1,
     65535,
     {},
     true},
    {"SendTargets",
     K::request,
     S::session,
     U::full_feature_only,
     G::any,
     W::initiator,
     "",
     0,
     0,
     {}},
    {"TargetName", K::declarative, S::session, U::initialize_only, G::any, W::both, "", 0, 0, {}},
    {"InitiatorName",
     K::declarative,
     S::session,
     U::initialize_only,
     G::any,
     W::initiator,
     "",
     0,
     0,
     {}},
    {"TargetAlias", K::declarative, S::session, U::all, G::any, W::target, "", 0, 0, {}},
    {"InitiatorAlias", K::declarative, S::session, U::all, G::any, W::initiator, "", 0, 0, {}},
    {"TargetAddress", K::declarative, S::session, U::all, G::any, W::target, "", 0, 0, {}},
    {"TargetPortalGroupTag",
     K::declarative,
     S::session,
     U::initialize_only,
     G::any,
     W::target,
     "",
     0,
     65535,
     {}},
    {"InitialR2T",
     K::boolean_or,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "Yes",
     0,
     0,
     {},
     true},
    {"ImmediateData",
     K::boolean_and,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "Yes",
     0,
     0,
     {},
     true},
    {"MaxRecvDataSegmentLength",
     K::declarative,
     S::connection,
     U::all,
     G::operational,
     W::both,
     "8192",
     512,
     max_24,
     {}},
    {"MaxBurstLength",
     K::numeric_min,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "262144",
     512,
     max_24,
     {},
     true},
    {"FirstBurstLength",
     K::numeric_min,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "65536",
     512,
     max_24,
     {},
     true},
    {"DefaultTime2Wait",
     K::numeric_max,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "2",
     0,
     3600,
     {}},
    {"DefaultTime2Retain",
     K::numeric_min,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "20",
     0,
     3600,
     {}},
    {"MaxOutstandingR2T",
     K::numeric_min,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "1",
     1,
     65535,
     {},
     true},
    {"DataPDUInOrder",
     K::boolean_or,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "Yes",
     0,
     0,
     {},
     true},
    {"DataSequenceInOrder",
     K::boolean_or,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "Yes",
     0,
     0,
     {},
     true},
    {"ErrorRecoveryLevel",
     K::numeric_min,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "0",
     0,
     2,
     {}},
    {"SessionType", K::declarative, S::session, U::leading_only, G::any, W::initiator, "Normal", 0,
     0, session_type_values},
    {"AuthMethod", K::list, S::connection, U::initialize_only, G::security, W::both, "None", 0, 0,
     auth_values},
    {"CHAP_A", K::security, S::connection, U::initialize_only, G::security, W::both, "", 0, 0, {}},
    {"CHAP_I", K::security, S::connection, U::initialize_only, G::security, W::both, "", 0, 0, {}},
    {"CHAP_C", K::security, S::connection, U::initialize_only, G::security, W::both, "", 0, 0, {}},
    {"CHAP_N", K::security, S::connection, U::initialize_only, G::security, W::both, "", 0, 0, {}},
    {"CHAP_R", K::security, S::connection, U::initialize_only, G::security, W::both, "", 0, 0, {}},
    {"TaskReporting", K::list, S::session, U::leading_only, G::operational, W::both, "RFC3720", 0,
     0, task_reporting_values, true},
    {"iSCSIProtocolLevel",
     K::numeric_min,
     S::session,
     U::leading_only,
     G::operational,
     W::both,
     "1",
     0,
     31,
     {},
     true},
    {"IFMarker",
     K::obsolete,
     S::connection,
     U::initialize_only,
     G::operational,
     W::both,
     "",
     0,
     0,
     {}},
    {"OFMarker",
     K::obsolete,
     S::connection,
     U::initialize_only,
     G::operational,
     W::both,
     "",
     0,
     0,
     {}},
    {"IFMarkInt",
     K::obsolete,
     S::connection,
     U::initialize_only,
     G::operational,
     W::both,
     "",
     0,
     0,
     {}},
    {"OFMarkInt",
     K::obsolete,
     S::connection,
     U::initialize_only,
     G::operational,
     W::both,
     "",
     0,
     0,
     {}},
};

}  // namespace

std::span<const KeyInfo> key_table() {
    return table;
}

const KeyInfo* find_key(std::string_view name) {
    for (const auto& k : table)
        if (k.name == name) return &k;
    return nullptr;
}

bool is_extension_key(std::string_view name) {
    return name.size() > 2 && name[0] == 'X' && (name[1] == '-' || name[1] == '#');
}

std::string_view key_kind_name(KeyKind kind) {
    switch (kind) {
        case KeyKind::declarative:
            return "declarative";
        case KeyKind::list:
            return "list";
        case KeyKind::boolean_and:
            return "boolean_and";
        case KeyKind::boolean_or:
            return "boolean_or";
        case KeyKind::numeric_min:
            return "numeric_min";
        case KeyKind::numeric_max:
            return "numeric_max";
        case KeyKind::security:
            return "security";
        case KeyKind::request:
            return "request";
        case KeyKind::obsolete:
            return "obsolete";
    }
    return "unknown";
}

}  // namespace camx::iscsi
