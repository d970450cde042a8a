// SPDX-License-Identifier: BSD-2-Clause
#include "daemon.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "camx/ctl/lun_check.hpp"
#include "camx/error/error.hpp"
#include "camx/transport/fd.hpp"
#include "config_map.hpp"
#include "iscsi/connection.hpp"

namespace camx::ctld {

namespace {

bool same_media(const ctl::LunConfig& a, const ctl::LunConfig& b) {
    return a.backend == b.backend && a.path == b.path && a.capacity_bytes == b.capacity_bytes &&
           a.options.blocksize == b.options.blocksize;
}

// What an initiator takes for the enclosure's identity: a change means a new LUN.
bool same_identity(const ctl::EnclosureConfig& a, const ctl::EnclosureConfig& b) {
    return a.vendor == b.vendor && a.product == b.product && a.revision == b.revision &&
           a.serial == b.serial && a.logical_identifier == b.logical_identifier;
}

bool has_lun(const DaemonConfig& c, std::uint64_t id) {
    return c.enclosures.count(id) ||
           std::any_of(c.luns.begin(), c.luns.end(),
                       [&](const ctl::LunConfig& l) { return l.id == id; });
}

void log(const std::string& line) {
    std::fprintf(stderr, "ctld: %s\n", line.c_str());
}

}  // namespace

std::string port_name(std::string_view target, std::uint16_t portal_group_tag) {
    return fmt::format("{},t,0x{:04x}", target, portal_group_tag);
}

void check(const DaemonConfig& config) {
    std::set<std::uint64_t> ids;
    for (const auto& l : config.luns)
        if (!ids.insert(l.id).second)
            throw Error(Category::usage, fmt::format("LUN id {} defined twice", l.id));
    for (const auto& [id, e] : config.enclosures)
        if (!ids.insert(id).second)
            throw Error(Category::usage, fmt::format("LUN id {} defined twice", id));
    for (const auto& [target, map] : config.lun_maps) {
        bool known = std::any_of(config.iscsi.targets.begin(), config.iscsi.targets.end(),
                                 [&](const IscsiTarget& t) { return t.name == target; });
        if (!known)
            throw Error(Category::usage, fmt::format("LUN map for unknown target {}", target));
        for (const auto& [lun, id] : map)
            if (!ids.count(id))
                throw Error(Category::usage,
                            fmt::format("target {} LUN {}: no engine LUN {}", target, lun, id));
    }
}

Daemon::Daemon(DaemonConfig config) : Daemon(std::move(config), Options{}) {}

Daemon::Daemon(DaemonConfig config, Options options) {
    if (options.state_dir) {
        state_ = std::make_unique<target_config::StateDir>(*options.state_dir);
        for (auto& saved : state_->luns()) runtime_luns_[saved.lun] = std::move(saved.spec);
        load_runtime_maps();
        load_runtime_portals();
    }
    RuntimeMerge merged = merge_runtime(config);
    check(config);
    ctl::Engine::Options eo;
    eo.workers = options.workers;
    if (state_)
        eo.on_reservation_change = [this](std::uint64_t id, const nlohmann::json& state) {
            reservation_changed(id, state);
        };
    engine_ = std::make_unique<ctl::Engine>(eo);
    frontend_ = std::make_unique<IscsiFrontend>(*engine_);
    auto ports = plan_ports(config);
    ctl::LunUpdate update;
    update.luns = config.luns;
    update.enclosures = config.enclosures;
    Prepared prepared = prepare(update, config.iscsi);
    set_names(config);
    commit_luns(std::move(prepared.luns), update);
    keep_merge(std::move(merged));
    for (const auto& [name, p] : ports) engine_->add_port(p);
    ports_ = std::move(ports);
    frontend_->commit(std::move(prepared.frontend));
    config_ = std::move(config);
}

Daemon::~Daemon() {
    // Connections go first: their tasks complete into the engine before it goes away.
    if (frontend_) frontend_->stop();
}

std::map<std::string, ctl::PortConfig> Daemon::plan_ports(DaemonConfig& config) {
    std::map<std::string, ctl::PortConfig> out;
    for (auto& t : config.iscsi.targets) {
        for (auto& tp : t.portals) {
            const PortalGroup* pg = find_portal_group(config.iscsi, tp.portal_group);
            if (!pg)
                throw Error(Category::usage,
                            fmt::format("target {}: no portal-group {}", t.name, tp.portal_group));
            tp.port = port_name(t.name, pg->tag);
            auto [it, fresh] = relative_ports_.try_emplace(tp.port, 0);
            if (fresh) {
                std::set<std::uint16_t> used;
                for (const auto& [n, id] : relative_ports_) used.insert(id);
                std::uint16_t id = 1;
                while (used.count(id)) ++id;
                it->second = id;
            }
            tp.relative_target_port = it->second;
            ctl::PortConfig p;
            p.name = tp.port;
            p.relative_target_port = it->second;
            auto m = config.lun_maps.find(t.name);
            p.lun_map =
                m == config.lun_maps.end() ? std::map<std::uint64_t, std::uint64_t>{} : m->second;
            if (auto r = runtime_maps_.find(p.name); r != runtime_maps_.end())
                for (const auto& [plun, lun] : r->second) {
                    bool exists = lun && has_lun(config, *lun);
                    if (lun && !exists) continue;  // its LUN is gone: the file's map applies
                    if (lun)
                        (*p.lun_map)[plun] = *lun;
                    else
                        p.lun_map->erase(plun);
                }
            out[p.name] = p;
        }
    }
    return out;
}

// What a reload changes in the engine: LUNs to build (new ones, and those whose media or
// identity changed, which replace the running ones), LUNs to take out, and changes made in
// place (size, options, an enclosure's elements). Unchanged LUNs appear nowhere.
Daemon::LunPlan Daemon::plan_luns(const DaemonConfig& next) const {
    LunPlan plan;
    std::map<std::uint64_t, const ctl::LunConfig*> old;
    for (const auto& l : config_.luns) old[l.id] = &l;
    for (const auto& l : next.luns) {
        auto it = old.find(l.id);
        if (it == old.end() || !same_media(*it->second, l)) {
            if (has_lun(config_, l.id)) plan.update.remove.insert(l.id);
            plan.update.luns.push_back(l);
            continue;
        }
        const ctl::LunConfig& o = *it->second;
        InPlace change{l.id, {}, {}, {}, {}};
        if (o.size_bytes != l.size_bytes) {
            change.lun.size_bytes = l.size_bytes;
            change.undo_lun.size_bytes = o.size_bytes;
        }
        if (!(o.options == l.options)) {
            change.lun.options = l.options;
            change.undo_lun.options = o.options;
        }
        if (change.lun.size_bytes || change.lun.options) plan.in_place.push_back(change);
    }
    // An unchanged enclosure keeps its element state (LEDs, simulated conditions); a changed
    // one is reconfigured in place unless its identity changed.
    for (const auto& [id, e] : next.enclosures) {
        auto it = config_.enclosures.find(id);
        if (it == config_.enclosures.end() || !same_identity(it->second, e)) {
            if (has_lun(config_, id)) plan.update.remove.insert(id);
            plan.update.enclosures[id] = e;
        } else if (!(it->second == e)) {
            plan.in_place.push_back({id, {}, {}, e, it->second});
        }
    }
    for (const auto& l : config_.luns)
        if (!has_lun(next, l.id)) plan.update.remove.insert(l.id);
    for (const auto& [id, e] : config_.enclosures)
        if (!has_lun(next, id)) plan.update.remove.insert(id);
    return plan;
}

// Every in-place change is tried, so that the error names all that fail; on any failure
// the ones made are undone.
void Daemon::apply_in_place(const std::vector<InPlace>& changes) {
    std::vector<InPlace> done;
    std::vector<std::string> problems;
    std::optional<Category> category;
    for (const auto& c : changes) {
        try {
            if (c.enclosure)
                engine_->modify_enclosure(c.id, *c.enclosure);
            else
                engine_->modify_lun(c.id, c.lun);
            done.push_back(c);
        } catch (const Error& e) {
            if (!category) category = e.category();
            problems.push_back(fmt::format("LUN {}: {}", c.id, e.what()));
        }
    }
    if (problems.empty()) return;
    undo_in_place(done);
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
    throw Error(*category, msg);
}

// Best effort: what cannot be taken back is logged, the reload's error is what counts.
void Daemon::undo_in_place(const std::vector<InPlace>& done) {
    for (const auto& c : done) {
        try {
            if (c.enclosure)
                engine_->modify_enclosure(c.id, *c.undo_enclosure);
            else
                engine_->modify_lun(c.id, c.undo_lun);
        } catch (const Error& e) {
            log(fmt::format("LUN {}: change not undone: {}", c.id, e.what()));
        }
    }
}

// Both halves prepared before either is used: one error lists what fails in each.
Daemon::Prepared Daemon::prepare(const ctl::LunUpdate& update, const FrontendConfig& iscsi) {
    Prepared out;
    std::optional<Error> luns_failed;
    std::optional<Error> frontend_failed;
    try {
        out.luns = engine_->prepare(update);
    } catch (const Error& e) {
        luns_failed = e;
    }
    try {
        out.frontend = frontend_->prepare(iscsi);
    } catch (const Error& e) {
        frontend_failed = e;
    }
    if (luns_failed && frontend_failed)
        throw Error(luns_failed->category(),
                    fmt::format("{}\n{}", luns_failed->what(), frontend_failed->what()));
    if (luns_failed) throw *luns_failed;
    if (frontend_failed) throw *frontend_failed;
    return out;
}

void Daemon::commit_luns(ctl::PreparedLuns luns, const ctl::LunUpdate& update) {
    for (const auto& problem : engine_->commit(std::move(luns))) log(problem);
    for (const auto& l : update.luns) restore_reservations(l.id);
}

void Daemon::apply_ports(const std::map<std::string, ctl::PortConfig>& next) {
    for (const auto& [name, p] : next) {
        auto it = ports_.find(name);
        if (it == ports_.end()) {
            engine_->add_port(p);
            continue;
        }
        const auto& before = it->second.lun_map.value_or(std::map<std::uint64_t, std::uint64_t>{});
        const auto& after = p.lun_map.value_or(std::map<std::uint64_t, std::uint64_t>{});
        for (const auto& [lun, id] : before)
            if (!after.count(lun)) engine_->unmap_lun(name, lun);
        for (const auto& [lun, id] : after) {
            auto b = before.find(lun);
            if (b == before.end() || b->second != id) engine_->map_lun(name, lun, id);
        }
    }
}

// All or nothing, as FreeBSD ctld's conf_apply: everything that can fail (new LUNs and their
// backends, new portals, in-place LUN changes) is done first, out of sight or undoable; then
// the switch, which cannot fail. Until then the running configuration is untouched.
void Daemon::reload(DaemonConfig config) {
    RuntimeMerge merged = merge_runtime(config);
    check(config);
    auto relative = relative_ports_;
    try {
        auto ports = plan_ports(config);
        LunPlan plan = plan_luns(config);
        Prepared prepared = prepare(plan.update, config.iscsi);
        apply_in_place(plan.in_place);
        set_names(config);
        try {
            commit_luns(std::move(prepared.luns), plan.update);
        } catch (...) {
            undo_in_place(plan.in_place);
            throw;
        }
        // Nothing below fails. New ports first, then the frontend, then what is gone: a port
        // that stays is never taken away in between.
        apply_ports(ports);
        frontend_->commit(std::move(prepared.frontend));
        for (const auto& [name, p] : ports_)
            if (!ports.count(name)) {
                engine_->remove_port(name);
                relative_ports_.erase(name);
            }
        ports_ = std::move(ports);
    } catch (...) {
        relative_ports_ = std::move(relative);
        throw;
    }
    keep_merge(std::move(merged));
    config_ = std::move(config);
}

std::string Daemon::lun_name(std::uint64_t id) const {
    std::lock_guard lock(names_mutex_);
    auto it = names_.find(id);
    return it == names_.end() ? fmt::format("lun{}", id) : it->second;
}

std::set<std::uint64_t> Daemon::runtime_lun_ids() const {
    std::set<std::uint64_t> ids;
    for (const auto& [id, spec] : runtime_luns_) ids.insert(id);
    return ids;
}

std::filesystem::path Daemon::reservation_file(std::uint64_t id) const {
    return state_->dir() / "reservations" /
           (target_config::StateDir::escape_key(lun_name(id)) + ".json");
}

void Daemon::restore_reservations(std::uint64_t id) {
    if (!state_) return;
    auto path = reservation_file(id);
    std::ifstream in(path);
    if (!in) return;
    try {
        std::string text{std::istreambuf_iterator<char>(in), {}};
        engine_->restore_reservations(id, nlohmann::json::parse(text));
    } catch (const std::exception& e) {
        log(fmt::format("{}: reservations not restored: {}", path.string(), e.what()));
    }
}

// Only APTPL state is written: SPC-4 keeps reservations across a power loss only when the
// initiator asked for it, and a ctld restart is the logical unit's power cycle.
void Daemon::reservation_changed(std::uint64_t id, const nlohmann::json& state) {
    try {
        auto path = reservation_file(id);
        if (state.value("aptpl", false))
            target_config::write_atomic(path, state.dump() + "\n");
        else
            std::filesystem::remove(path);
    } catch (const std::exception& e) {
        log(fmt::format("LUN {}: reservations not saved: {}", id, e.what()));
    }
}

std::map<std::string, std::uint64_t> Daemon::ids_by_name() const {
    std::lock_guard lock(names_mutex_);
    std::map<std::string, std::uint64_t> out;
    for (const auto& [id, name] : names_) out[name] = id;
    return out;
}

// The engine LUN ids of an enclosure's slots: names resolved, kept as numbers (they stay
// valid whatever ctl.conf later calls its LUNs); each a LUN that is no enclosure.
ctl::EnclosureConfig Daemon::resolve_enclosure(const target_config::EnclosureSpec& spec,
                                               std::uint64_t id) const {
    auto by_name = ids_by_name();
    ctl::EnclosureConfig c = spec.config([&](const std::string& ref) -> std::uint64_t {
        if (auto it = by_name.find(ref); it != by_name.end()) return it->second;
        std::uint64_t n = 0;
        auto [p, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), n);
        if (ec != std::errc{} || p != ref.data() + ref.size() || ref.empty())
            throw Error(Category::usage, fmt::format("slot-luns: no LUN '{}'", ref));
        return n;
    });
    std::set<std::uint64_t> seen;
    for (const auto& s : c.slots) {
        if (!s.lun) continue;
        if (*s.lun == id)
            throw Error(Category::usage, "slot-luns: an enclosure cannot sit in its own slot");
        if (config_.enclosures.count(*s.lun))
            throw Error(Category::usage,
                        fmt::format("slot-luns: LUN {} is an enclosure, not a disk", *s.lun));
        if (!seen.insert(*s.lun).second)
            throw Error(Category::usage,
                        fmt::format("slot-luns: LUN {} is in more than one slot", *s.lun));
    }
    return c;
}

