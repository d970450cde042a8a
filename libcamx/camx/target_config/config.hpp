// SPDX-License-Identifier: BSD-2-Clause
// ctl.conf: the model of ctld's configuration (FreeBSD ctl.conf's auth-group, portal-group,
// target and lun, in UCL syntax), its parser and its semantic checks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "camx/ctl/enclosure_config.hpp"
#include "camx/target_config/ucl.hpp"

namespace camx::target_config {

using ucl::Location;

enum class AuthType : std::uint8_t { none, deny, chap, chap_mutual };
std::string_view auth_type_name(AuthType t);

struct Chap {
    std::string user;
    std::string secret;
    std::string mutual_user;    // empty unless chap-mutual
    std::string mutual_secret;  // empty unless chap-mutual
    bool operator==(const Chap&) const = default;
};

struct AuthGroup {
    std::string name;
    // Unset in the file: chap when chap entries exist, chap_mutual when chap-mutual ones do,
    // deny otherwise (FreeBSD's rule).
    AuthType type = AuthType::deny;
    std::vector<Chap> chap;
    std::vector<std::string> initiator_names;    // empty: any initiator name
    std::vector<std::string> initiator_portals;  // "addr" or "addr/prefix"; empty: any
    Location where;
};

struct Listen {
    std::string address;  // "0.0.0.0", "::", "127.0.0.1", a host name
    std::uint16_t port = 3260;
    bool operator==(const Listen&) const = default;
};
// "host", "host:port", "[v6]", "[v6]:port"; Error(usage) otherwise.
Listen parse_listen(std::string_view text);

enum class DiscoveryFilter : std::uint8_t { none, portal, portal_name, portal_name_auth };
std::string_view discovery_filter_name(DiscoveryFilter f);

struct PortalGroup {
    std::string name;
    std::vector<Listen> listen;
    std::string discovery_auth_group = "default";
    DiscoveryFilter discovery_filter = DiscoveryFilter::none;
    std::optional<std::uint16_t> tag;    // unset: ctld assigns one
    bool foreign = false;                // listened on by the other HA node
    std::optional<std::uint8_t> dscp;    // 0..63
    std::optional<std::uint8_t> pcp;     // 0..7
    std::uint32_t connection_limit = 0;  // connections through the group at once; 0: none
    Location where;
};

enum class Backend : std::uint8_t { ramdisk, file, block };
std::string_view backend_name(Backend b);
// "ramdisk", "file" or "block"; Error(usage) otherwise.
Backend parse_backend(std::string_view text);

enum class DeviceType : std::uint8_t { disk, enclosure };
std::string_view device_type_name(DeviceType t);

struct Lun {
    std::string name;  // global: as written; inline in a target: "TARGET,lun,N"
    Backend backend = Backend::block;
    std::string path;                         // file and block backends
    std::optional<std::uint64_t> size_bytes;  // required for ramdisk; 0 = discard writes
    std::uint32_t blocksize_bytes = 512;
    std::string serial;     // empty: ctld derives one
    std::string device_id;  // empty: ctld derives one
    DeviceType device_type = DeviceType::disk;
    std::optional<std::uint32_t> ctl_lun;        // the engine LUN number; unset: ctld assigns one
    std::map<std::string, std::string> options;  // "option name value": vendor, product, ...
    Location where;
    std::map<std::string, Location> option_where;  // where each option's name is written
    bool operator==(const Lun& o) const;           // ignores where and option_where
};

// The emulated enclosure a `device-type enclosure` lun describes through its options (see
// ctl.conf(5)): element counts, descriptors, the LUNs in its slots and its identity.
struct EnclosureSpec {
    std::size_t slots = 4;
    std::size_t psus = 2;
    std::size_t fans = 2;
    std::size_t temps = 1;
    std::size_t volts = 1;
    // Per slot, in order (may be shorter than slots): a lun name or an engine LUN number;
    // empty for an empty slot.
    std::vector<std::string> slot_luns;
    std::vector<std::string> slot_descriptors, psu_descriptors, fan_descriptors, temp_descriptors,
        volt_descriptors;
    std::string vendor = "CAMX";
    std::string product = "CTL ENCLOSURE";
    std::string revision = "0001";
    std::string serial;                // empty: the engine derives one
    std::optional<std::uint64_t> naa;  // the enclosure logical identifier
    std::string descriptor;            // of the enclosure element
    std::string help_text;

    // One option ("slots", "slot-luns", "vendor", ...). Error(usage) for an option an
    // enclosure does not take or a bad value.
    void apply(std::string_view name, std::string_view value);
    // Checks what involves several options (more slot-luns or descriptors than elements).
    void check() const;
    // Drops list entries beyond the element counts (after a count was lowered).
    void fit();
    // The engine's configuration; resolve turns a slot-luns entry into an engine LUN id
    // (and throws Error(usage) for one it does not know).
    ctl::EnclosureConfig config(
        const std::function<std::uint64_t(const std::string&)>& resolve) const;

