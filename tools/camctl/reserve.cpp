// SPDX-License-Identifier: BSD-2-Clause
// persist, rtpg, stpg: persistent reservations and ALUA target port groups.
#include <fmt/format.h>

#include <functional>

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

// sg_persist's wording: keys in hex, one a line.
void print_keys(std::ostream& os, const scsi::PrKeys& k) {
    os << fmt::format("  PR generation={:#x}, ", k.generation);
    if (k.keys.empty()) {
        os << "there are NO registered reservation keys\n";
        return;
    }
    os << fmt::format("{} registered reservation key{} follow{}:\n", k.keys.size(),
                      k.keys.size() == 1 ? "" : "s", k.keys.size() == 1 ? "s" : "");
    for (auto key : k.keys) os << fmt::format("    {:#x}\n", key);
}

void print_reservation(std::ostream& os, const scsi::PrReservation& r) {
    os << fmt::format("  PR generation={:#x}, ", r.generation);
    if (!r.reservation) {
        os << "there is NO reservation held\n";
        return;
    }
    os << "Reservation follows:\n";
    os << fmt::format("    Key={:#x}\n", r.reservation->key);
    os << fmt::format("    scope: {},  type: {}\n", scsi::pr_scope_name(r.reservation->scope),
                      scsi::pr_type_name(r.reservation->type));
}

void print_full_status(std::ostream& os, const scsi::PrFullStatus& s, int verbose) {
    os << fmt::format("  PR generation={:#x}, ", s.generation);
    if (s.descriptors.empty()) {
        os << "there are NO registered reservation keys\n";
        return;
    }
    os << fmt::format("{} registration{}:\n", s.descriptors.size(),
                      s.descriptors.size() == 1 ? "" : "s");
    for (const auto& d : s.descriptors) {
        os << fmt::format("    Key={:#x}\n", d.key);
        os << fmt::format("      All target ports bit={}, Relative port address={:#x}\n",
                          d.all_tg_pt ? 1 : 0, d.relative_target_port);
        if (d.r_holder) {
            os << fmt::format("      << Reservation holder >>  scope: {},  type: {}\n",
                              scsi::pr_scope_name(d.scope), scsi::pr_type_name(d.type));
        } else {
            os << "      not reservation holder\n";
        }
        nlohmann::json tid = d.transport_id;
        os << "      Transport Id of initiator:\n";
        print_fields(os, tid, verbose, 8);
    }
}

void persist_in(Output& out, const Common& c, scsi::PrInAction action) {
    auto sa = static_cast<std::uint8_t>(action);
    Bytes data = response(out, c, [&](Device& d) {
        auto ask = [&](std::size_t len) {
            return d.data_in(
                cdb::PersistentReserveIn{.service_action = sa,
                                         .allocation_length = static_cast<std::uint16_t>(len)}
                    .encode(),
                len);
        };
        // REPORT CAPABILITIES has a length of its own at byte 0; the others at byte 4.
        if (action == scsi::PrInAction::report_capabilities)
            return ask_full(8, 0xffff, {0, 2, 0}, ask);
        return ask_full(8192, 0xffff, {4, 4, 8}, ask);
    });
    if (print_bytes(out, c, data)) return;
    // Decoded once; the text renderers take the model, JSON its mapping.
    nlohmann::json j;
    std::function<void(std::ostream&)> text;
    switch (action) {
        case scsi::PrInAction::read_keys: {
            auto k = scsi::PrKeys::decode(data);
            j = k;
            text = [k](std::ostream& os) { print_keys(os, k); };
            break;
        }
        case scsi::PrInAction::read_reservation: {
            auto r = scsi::PrReservation::decode(data);
            j = r;
            text = [r](std::ostream& os) { print_reservation(os, r); };
            break;
        }
        case scsi::PrInAction::read_full_status: {
            auto f = scsi::PrFullStatus::decode(data);
            j = f;
            text = [f, v = c.verbose](std::ostream& os) { print_full_status(os, f, v); };
            break;
        }
        case scsi::PrInAction::report_capabilities: {
            j = scsi::PrCapabilities::decode(data);
            text = [&j, &c, sa](std::ostream& os) {
                os << scsi::pr_in_action_name(sa) << ":\n";
                nlohmann::json body = j;
                body.erase("warnings");
                print_fields(os, body, c.verbose, 2);
            };
            break;
        }
    }
    if (out.json()) {
        out.doc()["persist"] = j;
        return;
    }
    text(out.text());
    for (const auto& w : j.value("warnings", nlohmann::json::array())) {
        out.text() << "warning: " << w.get<std::string>() << '\n';
    }
}

