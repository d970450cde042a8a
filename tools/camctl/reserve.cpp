// persist, rtpg, stpg: persistent reservations and ALUA target port groups.
#include <fmt/format.h>

#include "camx/scsi/alua.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/persist.hpp"
#include "cli.hpp"

namespace camctl {
namespace {

namespace scsi = camx::scsi;
namespace cdb = camx::scsi::cdb;
using camx::Bytes;
using camx::device::Device;

template <class E>
struct Named {
    const char* name;
    E value;
};

constexpr Named<scsi::PrInAction> kInActions[] = {
    {"keys", scsi::PrInAction::read_keys},
    {"reservation", scsi::PrInAction::read_reservation},
    {"capabilities", scsi::PrInAction::report_capabilities},
    {"full", scsi::PrInAction::read_full_status},
};

constexpr Named<scsi::PrOutAction> kOutActions[] = {
    {"register", scsi::PrOutAction::register_key},
    {"register-ignore", scsi::PrOutAction::register_and_ignore_existing_key},
    {"reserve", scsi::PrOutAction::reserve},
    {"release", scsi::PrOutAction::release},
    {"clear", scsi::PrOutAction::clear},
    {"preempt", scsi::PrOutAction::preempt},
    {"preempt-abort", scsi::PrOutAction::preempt_and_abort},
    {"register-move", scsi::PrOutAction::register_and_move},
};

// camcontrol's names for the reservation types, and the numbers.
constexpr Named<scsi::PrType> kTypes[] = {
    {"wr_ex", scsi::PrType::write_exclusive},
    {"ex_ac", scsi::PrType::exclusive_access},
    {"wr_ex_ro", scsi::PrType::write_exclusive_registrants_only},
    {"ex_ac_ro", scsi::PrType::exclusive_access_registrants_only},
    {"wr_ex_ar", scsi::PrType::write_exclusive_all_registrants},
    {"ex_ac_ar", scsi::PrType::exclusive_access_all_registrants},
};

template <class E, std::size_t N>
E lookup(const Named<E> (&table)[N], const std::string& s, const char* what) {
    std::string names;
    for (const auto& n : table) {
        if (s == n.name) return n.value;
        names += names.empty() ? n.name : std::string(", ") + n.name;
    }
    throw camx::Error(camx::Category::usage, fmt::format("bad {} '{}' ({})", what, s, names));
}

std::uint64_t parse_key(const std::string& s) {
    std::size_t used = 0;
    std::uint64_t v = 0;
    try {
        v = std::stoull(s, &used, 0);
    } catch (const std::exception&) {
        used = 0;
    }
    if (s.empty() || used != s.size()) {
        throw camx::Error(camx::Category::usage, fmt::format("bad reservation key '{}'", s));
    }
    return v;
}

struct PersistOpts {
    std::string in;
    std::string out;
    std::string key = "0";
    std::string sa_key = "0";
    std::string type;
    bool aptpl = false;
    bool all_tg_pt = false;
    bool unreg = false;
    unsigned relative_port = 0;
    std::string transport_id;  // iSCSI name for register-move
};

void persist_in(Output& out, const Common& c, scsi::PrInAction action) {
    auto sa = static_cast<std::uint8_t>(action);
    Bytes data = response(c, [&](Device& d) {
        auto ask = [&](std::uint16_t len) {
            return d.data_in(cdb::PersistentReserveIn{.service_action = sa, .allocation_length = len}.encode(), len);
        };
        Bytes b = ask(8192);
        // READ KEYS/RESERVATION/FULL STATUS give their length at byte 4; capabilities is fixed.
        if (action != scsi::PrInAction::report_capabilities && b.size() >= 8 &&
            camx::bytes::be32(b, 4) + 8u > b.size() && b.size() == 8192) {
            b = ask(static_cast<std::uint16_t>(std::min(camx::bytes::be32(b, 4) + 8u, 0xffffu)));
        }
        return b;
    });
    if (print_bytes(out, c, data)) return;
    nlohmann::json j;
    switch (action) {
        case scsi::PrInAction::read_keys: j = scsi::PrKeys::decode(data); break;
        case scsi::PrInAction::read_reservation: j = scsi::PrReservation::decode(data); break;
        case scsi::PrInAction::report_capabilities: j = scsi::PrCapabilities::decode(data); break;
        case scsi::PrInAction::read_full_status: j = scsi::PrFullStatus::decode(data); break;
    }
    if (out.json()) {
        out.doc()["persist"] = j;
        return;
    }
    out.text() << scsi::pr_in_action_name(sa) << ":\n";
    print_fields(out.text(), j, c.verbose, 2);
}

void persist_out(Output& out, const Common& c, const PersistOpts& o, scsi::PrOutAction action) {
    std::uint8_t type = 0;
    if (!o.type.empty()) {
        if (std::isdigit(static_cast<unsigned char>(o.type[0])) != 0) {
            type = static_cast<std::uint8_t>(parse_number(o.type, 0xf, "reservation type"));
        } else {
            type = static_cast<std::uint8_t>(lookup(kTypes, o.type, "reservation type"));
        }
    }
    bool needs_type = action == scsi::PrOutAction::reserve || action == scsi::PrOutAction::release ||
                      action == scsi::PrOutAction::preempt || action == scsi::PrOutAction::preempt_and_abort ||
                      action == scsi::PrOutAction::register_and_move;
    if (needs_type && o.type.empty()) {
        throw camx::Error(camx::Category::usage, "this action needs -T type (wr_ex, ex_ac, ...)");
    }
    Bytes params;
    if (action == scsi::PrOutAction::register_and_move) {
        if (o.transport_id.empty()) {
            throw camx::Error(camx::Category::usage, "register-move needs -I <iSCSI initiator name>");
        }
        scsi::PrRegisterAndMove m;
        m.key = parse_key(o.key);
        m.service_action_key = parse_key(o.sa_key);
        m.unreg = o.unreg;
        m.aptpl = o.aptpl;
        m.relative_target_port = static_cast<std::uint16_t>(o.relative_port);
        m.transport_id.protocol = scsi::TransportId::iscsi;
        m.transport_id.iscsi_name = o.transport_id;
        params = m.encode();
    } else {
        scsi::PrOutParameters p;
        p.key = parse_key(o.key);
        p.service_action_key = parse_key(o.sa_key);
        p.aptpl = o.aptpl;
        p.all_tg_pt = o.all_tg_pt;
        params = p.encode();
    }
    auto dev = open_device(c);
    auto sa = static_cast<std::uint8_t>(action);
    dev.data_out(cdb::PersistentReserveOut{.service_action = sa, .scope = 0, .type = type,
                                           .parameter_list_length = static_cast<std::uint32_t>(params.size())}
                     .encode(),
                 params);
    if (out.json()) {
        out.doc()["persist_out"] = {{"service_action", sa},
                                    {"service_action_name", scsi::pr_out_action_name(sa)},
                                    {"type", type},
                                    {"done", true}};
    } else {
        out.text() << dev.path() << ": " << scsi::pr_out_action_name(sa) << " done\n";
    }
}

void run_persist(Output& out, const Common& c, const PersistOpts& o) {
    if (o.in.empty() == o.out.empty()) {
        throw camx::Error(camx::Category::usage, "give exactly one of -i ACTION or -o ACTION");
    }
    if (!o.in.empty()) {
        persist_in(out, c, lookup(kInActions, o.in, "PERSISTENT RESERVE IN action"));
    } else {
        if (!c.inhex.empty()) throw camx::Error(camx::Category::usage, "-o needs a device, not --inhex");
        persist_out(out, c, o, lookup(kOutActions, o.out, "PERSISTENT RESERVE OUT action"));
    }
}

void run_rtpg(Output& out, const Common& c, bool extended) {
    Bytes data = response(c, [&](Device& d) {
        auto ask = [&](std::uint32_t len) {
            return d.data_in(cdb::ReportTargetPortGroups{.extended = extended, .allocation_length = len}.encode(), len);
        };
        Bytes b = ask(4096);
        if (b.size() >= 4 && camx::bytes::be32(b, 0) + 4u > b.size() && b.size() == 4096) {
            b = ask(camx::bytes::be32(b, 0) + 4u);
        }
        return b;
    });
    if (print_bytes(out, c, data)) return;
    auto tpgs = scsi::TargetPortGroups::decode(data);
    if (out.json()) {
        out.doc()["target_port_groups"] = tpgs;
        return;
    }
    for (const auto& g : tpgs.groups) {
        std::string ports;
        for (auto p : g.relative_target_ports) ports += fmt::format(" {}", p);
        out.text() << fmt::format("group {:<5} {:<22}{} ports:{}\n", g.group,
                                  scsi::access_state_name(g.state), g.pref ? " (preferred)" : "", ports);
        if (c.verbose > 0) print_fields(out.text(), nlohmann::json(g), c.verbose, 2);
    }
    for (const auto& w : tpgs.warnings) out.text() << "warning: " << w << '\n';
}

constexpr Named<scsi::AccessState> kStates[] = {
    {"active-optimized", scsi::AccessState::active_optimized},
    {"active-nonoptimized", scsi::AccessState::active_non_optimized},
    {"standby", scsi::AccessState::standby},
    {"unavailable", scsi::AccessState::unavailable},
    {"offline", scsi::AccessState::offline},
};

void run_stpg(Output& out, const Common& c, unsigned group, const std::string& state) {
    scsi::SetTargetPortGroups s;
    s.entries.push_back({static_cast<std::uint8_t>(lookup(kStates, state, "access state")),
                         static_cast<std::uint16_t>(group)});
    Bytes params = s.encode();
    auto dev = open_device(c);
    dev.data_out(cdb::SetTargetPortGroups{.parameter_list_length = static_cast<std::uint32_t>(params.size())}.encode(),
                 params);
    if (out.json()) {
        out.doc()["set_target_port_groups"] = s;
    } else {
        out.text() << fmt::format("{}: group {} set to {}\n", dev.path(), group, state);
    }
}

}  // namespace

void register_reserve(Registry& r, CLI::App& app) {
    {
        auto& cmd = add_command(r, app, "persist", "Persistent reservations (PERSISTENT RESERVE IN/OUT)");
        auto o = std::make_shared<PersistOpts>();
        add_common(*cmd.app, cmd.common, true, true);
        cmd.app->add_option("-i,--in", o->in, "keys, reservation, capabilities, full");
        cmd.app->add_option("-o,--out", o->out,
                            "register, register-ignore, reserve, release, clear, preempt, preempt-abort, register-move");
        cmd.app->add_option("-k,--key", o->key, "Reservation key (our registered key)");
        cmd.app->add_option("-K,--sa-key", o->sa_key, "Service action key (new key, or the key to preempt)");
        cmd.app->add_option("-T,--type", o->type, "wr_ex, ex_ac, wr_ex_ro, ex_ac_ro, wr_ex_ar, ex_ac_ar, or a number");
        cmd.app->add_flag("-p,--aptpl", o->aptpl, "Persist through power loss");
        cmd.app->add_flag("-a,--all-tg-pt", o->all_tg_pt, "Register on all target ports");
        cmd.app->add_option("-I,--transport-id", o->transport_id, "register-move: the iSCSI initiator name to move to");
        cmd.app->add_option("-R,--relative-port", o->relative_port, "register-move: relative target port");
        cmd.app->add_flag("-U,--unreg", o->unreg, "register-move: unregister ourselves");
        cmd.run = [&c = cmd.common, o](Output& out) { run_persist(out, c, *o); };
    }
    {
        auto& cmd = add_command(r, app, "rtpg", "REPORT TARGET PORT GROUPS (ALUA states)");
        auto ext = std::make_shared<bool>(false);
        add_common(*cmd.app, cmd.common, true, true);
        cmd.app->add_flag("-e,--extended", *ext, "Ask for the extended header");
        cmd.run = [&c = cmd.common, ext](Output& out) { run_rtpg(out, c, *ext); };
    }
    {
        auto& cmd = add_command(r, app, "stpg", "SET TARGET PORT GROUPS");
        auto group = std::make_shared<unsigned>(0);
        auto state = std::make_shared<std::string>();
        add_common(*cmd.app, cmd.common, true, false);
        cmd.app->add_option("-g,--group", *group, "Target port group id")->required()->check(CLI::Range(0u, 0xffffu));
        cmd.app->add_option("-s,--state", *state,
                            "active-optimized, active-nonoptimized, standby, unavailable, offline")
            ->required();
        cmd.run = [&c = cmd.common, group, state](Output& out) { run_stpg(out, c, *group, *state); };
    }
}

}  // namespace camctl
