// SPDX-License-Identifier: BSD-2-Clause
// camctl: list SCSI devices and send them commands, decoded (camcontrol for Linux).
#include <cstdio>
#include <string_view>

#include "cli.hpp"
#include "command_line.hpp"

int main(int argc, char** argv) {
    CLI::App app{"camctl: SCSI device control"};
    camx::cli::configure(app, "camctl");
    app.require_subcommand(1);

    camctl::Registry registry;
    camctl::register_devices(registry, app);
    camctl::register_identify(registry, app);
    camctl::register_pages(registry, app);
    camctl::register_opcodes(registry, app);
    camctl::register_reserve(registry, app);
    camctl::register_media(registry, app);
    camctl::register_raw(registry, app);

    // Argument errors are usage errors (exit 1), as one JSON document when --json was asked
    // for, so a script always gets something to parse.
    const bool json = camx::cli::wants_json(argc, argv);
    if (auto rc = camx::cli::parse(
            app, argc, argv, [json](const camx::Error& e) { return camctl::report(e, json); }))
        return *rc;
    for (auto& cmd : registry) {
        if (!cmd->app->parsed()) continue;
        try {
            camctl::Output out(cmd->common);
            cmd->run(out);
            out.flush();
            return 0;
        } catch (const camx::Error& e) {
            return camctl::report(e, cmd->common.json);
        } catch (const std::exception& e) {
            return camctl::report(camx::Error(camx::Category::other, e.what()), cmd->common.json);
        }
    }
    return camx::exit_code(camx::Category::usage);
}
