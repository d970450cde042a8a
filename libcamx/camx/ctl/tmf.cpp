// SPDX-License-Identifier: BSD-2-Clause
// Task management functions (SAM-5 7) and the loss of an I_T nexus.
#include "camx/ctl/core.hpp"
#include "camx/scsi/report_luns.hpp"

namespace camx::ctl {
namespace {

void reset_lun(Lun& lun, UaCode code) {
    std::lock_guard lock(lun.mutex);
    lun.spc2_holder.reset();
    lun.prevent_removal.clear();
    lun.ua.establish_all(code);
}

bool running_matches(Lun& lun, const std::function<bool(const Pending&)>& pred) {
    std::lock_guard lock(lun.queue_mutex);
    return lun.running && pred(*lun.running);
}

}  // namespace

TmfResponse task_management(EngineCore& engine, const Nexus& nexus, TmfFunction fn,
                            std::uint64_t lun_int, std::uint32_t tag) {
    auto tables = engine.tables();
    ItKey me = it_key(nexus);
    auto mine = [&](const Pending& p) { return p.task.nexus && p.task.nexus->id == nexus.id; };
    if (fn == TmfFunction::target_reset || fn == TmfFunction::it_nexus_reset) {
        for (std::uint64_t l : engine.visible_luns(*tables, nexus.port)) {
            auto lun = engine.resolve(*tables, nexus.port, l);
            if (!lun) continue;
            if (fn == TmfFunction::target_reset) {
                engine.abort_where(*lun, [](const Pending&) { return true; });
                reset_lun(*lun, ua::bus_reset);
            } else {
                engine.abort_where(*lun, mine);
                std::lock_guard lock(lun->mutex);
                if (lun->spc2_holder && *lun->spc2_holder == me) lun->spc2_holder.reset();
                lun->prevent_removal.erase(me);
                lun->ua.establish(me, ua::nexus_loss);
            }
        }
        return TmfResponse::complete;
    }
    std::uint64_t initiator_lun = scsi::Lun::from_int(lun_int).levels().front().lun;
    auto lun = engine.resolve(*tables, nexus.port, initiator_lun);
    if (!lun) return TmfResponse::no_such_lun;
    switch (fn) {
        case TmfFunction::abort_task:
        case TmfFunction::query_task: {
            auto match = [&](const Pending& p) { return mine(p) && p.task.tag == tag; };
            bool running = running_matches(*lun, match);
            if (fn == TmfFunction::query_task) {
                std::lock_guard lock(lun->queue_mutex);
                for (const auto& p : lun->queue) {
                    if (match(*p)) return TmfResponse::complete;
                }
                return running ? TmfResponse::complete : TmfResponse::no_such_task;
            }
            return engine.abort_where(*lun, match) > 0 || running ? TmfResponse::complete
                                                                  : TmfResponse::no_such_task;
        }
        case TmfFunction::abort_task_set:
            engine.abort_where(*lun, mine);
            return TmfResponse::complete;
        case TmfFunction::clear_task_set:
            engine.abort_where(*lun, [](const Pending&) { return true; });
            return TmfResponse::complete;
        case TmfFunction::lun_reset:
            engine.abort_where(*lun, [](const Pending&) { return true; });
            reset_lun(*lun, ua::device_reset);
            return TmfResponse::complete;
        case TmfFunction::clear_aca:
        default:
            return TmfResponse::not_supported;
    }
}

void nexus_lost(EngineCore& engine, const Nexus& nexus) {
    ItKey me = it_key(nexus);
    auto tables = engine.tables();  // held: a reload may swap the tables meanwhile
    for (const auto& [id, lun] : tables->luns) {
        engine.abort_where(
            *lun, [&](const Pending& p) { return p.task.nexus && p.task.nexus->id == nexus.id; });
        std::lock_guard lock(lun->mutex);
        if (lun->spc2_holder && *lun->spc2_holder == me) lun->spc2_holder.reset();
        lun->prevent_removal.erase(me);
        lun->ua.establish(me, ua::nexus_loss);
    }
}

}  // namespace camx::ctl
