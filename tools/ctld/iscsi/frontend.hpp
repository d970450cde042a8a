// SPDX-License-Identifier: BSD-2-Clause
// ctld's iSCSI frontend (RFC 7143, error recovery level 0): portal groups listening on TCP,
// login with CHAP by auth group, discovery, and the full feature phase feeding a TaskSink.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "camx/ctl/task.hpp"
#include "camx/iscsi/chap.hpp"
#include "camx/iscsi/negotiate.hpp"

namespace camx::ctld {

enum class AuthType : std::uint8_t { none, deny, chap, chap_mutual };

// Who may log in and how they prove it: CHAP users, and ACLs by initiator name and portal.
struct AuthGroup {
    std::string name;
    AuthType type = AuthType::none;
    std::vector<iscsi::ChapCredentials> chap;    // chap and chap_mutual
    std::vector<std::string> initiator_names;    // empty: any name
    std::vector<std::string> initiator_portals;  // "192.0.2.7", "192.0.2.0/24"; empty: any
};

// SendTargets answers: every target, or only those the initiator could log in to.
enum class DiscoveryFilter : std::uint8_t { none, portal, portal_name, portal_name_auth };

struct PortalGroup {
    std::string name;
    std::uint16_t tag = 1;
    std::vector<std::string> listen;   // "127.0.0.1:3260", "[::1]", "0.0.0.0"
    std::string discovery_auth_group;  // empty: discovery without authentication
    DiscoveryFilter discovery_filter = DiscoveryFilter::none;
    bool foreign = false;  // the other HA node listens; discovery still names its portals
    std::uint32_t connection_limit = 0;  // connections through this group at once; 0: none
    std::optional<std::uint8_t> dscp = std::nullopt;  // IP DSCP of its connections
    std::optional<std::uint8_t> pcp = std::nullopt;   // Ethernet priority (SO_PRIORITY)
};

// A target reachable through a portal group; `port` is the engine port its nexuses use.
struct TargetPortal {
    std::string portal_group;
    std::string auth_group;  // empty: the target's
    std::string port;
    std::uint16_t relative_target_port = 1;
};

struct IscsiTarget {
    std::string name;
    std::string alias;
    std::string auth_group;  // empty: no authentication
    std::vector<TargetPortal> portals;
};

struct FrontendConfig {
    std::vector<AuthGroup> auth_groups;
    std::vector<PortalGroup> portal_groups;
    std::vector<IscsiTarget> targets;
    // Limits and preferences for every login; the portal group tag, alias and AuthMethod
    // are set per login from the target and its auth group.
    iscsi::TargetConfig negotiation = default_negotiation();
    std::uint32_t command_window = 128;        // CmdSN window per session
    std::uint32_t ping_interval_seconds = 10;  // NOP-In on an idle connection; 0: never
    // From accept to the full feature phase, however the initiator paces its bytes; 0: none.
    std::uint32_t login_timeout_seconds = 60;
    // A connection that has not sent its whole first PDU waits in the acceptor (no thread)
    // this long at most (and never past the login timeout).
    std::uint32_t first_pdu_seconds = 10;
    // Connections at once, every portal group and phase together (maxproc); 0: no limit.
    std::uint32_t max_connections = 0;
    // Data-Out being gathered and Data-In waiting for the socket, charged when a command
    // arrives: per session and for all sessions together. A command that does not fit is
    // answered TASK SET FULL; one alone may exceed a limit (up to max_transfer_bytes each
    // way).
    std::uint64_t session_buffer_bytes = 64u << 20;
    std::uint64_t buffer_bytes = 256u << 20;

    static iscsi::TargetConfig default_negotiation();
};

struct SessionInfo {
    std::uint64_t id = 0;
    std::uint16_t tsih = 0;
    std::string isid;  // hex
    std::string initiator_name;
    std::string initiator_alias;
    std::string target_name;  // empty for discovery sessions
    std::string portal_group;
    std::string port;
    bool discovery = false;
    struct Connection {
        std::uint16_t cid = 0;
        std::string initiator_address;
        std::string target_address;
        iscsi::ConnectionParams params;
    };
    std::vector<Connection> connections;
    iscsi::SessionParams params;
};
void to_json(nlohmann::json& j, const SessionInfo& s);

struct LogoutFilter {
    std::optional<std::uint64_t> session_id;
    std::optional<std::string> initiator_name;
    std::optional<std::string> initiator_address;  // host, no port
    bool all = false;
};

// A configuration checked and its new portals bound by IscsiFrontend::prepare, not yet
// accepting; dropping it without a commit closes them again.
class PreparedFrontend {
  public:
    PreparedFrontend();
    ~PreparedFrontend();
    PreparedFrontend(PreparedFrontend&&) noexcept;
    PreparedFrontend& operator=(PreparedFrontend&&) noexcept;

    struct Impl;

  private:
    friend class IscsiFrontend;
    std::unique_ptr<Impl> impl_;
};

class IscsiFrontend {
  public:
    explicit IscsiFrontend(ctl::TaskSink& sink);
    ~IscsiFrontend();
    IscsiFrontend(const IscsiFrontend&) = delete;
    IscsiFrontend& operator=(const IscsiFrontend&) = delete;

    // Takes a configuration, first or new: portals that stay keep listening and their
    // sessions go on; new portals listen; removed portals close; sessions whose target,
    // portal group or ACL no longer admits them end. Throws Error(usage) for a dangling
    // reference and Error(file) for an address that cannot be bound, changing nothing.
    void apply(FrontendConfig config);
    // apply in two steps, for a change that must go with others (ctld's reload): prepare
    // checks the configuration and binds every new address, changing nothing (one Error
    // lists every address that cannot be bound, with the first one's category); commit
    // switches to it and cannot fail.
    PreparedFrontend prepare(FrontendConfig config) const;
    void commit(PreparedFrontend prepared);
    // Closes every portal and connection and waits for their threads.
    void stop();

    std::vector<SessionInfo> sessions() const;
    // Ends the matching sessions (islogout); returns how many.
    std::size_t logout(const LogoutFilter& filter);
    // The addresses portals are bound to, as "host:port" (the real port for port 0).
    std::vector<std::string> listening() const;

    struct Core;

  private:
    std::shared_ptr<Core> core_;
};

}  // namespace camx::ctld
