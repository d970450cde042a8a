#include "cli.hpp"

#include <fmt/format.h>

#include "camx/scsi/sense.hpp"

namespace camctl {

void Output::flush() {
    if (!json_) return;
    std::cout << doc_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void add_common(CLI::App& app, Common& c, bool with_device, bool decodes) {
    app.add_flag("-j,--json", c.json, "Print one JSON document");
    app.add_flag("-v,--verbose", c.verbose, "More detail (repeat for more)");
    if (with_device) {
        auto* dev = app.add_option("device", c.device,
                                   "sg3, /dev/sda, H:C:T:L, /dev/bsg/H:C:T:L, naa.<wwn> or "
                                   "iscsi://host[:port]/iqn/lun");
        if (decodes) {
            auto* inhex = app.add_option("--inhex", c.inhex,
                                         "Decode this captured response (hex, '#' comments) "
                                         "instead of asking a device");
            dev->excludes(inhex);
            app.add_flag("--binary", c.binary, "The --inhex file holds raw bytes, not hex");
        } else {
            dev->required();
        }
        app.add_option("-t,--timeout", c.timeout_s, "Command timeout in seconds")
            ->check(CLI::Range(1, 86400));
    }
    if (decodes) {
        app.add_flag("-x,--hex", c.hex, "Print the response as hex instead of decoding it");
        app.add_flag("-r,--raw", c.raw, "Write the response bytes to stdout unchanged");
    }
}

int report(const camx::Error& e, const Common& c) {
    nlohmann::json err{{"category", camx::category_name(e.category())},
                       {"message", e.what()},
                       {"exit_code", e.exit_code()}};
    std::string summary;
    if (!e.sense().empty()) {
        try {
            auto sense = camx::scsi::Sense::decode(e.sense());
            err["sense"] = sense;
            summary = sense.summary();
        } catch (const camx::Error&) {
            err["sense_bytes"] = camx::hex::compact(e.sense());
        }
    }
    if (e.scsi_status() != 0) err["scsi_status"] = e.scsi_status();
    if (c.json) {
        nlohmann::json doc{{"version", 1}, {"error", err}};
        std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
        std::cerr << "camctl: " << e.what() << '\n';
        if (!summary.empty()) std::cerr << "  sense: " << summary << '\n';
    }
    return e.exit_code();
}

Command& add_command(Registry& r, CLI::App& parent, const std::string& name,
                     const std::string& help) {
    auto cmd = std::make_unique<Command>();
    cmd->app = parent.add_subcommand(name, help);
    r.push_back(std::move(cmd));
    return *r.back();
}

}  // namespace camctl