namespace {
std::string slot_lun_numbers(const ctl::EnclosureConfig& c) {
    std::string out;
    for (std::size_t i = 0; i < c.slots.size(); ++i)
        out += (i ? "," : "") + (c.slots[i].lun ? std::to_string(*c.slots[i].lun) : "");
    while (!out.empty() && out.back() == ',') out.pop_back();
    return out;
}
}  // namespace

ctl::LunInfo Daemon::create_lun(target_config::Lun spec, std::optional<std::uint64_t> id) {
    if (id) {
        if (auto problem = ctl::lun_id_problem(*id)) throw Error(Category::usage, *problem);
    }
    std::set<std::uint64_t> used;
    for (const auto& l : config_.luns) used.insert(l.id);
    for (const auto& [n, e] : config_.enclosures) used.insert(n);
    if (id && used.count(*id))
        throw Error(Category::usage, fmt::format("LUN {} already exists", *id));
    if (!id) {
        std::uint64_t n = 0;
        while (used.count(n)) ++n;
        id = n;
    }
    if (spec.name.empty()) spec.name = fmt::format("ctladm,lun,{}", *id);
    spec.ctl_lun = static_cast<std::uint32_t>(*id);
    const bool enclosure = spec.device_type == target_config::DeviceType::enclosure;
    ctl::LunConfig lc;
    ctl::EnclosureConfig ec;
    if (enclosure) {
        ec = resolve_enclosure(target_config::EnclosureSpec::of(spec), *id);
        if (spec.options.count("slot-luns")) spec.options["slot-luns"] = slot_lun_numbers(ec);
    } else {
        lc = ctld::map_lun(spec, *id);
    }
    {
        std::lock_guard lock(names_mutex_);
        names_[*id] = spec.name;
    }
    if (enclosure) {
        engine_->add_enclosure(*id, ec);
    } else {
        engine_->add_lun(lc);
        restore_reservations(*id);
    }
    try {
        if (state_) state_->save_lun(static_cast<std::uint32_t>(*id), spec);
    } catch (...) {
        engine_->remove_lun(*id);
        throw;
    }
    if (enclosure)
        config_.enclosures[*id] = ec;
    else
        config_.luns.push_back(lc);
    config_.lun_names[*id] = spec.name;
    runtime_luns_[*id] = std::move(spec);
    return engine_->lun(*id);
}

