// SPDX-License-Identifier: BSD-2-Clause
// ctladm: manage ctld's LUNs, ports, LUN maps and iSCSI sessions over its control socket.
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "camx/error/error.hpp"
#include "camx/target_config/config.hpp"
#include "camx/target_config/control.hpp"
#include "camx/target_config/control_socket.hpp"
#include "command_line.hpp"
#include "render.hpp"

namespace {

namespace ctl = camx::target_config::control;
using camx::Category;
using camx::Error;
using nlohmann::json;

// One subcommand: how it builds its request and how it shows the result as text.
struct Command {
    CLI::App* app = nullptr;
    bool as_json = false;
    std::function<ctl::Command()> build;
    std::function<void(const json&, std::ostream&)> show;
};

Command& add(std::vector<std::unique_ptr<Command>>& cmds, CLI::App& parent, const std::string& name,
             const std::string& help) {
    auto c = std::make_unique<Command>();
    c->app = parent.add_subcommand(name, help);
    c->app->add_flag("-j,--json", c->as_json, "Print one JSON document");
    cmds.push_back(std::move(c));
    return *cmds.back();
}

// "-o name=value" arguments.
ctl::Options parse_options(const std::vector<std::string>& raw) {
    ctl::Options out;
    for (const auto& o : raw) {
        auto eq = o.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error(Category::usage, fmt::format("bad option '{}': expected name=value", o));
        out[o.substr(0, eq)] = o.substr(eq + 1);
    }
    return out;
}

template <class T>
std::vector<T> list_of(const json& r, const char* key) {
    try {
        return r.at(key).get<std::vector<T>>();
    } catch (const json::exception& e) {
        throw Error(Category::malformed, fmt::format("response: \"{}\": {}", key, e.what()));
    }
}

template <class T>
T one_of(const json& r, const char* key) {
    try {
        return r.at(key).get<T>();
    } catch (const json::exception& e) {
        throw Error(Category::malformed, fmt::format("response: \"{}\": {}", key, e.what()));
    }
}

void print_enclosure(const ctl::EnclosureInfo& e, std::ostream& os);

void print_lun_created(const ctl::LunInfo& l, std::ostream& os, const char* what) {
    fmt::print(os, "LUN {} successfully\n", what);
    if (l.enclosure) {
        fmt::print(os, "device type:   {}\n", l.device_type);
        fmt::print(os, "LUN ID:        {}\n", l.lun);
        fmt::print(os, "Serial Number: {}\n", l.serial);
        print_enclosure(*l.enclosure, os);
        return;
    }
    fmt::print(os, "backend:       {}\n", l.backend);
    fmt::print(os, "device type:   {}\n", l.device_type);
    fmt::print(os, "LUN size:      {} bytes\n", l.size_bytes);
    fmt::print(os, "blocksize      {} bytes\n", l.blocksize_bytes);
    fmt::print(os, "LUN ID:        {}\n", l.lun);
    fmt::print(os, "Serial Number: {}\n", l.serial);
    fmt::print(os, "Device ID:     {}\n", l.device_id);
}

void print_enclosure(const ctl::EnclosureInfo& e, std::ostream& os) {
    fmt::print(os,
               "Elements:      {} slots, {} power supplies, {} fans, {} temperature "
               "sensors, {} voltage sensors\n",
               e.slots, e.power_supplies, e.fans, e.temperature_sensors, e.voltage_sensors);
    for (std::size_t i = 0; i < e.slot_luns.size(); ++i)
        fmt::print(os, "Slot {:<8} {}\n", fmt::format("{}:", i),
                   e.slot_luns[i] ? fmt::format("LUN {}", *e.slot_luns[i]) : "empty");
}

// create -t enclosure: the enclosure options go as they are; ctld checks them.
ctl::Command enclosure_create(const std::string& backend, const std::string& size,
                              std::uint32_t blocksize, std::optional<std::uint32_t> lun,
                              const std::vector<std::string>& opts, const std::string& serial,
                              const std::string& devid) {
    if (!backend.empty() || !size.empty() || blocksize || !devid.empty())
        throw Error(Category::usage, "an enclosure takes no -b, -s, -B or -d");
    ctl::LunCreate r;
    r.device_type = "enclosure";
    r.lun = lun;
    r.serial = serial;
    r.options = parse_options(opts);
    if (r.options.count("file")) throw Error(Category::usage, "an enclosure takes no file");
    return r;
}

// simulate: what each element reports now.
void print_simulated(const json& r, std::ostream& os) {
    const json& st = r.at("state");
    fmt::print(os, "LUN {}: generation code {}\n", r.at("lun").get<std::uint32_t>(),
               st.value("generation_code", 0u));
    std::size_t n = 0;
    for (const auto& p : st.value("power_supplies", json::array()))
        fmt::print(os, "  PSU {} ({}): {}\n", n++, p.value("descriptor", ""),
                   p.value("failed", false) ? "FAILED" : "OK");
    n = 0;
    for (const auto& f : st.value("fans", json::array()))
        fmt::print(os, "  Fan {} ({}): {} rpm\n", n++, f.value("descriptor", ""),
                   f.value("rpm", 0u));
    n = 0;
    for (const auto& t : st.value("temperature_sensors", json::array()))
        fmt::print(os, "  Temp {} ({}): {} C\n", n++, t.value("descriptor", ""),
                   t.value("celsius", 0));
    n = 0;
    for (const auto& v : st.value("voltage_sensors", json::array()))
        fmt::print(os, "  Volt {} ({}): {:.2f} V\n", n++, v.value("descriptor", ""),
                   v.value("volts", 0.0));
}

void register_luns(std::vector<std::unique_ptr<Command>>& cmds, CLI::App& app) {
    {
        auto& c = add(cmds, app, "create", "Create a LUN");
        auto backend = std::make_shared<std::string>();
        auto size = std::make_shared<std::string>();
        auto blocksize = std::make_shared<std::uint32_t>(0);
        auto lun = std::make_shared<std::uint32_t>(0);
        auto opts = std::make_shared<std::vector<std::string>>();
        auto serial = std::make_shared<std::string>();
        auto devid = std::make_shared<std::string>();
        auto type = std::make_shared<std::string>();
        c.app->add_option("-b,--backend", *backend, "ramdisk, file or block (not for -t enclosure)")
            ->check(camx::cli::one_of("backend", {"ramdisk", "file", "block"}));
        c.app->add_option("-s,--size", *size, "Size in bytes; suffixes k, m, g, t, p");
        c.app->add_option("-B,--blocksize", *blocksize, "Logical block size in bytes");
        auto* lopt = c.app->add_option("-l,--lun", *lun, "LUN number (default: lowest free)");
        c.app
            ->add_option("-o,--option", *opts,
                         "Backend or LUN option name=value (file=PATH; for an enclosure "
                         "slots=N, slot-luns=0,1, ...)")
            ->allow_extra_args(false);
        c.app->add_option("-S,--serial", *serial, "Serial number");
        c.app->add_option("-d,--device-id", *devid, "Device ID");
        c.app->add_option("-t,--device-type", *type, "disk or enclosure")
            ->check(camx::cli::one_of("device type", {"disk", "enclosure"}));
        c.build = [=]() -> ctl::Command {
            if (*type == "enclosure")
                return enclosure_create(*backend, *size, *blocksize,
                                        lopt->count() ? std::optional(*lun) : std::nullopt, *opts,
                                        *serial, *devid);
            if (backend->empty()) throw Error(Category::usage, "create needs -b BACKEND");
            ctl::LunCreate r;
            r.backend = *backend;
            if (!size->empty()) r.size_bytes = camx::target_config::parse_size(*size);
            if (*blocksize) r.blocksize_bytes = *blocksize;
            if (lopt->count()) r.lun = *lun;
            r.options = parse_options(*opts);
            if (auto it = r.options.find("file"); it != r.options.end()) {
                r.path = it->second;
                r.options.erase(it);
            }
            r.serial = *serial;
            r.device_id = *devid;
            r.device_type = *type;
            if (r.backend == "ramdisk") {
                if (!r.size_bytes) throw Error(Category::usage, "backend ramdisk needs -s SIZE");
                if (!r.path.empty()) throw Error(Category::usage, "backend ramdisk takes no file");
            } else {
                if (r.path.empty())
                    throw Error(Category::usage,
                                fmt::format("backend {} needs -o file=PATH", r.backend));
                struct stat st {};
                // A file LUN with a size creates its missing file.
                bool creates = r.backend == "file" && r.size_bytes.value_or(0) != 0;
                if (::stat(r.path.c_str(), &st) != 0) {
                    if (errno != ENOENT || !creates)
                        throw Error(Category::file,
                                    fmt::format("{}: {}", r.path, std::strerror(errno)));
                } else if (r.backend == "file" && !S_ISREG(st.st_mode))
                    throw Error(Category::file, fmt::format("{}: not a regular file", r.path));
                else if (r.backend == "block" && !S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
                    throw Error(Category::file,
                                fmt::format("{}: not a block device or file", r.path));
            }
            return r;
        };
        c.show = [](const json& r, std::ostream& os) {
            print_lun_created(one_of<ctl::LunInfo>(r, "lun"), os, "created");
        };
    }
    {
        auto& c = add(cmds, app, "simulate",
                      "Set simulated conditions on an enclosure LUN (psu:N:fail, fan:N:RPM, "
                      "temp:N:CELSIUS, volt:N:VOLTS, ...:ok, ok)");
        auto lun = std::make_shared<std::uint32_t>(0);
        auto conditions = std::make_shared<std::vector<std::string>>();
        c.app->add_option("lun", *lun, "Enclosure LUN number")->required();
        c.app->add_option("conditions", *conditions, "Conditions, applied in order")->required();
        c.build = [=]() -> ctl::Command { return ctl::LunSimulate{*lun, *conditions}; };
        c.show = print_simulated;
    }
    {
        auto& c = add(cmds, app, "remove", "Remove a LUN");
        auto lun = std::make_shared<std::uint32_t>(0);
        c.app->add_option("-l,--lun", *lun, "LUN number")->required();
        c.build = [=]() -> ctl::Command { return ctl::LunRemove{*lun}; };
        c.show = [=](const json&, std::ostream& os) {
            fmt::print(os, "LUN {} removed successfully\n", *lun);
        };
    }
    {
        auto& c = add(cmds, app, "modify", "Resize a LUN or change its options");
        auto lun = std::make_shared<std::uint32_t>(0);
        auto size = std::make_shared<std::string>();
        auto opts = std::make_shared<std::vector<std::string>>();
        c.app->add_option("-l,--lun", *lun, "LUN number")->required();
        auto force = std::make_shared<bool>(false);
        c.app->add_option("-s,--size", *size, "New size in bytes; suffixes k, m, g, t, p");
        c.app->add_flag("--force", *force, "Shrink even below data written to the LUN");
        c.app->add_option("-o,--option", *opts, "Option name=value")->allow_extra_args(false);
        c.build = [=]() -> ctl::Command {
            ctl::LunModify r;
            r.lun = *lun;
            r.force = *force;
            if (!size->empty()) r.size_bytes = camx::target_config::parse_size(*size);
            r.options = parse_options(*opts);
            if (!r.size_bytes && r.options.empty())
                throw Error(Category::usage, "modify needs -s SIZE or -o name=value");
            return r;
        };
        c.show = [](const json& r, std::ostream& os) {
            print_lun_created(one_of<ctl::LunInfo>(r, "lun"), os, "modified");
        };
    }
    {
        auto& c = add(cmds, app, "devlist", "List LUNs");
        auto verbose = std::make_shared<bool>(false);
        c.app->add_flag("-v,--verbose", *verbose, "Show every option of each LUN");
        c.build = []() -> ctl::Command { return ctl::LunList{}; };
        c.show = [=](const json& r, std::ostream& os) {
            ctladm::print_luns(os, list_of<ctl::LunInfo>(r, "luns"), *verbose);
        };
    }
    for (bool online : {true, false}) {
        auto& c = add(cmds, app, online ? "online" : "offline",
                      online ? "Bring LUNs online" : "Take LUNs offline (they answer BUSY)");
        auto lun = std::make_shared<std::uint32_t>(0);
        auto* lopt = c.app->add_option("-l,--lun", *lun, "LUN number (default: every LUN)");
        c.build = [=]() -> ctl::Command {
            std::optional<std::uint32_t> l;
            if (lopt->count()) l = *lun;
            if (online) return ctl::LunOnline{l};
            return ctl::LunOffline{l};
        };
        c.show = [=](const json& r, std::ostream& os) {
            for (auto l : list_of<std::uint32_t>(r, "luns"))
                fmt::print(os, "LUN {} {}\n", l, online ? "online" : "offline");
        };
    }
    {
        auto& c = add(cmds, app, "stats", "Per-LUN command counts, bytes and latency");
        auto lun = std::make_shared<std::uint32_t>(0);
        auto* lopt = c.app->add_option("-l,--lun", *lun, "Only this LUN");
        c.build = [=]() -> ctl::Command {
            ctl::Stats s;
            if (lopt->count()) s.lun = *lun;
            return s;
        };
        c.show = [](const json& r, std::ostream& os) {
            ctladm::print_stats(os, list_of<ctl::LunStats>(r, "luns"));
        };
    }
}

void register_ports(std::vector<std::unique_ptr<Command>>& cmds, CLI::App& app) {
    {
        auto& c = add(cmds, app, "portlist", "List ports");
        auto how = std::make_shared<ctladm::PortListing>();
        auto frontend = std::make_shared<std::string>();
        auto port = std::make_shared<std::string>();
        c.app->add_flag("-v,--verbose", how->verbose, "Everything about each port");
        c.app->add_flag("-i,--initiators", how->initiators, "Logged-in initiators");
        c.app->add_flag("-l,--lun-map", how->lun_maps, "LUN maps");
        c.app->add_option("-f,--frontend", *frontend, "Only ports of this frontend");
        c.app->add_option("-p,--port", *port, "Only this port (name or id)");
        c.build = []() -> ctl::Command { return ctl::PortList{}; };
        c.show = [=](const json& r, std::ostream& os) {
            auto ports = list_of<ctl::PortInfo>(r, "ports");
            std::erase_if(ports, [&](const ctl::PortInfo& p) {
                return (!frontend->empty() && p.frontend != *frontend) ||
                       (!port->empty() && p.name != *port && std::to_string(p.id) != *port);
            });
            ctladm::print_ports(os, ports, *how);
        };
    }
    {
        auto& c = add(cmds, app, "port", "Create, remove or switch a port on or off");
        auto action = std::make_shared<std::string>();
        auto create = std::make_shared<bool>(false);
        auto remove = std::make_shared<bool>(false);
        auto onoff = std::make_shared<std::string>();
        auto port = std::make_shared<std::string>();
        auto frontend = std::make_shared<std::string>("iscsi");
        auto target = std::make_shared<std::string>();
        auto listen = std::make_shared<std::string>();
        auto opts = std::make_shared<std::vector<std::string>>();
        c.app->add_option("action", *action, "create, remove, online or offline")
            ->check(camx::cli::one_of("action", {"create", "remove", "online", "offline"}));
        auto* copt = c.app->add_flag("-c,--create", *create, "Same as the action create");
        auto* ropt = c.app->add_flag("-r,--remove", *remove, "Same as the action remove");
        auto* oopt = c.app->add_option("-o,--online", *onoff, "on or off: port -p, or every port")
                         ->check(camx::cli::one_of("state", {"on", "off"}));
        copt->excludes(ropt)->excludes(oopt);
        ropt->excludes(oopt);
        c.app->add_option("-p,--port", *port,
                          "Port name or id; with create and remove the portal group");
        c.app->add_option("-l,--listen", *listen,
                          "Portal address HOST:PORT to add or remove (create, remove)");
        c.app->add_option("-d,--frontend", *frontend, "iscsi (with create)")
            ->check(camx::cli::one_of("frontend", {"iscsi", "local"}));
        c.app->add_option("-t,--target", *target,
                          "Target a new portal group serves (create; default: every target)");
        c.app->add_option("-O,--option", *opts, "Port option name=value (with create)")
            ->allow_extra_args(false);
        // The action word and the FreeBSD-style flags say the same thing.
        auto what = [=]() -> std::string {
            if (*create) return "create";
            if (*remove) return "remove";
            if (!onoff->empty()) return *onoff == "on" ? "online" : "offline";
            return *action;
        };
        c.build = [=]() -> ctl::Command {
            std::string w = what();
            if (!action->empty() && w != *action)
                throw Error(Category::usage, fmt::format("port {} contradicts its flags", *action));
            if (w == "create") {
                if (port->empty() || listen->empty())
                    throw Error(Category::usage,
                                "port create needs -p PORTAL-GROUP and -l HOST:PORT");
                return ctl::PortCreate{*frontend, *port, *target, parse_options(*opts), *listen};
            }
            if (w == "remove") {
                if (port->empty())
                    throw Error(Category::usage, "port remove needs -p PORTAL-GROUP");
                return ctl::PortRemove{*port, *listen};
            }
            if (w.empty())
                throw Error(Category::usage, "port needs one of create, remove, online or offline");
            std::optional<std::string> p;
            if (!port->empty()) p = *port;
            if (w == "online") return ctl::PortOnline{p};
            return ctl::PortOffline{p};
        };
        c.show = [=](const json& r, std::ostream& os) {
            std::string w = what();
            if (w == "create") {
                auto p = one_of<ctl::PortalInfo>(r, "portal");
                fmt::print(os, "Portal {} added to portal-group {} (tag {})\n", p.listen,
                           p.portal_group, p.portal_group_tag);
                for (const auto& q : p.ports)
                    fmt::print(os, "Port {} ({}) for target {}\n", q.id, q.name, q.target);
            } else if (w == "remove") {
                for (const auto& l : list_of<std::string>(r, "removed"))
                    fmt::print(os, "Portal {} removed from portal-group {}\n", l, *port);
            } else {
                for (const auto& p : list_of<std::string>(r, "ports"))
                    fmt::print(os, "Port {} {}\n", p, w);
            }
        };
    }
    {
        auto& c = add(cmds, app, "lunmap", "Map a port LUN to a LUN, or unmap it");
        auto port = std::make_shared<std::string>();
        auto plun = std::make_shared<std::uint64_t>(0);
        auto lun = std::make_shared<std::uint32_t>(0);
        c.app->add_option("-p,--port", *port, "Port name or id")->required();
        c.app->add_option("-l,--port-lun", *plun, "LUN number as the port's initiators see it")
            ->required();
        auto* Lopt = c.app->add_option("-L,--lun", *lun, "LUN to map (omit to unmap)");
        c.build = [=]() -> ctl::Command {
            ctl::LunMap m{*port, *plun, std::nullopt};
            if (Lopt->count()) m.lun = *lun;
            return m;
        };
        c.show = [=](const json&, std::ostream& os) {
            if (Lopt->count())
                fmt::print(os, "Port {} LUN {} mapped to LUN {}\n", *port, *plun, *lun);
            else
                fmt::print(os, "Port {} LUN {} unmapped\n", *port, *plun);
        };
    }
}

void register_sessions(std::vector<std::unique_ptr<Command>>& cmds, CLI::App& app) {
    {
        auto& c = add(cmds, app, "islist", "List iSCSI sessions");
        auto verbose = std::make_shared<bool>(false);
        c.app->add_flag("-v,--verbose", *verbose, "Negotiated parameters of each session");
        c.build = []() -> ctl::Command { return ctl::SessionList{}; };
        c.show = [=](const json& r, std::ostream& os) {
            ctladm::print_sessions(os, list_of<ctl::SessionInfo>(r, "sessions"), *verbose);
        };
    }
    {
        auto& c = add(cmds, app, "islogout", "Log out iSCSI sessions");
        auto all = std::make_shared<bool>(false);
        auto conn = std::make_shared<std::uint64_t>(0);
        auto name = std::make_shared<std::string>();
        auto addr = std::make_shared<std::string>();
        auto* a = c.app->add_flag("-a,--all", *all, "Every session");
        auto* copt = c.app->add_option("-c,--connection", *conn, "Session with this ID");
        auto* i = c.app->add_option("-i,--initiator-name", *name, "Sessions of this initiator");
        auto* p = c.app->add_option("-p,--initiator-portal", *addr, "Sessions from this address");
        a->excludes(copt)->excludes(i)->excludes(p);
        copt->excludes(i)->excludes(p);
        i->excludes(p);
        c.build = [=]() -> ctl::Command {
            ctl::SessionLogout s{*all, std::nullopt, *name, *addr};
            if (copt->count()) s.connection_id = *conn;
            if (!*all && !copt->count() && name->empty() && addr->empty())
                throw Error(Category::usage, "islogout needs one of -a, -c, -i or -p");
            return s;
        };
        c.show = [](const json& r, std::ostream& os) {
            fmt::print(os, "{} session(s) logged out\n", one_of<std::uint64_t>(r, "logged_out"));
        };
    }
    {
        auto& c = add(cmds, app, "reload", "Reread ctl.conf (as SIGHUP does)");
        c.build = []() -> ctl::Command { return ctl::Reload{}; };
        c.show = [](const json&, std::ostream& os) { fmt::print(os, "configuration reloaded\n"); };
    }
}

int report(const Error& e, bool as_json) {
    if (as_json) {
        json doc{{"version", 1},
                 {"error",
                  {{"category", camx::category_name(e.category())},
                   {"message", e.what()},
                   {"exit_code", e.exit_code()}}}};
        std::cout << doc.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    } else {
        std::cerr << "ctladm: " << e.what() << '\n';
    }
    return e.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ctladm: manage ctld's LUNs, ports and iSCSI sessions"};
    camx::cli::configure(app, "ctladm");
    app.require_subcommand(1);
    app.fallthrough();  // --socket and --timeout may follow the command too
    std::string socket = std::string(ctl::kDefaultSocket);
    if (const char* env = std::getenv("CTLD_SOCKET"); env && *env) socket = env;
    int timeout_s = 60;
    app.add_option("--socket", socket, "ctld's control socket (env CTLD_SOCKET)")
        ->capture_default_str();
    app.add_option("--timeout", timeout_s, "Seconds to wait for ctld's answer")
        ->capture_default_str()
        ->check(CLI::Range(1, 86400));

    std::vector<std::unique_ptr<Command>> cmds;
    register_luns(cmds, app);
    register_ports(cmds, app);
    register_sessions(cmds, app);

    const bool json_asked = camx::cli::wants_json(argc, argv);
    if (auto rc = camx::cli::parse(app, argc, argv,
                                   [=](const Error& e) { return report(e, json_asked); }))
        return *rc;
    for (auto& cmd : cmds) {
        if (!cmd->app->parsed()) continue;
        try {
            ctl::Command request = cmd->build();
            ctl::ControlClient client(socket, timeout_s * 1000);
            json result = client.call(request);
            if (cmd->as_json) {
                json doc{{"version", 1}};
                doc.update(result);
                std::cout << doc.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
            } else {
                cmd->show(result, std::cout);
            }
            return 0;
        } catch (const Error& e) {
            return report(e, cmd->as_json);
        } catch (const std::exception& e) {
            return report(Error(Category::other, e.what()), cmd->as_json);
        }
    }
    return camx::exit_code(Category::usage);
}
