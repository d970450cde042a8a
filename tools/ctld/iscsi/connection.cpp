// SPDX-License-Identifier: BSD-2-Clause
#include "iscsi/connection.hpp"

#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "camx/iscsi/chap.hpp"
#include "camx/iscsi/text_params.hpp"
#include "camx/scsi/opcode.hpp"
#include "camx/scsi/persist.hpp"
#include "camx/scsi/report_luns.hpp"
#include "camx/scsi/sense.hpp"

namespace camx::ctld {

namespace {

using iscsi::LoginStatus;
using iscsi::NegotiationError;
using iscsi::ProtocolError;
using iscsi::RejectReason;
using iscsi::reserved_tag;

std::atomic<std::uint64_t> next_nexus_id{1};

// The receive buffer in the full feature phase. Before it, a connection (which may not be
// an initiator at all) gets a small buffer that grows only as far as a login PDU needs.
constexpr std::size_t read_buffer_bytes = 1u << 20;
constexpr std::size_t login_buffer_bytes = 1024;

using Clock = std::chrono::steady_clock;

// Responses and headers a connection may have waiting for its socket before its reader
// stops taking PDUs (Data-In payloads are bounded by the buffer pools instead), and how
// long the outbox may stay that full without a byte going out before the peer is dropped.
constexpr std::size_t outbox_limit = 1u << 20;
constexpr auto send_stall = std::chrono::seconds(60);
// Login answers are small and few: more than this waiting means the peer does not read
// them, and it loses the connection rather than having ctld buffer its flood.
constexpr std::size_t login_outbox_limit = 64u << 10;

// The connection whose reader is the current thread while it works through buffered PDUs:
// its responses wait in the outbox until it is about to wait for the socket.
thread_local const Connection* deferring = nullptr;

// The LUN in Linux's integer form, as the engine addresses it.
std::uint64_t linux_lun(const iscsi::Lun& l) {
    return scsi::Lun::from_bytes(l.raw).to_int();
}

// The CDB's own length; the BHS pads short CDBs to 16 bytes. Variable-length CDBs (0x7f)
// say theirs in byte 7; vendor groups keep what was sent.
std::size_t cdb_length(const Bytes& cdb) {
    if (cdb.empty()) return 0;
    std::size_t n = scsi::cdb_length(cdb[0]).value_or(cdb.size());
    if (cdb[0] == 0x7f && cdb.size() >= 8) n = 8u + cdb[7];
    return std::min(n, cdb.size());
}

ctl::TaskAttribute task_attribute(std::uint8_t a) {
    switch (static_cast<iscsi::TaskAttribute>(a)) {
        case iscsi::TaskAttribute::ordered:
            return ctl::TaskAttribute::ordered;
        case iscsi::TaskAttribute::head_of_queue:
            return ctl::TaskAttribute::head_of_queue;
        case iscsi::TaskAttribute::aca:
            return ctl::TaskAttribute::aca;
        default:
            return ctl::TaskAttribute::simple;
    }
}

std::uint8_t tmf_response(ctl::TmfResponse r) {
    using R = iscsi::TmfResponse;
    switch (r) {
        case ctl::TmfResponse::complete:
            return static_cast<std::uint8_t>(R::function_complete);
        case ctl::TmfResponse::no_such_task:
            return static_cast<std::uint8_t>(R::task_does_not_exist);
        case ctl::TmfResponse::no_such_lun:
            return static_cast<std::uint8_t>(R::lun_does_not_exist);
        case ctl::TmfResponse::not_supported:
            return static_cast<std::uint8_t>(R::function_not_supported);
        default:
            return static_cast<std::uint8_t>(R::function_rejected);
    }
}

// Milliseconds from now to t for poll: at least 0, at most a day.
int ms_until(Clock::time_point t) {
    if (t == Clock::time_point::max()) return -1;
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(t - Clock::now()).count();
    return static_cast<int>(std::clamp<std::int64_t>(ms, 0, 86'400'000));
}

}  // namespace

void RateLimitedLog::operator()(const std::string& line) {
    std::uint64_t left_out = 0;
    {
        std::lock_guard g(mu_);
        auto now = Clock::now();
        if (last_ != Clock::time_point{} && now - last_ < std::chrono::seconds(1)) {
            ++suppressed_;
            return;
        }
        last_ = now;
        left_out = std::exchange(suppressed_, 0);
    }
    if (left_out)
        std::fprintf(stderr, "ctld: %s (%llu more like it left out)\n", line.c_str(),
                     static_cast<unsigned long long>(left_out));
    else
        std::fprintf(stderr, "ctld: %s\n", line.c_str());
}

std::string printable(std::string_view text) {
    std::string out;
    for (char ch : text.substr(0, 223)) out += ch >= 0x20 && ch < 0x7f ? ch : '?';
    return out;
}

struct Connection::LoginState {
    bool first = true;
    std::shared_ptr<const FrontendConfig> cfg;
    iscsi::Isid isid{};
    std::uint16_t tsih = 0;
    std::uint32_t itt = 0;
    std::uint32_t cmd_sn = 0;
    Bytes text;
    bool discovery = false;
    const AuthGroup* auth = nullptr;
    bool auth_required = false;
    bool authenticated = false;
    bool challenged = false;
    std::optional<iscsi::ChapTarget> chap;
    TargetPortal tp;
    std::string target_name;
    std::string initiator;  // InitiatorName, once the first request said it
    std::shared_ptr<Session> join;
};

Connection::Connection(IscsiFrontend::Core& core, transport::UniqueFd fd, std::string portal_group)
    : core_(core), fd_(std::move(fd)), portal_group_(std::move(portal_group)) {
    peer_ = peer_address(fd_.get());
    local_ = local_address(fd_.get());
}

Connection::~Connection() {
    if (thread_.joinable()) {
        if (thread_.get_id() == std::this_thread::get_id())
            thread_.detach();
        else
            thread_.join();
    }
}

void Connection::prepare(const FrontendConfig& cfg) {
    using std::chrono::seconds;
    if (cfg.login_timeout_seconds) login_deadline_ = accepted_ + seconds(cfg.login_timeout_seconds);
    first_pdu_deadline_ = std::min(login_deadline_, accepted_ + seconds(cfg.first_pdu_seconds));
    const PortalGroup* pg = find_portal_group(cfg, portal_group_);
    if (pg && pg->dscp) {
        int tos = *pg->dscp << 2;
        if (local_.family() == AF_INET6)
            ::setsockopt(fd_.get(), IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos);
        else
            ::setsockopt(fd_.get(), IPPROTO_IP, IP_TOS, &tos, sizeof tos);
    }
    if (pg && pg->pcp) {
        int prio = *pg->pcp;
        ::setsockopt(fd_.get(), SOL_SOCKET, SO_PRIORITY, &prio, sizeof prio);
    }
}

Connection::Prefetch Connection::prefetch() {
    for (;;) {
        if (rbuf_.empty()) rbuf_.resize(login_buffer_bytes);
        ByteView avail(rbuf_.data(), rend_);
        std::size_t need = 0;
        try {
            need = framer_.needed(avail);
        } catch (const ProtocolError&) {
            return Prefetch::ready;  // the thread refuses it
        }
        if (rend_ >= need) return Prefetch::ready;
        if (need > rbuf_.size()) rbuf_.resize(need);  // the framer bounds a login PDU
        ssize_t n = ::recv(fd_.get(), rbuf_.data() + rend_, rbuf_.size() - rend_, MSG_DONTWAIT);
        if (n > 0) {
            rend_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Prefetch::more;
        return Prefetch::closed;
    }
}

void Connection::start() {
    thread_ = std::thread([self = shared_from_this()] { self->run(); });
}

void Connection::abandon() {
    closing_ = true;
    ::shutdown(fd_.get(), SHUT_RDWR);
    done_ = true;
}

void Connection::shut() {
    closing_ = true;
    ::shutdown(fd_.get(), SHUT_RDWR);
}

void Connection::join() {
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

iscsi::ConnectionParams Connection::params() const {
    std::lock_guard g(send_mu_);
    if (negotiator_) return negotiator_->connection();
    return {};
}

std::shared_ptr<Session> Connection::session() const {
    return session_;
}

void Connection::run() {
    int one = 1;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (rbuf_.empty()) rbuf_.resize(login_buffer_bytes);
    try {
        if (login() && !closing_) full_feature();
    } catch (const std::exception&) {
        // A connection's failure ends the connection, never the daemon.
    }
    // A Logout Response or Reject still waiting for the socket goes out first.
    drain_outbox(2000);
    closing_ = true;
    {
        std::lock_guard g(send_mu_);
        sender_forgotten_ = true;
    }
    core_.sender.forget(fd_.get());
    ::shutdown(fd_.get(), SHUT_RDWR);
    abort_matching(std::nullopt);
    if (session_) {
        session_->remove(this);
        if (session_->connections().empty()) {
            core_.unregister_session(session_.get());
            if (session_->nexus) core_.sink.nexus_lost(*session_->nexus);
        }
    }
    done_ = true;
}

// ---- reading ----

std::optional<iscsi::Pdu> Connection::read_pdu(bool allow_ping) {
    for (;;) {
        if (closing_) return std::nullopt;
        ByteView avail(rbuf_.data() + rstart_, rend_ - rstart_);
        std::size_t need = 0;
        try {
            if (auto f = framer_.next(avail)) {
                rstart_ += f->size;
                if (rstart_ == rend_) rstart_ = rend_ = 0;
                return std::move(f->pdu);
            }
            need = framer_.needed(avail);
        } catch (const ProtocolError& e) {
            // During login nothing but a Login Request is acceptable: any error ends it.
            if (e.reason() == RejectReason::none || !e.resumable() || !session_) {
                if (e.reason() != RejectReason::none)
                    send_reject(e.reason(), e.header().value_or(iscsi::Bhs{}));
                return std::nullopt;
            }
            send_reject(e.reason(), e.header().value_or(iscsi::Bhs{}));
            rstart_ += std::min(e.skip(), rend_ - rstart_);
            continue;
        }
        if (rstart_ + need > rbuf_.size()) {
            std::memmove(rbuf_.data(), rbuf_.data() + rstart_, rend_ - rstart_);
            rend_ -= rstart_;
            rstart_ = 0;
            if (need > rbuf_.size()) rbuf_.resize(need);
        }
        // Nothing complete is buffered: what the PDUs so far answered goes out before the
        // thread waits.
        flush_now();
        // Logging in, the deadline counts from the accept, so a peer that trickles bytes
        // gains nothing; afterwards silence for a ping interval earns a ping.
        bool pinging = session_ && allow_ping && ping_ms_ >= 0;
        if (!wait_readable(session_ ? (pinging ? ping_ms_ : -1) : ms_until(login_deadline_))) {
            if (!pinging) return std::nullopt;                   // the login took too long
            if (ping_ttt_ != reserved_tag) return std::nullopt;  // the last ping went unanswered
            iscsi::NopIn ping;
            ping.target_transfer_tag = ping_ttt_ = next_ttt_++;
            if (next_ttt_ == reserved_tag) next_ttt_ = 1;
            send(std::move(ping), false);
            continue;
        }
        ssize_t n = ::recv(fd_.get(), rbuf_.data() + rend_, rbuf_.size() - rend_, MSG_DONTWAIT);
        if (n > 0) {
            rend_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        return std::nullopt;
    }
}

bool Connection::wait_readable(int timeout_ms) {
    pollfd p{fd_.get(), POLLIN, 0};
    for (;;) {
        int n = ::poll(&p, 1, timeout_ms);
        if (n > 0) return true;
        if (n == 0) return false;
        if (errno != EINTR) return true;  // the recv that follows reports it
    }
}

void Connection::send_reject(RejectReason reason, const iscsi::Bhs& header) {
    iscsi::Reject r;
    r.reason = static_cast<std::uint8_t>(reason);
    r.header.assign(header.begin(), header.end());
    send(std::move(r), true);
}

// ---- sending ----

template <class P>
void Connection::stamp(P& p, bool status) {
    p.stat_sn = status ? stat_sn_++ : stat_sn_;
    if (session_) {
        auto [exp, max] = session_->window_now();
        p.exp_cmd_sn = exp;
        p.max_cmd_sn = max;
    }
}

template <class P>
void Connection::send(P p, bool status) {
    std::lock_guard g(send_mu_);
    stamp(p, status);
    post(iscsi::serialize(p.encode(), digests_));
}

void Connection::post(Bytes wire) {
    queue_bytes(wire);
    posted();
}

void Connection::queue_bytes(ByteView b) {
    if (b.empty()) return;
    auto& o = out_;
    if (!o.pieces.empty() && o.pieces.back().payload == std::string::npos &&
        o.pieces.back().offset + o.pieces.back().length == o.bytes.size()) {
        o.pieces.back().length += b.size();
    } else {
        o.pieces.push_back({std::string::npos, o.bytes.size(), b.size()});
    }
    o.bytes.insert(o.bytes.end(), b.begin(), b.end());
    o.size += b.size();
}

void Connection::queue_payload(std::size_t index, std::size_t offset, std::size_t length) {
    if (length == 0) return;
    out_.pieces.push_back({index, offset, length});
    out_.size += length;
    out_.payload_bytes += length;
}

std::size_t Connection::Outbox::add(Bytes data, Charge charge) {
    payloads.push_back({std::move(data), std::move(charge)});
    return payload_base + payloads.size() - 1;
}

std::uint8_t* Connection::Outbox::base(const Piece& p) {
    return p.payload == std::string::npos ? bytes.data()
                                          : payloads[p.payload - payload_base].data.data();
}

void Connection::posted() {
    // Enough gathered to keep the socket busy: no reason to wait for the next recv.
    constexpr std::size_t flush_bytes = 512u << 10;
    if (deferring != this || out_.size >= flush_bytes) flush();
}

void Connection::flush_now() {
    std::lock_guard g(send_mu_);
    flush();
}

void Connection::writable() {
    std::lock_guard g(send_mu_);
    flush();
}

void Connection::flush() {
    auto& o = out_;
    while (!o.pieces.empty()) {
        o.iov.clear();
        for (std::size_t i = 0; i < o.pieces.size() && o.iov.size() < IOV_MAX; ++i) {
            const auto& p = o.pieces[i];
            o.iov.push_back({o.base(p) + p.offset, p.length});
        }
        msghdr m{};
        m.msg_iov = o.iov.data();
        m.msg_iovlen = o.iov.size();
        // Never blocks: an initiator that does not read must not hold this thread (an
        // engine worker, or the reader of another PDU).
        ssize_t n = ::sendmsg(fd_.get(), &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!sender_forgotten_)
                core_.sender.want(fd_.get(), [w = weak_from_this()] {
                    if (auto c = w.lock()) c->writable();
                });
            return;
        }
        if (n < 0) {
            closing_ = true;
            ::shutdown(fd_.get(), SHUT_RDWR);
            consume(o.size);
            break;
        }
        consume(static_cast<std::size_t>(n));
    }
    send_cv_.notify_all();
}

void Connection::consume(std::size_t n) {
    auto& o = out_;
    o.sent += n;
    o.size -= n;
    while (n > 0 && !o.pieces.empty()) {
        auto& p = o.pieces.front();
        std::size_t k = std::min(n, p.length);
        if (p.payload != std::string::npos) o.payload_bytes -= k;
        p.offset += k;
        p.length -= k;
        n -= k;
        if (p.length == 0) o.pieces.pop_front();
    }
    if (o.pieces.empty()) {
        o.bytes.clear();
        o.payloads.clear();  // gives their charges back
        o.payload_base = 0;
        o.size = o.payload_bytes = 0;
        return;
    }
    // Payloads before the first one still referenced are sent: their memory goes now.
    std::size_t keep = o.payload_base + o.payloads.size();
    std::size_t bytes_from = o.bytes.size();
    for (const auto& p : o.pieces) {
        if (p.payload == std::string::npos)
            bytes_from = std::min(bytes_from, p.offset);
        else
            keep = std::min(keep, p.payload);
    }
    while (o.payload_base < keep && !o.payloads.empty()) {
        o.payloads.pop_front();
        ++o.payload_base;
    }
    // Headers already sent: drop them once they are most of the buffer.
    if (bytes_from > 0 && bytes_from * 2 >= o.bytes.size()) {
        o.bytes.erase(o.bytes.begin(), o.bytes.begin() + static_cast<std::ptrdiff_t>(bytes_from));
        for (auto& p : o.pieces)
            if (p.payload == std::string::npos) p.offset -= bytes_from;
    }
}

bool Connection::wait_send_room() {
    std::unique_lock g(send_mu_);
    if (out_.size - out_.payload_bytes <= outbox_limit) return true;
    flush();
    while (!closing_ && out_.size - out_.payload_bytes > outbox_limit) {
        std::uint64_t before = out_.sent;
        send_cv_.wait_for(g, send_stall);
        if (out_.sent == before && out_.size - out_.payload_bytes > outbox_limit) return false;
    }
    return !closing_;
}

void Connection::drain_outbox(int timeout_ms) {
    std::unique_lock g(send_mu_);
    flush();
    send_cv_.wait_for(g, std::chrono::milliseconds(timeout_ms),
                      [&] { return out_.pieces.empty(); });
}

// ---- login ----

void Connection::login_fail(const iscsi::LoginRequest& rq, LoginStatus status, const std::string&) {
    iscsi::LoginResponse r;
    r.csg = rq.csg;
    r.nsg = rq.nsg;
    r.isid = rq.isid;
    r.tsih = rq.tsih;
    r.initiator_task_tag = rq.initiator_task_tag;
    r.exp_cmd_sn = rq.cmd_sn;
    r.max_cmd_sn = rq.cmd_sn;
    r.set_status(status);
    std::lock_guard g(send_mu_);
    r.stat_sn = stat_sn_++;
    post(iscsi::serialize(r.encode()));
}

bool Connection::login() {
    LoginState st;
    st.cfg = core_.snapshot();
    for (;;) {
        auto pdu = read_pdu(false);
        if (!pdu) return false;
        if (pdu->opcode() != static_cast<std::uint8_t>(iscsi::Opcode::login_request)) return false;
        iscsi::LoginRequest rq;
        try {
            rq = iscsi::LoginRequest::decode(*pdu);
        } catch (const Error&) {
            return false;
        }
        try {
            if (login_step(st, rq)) return true;
            std::lock_guard g(send_mu_);
            if (out_.size > login_outbox_limit) return false;
        } catch (const NegotiationError& e) {
            log_refused_login(st, e);
            login_fail(rq, e.status(), e.what());
            return false;
        } catch (const Error& e) {
            login_fail(rq, LoginStatus::initiator_error, e.what());
            return false;
        }
    }
}

void Connection::log_refused_login(const LoginState& st, const NegotiationError& e) {
    if (e.status() != LoginStatus::authentication_failure &&
        e.status() != LoginStatus::authorization_failure)
        return;
    std::string target = st.discovery ? "discovery" : "target " + printable(st.target_name);
    core_.login_log(fmt::format("login from {} (initiator {}, {}) refused: {}", peer_.text(),
                                st.initiator.empty() ? "?" : printable(st.initiator), target,
                                printable(e.what())));
}

bool Connection::login_step(LoginState& st, const iscsi::LoginRequest& rq) {
    using iscsi::Stage;
    if (st.first) {
        if (rq.version_min > 0)
            throw NegotiationError(LoginStatus::unsupported_version, "iSCSI version");
        st.isid = rq.isid;
        st.tsih = rq.tsih;
        st.itt = rq.initiator_task_tag;
        st.cmd_sn = rq.cmd_sn;
        cid_ = rq.cid;
        stat_sn_ = rq.exp_stat_sn;
    } else if (rq.isid != st.isid || rq.tsih != st.tsih || rq.cid != cid_) {
        throw NegotiationError(LoginStatus::initiator_error, "login identity changed");
    }
    st.text.insert(st.text.end(), rq.data.begin(), rq.data.end());
    if (st.text.size() > 65536)
        throw NegotiationError(LoginStatus::initiator_error, "too much text");
    iscsi::LoginResponse resp;
    resp.csg = rq.csg;
    resp.isid = rq.isid;
    resp.tsih = rq.tsih;
    resp.initiator_task_tag = rq.initiator_task_tag;
    if (rq.continue_bit) {  // more text follows: acknowledge with an empty response
        std::lock_guard g(send_mu_);
        resp.stat_sn = stat_sn_++;
        resp.exp_cmd_sn = st.cmd_sn;
        resp.max_cmd_sn = st.cmd_sn + st.cfg->command_window - 1;
        post(iscsi::serialize(resp.encode()));
        return false;
    }
    iscsi::TextList offers = iscsi::decode_text(st.text);
    st.text.clear();

    if (st.first) {
        st.first = false;
        const std::string* initiator = iscsi::find_value(offers, "InitiatorName");
        if (!initiator) throw NegotiationError(LoginStatus::missing_parameter, "no InitiatorName");
        st.initiator = *initiator;
        const std::string* type = iscsi::find_value(offers, "SessionType");
        st.discovery = type && *type == "Discovery";
        const PortalGroup* pg = find_portal_group(*st.cfg, portal_group_);
        if (!pg) throw NegotiationError(LoginStatus::service_unavailable, "portal group gone");
        iscsi::TargetConfig tc = st.cfg->negotiation;
        tc.target_portal_group_tag = pg->tag;
        if (st.discovery) {
            st.auth = pg->discovery_auth_group.empty()
                          ? nullptr
                          : find_auth_group(*st.cfg, pg->discovery_auth_group);
        } else {
            const std::string* tn = iscsi::find_value(offers, "TargetName");
            if (!tn) throw NegotiationError(LoginStatus::missing_parameter, "no TargetName");
            const IscsiTarget* t = find_target(*st.cfg, *tn);
            const TargetPortal* tp = t ? find_target_portal(*t, portal_group_) : nullptr;
            if (!tp) throw NegotiationError(LoginStatus::not_found, "no such target here");
            st.tp = *tp;
            st.target_name = t->name;
            tc.target_alias = t->alias;
            st.auth = target_auth_group(*st.cfg, *t, *tp);
        }
        if (!acl_admits(st.auth, *initiator, peer_))
            throw NegotiationError(LoginStatus::authorization_failure, "not admitted");
        st.auth_required =
            st.auth && (st.auth->type == AuthType::chap || st.auth->type == AuthType::chap_mutual);
        tc.auth_methods =
            st.auth_required ? std::vector<std::string>{"CHAP"} : std::vector<std::string>{"None"};
        if (st.tsih != 0) {
            st.join = core_.find_session(st.tsih);
            if (!st.join || st.join->isid != st.isid || st.join->discovery != st.discovery ||
                st.join->params.initiator_name != *initiator ||
                st.join->params.target_name != st.target_name)
                throw NegotiationError(LoginStatus::session_does_not_exist, "no such session");
            auto conns = st.join->connections();
            bool reinstating = std::any_of(conns.begin(), conns.end(),
                                           [&](const auto& c) { return c->cid() == cid_; });
            if (!reinstating && conns.size() >= st.join->params.max_connections)
                throw NegotiationError(LoginStatus::too_many_connections, "MaxConnections");
        }
        std::lock_guard g(send_mu_);
        negotiator_.emplace(tc, st.join == nullptr);
    }

    Stage stage = static_cast<Stage>(rq.csg);
    iscsi::TextList answer;
    if (stage == Stage::security) {
        auto r = negotiator_->respond(offers, Stage::security);
        answer = std::move(r.response);
        if (!r.deferred.empty()) {
            if (!st.auth_required || negotiator_->connection().auth_method != "CHAP")
                throw NegotiationError(LoginStatus::initiator_error, "CHAP keys without CHAP");
            if (const std::string* a = iscsi::find_value(r.deferred, "CHAP_A")) {
                st.chap.emplace();
                for (auto& kv : st.chap->challenge(*a)) answer.push_back(std::move(kv));
                st.challenged = true;
            } else if (iscsi::find_value(r.deferred, "CHAP_N") ||
                       iscsi::find_value(r.deferred, "CHAP_R")) {
                if (!st.chap) throw NegotiationError(LoginStatus::initiator_error, "no CHAP_A");
                const AuthGroup* g = st.auth;
                bool mutual_required = g->type == AuthType::chap_mutual;
                if (mutual_required && !iscsi::find_value(r.deferred, "CHAP_I"))
                    throw NegotiationError(LoginStatus::authentication_failure,
                                           "mutual CHAP required");
                auto lookup = [g](std::string_view user) -> std::optional<iscsi::ChapCredentials> {
                    for (const auto& c : g->chap)
                        if (c.initiator.name == user) return c;
                    return std::nullopt;
                };
                for (auto& kv : st.chap->verify(r.deferred, lookup))
                    answer.push_back(std::move(kv));
                st.authenticated = st.chap->authenticated();
                chap_user_ = st.chap->user();
            }
        }
    } else if (stage == Stage::operational) {
        if (st.auth_required && !st.authenticated)
            throw NegotiationError(LoginStatus::authentication_failure, "authentication required");
        answer = negotiator_->respond(offers, Stage::operational).response;
    } else {
        throw NegotiationError(LoginStatus::initiator_error, "bad CSG");
    }

    bool full_feature = false;
    if (rq.transit) {
        if (rq.nsg <= rq.csg || rq.nsg == 2)
            throw NegotiationError(LoginStatus::initiator_error, "bad NSG");
        bool may = true;
        if (stage == Stage::security && st.auth_required) {
            if (!st.authenticated) may = false;  // the CHAP exchange is still to come
            if (negotiator_->connection().auth_method != "CHAP")
                throw NegotiationError(LoginStatus::authentication_failure, "CHAP required");
        }
        if (may) {
            resp.transit = true;
            resp.nsg = rq.nsg;
            full_feature = rq.nsg == static_cast<std::uint8_t>(Stage::full_feature);
        }
    }
    if (full_feature) {
        negotiator_->check_complete();
        if (st.join) {
            if (auto old = st.join->connection(cid_)) old->shut();  // connection reinstatement
            session_ = st.join;
        } else {
            auto s = std::make_shared<Session>();
            s->isid = st.isid;
            s->discovery = st.discovery;
            s->portal_group = portal_group_;
            s->params = negotiator_->session();
            s->portal = st.tp;
            s->window = std::max<std::uint32_t>(1, st.cfg->command_window);
            s->buffers = std::make_shared<BufferPool>(st.cfg->session_buffer_bytes, core_.buffers);
            s->start(st.cmd_sn);
            if (!st.discovery) {
                auto n = std::make_shared<ctl::Nexus>();
                n->id = next_nexus_id++;
                n->initiator_name = s->params.initiator_name;
                n->initiator_transport_id =
                    scsi::TransportId::iscsi_initiator(
                        s->params.initiator_name, fmt::format("{:02x}", fmt::join(st.isid, "")))
                        .encode();
                n->target_name = st.target_name;
                n->port = st.tp.port;
                n->relative_target_port = st.tp.relative_target_port;
                s->nexus = std::move(n);
            }
            core_.register_session(s);
            session_ = s;
        }
        session_->add(shared_from_this());
        resp.tsih = session_->tsih;
    }
    resp.data = iscsi::encode_text(answer);
    {
        std::lock_guard g(send_mu_);
        resp.stat_sn = stat_sn_++;
        if (session_) {
            auto [exp, max] = session_->window_now();
            resp.exp_cmd_sn = exp;
            resp.max_cmd_sn = max;
        } else {
            resp.exp_cmd_sn = st.cmd_sn;
            resp.max_cmd_sn = st.cmd_sn + st.cfg->command_window - 1;
        }
        post(iscsi::serialize(resp.encode()));
        if (full_feature) {
            const auto& cp = negotiator_->connection();
            digests_ = cp.digests;
            max_send_ = cp.max_send_data_segment_length;
            max_burst_ = session_->params.max_burst_length;
            framer_.set({cp.digests, cp.max_recv_data_segment_length, iscsi::Sender::initiator});
        }
    }
    return full_feature;
}

// ---- full feature phase ----

void Connection::full_feature() {
    auto cfg = core_.snapshot();
    bool ping = cfg->ping_interval_seconds > 0;
    ping_ms_ =
        ping ? static_cast<int>(std::min<std::uint32_t>(cfg->ping_interval_seconds, 86400) * 1000)
             : -1;
    if (rbuf_.size() < read_buffer_bytes) rbuf_.resize(read_buffer_bytes);
    struct Defer {
        Connection& c;
        explicit Defer(Connection& conn) : c(conn) { deferring = &c; }
        ~Defer() {
            deferring = nullptr;
            c.flush_now();  // a Reject or Logout Response before the connection closes
        }
    } defer(*this);
    while (!closing_) {
        if (!wait_send_room()) return;  // the peer does not read what it asked for
        auto pdu = read_pdu(ping);
        if (!pdu) return;
        try {
            dispatch(std::move(*pdu));
        } catch (const ProtocolError& e) {
            if (e.reason() != RejectReason::none)
                send_reject(e.reason(), e.header().value_or(iscsi::Bhs{}));
            if (!e.resumable()) return;
        } catch (const NegotiationError&) {
            return;
        } catch (const Error&) {
            send_reject(RejectReason::invalid_pdu_field, pdu->bhs);
        }
    }
}

void Connection::dispatch(iscsi::Pdu pdu) {
    using iscsi::Opcode;
    auto op = static_cast<Opcode>(pdu.opcode());
    if (session_->discovery && op != Opcode::text_request && op != Opcode::logout_request &&
        op != Opcode::nop_out)
        throw ProtocolError(RejectReason::protocol_error, "not in a discovery session", pdu.bhs,
                            true);
    switch (op) {
        case Opcode::nop_out:
            return on_nop_out(pdu);
        case Opcode::scsi_command:
            return on_command(pdu);
        case Opcode::data_out:
            return on_data_out(pdu);
        case Opcode::task_management_request:
            return on_tmf(pdu);
        case Opcode::text_request:
            return on_text(pdu);
        case Opcode::logout_request:
            return on_logout(pdu);
        case Opcode::snack_request:
            throw ProtocolError(RejectReason::snack_reject, "SNACK at ErrorRecoveryLevel 0",
                                pdu.bhs, true);
        default:
            throw ProtocolError(RejectReason::protocol_error, "unexpected opcode", pdu.bhs, true);
    }
}

void Connection::on_nop_out(const iscsi::Pdu& pdu) {
    auto n = iscsi::NopOut::decode(pdu);
    if (n.initiator_task_tag == reserved_tag) {
        if (n.target_transfer_tag != reserved_tag && n.target_transfer_tag == ping_ttt_)
            ping_ttt_ = reserved_tag;
        return;
    }
    if (!n.immediate && !session_->accept(n.cmd_sn, false)) return;
    iscsi::NopIn r;
    r.lun = n.lun;
    r.initiator_task_tag = n.initiator_task_tag;
    r.ping_data = std::move(n.ping_data);
    if (r.ping_data.size() > max_send_) r.ping_data.resize(max_send_);
    send(std::move(r), true);
}

void Connection::on_command(const iscsi::Pdu& pdu) {
    auto cmd = iscsi::ScsiCommand::decode(pdu);
    if (!cmd.immediate && !session_->accept(cmd.cmd_sn, true)) return;  // outside the window
    const auto& sp = session_->params;
    auto release = [&] {
        if (!cmd.immediate) session_->finished();
    };
    std::uint32_t edtl = cmd.expected_data_transfer_length;
    std::uint32_t imm = static_cast<std::uint32_t>(cmd.immediate_data.size());
    auto reject = [&](RejectReason why, const char* msg) {
        release();
        throw ProtocolError(why, msg, pdu.bhs, true);
    };
    if (imm > 0 && (!cmd.write || !sp.immediate_data))
        reject(RejectReason::protocol_error, "immediate data");
    if (imm > edtl || imm > sp.first_burst_length)
        reject(RejectReason::protocol_error, "immediate data beyond the first burst");

    PendingTask t;
    t.lun = cmd.lun;
    t.read = cmd.read;
    t.write = cmd.write;
    t.counts = !cmd.immediate;
    t.immediate_length = imm;
    t.task.nexus = session_->nexus;
    t.task.lun = linux_lun(cmd.lun);
    t.task.cdb.assign(cmd.cdb.begin(),
                      cmd.cdb.begin() + static_cast<std::ptrdiff_t>(cdb_length(cmd.cdb)));
    t.task.tag = cmd.initiator_task_tag;
    t.task.attribute = task_attribute(cmd.attribute);
    t.task.expected_transfer_length = edtl;
    if (cmd.read && cmd.write) {
        t.task.direction = ctl::DataDirection::bidirectional;
        t.read_length = cmd.bidirectional_read_length.value_or(0);
    } else if (cmd.read) {
        t.task.direction = ctl::DataDirection::in;
        t.read_length = edtl;
    } else if (cmd.write) {
        t.task.direction = ctl::DataDirection::out;
    }
    if (cmd.write) {
        // What the CDB carries, not what the initiator declares, sizes the buffer.
        t.cdb_out = core_.sink.data_out_length(*session_->nexus, t.task.lun, t.task.cdb);
        t.window = std::min(edtl, t.cdb_out);
        store(t, 0, cmd.immediate_data);
        t.received = imm;
        bool unsolicited = !sp.initial_r2t && !cmd.final_bit;
        t.unsolicited_end =
            unsolicited ? std::max(imm, std::min(sp.first_burst_length, edtl)) : imm;
        t.unsolicited_next = imm;
        t.unsolicited_done = t.unsolicited_end <= imm;
        t.next_r2t_offset = t.unsolicited_end;
    }
    std::uint32_t itt = cmd.initiator_task_tag;
    bool ready = false;
    bool full = false;
    {
        std::lock_guard g(tasks_mu_);
        if (tasks_.count(itt)) {
            release();
            throw ProtocolError(RejectReason::task_in_progress, "task tag in use", pdu.bhs, true);
        }
        // The session's buffers hold the Data-Out to gather and the Data-In to come, charged
        // before a byte of either is buffered; a command that does not fit waits for nothing
        // and is answered TASK SET FULL (the initiator retries it).
        std::uint64_t in = t.read ? std::min(t.read_length, ctl::max_transfer_bytes) : 0;
        if (auto c = session_->buffers->take(std::uint64_t{t.window} + in)) {
            t.charge = std::move(*c);
            auto& slot = tasks_[itt] = std::move(t);
            ready = !slot.write || collected(slot);
            if (!ready && slot.unsolicited_done) send_r2ts(slot);
        } else {
            full = true;
        }
    }
    if (full) return task_set_full(t);
    if (ready) submit(itt);
}

void Connection::store(PendingTask& t, std::uint32_t offset, ByteView data) {
    if (offset >= t.window || data.empty()) return;
    std::size_t n = std::min<std::size_t>(data.size(), t.window - offset);
    std::size_t end = offset + n;
    Bytes& b = t.task.data_out;
    // The buffer grows with the data that arrived, never past the window.
    if (b.capacity() < end)
        b.reserve(std::min<std::size_t>(t.window, std::max(end, 2 * b.capacity())));
    if (b.size() < end) b.resize(end);
    std::copy_n(data.begin(), n, b.begin() + offset);
}

bool Connection::collected(const PendingTask& t) {
    bool unsolicited = t.unsolicited_done || t.unsolicited_next >= t.window;
    return unsolicited && t.r2ts.empty() && t.next_r2t_offset >= t.window;
}

void Connection::task_set_full(PendingTask& t) {
    if (t.counts) session_->finished();
    ctl::TaskResult r;
    r.status = 0x28;  // TASK SET FULL
    t.read = false;
    t.task.expected_transfer_length = 0;
    send_data_in(t, r);
}

void Connection::send_r2ts(PendingTask& t) {
    // R2Ts ask for the window only: what the EDTL declares beyond the CDB is never asked.
    std::uint32_t edtl = t.window;
    std::uint32_t max_r2t = std::max<std::uint32_t>(1, session_->params.max_outstanding_r2t);
    std::uint32_t burst = std::max<std::uint32_t>(512, session_->params.max_burst_length);
    while (t.r2ts.size() < max_r2t && t.next_r2t_offset < edtl) {
        std::uint32_t len = std::min(burst, edtl - t.next_r2t_offset);
        R2tState s;
        s.ttt = next_ttt_++;
        if (next_ttt_ == reserved_tag) next_ttt_ = 1;
        s.offset = t.next_r2t_offset;
        s.length = len;
        t.r2ts.push_back(s);
        iscsi::R2t r;
        r.lun = t.lun;
        r.initiator_task_tag = t.task.tag;
        r.target_transfer_tag = s.ttt;
        r.r2t_sn = t.r2t_sn++;
        r.buffer_offset = s.offset;
        r.desired_data_transfer_length = len;
        send(std::move(r), false);
        t.next_r2t_offset += len;
    }
}

void Connection::on_data_out(const iscsi::Pdu& pdu) {
    auto d = iscsi::DataOut::decode(pdu);
    bool ready = false;
    std::optional<PendingTask> failed;
    std::uint8_t ascq = 0;
    {
        std::lock_guard g(tasks_mu_);
        auto it = tasks_.find(d.initiator_task_tag);
        if (it == tasks_.end() || it->second.submitted || it->second.aborted) return;
        PendingTask& t = it->second;
        auto len = static_cast<std::uint32_t>(d.data.size());
        std::uint32_t edtl = t.task.expected_transfer_length;
        // A Data-Out out of sequence fails its task (ErrorRecoveryLevel 0 cannot ask for it
        // again); the connection and the other tasks go on. ASCQ of DATA PHASE ERROR (4B/xx).
        auto check = [&](bool ok, std::uint8_t q) {
            if (!ok && ascq == 0) ascq = q;
            return ok;
        };
        bool in_range = check(d.buffer_offset <= edtl && len <= edtl - d.buffer_offset, 0x02);
        if (in_range && d.target_transfer_tag == reserved_tag) {
            if (check(!t.unsolicited_done, 0x02) &&
                check(d.data_sn == t.unsolicited_data_sn, 0x05) &&
                check(d.buffer_offset == t.unsolicited_next, 0x05) &&
                check(d.buffer_offset + len <= t.unsolicited_end, 0x02)) {
                ++t.unsolicited_data_sn;
                t.unsolicited_next += len;
                if (d.final_bit) {
                    t.unsolicited_done = true;
                    t.next_r2t_offset = t.unsolicited_next;
                }
            }
        } else if (in_range) {
            auto r = std::find_if(t.r2ts.begin(), t.r2ts.end(), [&](const R2tState& s) {
                return s.ttt == d.target_transfer_tag;
            });
            if (check(r != t.r2ts.end(), 0x01) && check(d.data_sn == r->next_data_sn, 0x05) &&
                check(d.buffer_offset == r->offset + r->received, 0x05) &&
                check(len <= r->length - r->received, 0x02)) {
                ++r->next_data_sn;
                r->received += len;
                if (d.final_bit) {
                    if (check(r->received == r->length, 0x05)) t.r2ts.erase(r);
                }
            }
        }
        if (ascq != 0) {
            failed = std::move(t);
            tasks_.erase(it);
        } else {
            store(t, d.buffer_offset, d.data);
            t.received += len;
            ready = collected(t);
            if (!ready && t.unsolicited_done) send_r2ts(t);
        }
    }
    if (failed) {
        tasks_cv_.notify_all();
        if (failed->counts) session_->finished();
        ctl::TaskResult r;
        r.status = 0x02;
        r.sense = scsi::Sense::build(0x0b, 0x4b, ascq, false).encode();  // ABORTED COMMAND
        r.data_out_used = 0;
        failed->read = false;
        send_data_in(*failed, r);
        return;
    }
    if (ready) submit(d.initiator_task_tag);
}

void Connection::submit(std::uint32_t itt) {
    ctl::Task task;
    {
        std::lock_guard g(tasks_mu_);
        auto it = tasks_.find(itt);
        if (it == tasks_.end()) return;
        it->second.submitted = true;
        // The task goes to the engine; what the response needs (tag, LUN, expected length)
        // are plain values and stay behind in the moved-from task.
        task = std::move(it->second.task);
    }
    core_.sink.submit(std::move(task), [self = shared_from_this(), itt](ctl::TaskResult r) {
        self->complete(itt, std::move(r));
    });
}

void Connection::complete(std::uint32_t itt, ctl::TaskResult result) {
    PendingTask t;
    {
        std::lock_guard g(tasks_mu_);
        auto it = tasks_.find(itt);
        if (it == tasks_.end() || !it->second.submitted) return;
        t = std::move(it->second);
        tasks_.erase(it);
    }
    tasks_cv_.notify_all();
    if (t.counts) session_->finished();
    if (t.aborted || result.aborted || closing_) return;  // t's charge goes back
    send_data_in(t, result);
}

void Connection::send_data_in(PendingTask& t, ctl::TaskResult& r) {
    // RFC 7143 11.4.5: the residual compares what the command wanted to transfer with the
    // Expected Data Transfer Length (for a bidirectional command, of its write half).
    std::uint32_t edtl = t.task.expected_transfer_length;
    Bytes& data = r.data_in;
    std::uint64_t wanted = 0;
    std::uint64_t expected = edtl;
    if (t.read && !t.write) {
        wanted = data.size();
        expected = t.read_length;
    } else if (r.data_out_requested) {
        wanted = *r.data_out_requested;
    } else if (t.write) {
        // A parameter list shorter than the EDTL is all the command wanted.
        std::uint32_t asked = t.cdb_out != 0 && t.cdb_out < edtl ? t.cdb_out : edtl;
        wanted = r.data_out_used ? std::min(r.data_out_used, edtl) : asked;
    } else {
        wanted = data.size();
    }
    if (!t.read) data.clear();
    if (data.size() > t.read_length) {
        data.resize(t.read_length);
        // What waits for the socket is what is sent, not all the engine read.
        if (data.capacity() > 2 * data.size()) data.shrink_to_fit();
    }
    bool overflow = wanted > expected;
    bool underflow = wanted < expected;
    auto residual = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(overflow ? wanted - expected : expected - wanted, 0xffffffffu));
    bool collapse = r.status == 0 && r.sense.empty() && !data.empty();
    std::lock_guard g(send_mu_);
    // The payload goes on the wire from the buffer the engine read it into: Data-In headers
    // and digests are framed around slices of it.
    // The payload keeps its part of the task's charge until it is on the wire; the rest of
    // the charge goes back with t.
    auto size = static_cast<std::uint32_t>(data.size());
    std::size_t payload = size ? out_.add(std::move(data), t.charge.split(size)) : 0;
    ByteView bytes = size ? ByteView(out_.payloads.back().data) : ByteView();
    std::uint32_t data_sn = 0;
    std::uint32_t off = 0;
    std::uint32_t burst_used = 0;
    std::uint32_t burst = std::max<std::uint32_t>(512, max_burst_);
    while (off < size) {
        std::uint32_t n = std::min({max_send_, size - off, burst - burst_used});
        iscsi::DataIn d;
        d.lun = t.lun;
        d.initiator_task_tag = t.task.tag;
        d.data_sn = data_sn++;
        d.buffer_offset = off;
        bool last = off + n == size;
        burst_used += n;
        d.final_bit = last || burst_used == burst;
        if (burst_used == burst) burst_used = 0;
        if (last && collapse) {
            d.status_present = true;
            d.status = r.status;
            d.overflow = overflow;
            d.underflow = underflow;
            d.residual_count = residual;
        }
        stamp(d, last && collapse);
        auto f = iscsi::frame(d.header(n), bytes.subspan(off, n), digests_);
        queue_bytes(f.head_bytes());
        queue_payload(payload, off, n);
        queue_bytes(f.tail_bytes());
        off += n;
    }
    if (!collapse) {
        iscsi::ScsiResponse resp;
        resp.status = r.status;
        resp.initiator_task_tag = t.task.tag;
        resp.sense = std::move(r.sense);
        resp.overflow = overflow;
        resp.underflow = underflow;
        resp.residual_count = residual;
        resp.exp_data_sn = data_sn + t.r2t_sn;
        stamp(resp, true);
        queue_bytes(iscsi::serialize(resp.encode(), digests_));
    }
    posted();
}

void Connection::abort_matching(std::optional<std::uint64_t> lun) {
    std::vector<bool> release;
    {
        std::lock_guard g(tasks_mu_);
        for (auto it = tasks_.begin(); it != tasks_.end();) {
            PendingTask& t = it->second;
            if (lun && t.task.lun != *lun) {
                ++it;
                continue;
            }
            if (t.counts) release.push_back(true);
            t.counts = false;
            if (t.submitted) {
                t.aborted = true;
                ++it;
            } else {
                it = tasks_.erase(it);
            }
        }
    }
    tasks_cv_.notify_all();
    if (session_)
        for (std::size_t i = 0; i < release.size(); ++i) session_->finished();
}

void Connection::abort_pending(std::uint32_t itt) {
    bool release = false;
    {
        std::lock_guard g(tasks_mu_);
        auto it = tasks_.find(itt);
        if (it == tasks_.end()) return;
        release = it->second.counts;
        it->second.counts = false;
        if (it->second.submitted)
            it->second.aborted = true;
        else
            tasks_.erase(it);
    }
    tasks_cv_.notify_all();
    if (release) session_->finished();
}

void Connection::on_tmf(const iscsi::Pdu& pdu) {
    using F = iscsi::TmfFunction;
    auto rq = iscsi::TaskManagementRequest::decode(pdu);
    if (!rq.immediate && !session_->accept(rq.cmd_sn, false)) return;
    iscsi::TaskManagementResponse resp;
    resp.initiator_task_tag = rq.initiator_task_tag;
    std::uint64_t lun = linux_lun(rq.lun);
    const ctl::Nexus& nexus = *session_->nexus;
    auto engine = [&](ctl::TmfFunction fn, std::uint32_t ref) {
        return core_.sink.task_management(nexus, fn, lun, ref);
    };
    bool drop_connection = false;
    switch (static_cast<F>(rq.function)) {
        case F::abort_task: {
            std::uint32_t ref = rq.referenced_task_tag;
            bool in_frontend = false;
            bool submitted = false;
            {
                std::lock_guard g(tasks_mu_);
                auto it = tasks_.find(ref);
                if (it != tasks_.end() && !it->second.aborted) {
                    in_frontend = true;
                    submitted = it->second.submitted;
                }
            }
            if (!in_frontend) {
                resp.response = static_cast<std::uint8_t>(iscsi::TmfResponse::task_does_not_exist);
            } else if (!submitted) {
                abort_pending(ref);
                resp.response = static_cast<std::uint8_t>(iscsi::TmfResponse::function_complete);
            } else {
                auto r = engine(ctl::TmfFunction::abort_task, ref);
                if (r == ctl::TmfResponse::complete) abort_pending(ref);
                resp.response = tmf_response(r);
            }
            break;
        }
        case F::abort_task_set:
        case F::clear_task_set:
        case F::logical_unit_reset: {
            auto fn = rq.function == static_cast<std::uint8_t>(F::abort_task_set)
                          ? ctl::TmfFunction::abort_task_set
                      : rq.function == static_cast<std::uint8_t>(F::clear_task_set)
                          ? ctl::TmfFunction::clear_task_set
                          : ctl::TmfFunction::lun_reset;
            auto r = engine(fn, reserved_tag);
            if (r == ctl::TmfResponse::complete) abort_matching(lun);
            resp.response = tmf_response(r);
            break;
        }
        case F::clear_aca:
            resp.response = tmf_response(engine(ctl::TmfFunction::clear_aca, reserved_tag));
            break;
        case F::target_warm_reset:
        case F::target_cold_reset: {
            auto r = engine(ctl::TmfFunction::target_reset, reserved_tag);
            if (r == ctl::TmfResponse::complete) abort_matching(std::nullopt);
            resp.response = tmf_response(r);
            drop_connection = rq.function == static_cast<std::uint8_t>(F::target_cold_reset);
            break;
        }
        case F::task_reassign:
            resp.response =
                static_cast<std::uint8_t>(iscsi::TmfResponse::reassignment_not_supported);
            break;
        default:
            resp.response = static_cast<std::uint8_t>(iscsi::TmfResponse::function_rejected);
            break;
    }
    send(std::move(resp), true);
    if (drop_connection) {
        flush_now();
        shut();
    }
}

std::string Connection::send_targets(std::string_view which) {
    auto cfg = core_.snapshot();
    const PortalGroup* here = find_portal_group(*cfg, portal_group_);
    iscsi::TextList out;
    std::map<std::string, SocketAddress> bound;
    {
        std::lock_guard g(core_.mu);
        for (const auto& [text, l] : core_.listeners) bound[text] = l.bound;
    }
    for (const auto& t : cfg->targets) {
        if (session_->discovery) {
            if (which != "All" &&
                !(which.size() == t.name.size() && find_target(*cfg, which) == &t))
                continue;
        } else if (find_target(*cfg, session_->params.target_name) != &t) {
            continue;
        }
        if (session_->discovery && here && here->discovery_filter != DiscoveryFilter::none) {
            const TargetPortal* tp = find_target_portal(t, portal_group_);
            if (!tp) continue;
            const AuthGroup* g = target_auth_group(*cfg, t, *tp);
            if (g && g->type == AuthType::deny) continue;
            if (g && !g->initiator_portals.empty() &&
                std::none_of(g->initiator_portals.begin(), g->initiator_portals.end(),
                             [&](const std::string& p) { return portal_matches(p, peer_); }))
                continue;
            if (here->discovery_filter != DiscoveryFilter::portal &&
                !acl_admits(g, session_->params.initiator_name, peer_))
                continue;
            if (here->discovery_filter == DiscoveryFilter::portal_name_auth && g &&
                (g->type == AuthType::chap || g->type == AuthType::chap_mutual) &&
                std::none_of(g->chap.begin(), g->chap.end(),
                             [&](const auto& c) { return c.initiator.name == chap_user_; }))
                continue;
        }
        out.push_back({"TargetName", t.name});
        for (const auto& tp : t.portals) {
            const PortalGroup* pg = find_portal_group(*cfg, tp.portal_group);
            if (!pg) continue;
            for (const auto& l : pg->listen) {
                auto b = bound.find(l);
                SocketAddress a = b != bound.end() ? b->second : parse_listen_address(l);
                std::string host = a.wildcard() ? local_.host() : a.host();
                bool v6 = host.find(':') != std::string::npos;
                out.push_back(
                    {"TargetAddress", v6 ? fmt::format("[{}]:{},{}", host, a.port(), pg->tag)
                                         : fmt::format("{}:{},{}", host, a.port(), pg->tag)});
            }
        }
    }
    Bytes b = iscsi::encode_text(out);
    return std::string(b.begin(), b.end());
}

void Connection::on_text(const iscsi::Pdu& pdu) {
    auto rq = iscsi::TextRequest::decode(pdu);
    if (!rq.immediate && !session_->accept(rq.cmd_sn, false)) return;
    iscsi::TextResponse resp;
    resp.initiator_task_tag = rq.initiator_task_tag;
    resp.lun = rq.lun;
    Bytes body;
    if (rq.target_transfer_tag != reserved_tag) {
        if (rq.target_transfer_tag != text_ttt_ || text_pending_.empty())
            throw ProtocolError(RejectReason::invalid_pdu_field, "unknown Text TTT", pdu.bhs, true);
        body = std::move(text_pending_);
        text_pending_.clear();
    } else {
        text_pending_.clear();
        text_request_.insert(text_request_.end(), rq.data.begin(), rq.data.end());
        if (text_request_.size() > 65536)
            throw ProtocolError(RejectReason::protocol_error, "Text request too long", pdu.bhs);
        if (rq.continue_bit) {
            resp.final_bit = false;
            resp.target_transfer_tag = text_ttt_ = next_ttt_++;
            send(std::move(resp), true);
            return;
        }
        iscsi::TextList offers = iscsi::decode_text(text_request_);
        text_request_.clear();
        iscsi::NegotiationResult r;
        {
            std::lock_guard g(send_mu_);
            negotiator_->begin_text_negotiation();
            r = negotiator_->respond(offers, iscsi::Stage::full_feature);
            max_send_ = negotiator_->connection().max_send_data_segment_length;
        }
        body = iscsi::encode_text(r.response);
        for (const auto& kv : r.deferred)
            if (kv.key == "SendTargets") {
                std::string st = send_targets(kv.value);
                body.insert(body.end(), st.begin(), st.end());
            }
    }
    if (body.size() > max_send_) {
        text_pending_.assign(body.begin() + max_send_, body.end());
        body.resize(max_send_);
        resp.final_bit = false;
        resp.continue_bit = true;
        resp.target_transfer_tag = text_ttt_ = next_ttt_++;
    }
    resp.data = std::move(body);
    send(std::move(resp), true);
}

void Connection::wait_tasks_drained(int timeout_ms) {
    flush_now();
    std::unique_lock g(tasks_mu_);
    tasks_cv_.wait_for(g, std::chrono::milliseconds(timeout_ms), [&] {
        return std::all_of(tasks_.begin(), tasks_.end(),
                           [](const auto& kv) { return kv.second.aborted; });
    });
}

void Connection::on_logout(const iscsi::Pdu& pdu) {
    auto rq = iscsi::LogoutRequest::decode(pdu);
    if (!rq.immediate && !session_->accept(rq.cmd_sn, false)) return;
    iscsi::LogoutResponse resp;
    resp.initiator_task_tag = rq.initiator_task_tag;
    resp.time2wait = 0;
    resp.time2retain = 0;
    bool close_self = false;
    std::vector<std::shared_ptr<Connection>> others;
    switch (static_cast<iscsi::LogoutReason>(rq.reason)) {
        case iscsi::LogoutReason::close_session:
            close_self = true;
            for (auto& c : session_->connections())
                if (c.get() != this) others.push_back(c);
            break;
        case iscsi::LogoutReason::close_connection:
            if (rq.cid == cid_) {
                close_self = true;
            } else if (auto c = session_->connection(rq.cid)) {
                others.push_back(c);
            } else {
                resp.response = static_cast<std::uint8_t>(iscsi::LogoutResponseCode::cid_not_found);
            }
            break;
        default:
            resp.response =
                static_cast<std::uint8_t>(iscsi::LogoutResponseCode::recovery_not_supported);
            break;
    }
    if (close_self) wait_tasks_drained(5000);
    for (auto& c : others) c->shut();
    if (close_self && rq.reason == static_cast<std::uint8_t>(iscsi::LogoutReason::close_session))
        core_.unregister_session(session_.get());
    send(std::move(resp), true);
    if (close_self) {
        closing_ = true;
        ::shutdown(fd_.get(), SHUT_RD);
    }
}

}  // namespace camx::ctld