void Daemon::remove_lun(std::uint64_t id) {
    engine_->lun(id);  // no_device for an unknown id
    for (auto& [name, p] : ports_) {
        if (!p.lun_map) continue;
        for (auto it = p.lun_map->begin(); it != p.lun_map->end();) {
            if (it->second == id) {
                engine_->unmap_lun(name, it->first);
                runtime_maps_[name][it->first] = std::nullopt;
                it = p.lun_map->erase(it);
            } else {
                ++it;
            }
        }
    }
    save_runtime_maps();
    engine_->remove_lun(id);
    std::erase_if(config_.luns, [&](const ctl::LunConfig& l) { return l.id == id; });
    config_.enclosures.erase(id);
    if (runtime_luns_.erase(id) && state_) {
        state_->remove_lun(static_cast<std::uint32_t>(id));
        std::error_code ec;
        std::filesystem::remove(reservation_file(id), ec);
    }
}

ctl::LunInfo Daemon::modify_lun(std::uint64_t id, std::optional<std::uint64_t> size_bytes,
                                const std::map<std::string, std::string>& options, bool force) {
    if (config_.enclosures.count(id)) return modify_enclosure(id, size_bytes, options);
    auto it = std::find_if(config_.luns.begin(), config_.luns.end(),
                           [&](const ctl::LunConfig& l) { return l.id == id; });
    if (it == config_.luns.end()) throw Error(Category::no_device, fmt::format("no LUN {}", id));
    ctl::LunChange change;
    change.size_bytes = size_bytes;
    change.force = force;
    if (options.count("capacity"))
        throw Error(Category::usage, "the capacity of a ramdisk is set when it is created");
    if (!options.empty()) {
        ctl::LunOptions o = it->options;
        for (const auto& [k, v] : options) apply_lun_option(o, k, v);
        change.options = o;
    }
    engine_->modify_lun(id, change);
    if (size_bytes) it->size_bytes = *size_bytes;
    if (change.options) it->options = *change.options;
    if (auto r = runtime_luns_.find(id); r != runtime_luns_.end()) {
        if (size_bytes) r->second.size_bytes = *size_bytes;
        for (const auto& [k, v] : options) r->second.options[k] = v;
        if (state_) state_->save_lun(static_cast<std::uint32_t>(id), r->second);
    }
    return engine_->lun(id);
}