std::uint8_t parse_type(const std::string& s) {
    if (s.empty()) return 0;
    if (std::isdigit(static_cast<unsigned char>(s[0])) != 0) {
        return static_cast<std::uint8_t>(parse_number(s, 0xf, "reservation type"));
    }
    std::string names;
    for (std::uint8_t t = 1; t <= 8; ++t) {
        const std::string_view name = scsi::pr_type_short_name(t);
        if (name.empty()) continue;
        if (s == name) return t;
        names += names.empty() ? std::string(name) : fmt::format(", {}", name);
    }
    throw camx::Error(camx::Category::usage,
                      fmt::format("bad reservation type '{}' ({})", s, names));
}

bool needs_type(scsi::PrOutAction a) {
    return a == scsi::PrOutAction::reserve || a == scsi::PrOutAction::release ||
           a == scsi::PrOutAction::preempt || a == scsi::PrOutAction::preempt_and_abort ||
           a == scsi::PrOutAction::register_and_move;
}

bool registers(scsi::PrOutAction a) {
    return a == scsi::PrOutAction::register_key ||
           a == scsi::PrOutAction::register_and_ignore_existing_key;
}

// "register-ignore,reserve" -> the actions in order; all checked before anything is sent.
std::vector<scsi::PrOutAction> parse_out_actions(const PersistOpts& o) {
    std::vector<scsi::PrOutAction> actions;
    std::size_t from = 0;
    while (from <= o.out.size()) {
        auto comma = o.out.find(',', from);
        auto name =
            o.out.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        auto a = lookup(kOutActions, name, "PERSISTENT RESERVE OUT action");
        if (needs_type(a) && o.type.empty()) {
            throw camx::Error(camx::Category::usage,
                              fmt::format("{} needs -T TYPE (wr_ex, ex_ac, ...)", name));
        }
        if (a == scsi::PrOutAction::register_and_move && o.transport_id.empty()) {
            throw camx::Error(camx::Category::usage,
                              "register-move needs -I <iSCSI initiator name>");
        }
        actions.push_back(a);
        if (comma == std::string::npos) break;
        from = comma + 1;
    }
    return actions;
}

Bytes out_parameters(const PersistOpts& o, scsi::PrOutAction action, std::uint64_t key) {
    if (action == scsi::PrOutAction::register_and_move) {
        scsi::PrRegisterAndMove m;
        m.key = key;
        m.service_action_key = parse_key(o.sa_key);
        m.unreg = o.unreg;
        m.aptpl = o.aptpl;
        m.relative_target_port = static_cast<std::uint16_t>(o.relative_port);
        m.transport_id.protocol = scsi::TransportId::iscsi;
        m.transport_id.iscsi_name = o.transport_id;
        return m.encode();
    }
    scsi::PrOutParameters p;
    p.key = key;
    p.service_action_key = parse_key(o.sa_key);
    p.aptpl = o.aptpl;
    p.all_tg_pt = o.all_tg_pt;
    return p.encode();
}

