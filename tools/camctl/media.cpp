// SPDX-License-Identifier: BSD-2-Clause
// start, stop, load, eject, synccache: START STOP UNIT and SYNCHRONIZE CACHE.
#include <fmt/format.h>

#include "camx/scsi/cdb.hpp"
#include "cli.hpp"

namespace camctl {
namespace {

namespace cdb = camx::scsi::cdb;

struct MediaOpts {
    bool immed = false;
};

void start_stop(Output& out, const Common& c, const MediaOpts& o, bool start, bool loej,
                const char* what) {
    auto dev = open_device(out, c);
    dev.no_data(cdb::StartStopUnit{.immed = o.immed, .loej = loej, .start = start}.encode());
    if (out.json()) {
        out.doc()["done"] = what;
    } else {
        out.text() << fmt::format("{}: {}\n", dev.path(), what);
    }
}

struct SyncOpts {
    std::uint64_t lba = 0;
    std::uint32_t blocks = 0;
    bool immed = false;
    bool sixteen = false;
};

void run_synccache(Output& out, const Common& c, const SyncOpts& o) {
    auto dev = open_device(out, c);
    bool use16 = o.sixteen || o.lba > 0xffffffffULL || o.blocks > 0xffff;
    if (use16) {
        dev.no_data(
            cdb::SynchronizeCache16{.immed = o.immed, .lba = o.lba, .blocks = o.blocks}.encode());
    } else {
        dev.no_data(cdb::SynchronizeCache10{.immed = o.immed,
                                            .lba = static_cast<std::uint32_t>(o.lba),
                                            .blocks = static_cast<std::uint16_t>(o.blocks)}
                        .encode());
    }
    if (out.json()) {
        out.doc()["synchronized"] = {
            {"lba", o.lba}, {"blocks", o.blocks}, {"cdb_length", use16 ? 16 : 10}};
    } else {
        out.text() << fmt::format("{}: cache synchronized\n", dev.path());
    }
}

}  // namespace

void register_media(Registry& r, CLI::App& app) {
    struct Verb {
        const char* name;
        const char* help;
        bool start;
        bool loej;
        const char* done;
    };
    static constexpr Verb kVerbs[] = {
        {"start", "Spin up / make ready (START STOP UNIT start=1)", true, false, "started"},
        {"stop", "Spin down (START STOP UNIT start=0)", false, false, "stopped"},
        {"load", "Load the medium (START STOP UNIT start=1 loej=1)", true, true, "loaded"},
        {"eject", "Eject the medium (START STOP UNIT start=0 loej=1)", false, true, "ejected"},
    };
    for (const auto& v : kVerbs) {
        auto& cmd = add_command(r, app, v.name, v.help);
        auto o = std::make_shared<MediaOpts>();
        add_common(*cmd.app, cmd.common, true, false);
        cmd.app->add_flag("-i,--immed", o->immed, "Return before the operation completes");
        cmd.run = [&c = cmd.common, o, &v](Output& out) {
            start_stop(out, c, *o, v.start, v.loej, v.done);
        };
    }
    auto& cmd = add_command(r, app, "synccache", "SYNCHRONIZE CACHE (10, or 16 when needed)");
    auto o = std::make_shared<SyncOpts>();
    add_common(*cmd.app, cmd.common, true, false);
    cmd.app->add_option("--lba", o->lba, "First block (default 0)");
    cmd.app->add_option("--count", o->blocks, "Blocks (default 0: to the end)");
    cmd.app->add_flag("-i,--immed", o->immed, "Return before the cache is written");
    cmd.app->add_flag("--16", o->sixteen, "Use SYNCHRONIZE CACHE(16)");
    cmd.run = [&c = cmd.common, o](Output& out) { run_synccache(out, c, *o); };
}

}  // namespace camctl
