// SPDX-License-Identifier: BSD-2-Clause
// The SCSI target engine: LUNs on ramdisk, file and block backends, ports with LUN maps,
// per-LUN ordered queues run by a small worker pool, SPC/SBC emulation and task management.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/ctl/enclosure_config.hpp"
#include "camx/ctl/task.hpp"

namespace camx::ctl {

struct PrState;  // camx/ctl/persist.hpp

enum class BackendKind : std::uint8_t { ramdisk, file, block };
std::string_view backend_kind_name(BackendKind k) noexcept;  // "ramdisk", "file", "block"

// What ctladm(8) calls LUN options. Empty strings and nullopt get generated defaults.
struct LunOptions {
    std::string vendor = "CAMX";
    std::string product = "CTL DISK";
    std::string revision = "0001";
    std::string serial;     // default: "CAMX" + LUN id in hex
    std::string device_id;  // T10 vendor ID designator text; default: product + serial
    std::optional<std::uint64_t>
        naa;  // 8-byte NAA designator (NAA 3 or 5); default: NAA 3 hashed from serial and id
    std::optional<std::uint64_t> eui;  // EUI-64
    std::string uuid;                  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
    std::string scsiname;              // SCSI name string designator (naa.…, iqn.…, eui.…)
    std::uint32_t blocksize = 512;
    std::uint32_t pblocksize = 0;  // physical block size; 0: same as blocksize
    bool readonly = false;
    bool removable = false;
    bool unmap = true;        // thin provisioning: UNMAP, WRITE SAME UNMAP, GET LBA STATUS
    bool write_cache = true;  // WCE of the caching mode page (default and current)
    bool operator==(const LunOptions&) const = default;
};

// The vendor-specific part of the T10 vendor ID designator a LUN reports (VPD 0x83): the
// configured device id, or product and serial.
inline std::string reported_device_id(std::string_view configured, std::string_view product,
                                      std::string_view serial) {
    if (!configured.empty()) return std::string(configured);
    std::string id(product);
    id += ' ';
    id += serial;
    return id;
}

struct LunConfig {
    std::uint64_t id = 0;  // engine LUN id (ctladm -l), unique in the engine
    BackendKind backend = BackendKind::ramdisk;
    std::string path;  // file or block device
    // Ramdisk: LUN size (required). File: the file is created (if missing) or extended to it;
    // 0 = the file's size. Block: 0 or the device's size.
    std::uint64_t size_bytes = 0;
    // Ramdisk only: bytes of memory the LUN may allocate; nullopt = size_bytes (then no larger
    // than memory); 0 = discard writes and read zeros. Writes that would need more answer
    // SPACE ALLOCATION FAILED WRITE PROTECT (a thin ramdisk: option capacity).
    std::optional<std::uint64_t> capacity_bytes;
    LunOptions options;
};

// The state ctladm devlist shows; several may hold (offline and read_only).
struct LunState {
    bool offline = false;    // set by the administrator: every command answers BUSY
    bool no_media = false;   // the backend could not be opened
    bool ejected = false;    // START STOP UNIT with LOEJ; LOAD reopens the media
    bool read_only = false;  // by option or because the media only opened read-only
    bool enabled() const { return !offline && !no_media && !ejected; }
};

struct LunStats {
    std::uint64_t commands = 0;
    std::uint64_t read_commands = 0;
    std::uint64_t write_commands = 0;
    std::uint64_t bytes_read = 0;
    std::uint64_t bytes_written = 0;
    std::uint64_t errors = 0;  // completions with a status other than GOOD
    std::uint64_t latency_ns_sum = 0;
    std::uint64_t latency_ns_max = 0;
};

struct LunInfo {
    LunConfig config;
    LunState state;
    std::uint64_t blocks = 0;  // capacity in logical blocks (0 without media)
    std::uint64_t naa = 0;     // the NAA designator actually reported
    std::string serial;        // the serial actually reported
    std::string device_id;     // the T10 vendor ID designator text actually reported
    // Peripheral device type: 0x00 disk, 0x0d enclosure services (add_enclosure).
    std::uint8_t device_type = 0x00;
};

struct PortConfig {
    std::string name;  // the name frontends put in Nexus::port
    bool online = true;
    std::uint16_t relative_target_port = 1;
    // Initiator-visible LUN -> engine LUN id. nullopt: every engine LUN at its own id.
    std::optional<std::map<std::uint64_t, std::uint64_t>> lun_map;
};

// Changes ctladm modify may make at runtime; unset members keep their value.
struct LunChange {
    // A ramdisk takes the new size; a file is extended or cut to it; a block device's size is
    // read again and must match. 0 for a file or block LUN: read the size again.
    std::optional<std::uint64_t> size_bytes;
    // Shrink even if that cuts off written data (otherwise Error(usage)).
    bool force = false;
    std::optional<LunOptions> options = std::nullopt;
};

// The LUN side of an all-or-nothing change (ctld's reload): LUNs to put in and to take out.
// A LUN whose id is also in `remove` replaces the running one in the same step.
struct LunUpdate {
    std::vector<LunConfig> luns;
    std::map<std::uint64_t, EnclosureConfig> enclosures;
    std::set<std::uint64_t> remove;
    bool empty() const { return luns.empty() && enclosures.empty() && remove.empty(); }
};

// LUNs built and their media opened by Engine::prepare, not yet reachable by any initiator.
// Dropping it without a commit closes them again; the engine never saw them.
class PreparedLuns {
  public:
    PreparedLuns();
    ~PreparedLuns();
    PreparedLuns(PreparedLuns&&) noexcept;
    PreparedLuns& operator=(PreparedLuns&&) noexcept;

