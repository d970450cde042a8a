// SPDX-License-Identifier: BSD-2-Clause
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

void run_opcodes(Output& out, const Common& c, const OpcodesOpts& o) {
    if (o.tmf) {
        Bytes data = response(out, c, [](Device& d) {
            return d.data_in(
                cdb::ReportSupportedTmfs{.repd = true, .allocation_length = 16}.encode(), 16);
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
            sa = static_cast<std::uint16_t>(
                parse_number(o.one.substr(comma + 1), 0xffff, "service action"));
        }
        Bytes data = response(out, c, [&](Device& d) {
            auto req = cdb::ReportSupportedOpcodes{
                .rctd = o.timeouts,
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
            out.text() << fmt::format("opcode 0x{:02x}{}: {}\n", op,
                                      sa ? fmt::format(",0x{:x}", *sa) : "",
                                      scsi::support_name(one.support));
            if (c.verbose > 0 || one.supported())
                print_fields(out.text(), nlohmann::json(one), c.verbose, 2);
        }
        return;
    }
    Bytes data = response(out, c, [&](Device& d) {
        return ask_full(8192, 1u << 24, {0, 4, 4}, [&](std::size_t len) {
            return d.data_in(
                cdb::ReportSupportedOpcodes{.rctd = o.timeouts,
                                            .allocation_length = static_cast<std::uint32_t>(len)}
                    .encode(),
                len);
        });
    });
    if (print_bytes(out, c, data)) return;
    auto all = scsi::SupportedOpcodes::decode(data);
    if (out.json()) {
        out.doc()["opcodes"] = all;
        return;
    }
    // sg_opcodes' columns.
    out.text() << fmt::format("{:<6} {:<8} {:<4} {}\n", "Opcode", "Serv Act", "Cdb", "Name");
    for (const auto& cmd : all.commands) {
        auto sa = cmd.servactv ? std::optional(cmd.service_action) : std::nullopt;
        out.text() << fmt::format(" {:02x}    {:<8} {:<4} {}", cmd.opcode,
                                  sa ? fmt::format("{:>5x}", *sa) : "", cmd.cdb_length,
                                  scsi::command_name(cmd.opcode, sa));
        if (cmd.timeouts) {
            out.text() << fmt::format("  [timeouts: nominal {} s, recommended {} s]",
                                      cmd.timeouts->nominal_seconds,
                                      cmd.timeouts->recommended_seconds);
        }
        out.text() << '\n';
    }
    for (const auto& w : all.warnings) out.text() << "warning: " << w << '\n';
}

}  // namespace

void register_opcodes(Registry& r, CLI::App& app) {
    auto& cmd = add_command(r, app, "opcodes",
                            "REPORT SUPPORTED OPERATION CODES (or --tmf: task management)");
    auto o = std::make_shared<OpcodesOpts>();
    add_common(*cmd.app, cmd.common, true, true);
    cmd.app->add_option("-o,--opcode", o->one, "One command: OP or OP,SA");
    cmd.app->add_flag("-T,--timeouts", o->timeouts, "Ask for command timeouts (RCTD)");
    cmd.app->add_flag("--tmf", o->tmf, "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS instead");
    cmd.run = [&c = cmd.common, o](Output& out) { run_opcodes(out, c, *o); };
}

}  // namespace camctl
