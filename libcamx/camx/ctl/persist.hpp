// SPDX-License-Identifier: BSD-2-Clause
// Persistent reservations of one LUN (SPC-4 5.13): registrations, the reservation, the
// PERSISTENT RESERVE OUT state machine, PERSISTENT RESERVE IN data and the JSON form ctld saves.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/ctl/ua.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/persist.hpp"

namespace camx::ctl {

// How a command touches the medium, for the reservation conflict tables.
enum class Access : std::uint8_t { none, read, write };

struct Registration {
    ItKey it;
    bool all_tg_pt = false;
    std::uint64_t key = 0;
    scsi::TransportId transport_id;
    bool matches(const ItKey& other) const {
        return it.same_initiator_port(other) &&
               (all_tg_pt || it.relative_target_port == other.relative_target_port);
    }
    bool operator==(const Registration&) const = default;
};

struct Reservation {
    ItKey holder;  // meaningless for the all-registrants types
    std::uint64_t key = 0;
    std::uint8_t type = 0;
    std::uint8_t scope = 0;
    bool operator==(const Reservation&) const = default;
};

// What a PERSISTENT RESERVE OUT did besides changing the state.
struct PrOutcome {
    std::vector<std::pair<ItKey, UaCode>> unit_attentions;
    std::vector<ItKey> aborted;  // PREEMPT AND ABORT: nexuses whose tasks are aborted
    bool changed = false;        // the state to persist changed
};

struct PrState {
    std::uint32_t generation = 0;
    bool aptpl = false;
    std::vector<Registration> registrations;
    std::optional<Reservation> reservation;
    // The reservation was lost (its saved form could not be restored) while the registrations
    // were kept: REPLACE LOST RESERVATION may establish a new one (SPC-5 5.14.11).
    bool reservation_lost = false;

    const Registration* find(const ItKey& it) const;
    bool all_registrants_type() const;
    bool is_holder(const ItKey& it) const;
    // RESERVATION CONFLICT for a command of this access from this nexus.
    bool conflicts(const ItKey& it, Access access) const;

    // The parameter data of a PERSISTENT RESERVE IN service action (untruncated).
    Bytes read(std::uint8_t service_action) const;
    // Throws CheckCondition or StatusOnly (conflict) on errors; the state is unchanged then.
    PrOutcome out(const ItKey& me, const scsi::TransportId& my_transport_id,
                  const scsi::cdb::PersistentReserveOut& cdb, ByteView parameters);

    nlohmann::json to_json() const;
    static PrState from_json(const nlohmann::json& j);
    void restore_reservation(const nlohmann::json& reservation);
    bool operator==(const PrState&) const = default;
};

}  // namespace camx::ctl
