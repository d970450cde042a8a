// camctl: list SCSI devices and send them commands, decoded (camcontrol for Linux).
#include <cstdio>
#include <string_view>

#include "cli.hpp"

int main(int argc, char** argv) {
    CLI::App app{"camctl: SCSI device control"};
    app.set_version_flag("--version", "camctl 0.1.0");
    app.require_subcommand(1);

    camctl::Registry registry;
    camctl::register_devices(registry, app);
    camctl::register_identify(registry, app);
    camctl::register_pages(registry, app);
    camctl::register_opcodes(registry, app);
    camctl::register_reserve(registry, app);
    camctl::register_media(registry, app);
    camctl::register_raw(registry, app);

    if (argc < 2) {
        std::cerr << app.help();
        return camx::exit_code(camx::Category::usage);
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // Argument errors are usage errors (exit 1), as one JSON document when --json was
        // asked for, so a script always gets something to parse.
        bool json = false;
        for (int i = 1; i < argc; ++i) {
            std::string_view a = argv[i];
            if (a == "--json" || a == "-j") json = true;
        }
        std::string hint = "run 'camctl --help' or 'camctl COMMAND --help' for usage";
        int rc = camctl::report(camx::Error(camx::Category::usage, e.what()), json);
        if (!json) std::cerr << "camctl: " << hint << '\n';
        return rc;
    }
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
