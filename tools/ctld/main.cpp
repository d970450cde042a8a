// ctld: the SCSI target daemon. Serves the built-in demo configuration (a 64 MiB ramdisk
// LUN of iqn.2024-01.org.camx:demo on 127.0.0.1:3260) until SIGTERM; SIGHUP reloads.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "camx/error/error.hpp"
#include "daemon.hpp"

int main(int argc, char** argv) {
    CLI::App app{"ctld: the camx SCSI target daemon"};
    std::string listen = "127.0.0.1:3260";
    std::uint64_t size_mib = 64;
    unsigned workers = 2;
    std::string file;
    bool demo = false;
    bool check_only = false;
    app.add_flag("--demo", demo, "serve the built-in demo configuration");
    app.add_option("--listen", listen, "demo portal address (host:port)");
    app.add_option("--size-mib", size_mib, "demo ramdisk size in MiB")
        ->check(CLI::Range(1, 1 << 20));
    app.add_option("--file", file, "demo LUN backed by this file instead of a ramdisk");
    app.add_option("--workers", workers, "engine worker threads")->check(CLI::Range(1, 256));
    app.add_flag("-t", check_only, "check the configuration and exit");
    CLI11_PARSE(app, argc, argv);

    using namespace camx;
    auto load = [&] { return ctld::demo_config(listen, size_mib << 20, file); };
    try {
        auto config = load();
        ctld::check(config);
        if (check_only) {
            std::printf("configuration OK\n");
            return 0;
        }
        ctld::block_signals();
        ctld::Daemon daemon(std::move(config), {workers});
        for (const auto& a : daemon.frontend().listening())
            std::fprintf(stderr, "ctld: listening on %s\n", a.c_str());
        return daemon.run(load);
    } catch (const Error& e) {
        std::fprintf(stderr, "ctld: %s\n", e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ctld: %s\n", e.what());
        return 99;
    }
}
