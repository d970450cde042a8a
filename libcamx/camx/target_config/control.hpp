// SPDX-License-Identifier: BSD-2-Clause
// ctld's control protocol: the requests ctladm sends over the control socket, the results
// ctld returns, their JSON encoding, and the interface the daemon implements to answer them.
//
// Transport: a Unix stream socket (default /run/ctld/ctld.sock). The client writes one
// request per line (a JSON object followed by '\n'); the server writes one response line per
// request, in order. Lines longer than 1 MiB close the connection. The server checks the
// peer with SO_PEERCRED: root, the daemon's own uid, or a member of the control group. It
// bounds its clients (ServerSettings in control_socket.hpp): one past the limit gets a "busy"
// error line and is closed, an idle one a "timeout" error line; while a client's unread
// answers are over the cap its further requests wait unread.
//
// Request:   {"version": 1, "id": 7, "command": "lun.create", "args": {...}}
//   "version" must be 1; "id" is any unsigned integer the client chooses, echoed back;
//   "args" may be omitted when a command takes none. Unknown commands, unknown argument
//   names and arguments of the wrong JSON type are errors (category "usage").
// Response:  {"version": 1, "id": 7, "result": {...}}
//        or  {"version": 1, "id": 7, "error": {"category": "usage", "message": "..."}}
//   "category" is a camx category name (camx::category_name: usage, file, busy, no_device,
//   unsupported, ...); ctladm exits with that category's exit code. A line that is not JSON
//   gets an error with "id": 0 and category "malformed".
//
// Commands, their "args" and their "result" (keys not marked optional are required):
//   ping          {}                                  -> {"server": "ctld", "version": "0.1.0"}
//   lun.create    {"backend": "ramdisk"|"file"|"block" (not for an enclosure),
//                  "lun"?: N (engine LUN number; default: lowest free),
//                  "name"?: S, "path"?: S (file, block), "size_bytes"?: N (required for
//                  ramdisk; file: grows or sets the size), "blocksize_bytes"?: N,
//                  "serial"?: S, "device_id"?: S, "device_type"?: "disk"|"enclosure",
//                  "options"?: {name: value, ...}}   -> {"lun": LunInfo}
//                  errors: LUN number in use (usage), missing path (file), bad option (usage)
//                  An enclosure takes ctl.conf's enclosure options (slots, psus, fans, temps,
//                  volts, slot-luns, slot-descriptors, ..., vendor, product) and no media.
//   lun.remove    {"lun": N}                          -> {}            no such LUN: no_device
//   lun.modify    {"lun": N, "size_bytes"?: N, "force"?: B, "options"?: {name: value}}
//                  -> {"lun": LunInfo}; size_bytes resizes (a file is extended or cut; 0
//                  for a file or block LUN reads its size again); shrinking below written
//                  data needs "force": true (usage otherwise)
//   lun.list      {}                                  -> {"luns": [LunInfo, ...]}
//   lun.online    {"lun"?: N}  (no "lun": every LUN)  -> {"luns": [N, ...]} the LUNs changed
//   lun.offline   {"lun"?: N}  (offline LUNs answer BUSY) -> {"luns": [N, ...]}
//   port.create   {"frontend": "iscsi"|"local", "name": S, "listen"?: S, "target"?: S,
//                  "options"?: {name: value}}         -> {"portal": PortalInfo}
//                  iSCSI: "name" is a portal group and "listen" the address to add to it
//                  ("host:port", "[v6]:port"); an unknown portal group is created, with a
//                  new tag, for "target" or, without one, for every target. Kept in the
//                  state directory. errors: address in use (busy), address already a
//                  portal (usage), no such target (no_device), frontend local (unsupported)
//   port.remove   {"port": S, "listen"?: S}           -> {"removed": [S, ...]}
//                  iSCSI: removes the runtime portal "listen" of portal group "port", or
//                  without "listen" all its runtime portals (and the group itself when it
//                  was created at run time); sessions through them are logged out.
//                  errors: nothing created at run time there (no_device), a portal of
//                  ctl.conf (usage)
//   port.online   {"port"?: S} (no "port": every port) -> {"ports": [S, ...]}
//   port.offline  {"port"?: S}                        -> {"ports": [S, ...]}
//   port.list     {}                                  -> {"ports": [PortInfo, ...]}
//                 A port is named by its name or by its decimal id.
//   lunmap        {"port": S, "port_lun": N, "lun"?: N}  (no "lun": unmap) -> {"port": PortInfo}
//   session.list  {}                                  -> {"sessions": [SessionInfo, ...]}
//   session.logout {"all"?: bool, "connection_id"?: N, "initiator_name"?: S,
//                  "initiator_address"?: S}  (exactly one selector) -> {"logged_out": N}
//                  errors: a selector other than "all" that matches no session (no_device)
//   stats         {"lun"?: N}                         -> {"luns": [LunStats, ...]}
//   reload        {}  (same as SIGHUP)                -> {}
//   lun.simulate  {"lun": N, "conditions": [S, ...]}  (an enclosure; conditions as
//                  ctl::parse_enclosure_condition reads them: "psu:0:fail", "fan:1:0",
//                  "temp:0:70", "volt:0:11.2", "psu:0:ok", "ok")
//                                                     -> {"lun": N, "state": {...}}
//                  the enclosure's element state after the change (Engine::enclosure_state)
//
// LunInfo:   {"lun", "name", "backend", "path", "size_bytes", "blocksize_bytes", "blocks",
//             "serial", "device_id", "naa", "eui"?, "uuid"?, "scsiname"?, "device_type",
//             "online", "readonly", "options": LunOptions, "persistent_reservation": PrInfo,
//             "enclosure"?: EnclosureInfo}  (enclosures only)
//             "readonly" is the LUN's state (the option, or media that only opened
//             read-only); "options" holds what was set or defaulted.
//             The identification is what the LUN answers with, derived values included:
//             "serial" (VPD 0x80), "device_id" (the vendor specific identifier of the T10
//             vendor ID designator of VPD 0x83), "naa" (the LU NAA designator, 16 lower-case
//             hex digits); "eui" (16 hex digits), "uuid", "scsiname" only when configured.
// LunOptions: {"vendor", "product", "revision": S, "pblocksize": N, "readonly",
//             "removable", "unmap", "writecache": bool}  names as ctladm -o takes them;
//             an enclosure has the three strings only
// PrInfo:    {"generation", "aptpl", "registrations": [{"key", "initiator", "isid",
//             "relative_target_port", "all_tg_pt"}], "reservation": null or {"key", "type",
//             "type_name", "scope", "holder", "holder_isid"}}  keys are numbers, as camctl
//             persist shows them; "initiator"/"holder": the initiator name as the engine
//             keeps it (lower-case); "holder" is "" for the all-registrants types
// EnclosureInfo: {"slots", "power_supplies", "fans", "temperature_sensors",
//             "voltage_sensors", "slot_luns": [N or null per slot], "generation_code"}
// PortInfo:  {"id", "name", "frontend", "target", "online", "portal_group_tag",
//             "lun_map": [{"port_lun", "lun"}], "initiators": [S], "portal_group": S,
//             "portals": [S] (the portal group's listen addresses)}
// PortalInfo: {"portal_group", "portal_group_tag", "listen", "ports": [PortInfo]} the
//             portal group's engine ports (one per target reachable through it)
// SessionInfo: {"connection_id", "session_id", "initiator_name", "initiator_alias",
//             "initiator_address", "target_name", "target_portal", "port", "auth_method",
//             "header_digest", "data_digest", "max_recv_data_segment_length_bytes",
//             "max_burst_length_bytes", "first_burst_length_bytes", "immediate_data",
//             "initial_r2t"}
// LunStats:  {"lun", "read_commands", "write_commands", "other_commands", "read_bytes",
//             "write_bytes", "read_time_ns", "write_time_ns", "other_time_ns"}
//             (times: sums of command latencies, arrival to completion)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "camx/error/error.hpp"

