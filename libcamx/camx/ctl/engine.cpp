// SPDX-License-Identifier: BSD-2-Clause
// The engine: dispatch table, checks before each handler, per-LUN queues served by a worker
// pool (a LUN always runs on the same worker, so its tasks complete in order; a READ or
// WRITE reaching an idle LUN runs on the submitting thread instead), and the administrative
// API over copy-on-write LUN and port tables.
#include "camx/ctl/engine.hpp"

#include <algorithm>
#include <future>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/ctl/core.hpp"
#include "camx/ctl/enclosure.hpp"
#include "camx/ctl/lun_check.hpp"
#include "camx/scsi/opcode.hpp"
#include "camx/scsi/report_luns.hpp"

namespace camx::ctl {
namespace {

using scsi::Opcode;
constexpr std::uint8_t op(Opcode o) {
    return scsi::to_u8(o);
}

// opcode, service action, CDB length, access, needs media, SPC-2 allowed, UA exempt, no LUN,
// handler, Data-Out length.
const CommandSpec table[] = {
    {op(Opcode::test_unit_ready),
     {},
     6,
     Access::none,
     true,
     false,
     false,
     false,
     handle_test_unit_ready},
    {op(Opcode::request_sense), {}, 6, Access::none, false, true, true, true, handle_request_sense},
    {op(Opcode::read_6), {}, 6, Access::read, true, false, false, false, handle_read_6},
    {op(Opcode::write_6),
     {},
     6,
     Access::write,
     true,
     false,
     false,
     false,
     handle_write_6,
     data_out_write_6},
    {op(Opcode::inquiry), {}, 6, Access::none, false, true, true, true, handle_inquiry},
    {op(Opcode::mode_select_6),
     {},
     6,
     Access::write,
     false,
     false,
     false,
     false,
     handle_mode_select_6,
     data_out_mode_select_6},
    {op(Opcode::reserve_6), {}, 6, Access::write, false, false, false, false, handle_reserve_6},
    {op(Opcode::release_6), {}, 6, Access::write, false, true, false, false, handle_release_6},
    {op(Opcode::mode_sense_6),
     {},
     6,
     Access::read,
     false,
     false,
     false,
     false,
     handle_mode_sense_6},
    {op(Opcode::start_stop_unit),
     {},
     6,
     Access::write,
     false,
     false,
     false,
     false,
     handle_start_stop},
    {op(Opcode::prevent_allow_medium_removal),
     {},
     6,
     Access::read,
     false,
     false,
     false,
     false,
     handle_prevent_allow},
    {op(Opcode::read_capacity_10),
     {},
     10,
     Access::none,
     true,
     false,
     false,
     false,
     handle_read_capacity_10},
    {op(Opcode::read_10), {}, 10, Access::read, true, false, false, false, handle_read_10},
    {op(Opcode::write_10),
     {},
     10,
     Access::write,
     true,
     false,
     false,
     false,
     handle_write_10,
     data_out_write_10},
    {op(Opcode::write_and_verify_10),
     {},
     10,
     Access::write,
     true,
     false,
     false,
     false,
     handle_write_verify_10,
     data_out_write_verify_10},
    {op(Opcode::verify_10),
     {},
     10,
     Access::read,
     true,
     false,
     false,
     false,
     handle_verify_10,
     data_out_verify_10},
    {op(Opcode::read_defect_data_10),
     {},
     10,
     Access::read,
     false,
     false,
     false,
     false,
     handle_read_defect_data_10},
    {op(Opcode::pre_fetch_10), {}, 10, Access::read, true, false, false, false, handle_prefetch_10},
    {op(Opcode::sanitize), 0x01, 10, Access::write, true, false, false, false, handle_sanitize,
     data_out_sanitize},
    {op(Opcode::sanitize), 0x02, 10, Access::write, true, false, false, false, handle_sanitize,
     data_out_sanitize},
    {op(Opcode::sanitize), 0x03, 10, Access::write, true, false, false, false, handle_sanitize,
     data_out_sanitize},
    {op(Opcode::sanitize), 0x1f, 10, Access::write, true, false, false, false, handle_sanitize,
     data_out_sanitize},
    {op(Opcode::synchronize_cache_10),
     {},
     10,
     Access::write,
     true,
     false,
     false,
     false,
     handle_sync_cache_10},
    {op(Opcode::write_same_10),
     {},
     10,
     Access::write,
     true,
     false,
     false,
     false,
     handle_write_same_10,
     data_out_write_same_10},
    {op(Opcode::unmap),
     {},
     10,
     Access::write,
     true,
     false,
     false,
     false,
     handle_unmap,
     data_out_unmap},
    {op(Opcode::log_sense), {}, 10, Access::none, false, true, false, false, handle_log_sense},
    {op(Opcode::mode_select_10),
     {},
     10,
     Access::write,
     false,
     false,
     false,
     false,
     handle_mode_select_10,
     data_out_mode_select_10},
    {op(Opcode::reserve_10), {}, 10, Access::write, false, false, false, false, handle_reserve_10},
    {op(Opcode::release_10), {}, 10, Access::write, false, true, false, false, handle_release_10},
    {op(Opcode::mode_sense_10),
     {},
     10,
     Access::read,
     false,
     false,
     false,
     false,
     handle_mode_sense_10},
    {op(Opcode::persistent_reserve_in),
     {},
     10,
     Access::none,
     false,
     false,
     false,
     false,
     handle_pr_in},
    {op(Opcode::persistent_reserve_out),
     {},
     10,
     Access::none,
     false,
     false,
     false,
     false,
     handle_pr_out,
     data_out_pr_out},
    {op(Opcode::extended_copy), 0x00, 16, Access::write, true, false, false, false,
     handle_extended_copy, data_out_extended_copy},
    {op(Opcode::receive_copy_results), 0x00, 16, Access::none, false, false, false, false,
     handle_receive_copy_results},
    {op(Opcode::receive_copy_results), 0x03, 16, Access::none, false, false, false, false,
     handle_receive_copy_results},
    {op(Opcode::read_16), {}, 16, Access::read, true, false, false, false, handle_read_16},
    {op(Opcode::compare_and_write),
     {},
     16,
     Access::write,
     true,
     false,
     false,
     false,
     handle_compare_and_write,
     data_out_compare_and_write},
    {op(Opcode::write_16),
     {},
     16,
     Access::write,
     true,
     false,
     false,
     false,
     handle_write_16,
     data_out_write_16},
    {op(Opcode::write_and_verify_16),
     {},
     16,
     Access::write,
     true,
     false,
     false,
     false,
     handle_write_verify_16,
     data_out_write_verify_16},
    {op(Opcode::verify_16),
     {},
     16,
     Access::read,
     true,
     false,
     false,
     false,
     handle_verify_16,
     data_out_verify_16},
    {op(Opcode::read_defect_data_12),
     {},
     12,
     Access::read,
     false,
     false,
     false,
     false,
     handle_read_defect_data_12},
    {op(Opcode::orwrite_16),
     {},
     16,
     Access::write,
     true,
     false,
     false,
     false,
     handle_orwrite_16,
     data_out_orwrite_16},
    {op(Opcode::pre_fetch_16), {}, 16, Access::read, true, false, false, false, handle_prefetch_16},
    {op(Opcode::write_atomic_16),
     {},
     16,
     Access::write,
     true,
     false,
     false,
     false,
     handle_write_atomic_16,
     data_out_write_atomic_16},
    {op(Opcode::synchronize_cache_16),
     {},
     16,
     Access::write,
     true,
     false,
     false,
     false,
     handle_sync_cache_16},
    {op(Opcode::write_same_16),
     {},
     16,
     Access::write,
     true,
     false,
     false,
     false,
     handle_write_same_16,
     data_out_write_same_16},
    {op(Opcode::service_action_in_16), 0x10, 16, Access::none, true, false, false, false,
     handle_read_capacity_16},
    {op(Opcode::service_action_in_16), 0x12, 16, Access::read, true, false, false, false,
     handle_get_lba_status},
    {op(Opcode::report_luns), {}, 12, Access::none, false, true, true, true, handle_report_luns},
    {op(Opcode::maintenance_in), 0x0a, 12, Access::none, false, true, false, false,
     handle_report_tpg},
    {op(Opcode::maintenance_in), 0x0c, 12, Access::none, false, true, false, false,
     handle_report_opcodes},
    {op(Opcode::maintenance_in), 0x0d, 12, Access::none, false, true, false, false,
     handle_report_tmfs},
    {op(Opcode::read_12), {}, 12, Access::read, true, false, false, false, handle_read_12},
    {op(Opcode::write_12),
     {},
     12,
     Access::write,
     true,
     false,
     false,
     false,
     handle_write_12,
     data_out_write_12},
    {op(Opcode::write_and_verify_12),
     {},
     12,
     Access::write,
     true,
     false,
     false,
     false,
     handle_write_verify_12,
     data_out_write_verify_12},
    {op(Opcode::verify_12),
     {},
     12,
     Access::read,
     true,
     false,
     false,
     false,
     handle_verify_12,
     data_out_verify_12},
};

TaskResult sense_result(const Lun* lun, const CheckCondition& cc) {
    bool desc = false;
    if (lun) {
        std::lock_guard lock(lun->mutex);
        desc = lun->modes.descriptor_sense();
    }
    TaskResult r;
    r.status = status::check_condition;
    r.sense = scsi::Sense::build(cc.key, cc.asc, cc.ascq, desc, cc.information, cc.sks).encode();
    return r;
}

}  // namespace

std::span<const CommandSpec> command_table() {
    return table;
}

bool has_service_action(std::uint8_t opcode) {
    return opcode == op(Opcode::service_action_in_16) || opcode == op(Opcode::maintenance_in) ||
           opcode == op(Opcode::maintenance_out) || opcode == op(Opcode::extended_copy) ||
           opcode == op(Opcode::receive_copy_results) || opcode == op(Opcode::sanitize);
}

const CommandSpec* find_command(std::uint8_t opcode, std::uint8_t service_action) {
    bool sa = has_service_action(opcode);
    for (const auto& c : table) {
        if (c.opcode != opcode) continue;
        if (!sa || c.service_action == service_action) return &c;
    }
    return nullptr;
}

namespace {

// it_key decodes the TransportId and folds case; a thread serves the same few nexuses over
// and over, so it remembers the last one. The weak pointer keeps the nexus's control block,
// so no other nexus can compare equal to it.
const ItKey& cached_it_key(const std::shared_ptr<const Nexus>& nexus, ItKey& scratch) {
    if (!nexus) return scratch = it_key(Nexus{});
    thread_local std::weak_ptr<const Nexus> last;
    thread_local ItKey key;
    if (last.owner_before(nexus) || nexus.owner_before(last) || last.expired()) {
        key = it_key(*nexus);
        last = nexus;
    }
    return key;
}

}  // namespace

TaskResult dispatch(EngineCore& engine, const std::shared_ptr<Lun>& lun_in, const Pending& p) {
    const Task& task = p.task;
    static const Nexus no_nexus;
    const Nexus& nexus = task.nexus ? *task.nexus : no_nexus;
    std::shared_ptr<Lun> lun = lun_in.get() == engine.no_lun.get() ? nullptr : lun_in;
    ItKey scratch;
    Cmd cmd{engine, lun, task, nexus, cached_it_key(task.nexus, scratch), p.initiator_lun, {}};
    try {
        if (task.cdb.empty()) invalid_field_in_cdb(0);
        std::uint8_t opcode = task.cdb[0];
        std::uint8_t sa = task.cdb.size() > 1 ? (task.cdb[1] & 0x1f) : 0;
        const CommandSpec* spec =
            lun && lun->enclosure ? find_enclosure_command(opcode, sa) : find_command(opcode, sa);
        if (!lun && !(spec && spec->without_lun)) check(0x05, 0x25, 0x00);
        if (!spec) {
            if (has_service_action(opcode)) invalid_field_in_cdb(1, 4);
            invalid_opcode();
        }
        if (task.cdb.size() < spec->cdb_length) invalid_field_in_cdb(0);
        if (lun) {
            std::unique_lock lock(lun->mutex);
            if (lun->state.offline) throw StatusOnly{status::busy};
            if (lun->spc2_holder && !(*lun->spc2_holder == cmd.it) && !spec->spc2_allowed) {
                throw StatusOnly{status::reservation_conflict};
            }
            if (lun->pr.conflicts(cmd.it, spec->access))
                throw StatusOnly{status::reservation_conflict};
            if (!spec->ua_exempt) {
                if (auto ua = lun->ua.take(cmd.it)) check(0x06, ua->asc, ua->ascq);
            }
            if (spec->needs_media && !lun->backend) {
                lock.unlock();
                medium_not_present();
            }
        }
        spec->handler(cmd);
        return std::move(cmd.result);
    } catch (const CheckCondition& cc) {
        return sense_result(lun.get(), cc);
    } catch (const StatusOnly& s) {
        TaskResult r;
        r.status = s.status;
        return r;
    } catch (const Error& e) {
        switch (e.category()) {
            case Category::lba_out_of_range:
                return sense_result(lun.get(), {0x05, 0x21, 0x00, {}, {}});
            case Category::data_protect:
                return sense_result(lun.get(),
                                    {0x07, 0x27, 0x07, {}, {}});  // space allocation failed
            case Category::malformed:
                return sense_result(lun.get(), {0x05, 0x24, 0x00, {}, {}});
            default:
                return sense_result(lun.get(),
                                    {0x03, 0x11, 0x00, {}, {}});  // unrecovered read error
        }
    } catch (const std::exception&) {
        return sense_result(lun.get(), {0x04, 0x44, 0x00, {}, {}});  // INTERNAL TARGET FAILURE
    }
}

EngineCore::EngineCore(Engine::Options opts) : options(std::move(opts)) {
    tables_.store(std::make_shared<const Tables>());
    no_lun = std::make_shared<Lun>();
    no_lun->config.id = ~0ull;
    unsigned n = std::max(1u, options.workers);
    for (unsigned i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>());
    for (auto& w : workers_) {
        Worker* wp = w.get();
        w->thread = std::thread([this, wp] { run_worker(*wp); });
    }
}

EngineCore::~EngineCore() {
    for (auto& w : workers_) {
        {
            std::lock_guard lock(w->mutex);
            w->stop = true;
        }
        w->cv.notify_all();
    }
    for (auto& w : workers_) w->thread.join();
}

void EngineCore::enqueue(const std::shared_ptr<Lun>& lun, std::shared_ptr<Pending> pending) {
    bool schedule = false;
    {
        std::lock_guard lock(lun->queue_mutex);
        lun->queue.push_back(std::move(pending));
        schedule = !lun->active;
        lun->active = true;
    }
    if (schedule) wake(lun);
}

void EngineCore::wake(const std::shared_ptr<Lun>& lun) {
    Worker& w = *workers_[lun->config.id % workers_.size()];
    {
        std::lock_guard lock(w.mutex);
        w.ready.push_back(lun);
    }
    w.cv.notify_one();
}

namespace {

// READ and WRITE on memory or a file take microseconds: on an idle LUN the submitting
// thread runs them itself, saving the hand-off to a worker and back. Block devices may
// stall on the media, everything else may take long or touch several LUNs.
bool inline_command(const Lun& lun, const Task& task) {
    if (lun.enclosure || lun.config.backend == BackendKind::block) return false;
    if (task.attribute != TaskAttribute::simple || task.cdb.empty()) return false;
    switch (static_cast<Opcode>(task.cdb[0])) {
        case Opcode::read_6:
        case Opcode::read_10:
        case Opcode::read_12:
        case Opcode::read_16:
        case Opcode::write_6:
        case Opcode::write_10:
        case Opcode::write_12:
        case Opcode::write_16:
            return true;
        default:
            return false;
    }
}

}  // namespace

bool EngineCore::run_inline(const std::shared_ptr<Lun>& lun,
                            const std::shared_ptr<Pending>& pending) {
    if (lun.get() == no_lun.get() || !inline_command(*lun, pending->task)) return false;
    {
        std::lock_guard lock(lun->queue_mutex);
        if (lun->active) return false;
        lun->active = true;
        lun->running = pending;
    }
    // Tasks that arrived meanwhile went to the queue; hand them to the worker afterwards,
    // also when the completion throws.
    struct Release {
        EngineCore& core;
        const std::shared_ptr<Lun>& lun;
        ~Release() {
            bool more = false;
            {
                std::lock_guard lock(lun->queue_mutex);
                lun->running.reset();
                more = !lun->queue.empty();
                lun->active = more;
            }
            if (more) core.wake(lun);
        }
    } release{*this, lun};
    run_task(lun, *pending);
    return true;
}

void EngineCore::run_worker(Worker& w) {
    for (;;) {
        std::shared_ptr<Lun> lun;
        {
            std::unique_lock lock(w.mutex);
            w.cv.wait(lock, [&] { return w.stop || !w.ready.empty(); });
            if (w.ready.empty()) return;
            lun = std::move(w.ready.front());
            w.ready.pop_front();
        }
        drain(lun);
    }
}

void EngineCore::drain(const std::shared_ptr<Lun>& lun) {
    for (;;) {
        std::shared_ptr<Pending> p;
        {
            std::lock_guard lock(lun->queue_mutex);
            if (lun->queue.empty()) {
                lun->running.reset();
                lun->active = false;
                return;
            }
            p = lun->queue.front();
            lun->queue.pop_front();
            lun->running = p;
        }
        run_task(lun, *p);
        {
            std::lock_guard lock(lun->queue_mutex);
            lun->running.reset();
        }
    }
}

void EngineCore::run_task(const std::shared_ptr<Lun>& lun, Pending& p) {
    TaskResult r;
    if (p.aborted.load()) {
        r.status = status::task_aborted;
        r.aborted = true;
    } else {
        r = dispatch(*this, lun, p);
    }
    auto ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::steady_clock::now() - p.arrived)
                                             .count());
    auto& c = lun->counters;
    c.commands.fetch_add(1, std::memory_order_relaxed);
    if (r.status != status::good) c.errors.fetch_add(1, std::memory_order_relaxed);
    c.latency_ns_sum.fetch_add(ns, std::memory_order_relaxed);
    std::uint64_t prev = c.latency_ns_max.load(std::memory_order_relaxed);
    while (ns > prev && !c.latency_ns_max.compare_exchange_weak(prev, ns)) {
    }
    if (p.done) p.done(std::move(r));
}

