// SPDX-License-Identifier: BSD-2-Clause
// ctld's core: builds the engine's LUNs and ports and the iSCSI frontend's targets from a
// configuration, changes only what differs on reload, and serves until told to stop.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "camx/ctl/engine.hpp"
#include "camx/target_config/config.hpp"
#include "camx/target_config/state.hpp"
#include "iscsi/frontend.hpp"

namespace camx::ctld {

struct DaemonConfig {
    std::vector<ctl::LunConfig> luns;  // engine LUNs, ids unique
    // Emulated enclosures by engine LUN id (ids unique among luns and enclosures).
    std::map<std::uint64_t, ctl::EnclosureConfig> enclosures;
    // Auth groups, portal groups and targets. A target's portals name their portal group
    // and auth group; the daemon fills in each portal's engine port and relative port id.
    FrontendConfig iscsi;
    // Per target name: initiator-visible LUN -> engine LUN id.
    std::map<std::string, std::map<std::uint64_t, std::uint64_t>> lun_maps;
    // Engine LUN id -> the LUN's name in ctl.conf; also the key of its saved reservations.
    std::map<std::uint64_t, std::string> lun_names;
};

// A listening portal added at run time (ctladm port create): `listen` joins portal group
// `portal_group`, which is created (with the lowest free tag) when the configuration has no
// such group, for `target` or, when that is empty, for every target.
using RuntimePortal = target_config::SavedPortal;

// The engine port of a target through a portal group, as FreeBSD names it: "TARGET,t,0x0001".
std::string port_name(std::string_view target, std::uint16_t portal_group_tag);

// Throws Error(usage) for a LUN map naming an unknown LUN or target, or duplicate LUN ids.
void check(const DaemonConfig& config);

class Daemon {
  public:
    struct Options {
        unsigned workers = 2;
        // Runtime-created LUNs and APTPL reservations live here; unset: nothing is kept.
        std::optional<std::filesystem::path> state_dir;
    };

    // Builds everything; throws camx::Error (and leaves nothing running) when the engine
    // refuses a LUN or a portal cannot listen.
    explicit Daemon(DaemonConfig config);
    Daemon(DaemonConfig config, Options options);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Moves to a new configuration without needless disruption: unchanged LUNs, ports and
    // portals stay, with their sessions; a resized LUN is resized in place. All or nothing:
    // on error (one Error listing every LUN and portal that failed) the engine, the
    // frontend and the runtime state are as they were.
    void reload(DaemonConfig config);

    // Runtime changes (ctladm). LUNs created here are saved in the state directory, come
    // back at the next start and survive reloads; so do LUN map changes. A spec of
    // device-type enclosure makes an enclosure (its slot-luns saved as engine LUN numbers);
    // modify_lun takes enclosure options for an enclosure.
    ctl::LunInfo create_lun(target_config::Lun spec, std::optional<std::uint64_t> id);
    void remove_lun(std::uint64_t id);
    // force: shrink a LUN even below its written data.
    ctl::LunInfo modify_lun(std::uint64_t id, std::optional<std::uint64_t> size_bytes,
                            const std::map<std::string, std::string>& options, bool force = false);
    void map_lun(const std::string& port, std::uint64_t port_lun, std::optional<std::uint64_t> lun);
    std::string lun_name(std::uint64_t id) const;

    // Runtime portals, saved in the state directory like runtime LUNs and kept across reloads.
    // add_portal throws Error(usage) for a bad or duplicate address or a target given for an
    // existing group, Error(no_device) for an unknown target, Error(busy) when the address is
    // in use; nothing changes then. remove_portal ends the sessions through the removed
    // portals and returns their addresses; Error(no_device) when nothing matches, Error(usage)
    // for a portal of the configuration file.
    void add_portal(const RuntimePortal& portal);
    std::vector<std::string> remove_portal(const std::string& portal_group,
                                           const std::string& listen);
    const std::vector<RuntimePortal>& runtime_portals() const { return runtime_portals_; }
    std::set<std::uint64_t> runtime_lun_ids() const;
    const std::map<std::string, ctl::PortConfig>& ports() const { return ports_; }