// Counts first, so that lowering one drops the entries beyond it unless the same request
// gives the list; then the rest. Elements that remain keep their state.
ctl::LunInfo Daemon::modify_enclosure(std::uint64_t id, std::optional<std::uint64_t> size_bytes,
                                      const std::map<std::string, std::string>& options) {
    if (size_bytes)
        throw Error(Category::usage, fmt::format("LUN {} is an enclosure: no size", id));
    ctl::EnclosureConfig& current = config_.enclosures.at(id);
    auto spec = target_config::EnclosureSpec::from(current);
    static const std::set<std::string> counts{"slots", "psus", "fans", "temps", "volts"};
    for (const auto& [k, v] : options)
        if (counts.count(k)) spec.apply(k, v);
    spec.fit();
    for (const auto& [k, v] : options)
        if (!counts.count(k)) spec.apply(k, v);
    ctl::EnclosureConfig next = resolve_enclosure(spec, id);
    if (!same_identity(current, next)) {
        // INQUIRY data and designators belong to the LUN: a new identity is a new LUN.
        engine_->remove_lun(id);
        engine_->add_enclosure(id, next);
    } else {
        engine_->modify_enclosure(id, next);
    }
    current = next;
    if (auto r = runtime_luns_.find(id); r != runtime_luns_.end()) {
        r->second.options = target_config::EnclosureSpec::from(next).options();
        r->second.serial.clear();
        if (state_) state_->save_lun(static_cast<std::uint32_t>(id), r->second);
    }
    return engine_->lun(id);
}