std::size_t EngineCore::abort_where(Lun& lun, const std::function<bool(const Pending&)>& pred) {
    std::lock_guard lock(lun.queue_mutex);
    std::size_t n = 0;
    for (auto& p : lun.queue) {
        if (pred(*p) && !p->aborted.exchange(true)) ++n;
    }
    return n;
}

void EngineCore::reservation_changed(const Lun& lun) {
    if (!options.on_reservation_change) return;
    nlohmann::json j;
    {
        std::lock_guard lock(lun.mutex);
        j = lun.pr.to_json();
    }
    options.on_reservation_change(lun.config.id, j);
}

std::shared_ptr<Lun> EngineCore::resolve(const Tables& t, const std::string& port,
                                         std::uint64_t initiator_lun) const {
    auto pi = t.ports.find(port);
    if (pi == t.ports.end() || !pi->second.online) return nullptr;
    std::uint64_t id = initiator_lun;
    if (pi->second.lun_map) {
        auto m = pi->second.lun_map->find(initiator_lun);
        if (m == pi->second.lun_map->end()) return nullptr;
        id = m->second;
    }
    auto li = t.luns.find(id);
    return li == t.luns.end() ? nullptr : li->second;
}

std::vector<std::uint64_t> EngineCore::visible_luns(const Tables& t,
                                                    const std::string& port) const {
    std::vector<std::uint64_t> out;
    auto pi = t.ports.find(port);
    if (pi == t.ports.end() || !pi->second.online) return out;
    if (pi->second.lun_map) {
        for (const auto& [ilun, id] : *pi->second.lun_map) {
            if (t.luns.contains(id)) out.push_back(ilun);
        }
    } else {
        for (const auto& [id, lun] : t.luns) out.push_back(id);
    }
    return out;
}

