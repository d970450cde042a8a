// SPDX-License-Identifier: BSD-2-Clause
// ctld's state directory: atomic writes, runtime LUNs and persistent reservations.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "camx/error/error.hpp"
#include "camx/target_config/state.hpp"

using namespace camx;
using namespace camx::target_config;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("camx-state-test-" + std::to_string(::getpid()));
    TempDir() { fs::remove_all(path); }
    ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

PrState sample_pr() {
    PrState s;
    s.generation = 5;
    s.aptpl = true;
    s.registrations = {{0x1122334455667788ull, {0x05, 0x00, 0x00, 0x10}, 1, false},
                       {0xabcdull, {}, 2, true}};
    s.reserved = true;
    s.type = 1;
    s.holder = 0;
    return s;
}

}  // namespace

TEST(CtldState, WriteAtomicReplacesAndLeavesNoTemp) {
    TempDir t;
    fs::create_directories(t.path);
    fs::path f = t.path / "x.json";
    write_atomic(f, "one");
    write_atomic(f, "two", 0640);
    EXPECT_EQ(slurp(f), "two");
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    int entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(t.path)) ++entries;
    EXPECT_EQ(entries, 1);
    try {
        write_atomic(t.path / "missing-dir" / "x", "a");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::file);
    }
}

TEST(CtldState, Luns) {
    TempDir t;
    StateDir s(t.path);
    Lun a;
    a.name = "runtime-a";
    a.backend = Backend::ramdisk;
    a.size_bytes = 1 << 20;
    a.options = {{"vendor", "V"}};
    Lun b = a;
    b.name = "runtime-b";
    b.backend = Backend::file;
    b.path = "/srv/b.img";
    s.save_lun(12, a);
    s.save_lun(3, b);
    auto luns = s.luns();
    ASSERT_EQ(luns.size(), 2u);
    EXPECT_EQ(luns[0], (StateDir::SavedLun{3, b}));
    EXPECT_EQ(luns[1], (StateDir::SavedLun{12, a}));
    s.remove_lun(3);
    s.remove_lun(99);  // absent: fine
    ASSERT_EQ(s.luns().size(), 1u);
    // A crash's leftover temp file is cleaned up on open and never read as a LUN.
    std::ofstream(t.path / "luns" / ".tmp.5.json.abcdef") << "{";
    StateDir again(t.path);
    EXPECT_FALSE(fs::exists(t.path / "luns" / ".tmp.5.json.abcdef"));
    EXPECT_EQ(again.luns().size(), 1u);
    // Corrupt and misnamed files are reported with their path.
    std::ofstream(t.path / "luns" / "7.json")
        << "{\"version\":1,\"lun\":8,\"name\":\"x\",\"backend\":\"ramdisk\"}";
    try {
        again.luns();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::malformed);
        EXPECT_NE(std::string(e.what()).find("7.json: holds LUN 8"), std::string::npos) << e.what();
    }
    std::ofstream(t.path / "luns" / "7.json") << "not json";
    EXPECT_THROW(again.luns(), Error);
}

// ctladm once passed write-cache and device_id through to the saved LUN; they come back under
// the names ctld accepts now, so such a LUN still loads.
TEST(CtldState, LegacyOptionNames) {
    TempDir t;
    StateDir s(t.path);
    fs::create_directories(t.path / "luns");
    std::ofstream(t.path / "luns" / "4.json")
        << R"({"version":1,"lun":4,"name":"old","backend":"ramdisk","size_bytes":1048576,)"
        << R"("options":{"write-cache":"off","device_id":"D4","vendor":"V"}})";
    auto luns = s.luns();
    ASSERT_EQ(luns.size(), 1u);
    EXPECT_EQ(luns[0].spec.options,
              (std::map<std::string, std::string>{
                  {"device-id", "D4"}, {"vendor", "V"}, {"writecache", "off"}}));
}

TEST(CtldState, Portals) {
    TempDir t;
    StateDir s(t.path);
    EXPECT_TRUE(s.portals().empty());
    std::vector<SavedPortal> p{{"pg0", "127.0.0.1:3261", ""}, {"pg-new", "[::1]:3262", "iqn.x:y"}};
    s.save_portals(p);
    EXPECT_EQ(StateDir(t.path).portals(), p);
    s.save_portals({});
    EXPECT_TRUE(s.portals().empty());
    std::ofstream(t.path / "portals.json") << "{\"version\":1,\"portals\":[{\"listen\":\"x\"}]}";
    try {
        s.portals();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::malformed);
        EXPECT_NE(std::string(e.what()).find("portals.json"), std::string::npos) << e.what();
    }
}

TEST(CtldState, Reservations) {
    TempDir t;
    StateDir s(t.path);
    EXPECT_FALSE(s.reservations("naa.600000").has_value());
    PrState pr = sample_pr();
    s.save_reservations("naa.600000", pr);
    EXPECT_EQ(s.reservations("naa.600000"), pr);
    pr.generation = 6;
    pr.holder.reset();
    pr.type = 7;  // all registrants: no single holder
    s.save_reservations("naa.600000", pr);
    EXPECT_EQ(s.reservations("naa.600000"), pr);
    s.remove_reservations("naa.600000");
    EXPECT_FALSE(s.reservations("naa.600000").has_value());

    // Keys with any bytes map to distinct, safe file names.
    EXPECT_EQ(StateDir::escape_key("a/b c"), "a%2Fb%20c");
    EXPECT_EQ(StateDir::escape_key(".."), "%2E.");
    EXPECT_EQ(StateDir::escape_key(""), "%");
    s.save_reservations("../escape", sample_pr());
    EXPECT_TRUE(fs::exists(t.path / "reservations" / "%2E.%2Fescape.json"));
}

TEST(CtldState, BadReservationContent) {
    TempDir t;
    StateDir s(t.path);
    nlohmann::json j = sample_pr();
    j["version"] = 1;
    j["holder"] = 5;  // no such registration
    std::ofstream(t.path / "reservations" / "k.json") << j.dump();
    try {
        s.reservations("k");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::malformed);
        EXPECT_NE(std::string(e.what()).find("holder is not a registration"), std::string::npos);
    }
    j["holder"] = nullptr;  // reserved, type 1, no holder
    std::ofstream(t.path / "reservations" / "k.json") << j.dump();
    EXPECT_THROW(s.reservations("k"), Error);
    j["version"] = 2;
    std::ofstream(t.path / "reservations" / "k.json") << j.dump();
    EXPECT_THROW(s.reservations("k"), Error);
    j = sample_pr();
    j["version"] = 1;
    j["registrations"][0]["transport_id"] = "zz";
    std::ofstream(t.path / "reservations" / "k.json") << j.dump();
    EXPECT_THROW(s.reservations("k"), Error);
}