    struct Impl;

  private:
    friend class Engine;
    std::unique_ptr<Impl> impl_;
};

class Engine : public TaskSink {
  public:
    struct Options {
        unsigned workers = 2;
        // Called (on an engine thread, no engine lock held) after each change of a LUN's
        // persistent reservation state, with the state to persist (see save_reservations).
        std::function<void(std::uint64_t lun_id, const nlohmann::json& state)>
            on_reservation_change;
    };

    Engine();
    explicit Engine(Options options);
    ~Engine() override;
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // LUNs. Errors are camx::Error: usage (duplicate id, bad option), no_device (unknown id),
    // file (the backing file or device cannot be opened).
    void add_lun(const LunConfig& config);
    void remove_lun(std::uint64_t id);
    void modify_lun(std::uint64_t id, const LunChange& change);
    // Two-phase change of several LUNs (FreeBSD ctld's conf_apply): prepare checks every
    // id, validates every configuration and opens every backend, changing nothing; one
    // Error lists every LUN that failed ("LUN 3: ..." per line, the first one's category).
    // commit then swaps all in at once (REPORTED LUNS DATA HAS CHANGED to the LUNs that stay
    // when the set of ids changed) and closes the LUNs taken out; it throws Error(usage),
    // changing nothing, only when the LUNs changed since prepare. It returns the problems
    // flushing the LUNs taken out (they are gone all the same).
    PreparedLuns prepare(const LunUpdate& update) const;
    std::vector<std::string> commit(PreparedLuns prepared);
    void set_lun_online(std::uint64_t id, bool online);
    void eject(std::uint64_t id);  // as START STOP UNIT LOEJ=1 START=0
    // Reopens the media (the configured path, or a new one for file/block LUNs).
    void load(std::uint64_t id, std::optional<std::string> path = {});
    std::vector<LunInfo> luns() const;
    LunInfo lun(std::uint64_t id) const;
    LunStats stats(std::uint64_t id) const;

    // Enclosure services LUNs (peripheral type 0x0D), listed by luns() like the others; remove
    // with remove_lun. modify_enclosure moves the generation code on; simulate changes only
    // the status. Errors as for LUNs; usage also for a LUN that is not an enclosure.
    void add_enclosure(std::uint64_t id, const EnclosureConfig& config);
    void modify_enclosure(std::uint64_t id, const EnclosureConfig& config);
    EnclosureConfig enclosure_config(std::uint64_t id) const;  // with generated defaults
    nlohmann::json enclosure_state(std::uint64_t id) const;
    void simulate(std::uint64_t id, const EnclosureCondition& condition);

    // Ports and LUN maps.
    void add_port(const PortConfig& port);
    void remove_port(const std::string& name);
    void set_port_online(const std::string& name, bool online);
    void map_lun(const std::string& port, std::uint64_t initiator_lun, std::uint64_t lun_id);
    void unmap_lun(const std::string& port, std::uint64_t initiator_lun);
    std::vector<PortConfig> ports() const;

    // Persistent reservations of a LUN as JSON ({"generation", "aptpl", "registrations":
    // [...], "reservation": {...}}), and back. restore_reservations replaces the state.
    nlohmann::json save_reservations(std::uint64_t id) const;
    // The same state as a model, for reading (include camx/ctl/persist.hpp).
    PrState reservations(std::uint64_t id) const;
    void restore_reservations(std::uint64_t id, const nlohmann::json& state);

    // TaskSink.
    void submit(Task task, std::function<void(TaskResult)> done) override;
    std::uint32_t data_out_length(const Nexus& nexus, std::uint64_t lun, ByteView cdb) override;
    TmfResponse task_management(const Nexus& nexus, TmfFunction fn, std::uint64_t lun,
                                std::uint32_t referenced_tag) override;
    void nexus_lost(const Nexus& nexus) override;

    // submit() and wait: for tools and tests.
    TaskResult execute(Task task);

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace camx::ctl
