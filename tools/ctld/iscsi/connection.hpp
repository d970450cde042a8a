// SPDX-License-Identifier: BSD-2-Clause
// The iSCSI frontend's moving parts: the state its threads share (Core), sessions with
// their CmdSN window and nexus, and connections: each waits in the acceptor's poll set until
// its first PDU is in, then runs on a thread of its own.
#pragma once

#include <sys/uio.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "camx/ctl/task.hpp"
#include "camx/iscsi/framer.hpp"
#include "camx/iscsi/negotiate.hpp"
#include "camx/iscsi/pdu.hpp"
#include "camx/transport/fd.hpp"
#include "iscsi/buffer_pool.hpp"
#include "iscsi/frontend.hpp"
#include "iscsi/net.hpp"
#include "iscsi/sender.hpp"

namespace camx::ctld {

class Connection;

// One iSCSI session: its identity, negotiated parameters, nexus and command window.
class Session {
  public:
    std::uint64_t id = 0;
    std::uint16_t tsih = 0;
    iscsi::Isid isid{};
    bool discovery = false;
    std::string portal_group;
    iscsi::SessionParams params;
    TargetPortal portal;  // normal sessions: how the target is reached
    std::shared_ptr<const ctl::Nexus> nexus;
    std::uint32_t window = 128;
    std::shared_ptr<BufferPool> buffers;  // its Data-Out and Data-In, inside Core::buffers

    // Opens the window at the leading login's CmdSN.
    void start(std::uint32_t cmd_sn);
    // A non-immediate CmdSN: true when it is new and inside [ExpCmdSN, MaxCmdSN]; then it
    // counts as outstanding until finished() (commands) or right away (others).
    bool accept(std::uint32_t cmd_sn, bool holds_slot);
    void finished();
    // ExpCmdSN and MaxCmdSN as of now.
    std::pair<std::uint32_t, std::uint32_t> window_now();

    void add(const std::shared_ptr<Connection>& c);
    void remove(const Connection* c);
    std::vector<std::shared_ptr<Connection>> connections();
    std::shared_ptr<Connection> connection(std::uint16_t cid);

  private:
    std::mutex mu_;
    std::uint32_t exp_cmd_sn_ = 0;
    std::uint32_t max_cmd_sn_ = 0;
    std::uint32_t outstanding_ = 0;
    std::set<std::uint32_t> ahead_;  // received past a gap (several connections)
    std::vector<std::weak_ptr<Connection>> connections_;
};

// A log line that may repeat at an initiator's pace (refused connections, failed logins): at
// most one a second; the next one says how many were left out meanwhile.
class RateLimitedLog {
  public:
    void operator()(const std::string& line);

  private:
    std::mutex mu_;
    std::chrono::steady_clock::time_point last_{};
    std::uint64_t suppressed_ = 0;
};

// An initiator's text made safe for one log line: printable ASCII, at most 223 bytes (the
// longest iSCSI name).
std::string printable(std::string_view text);

struct Listener {
    transport::UniqueFd fd;
    std::string text;  // as configured
    SocketAddress bound;
    std::string portal_group;  // current owner
};

struct IscsiFrontend::Core {
    explicit Core(ctl::TaskSink& s) : sink(s) {}
    ctl::TaskSink& sink;

    mutable std::mutex mu;
    std::shared_ptr<const FrontendConfig> config;
    std::map<std::string, Listener> listeners;  // by configured text
    std::map<std::uint64_t, std::shared_ptr<Session>> sessions;
    std::vector<std::shared_ptr<Connection>> connections;
    std::uint64_t next_session_id = 1;
    std::uint16_t next_tsih = 1;
    bool stopping = false;

    transport::UniqueFd wake;  // eventfd: the acceptor re-reads listeners
    // What every session together may hold (FrontendConfig::buffer_bytes).
    std::shared_ptr<BufferPool> buffers = std::make_shared<BufferPool>(256u << 20);
    Sender sender;
    std::thread acceptor;

    RateLimitedLog refused_log;  // connections over maxproc or connection-limit
    RateLimitedLog login_log;    // failed authentication and authorization
    RateLimitedLog thread_log;   // no thread (or no descriptor) for a connection

