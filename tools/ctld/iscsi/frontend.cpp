// SPDX-License-Identifier: BSD-2-Clause
#include "iscsi/frontend.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <strings.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "camx/iscsi/serial.hpp"
#include "iscsi/connection.hpp"

namespace camx::ctld {

iscsi::TargetConfig FrontendConfig::default_negotiation() {
    iscsi::TargetConfig c;
    c.header_digest = {"None", "CRC32C"};
    c.data_digest = {"None", "CRC32C"};
    c.max_connections = 4;
    c.initial_r2t = false;
    c.immediate_data = true;
    c.max_recv_data_segment_length = 262144;
    c.max_burst_length = 1048576;
    c.first_burst_length = 65536;
    c.max_outstanding_r2t = 16;
    return c;
}

// ---- lookups ----

const AuthGroup* find_auth_group(const FrontendConfig& cfg, const std::string& name) {
    for (const auto& g : cfg.auth_groups)
        if (g.name == name) return &g;
    return nullptr;
}

const PortalGroup* find_portal_group(const FrontendConfig& cfg, const std::string& name) {
    for (const auto& pg : cfg.portal_groups)
        if (pg.name == name) return &pg;
    return nullptr;
}

const IscsiTarget* find_target(const FrontendConfig& cfg, std::string_view name) {
    // iSCSI names compare case-insensitively (RFC 3722 normalizes them to lower case).
    for (const auto& t : cfg.targets)
        if (t.name.size() == name.size() &&
            ::strncasecmp(t.name.data(), name.data(), name.size()) == 0)
            return &t;
    return nullptr;
}

const TargetPortal* find_target_portal(const IscsiTarget& t, const std::string& portal_group) {
    for (const auto& tp : t.portals)
        if (tp.portal_group == portal_group) return &tp;
    return nullptr;
}

const AuthGroup* target_auth_group(const FrontendConfig& cfg, const IscsiTarget& t,
                                   const TargetPortal& tp) {
    const std::string& name = tp.auth_group.empty() ? t.auth_group : tp.auth_group;
    if (name.empty()) return nullptr;
    return find_auth_group(cfg, name);
}

bool acl_admits(const AuthGroup* g, std::string_view initiator_name, const SocketAddress& peer) {
    if (!g) return true;
    if (g->type == AuthType::deny) return false;
    if (!g->initiator_names.empty()) {
        bool found = std::any_of(
            g->initiator_names.begin(), g->initiator_names.end(), [&](const std::string& n) {
                return n.size() == initiator_name.size() &&
                       ::strncasecmp(n.data(), initiator_name.data(), n.size()) == 0;
            });
        if (!found) return false;
    }
    if (!g->initiator_portals.empty()) {
        bool found = std::any_of(g->initiator_portals.begin(), g->initiator_portals.end(),
                                 [&](const std::string& p) { return portal_matches(p, peer); });
        if (!found) return false;
    }
    return true;
}

namespace {

void validate(const FrontendConfig& cfg) {
    auto need_group = [&](const std::string& name, std::string_view who) {
        if (!name.empty() && !find_auth_group(cfg, name))
            throw Error(Category::usage, fmt::format("{}: no auth-group {}", who, name));
    };
    for (const auto& g : cfg.auth_groups) {
        if ((g.type == AuthType::chap || g.type == AuthType::chap_mutual) && g.chap.empty())
            throw Error(Category::usage, fmt::format("auth-group {}: no chap user", g.name));
        if (g.type == AuthType::chap_mutual)
            for (const auto& c : g.chap)
                if (!c.target)
                    throw Error(Category::usage,
                                fmt::format("auth-group {}: chap-mutual user {} has no target "
                                            "secret",
                                            g.name, c.initiator.name));
        for (const auto& p : g.initiator_portals) portal_matches(p, SocketAddress{});
    }
    for (const auto& pg : cfg.portal_groups) {
        need_group(pg.discovery_auth_group, fmt::format("portal-group {}", pg.name));
        for (const auto& l : pg.listen) parse_listen_address(l);
    }
    for (const auto& t : cfg.targets) {
        need_group(t.auth_group, fmt::format("target {}", t.name));
        for (const auto& tp : t.portals) {
            if (!find_portal_group(cfg, tp.portal_group))
                throw Error(Category::usage,
                            fmt::format("target {}: no portal-group {}", t.name, tp.portal_group));
            need_group(tp.auth_group, fmt::format("target {}", t.name));
        }
    }
}

// True when a connection with this local address came in through one of the closed
// listeners: its portal is gone, and so is its session.
bool through_closed(const SocketAddress& local, const std::vector<SocketAddress>& closed) {
    return std::any_of(closed.begin(), closed.end(), [&](const SocketAddress& l) {
        return l.port() == local.port() && (l.wildcard() || l.host() == local.host());
    });
}

}  // namespace

// ---- Session ----

void Session::start(std::uint32_t cmd_sn) {
    std::lock_guard g(mu_);
    exp_cmd_sn_ = cmd_sn;
    max_cmd_sn_ = cmd_sn + window - 1;
}

bool Session::accept(std::uint32_t cmd_sn, bool holds_slot) {
    std::lock_guard g(mu_);
    if (!iscsi::serial::in_window(cmd_sn, exp_cmd_sn_, max_cmd_sn_)) return false;
    if (cmd_sn != exp_cmd_sn_) {
        if (!ahead_.insert(cmd_sn).second) return false;
    } else {
        ++exp_cmd_sn_;
        while (!ahead_.empty() && ahead_.count(exp_cmd_sn_)) ahead_.erase(exp_cmd_sn_++);
    }
    if (holds_slot) ++outstanding_;
    std::uint32_t candidate = exp_cmd_sn_ - 1 + window - outstanding_;
    if (iscsi::serial::gt(candidate, max_cmd_sn_)) max_cmd_sn_ = candidate;
    return true;
}

void Session::finished() {
    std::lock_guard g(mu_);
    if (outstanding_ > 0) --outstanding_;
    std::uint32_t candidate = exp_cmd_sn_ - 1 + window - outstanding_;
    if (iscsi::serial::gt(candidate, max_cmd_sn_)) max_cmd_sn_ = candidate;
}

std::pair<std::uint32_t, std::uint32_t> Session::window_now() {
    std::lock_guard g(mu_);
    return {exp_cmd_sn_, max_cmd_sn_};
}

void Session::add(const std::shared_ptr<Connection>& c) {
    std::lock_guard g(mu_);
    connections_.push_back(c);
}

void Session::remove(const Connection* c) {
    std::lock_guard g(mu_);
    std::erase_if(connections_, [&](const std::weak_ptr<Connection>& w) {
        auto p = w.lock();
        return !p || p.get() == c;
    });
}

std::vector<std::shared_ptr<Connection>> Session::connections() {
    std::lock_guard g(mu_);
    std::vector<std::shared_ptr<Connection>> out;
    for (const auto& w : connections_)
        if (auto p = w.lock()) out.push_back(std::move(p));
    return out;
}

std::shared_ptr<Connection> Session::connection(std::uint16_t cid) {
    for (auto& c : connections())
        if (c->cid() == cid) return c;
    return nullptr;
}

// ---- Core ----

std::shared_ptr<const FrontendConfig> IscsiFrontend::Core::snapshot() const {
    std::lock_guard g(mu);
    return config;
}

void IscsiFrontend::Core::accept_loop() {
    // Connections whose first PDU is not whole yet: polled here, so a connection that says
    // nothing (or a byte now and then) costs a descriptor and a small buffer, not a thread.
    std::vector<std::shared_ptr<Connection>> waiting;
    auto paused_until = std::chrono::steady_clock::time_point{};
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<std::string> owners;
        auto now = std::chrono::steady_clock::now();
        bool accepting = now >= paused_until;
        {
            std::lock_guard g(mu);
            if (stopping) return;
            fds.push_back({wake.get(), POLLIN, 0});
            owners.emplace_back();
            if (accepting)
                for (const auto& [text, l] : listeners) {
                    fds.push_back({l.fd.get(), POLLIN, 0});
                    owners.push_back(text);
                }
        }
        std::size_t first_waiting = fds.size();
        int timeout_ms = accepting ? 1000 : 100;
        for (const auto& c : waiting) {
            fds.push_back({c->fd(), POLLIN, 0});
            auto left = std::chrono::ceil<std::chrono::milliseconds>(c->first_pdu_deadline() - now);
            timeout_ms = static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, timeout_ms));
        }
        int n = ::poll(fds.data(), fds.size(), timeout_ms);
        if (n < 0 && errno != EINTR) return;
        reap();
        if (n > 0 && (fds[0].revents & POLLIN)) {
            std::uint64_t v = 0;
            [[maybe_unused]] auto r = ::read(wake.get(), &v, sizeof v);
        }
        // The waiting first: those whose first PDU came get their thread, the silent ones
        // past their time are closed.
        now = std::chrono::steady_clock::now();
        std::vector<std::shared_ptr<Connection>> still;
        for (std::size_t i = 0; i < waiting.size(); ++i) {
            auto& c = waiting[i];
            auto p = n > 0 && fds[first_waiting + i].revents ? c->prefetch()
                                                             : Connection::Prefetch::more;
            if (p == Connection::Prefetch::more && now < c->first_pdu_deadline()) {
                still.push_back(std::move(c));
                continue;
            }
            if (p != Connection::Prefetch::ready) {
                c->abandon();
                continue;
            }
            try {
                c->start();
            } catch (const std::system_error& e) {
                thread_log(fmt::format("connection from {} closed: no thread: {}", c->peer().text(),
                                       e.what()));
                c->abandon();
            }
        }
        waiting = std::move(still);
        if (n <= 0) continue;
        for (std::size_t i = 1; i < first_waiting; ++i) {
            if (!(fds[i].revents & POLLIN)) continue;
            if (int err = accept_from(fds[i].fd, owners[i], waiting)) {
                // Out of descriptors: the backlog waits rather than spinning the acceptor.
                thread_log(fmt::format("accept: {}", std::strerror(err)));
                paused_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
                break;
            }
        }
    }
}