void Daemon::map_lun(const std::string& port, std::uint64_t port_lun,
                     std::optional<std::uint64_t> lun) {
    auto it = ports_.find(port);
    if (it == ports_.end()) throw Error(Category::no_device, fmt::format("no port {}", port));
    if (lun) {
        engine_->lun(*lun);
        engine_->map_lun(port, port_lun, *lun);
        if (!it->second.lun_map) it->second.lun_map.emplace();
        (*it->second.lun_map)[port_lun] = *lun;
    } else {
        engine_->unmap_lun(port, port_lun);
        if (it->second.lun_map) it->second.lun_map->erase(port_lun);
    }
    runtime_maps_[port][port_lun] = lun;
    save_runtime_maps();
}

// DIR/lunmaps.json: {"PORT": {"PORT_LUN": LUN or null}}, the ctladm lunmap changes.
void Daemon::load_runtime_maps() {
    std::ifstream in(state_->dir() / "lunmaps.json");
    if (!in) return;
    try {
        std::string text{std::istreambuf_iterator<char>(in), {}};
        const nlohmann::json doc = nlohmann::json::parse(text);
        for (const auto& [port, map] : doc.items())
            for (const auto& [plun, lun] : map.items())
                runtime_maps_[port][std::stoull(plun)] =
                    lun.is_null() ? std::nullopt
                                  : std::optional<std::uint64_t>(lun.get<std::uint64_t>());
    } catch (const std::exception& e) {
        throw Error(Category::malformed,
                    fmt::format("{}: {}", (state_->dir() / "lunmaps.json").string(), e.what()));
    }
}

