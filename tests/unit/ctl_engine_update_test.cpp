// SPDX-License-Identifier: BSD-2-Clause
// Engine::prepare and Engine::commit, the all-or-nothing LUN change under ctld's reload: a
// failure anywhere leaves the engine as it was, a commit swaps everything at once.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "camx/ctl/engine.hpp"
#include "camx/error/error.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/vpd.hpp"
#include "ctl_test_util.hpp"

namespace camx::ctl {
namespace {

namespace cdb = scsi::cdb;
using test::Initiator;

LunConfig ramdisk(std::uint64_t id, std::string serial) {
    LunConfig c;
    c.id = id;
    c.size_bytes = 1 << 20;
    c.options.serial = std::move(serial);
    return c;
}

LunConfig missing_file(std::uint64_t id) {
    LunConfig c;
    c.id = id;
    c.backend = BackendKind::file;
    c.path = "/nonexistent/camx-update.img";
    return c;
}

std::vector<std::uint64_t> ids(const Engine& e) {
    std::vector<std::uint64_t> out;
    for (const auto& l : e.luns()) out.push_back(l.config.id);
    return out;
}

class CtlEngineUpdate : public ::testing::Test {
  protected:
    void SetUp() override {
        engine.add_lun(ramdisk(0, "KEEP0"));
        engine.add_lun(ramdisk(1, "KEEP1"));
        engine.add_port({"p0", true, 1, {}});
        a.attach();
    }
    std::string serial_of(std::uint64_t lun) {
        Initiator x{engine, a.nx, lun};
        auto r = x.run(cdb::Inquiry{true, 0x80, 255, 0}.encode());
        if (r.status != 0) return "";
        return std::get<scsi::UnitSerialNumber>(scsi::decode_vpd(r.data_in)).serial_number;
    }
    Engine engine;
    Initiator a{engine, test::nexus(1)};
};

TEST_F(CtlEngineUpdate, PrepareChangesNothingUntilCommit) {
    LunUpdate u;
    u.luns = {ramdisk(2, "NEW2"), ramdisk(1, "REPL1")};
    u.remove = {0, 1};
    auto prepared = engine.prepare(u);
    EXPECT_EQ(ids(engine), (std::vector<std::uint64_t>{0, 1}));
    EXPECT_EQ(serial_of(1), "KEEP1");
    EXPECT_TRUE(engine.commit(std::move(prepared)).empty());
    EXPECT_EQ(ids(engine), (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(engine.lun(1).serial, "REPL1");
    EXPECT_EQ(engine.lun(2).serial, "NEW2");
}

// One LUN that cannot open: nothing of the update happens, and the same update without it
// goes through afterwards (no "LUN 2 already exists").
TEST_F(CtlEngineUpdate, AFailingBackendLeavesTheEngineAsItWas) {
    LunUpdate u;
    u.luns = {ramdisk(2, "NEW2"), missing_file(3)};
    u.remove = {0};
    EXPECT_THROW(engine.prepare(u), Error);
    EXPECT_EQ(ids(engine), (std::vector<std::uint64_t>{0, 1}));
    EXPECT_EQ(serial_of(0), "KEEP0");
    // No attention for a change that did not happen.
    EXPECT_EQ(a.run(cdb::TestUnitReady{}.encode()).status, 0);
    u.luns.pop_back();
    engine.commit(engine.prepare(u));
    EXPECT_EQ(ids(engine), (std::vector<std::uint64_t>{1, 2}));
}

TEST_F(CtlEngineUpdate, AFailingReplacementKeepsTheRunningLun) {
    LunUpdate u;
    u.luns = {missing_file(1)};
    u.remove = {1};
    EXPECT_THROW(engine.prepare(u), Error);
    EXPECT_EQ(serial_of(1), "KEEP1");
    EXPECT_TRUE(engine.lun(1).state.enabled());
}

TEST_F(CtlEngineUpdate, EveryProblemIsReported) {
    LunUpdate u;
    u.luns = {missing_file(5), ramdisk(0, "DUP"), missing_file(6)};
    u.remove = {9};
    try {
        engine.prepare(u);
        FAIL() << "prepare accepted a bad update";
    } catch (const Error& e) {
        std::string m = e.what();
        for (const char* want : {"LUN 5: ", "LUN 6: ", "LUN 0: already exists", "LUN 9: "})
            EXPECT_NE(m.find(want), std::string::npos) << want << " missing in: " << m;
        EXPECT_EQ(std::count(m.begin(), m.end(), '\n'), 3) << m;
    }
    EXPECT_EQ(ids(engine), (std::vector<std::uint64_t>{0, 1}));
}

TEST_F(CtlEngineUpdate, ABackendFailureKeepsItsCategory) {
    LunUpdate u;
    u.luns = {missing_file(5)};
    try {
        engine.prepare(u);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::file);
    }
}

TEST_F(CtlEngineUpdate, ADroppedPreparationClosesItsFile) {
    auto path = std::filesystem::temp_directory_path() / "camx_update_drop.img";
    { std::ofstream f(path); }
    std::filesystem::resize_file(path, 1 << 20);
    LunConfig c;
    c.id = 7;
    c.backend = BackendKind::file;
    c.path = path.string();
    auto fds = [] {
        return std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                             std::filesystem::directory_iterator{});
    };
    auto before = fds();
    {
        LunUpdate u;
        u.luns = {c};
        auto prepared = engine.prepare(u);
        EXPECT_EQ(fds(), before + 1);
    }
    EXPECT_EQ(fds(), before);
    EXPECT_EQ(ids(engine), (std::vector<std::uint64_t>{0, 1}));
    std::filesystem::remove(path);
}

// The LUNs that stay hear of a changed inventory once, after the switch; no change and a
// replacement alone are no inventory change; a commit finds out what changed since its prepare.
TEST_F(CtlEngineUpdate, CommitAttentionsAndStaleness) {
    engine.commit(engine.prepare({}));  // a reload that changes no LUN
    EXPECT_EQ(a.run(cdb::TestUnitReady{}.encode()).status, 0);
    LunUpdate replace;
    replace.luns = {ramdisk(1, "REPL1")};
    replace.remove = {1};
    engine.commit(engine.prepare(replace));
    EXPECT_EQ(a.run(cdb::TestUnitReady{}.encode()).status, 0);

    LunUpdate add;
    add.luns = {ramdisk(4, "NEW4")};
    auto prepared = engine.prepare(add);
    engine.add_lun(ramdisk(4, "RACE"));
    EXPECT_THROW(engine.commit(std::move(prepared)), Error);
    EXPECT_EQ(engine.lun(4).serial, "RACE");
    engine.remove_lun(4);
    a.attach();

    engine.commit(engine.prepare(add));
    EXPECT_SENSE(a.run(cdb::TestUnitReady{}.encode()), 6, 0x3f, 0x0e);
    EXPECT_EQ(a.run(cdb::TestUnitReady{}.encode()).status, 0);
}

TEST_F(CtlEngineUpdate, EnclosuresAreBuiltAndReplacedToo) {
    LunUpdate u;
    EnclosureConfig e;
    u.enclosures[1] = e;
    u.remove = {1};
    engine.commit(engine.prepare(u));
    EXPECT_EQ(engine.lun(1).device_type, 0x0d);
    EXPECT_EQ(ids(engine), (std::vector<std::uint64_t>{0, 1}));
}

}  // namespace
}  // namespace camx::ctl