    std::shared_ptr<const FrontendConfig> snapshot() const;
    void accept_loop();
    // Accepts what one listener has queued; admitted connections join `waiting`. Returns
    // EMFILE or ENFILE when out of descriptors, else 0.
    int accept_from(int listen_fd, const std::string& owner,
                    std::vector<std::shared_ptr<Connection>>& waiting);
    // mu held: why a new connection through portal group pg is over a limit; empty: it is not.
    std::string over_limit(const FrontendConfig& cfg, const std::string& pg) const;
    void reap();
    // Registers a session at the end of a successful leading login, reinstating (ending)
    // an older one of the same initiator, ISID and target.
    void register_session(const std::shared_ptr<Session>& s);
    void unregister_session(const Session* s);
    std::shared_ptr<Session> find_session(std::uint16_t tsih);
    void end_session(const std::shared_ptr<Session>& s);
    // Whether a session still has a place under cfg (target, portal group, ACL).
    bool still_admitted(const FrontendConfig& cfg, const Session& s, const Connection& c) const;
};

// Lookups on a configuration, shared by login, discovery and reload.
const AuthGroup* find_auth_group(const FrontendConfig& cfg, const std::string& name);
const PortalGroup* find_portal_group(const FrontendConfig& cfg, const std::string& name);
const IscsiTarget* find_target(const FrontendConfig& cfg, std::string_view name);
const TargetPortal* find_target_portal(const IscsiTarget& t, const std::string& portal_group);
// The auth group governing logins to t through tp; nullptr: no authentication.
const AuthGroup* target_auth_group(const FrontendConfig& cfg, const IscsiTarget& t,
                                   const TargetPortal& tp);
// ACL check: initiator name and portal; an absent group admits everyone.
bool acl_admits(const AuthGroup* g, std::string_view initiator_name, const SocketAddress& peer);

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(IscsiFrontend::Core& core, transport::UniqueFd fd, std::string portal_group);
    ~Connection();

    // Acceptor: reads what the socket has without blocking. ready: the first PDU is whole
    // (or cannot be, which its thread then answers); closed: the peer is gone.
    enum class Prefetch : std::uint8_t { more, ready, closed };
    Prefetch prefetch();
    // When a connection still waiting for its first PDU is dropped.
    std::chrono::steady_clock::time_point first_pdu_deadline() const { return first_pdu_deadline_; }
    // Before start(): the deadlines, counted from the accept, and the portal group's socket
    // options (DSCP, PCP).
    void prepare(const FrontendConfig& cfg);
    int fd() const { return fd_.get(); }

    // Starts the connection's thread; throws std::system_error when there is none to be had.
    void start();
    // A connection that never started: closes it and marks it done, for reap().
    void abandon();
    // From any thread: stops the connection (its thread then cleans up).
    void shut();
    bool done() const { return done_.load(); }
    void join();

    std::uint16_t cid() const { return cid_; }
    const SocketAddress& peer() const { return peer_; }
    const SocketAddress& local() const { return local_; }
    const std::string& portal_group() const { return portal_group_; }
    iscsi::ConnectionParams params() const;
    std::shared_ptr<Session> session() const;

  private:
    struct R2tState {
        std::uint32_t ttt = 0;
        std::uint32_t offset = 0;
        std::uint32_t length = 0;
        std::uint32_t received = 0;
        std::uint32_t next_data_sn = 0;
    };
    struct PendingTask {
        ctl::Task task;
        iscsi::Lun lun;
        bool read = false;
        bool write = false;
        bool submitted = false;
        bool aborted = false;
        bool counts = false;            // holds a CmdSN slot
        std::uint32_t read_length = 0;  // expected Data-In bytes
        // The Data-Out bytes kept: the EDTL, but no more than the CDB carries. Data the
        // initiator sends past it (EDTL larger) is read and dropped.
        std::uint32_t window = 0;
        std::uint32_t cdb_out = 0;  // the Data-Out the CDB carries (TaskSink::data_out_length)
        Charge charge;              // the session's buffer bytes for window and the Data-In
        // Data-Out gathering
        std::uint32_t received = 0;
        std::uint32_t unsolicited_end = 0;
        std::uint32_t unsolicited_next = 0;
        std::uint32_t unsolicited_data_sn = 0;
        bool unsolicited_done = true;
        std::uint32_t next_r2t_offset = 0;
        std::uint32_t r2t_sn = 0;
        std::vector<R2tState> r2ts;
        std::uint32_t immediate_length = 0;
    };

    void run();
    bool login();
    void full_feature();

    // Reading: the next PDU, nullopt at end of stream or after a fatal protocol error. Before
    // the full feature phase reads end at the login deadline; after it an idle connection is
    // pinged (allow_ping) every ping interval.
    std::optional<iscsi::Pdu> read_pdu(bool allow_ping);
    // Waits for the socket to be readable: false when timeout_ms (-1: none) passed first.
    bool wait_readable(int timeout_ms);
    void on_protocol_error(const iscsi::ProtocolError& e);

    // Login
    struct LoginState;
    bool login_step(LoginState& st, const iscsi::LoginRequest& rq);
    void login_fail(const iscsi::LoginRequest& rq, iscsi::LoginStatus status,
                    const std::string& why);
    // Logs a login refused for authentication or authorization (never a secret).
    void log_refused_login(const LoginState& st, const iscsi::NegotiationError& e);

