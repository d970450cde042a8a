// SPDX-License-Identifier: BSD-2-Clause
// ctld: the SCSI target daemon. Serves ctl.conf (or the built-in demo), keeps runtime LUNs
// and APTPL reservations in its state directory, answers ctladm on its control socket;
// SIGHUP reloads, SIGTERM stops.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "camx/error/error.hpp"
#include "camx/target_config/config.hpp"
#include "camx/target_config/control_socket.hpp"
#include "camx/target_config/state.hpp"
#include "command_line.hpp"
#include "config_map.hpp"
#include "control_handler.hpp"
#include "daemon.hpp"
#include "pidfile.hpp"

namespace {

using namespace camx;
namespace tc = camx::target_config;

constexpr const char* kDefaultConfig = "/etc/ctl.conf";

// The configuration to serve: the file, or the demo (with --listen/--size-mib/--file).
struct Source {
    std::string path;  // empty: the demo
    std::string listen = "127.0.0.1:3260";
    std::uint64_t size_mib = 64;
    std::string file;

    tc::Config demo() const { return tc::demo(listen, size_mib << 20, file); }
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ctld: the camx SCSI target daemon"};
    camx::cli::configure(app, "ctld");
    Source src;
    unsigned workers = 2;
    bool demo_flag = false;
    bool check_only = false;
    bool debug = false;
    std::string config_path;
    app.add_option("-f", config_path, "configuration file (default /etc/ctl.conf)");
    app.add_flag("-t", check_only, "check the configuration and exit");
    app.add_flag("-d", debug, "debug: log every control request");
    app.add_flag("--demo", demo_flag, "serve the built-in demo configuration");
    app.add_option("--listen", src.listen, "demo portal address (host:port)");
    app.add_option("--size-mib", src.size_mib, "demo ramdisk size in MiB")
        ->check(CLI::Range(1, 1 << 20));
    app.add_option("--file", src.file, "demo LUN backed by this file instead of a ramdisk");
    app.add_option("--workers", workers, "engine worker threads")->check(CLI::Range(1, 256));
    std::string control_socket;
    app.add_option("--control-socket", control_socket,
                   "control socket for ctladm (instead of ctl.conf's control-socket)");
    if (auto rc = camx::cli::parse(app, argc, argv, [](const Error& e) {
            std::fprintf(stderr, "ctld: %s\n", e.what());
            return e.exit_code();
        }))
        return *rc;

    if (demo_flag && !config_path.empty()) {
        std::fprintf(stderr, "ctld: --demo and -f exclude each other\n");
        return exit_code(Category::usage);
    }
    bool use_demo = demo_flag;
    if (!demo_flag) {
        if (config_path.empty() && !std::filesystem::exists(kDefaultConfig))
            use_demo = true;
        else
            src.path = config_path.empty() ? kDefaultConfig : config_path;
    }

    try {
        // The file's globals; the demo uses the defaults.
        tc::Config parsed = use_demo ? src.demo() : tc::load(src.path);
        for (const auto& w : parsed.warnings)
            std::fprintf(stderr, "ctld: warning: %s\n", w.c_str());
        const tc::Global& global = parsed.global;

        std::set<std::uint64_t> reserved;
        // The demo keeps no state: it must run anywhere, as anyone.
        if (!check_only && !use_demo && !global.state_dir.empty())
            for (const auto& l : tc::StateDir(global.state_dir).luns()) reserved.insert(l.lun);
        ctld::DaemonConfig config = ctld::map_config(parsed, {}, reserved);
        ctld::check(config);
        if (check_only) {
            std::printf("configuration OK\n");
            return 0;
        }

        // Read at start only: a reload does not move it.
        std::unique_ptr<ctld::PidFile> pidfile;
        if (!use_demo && !global.pidfile.empty())
            pidfile = std::make_unique<ctld::PidFile>(global.pidfile);
        ctld::block_signals();
        ctld::Daemon::Options opt;
        opt.workers = workers;
        if (!use_demo && !global.state_dir.empty()) opt.state_dir = global.state_dir;
        ctld::Daemon daemon(std::move(config), opt);

        auto load = [&]() -> ctld::DaemonConfig {
            tc::Config next = use_demo ? src.demo() : tc::load(src.path);
            for (const auto& w : next.warnings)
                std::fprintf(stderr, "ctld: warning: %s\n", w.c_str());
            std::map<std::string, std::uint64_t> previous;
            for (const auto& [id, name] : daemon.config().lun_names) previous[name] = id;
            return ctld::map_config(next, previous, daemon.runtime_lun_ids());
        };

        ctld::ControlHandler handler(daemon, load, debug || global.debug > 0);
        tc::control::ServerSettings ss;
        ss.path = control_socket.empty() ? global.control_socket : control_socket;
        ss.group = global.control_group;
        std::unique_ptr<tc::control::ControlServer> server;
        try {
            server = std::make_unique<tc::control::ControlServer>(ss, handler);
        } catch (const Error& e) {
            // The demo serves without ctladm rather than not at all.
            if (!use_demo) throw;
            std::fprintf(stderr, "ctld: no control socket: %s\n", e.what());
        }
        std::thread control;
        if (server) control = std::thread([&] { server->run(); });

        for (const auto& a : daemon.frontend().listening())
            std::fprintf(stderr, "ctld: listening on %s\n", a.c_str());
        if (server) std::fprintf(stderr, "ctld: control socket %s\n", server->path().c_str());
        int rc = daemon.run(load);
        if (server) {
            server->stop();
            control.join();
        }
        return rc;
    } catch (const Error& e) {
        std::fprintf(stderr, "ctld: %s\n", e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ctld: %s\n", e.what());
        return 99;
    }
}
