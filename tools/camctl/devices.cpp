// SPDX-License-Identifier: BSD-2-Clause
// devlist, rescan, delete, reset, watch: the devices Linux knows and their life cycle.
#include <fmt/format.h>

#include <csignal>
#include <iostream>

#include "camx/topology/actions.hpp"
#include "camx/topology/json_text.hpp"
#include "camx/topology/resolve.hpp"
#include "camx/topology/topology.hpp"
#include "camx/topology/watch.hpp"
#include "cli.hpp"

namespace camctl {
namespace {

namespace topo = camx::topology;

std::string type_short(int pdt) {
    switch (pdt) {
        case 0x00:
            return "disk";
        case 0x01:
            return "tape";
        case 0x03:
            return "process";
        case 0x05:
            return "cd/dvd";
        case 0x07:
            return "optical";
        case 0x08:
            return "changer";
        case 0x0c:
            return "storage";
        case 0x0d:
            return "enclosu";
        case 0x0e:
            return "rbc";
        case 0x14:
            return "zbc";
        case 0x1e:
            return "wlun";
        case 0x1f:
            return "no dev";
        default:
            return fmt::format("type{:#x}", pdt);
    }
}

// lsscsi -g's last two columns: the primary node (disk, cd, tape or changer), then the sg node.
std::string nodes_text(const topo::Nodes& n) {
    std::string primary = "-";
    for (const auto* node : {&n.sd, &n.sr, &n.st, &n.ch}) {
        if (!node->empty()) {
            primary = *node;
            break;
        }
    }
    return fmt::format("{:<10} {}", primary, n.sg.empty() ? "-" : n.sg);
}

std::string transport_text(const topo::TransportId& t) {
    if (!t.sas_address.empty()) return "sas:" + t.sas_address;
    if (!t.target_name.empty()) return "iscsi:" + t.target_name;
    if (!t.port_name.empty()) return "fc:" + t.port_name;
    return std::string(topo::transport_type_name(t.type));
}

void run_devlist(Output& out, const Common& c) {
    // A plain listing shows neither state nor wwid: not reading them saves two sysfs reads
    // per device.
    auto t = topo::scan(
        topo::ScanOptions{.details = c.verbose > 0, .status = c.verbose > 0 || out.json()});
    if (out.json()) {
        // Written directly: with thousands of devices, building the document as nlohmann
        // objects first costs more than the scan.
        out.streaming();
        std::cout << topo::devlist_json(t);
        return;
    }
    std::string text;
    for (const auto& h : t.hosts) {
        text += fmt::format("scsi{}: {} ({})\n", h.host, h.proc_name,
                            topo::transport_type_name(h.transport));
    }
    for (const auto& d : t.devices) {
        text += fmt::format("{:<13} {:<8} {:<8} {:<16} {:<4}  {}", "[" + d.hctl.str() + "]",
                            type_short(d.peripheral_device_type), d.vendor, d.model, d.revision,
                            nodes_text(d.nodes));
        if (c.verbose > 0) {
            text += fmt::format("  {}", d.wwid.empty() ? "-" : d.wwid);
            if (d.transport) text += "  " + transport_text(*d.transport);
            if (d.state != "running") text += "  [" + d.state + "]";
        }
        text += '\n';
    }
    out.text() << text;
    // An empty listing would look like a tool that did nothing.
    if (t.devices.empty())
        std::cerr << fmt::format("camctl: no SCSI devices under {}/bus/scsi/devices\n",
                                 topo::Sysfs::system().root());
}

// The H:C:T:L behind any device name.
topo::Hctl hctl_of(const std::string& name) {
    auto r = topo::resolve(name);
    if (!r.device) {
        throw camx::Error(camx::Category::no_device,
                          fmt::format("'{}' is not a SCSI device sysfs knows", name));
    }
    return r.device->hctl;
}

void run_rescan(Output& out, const std::string& what) {
    nlohmann::json done = nlohmann::json::array();
    auto host_number = [](const std::string& s) -> std::optional<std::uint32_t> {
        std::string digits = s.rfind("host", 0) == 0 ? s.substr(4) : s;
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
            return std::nullopt;
        return static_cast<std::uint32_t>(std::stoul(digits));
    };
    if (what == "all") {
        for (const auto& h : topo::scan(topo::ScanOptions{.details = true}).hosts) {
            topo::rescan_host(h.host);
            done.push_back(fmt::format("host{}", h.host));
        }
    } else if (auto host = host_number(what)) {
        topo::rescan_host(*host);
        done.push_back(fmt::format("host{}", *host));
    } else {
        auto hctl = hctl_of(what);
        topo::rescan_device(hctl);
        done.push_back(hctl.str());
    }
    if (out.json()) {
        out.doc()["rescanned"] = done;
    } else {
        for (const auto& d : done) out.text() << "rescanned " << d.get<std::string>() << '\n';
    }
}

void run_delete(Output& out, const std::string& name) {
    auto hctl = hctl_of(name);
    topo::delete_device(hctl);
    if (out.json()) {
        out.doc()["deleted"] = hctl.str();
    } else {
        out.text() << "deleted " << hctl.str() << '\n';
    }
}

topo::ResetLevel parse_level(const std::string& s) {
    for (auto l : {topo::ResetLevel::device, topo::ResetLevel::target, topo::ResetLevel::bus,
                   topo::ResetLevel::host}) {
        if (s == topo::reset_level_name(l)) return l;
    }
    throw camx::Error(camx::Category::usage,
                      fmt::format("bad reset level '{}' (device, target, bus, host)", s));
}

void run_reset(Output& out, const std::string& name, const std::string& level) {
    auto r = topo::resolve(name);
    auto l = parse_level(level);
    topo::reset(r.path, l);
    if (out.json()) {
        out.doc()["reset"] = {{"device", r.path}, {"level", topo::reset_level_name(l)}};
    } else {
        out.text() << fmt::format("{}: {} reset done\n", r.path, topo::reset_level_name(l));
    }
}

volatile std::sig_atomic_t g_interrupted = 0;

void run_watch(const Common& c, double seconds) {
    std::signal(SIGINT, [](int) { g_interrupted = 1; });
    std::signal(SIGTERM, [](int) { g_interrupted = 1; });
    topo::Watch w;
    auto end = seconds > 0 ? std::chrono::steady_clock::now() +
                                 std::chrono::milliseconds(static_cast<long>(seconds * 1000))
                           : std::chrono::steady_clock::time_point::max();
    while (g_interrupted == 0 && std::chrono::steady_clock::now() < end) {
        auto ev = w.next(std::chrono::milliseconds(200));
        if (!ev) continue;
        if (c.json) {
            nlohmann::json j{{"version", 1}, {"event", *ev}};
            std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                      << std::endl;
        } else {
            std::cout << fmt::format("{:<7} {:<13} {:<12} {:<12} {}", ev->action,
                                     ev->hctl ? ev->hctl->str() : "-", ev->subsystem,
                                     ev->devtype.empty() ? "-" : ev->devtype,
                                     ev->devnode.empty() ? ev->sysname : ev->devnode)
                      << std::endl;
        }
    }
}

}  // namespace

void register_devices(Registry& r, CLI::App& app) {
    {
        auto& cmd =
            add_command(r, app, "devlist", "List SCSI devices (-v: hosts, WWNs, transport)");
        add_common(*cmd.app, cmd.common, false, false);
        cmd.run = [&c = cmd.common](Output& out) { run_devlist(out, c); };
    }
    {
        auto& cmd = add_command(r, app, "rescan", "Rescan a host, a device, or all hosts");
        add_common(*cmd.app, cmd.common, false, false);
        auto what = std::make_shared<std::string>();
        cmd.app->add_option("what", *what, "all, hostN, N, or a device name")->required();
        cmd.run = [what](Output& out) { run_rescan(out, *what); };
    }
    {
        auto& cmd = add_command(r, app, "delete", "Remove a device from Linux (sysfs delete)");
        add_common(*cmd.app, cmd.common, false, false);
        auto dev = std::make_shared<std::string>();
        cmd.app->add_option("device", *dev, "Device name")->required();
        cmd.run = [dev](Output& out) { run_delete(out, *dev); };
    }
    {
        auto& cmd = add_command(r, app, "reset", "Reset a device, its target, bus or host");
        add_common(*cmd.app, cmd.common, false, false);
        auto dev = std::make_shared<std::string>();
        auto level = std::make_shared<std::string>("device");
        cmd.app->add_option("device", *dev, "Device name")->required();
        cmd.app->add_option("-l,--level", *level, "device (default), target, bus or host");
        cmd.run = [dev, level](Output& out) { run_reset(out, *dev, *level); };
    }
    {
        auto& cmd = add_command(r, app, "watch", "Print device add/remove events as they happen");
        add_common(*cmd.app, cmd.common, false, false);
        auto seconds = std::make_shared<double>(0);
        cmd.app->add_option("--timeout", *seconds, "Stop after this many seconds (default: never)");
        cmd.run = [&c = cmd.common, seconds](Output& out) {
            out.streaming();
            run_watch(c, *seconds);
        };
    }
}

}  // namespace camctl