    // Full feature phase
    void dispatch(iscsi::Pdu pdu);
    void on_nop_out(const iscsi::Pdu& pdu);
    void on_command(const iscsi::Pdu& pdu);
    void on_data_out(const iscsi::Pdu& pdu);
    void on_tmf(const iscsi::Pdu& pdu);
    void on_text(const iscsi::Pdu& pdu);
    void on_logout(const iscsi::Pdu& pdu);
    void send_reject(iscsi::RejectReason reason, const iscsi::Bhs& header);
    void send_r2ts(PendingTask& t);
    static void store(PendingTask& t, std::uint32_t offset, ByteView data);
    static bool collected(const PendingTask& t);
    // Answers a command the session's buffers cannot take now with TASK SET FULL.
    void task_set_full(PendingTask& t);
    void submit(std::uint32_t itt);
    void complete(std::uint32_t itt, ctl::TaskResult result);
    void abort_pending(std::uint32_t itt);
    // Drops every task of this connection matching lun (nullopt: all), as TMF and nexus
    // loss require; tasks in the engine are marked so their completions are not sent.
    void abort_matching(std::optional<std::uint64_t> lun);
    void wait_tasks_drained(int timeout_ms);
    std::string send_targets(std::string_view which);

    // Sending: StatSN, ExpCmdSN and MaxCmdSN are stamped under the send lock, so StatSN
    // follows the order on the wire. PDUs gather in the outbox (send_mu_): the reader thread
    // lets them while it has more PDUs buffered and writes them with one sendmsg before it
    // waits for the socket; other threads write at once.
    template <class P>
    void stamp(P& p, bool status);
    void post(Bytes wire);  // a whole serialized PDU; send_mu_ held
    template <class P>
    void send(P p, bool status);
    void send_data_in(PendingTask& t, ctl::TaskResult& r);
    void queue_bytes(ByteView b);
    void queue_payload(std::size_t index, std::size_t offset, std::size_t length);
    void posted();  // send_mu_ held: writes the outbox unless the reader defers it
    // send_mu_ held: writes what the socket takes without blocking; the rest waits for the
    // Sender, which calls writable().
    void flush();
    void flush_now();
    void writable();
    void consume(std::size_t n);  // send_mu_ held: n bytes of the outbox went out
    // The reader's back-pressure: waits while the outbox holds more than outbox_limit of
    // responses and headers; false when the peer stopped reading (the connection ends).
    bool wait_send_room();
    void drain_outbox(int timeout_ms);

    struct Outbox {
        Bytes bytes;  // headers, trailers and whole small PDUs
        struct Payload {
            Bytes data;     // a Data-In payload where the engine read it
            Charge charge;  // its bytes in the session's buffers, until sent
        };
        std::deque<Payload> payloads;
        std::size_t payload_base = 0;  // the index of payloads.front()
        struct Piece {
            std::size_t payload;  // index of a payload (payload_base...); npos: in bytes
            std::size_t offset;
            std::size_t length;
        };
        std::deque<Piece> pieces;
        std::size_t size = 0;           // bytes waiting
        std::size_t payload_bytes = 0;  // of which Data-In payload
        std::uint64_t sent = 0;         // bytes written since the start, for stall detection
        std::vector<iovec> iov;
        std::size_t add(Bytes data, Charge charge);  // a payload; returns its index
        std::uint8_t* base(const Piece& p);
    };

    IscsiFrontend::Core& core_;
    transport::UniqueFd fd_;
    std::string portal_group_;
    SocketAddress peer_;
    SocketAddress local_;
    std::thread thread_;
    std::chrono::steady_clock::time_point accepted_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point first_pdu_deadline_ =
        std::chrono::steady_clock::time_point::max();
    std::chrono::steady_clock::time_point login_deadline_ =
        std::chrono::steady_clock::time_point::max();
    int ping_ms_ = -1;  // full feature phase: the ping interval; -1: no pings
    std::atomic<bool> done_{false};
    std::atomic<bool> closing_{false};

    iscsi::Framer framer_;
    Bytes rbuf_;
    std::size_t rstart_ = 0;
    std::size_t rend_ = 0;
    std::optional<iscsi::Negotiator> negotiator_;
    std::shared_ptr<Session> session_;
    std::uint16_t cid_ = 0;
    Bytes text_pending_;  // the rest of a Text response too long for one PDU
    Bytes text_request_;  // a Text request continued over several PDUs
    std::uint32_t text_ttt_ = iscsi::reserved_tag;
    std::string chap_user_;  // who authenticated, for discovery filtering

    mutable std::mutex send_mu_;
    std::condition_variable send_cv_;  // the outbox shrank, or the connection closes
    Outbox out_;
    bool sender_forgotten_ = false;  // the fd is about to close: no more Sender::want
    iscsi::Digests digests_;         // in force on the wire (after login)
    std::uint32_t max_send_ = 8192;
    std::uint32_t max_burst_ = 262144;
    std::uint32_t stat_sn_ = 0;
    std::uint32_t ping_ttt_ = iscsi::reserved_tag;
    std::uint32_t next_ttt_ = 1;

    std::mutex tasks_mu_;
    std::condition_variable tasks_cv_;
    std::unordered_map<std::uint32_t, PendingTask> tasks_;
};

}  // namespace camx::ctld