void Daemon::save_runtime_maps() {
    if (!state_) return;
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [port, map] : runtime_maps_)
        for (const auto& [plun, lun] : map)
            j[port][std::to_string(plun)] = lun ? nlohmann::json(*lun) : nlohmann::json(nullptr);
    target_config::write_atomic(state_->dir() / "lunmaps.json", j.dump() + "\n");
}

// ---- runtime portals ----

namespace {

const PortalGroup* group_listening_on(const FrontendConfig& cfg, const std::string& listen) {
    for (const auto& pg : cfg.portal_groups)
        if (std::find(pg.listen.begin(), pg.listen.end(), listen) != pg.listen.end()) return &pg;
    return nullptr;
}

std::uint16_t free_tag(const FrontendConfig& cfg) {
    std::set<std::uint16_t> used;
    for (const auto& pg : cfg.portal_groups) used.insert(pg.tag);
    std::uint16_t tag = 1;
    while (used.count(tag)) ++tag;
    return tag;
}

// Why a runtime portal cannot join cfg; empty when it can.
std::string portal_conflict(const FrontendConfig& cfg, const RuntimePortal& r) {
    if (const PortalGroup* pg = group_listening_on(cfg, r.listen))
        return fmt::format("{} is already a portal of portal-group {}", r.listen, pg->name);
    if (find_portal_group(cfg, r.portal_group)) return {};
    if (!r.target.empty() && !find_target(cfg, r.target))
        return fmt::format("no target {}", r.target);
    if (cfg.targets.empty()) return "no target to reach through a new portal group";
    return {};
}

void add_to(FrontendConfig& cfg, const RuntimePortal& r) {
    for (auto& pg : cfg.portal_groups)
        if (pg.name == r.portal_group) {
            pg.listen.push_back(r.listen);
            return;
        }
    PortalGroup pg;
    pg.name = r.portal_group;
    pg.tag = free_tag(cfg);
    pg.listen = {r.listen};
    cfg.portal_groups.push_back(pg);
    for (auto& t : cfg.targets)
        if (r.target.empty() || find_target(cfg, r.target) == &t)
            t.portals.push_back({r.portal_group, "", "", 0});
}

}  // namespace