int IscsiFrontend::Core::accept_from(int listen_fd, const std::string& owner,
                                     std::vector<std::shared_ptr<Connection>>& waiting) {
    // A burst of connections drains in one go, but never starves the waiting ones.
    for (int i = 0; i < 64; ++i) {
        int cfd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (cfd < 0) return errno == EMFILE || errno == ENFILE ? errno : 0;
        transport::UniqueFd fd(cfd);
        std::lock_guard g(mu);
        auto it = listeners.find(owner);
        if (stopping || it == listeners.end() || it->second.fd.get() != listen_fd) return 0;
        if (std::string why = over_limit(*config, it->second.portal_group); !why.empty()) {
            refused_log(fmt::format("connection from {} to portal-group {} refused: {}",
                                    peer_address(cfd).text(), it->second.portal_group, why));
            continue;  // fd closes: the initiator sees the connection end and retries later
        }
        auto c = std::make_shared<Connection>(*this, std::move(fd), it->second.portal_group);
        c->prepare(*config);
        connections.push_back(c);
        waiting.push_back(std::move(c));
    }
    return 0;
}

std::string IscsiFrontend::Core::over_limit(const FrontendConfig& cfg,
                                            const std::string& pg) const {
    std::size_t all = 0;
    std::size_t here = 0;
    for (const auto& c : connections)
        if (!c->done()) {
            ++all;
            here += c->portal_group() == pg;
        }
    if (cfg.max_connections && all >= cfg.max_connections)
        return fmt::format("maxproc {} reached", cfg.max_connections);
    const PortalGroup* g = find_portal_group(cfg, pg);
    if (g && g->connection_limit && here >= g->connection_limit)
        return fmt::format("connection-limit {} reached", g->connection_limit);
    return {};
}

