// SPDX-License-Identifier: BSD-2-Clause
// The SCSI devices Linux knows about, read from sysfs without opening any device:
// hosts, logical units with their identity, state and device nodes, transport identifiers
// and enclosure bindings. The JSON mapping is camctl devlist's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/topology/hctl.hpp"
#include "camx/topology/sysfs.hpp"

namespace camx::topology {

enum class TransportType : std::uint8_t { unknown, sas, iscsi, fc, spi };
std::string_view transport_type_name(TransportType t) noexcept;

// Identifiers of the path to a logical unit; empty strings where the transport has none.
struct TransportId {
    TransportType type = TransportType::unknown;
    std::string sas_address;  // "0x5000c500..."
    std::string target_name;  // iSCSI target IQN
    std::string port_name;    // FC remote port WWPN "0x..."
    bool operator==(const TransportId&) const = default;
};

// Device nodes as /dev paths; empty when the kind is absent.
struct Nodes {
    std::string sd, sr, st, nst, ch, sg, bsg;
    bool operator==(const Nodes&) const = default;
};

// The disk-in-slot side of an enclosure binding (from the ses driver).
struct EnclosureSlot {
    std::string enclosure;  // the enclosure's name under /sys/class/enclosure (its H:C:T:L)
    std::string slot;       // the component name, e.g. "Slot 01" or "0"
    bool operator==(const EnclosureSlot&) const = default;
};

struct Device {
    Hctl hctl;
    std::string vendor, model, revision;
    int peripheral_device_type = 0x1f;  // sysfs "type"; 0x1f when unknown
    std::string state;  // "running", "offline", "blocked", ...; empty without ScanOptions::status
    std::string wwid;   // sysfs wwid ("naa.5000..."), empty when absent or without status
    std::optional<unsigned> queue_depth;  // only with ScanOptions::details
    Nodes nodes;
    std::string enclosure;  // set when this device is an enclosure the ses driver bound
    std::vector<EnclosureSlot> enclosure_slots;
    std::optional<TransportId> transport;  // only with ScanOptions::details
    std::string sysfs_path;                // <root>/bus/scsi/devices/H:C:T:L

    // The node to send commands through: sg, else bsg, else the upper-level node
    // (nst before st, which rewinds on close); empty when there is none.
    std::string pass_through_node() const;
};

struct Host {
    std::uint32_t host = 0;
    std::string proc_name;
    TransportType transport = TransportType::unknown;
    bool operator==(const Host&) const = default;
};

struct ScanOptions {
    bool details = false;  // hosts, queue depths and transport identifiers (extra sysfs reads)
    bool status = true;    // state and wwid (two reads per device; a plain listing needs neither)
};

struct Topology {
    std::vector<Host> hosts;      // empty unless scanned with details
    std::vector<Device> devices;  // sorted by H:C:T:L

    const Device* find(const Hctl& hctl) const noexcept;
};

// Every SCSI device under <root>/bus/scsi/devices. A system without a SCSI stack gives an
// empty topology, not an error.
Topology scan(const ScanOptions& options = {}, const Sysfs& sysfs = Sysfs::system());
// One device, nullopt when no such H:C:T:L exists.
std::optional<Device> scan_device(const Hctl& hctl, const ScanOptions& options = {},
                                  const Sysfs& sysfs = Sysfs::system());

// sg3_utils' name for a peripheral device type ("disk", "enclosure services device"...).
std::string peripheral_type_name(int pdt);

void to_json(nlohmann::json& j, const TransportId& t);
void to_json(nlohmann::json& j, const Nodes& n);
void to_json(nlohmann::json& j, const Device& d);
void to_json(nlohmann::json& j, const Host& h);
// {"devices": [...], "hosts": [...]}
void to_json(nlohmann::json& j, const Topology& t);

}  // namespace camx::topology