std::shared_ptr<Lun> EngineCore::lun_by_naa(std::uint64_t naa) const {
    auto t = tables();
    for (const auto& [id, lun] : t->luns) {
        if (lun->naa == naa) return lun;
    }
    return nullptr;
}

// ---- Engine -------------------------------------------------------------------------------

struct Engine::Impl : EngineCore {
    using EngineCore::EngineCore;

    template <typename F>
    void change(F&& f) {
        auto next = std::make_shared<Tables>(*tables_.load());
        f(*next);
        tables_.store(std::move(next));
    }
    std::shared_ptr<Lun> get(std::uint64_t id) const {
        auto t = tables();
        auto i = t->luns.find(id);
        if (i == t->luns.end()) throw Error(Category::no_device, fmt::format("no LUN {}", id));
        return i->second;
    }
    void all_established(UaCode code) {
        auto t = tables();  // held: a reload may swap the tables meanwhile
        for (const auto& [id, lun] : t->luns) {
            std::lock_guard lock(lun->mutex);
            lun->ua.establish_all(code);
        }
    }
};

namespace {

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return h;
}

void validate(const LunConfig& c) {
    check_lun(c);
}

}  // namespace

namespace {
void no_media_operation_on_enclosure(const Lun& lun) {
    if (lun.enclosure)
        throw Error(Category::usage, fmt::format("LUN {} is an enclosure", lun.config.id));
}

// A new size for the media (lun.mutex held). Every nexus learns of a new capacity before its
// next command (SBC-4 4.7: CAPACITY DATA HAS CHANGED).
void resize(Lun& lun, std::uint64_t size_bytes, bool force) {
    if (lun.backend) {
        lun.backend->resize(size_bytes, force);
        std::uint64_t blocks = lun.backend->size_bytes() / lun.block_size();
        if (blocks != lun.blocks) {
            lun.blocks = blocks;
            lun.ua.establish_all(ua::capacity_changed);
        }
    }
    lun.config.size_bytes = size_bytes;
}
}  // namespace