void IscsiFrontend::Core::reap() {
    std::vector<std::shared_ptr<Connection>> finished;
    {
        std::lock_guard g(mu);
        auto it = std::partition(connections.begin(), connections.end(),
                                 [](const auto& c) { return !c->done(); });
        finished.assign(std::make_move_iterator(it), std::make_move_iterator(connections.end()));
        connections.erase(it, connections.end());
    }
    for (auto& c : finished) c->join();
}

void IscsiFrontend::Core::register_session(const std::shared_ptr<Session>& s) {
    std::vector<std::shared_ptr<Session>> old;
    {
        std::lock_guard g(mu);
        for (const auto& [id, o] : sessions)
            if (o->isid == s->isid && o->discovery == s->discovery &&
                o->params.initiator_name == s->params.initiator_name &&
                o->params.target_name == s->params.target_name)
                old.push_back(o);
        s->id = next_session_id++;
        do {
            s->tsih = next_tsih++;
        } while (s->tsih == 0 || std::any_of(sessions.begin(), sessions.end(), [&](const auto& kv) {
                     return kv.second->tsih == s->tsih;
                 }));
        sessions[s->id] = s;
    }
    for (auto& o : old) end_session(o);
}

void IscsiFrontend::Core::unregister_session(const Session* s) {
    std::lock_guard g(mu);
    auto it = sessions.find(s->id);
    if (it != sessions.end() && it->second.get() == s) sessions.erase(it);
}

