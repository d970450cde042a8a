// SPDX-License-Identifier: BSD-2-Clause
#include "control_handler.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "camx/ctl/persist.hpp"
#include "camx/error/error.hpp"
#include "camx/scsi/persist.hpp"
#include "config_map.hpp"
#include "iscsi/connection.hpp"

namespace camx::ctld {

namespace ctl_proto = target_config::control;
using nlohmann::json;

namespace {

template <class... F>
struct Overload : F... {
    using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

// An enclosure's line in devlist: element counts and the LUNs in its slots, no media.
void enclosure_info(Daemon& d, ctl_proto::LunInfo& out) {
    out.device_type = "enclosure";
    out.backend = "none";
    out.blocksize_bytes = 0;
    ctl::Engine& engine = d.engine();
    const ctl::EnclosureConfig c = engine.enclosure_config(out.lun);
    out.options = {c.vendor, c.product, c.revision};
    ctl_proto::EnclosureInfo e;
    e.slots = static_cast<std::uint32_t>(c.slots.size());
    e.power_supplies = static_cast<std::uint32_t>(c.power_supplies.size());
    e.fans = static_cast<std::uint32_t>(c.fans.size());
    e.temperature_sensors = static_cast<std::uint32_t>(c.temperature_sensors.size());
    e.voltage_sensors = static_cast<std::uint32_t>(c.voltage_sensors.size());
    for (const auto& s : c.slots)
        e.slot_luns.push_back(s.lun
                                  ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*s.lun))
                                  : std::nullopt);
    e.generation_code = engine.enclosure_state(out.lun).value("generation_code", 0u);
    out.enclosure = std::move(e);
}

// The persistent reservation state as the engine keeps it.
ctl_proto::PrInfo pr_info(const ctl::Engine& engine, std::uint64_t lun) {
    const ctl::PrState s = engine.reservations(lun);
    ctl_proto::PrInfo out;
    out.generation = s.generation;
    out.aptpl = s.aptpl;
    for (const auto& r : s.registrations)
        out.registrations.push_back(
            {r.key, r.it.initiator, r.it.isid, r.it.relative_target_port, r.all_tg_pt});
    if (s.reservation) {
        ctl_proto::PrReservationInfo r;
        r.key = s.reservation->key;
        r.type = s.reservation->type;
        r.type_name = std::string(scsi::pr_type_name(r.type));
        r.scope = s.reservation->scope;
        if (!s.all_registrants_type()) {
            r.holder = s.reservation->holder.initiator;
            r.holder_isid = s.reservation->holder.isid;
        }
        out.reservation = std::move(r);
    }
    return out;
}

// The identification the LUN answers INQUIRY with (spc.cpp), derived values included.
void identification(const ctl::LunInfo& l, ctl_proto::LunInfo& out) {
    const ctl::LunOptions& o = l.config.options;
    out.serial = l.serial;
    out.device_id = l.device_id;
    out.naa = fmt::format("{:016x}", l.naa);
    if (o.eui) out.eui = fmt::format("{:016x}", *o.eui);
    out.uuid = o.uuid;
    out.scsiname = o.scsiname;
}

ctl_proto::LunOptionsInfo options_info(const ctl::LunOptions& o) {
    ctl_proto::LunOptionsInfo out;
    out.vendor = o.vendor;
    out.product = o.product;
    out.revision = o.revision;
    out.pblocksize = o.pblocksize ? o.pblocksize : o.blocksize;
    out.readonly = o.readonly;
    out.removable = o.removable;
    out.unmap = o.unmap;
    out.writecache = o.write_cache;
    return out;
}

ctl_proto::LunInfo lun_info(Daemon& d, const ctl::LunInfo& l) {
    ctl_proto::LunInfo out;
    out.lun = static_cast<std::uint32_t>(l.config.id);
    out.name = d.lun_name(l.config.id);
    out.backend = std::string(ctl::backend_kind_name(l.config.backend));
    out.path = l.config.path;
    out.blocksize_bytes = l.config.options.blocksize;
    out.blocks = l.blocks;
    out.size_bytes = l.blocks * l.config.options.blocksize;
    identification(l, out);
    out.online = !l.state.offline;
    out.readonly = l.state.read_only;
    out.options = options_info(l.config.options);
    out.persistent_reservation = pr_info(d.engine(), l.config.id);
    if (l.device_type == 0x0d) enclosure_info(d, out);
    return out;
}

// lun.create of device_type enclosure: ctl.conf's enclosure options, no media.
target_config::Lun enclosure_spec(const ctl_proto::LunCreate& c) {
    if (!c.path.empty() || c.size_bytes || c.blocksize_bytes || !c.device_id.empty())
        throw Error(Category::usage, "an enclosure takes no file, size, blocksize or device id");
    target_config::Lun spec;
    spec.name = c.name;
    spec.backend = target_config::Backend::ramdisk;
    spec.device_type = target_config::DeviceType::enclosure;
    spec.serial = c.serial;
    spec.options = c.options;
    return spec;
}

json simulate(Daemon& d, const ctl_proto::LunSimulate& c) {
    ctl::Engine& engine = d.engine();
    std::vector<ctl::EnclosureCondition> conditions;
    for (const auto& text : c.conditions)
        conditions.push_back(ctl::parse_enclosure_condition(text));
    if (engine.lun(c.lun).device_type != 0x0d)
        throw Error(Category::usage, fmt::format("LUN {} is not an enclosure", c.lun));
    for (const auto& cond : conditions) engine.simulate(c.lun, cond);
    return {{"lun", c.lun}, {"state", engine.enclosure_state(c.lun)}};
}

std::string no_session_text(const ctl_proto::SessionLogout& c) {
    if (c.connection_id) return fmt::format("no session with ID {}", *c.connection_id);
    if (!c.initiator_name.empty())
        return fmt::format("no session of initiator {}", c.initiator_name);
    return fmt::format("no session from {}", c.initiator_address);
}

std::uint64_t session_number(const SessionInfo& s) {
    std::uint64_t isid = 0;
    try {
        isid = std::stoull(s.isid, nullptr, 16);
    } catch (const std::exception&) {
    }
    return (isid << 16) | s.tsih;
}

std::string host_of(const std::string& address) {
    if (!address.empty() && address[0] == '[') return address.substr(1, address.find(']') - 1);
    auto colon = address.rfind(':');
    return colon == std::string::npos ? address : address.substr(0, colon);
}

std::vector<ctl_proto::SessionInfo> session_list(const Daemon& d, IscsiFrontend& f) {
    (void)d;
    std::vector<ctl_proto::SessionInfo> out;
    for (const auto& s : f.sessions()) {
        if (s.discovery) continue;
        for (const auto& c : s.connections) {
            ctl_proto::SessionInfo i;
            i.connection_id = s.id;
            i.session_id = session_number(s);
            i.initiator_name = s.initiator_name;
            i.initiator_alias = s.initiator_alias;
            i.initiator_address = host_of(c.initiator_address);
            i.target_name = s.target_name;
            i.target_portal = c.target_address;
            i.port = s.port;
            i.auth_method = c.params.auth_method.empty() ? "None" : c.params.auth_method;
            i.header_digest = c.params.digests.header ? "CRC32C" : "None";
            i.data_digest = c.params.digests.data ? "CRC32C" : "None";
            i.max_recv_data_segment_length_bytes = c.params.max_recv_data_segment_length;
            i.max_burst_length_bytes = s.params.max_burst_length;
            i.first_burst_length_bytes = s.params.first_burst_length;
            i.immediate_data = s.params.immediate_data;
            i.initial_r2t = s.params.initial_r2t;
            out.push_back(std::move(i));
        }
    }
    return out;
}

std::vector<std::string> port_names(const Daemon& d, const std::optional<std::string>& port) {
    std::vector<std::string> out;
    for (const auto& [name, p] : d.ports()) {
        if (!port || *port == name || *port == std::to_string(p.relative_target_port))
            out.push_back(name);
    }
    if (port && out.empty()) throw Error(Category::no_device, fmt::format("no port {}", *port));
    return out;
}

}  // namespace

