// SPDX-License-Identifier: BSD-2-Clause
// ALUA: REPORT TARGET PORT GROUPS parameter data and the SET TARGET PORT GROUPS parameter list
// (SPC-6 6.37, 6.45), with asymmetric access state names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

enum class AccessState : std::uint8_t {
    active_optimized = 0x0,
    active_non_optimized = 0x1,
    standby = 0x2,
    unavailable = 0x3,
    logical_block_dependent = 0x4,
    offline = 0xe,
    transitioning = 0xf,
};
std::string_view access_state_name(std::uint8_t state);  // "active/optimized"
std::string_view tpg_status_name(std::uint8_t status);   // STATUS CODE

struct TargetPortGroup {
    bool pref = false;
    std::uint8_t rtpg_fmt = 0;  // byte 0 bits 6:4
    std::uint8_t state = 0;     // asymmetric access state
    bool t_sup = false;
    bool o_sup = false;
    bool lbd_sup = false;
    bool u_sup = false;
    bool s_sup = false;
    bool an_sup = false;
    bool ao_sup = false;
    std::uint16_t group = 0;
    std::uint8_t status = 0;
    std::uint8_t vendor_specific = 0;
    std::vector<std::uint16_t> relative_target_ports;
    bool operator==(const TargetPortGroup&) const = default;
};

struct TargetPortGroups {
    bool extended = false;                      // extended header (format type 1)
    std::uint8_t implicit_transition_time = 0;  // seconds, extended header only
    std::vector<TargetPortGroup> groups;
    std::vector<std::string> warnings;

    static TargetPortGroups decode(ByteView b);
    Bytes encode() const;
    bool operator==(const TargetPortGroups&) const = default;
};

struct SetTargetPortGroups {
    struct Entry {
        std::uint8_t state = 0;
        std::uint16_t group = 0;
        bool operator==(const Entry&) const = default;
    };
    std::vector<Entry> entries;
    std::vector<std::string> warnings;

    static SetTargetPortGroups decode(ByteView b);
    Bytes encode() const;
    bool operator==(const SetTargetPortGroups&) const = default;
};

void to_json(nlohmann::json& j, const TargetPortGroup& g);
void to_json(nlohmann::json& j, const TargetPortGroups& t);
void to_json(nlohmann::json& j, const SetTargetPortGroups& s);

}  // namespace camx::scsi
