// SPDX-License-Identifier: BSD-2-Clause
#include "render.hpp"

#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "camx/scsi/persist.hpp"

namespace ctladm {

namespace {
void print_enclosure_elements(std::ostream& os, const ctl::EnclosureInfo& e) {
    fmt::print(os, "      slots={}\n", e.slots);
    fmt::print(os, "      psus={}\n", e.power_supplies);
    fmt::print(os, "      fans={}\n", e.fans);
    fmt::print(os, "      temps={}\n", e.temperature_sensors);
    fmt::print(os, "      volts={}\n", e.voltage_sensors);
    std::string luns;
    for (std::size_t i = 0; i < e.slot_luns.size(); ++i)
        luns += (i ? "," : "") + (e.slot_luns[i] ? std::to_string(*e.slot_luns[i]) : "-");
    fmt::print(os, "      slot-luns={}\n", luns);
    fmt::print(os, "      generation={}\n", e.generation_code);
}

// camctl persist's -T names.
std::string pr_type_short(std::uint8_t type) {
    const std::string_view name = camx::scsi::pr_type_short_name(type);
    return name.empty() ? fmt::format("type {}", type) : std::string(name);
}

// One line: "pr: gen 3, 2 keys, reserved by 0xabc wr_ex" (or "not reserved"), "aptpl".
void print_pr(std::ostream& os, const ctl::PrInfo& pr) {
    std::string line =
        fmt::format("      pr: gen {}, {} key{}", pr.generation, pr.registrations.size(),
                    pr.registrations.size() == 1 ? "" : "s");
    if (pr.reservation)
        line += fmt::format(", reserved by {:#x} {}", pr.reservation->key,
                            pr_type_short(pr.reservation->type));
    else
        line += ", not reserved";
    if (pr.aptpl) line += ", aptpl";
    fmt::print(os, "{}\n", line);
    for (const auto& r : pr.registrations)
        fmt::print(os, "        key {:#x} {}{}{} port {}{}\n", r.key, r.initiator,
                   r.isid.empty() ? "" : ",i,0x", r.isid, r.relative_target_port,
                   r.all_tg_pt ? " all_tg_pt" : "");
}

// Each option once, by the name -o takes; readonly is the LUN's state line above.
void print_options(std::ostream& os, const ctl::LunOptionsInfo& o) {
    fmt::print(os, "      vendor={}\n", o.vendor);
    fmt::print(os, "      product={}\n", o.product);
    fmt::print(os, "      revision={}\n", o.revision);
    if (o.pblocksize) fmt::print(os, "      pblocksize={}\n", *o.pblocksize);
    auto flag = [&](const char* name, const std::optional<bool>& v) {
        if (v) fmt::print(os, "      {}={}\n", name, *v ? "on" : "off");
    };
    flag("removable", o.removable);
    flag("unmap", o.unmap);
    flag("writecache", o.writecache);
}

void print_identification(std::ostream& os, const ctl::LunInfo& l) {
    fmt::print(os, "      naa=0x{}\n", l.naa);
    if (!l.eui.empty()) fmt::print(os, "      eui=0x{}\n", l.eui);
    if (!l.uuid.empty()) fmt::print(os, "      uuid={}\n", l.uuid);
    if (!l.scsiname.empty()) fmt::print(os, "      scsiname={}\n", l.scsiname);
}
}  // namespace

void print_luns(std::ostream& os, const std::vector<ctl::LunInfo>& luns, bool verbose) {
    fmt::print(os, "{:>4} {:<8} {:>14} {:>6} {:<16} {}\n", "LUN", "Backend", "Size (Blocks)", "BS",
               "Serial Number", "Device ID");
    for (const auto& l : luns) {
        fmt::print(os, "{:>4} {:<8} {:>14} {:>6} {:<16} {}\n", l.lun, l.backend, l.blocks,
                   l.blocksize_bytes, l.serial, l.device_id);
        if (!verbose) continue;
        fmt::print(os, "      name={}\n", l.name);
        if (!l.path.empty()) fmt::print(os, "      file={}\n", l.path);
        fmt::print(os, "      size_bytes={}\n", l.size_bytes);
        fmt::print(os, "      device_type={}\n", l.device_type);
        fmt::print(os, "      online={}\n", l.online ? "yes" : "no");
        fmt::print(os, "      readonly={}\n", l.readonly ? "on" : "off");
        print_identification(os, l);
        print_options(os, l.options);
        print_pr(os, l.persistent_reservation);
        if (l.enclosure) print_enclosure_elements(os, *l.enclosure);
    }
}

void print_ports(std::ostream& os, const std::vector<ctl::PortInfo>& ports,
                 const PortListing& how) {
    fmt::print(os, "{:<4} {:<6} {:<8} {:<16} {}\n", "Port", "Online", "Frontend", "Name", "Target");
    for (const auto& p : ports) {
        fmt::print(os, "{:<4} {:<6} {:<8} {:<16} {}\n", p.id, p.online ? "YES" : "NO", p.frontend,
                   p.name, p.target);
        if (how.verbose) {
            fmt::print(os, "  portal_group={} portal_group_tag={}\n", p.portal_group,
                       p.portal_group_tag);
            for (const auto& l : p.portals) fmt::print(os, "  Portal: {}\n", l);
        }
        if (how.initiators || how.verbose) {
            for (const auto& i : p.initiators) fmt::print(os, "  Init: {}\n", i);
        }
        if (how.lun_maps || how.verbose) {
            for (const auto& m : p.lun_map) fmt::print(os, "  LUN {}: {}\n", m.port_lun, m.lun);
        }
    }
}

void print_sessions(std::ostream& os, const std::vector<ctl::SessionInfo>& sessions, bool verbose) {
    if (!verbose) {
        fmt::print(os, "{:<6} {:<20} {:<40} {}\n", "ID", "Portal", "Initiator name", "Target name");
        for (const auto& s : sessions)
            fmt::print(os, "{:<6} {:<20} {:<40} {}\n", s.connection_id, s.initiator_address,
                       s.initiator_name, s.target_name);
        return;
    }
    for (const auto& s : sessions) {
        fmt::print(os, "Session ID:       {}\n", s.connection_id);
        fmt::print(os, "Initiator name:   {}\n", s.initiator_name);
        fmt::print(os, "Initiator portal: {}\n", s.initiator_address);
        fmt::print(os, "Initiator alias:  {}\n", s.initiator_alias);
        fmt::print(os, "Target name:      {}\n", s.target_name);
        fmt::print(os, "Target portal:    {}\n", s.target_portal);
        fmt::print(os, "Port:             {}\n", s.port);
        fmt::print(os, "Session:          {:#x}\n", s.session_id);
        fmt::print(os, "Authentication:   {}\n", s.auth_method);
        fmt::print(os, "Header digest:    {}\n", s.header_digest);
        fmt::print(os, "Data digest:      {}\n", s.data_digest);
        fmt::print(os, "MaxRecvDataSegmentLength: {}\n", s.max_recv_data_segment_length_bytes);
        fmt::print(os, "MaxBurstLength:   {}\n", s.max_burst_length_bytes);
        fmt::print(os, "FirstBurstLength: {}\n", s.first_burst_length_bytes);
        fmt::print(os, "ImmediateData:    {}\n", s.immediate_data ? "Yes" : "No");
        fmt::print(os, "InitialR2T:       {}\n\n", s.initial_r2t ? "Yes" : "No");
    }
}

void print_stats(std::ostream& os, const std::vector<ctl::LunStats>& stats) {
    auto avg_us = [](std::uint64_t ns, std::uint64_t n) {
        return n == 0 ? 0.0 : static_cast<double>(ns) / static_cast<double>(n) / 1000.0;
    };
    fmt::print(os, "{:>4} {:>10} {:>10} {:>10} {:>14} {:>14} {:>9} {:>9} {:>9}\n", "LUN", "reads",
               "writes", "other", "read bytes", "write bytes", "read us", "write us", "other us");
    for (const auto& s : stats) {
        fmt::print(os, "{:>4} {:>10} {:>10} {:>10} {:>14} {:>14} {:>9.1f} {:>9.1f} {:>9.1f}\n",
                   s.lun, s.read_commands, s.write_commands, s.other_commands, s.read_bytes,
                   s.write_bytes, avg_us(s.read_time_ns, s.read_commands),
                   avg_us(s.write_time_ns, s.write_commands),
                   avg_us(s.other_time_ns, s.other_commands));
    }
}

}  // namespace ctladm
