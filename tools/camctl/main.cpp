// camctl: list SCSI devices and send them commands, decoded (camcontrol for Linux).
#include <cstdio>

#include "cli.hpp"

int main(int argc, char** argv) {
    CLI::App app{"camctl: SCSI device control"};
    app.set_version_flag("--version", "camctl 0.1.0");
    app.require_subcommand(1);
    app.failure_message(CLI::FailureMessage::help);

    camctl::Registry registry;
    camctl::register_devices(registry, app);
    camctl::register_identify(registry, app);
    camctl::register_pages(registry, app);
    camctl::register_opcodes(registry, app);
    camctl::register_reserve(registry, app);
    camctl::register_media(registry, app);
    camctl::register_raw(registry, app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : camx::exit_code(camx::Category::usage);
    }
    for (auto& cmd : registry) {
        if (!cmd->app->parsed()) continue;
        try {
            camctl::Output out(cmd->common);
            cmd->run(out);
            out.flush();
            return 0;
        } catch (const camx::Error& e) {
            return camctl::report(e, cmd->common);
        } catch (const std::exception& e) {
            return camctl::report(camx::Error(camx::Category::other, e.what()), cmd->common);
        }
    }
    return camx::exit_code(camx::Category::usage);
}