// Works on copies: what the runtime state loses to next is dropped by keep_merge, once next
// is served.
Daemon::RuntimeMerge Daemon::merge_runtime(DaemonConfig& next) const {
    RuntimeMerge out;
    std::set<std::uint64_t> ids;
    for (const auto& l : next.luns) ids.insert(l.id);
    for (const auto& [id, e] : next.enclosures) ids.insert(id);
    std::map<std::string, std::uint64_t> by_name;
    for (const auto& [id, name] : next.lun_names) by_name[name] = id;
    for (const auto& [id, spec] : runtime_luns_) {
        if (ids.count(id)) {
            out.dropped_luns.push_back(id);
            continue;
        }
        if (spec.device_type == target_config::DeviceType::enclosure)
            next.enclosures[id] = ctld::map_enclosure(spec, by_name);
        else
            next.luns.push_back(ctld::map_lun(spec, id));
        next.lun_names[id] = spec.name;
    }
    out.base = next.iscsi;
    for (const auto& r : runtime_portals_) {
        std::string why = portal_conflict(next.iscsi, r);
        if (!why.empty()) {
            out.dropped_portals.push_back({r, why});
            continue;
        }
        add_to(next.iscsi, r);
        out.portals.push_back(r);
    }
    return out;
}

// The switch to the new configuration has happened: a state directory that cannot be
// written is logged, and the runtime state here follows the configuration all the same.
void Daemon::keep_merge(RuntimeMerge merged) {
    for (auto id : merged.dropped_luns) {
        log(fmt::format("LUN {} ({}) created at run time clashes with ctl.conf's; dropped", id,
                        runtime_luns_.at(id).name));
        runtime_luns_.erase(id);
        try {
            if (state_) state_->remove_lun(static_cast<std::uint32_t>(id));
        } catch (const std::exception& e) {
            log(fmt::format("LUN {}: not removed from the state directory: {}", id, e.what()));
        }
    }
    for (const auto& [r, why] : merged.dropped_portals)
        log(fmt::format("portal {} of portal-group {} created at run time dropped: {}", r.listen,
                        r.portal_group, why));
    runtime_portals_ = std::move(merged.portals);
    base_iscsi_ = std::move(merged.base);
    try {
        if (!merged.dropped_portals.empty()) save_runtime_portals();
    } catch (const std::exception& e) {
        log(fmt::format("runtime portals not saved: {}", e.what()));
    }
}

void Daemon::set_names(const DaemonConfig& next) {
    std::lock_guard lock(names_mutex_);
    for (const auto& [id, name] : next.lun_names) names_[id] = name;
}

