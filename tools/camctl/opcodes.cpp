// opcodes: what a device says it supports (REPORT SUPPORTED OPERATION CODES / TMFs).
#include <fmt/format.h>

#include "camx/scsi/cdb.hpp"
#include "camx/scsi/opcodes.hpp"
#include "cli.hpp"

namespace camctl {
namespace {

namespace scsi = camx::scsi;
namespace cdb = camx::scsi::cdb;
using camx::Bytes;
using camx::device::Device;

struct OpcodesOpts {
    std::string one;  // "OP" or "OP,SA"
    bool timeouts = false;
    bool tmf = false;
};

Bytes maintenance_in(Device& d, const std::function<Bytes(std::uint32_t)>& ask) {
    (void)d;
    Bytes b = ask(8192);
    if (b.size() >= 4 && camx::bytes::be32(b, 0) + 4u > b.size() && b.size() == 8192) {
        b = ask(camx::bytes::be32(b, 0) + 4u);
    }
    return b;
}

void run_opcodes(Output& out, const Common& c, const OpcodesOpts& o) {
    if (o.tmf) {
        Bytes data = response(c, [](Device& d) {
            return d.data_in(cdb::ReportSupportedTmfs{.repd = true, .allocation_length = 16}.encode(), 16);
        });
        if (print_bytes(out, c, data)) return;
        auto t = scsi::SupportedTmfs::decode(data);
        if (out.json()) {
            out.doc()["task_management_functions"] = t;
        } else {
            print_fields(out.text(), nlohmann::json(t), c.verbose);
        }
        return;
    }
    if (!o.one.empty()) {
        auto comma = o.one.find(',');
        auto op = static_cast<std::uint8_t>(parse_number(o.one.substr(0, comma), 0xff, "opcode"));
        std::optional<std::uint16_t> sa;
        if (comma != std::string::npos) {
            sa = static_cast<std::uint16_t>(parse_number(o.one.substr(comma + 1), 0xffff, "service action"));
        }
        Bytes data = response(c, [&](Device& d) {
            auto req = cdb::ReportSupportedOpcodes{.rctd = o.timeouts,
                                                   .reporting_options = static_cast<std::uint8_t>(sa ? 2 : 1),
                                                   .requested_opcode = op,
                                                   .requested_service_action = sa.value_or(0),
                                                   .allocation_length = 512};
            return d.data_in(req.encode(), 512);
        });
        if (print_bytes(out, c, data)) return;
        auto one = scsi::OneCommand::decode(data);
        if (out.json()) {
            out.doc()["opcode"] = one;
        } else {
            out.text() << fmt::format("opcode 0x{:02x}{}: {}\n", op, sa ? fmt::format(",0x{:x}", *sa) : "",
                                      scsi::support_name(one.support));
            if (c.verbose > 0 || one.supported()) print_fields(out.text(), nlohmann::json(one), 1, 2);
        }
        return;
    }
    Bytes data = response(c, [&](Device& d) {
        return maintenance_in(d, [&](std::uint32_t len) {
            return d.data_in(cdb::ReportSupportedOpcodes{.rctd = o.timeouts, .allocation_length = len}.encode(), len);
        });
    });
    if (print_bytes(out, c, data)) return;
    auto all = scsi::SupportedOpcodes::decode(data);
    nlohmann::json j = all;
    if (out.json()) {
        out.doc()["opcodes"] = j;
        return;
    }
    out.text() << fmt::format("{:<6} {:<6} {:<4} {}\n", "opcode", "sa", "cdb", "name");
    for (const auto& cmd : j["commands"]) {
        bool sav = cmd.value("servactv", false);
        out.text() << fmt::format("0x{:02x}   {:<6} {:<4} {}", cmd.value("opcode", 0),
                                  sav ? fmt::format("0x{:x}", cmd.value("service_action", 0)) : "",
                                  cmd.value("cdb_length", 0), cmd.value("name", std::string()));
        if (cmd.contains("timeouts")) {
            out.text() << fmt::format("  (nominal {} s, recommended {} s)",
                                      cmd["timeouts"].value("nominal_seconds", 0),
                                      cmd["timeouts"].value("recommended_seconds", 0));
        }
        out.text() << '\n';
    }
    for (const auto& w : all.warnings) out.text() << "warning: " << w << '\n';
}

}  // namespace

void register_opcodes(Registry& r, CLI::App& app) {
    auto& cmd = add_command(r, app, "opcodes", "REPORT SUPPORTED OPERATION CODES (or --tmf: task management)");
    auto o = std::make_shared<OpcodesOpts>();
    add_common(*cmd.app, cmd.common, true, true);
    cmd.app->add_option("-o,--opcode", o->one, "One command: OP or OP,SA");
    cmd.app->add_flag("-T,--timeouts", o->timeouts, "Ask for command timeouts (RCTD)");
    cmd.app->add_flag("--tmf", o->tmf, "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS instead");
    cmd.run = [&c = cmd.common, o](Output& out) { run_opcodes(out, c, *o); };
}

}  // namespace camctl