ControlHandler::ControlHandler(Daemon& daemon, std::function<DaemonConfig()> load, bool debug)
    : daemon_(daemon), load_(std::move(load)), debug_(debug) {}

json ControlHandler::handle(const ctl_proto::Request& request) {
    if (debug_)
        std::fprintf(stderr, "ctld: control: %s from pid %d uid %u\n",
                     std::string(ctl_proto::command_name(request.command)).c_str(),
                     request.peer.pid, request.peer.uid);
    std::lock_guard lock(daemon_.mutex());
    return answer(request);
}

json ControlHandler::answer(const ctl_proto::Request& request) {
    ctl::Engine& engine = daemon_.engine();
    auto luns_of = [&](std::optional<std::uint32_t> lun) {
        std::vector<std::uint32_t> ids;
        if (lun) {
            engine.lun(*lun);
            ids.push_back(*lun);
        } else {
            for (const auto& l : engine.luns())
                ids.push_back(static_cast<std::uint32_t>(l.config.id));
        }
        return ids;
    };
    return std::visit(
        Overload{
            [&](const ctl_proto::Ping&) -> json {
                return {{"server", "ctld"}, {"version", "0.1.0"}};
            },
            [&](const ctl_proto::LunCreate& c) -> json {
                if (c.device_type == "enclosure")
                    return {
                        {"lun", lun_info(daemon_, daemon_.create_lun(enclosure_spec(c), c.lun))}};
                target_config::Lun spec;
                spec.name = c.name;
                spec.backend = target_config::parse_backend(c.backend);
                spec.path = c.path;
                spec.size_bytes = c.size_bytes;
                if (c.blocksize_bytes) spec.blocksize_bytes = *c.blocksize_bytes;
                spec.serial = c.serial;
                spec.device_id = c.device_id;
                spec.options = c.options;
                if (spec.backend == target_config::Backend::ramdisk && !spec.size_bytes)
                    throw Error(Category::usage, "backend ramdisk needs a size");
                auto info = daemon_.create_lun(std::move(spec), c.lun);
                return {{"lun", lun_info(daemon_, info)}};
            },
            [&](const ctl_proto::LunRemove& c) -> json {
                daemon_.remove_lun(c.lun);
                return json::object();
            },
            [&](const ctl_proto::LunModify& c) -> json {
                return {{"lun", lun_info(daemon_, daemon_.modify_lun(c.lun, c.size_bytes, c.options,
                                                                     c.force))}};
            },
            [&](const ctl_proto::LunList&) -> json {
                json a = json::array();
                for (const auto& l : engine.luns()) a.push_back(lun_info(daemon_, l));
                return {{"luns", a}};
            },
            [&](const ctl_proto::LunOnline& c) -> json {
                auto ids = luns_of(c.lun);
                for (auto id : ids) engine.set_lun_online(id, true);
                return {{"luns", ids}};
            },
            [&](const ctl_proto::LunOffline& c) -> json {
                auto ids = luns_of(c.lun);
                for (auto id : ids) engine.set_lun_online(id, false);
                return {{"luns", ids}};
            },
            [&](const ctl_proto::PortCreate& c) -> json { return port_create(request, c); },
            [&](const ctl_proto::PortRemove& c) -> json {
                return {{"removed", daemon_.remove_portal(c.port, c.listen)}};
            },
            [&](const ctl_proto::PortOnline& c) -> json {
                auto names = port_names(daemon_, c.port);
                for (const auto& n : names) engine.set_port_online(n, true);
                return {{"ports", names}};
            },
            [&](const ctl_proto::PortOffline& c) -> json {
                auto names = port_names(daemon_, c.port);
                for (const auto& n : names) engine.set_port_online(n, false);
                return {{"ports", names}};
            },
            [&](const ctl_proto::PortList&) -> json {
                auto sessions = daemon_.frontend().sessions();
                std::map<std::string, bool> online;
                for (const auto& p : engine.ports()) online[p.name] = p.online;
                json a = json::array();
                for (const auto& t : daemon_.config().iscsi.targets)
                    for (const auto& tp : t.portals) {
                        auto it = daemon_.ports().find(tp.port);
                        if (it == daemon_.ports().end()) continue;
                        ctl_proto::PortInfo p;
                        p.id = tp.relative_target_port;
                        p.name = tp.port;
                        p.frontend = "iscsi";
                        p.target = t.name;
                        p.online = online[tp.port];
                        const PortalGroup* pg =
                            find_portal_group(daemon_.config().iscsi, tp.portal_group);
                        p.portal_group_tag = pg ? pg->tag : 0;
                        p.portal_group = tp.portal_group;
                        if (pg) p.portals = pg->listen;
                        if (it->second.lun_map)
                            for (const auto& [plun, lun] : *it->second.lun_map)
                                p.lun_map.push_back({plun, static_cast<std::uint32_t>(lun)});
                        for (const auto& s : sessions)
                            if (s.port == tp.port &&
                                std::find(p.initiators.begin(), p.initiators.end(),
                                          s.initiator_name) == p.initiators.end())
                                p.initiators.push_back(s.initiator_name);
                        a.push_back(p);
                    }
                return {{"ports", a}};
            },
            [&](const ctl_proto::LunMap& c) -> json {
                auto names = port_names(daemon_, c.port);
                daemon_.map_lun(names.at(0), c.port_lun,
                                c.lun ? std::optional<std::uint64_t>(*c.lun) : std::nullopt);
                json r = answer({request.id, ctl_proto::PortList{}, request.peer});
                for (const auto& p : r["ports"])
                    if (p["name"] == names.at(0)) return {{"port", p}};
                return json::object();
            },
            [&](const ctl_proto::SessionList&) -> json {
                return {{"sessions", session_list(daemon_, daemon_.frontend())}};
            },
            [&](const ctl_proto::SessionLogout& c) -> json {
                LogoutFilter f;
                f.all = c.all;
                if (c.connection_id) f.session_id = *c.connection_id;
                if (!c.initiator_name.empty()) f.initiator_name = c.initiator_name;
                if (!c.initiator_address.empty()) f.initiator_address = c.initiator_address;
                std::size_t n = daemon_.frontend().logout(f);
                // A session that was named and is not there is an error; "all" of none is not.
                if (n == 0 && !c.all) throw Error(Category::no_device, no_session_text(c));
                return {{"logged_out", n}};
            },
            [&](const ctl_proto::Stats& c) -> json {
                json a = json::array();
                for (auto id : luns_of(c.lun)) {
                    ctl::LunStats s = engine.stats(id);
                    ctl_proto::LunStats o;
                    o.lun = id;
                    o.read_commands = s.read_commands;
                    o.write_commands = s.write_commands;
                    o.other_commands = s.commands - s.read_commands - s.write_commands;
                    o.read_bytes = s.bytes_read;
                    o.write_bytes = s.bytes_written;
                    // The engine keeps one latency sum: share it out by command count.
                    if (s.commands) {
                        o.read_time_ns = s.latency_ns_sum * s.read_commands / s.commands;
                        o.write_time_ns = s.latency_ns_sum * s.write_commands / s.commands;
                        o.other_time_ns = s.latency_ns_sum - o.read_time_ns - o.write_time_ns;
                    }
                    a.push_back(o);
                }
                return {{"luns", a}};
            },
            [&](const ctl_proto::Reload&) -> json {
                daemon_.reload(load_());
                std::fprintf(stderr, "ctld: configuration reloaded\n");
                return json::object();
            },
            [&](const ctl_proto::LunSimulate& c) -> json { return simulate(daemon_, c); },
        },
        request.command);
}

// ctld's ports are those of its portal groups: creating a port adds a listening portal to a
// portal group, or a new portal group reaching the targets.
json ControlHandler::port_create(const ctl_proto::Request& request,
                                 const ctl_proto::PortCreate& c) {
    if (c.frontend != "iscsi")
        throw Error(Category::unsupported,
                    fmt::format("ctld has iSCSI ports only, not {}", c.frontend));
    if (c.listen.empty())
        throw Error(Category::usage, "an iSCSI port needs an address to listen on");
    if (!c.options.empty())
        throw Error(Category::usage,
                    fmt::format("unknown port option {}", c.options.begin()->first));
    daemon_.add_portal({c.name, c.listen, c.target});
    ctl_proto::PortalInfo out;
    out.portal_group = c.name;
    out.listen = c.listen;
    if (const PortalGroup* pg = find_portal_group(daemon_.config().iscsi, c.name))
        out.portal_group_tag = pg->tag;
    json all = answer({request.id, ctl_proto::PortList{}, request.peer});
    for (const auto& p : all["ports"])
        if (p["portal_group"] == c.name) out.ports.push_back(p.get<ctl_proto::PortInfo>());
    return {{"portal", out}};
}

}  // namespace camx::ctld