Engine::Engine() : Engine(Options{}) {}
Engine::Engine(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Engine::~Engine() = default;

namespace {
// A LUN with its media open, not in any table yet.
std::shared_ptr<Lun> build_lun(const LunConfig& config) {
    validate(config);
    auto lun = std::make_shared<Lun>();
    lun->config = config;
    lun->serial = config.options.serial.empty() ? fmt::format("CAMX{:08X}", config.id)
                                                : config.options.serial;
    lun->naa = config.options.naa.value_or(
        (0x3ull << 60) | (fnv1a(fmt::format("{}/{}", lun->serial, config.id)) >> 4));
    lun->modes = ModePages::make(config.options);
    lun->open_media();
    return lun;
}
}  // namespace

void Engine::add_lun(const LunConfig& config) {
    std::lock_guard admin(impl_->admin_mutex);
    if (impl_->tables()->luns.contains(config.id)) {
        throw Error(Category::usage, fmt::format("LUN {} already exists", config.id));
    }
    auto lun = build_lun(config);
    impl_->all_established(ua::reported_luns_changed);
    impl_->change([&](Tables& t) { t.luns[config.id] = lun; });
}

struct PreparedLuns::Impl {
    std::map<std::uint64_t, std::shared_ptr<Lun>> in;  // new and replacing LUNs
    std::set<std::uint64_t> remove;                    // taken out (or replaced)
};

PreparedLuns::PreparedLuns() : impl_(std::make_unique<Impl>()) {}
PreparedLuns::~PreparedLuns() = default;
PreparedLuns::PreparedLuns(PreparedLuns&&) noexcept = default;
PreparedLuns& PreparedLuns::operator=(PreparedLuns&&) noexcept = default;

PreparedLuns Engine::prepare(const LunUpdate& update) const {
    PreparedLuns out;
    std::vector<std::pair<std::uint64_t, Error>> problems;
    auto fail = [&](std::uint64_t id, const Error& e) { problems.emplace_back(id, e); };
    auto running = impl_->tables();
    for (auto id : update.remove)
        if (!running->luns.contains(id)) fail(id, Error(Category::no_device, "no such LUN"));
    auto take = [&](std::uint64_t id, auto&& make) {
        if (out.impl_->in.contains(id)) {
            fail(id, Error(Category::usage, "defined twice"));
        } else if (running->luns.contains(id) && !update.remove.count(id)) {
            fail(id, Error(Category::usage, "already exists"));
        } else {
            try {
                out.impl_->in[id] = make();
            } catch (const Error& e) {
                fail(id, e);
            }
        }
    };
    for (const auto& c : update.luns) take(c.id, [&] { return build_lun(c); });
    for (const auto& [id, c] : update.enclosures)
        take(id, [&] { return make_enclosure_lun(id, c); });
    if (!problems.empty()) {
        std::string msg;
        for (const auto& [id, e] : problems)
            msg += fmt::format("{}LUN {}: {}", msg.empty() ? "" : "\n", id, e.what());
        throw Error(problems.front().second.category(), msg);
    }
    out.impl_->remove = update.remove;
    return out;
}

std::vector<std::string> Engine::commit(PreparedLuns prepared) {
    auto& p = *prepared.impl_;
    std::vector<std::shared_ptr<Lun>> out;
    {
        std::lock_guard admin(impl_->admin_mutex);
        const auto& running = impl_->tables()->luns;
        for (auto id : p.remove)
            if (!running.contains(id))
                throw Error(Category::usage, fmt::format("LUN {} went away since prepared", id));
        for (const auto& [id, lun] : p.in)
            if (running.contains(id) && !p.remove.count(id))
                throw Error(Category::usage, fmt::format("LUN {} appeared since prepared", id));
        for (auto id : p.remove) out.push_back(running.at(id));
        bool inventory = std::any_of(p.remove.begin(), p.remove.end(),
                                     [&](std::uint64_t id) { return !p.in.contains(id); }) ||
                         std::any_of(p.in.begin(), p.in.end(),
                                     [&](const auto& kv) { return !p.remove.count(kv.first); });
        impl_->change([&](Tables& t) {
            for (auto id : p.remove) t.luns.erase(id);
            for (const auto& [id, lun] : p.in) t.luns[id] = lun;
        });
        auto now = impl_->tables();
        if (inventory)
            for (const auto& [id, lun] : now->luns) {
                if (p.in.contains(id)) continue;  // a new LUN has its power-on attention
                std::lock_guard lock(lun->mutex);
                lun->ua.establish_all(ua::reported_luns_changed);
            }
    }
    // Commands already running on a LUN taken out finish on its backend; the flush catches
    // what they wrote. The switch has happened: a failure here is a report, not a rollback.
    std::vector<std::string> problems;
    for (const auto& lun : out) {
        std::lock_guard lock(lun->mutex);
        try {
            lun->close_media();
        } catch (const Error& e) {
            problems.push_back(fmt::format("LUN {}: {}", lun->config.id, e.what()));
        }
    }
    return problems;
}

void Engine::remove_lun(std::uint64_t id) {
    std::lock_guard admin(impl_->admin_mutex);
    auto lun = impl_->get(id);
    impl_->change([&](Tables& t) { t.luns.erase(id); });
    impl_->all_established(ua::reported_luns_changed);
    std::lock_guard lock(lun->mutex);
    lun->close_media();
}

void Engine::modify_lun(std::uint64_t id, const LunChange& change) {
    std::lock_guard admin(impl_->admin_mutex);
    auto lun = impl_->get(id);
    no_media_operation_on_enclosure(*lun);
    if (change.options || change.size_bytes) {
        LunConfig next = lun->config;
        if (change.options) next.options = *change.options;
        if (change.size_bytes) next.size_bytes = *change.size_bytes;
        validate(next);
        if (next.options.blocksize != lun->config.options.blocksize) {
            throw Error(Category::usage, "the blocksize of an existing LUN cannot change");
        }
    }
    std::lock_guard lock(lun->mutex);
    // The size first: a refused resize changes nothing.
    if (change.size_bytes) resize(*lun, *change.size_bytes, change.force);
    if (change.options) {
        bool wce = change.options->write_cache != lun->config.options.write_cache;
        lun->config.options = *change.options;
        lun->state.read_only =
            lun->config.options.readonly || (lun->backend && lun->backend->read_only());
        if (wce) {
            for (auto* pages : {&lun->modes.current, &lun->modes.defaults}) {
                for (auto& p : *pages) {
                    if (p.page_code == 0x08)
                        scsi::set_field(p, "wce", change.options->write_cache ? 1 : 0);
                }
            }
            lun->ua.establish_all(ua::mode_parameters_changed);
        }
    }
}

void Engine::set_lun_online(std::uint64_t id, bool online) {
    auto lun = impl_->get(id);
    std::lock_guard lock(lun->mutex);
    lun->state.offline = !online;
}

void Engine::eject(std::uint64_t id) {
    auto lun = impl_->get(id);
    no_media_operation_on_enclosure(*lun);
    std::lock_guard lock(lun->mutex);
    lun->close_media();
    lun->state.ejected = true;
}

void Engine::load(std::uint64_t id, std::optional<std::string> path) {
    auto lun = impl_->get(id);
    no_media_operation_on_enclosure(*lun);
    std::lock_guard lock(lun->mutex);
    if (path) {
        lun->config.path = *path;
        lun->config.size_bytes = 0;  // a new file keeps its own size
    }
    lun->close_media();
    lun->open_media();
    lun->state.ejected = false;
    lun->ua.establish_all(ua::medium_changed);
}

namespace {
LunInfo info_of(const Lun& lun) {
    std::lock_guard lock(lun.mutex);
    const LunOptions& o = lun.config.options;
    LunInfo info{lun.config, lun.state,  lun.blocks,
                 lun.naa,    lun.serial, reported_device_id(o.device_id, o.product, lun.serial)};
    if (lun.enclosure) info.device_type = 0x0d;
    return info;
}
}  // namespace

std::vector<LunInfo> Engine::luns() const {
    std::vector<LunInfo> out;
    auto t = impl_->tables();
    for (const auto& [id, lun] : t->luns) out.push_back(info_of(*lun));
    return out;
}

LunInfo Engine::lun(std::uint64_t id) const {
    return info_of(*impl_->get(id));
}

LunStats Engine::stats(std::uint64_t id) const {
    auto lun = impl_->get(id);
    const auto& c = lun->counters;
    return {c.commands.load(),       c.read_commands.load(), c.write_commands.load(),
            c.bytes_read.load(),     c.bytes_written.load(), c.errors.load(),
            c.latency_ns_sum.load(), c.latency_ns_max.load()};
}

void Engine::add_port(const PortConfig& port) {
    std::lock_guard admin(impl_->admin_mutex);
    if (impl_->tables()->ports.contains(port.name)) {
        throw Error(Category::usage, fmt::format("port {} already exists", port.name));
    }
    impl_->change([&](Tables& t) { t.ports[port.name] = port; });
}

void Engine::remove_port(const std::string& name) {
    std::lock_guard admin(impl_->admin_mutex);
    if (!impl_->tables()->ports.contains(name))
        throw Error(Category::no_device, fmt::format("no port {}", name));
    impl_->change([&](Tables& t) { t.ports.erase(name); });
}

void Engine::set_port_online(const std::string& name, bool online) {
    std::lock_guard admin(impl_->admin_mutex);
    if (!impl_->tables()->ports.contains(name))
        throw Error(Category::no_device, fmt::format("no port {}", name));
    impl_->change([&](Tables& t) { t.ports[name].online = online; });
}

void Engine::map_lun(const std::string& port, std::uint64_t initiator_lun, std::uint64_t lun_id) {
    std::lock_guard admin(impl_->admin_mutex);
    if (!impl_->tables()->ports.contains(port))
        throw Error(Category::no_device, fmt::format("no port {}", port));
    impl_->get(lun_id);
    if (initiator_lun > 0x3fff) throw Error(Category::usage, "initiator LUN above 16383");
    impl_->change([&](Tables& t) {
        auto& p = t.ports[port];
        if (!p.lun_map) p.lun_map.emplace();
        (*p.lun_map)[initiator_lun] = lun_id;
    });
    impl_->all_established(ua::reported_luns_changed);
}

void Engine::unmap_lun(const std::string& port, std::uint64_t initiator_lun) {
    std::lock_guard admin(impl_->admin_mutex);
    if (!impl_->tables()->ports.contains(port))
        throw Error(Category::no_device, fmt::format("no port {}", port));
    impl_->change([&](Tables& t) {
        auto& p = t.ports[port];
        if (!p.lun_map) p.lun_map.emplace();
        p.lun_map->erase(initiator_lun);
    });
    impl_->all_established(ua::reported_luns_changed);
}

std::vector<PortConfig> Engine::ports() const {
    std::vector<PortConfig> out;
    auto t = impl_->tables();
    for (const auto& [name, p] : t->ports) out.push_back(p);
    return out;
}

nlohmann::json Engine::save_reservations(std::uint64_t id) const {
    auto lun = impl_->get(id);
    std::lock_guard lock(lun->mutex);
    return lun->pr.to_json();
}

PrState Engine::reservations(std::uint64_t id) const {
    auto lun = impl_->get(id);
    std::lock_guard lock(lun->mutex);
    return lun->pr;
}

void Engine::restore_reservations(std::uint64_t id, const nlohmann::json& state) {
    auto lun = impl_->get(id);
    PrState s = PrState::from_json(state);
    std::lock_guard lock(lun->mutex);
    lun->pr = std::move(s);
}

namespace {

// Single-level LUNs below 256 read the same in Linux's integer form.
std::uint64_t initiator_lun(std::uint64_t task_lun) {
    return task_lun < 0x100 ? task_lun : scsi::Lun::from_int(task_lun).levels().front().lun;
}

}  // namespace

std::uint32_t Engine::data_out_length(const Nexus& nexus, std::uint64_t lun_addr, ByteView cdb) {
    if (cdb.empty()) return 0;
    auto t = impl_->tables();
    std::shared_ptr<Lun> lun = impl_->resolve(*t, nexus.port, initiator_lun(lun_addr));
    if (!lun) return 0;  // LOGICAL UNIT NOT SUPPORTED; no command without a LUN takes data
    std::uint8_t sa = cdb.size() > 1 ? (cdb[1] & 0x1f) : 0;
    const CommandSpec* spec =
        lun->enclosure ? find_enclosure_command(cdb[0], sa) : find_command(cdb[0], sa);
    if (!spec || !spec->data_out || cdb.size() < spec->cdb_length) return 0;
    MediumShape m;
    m.block_size = lun->block_size();
    {
        std::lock_guard lock(lun->mutex);
        m.blocks = lun->blocks;
    }
    std::uint64_t n = spec->data_out(cdb, m);
    return n > max_transfer_bytes ? 0 : static_cast<std::uint32_t>(n);
}

void Engine::submit(Task task, std::function<void(TaskResult)> done) {
    auto p = std::make_shared<Pending>();
    p->arrived = std::chrono::steady_clock::now();
    p->initiator_lun = initiator_lun(task.lun);
    p->task = std::move(task);
    p->done = std::move(done);
    auto t = impl_->tables();
    std::shared_ptr<Lun> lun;
    if (p->task.nexus) lun = impl_->resolve(*t, p->task.nexus->port, p->initiator_lun);
    if (!lun) lun = impl_->no_lun;
    if (impl_->run_inline(lun, p)) return;
    impl_->enqueue(lun, std::move(p));
}

TaskResult Engine::execute(Task task) {
    std::promise<TaskResult> promise;
    auto f = promise.get_future();
    submit(std::move(task), [&promise](TaskResult r) { promise.set_value(std::move(r)); });
    return f.get();
}

}  // namespace camx::ctl