// Several actions run in order over one open device: over iscsi:// each camctl run is its own
// session, and targets that tie a registration to the session (tgt) only let the session
// that registered reserve, release or clear. After a register action the registered key is
// ours for the actions that follow.
void persist_out(Output& out, const Common& c, const PersistOpts& o) {
    auto actions = parse_out_actions(o);
    std::uint8_t type = parse_type(o.type);
    std::uint64_t key = parse_key(o.key);
    parse_key(o.sa_key);
    auto dev = open_device(out, c);
    nlohmann::json steps = nlohmann::json::array();
    std::string done;
    for (auto action : actions) {
        auto sa = static_cast<std::uint8_t>(action);
        Bytes params = out_parameters(o, action, key);
        try {
            dev.data_out(cdb::PersistentReserveOut{.service_action = sa,
                                                   .scope = 0,
                                                   .type = type,
                                                   .parameter_list_length =
                                                       static_cast<std::uint32_t>(params.size())}
                             .encode(),
                         params);
        } catch (const camx::Error& e) {
            if (done.empty()) throw;
            throw camx::Error(e.category(), fmt::format("{} (after {})", e.what(), done),
                              e.scsi_status(), e.sense());
        }
        if (registers(action)) key = parse_key(o.sa_key);
        done += done.empty() ? "" : ", ";
        done += scsi::pr_out_action_name(sa);
        steps.push_back({{"service_action", sa},
                         {"service_action_name", scsi::pr_out_action_name(sa)},
                         {"type", needs_type(action) ? type : 0},
                         {"done", true}});
        out.text() << dev.path() << ": " << scsi::pr_out_action_name(sa) << " done\n";
    }
    out.doc()["persist_out"] = steps;
}

void run_persist(Output& out, const Common& c, const PersistOpts& o) {
    if (o.in.empty() == o.out.empty()) {
        throw camx::Error(camx::Category::usage,
                          "give exactly one of -i ACTION or -o ACTION[,ACTION...]");
    }
    if (!o.in.empty()) {
        persist_in(out, c, lookup(kInActions, o.in, "PERSISTENT RESERVE IN action"));
    } else {
        if (!c.inhex.empty())
            throw camx::Error(camx::Category::usage, "-o needs a device, not --inhex");
        persist_out(out, c, o);
    }
}

void run_rtpg(Output& out, const Common& c, bool extended) {
    Bytes data = response(out, c, [&](Device& d) {
        return ask_full(4096, 1u << 24, {0, 4, 4}, [&](std::size_t len) {
            return d.data_in(
                cdb::ReportTargetPortGroups{.extended = extended,
                                            .allocation_length = static_cast<std::uint32_t>(len)}
                    .encode(),
                len);
        });
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
                                  scsi::access_state_name(g.state), g.pref ? " (preferred)" : "",
                                  ports);
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
    auto dev = open_device(out, c);
    dev.data_out(
        cdb::SetTargetPortGroups{.parameter_list_length = static_cast<std::uint32_t>(params.size())}
            .encode(),
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
        auto& cmd =
            add_command(r, app, "persist", "Persistent reservations (PERSISTENT RESERVE IN/OUT)");
        auto o = std::make_shared<PersistOpts>();
        add_common(*cmd.app, cmd.common, true, true);
        cmd.app->add_option("-i,--in", o->in, "keys, reservation, capabilities, full");
        cmd.app->add_option(
            "-o,--out", o->out,
            "register, register-ignore, reserve, release, clear, preempt, preempt-abort, "
            "register-move; several comma-separated run in order in one session");
        cmd.app->add_option("-k,--key", o->key, "Reservation key (our registered key)");
        cmd.app->add_option("-K,--sa-key", o->sa_key,
                            "Service action key (new key, or the key to preempt)");
        cmd.app->add_option("-T,--type", o->type,
                            "wr_ex, ex_ac, wr_ex_ro, ex_ac_ro, wr_ex_ar, ex_ac_ar, or a number");
        cmd.app->add_flag("-p,--aptpl", o->aptpl, "Persist through power loss");
        cmd.app->add_flag("-a,--all-tg-pt", o->all_tg_pt, "Register on all target ports");
        cmd.app->add_option("-I,--transport-id", o->transport_id,
                            "register-move: the iSCSI initiator name to move to");
        cmd.app->add_option("-R,--relative-port", o->relative_port,
                            "register-move: relative target port");
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
        cmd.app->add_option("-g,--group", *group, "Target port group id")
            ->required()
            ->check(CLI::Range(0u, 0xffffu));
        cmd.app
            ->add_option("-s,--state", *state,
                         "active-optimized, active-nonoptimized, standby, unavailable, offline")
            ->required();
        cmd.run = [&c = cmd.common, group, state](Output& out) {
            run_stpg(out, c, *group, *state);
        };
    }
}

}  // namespace camctl