    // The spec of a lun of device-type enclosure: its serial and all its options, checked.
    // Error(usage) listing every problem, one per line.
    static EnclosureSpec of(const Lun& lun);
    // The spec of a running enclosure (slot-luns as engine LUN numbers), for changing it.
    static EnclosureSpec from(const ctl::EnclosureConfig& config);
    // The options that give this spec back through apply (lists and texts only when set).
    std::map<std::string, std::string> options() const;
};
// Every option name EnclosureSpec::apply takes.
const std::vector<std::string_view>& enclosure_option_names();

struct TargetLun {
    std::uint64_t id = 0;  // the LUN number initiators see
    std::string lun;       // key into Config::luns
    Location where;
};

struct PortalGroupRef {
    std::string portal_group;
    std::string auth_group;  // empty: the target's
};

struct Target {
    std::string name;  // iqn.… or naa.…
    std::string alias;
    // The auth-group in effect: named, "default", or "TARGET,auth" for inline chap /
    // initiator-name / initiator-portal / auth-type entries (kept in Config::auth_groups).
    std::string auth_group = "default";
    std::vector<PortalGroupRef> portal_groups;  // empty in the file: "default"
    std::vector<std::string> ports;             // "port NAME": a local (kernel) port
    std::vector<TargetLun> luns;                // sorted by id
    Location where;
};

// Limits for the keys that size the iSCSI frontend.
inline constexpr int max_timeout_seconds = 86400;
inline constexpr int max_connections = 65536;

struct Global {
    int debug = 0;             // above 0: ctld -d
    int timeout_seconds = 60;  // a login's time from accept; 0: no limit
    int maxproc = 30;          // connections at once; 0: no limit
    std::string pidfile;       // empty: none written
    // camx additions
    std::string state_dir = "/var/lib/ctld";
    std::string control_socket = "/run/ctld/ctld.sock";
    std::string control_group;  // members may use the socket besides root; empty: root only
    // Data-Out and Data-In ctld buffers for iSCSI sessions: each session, and all together.
    std::uint64_t session_buffer_limit = 64ull << 20;
    std::uint64_t buffer_limit = 256ull << 20;
};

struct Config {
    std::string file;
    Global global;
    std::map<std::string, AuthGroup> auth_groups;      // includes the predefined ones
    std::map<std::string, PortalGroup> portal_groups;  // includes "default"
    std::map<std::string, Lun> luns;                   // global and inline
    std::vector<Target> targets;                       // in file order
    std::vector<std::string> warnings;                 // "file:line:column: ..." not fatal
};

struct ParseOptions {
    // Check that file and block backends' paths exist (and are regular files / block
    // devices). ctld -t does; tools that only look at the structure may not.
    bool check_files = true;
};

// Parses and checks a configuration. Throws camx::Error: usage for syntax and semantic
// errors, file for a missing or wrong backing path; the message lists every problem found,
// one per line, each starting with "file:line:column: ".
Config parse(std::string_view text, const std::string& name, const ParseOptions& opt = {});
// Reads path and parses it; Error(file) when it cannot be read or is not a regular file
// (a directory, FIFO, socket or device; a FIFO is never waited on).
Config load(const std::string& path, const ParseOptions& opt = {});

// The built-in demo (ctld --demo): a 64 MiB ramdisk disk as LUN 0 and an emulated enclosure
// whose slot 0 holds it as LUN 1 of iqn.2024-01.org.camx:demo on 127.0.0.1:3260, no
// authentication. demo_text(listen, size, file) gives it on another portal, with another
// ramdisk size, or with the disk backed by a file.
inline constexpr std::string_view demo_target = "iqn.2024-01.org.camx:demo";
std::string demo_text(std::string_view listen = "127.0.0.1:3260",
                      std::uint64_t size_bytes = 64ull << 20, std::string_view file = {});
Config demo(std::string_view listen = "127.0.0.1:3260", std::uint64_t size_bytes = 64ull << 20,
            std::string_view file = {});

// "4096", "64k", "10G", "1.5t" is rejected; suffixes k m g t p (optionally followed by b or
// ib, any case) are powers of 1024. Error(usage) on anything else or on overflow.
std::uint64_t parse_size(std::string_view text);
// yes/no/true/false/on/off/1/0; Error(usage) otherwise.
bool parse_bool(std::string_view text);

// Secrets are shown as "secret_set": true, never in clear.
void to_json(nlohmann::json& j, const AuthGroup& a);
void to_json(nlohmann::json& j, const Listen& l);
void to_json(nlohmann::json& j, const PortalGroup& p);
void to_json(nlohmann::json& j, const Lun& l);
void from_json(const nlohmann::json& j, Lun& l);
void to_json(nlohmann::json& j, const Target& t);
void to_json(nlohmann::json& j, const Global& g);
void to_json(nlohmann::json& j, const Config& c);

}  // namespace camx::target_config