namespace camx::ctl {

TmfResponse Engine::task_management(const Nexus& nexus, TmfFunction fn, std::uint64_t lun,
                                    std::uint32_t referenced_tag) {
    return ctl::task_management(*impl_, nexus, fn, lun, referenced_tag);
}

void Engine::nexus_lost(const Nexus& nexus) {
    ctl::nexus_lost(*impl_, nexus);
}

}  // namespace camx::ctl

// ---- enclosure services LUNs (enclosure.hpp) ----------------------------------------------

namespace camx::ctl {

namespace {
EnclosureUnit& enclosure_of(const Lun& lun) {
    if (!lun.enclosure)
        throw Error(Category::usage, fmt::format("LUN {} is not an enclosure", lun.config.id));
    return *lun.enclosure;
}
}  // namespace

void Engine::add_enclosure(std::uint64_t id, const EnclosureConfig& config) {
    std::lock_guard admin(impl_->admin_mutex);
    if (impl_->tables()->luns.contains(id)) {
        throw Error(Category::usage, fmt::format("LUN {} already exists", id));
    }
    auto lun = make_enclosure_lun(id, config);
    impl_->all_established(ua::reported_luns_changed);
    impl_->change([&](Tables& t) { t.luns[id] = lun; });
}

void Engine::modify_enclosure(std::uint64_t id, const EnclosureConfig& config) {
    std::lock_guard admin(impl_->admin_mutex);
    enclosure_of(*impl_->get(id)).reconfigure(config);
}

EnclosureConfig Engine::enclosure_config(std::uint64_t id) const {
    return enclosure_of(*impl_->get(id)).config();
}

nlohmann::json Engine::enclosure_state(std::uint64_t id) const {
    return enclosure_of(*impl_->get(id)).state_json();
}

void Engine::simulate(std::uint64_t id, const EnclosureCondition& condition) {
    enclosure_of(*impl_->get(id)).simulate(condition);
}

}  // namespace camx::ctl
