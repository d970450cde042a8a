// SPDX-License-Identifier: BSD-2-Clause
// Reservation commands: RESERVE/RELEASE (6) and (10) of SPC-2, PERSISTENT RESERVE IN and OUT.
#include "camx/ctl/core.hpp"
#include "camx/scsi/cdb.hpp"

namespace camx::ctl {
namespace {

namespace cdb = scsi::cdb;

void reserve(Cmd& c) {
    std::lock_guard lock(c.lun->mutex);
    if (!c.lun->pr.registrations.empty()) reservation_conflict();
    if (c.lun->spc2_holder && !(*c.lun->spc2_holder == c.it)) reservation_conflict();
    c.lun->spc2_holder = c.it;
}

void release(Cmd& c) {
    std::lock_guard lock(c.lun->mutex);
    if (!c.lun->pr.registrations.empty()) reservation_conflict();
    if (c.lun->spc2_holder && *c.lun->spc2_holder == c.it) c.lun->spc2_holder.reset();
}

scsi::TransportId transport_id(const Nexus& n) {
    if (!n.initiator_transport_id.empty()) {
        std::vector<std::string> w;
        try {
            return scsi::TransportId::decode(n.initiator_transport_id, w);
        } catch (const Error&) {
        }
    }
    return scsi::TransportId::iscsi_initiator(n.initiator_name);
}

}  // namespace

void handle_reserve_6(Cmd& c) {
    cdb::Reserve6::decode(c.cdb());
    reserve(c);
}

void handle_reserve_10(Cmd& c) {
    auto q = cdb::Reserve10::decode(c.cdb());
    if (q.third_party) invalid_field_in_cdb(1, 4);
    if (q.longid) invalid_field_in_cdb(1, 1);
    reserve(c);
}

void handle_release_6(Cmd& c) {
    cdb::Release6::decode(c.cdb());
    release(c);
}

void handle_release_10(Cmd& c) {
    auto q = cdb::Release10::decode(c.cdb());
    if (q.third_party) invalid_field_in_cdb(1, 4);
    if (q.longid) invalid_field_in_cdb(1, 1);
    release(c);
}

void handle_pr_in(Cmd& c) {
    auto q = cdb::PersistentReserveIn::decode(c.cdb());
    if (q.service_action > 3) invalid_field_in_cdb(1, 4);
    Bytes data;
    {
        std::lock_guard lock(c.lun->mutex);
        data = c.lun->pr.read(q.service_action);
    }
    c.reply(std::move(data), q.allocation_length);
}

void handle_pr_out(Cmd& c) {
    auto q = cdb::PersistentReserveOut::decode(c.cdb());
    ByteView params = c.data_out(q.parameter_list_length, 5);
    PrOutcome outcome;
    {
        std::lock_guard lock(c.lun->mutex);
        if (c.lun->spc2_holder) reservation_conflict();
        outcome = c.lun->pr.out(c.it, transport_id(c.nexus), q, params);
        for (const auto& [it, code] : outcome.unit_attentions) c.lun->ua.establish(it, code);
    }
    for (const auto& it : outcome.aborted) {
        c.engine.abort_where(
            *c.lun, [&](const Pending& p) { return p.task.nexus && it_key(*p.task.nexus) == it; });
    }
    if (outcome.changed) c.engine.reservation_changed(*c.lun);
}

}  // namespace camx::ctl
