// SPDX-License-Identifier: BSD-2-Clause
// The two ends of ctld's control socket: the server loop ctld runs (peer checked with
// SO_PEERCRED, one JSON request per line, answered by a ControlHandler, every client bounded
// in number, idle time and buffered bytes) and the client ctladm uses. The protocol itself
// is in control.hpp.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "camx/target_config/control.hpp"
#include "camx/transport/fd.hpp"

namespace camx::target_config::control {

struct ServerSettings {
    std::string path = std::string(kDefaultSocket);
    // Besides root and the daemon's own uid, members of this group may connect (the socket
    // file gets this group and mode 0660). Empty: root and the daemon's uid only (0600).
    std::string group;
    // One client more is answered with Error(busy) "too many control clients" and closed.
    std::size_t max_clients = 32;
    // A client that sends no complete request and reads none of its answers for this long is
    // closed (after an Error(timeout) line), and so is one whose unread answers stay over
    // max_output_bytes for this long.
    std::chrono::milliseconds idle_timeout{30000};
    // While a client's unread answers exceed this, its further requests are not read.
    std::size_t max_output_bytes = kMaxLine;
};

// What the server holds now, for tests and diagnostics.
struct ServerStats {
    std::size_t clients = 0;
    std::size_t buffered_bytes = 0;     // requests read but not served, answers not sent
    std::size_t peak_output_bytes = 0;  // the most unsent answer bytes one client ever had
};

class ControlServer {
  public:
    // Creates the socket's directory (0755) when missing, replaces a stale socket file, binds
    // and listens. Error(file) when the path cannot be used, Error(usage) for an unknown
    // group, Error(busy) when another process already answers on the socket.
    ControlServer(ServerSettings settings, ControlHandler& handler);
    ~ControlServer();  // closes every connection and removes the socket file
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Serves until stop(); requests are handled one at a time on the calling thread.
    void run();
    // Makes run() return soon; safe from any thread and from a signal handler.
    void stop() noexcept;

    const std::string& path() const { return settings_.path; }
    const ServerSettings& settings() const { return settings_; }
    // Safe from any thread; updated once per turn of run()'s loop.
    ServerStats stats() const;

  private:
    struct Client;
    using Clock = std::chrono::steady_clock;

    bool allowed(const Peer& p) const;
    void accept_client(std::vector<Client>& clients);
    void serve_requests(Client& c);
    void serve_line(Client& c, std::string_view line);
    void read_from(Client& c);
    void write_to(Client& c);
    void expire(Client& c, Clock::time_point now);
    int poll_timeout_ms(const std::vector<Client>& clients, Clock::time_point now) const;
    void publish(const std::vector<Client>& clients);

    ServerSettings settings_;
    ControlHandler& handler_;
    std::optional<gid_t> gid_;
    transport::UniqueFd listen_;
    transport::UniqueFd wake_;  // eventfd written by stop()
    std::atomic<std::size_t> clients_now_{0};
    std::atomic<std::size_t> buffered_now_{0};
    std::atomic<std::size_t> peak_output_{0};
};

class ControlClient {
  public:
    // Connects to ctld. Error(transport) "cannot connect to ctld at PATH: ... (is ctld
    // running?)" when nothing listens there; Error(file) when permission is denied.
    explicit ControlClient(std::string path = std::string(kDefaultSocket), int timeout_ms = 60000);

    // Sends one request and waits for its response: the result object, or the Error the
    // daemon answered with (Error(busy) when it has too many clients, Error(timeout) when none
    // comes in time, Error(transport) when the connection breaks).
    nlohmann::json call(const Command& command);

  private:
    std::string read_line();

    std::string path_;
    int timeout_ms_;
    transport::UniqueFd fd_;
    std::uint64_t next_id_ = 1;
    std::string buffer_;
};

}  // namespace camx::target_config::control