std::shared_ptr<Session> IscsiFrontend::Core::find_session(std::uint16_t tsih) {
    std::lock_guard g(mu);
    for (const auto& [id, s] : sessions)
        if (s->tsih == tsih) return s;
    return nullptr;
}

void IscsiFrontend::Core::end_session(const std::shared_ptr<Session>& s) {
    unregister_session(s.get());
    for (auto& c : s->connections()) c->shut();
}

bool IscsiFrontend::Core::still_admitted(const FrontendConfig& cfg, const Session& s,
                                         const Connection& c) const {
    const PortalGroup* pg = find_portal_group(cfg, s.portal_group);
    if (!pg) return false;
    if (s.discovery) {
        const AuthGroup* g = pg->discovery_auth_group.empty()
                                 ? nullptr
                                 : find_auth_group(cfg, pg->discovery_auth_group);
        return acl_admits(g, s.params.initiator_name, c.peer());
    }
    const IscsiTarget* t = find_target(cfg, s.params.target_name);
    if (!t) return false;
    const TargetPortal* tp = find_target_portal(*t, s.portal_group);
    if (!tp || tp->port != s.portal.port) return false;
    return acl_admits(target_auth_group(cfg, *t, *tp), s.params.initiator_name, c.peer());
}

// ---- IscsiFrontend ----

IscsiFrontend::IscsiFrontend(ctl::TaskSink& sink) : core_(std::make_shared<Core>(sink)) {
    raise_descriptor_limit();
    core_->wake.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!core_->wake)
        throw Error(Category::other, fmt::format("eventfd: {}", std::strerror(errno)));
    core_->config = std::make_shared<FrontendConfig>();
    core_->acceptor = std::thread([core = core_.get()] { core->accept_loop(); });
}

IscsiFrontend::~IscsiFrontend() {
    stop();
}

struct PreparedFrontend::Impl {
    FrontendConfig config;
    std::map<std::string, Listener> fresh;     // listen text -> bound, not accepting yet
    std::map<std::string, std::string> owner;  // listen text -> portal group
};

PreparedFrontend::PreparedFrontend() : impl_(std::make_unique<Impl>()) {}
PreparedFrontend::~PreparedFrontend() = default;
PreparedFrontend::PreparedFrontend(PreparedFrontend&&) noexcept = default;
PreparedFrontend& PreparedFrontend::operator=(PreparedFrontend&&) noexcept = default;

void IscsiFrontend::apply(FrontendConfig config) {
    commit(prepare(std::move(config)));
}

PreparedFrontend IscsiFrontend::prepare(FrontendConfig config) const {
    validate(config);
    PreparedFrontend out;
    auto& p = *out.impl_;
    for (const auto& pg : config.portal_groups)
        for (const auto& l : pg.listen) {
            if (pg.foreign) continue;  // the other node listens there
            if (p.owner.count(l))
                throw Error(Category::usage,
                            fmt::format("listen {} appears in portal-groups {} and {}", l,
                                        p.owner[l], pg.name));
            p.owner[l] = pg.name;
        }
    std::set<std::string> running;
    {
        std::lock_guard g(core_->mu);
        for (const auto& [text, l] : core_->listeners) running.insert(text);
    }
    // Every address is tried, so that one answer names all that cannot be bound.
    std::vector<Error> problems;
    for (const auto& [text, pg] : p.owner) {
        if (running.count(text)) continue;
        try {
            Listener l;
            l.text = text;
            l.fd = listen_on(parse_listen_address(text));
            l.bound = local_address(l.fd.get());
            l.portal_group = pg;
            p.fresh.emplace(text, std::move(l));
        } catch (const Error& e) {
            problems.push_back(e);
        }
    }
    if (!problems.empty()) {
        std::string msg;
        for (const auto& e : problems) msg += (msg.empty() ? "" : "\n") + std::string(e.what());
        throw Error(problems.front().category(), msg);
    }
    p.config = std::move(config);
    return out;
}

