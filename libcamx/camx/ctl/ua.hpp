// SPDX-License-Identifier: BSD-2-Clause
// I_T nexus identity and unit attention conditions queued per I_T nexus of a LUN.
#pragma once

#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace camx::ctl {

// An I_T nexus as reservations and unit attentions see it: the initiator port (name and
// ISID) and the relative target port.
struct ItKey {
    std::string initiator;  // lower-case
    std::string isid;       // hex text, empty when the transport has none
    std::uint16_t relative_target_port = 0;
    auto operator<=>(const ItKey&) const = default;
    bool same_initiator_port(const ItKey& o) const {
        return initiator == o.initiator && isid == o.isid;
    }
};

struct UaCode {
    std::uint8_t asc = 0;
    std::uint8_t ascq = 0;
    bool operator==(const UaCode&) const = default;
};

namespace ua {
constexpr UaCode power_on{0x29, 0x00};
constexpr UaCode bus_reset{0x29, 0x02};
constexpr UaCode device_reset{0x29, 0x03};
constexpr UaCode nexus_loss{0x29, 0x07};
constexpr UaCode mode_parameters_changed{0x2a, 0x01};
constexpr UaCode reservations_preempted{0x2a, 0x03};
constexpr UaCode reservations_released{0x2a, 0x04};
constexpr UaCode registrations_preempted{0x2a, 0x05};
constexpr UaCode capacity_changed{0x2a, 0x09};
constexpr UaCode reported_luns_changed{0x3f, 0x0e};
constexpr UaCode medium_changed{0x28, 0x00};
}  // namespace ua

// Conditions are reported oldest first, one per command; a power on or reset condition
// replaces what was queued (SAM-5 6.2: it implies the others). A nexus seen for the first
// time starts with POWER ON, RESET, OR BUS DEVICE RESET OCCURRED.
class UnitAttentions {
  public:
    void establish(const ItKey& it, UaCode code);
    // For every nexus the LUN knows, except one.
    void establish_all(UaCode code, const ItKey* except = nullptr);
    std::optional<UaCode> peek(const ItKey& it);
    std::optional<UaCode> take(const ItKey& it);
    void clear(const ItKey& it);

  private:
    std::deque<UaCode>& queue(const ItKey& it);
    std::map<ItKey, std::deque<UaCode>> queues_;
};

}  // namespace camx::ctl
