// ctld's core: builds the engine's LUNs and ports and the iSCSI frontend's targets from a
// configuration, changes only what differs on reload, and serves until told to stop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "camx/ctl/engine.hpp"
#include "iscsi/frontend.hpp"

namespace camx::ctld {

struct DaemonConfig {
    std::vector<ctl::LunConfig> luns;  // engine LUNs, ids unique
    // Auth groups, portal groups and targets. A target's portals name their portal group
    // and auth group; the daemon fills in each portal's engine port and relative port id.
    FrontendConfig iscsi;
    // Per target name: initiator-visible LUN -> engine LUN id.
    std::map<std::string, std::map<std::uint64_t, std::uint64_t>> lun_maps;
};

// The built-in demo: a 64 MiB ramdisk (or, given `file`, that file) as LUN 0 of
// iqn.2024-01.org.camx:demo on `listen`, no authentication.
inline constexpr std::string_view demo_target = "iqn.2024-01.org.camx:demo";
DaemonConfig demo_config(const std::string& listen = "127.0.0.1:3260",
                         std::uint64_t size_bytes = 64ull << 20, const std::string& file = {});

// The engine port of a target through a portal group, as FreeBSD names it: "TARGET,t,0x0001".
std::string port_name(std::string_view target, std::uint16_t portal_group_tag);

// Throws Error(usage) for a LUN map naming an unknown LUN or target, or duplicate LUN ids.
void check(const DaemonConfig& config);

class Daemon {
  public:
    struct Options {
        unsigned workers = 2;
    };

    // Builds everything; throws camx::Error (and leaves nothing running) when the engine
    // refuses a LUN or a portal cannot listen.
    explicit Daemon(DaemonConfig config);
    Daemon(DaemonConfig config, Options options);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Moves to a new configuration without needless disruption: unchanged LUNs, ports and
    // portals stay, with their sessions; a resized LUN is resized in place. On error the
    // parts already changed stay changed and the error is thrown.
    void reload(DaemonConfig config);

    // Serves until SIGTERM or SIGINT (returns 0). SIGHUP calls `load` and reloads with its
    // result; a failing load or reload is reported on stderr and the daemon goes on. The
    // caller blocks these signals in every thread first (block_signals).
    int run(const std::function<DaemonConfig()>& load);

    ctl::Engine& engine() { return *engine_; }
    IscsiFrontend& frontend() { return *frontend_; }
    const DaemonConfig& config() const { return config_; }

  private:
    std::map<std::string, ctl::PortConfig> plan_ports(DaemonConfig& config);
    void apply_luns(const DaemonConfig& next);
    void apply_ports(const std::map<std::string, ctl::PortConfig>& next);

    std::unique_ptr<ctl::Engine> engine_;
    std::unique_ptr<IscsiFrontend> frontend_;
    DaemonConfig config_;
    std::map<std::string, ctl::PortConfig> ports_;
    std::map<std::string, std::uint16_t> relative_ports_;  // stable across reloads
};

// Blocks SIGTERM, SIGINT and SIGHUP (run() takes them through a signalfd) and ignores
// SIGPIPE; call before any thread starts.
void block_signals();

}  // namespace camx::ctld