void IscsiFrontend::commit(PreparedFrontend prepared) {
    auto& p = *prepared.impl_;
    auto cfg = std::make_shared<const FrontendConfig>(std::move(p.config));
    std::vector<std::shared_ptr<Session>> sessions;
    std::vector<SocketAddress> closed;
    {
        std::lock_guard g(core_->mu);
        for (auto it = core_->listeners.begin(); it != core_->listeners.end();) {
            auto o = p.owner.find(it->first);
            if (o == p.owner.end()) {
                closed.push_back(it->second.bound);
                it = core_->listeners.erase(it);
            } else {
                it->second.portal_group = o->second;
                ++it;
            }
        }
        // emplace keeps a listener that is already there; the fresh one then closes.
        for (auto& [text, l] : p.fresh) core_->listeners.emplace(text, std::move(l));
        core_->config = cfg;
        core_->buffers->set_limit(cfg->buffer_bytes);
        for (const auto& [id, s] : core_->sessions) {
            if (s->buffers) s->buffers->set_limit(cfg->session_buffer_bytes);
            sessions.push_back(s);
        }
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(core_->wake.get(), &one, sizeof one);
    for (auto& s : sessions) {
        auto conns = s->connections();
        bool keep = !conns.empty() && std::all_of(conns.begin(), conns.end(), [&](const auto& c) {
            return core_->still_admitted(*cfg, *s, *c) && !through_closed(c->local(), closed);
        });
        if (!keep) core_->end_session(s);
    }
}

void IscsiFrontend::stop() {
    std::vector<std::shared_ptr<Connection>> conns;
    {
        std::lock_guard g(core_->mu);
        if (core_->stopping && !core_->acceptor.joinable()) return;
        core_->stopping = true;
        core_->listeners.clear();
        conns = core_->connections;
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(core_->wake.get(), &one, sizeof one);
    if (core_->acceptor.joinable()) core_->acceptor.join();
    for (auto& c : conns) c->shut();
    for (auto& c : conns) c->join();
    std::lock_guard g(core_->mu);
    core_->connections.clear();
    core_->sessions.clear();
}

std::vector<SessionInfo> IscsiFrontend::sessions() const {
    std::vector<std::shared_ptr<Session>> all;
    {
        std::lock_guard g(core_->mu);
        for (const auto& [id, s] : core_->sessions) all.push_back(s);
    }
    std::vector<SessionInfo> out;
    for (const auto& s : all) {
        SessionInfo i;
        i.id = s->id;
        i.tsih = s->tsih;
        i.isid = fmt::format("{:02x}", fmt::join(s->isid, ""));
        i.initiator_name = s->params.initiator_name;
        i.initiator_alias = s->params.initiator_alias;
        i.target_name = s->params.target_name;
        i.portal_group = s->portal_group;
        i.port = s->portal.port;
        i.discovery = s->discovery;
        i.params = s->params;
        for (const auto& c : s->connections())
            i.connections.push_back({c->cid(), c->peer().text(), c->local().text(), c->params()});
        out.push_back(std::move(i));
    }
    return out;
}

std::size_t IscsiFrontend::logout(const LogoutFilter& f) {
    std::vector<std::shared_ptr<Session>> hit;
    {
        std::lock_guard g(core_->mu);
        for (const auto& [id, s] : core_->sessions) {
            bool match = f.all;
            if (f.session_id && *f.session_id == id) match = true;
            if (f.initiator_name &&
                ::strcasecmp(f.initiator_name->c_str(), s->params.initiator_name.c_str()) == 0)
                match = true;
            if (match) hit.push_back(s);
        }
    }
    if (f.initiator_address) {
        std::lock_guard g(core_->mu);
        for (const auto& [id, s] : core_->sessions)
            for (const auto& c : s->connections())
                if (c->peer().host() == *f.initiator_address &&
                    std::find(hit.begin(), hit.end(), s) == hit.end())
                    hit.push_back(s);
    }
    for (auto& s : hit) core_->end_session(s);
    return hit.size();
}

std::vector<std::string> IscsiFrontend::listening() const {
    std::lock_guard g(core_->mu);
    std::vector<std::string> out;
    for (const auto& [text, l] : core_->listeners) out.push_back(l.bound.text());
    return out;
}

void to_json(nlohmann::json& j, const SessionInfo& s) {
    nlohmann::json conns = nlohmann::json::array();
    for (const auto& c : s.connections)
        conns.push_back({{"cid", c.cid},
                         {"initiator_address", c.initiator_address},
                         {"target_address", c.target_address},
                         {"params", c.params}});
    j = nlohmann::json{{"id", s.id},
                       {"tsih", s.tsih},
                       {"isid", s.isid},
                       {"initiator_name", s.initiator_name},
                       {"initiator_alias", s.initiator_alias},
                       {"target_name", s.target_name},
                       {"portal_group", s.portal_group},
                       {"port", s.port},
                       {"discovery", s.discovery},
                       {"connections", conns},
                       {"params", s.params}};
}

}  // namespace camx::ctld
