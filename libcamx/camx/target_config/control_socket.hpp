// The two ends of ctld's control socket: the server loop ctld runs (peer checked with
// SO_PEERCRED, one JSON request per line, answered by a ControlHandler) and the client
// ctladm uses. The protocol itself is in control.hpp.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "camx/target_config/control.hpp"
#include "camx/transport/fd.hpp"

namespace camx::target_config::control {

struct ServerSettings {
    std::string path = std::string(kDefaultSocket);
    // Besides root and the daemon's own uid, members of this group may connect (the socket
    // file gets this group and mode 0660). Empty: root and the daemon's uid only (0600).
    std::string group;
    std::size_t max_clients = 32;
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

  private:
    bool allowed(const Peer& p) const;

    ServerSettings settings_;
    ControlHandler& handler_;
    std::optional<gid_t> gid_;
    transport::UniqueFd listen_;
    transport::UniqueFd wake_;  // eventfd written by stop()
};

class ControlClient {
  public:
    // Connects to ctld. Error(transport) "cannot connect to ctld at PATH: ... (is ctld
    // running?)" when nothing listens there; Error(file) when permission is denied.
    explicit ControlClient(std::string path = std::string(kDefaultSocket), int timeout_ms = 60000);

    // Sends one request and waits for its response: the result object, or the Error the
    // daemon answered with (Error(timeout) when none comes in time, Error(transport) when the
    // connection breaks).
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
