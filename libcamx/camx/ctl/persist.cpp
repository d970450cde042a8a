// SPDX-License-Identifier: BSD-2-Clause
// PERSISTENT RESERVE OUT service actions and PERSISTENT RESERVE IN data (SPC-4 5.13, 6.15,
// 6.16) over one LUN's registrations and reservation.
#include "camx/ctl/persist.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "camx/bytes/hex.hpp"
#include "camx/ctl/lun.hpp"

namespace camx::ctl {
namespace {

using scsi::PrOutAction;
using scsi::PrType;

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

ItKey key_of(const scsi::TransportId& t, std::uint16_t rtp) {
    ItKey k;
    k.relative_target_port = rtp;
    if (t.protocol == scsi::TransportId::iscsi) {
        k.initiator = lower(t.iscsi_name);
        k.isid = lower(t.isid);
    } else if (!t.raw.empty()) {
        k.initiator = hex::compact(t.raw);
    } else {
        k.initiator = fmt::format("{:x}.{:016x}", t.protocol, t.name);
    }
    return k;
}

bool valid_type(std::uint8_t type) {
    switch (type) {
        case 1:
        case 3:
        case 5:
        case 6:
        case 7:
        case 8:
            return true;
        default:
            return false;
    }
}

bool registrants_only(std::uint8_t type) {
    return type == 5 || type == 6;
}
bool all_registrants(std::uint8_t type) {
    return type == 7 || type == 8;
}

}  // namespace

const Registration* PrState::find(const ItKey& it) const {
    for (const auto& r : registrations) {
        if (r.matches(it)) return &r;
    }
    return nullptr;
}

bool PrState::all_registrants_type() const {
    return reservation && all_registrants(reservation->type);
}

bool PrState::is_holder(const ItKey& it) const {
    if (!reservation) return false;
    const Registration* r = find(it);
    if (!r) return false;
    if (all_registrants_type()) return true;
    return reservation->holder.same_initiator_port(it) &&
           (r->all_tg_pt || reservation->holder.relative_target_port == it.relative_target_port);
}

bool PrState::conflicts(const ItKey& it, Access access) const {
    if (!reservation || access == Access::none) return false;
    if (is_holder(it)) return false;
    std::uint8_t type = reservation->type;
    bool registered = find(it) != nullptr;
    bool exclusive_access = type == 3 || type == 6 || type == 8;
    if (access == Access::read && !exclusive_access) return false;  // write exclusive types
    if (registrants_only(type) || all_registrants(type)) return !registered;
    return true;
}

Bytes PrState::read(std::uint8_t sa) const {
    switch (static_cast<scsi::PrInAction>(sa)) {
        case scsi::PrInAction::read_keys: {
            scsi::PrKeys k;
            k.generation = generation;
            for (const auto& r : registrations) k.keys.push_back(r.key);
            return k.encode();
        }
        case scsi::PrInAction::read_reservation: {
            scsi::PrReservation r;
            r.generation = generation;
            if (reservation) {
                r.reservation =
                    scsi::PrReservation::Holder{all_registrants_type() ? 0 : reservation->key,
                                                reservation->scope, reservation->type};
            }
            return r.encode();
        }
        case scsi::PrInAction::report_capabilities: {
            scsi::PrCapabilities c;
            c.rlr_c = true;
            c.crh = true;
            c.sip_c = true;
            c.atp_c = true;
            c.ptpl_c = true;
            c.tmv = true;
            c.allow_commands = 0;
            c.ptpl_a = aptpl;
            for (std::uint8_t t : {1, 3, 5, 6, 7, 8})
                c.type_mask |= scsi::PrCapabilities::mask_bit(t);
            return c.encode();
        }
        case scsi::PrInAction::read_full_status: {
            scsi::PrFullStatus s;
            s.generation = generation;
            for (const auto& r : registrations) {
                scsi::PrStatusDescriptor d;
                d.key = r.key;
                d.all_tg_pt = r.all_tg_pt;
                d.relative_target_port = r.it.relative_target_port;
                d.transport_id = r.transport_id;
                if (reservation && is_holder(r.it) &&
                    (all_registrants_type() || reservation->holder == r.it ||
                     (r.all_tg_pt && reservation->holder.same_initiator_port(r.it)))) {
                    d.r_holder = true;
                    d.scope = reservation->scope;
                    d.type = reservation->type;
                }
                s.descriptors.push_back(std::move(d));
            }
            return s.encode();
        }
    }
    invalid_field_in_cdb(1, 4);
}

PrOutcome PrState::out(const ItKey& me, const scsi::TransportId& my_tid,
                       const scsi::cdb::PersistentReserveOut& cdb, ByteView params) {
    PrState next = *this;
    PrOutcome outcome;
    auto action = static_cast<PrOutAction>(cdb.service_action);
    bool move = action == PrOutAction::register_and_move;
    if (action > PrOutAction::replace_lost_reservation) invalid_field_in_cdb(1, 4);

    // The parameter list: exactly 24 bytes unless TransportIDs follow.
    std::uint64_t key = 0, sa_key = 0;
    bool want_aptpl = false;
    scsi::PrOutParameters p;
    scsi::PrRegisterAndMove m;
    if (params.size() != cdb.parameter_list_length) parameter_list_length_error();
    if (move) {
        if (params.size() < 24) parameter_list_length_error();
        try {
            m = scsi::PrRegisterAndMove::decode(params);
        } catch (const Error&) {
            parameter_list_length_error();
        }
        if (!m.warnings.empty()) parameter_list_length_error();
        key = m.key, sa_key = m.service_action_key, want_aptpl = m.aptpl;
    } else {
        if (params.size() < 24) parameter_list_length_error();
        p = scsi::PrOutParameters::decode(params);
        if (!p.spec_i_pt && params.size() != 24) parameter_list_length_error();
        if (p.spec_i_pt && !p.warnings.empty()) invalid_field_in_parameters(24);
        key = p.key, sa_key = p.service_action_key, want_aptpl = p.aptpl;
        bool registering = action == PrOutAction::register_key ||
                           action == PrOutAction::register_and_ignore_existing_key;
        if (p.spec_i_pt && action != PrOutAction::register_key) invalid_field_in_parameters(20, 3);
        if (p.all_tg_pt && !registering) invalid_field_in_parameters(20, 2);
    }

    // A copy: the registrations vector changes below.
    std::optional<Registration> mine;
    if (const Registration* r = next.find(me)) mine = *r;
    auto remove_where = [&](auto pred) {
        std::size_t before = next.registrations.size();
        std::vector<Registration> kept;
        for (auto& r : next.registrations) {
            if (pred(r)) {
                outcome.unit_attentions.emplace_back(r.it, ua::registrations_preempted);
                outcome.aborted.push_back(r.it);
            } else {
                kept.push_back(std::move(r));
            }
        }
        next.registrations = std::move(kept);
        return before - next.registrations.size();
    };
    auto release_notice = [&](const ItKey* except) {
        // Releasing a registrants-only or all-registrants reservation tells the other registrants.
        for (const auto& r : next.registrations) {
            if (except && r.matches(*except)) continue;
            outcome.unit_attentions.emplace_back(r.it, ua::reservations_released);
        }
    };

    switch (action) {
        case PrOutAction::register_key:
        case PrOutAction::register_and_ignore_existing_key: {
            bool ignore = action == PrOutAction::register_and_ignore_existing_key;
            if (!mine) {
                if (!ignore && key != 0) reservation_conflict();
                if (sa_key == 0) return outcome;
                std::vector<Registration> added;
                added.push_back({me, p.all_tg_pt, sa_key, my_tid});
                for (const auto& t : p.transport_ids) {
                    ItKey k = key_of(t, me.relative_target_port);
                    if (next.find(k) || k == me) invalid_field_in_parameters(24);
                    added.push_back({k, p.all_tg_pt, sa_key, t});
                }
                for (auto& a : added) next.registrations.push_back(std::move(a));
            } else {
                if (p.spec_i_pt) invalid_field_in_parameters(20, 3);
                if (!ignore && key != mine->key) reservation_conflict();
                if (sa_key == 0) {
                    bool was_holder = next.is_holder(me);
                    ItKey who = mine->it;
                    std::erase_if(next.registrations,
                                  [&](const Registration& r) { return r.it == who; });
                    if (was_holder) {
                        bool ar = next.all_registrants_type();
                        if (!ar || next.registrations.empty()) {
                            if (registrants_only(next.reservation->type) || ar) release_notice(&me);
                            next.reservation.reset();
                        }
                    }
                } else {
                    for (auto& r : next.registrations) {
                        if (r.it == mine->it) r.key = sa_key;
                    }
                    if (next.reservation && next.is_holder(me) && !next.all_registrants_type()) {
                        next.reservation->key = sa_key;
                    }
                }
            }
            next.aptpl = want_aptpl;
            ++next.generation;
            break;
        }
        case PrOutAction::reserve: {
            if (!mine || mine->key != key) reservation_conflict();
            if (cdb.scope != 0) invalid_field_in_cdb(2, 7);
            if (!valid_type(cdb.type)) invalid_field_in_cdb(2, 3);
            if (next.reservation) {
                if (!next.is_holder(me)) reservation_conflict();
                if (next.reservation->type != cdb.type || next.reservation->scope != cdb.scope) {
                    reservation_conflict();
                }
                return outcome;
            }
            next.reservation = Reservation{me, key, cdb.type, cdb.scope};
            break;
        }
        case PrOutAction::release: {
            if (!mine || mine->key != key) reservation_conflict();
            if (!next.reservation || !next.is_holder(me)) return outcome;
            if (next.reservation->type != cdb.type || next.reservation->scope != cdb.scope) {
                check(0x05, 0x26, 0x04);  // INVALID RELEASE OF PERSISTENT RESERVATION
            }
            if (next.reservation->type != 1 && next.reservation->type != 3) release_notice(&me);
            next.reservation.reset();
            break;
        }
        case PrOutAction::clear: {
            if (!mine || mine->key != key) reservation_conflict();
            for (const auto& r : next.registrations) {
                if (!r.matches(me))
                    outcome.unit_attentions.emplace_back(r.it, ua::reservations_preempted);
            }
            next.registrations.clear();
            next.reservation.reset();
            ++next.generation;
            break;
        }
        case PrOutAction::preempt:
        case PrOutAction::preempt_and_abort: {
            if (!mine || mine->key != key) reservation_conflict();
            ItKey self = mine->it;
            if (!next.reservation) {
                if (sa_key == 0) invalid_field_in_parameters(8);
                if (remove_where([&](const Registration& r) {
                        return r.key == sa_key && !(r.it == self);
                    }) == 0 &&
                    mine->key != sa_key) {
                    reservation_conflict();
                }
            } else if (next.all_registrants_type()) {
                if (sa_key == 0) {
                    if (!valid_type(cdb.type)) invalid_field_in_cdb(2, 3);
                    remove_where([&](const Registration& r) { return !(r.it == self); });
                    next.reservation = Reservation{self, key, cdb.type, cdb.scope};
                } else if (remove_where([&](const Registration& r) {
                               return r.key == sa_key && !(r.it == self);
                           }) == 0 &&
                           mine->key != sa_key) {
                    reservation_conflict();
                }
            } else if (sa_key == next.reservation->key) {
                if (!valid_type(cdb.type)) invalid_field_in_cdb(2, 3);
                remove_where(
                    [&](const Registration& r) { return r.key == sa_key && !(r.it == self); });
                bool changed_type =
                    next.reservation->type != cdb.type || next.reservation->scope != cdb.scope;
                next.reservation = Reservation{self, key, cdb.type, cdb.scope};
                if (changed_type) {
                    for (const auto& r : next.registrations) {
                        if (!(r.it == self))
                            outcome.unit_attentions.emplace_back(r.it, ua::reservations_released);
                    }
                }
            } else {
                if (sa_key == 0) invalid_field_in_parameters(8);
                if (remove_where([&](const Registration& r) {
                        return r.key == sa_key && !(r.it == self);
                    }) == 0 &&
                    mine->key != sa_key) {
                    reservation_conflict();
                }
            }
            if (action == PrOutAction::preempt) outcome.aborted.clear();
            ++next.generation;
            break;
        }
        case PrOutAction::register_and_move: {
            if (!mine || mine->key != key) reservation_conflict();
            if (!next.reservation || !next.is_holder(me)) reservation_conflict();
            if (next.all_registrants_type()) reservation_conflict();
            if (sa_key == 0) invalid_field_in_parameters(8);
            ItKey dest = key_of(m.transport_id, m.relative_target_port);
            if (dest.same_initiator_port(me)) invalid_field_in_parameters(24);
            auto it = std::find_if(next.registrations.begin(), next.registrations.end(),
                                   [&](const Registration& r) { return r.matches(dest); });
            if (it != next.registrations.end()) {
                it->key = sa_key;
            } else {
                next.registrations.push_back({dest, false, sa_key, m.transport_id});
            }
            next.reservation->holder = dest;
            next.reservation->key = sa_key;
            if (m.unreg) {
                ItKey who = mine->it;
                std::erase_if(next.registrations,
                              [&](const Registration& r) { return r.it == who; });
            }
            next.aptpl = want_aptpl;
            ++next.generation;
            break;
        }
        case PrOutAction::replace_lost_reservation: {
            // A registered nexus with its key takes the place of the lost reservation's
            // holder. With nothing lost there is nothing to replace.
            if (!mine || mine->key != key) reservation_conflict();
            if (!next.reservation_lost) invalid_field_in_cdb(1, 4);
            if (cdb.scope != 0) invalid_field_in_cdb(2, 7);
            if (!valid_type(cdb.type)) invalid_field_in_cdb(2, 3);
            next.reservation = Reservation{me, key, cdb.type, cdb.scope};
            next.reservation_lost = false;
            for (const auto& r : next.registrations)
                if (!r.matches(me))
                    outcome.unit_attentions.emplace_back(r.it, ua::reservations_released);
            break;
        }
        default:
            invalid_field_in_cdb(1, 4);
    }
    outcome.changed = !(next == *this);
    *this = std::move(next);
    return outcome;
}

nlohmann::json PrState::to_json() const {
    nlohmann::json regs = nlohmann::json::array();
    for (const auto& r : registrations) {
        regs.push_back({{"initiator", r.it.initiator},
                        {"isid", r.it.isid},
                        {"relative_target_port", r.it.relative_target_port},
                        {"all_tg_pt", r.all_tg_pt},
                        {"key", r.key},
                        {"transport_id", hex::compact(r.transport_id.encode())}});
    }
    nlohmann::json j{{"generation", generation},
                     {"aptpl", aptpl},
                     {"registrations", regs},
                     {"reservation", nullptr},
                     {"reservation_lost", reservation_lost}};
    if (reservation) {
        j["reservation"] = {{"initiator", reservation->holder.initiator},
                            {"isid", reservation->holder.isid},
                            {"relative_target_port", reservation->holder.relative_target_port},
                            {"key", reservation->key},
                            {"type", reservation->type},
                            {"scope", reservation->scope}};
    }
    return j;
}

PrState PrState::from_json(const nlohmann::json& j) {
    try {
        PrState s;
        s.generation = j.at("generation").get<std::uint32_t>();
        s.aptpl = j.at("aptpl").get<bool>();
        for (const auto& r : j.at("registrations")) {
            Registration reg;
            reg.it = {r.at("initiator").get<std::string>(), r.at("isid").get<std::string>(),
                      r.at("relative_target_port").get<std::uint16_t>()};
            reg.all_tg_pt = r.at("all_tg_pt").get<bool>();
            reg.key = r.at("key").get<std::uint64_t>();
            std::vector<std::string> w;
            Bytes tid = hex::parse(r.at("transport_id").get<std::string>());
            reg.transport_id = scsi::TransportId::decode(tid, w);
            s.registrations.push_back(std::move(reg));
        }
        s.reservation_lost = j.value("reservation_lost", false);
        const auto& res = j.at("reservation");
        if (!res.is_null()) s.restore_reservation(res);
        return s;
    } catch (const nlohmann::json::exception& e) {
        throw Error(Category::malformed, fmt::format("reservation state: {}", e.what()));
    }
}

// A reservation that cannot be taken back as saved (unreadable, an invalid type, a holder
// that is not registered) is lost; the registrations stay.
void PrState::restore_reservation(const nlohmann::json& res) {
    try {
        Reservation v;
        v.holder = {res.at("initiator").get<std::string>(), res.at("isid").get<std::string>(),
                    res.at("relative_target_port").get<std::uint16_t>()};
        v.key = res.at("key").get<std::uint64_t>();
        v.type = res.at("type").get<std::uint8_t>();
        v.scope = res.at("scope").get<std::uint8_t>();
        reservation = v;
        if (!valid_type(v.type) || v.scope != 0 || (!all_registrants(v.type) && !find(v.holder))) {
            reservation.reset();
            reservation_lost = true;
        }
    } catch (const nlohmann::json::exception&) {
        reservation.reset();
        reservation_lost = true;
    }
}

}  // namespace camx::ctl