// Moves the engine ports and the frontend to next, which differs from the running
// configuration in its portals only. New engine ports exist before their portals listen; on
// failure they go again and nothing has changed.
void Daemon::apply_frontend(DaemonConfig next) {
    auto relative = relative_ports_;
    auto ports = plan_ports(next);
    std::vector<std::string> added;
    try {
        for (const auto& [name, p] : ports)
            if (!ports_.count(name)) {
                engine_->add_port(p);
                added.push_back(name);
            }
        frontend_->apply(next.iscsi);
    } catch (...) {
        for (const auto& name : added) engine_->remove_port(name);
        relative_ports_ = std::move(relative);
        throw;
    }
    for (const auto& [name, p] : ports_)
        if (!ports.count(name)) {
            engine_->remove_port(name);
            relative_ports_.erase(name);
        }
    ports_ = std::move(ports);
    config_ = std::move(next);
}

void Daemon::add_portal(const RuntimePortal& portal) {
    if (portal.portal_group.empty()) throw Error(Category::usage, "a portal needs a portal group");
    parse_listen_address(portal.listen);
    if (!portal.target.empty() && find_portal_group(config_.iscsi, portal.portal_group))
        throw Error(Category::usage,
                    fmt::format("portal-group {} exists: a target is given only for a new one",
                                portal.portal_group));
    std::string why = portal_conflict(config_.iscsi, portal);
    if (!why.empty())
        throw Error(why.starts_with("no target ") ? Category::no_device : Category::usage, why);
    DaemonConfig next = config_;
    add_to(next.iscsi, portal);
    apply_frontend(std::move(next));
    runtime_portals_.push_back(portal);
    save_runtime_portals();
}

std::vector<std::string> Daemon::remove_portal(const std::string& portal_group,
                                               const std::string& listen) {
    std::vector<RuntimePortal> keep;
    std::vector<std::string> gone;
    for (const auto& r : runtime_portals_) {
        if (r.portal_group == portal_group && (listen.empty() || r.listen == listen))
            gone.push_back(r.listen);
        else
            keep.push_back(r);
    }
    if (gone.empty()) {
        const PortalGroup* pg = find_portal_group(base_iscsi_, portal_group);
        if (pg && (listen.empty() ||
                   std::find(pg->listen.begin(), pg->listen.end(), listen) != pg->listen.end()))
            throw Error(Category::usage,
                        fmt::format("portal-group {}{} comes from the configuration file: remove "
                                    "it there and reload, or take its ports offline",
                                    portal_group, listen.empty() ? "" : " listen " + listen));
        if (!find_portal_group(config_.iscsi, portal_group))
            throw Error(Category::no_device, fmt::format("no portal-group {}", portal_group));
        throw Error(Category::no_device,
                    fmt::format("portal-group {} has no portal {} created at run time",
                                portal_group, listen));
    }
    DaemonConfig next = config_;
    next.iscsi = base_iscsi_;
    for (const auto& r : keep) add_to(next.iscsi, r);
    apply_frontend(std::move(next));
    runtime_portals_ = std::move(keep);
    save_runtime_portals();
    return gone;
}

void Daemon::load_runtime_portals() {
    runtime_portals_ = state_->portals();
}

void Daemon::save_runtime_portals() {
    if (state_) state_->save_portals(runtime_portals_);
}

void block_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}

int Daemon::run(const std::function<DaemonConfig()>& load) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    transport::UniqueFd sfd(::signalfd(-1, &set, SFD_CLOEXEC));
    if (!sfd) throw Error(Category::other, fmt::format("signalfd: {}", std::strerror(errno)));
    for (;;) {
        signalfd_siginfo si{};
        ssize_t n = ::read(sfd.get(), &si, sizeof si);
        if (n < 0 && errno == EINTR) continue;
        if (n != static_cast<ssize_t>(sizeof si)) return 1;
        if (si.ssi_signo == SIGHUP) {
            try {
                // load() reads the running configuration (LUN numbers to keep): under the lock.
                std::lock_guard lock(mutex_);
                reload(load());
                log("configuration reloaded");
            } catch (const std::exception& e) {
                log(fmt::format("reload failed, keeping the running configuration: {}", e.what()));
            }
            continue;
        }
        log(fmt::format("signal {}: shutting down", si.ssi_signo));
        frontend_->stop();
        return 0;
    }
}

}  // namespace camx::ctld