    // Held by whoever changes the daemon (the control thread, the SIGHUP reload).
    std::mutex& mutex() { return mutex_; }

    // Serves until SIGTERM or SIGINT (returns 0). SIGHUP calls `load` (with mutex() held)
    // and reloads with its result; a failing load or reload is reported on stderr and the daemon
    // goes on. The caller blocks these signals in every thread first (block_signals).
    int run(const std::function<DaemonConfig()>& load);

    ctl::Engine& engine() { return *engine_; }
    IscsiFrontend& frontend() { return *frontend_; }
    const DaemonConfig& config() const { return config_; }

  private:
    // The runtime LUNs and portals merged into a configuration, and what they lose to it.
    struct RuntimeMerge {
        FrontendConfig base;  // the configuration's frontend, before the runtime portals
        std::vector<std::uint64_t> dropped_luns;  // ids the configuration defines itself
        std::vector<RuntimePortal> portals;       // the runtime portals that stay
        std::vector<std::pair<RuntimePortal, std::string>> dropped_portals;  // and why
    };
    // A change made in place, and the change that takes it back.
    struct InPlace {
        std::uint64_t id = 0;
        ctl::LunChange lun, undo_lun;
        std::optional<ctl::EnclosureConfig> enclosure, undo_enclosure;  // set: an enclosure
    };
    struct LunPlan {
        ctl::LunUpdate update;
        std::vector<InPlace> in_place;
    };
    struct Prepared {
        ctl::PreparedLuns luns;
        PreparedFrontend frontend;
    };

    std::map<std::string, ctl::PortConfig> plan_ports(DaemonConfig& config);
    // Adds the runtime LUNs and portals to next, changing nothing here.
    RuntimeMerge merge_runtime(DaemonConfig& next) const;
    // The merged configuration is served: drops what it took from the runtime state.
    void keep_merge(RuntimeMerge merged);
    // The reservation keys of next's LUNs, before they are restored.
    void set_names(const DaemonConfig& next);
    LunPlan plan_luns(const DaemonConfig& next) const;
    void apply_in_place(const std::vector<InPlace>& changes);
    void undo_in_place(const std::vector<InPlace>& done);
    Prepared prepare(const ctl::LunUpdate& update, const FrontendConfig& iscsi);
    void commit_luns(ctl::PreparedLuns luns, const ctl::LunUpdate& update);
    void load_runtime_maps();
    void save_runtime_maps();
    void apply_frontend(DaemonConfig next);
    void load_runtime_portals();
    void save_runtime_portals();
    void restore_reservations(std::uint64_t id);
    void reservation_changed(std::uint64_t id, const nlohmann::json& state);
    std::filesystem::path reservation_file(std::uint64_t id) const;
    std::map<std::string, std::uint64_t> ids_by_name() const;
    ctl::EnclosureConfig resolve_enclosure(const target_config::EnclosureSpec& spec,
                                           std::uint64_t id) const;
    ctl::LunInfo modify_enclosure(std::uint64_t id, std::optional<std::uint64_t> size_bytes,
                                  const std::map<std::string, std::string>& options);
    void apply_ports(const std::map<std::string, ctl::PortConfig>& next);

    // Declared before the engine: its reservation callback uses them until it is gone.
    std::unique_ptr<target_config::StateDir> state_;
    mutable std::mutex names_mutex_;
    std::map<std::uint64_t, std::string> names_;  // reservation keys of the running LUNs
    std::mutex mutex_;
    std::map<std::uint64_t, target_config::Lun> runtime_luns_;
    // Port -> port LUN -> engine LUN (nullopt: unmapped at run time).
    std::map<std::string, std::map<std::uint64_t, std::optional<std::uint64_t>>> runtime_maps_;
    std::vector<RuntimePortal> runtime_portals_;
    FrontendConfig base_iscsi_;  // the configuration's frontend, before runtime portals

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
