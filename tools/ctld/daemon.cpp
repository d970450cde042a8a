#include "daemon.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "camx/error/error.hpp"
#include "camx/transport/fd.hpp"
#include "iscsi/connection.hpp"

namespace camx::ctld {

namespace {

bool same_media(const ctl::LunConfig& a, const ctl::LunConfig& b) {
    return a.backend == b.backend && a.path == b.path && a.capacity_bytes == b.capacity_bytes &&
           a.options.blocksize == b.options.blocksize;
}

void log(const std::string& line) {
    std::fprintf(stderr, "ctld: %s\n", line.c_str());
}

}  // namespace

DaemonConfig demo_config(const std::string& listen, std::uint64_t size_bytes,
                         const std::string& file) {
    DaemonConfig c;
    ctl::LunConfig lun;
    lun.id = 0;
    lun.backend = file.empty() ? ctl::BackendKind::ramdisk : ctl::BackendKind::file;
    lun.path = file;
    lun.size_bytes = file.empty() ? size_bytes : 0;
    lun.options.serial = "CAMXDEMO0000";
    c.luns.push_back(lun);
    PortalGroup pg;
    pg.name = "default";
    pg.tag = 1;
    pg.listen = {listen};
    c.iscsi.portal_groups.push_back(pg);
    IscsiTarget t;
    t.name = std::string(demo_target);
    t.alias = "camx demo";
    t.portals.push_back({"default", "", "", 0});
    c.iscsi.targets.push_back(t);
    c.lun_maps[t.name] = {{0, 0}};
    return c;
}

std::string port_name(std::string_view target, std::uint16_t portal_group_tag) {
    return fmt::format("{},t,0x{:04x}", target, portal_group_tag);
}

void check(const DaemonConfig& config) {
    std::set<std::uint64_t> ids;
    for (const auto& l : config.luns)
        if (!ids.insert(l.id).second)
            throw Error(Category::usage, fmt::format("LUN id {} defined twice", l.id));
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
    check(config);
    ctl::Engine::Options eo;
    eo.workers = options.workers;
    engine_ = std::make_unique<ctl::Engine>(eo);
    frontend_ = std::make_unique<IscsiFrontend>(*engine_);
    auto ports = plan_ports(config);
    for (const auto& l : config.luns) engine_->add_lun(l);
    for (const auto& [name, p] : ports) engine_->add_port(p);
    ports_ = std::move(ports);
    frontend_->apply(config.iscsi);
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
            out[p.name] = p;
        }
    }
    return out;
}

void Daemon::apply_luns(const DaemonConfig& next) {
    std::map<std::uint64_t, const ctl::LunConfig*> old;
    for (const auto& l : config_.luns) old[l.id] = &l;
    for (const auto& l : next.luns) {
        auto it = old.find(l.id);
        if (it == old.end()) {
            engine_->add_lun(l);
            continue;
        }
        const ctl::LunConfig& o = *it->second;
        if (!same_media(o, l)) {
            engine_->remove_lun(l.id);
            engine_->add_lun(l);
            continue;
        }
        ctl::LunChange change;
        if (o.size_bytes != l.size_bytes) change.size_bytes = l.size_bytes;
        if (!(o.options == l.options)) change.options = l.options;
        if (change.size_bytes || change.options) engine_->modify_lun(l.id, change);
    }
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

void Daemon::reload(DaemonConfig config) {
    check(config);
    auto ports = plan_ports(config);
    // New and changed things first, then the frontend, then what is gone: a LUN or port that
    // stays is never taken away in between.
    apply_luns(config);
    apply_ports(ports);
    frontend_->apply(config.iscsi);
    for (const auto& [name, p] : ports_)
        if (!ports.count(name)) {
            engine_->remove_port(name);
            relative_ports_.erase(name);
        }
    std::set<std::uint64_t> keep;
    for (const auto& l : config.luns) keep.insert(l.id);
    for (const auto& l : config_.luns)
        if (!keep.count(l.id)) engine_->remove_lun(l.id);
    ports_ = std::move(ports);
    config_ = std::move(config);
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