namespace camx::target_config::control {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::size_t kMaxLine = 1u << 20;
inline constexpr std::string_view kDefaultSocket = "/run/ctld/ctld.sock";

using Options = std::map<std::string, std::string>;

struct Ping {
    bool operator==(const Ping&) const = default;
};
struct LunCreate {
    std::string backend;  // "ramdisk", "file", "block"
    std::optional<std::uint32_t> lun;
    std::string name;
    std::string path;
    std::optional<std::uint64_t> size_bytes;
    std::optional<std::uint32_t> blocksize_bytes;
    std::string serial;
    std::string device_id;
    std::string device_type;  // empty: disk
    Options options;
    bool operator==(const LunCreate&) const = default;
};
struct LunRemove {
    std::uint32_t lun = 0;
    bool operator==(const LunRemove&) const = default;
};
struct LunModify {
    std::uint32_t lun = 0;
    std::optional<std::uint64_t> size_bytes;
    Options options;
    bool force = false;  // shrink even below written data
    bool operator==(const LunModify&) const = default;
};
struct LunList {
    bool operator==(const LunList&) const = default;
};
struct LunOnline {
    std::optional<std::uint32_t> lun;
    bool operator==(const LunOnline&) const = default;
};
struct LunOffline {
    std::optional<std::uint32_t> lun;
    bool operator==(const LunOffline&) const = default;
};
struct PortCreate {
    std::string frontend;  // "iscsi", "local"
    std::string name;
    std::string target;
    Options options;
    std::string listen;  // iscsi: the portal address to add to portal group `name`
    bool operator==(const PortCreate&) const = default;
};
struct PortRemove {
    std::string port;
    std::string listen;  // iscsi: one portal of portal group `port`; empty: all runtime ones
    bool operator==(const PortRemove&) const = default;
};
struct PortOnline {
    std::optional<std::string> port;
    bool operator==(const PortOnline&) const = default;
};
struct PortOffline {
    std::optional<std::string> port;
    bool operator==(const PortOffline&) const = default;
};
struct PortList {
    bool operator==(const PortList&) const = default;
};
struct LunMap {
    std::string port;
    std::uint64_t port_lun = 0;
    std::optional<std::uint32_t> lun;  // unset: remove the mapping
    bool operator==(const LunMap&) const = default;
};
struct SessionList {
    bool operator==(const SessionList&) const = default;
};
struct SessionLogout {
    bool all = false;
    std::optional<std::uint64_t> connection_id;
    std::string initiator_name;
    std::string initiator_address;
    bool operator==(const SessionLogout&) const = default;
};
struct Stats {
    std::optional<std::uint32_t> lun;
    bool operator==(const Stats&) const = default;
};
struct Reload {
    bool operator==(const Reload&) const = default;
};
struct LunSimulate {
    std::uint32_t lun = 0;
    std::vector<std::string> conditions;  // checked by the daemon
    bool operator==(const LunSimulate&) const = default;
};

using Command = std::variant<Ping, LunCreate, LunRemove, LunModify, LunList, LunOnline, LunOffline,
                             PortCreate, PortRemove, PortOnline, PortOffline, PortList, LunMap,
                             SessionList, SessionLogout, Stats, Reload, LunSimulate>;

// "lun.create" etc.
std::string_view command_name(const Command& c);

// Who sent a request (from SO_PEERCRED).
struct Peer {
    std::int32_t pid = 0;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
};

struct Request {
    std::uint64_t id = 0;
    Command command;
    Peer peer;
};

// Result models: what the handler returns (through to_json) and what ctladm renders.
struct LunMapping {
    std::uint64_t port_lun = 0;
    std::uint32_t lun = 0;
    bool operator==(const LunMapping&) const = default;
};

struct EnclosureInfo {
    std::uint32_t slots = 0;
    std::uint32_t power_supplies = 0;
    std::uint32_t fans = 0;
    std::uint32_t temperature_sensors = 0;
    std::uint32_t voltage_sensors = 0;
    std::vector<std::optional<std::uint32_t>> slot_luns;  // per slot
    std::uint32_t generation_code = 0;
    bool operator==(const EnclosureInfo&) const = default;
};

struct PrRegistrationInfo {
    std::uint64_t key = 0;
    std::string initiator;
    std::string isid;  // hex, empty when the transport has none
    std::uint16_t relative_target_port = 0;
    bool all_tg_pt = false;
    bool operator==(const PrRegistrationInfo&) const = default;
};

struct PrReservationInfo {
    std::uint64_t key = 0;
    std::uint8_t type = 0;
    std::string type_name;  // as camctl persist names it
    std::uint8_t scope = 0;
    std::string holder;  // empty for the all-registrants types
    std::string holder_isid;
    bool operator==(const PrReservationInfo&) const = default;
};

struct PrInfo {
    std::uint32_t generation = 0;
    bool aptpl = false;
    std::vector<PrRegistrationInfo> registrations;
    std::optional<PrReservationInfo> reservation;
    bool operator==(const PrInfo&) const = default;
};

// A LUN's settable options as it applies them, under the names ctladm -o and ctl.conf's
// "option" take (pblocksize: the physical block size reported, the logical one when not
// set). An enclosure has only the INQUIRY strings; the rest is set for disks.
struct LunOptionsInfo {
    std::string vendor;
    std::string product;
    std::string revision;
    std::optional<std::uint32_t> pblocksize = std::nullopt;
    std::optional<bool> readonly = std::nullopt;
    std::optional<bool> removable = std::nullopt;
    std::optional<bool> unmap = std::nullopt;
    std::optional<bool> writecache = std::nullopt;
    bool operator==(const LunOptionsInfo&) const = default;
};

struct LunInfo {
    std::uint32_t lun = 0;
    std::string name;
    std::string backend;
    std::string path;
    std::uint64_t size_bytes = 0;
    std::uint32_t blocksize_bytes = 512;
    std::uint64_t blocks = 0;
    std::string serial;
    std::string device_id;
    std::string naa;       // 16 lower-case hex digits
    std::string eui;       // empty: not configured
    std::string uuid;      // empty: not configured
    std::string scsiname;  // empty: not configured
    std::string device_type = "disk";
    bool online = true;
    bool readonly = false;  // by option or because the media only opened read-only
    LunOptionsInfo options;
    PrInfo persistent_reservation;
    std::optional<EnclosureInfo> enclosure;
    bool operator==(const LunInfo&) const = default;
};

struct PortInfo {
    std::uint32_t id = 0;
    std::string name;
    std::string frontend;
    std::string target;
    bool online = false;
    std::uint16_t portal_group_tag = 0;
    std::vector<LunMapping> lun_map;
    std::vector<std::string> initiators;
    std::string portal_group;
    std::vector<std::string> portals;
    bool operator==(const PortInfo&) const = default;
};

struct PortalInfo {
    std::string portal_group;
    std::uint16_t portal_group_tag = 0;
    std::string listen;
    std::vector<PortInfo> ports;
    bool operator==(const PortalInfo&) const = default;
};

struct SessionInfo {
    std::uint64_t connection_id = 0;
    std::uint64_t session_id = 0;  // ISID and TSIH as one number
    std::string initiator_name;
    std::string initiator_alias;
    std::string initiator_address;
    std::string target_name;
    std::string target_portal;
    std::string port;
    std::string auth_method;  // "None", "CHAP"
    std::string header_digest;
    std::string data_digest;
    std::uint32_t max_recv_data_segment_length_bytes = 0;
    std::uint32_t max_burst_length_bytes = 0;
    std::uint32_t first_burst_length_bytes = 0;
    bool immediate_data = false;
    bool initial_r2t = true;
    bool operator==(const SessionInfo&) const = default;
};

struct LunStats {
    std::uint32_t lun = 0;
    std::uint64_t read_commands = 0;
    std::uint64_t write_commands = 0;
    std::uint64_t other_commands = 0;
    std::uint64_t read_bytes = 0;
    std::uint64_t write_bytes = 0;
    std::uint64_t read_time_ns = 0;
    std::uint64_t write_time_ns = 0;
    std::uint64_t other_time_ns = 0;
    bool operator==(const LunStats&) const = default;
};

// from_json throws camx::Error(malformed) naming the missing or mistyped key.
void to_json(nlohmann::json& j, const LunMapping& m);
void from_json(const nlohmann::json& j, LunMapping& m);
void to_json(nlohmann::json& j, const EnclosureInfo& e);
void from_json(const nlohmann::json& j, EnclosureInfo& e);
void to_json(nlohmann::json& j, const PrRegistrationInfo& r);
void from_json(const nlohmann::json& j, PrRegistrationInfo& r);
void to_json(nlohmann::json& j, const PrReservationInfo& r);
void from_json(const nlohmann::json& j, PrReservationInfo& r);
void to_json(nlohmann::json& j, const PrInfo& p);
void from_json(const nlohmann::json& j, PrInfo& p);
void to_json(nlohmann::json& j, const LunOptionsInfo& o);
void from_json(const nlohmann::json& j, LunOptionsInfo& o);
void to_json(nlohmann::json& j, const LunInfo& l);
void from_json(const nlohmann::json& j, LunInfo& l);
void to_json(nlohmann::json& j, const PortInfo& p);
void from_json(const nlohmann::json& j, PortInfo& p);
void to_json(nlohmann::json& j, const PortalInfo& p);
void from_json(const nlohmann::json& j, PortalInfo& p);
void to_json(nlohmann::json& j, const SessionInfo& s);
void from_json(const nlohmann::json& j, SessionInfo& s);
void to_json(nlohmann::json& j, const LunStats& s);
void from_json(const nlohmann::json& j, LunStats& s);

// The daemon's side: answers one request. Returns the "result" object; throws camx::Error
// to answer with an error (any other exception is reported as category "other").
// Called from the control server's thread, one request at a time.
class ControlHandler {
  public:
    virtual ~ControlHandler() = default;
    virtual nlohmann::json handle(const Request& request) = 0;
};

// Codec. decode_request throws Error(malformed) for a line that is not a JSON object and
// Error(usage) for an unknown command or bad arguments; the id is kept in *id when known so
// the error response can carry it.
Request decode_request(std::string_view line, std::uint64_t* id = nullptr);
// One line including the trailing '\n'.
std::string encode_request(std::uint64_t id, const Command& c);
std::string encode_result(std::uint64_t id, const nlohmann::json& result);
std::string encode_error(std::uint64_t id, const Error& e);
// The result of a response line; throws the Error it carries (category from its name), or
// Error(malformed) when the line is not a response to request `id`.
nlohmann::json decode_response(std::string_view line, std::uint64_t id);

// The category with that category_name(); Category::other for an unknown name.
Category category_from_name(std::string_view name);

}  // namespace camx::target_config::control
