// SPDX-License-Identifier: BSD-2-Clause
// ctladm end to end against an in-test control server whose handler is a small fake engine:
// request building, option checks, text and JSON output, error messages and exit codes.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "camx/error/error.hpp"
#include "camx/target_config/control.hpp"
#include "camx/target_config/control_socket.hpp"

using namespace camx;
using namespace camx::target_config::control;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

template <class... F>
struct Overload : F... {
    using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

// The options the fake engine keeps; ctld knows them all.
void set_options(LunOptionsInfo& o, const Options& given) {
    for (const auto& [k, v] : given) {
        if (k == "vendor") o.vendor = v;
        if (k == "product") o.product = v;
        if (k == "readonly") o.readonly = v == "on";
        if (k == "writecache") o.writecache = v == "on";
    }
}

// Enough of an engine to answer every request the way ctld does.
class FakeEngine : public ControlHandler {
  public:
    std::vector<Request> seen;

    json handle(const Request& r) override {
        seen.push_back(r);
        return std::visit(
            Overload{
                [&](const LunCreate& c) -> json {
                    std::uint32_t id = c.lun.value_or(next_free());
                    if (luns_.count(id))
                        throw Error(Category::usage,
                                    "LUN " + std::to_string(id) + " already exists");
                    LunInfo l;
                    l.lun = id;
                    l.backend = c.backend;
                    l.path = c.path;
                    l.blocksize_bytes = c.blocksize_bytes.value_or(512);
                    l.size_bytes = c.size_bytes.value_or(0);
                    l.blocks = l.size_bytes / l.blocksize_bytes;
                    l.serial = c.serial.empty() ? "SER" + std::to_string(id) : c.serial;
                    l.device_id = c.device_id;
                    l.options = {"CAMX", "CTL DISK", "0001", 512, false, false, true, true};
                    set_options(l.options, c.options);
                    luns_[id] = l;
                    return {{"lun", l}};
                },
                [&](const LunRemove& c) -> json {
                    if (!luns_.erase(c.lun))
                        throw Error(Category::no_device, "no LUN " + std::to_string(c.lun));
                    return json::object();
                },
                [&](const LunModify& c) -> json {
                    auto& l = lun(c.lun);
                    if (c.size_bytes) {
                        l.size_bytes = *c.size_bytes;
                        l.blocks = l.size_bytes / l.blocksize_bytes;
                    }
                    set_options(l.options, c.options);
                    return {{"lun", l}};
                },
                [&](const LunList&) -> json {
                    json a = json::array();
                    for (const auto& [_, l] : luns_) a.push_back(l);
                    return {{"luns", a}};
                },
                [&](const LunOffline& c) -> json {
                    return {{"luns", c.lun ? std::vector<std::uint32_t>{*c.lun} : ids()}};
                },
                [&](const LunOnline& c) -> json {
                    return {{"luns", c.lun ? std::vector<std::uint32_t>{*c.lun} : ids()}};
                },
                [&](const PortList&) -> json {
                    PortInfo p{1,
                               "iscsi0",
                               "iscsi",
                               "iqn.2024-01.org.camx:demo",
                               true,
                               1,
                               {{0, 0}, {1, 3}},
                               {"iqn.1993-08.org.debian:01:abc"},
                               "pg0",
                               {"127.0.0.1:3260"}};
                    PortInfo q{2, "local0", "local", "", false, 0, {}, {}, "", {}};
                    return {{"ports", {p, q}}};
                },
                [&](const PortCreate& c) -> json {
                    PortInfo p{3,      "iqn.x:y,t,0x0005", c.frontend, "iqn.x:y", true, 5, {}, {},
                               c.name, {c.listen}};
                    return {{"portal", PortalInfo{c.name, 5, c.listen, {p}}}};
                },
                [&](const PortOnline& c) -> json {
                    return {{"ports", {c.port.value_or("iscsi0")}}};
                },
                [&](const PortOffline& c) -> json {
                    return {{"ports", {c.port.value_or("iscsi0")}}};
                },
                [&](const SessionList&) -> json {
                    SessionInfo s;
                    s.connection_id = 4;
                    s.initiator_name = "iqn.1993-08.org.debian:01:abc";
                    s.initiator_address = "127.0.0.1";
                    s.target_name = "iqn.2024-01.org.camx:demo";
                    return {{"sessions", {s}}};
                },
                [&](const SessionLogout&) -> json {
                    return {{"logged_out", 1}};
                },
                [&](const PortRemove& c) -> json {
                    return {{"removed", c.listen.empty() ? std::vector<std::string>{}
                                                         : std::vector<std::string>{c.listen}}};
                },
                [&](const Stats&) -> json {
                    return {
                        {"luns", {LunStats{0, 10, 20, 5, 40960, 81920, 10000000, 40000000, 0}}}};
                },
                [&](const auto&) -> json { return json::object(); },
            },
            r.command);
    }

  private:
    std::uint32_t next_free() const {
        std::uint32_t i = 0;
        while (luns_.count(i)) ++i;
        return i;
    }
    std::vector<std::uint32_t> ids() const {
        std::vector<std::uint32_t> v;
        for (const auto& [id, _] : luns_) v.push_back(id);
        return v;
    }
    LunInfo& lun(std::uint32_t id) {
        auto it = luns_.find(id);
        if (it == luns_.end()) throw Error(Category::no_device, "no LUN " + std::to_string(id));
        return it->second;
    }
    std::map<std::uint32_t, LunInfo> luns_;
};

struct Result {
    int rc = -1;
    std::string out;
    std::string err;
};

fs::path ctladm_path() {
    if (const char* p = std::getenv("CTLADM")) return p;
    return fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "tools" / "ctladm" /
           "ctladm";
}

// Runs ctladm with args; stdout and stderr go to temp files so neither pipe can fill.
Result run(const std::vector<std::string>& args) {
    fs::path dir = fs::temp_directory_path();
    fs::path out = dir / ("ctladm-out-" + std::to_string(::getpid()));
    fs::path err = dir / ("ctladm-err-" + std::to_string(::getpid()));
    pid_t pid = ::fork();
    if (pid == 0) {
        std::freopen(out.c_str(), "w", stdout);
        std::freopen(err.c_str(), "w", stderr);
        std::string exe = ctladm_path().string();
        std::vector<char*> argv{exe.data()};
        std::vector<std::string> copy = args;
        for (auto& a : copy) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(exe.c_str(), argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    Result r;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream o(out), e(err);
    r.out.assign(std::istreambuf_iterator<char>(o), {});
    r.err.assign(std::istreambuf_iterator<char>(e), {});
    fs::remove(out);
    fs::remove(err);
    return r;
}

class Ctladm : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!fs::exists(ctladm_path())) GTEST_SKIP() << ctladm_path() << " not built";
        dir_ = fs::temp_directory_path() / ("ctladm-test-" + std::to_string(::getpid()));
        sock_ = (dir_ / "ctld.sock").string();
        server_ = std::make_unique<ControlServer>(ServerSettings{sock_, "", 4}, engine_);
        thread_ = std::thread([this] { server_->run(); });
    }
    void TearDown() override {
        if (!server_) return;
        server_->stop();
        thread_.join();
        server_.reset();
        fs::remove_all(dir_);
    }
    Result ctladm(std::vector<std::string> args) {
        args.insert(args.begin(), {"--socket", sock_});
        return run(args);
    }

    FakeEngine engine_;
    fs::path dir_;
    std::string sock_;
    std::unique_ptr<ControlServer> server_;
    std::thread thread_;
};

}  // namespace

TEST_F(Ctladm, CreateListModifyRemove) {
    auto r = ctladm({"create", "-b", "ramdisk", "-s", "64m", "-l", "2", "-S", "ABC", "-d", "dev1",
                     "-o", "vendor=CAMX", "-o", "product=x=y", "-B", "4096"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("LUN created successfully"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("LUN ID:        2"), std::string::npos) << r.out;
    ASSERT_EQ(engine_.seen.size(), 1u);
    const auto& c = std::get<LunCreate>(engine_.seen[0].command);
    EXPECT_EQ(c.backend, "ramdisk");
    EXPECT_EQ(c.size_bytes, 64u << 20);
    EXPECT_EQ(c.blocksize_bytes, 4096u);
    EXPECT_EQ(c.lun, 2u);
    EXPECT_EQ(c.serial, "ABC");
    EXPECT_EQ(c.device_id, "dev1");
    EXPECT_EQ(c.options, (Options{{"vendor", "CAMX"}, {"product", "x=y"}}));

    r = ctladm({"devlist", "--json"});
    ASSERT_EQ(r.rc, 0) << r.err;
    json j = json::parse(r.out);
    EXPECT_EQ(j["version"], 1);
    ASSERT_EQ(j["luns"].size(), 1u);
    EXPECT_EQ(j["luns"][0]["lun"], 2);
    EXPECT_EQ(j["luns"][0]["blocks"], (64u << 20) / 4096);
    const json& opts = j["luns"][0]["options"];
    EXPECT_EQ(opts["vendor"], "CAMX");
    EXPECT_TRUE(opts["readonly"].is_boolean());
    EXPECT_TRUE(opts["writecache"].is_boolean());
    EXPECT_TRUE(opts["pblocksize"].is_number());

    r = ctladm({"devlist", "-v"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("   2 ramdisk           16384   4096 ABC              dev1"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("      vendor=CAMX"), std::string::npos) << r.out;
    // Each option once, under the name -o takes.
    for (const char* name : {"readonly=", "writecache=", "vendor=", "product=", "unmap=",
                             "removable=", "pblocksize="}) {
        std::size_t first = r.out.find(std::string("      ") + name);
        EXPECT_NE(first, std::string::npos) << name << r.out;
        EXPECT_EQ(r.out.find(std::string("      ") + name, first + 1), std::string::npos)
            << name << r.out;
    }
    EXPECT_EQ(r.out.find("write-cache"), std::string::npos) << r.out;

    r = ctladm({"modify", "-l", "2", "-s", "128m"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(std::get<LunModify>(engine_.seen.back().command).size_bytes, 128u << 20);

    r = ctladm({"remove", "-l", "2"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "LUN 2 removed successfully\n");
}

TEST_F(Ctladm, DaemonErrorsKeepTheirCategory) {
    ASSERT_EQ(ctladm({"create", "-b", "ramdisk", "-s", "1m", "-l", "0"}).rc, 0);
    auto r = ctladm({"create", "-b", "ramdisk", "-s", "1m", "-l", "0"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "ctladm: LUN 0 already exists\n");
    r = ctladm({"remove", "-l", "9", "--json"});
    EXPECT_EQ(r.rc, 100);
    json j = json::parse(r.out);
    EXPECT_EQ(j["error"]["category"], "no_device");
    EXPECT_EQ(j["error"]["message"], "no LUN 9");
    EXPECT_EQ(j["error"]["exit_code"], 100);
}

TEST_F(Ctladm, LocalChecksNeedNoRequest) {
    auto r = ctladm({"create", "-b", "file", "-o", "file=/nonexistent/disk.img"});
    EXPECT_EQ(r.rc, 15);
    EXPECT_EQ(r.err, "ctladm: /nonexistent/disk.img: No such file or directory\n");
    r = ctladm({"create", "-b", "file"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "ctladm: backend file needs -o file=PATH\n");
    r = ctladm({"create", "-b", "ramdisk"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "ctladm: backend ramdisk needs -s SIZE\n");
    r = ctladm({"create", "-b", "ramdisk", "-s", "1q"});
    EXPECT_EQ(r.rc, 1);
    r = ctladm({"create", "-b", "ramdisk", "-s", "1m", "-o", "novalue"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "ctladm: bad option 'novalue': expected name=value\n");
    r = ctladm({"create", "-b", "tape"});
    EXPECT_EQ(r.rc, 1);
    r = ctladm({"frobnicate"});
    EXPECT_EQ(r.rc, 1);
    r = ctladm({"islogout"});
    EXPECT_EQ(r.rc, 1);
    r = ctladm({"islogout", "-a", "-c", "3"});
    EXPECT_EQ(r.rc, 1);
    r = ctladm({"modify", "-l", "1"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_TRUE(engine_.seen.empty());

    // A file backend with an existing file goes through, the path in "path", not options.
    fs::path img = dir_ / "disk.img";
    std::ofstream(img) << "data";
    r = ctladm({"create", "-b", "file", "-o", "file=" + img.string()});
    ASSERT_EQ(r.rc, 0) << r.err;
    const auto& c = std::get<LunCreate>(engine_.seen.back().command);
    EXPECT_EQ(c.path, img.string());
    EXPECT_TRUE(c.options.empty());
}

TEST_F(Ctladm, Ports) {
    auto r = ctladm({"portlist", "-i", "-l"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("1    YES    iscsi    iscsi0           iqn.2024-01.org.camx:demo"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("  Init: iqn.1993-08.org.debian:01:abc"), std::string::npos);
    EXPECT_NE(r.out.find("  LUN 1: 3"), std::string::npos);
    r = ctladm({"portlist", "-v"});
    EXPECT_NE(r.out.find("  portal_group=pg0 portal_group_tag=1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  Portal: 127.0.0.1:3260"), std::string::npos) << r.out;
    r = ctladm({"portlist", "-f", "local"});
    EXPECT_EQ(r.out.find("iscsi0"), std::string::npos);
    EXPECT_NE(r.out.find("local0"), std::string::npos);

    r = ctladm({"port", "-c", "-d", "iscsi", "-p", "p9", "-t", "iqn.x:y", "-O", "tag=5", "-l",
                "127.0.0.1:3261"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(std::get<PortCreate>(engine_.seen.back().command),
              (PortCreate{"iscsi", "p9", "iqn.x:y", {{"tag", "5"}}, "127.0.0.1:3261"}));
    EXPECT_NE(r.out.find("Portal 127.0.0.1:3261 added to portal-group p9 (tag 5)"),
              std::string::npos)
        << r.out;
    r = ctladm({"port", "create", "-p", "p9", "-l", "[::1]:3262", "--json"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(std::get<PortCreate>(engine_.seen.back().command),
              (PortCreate{"iscsi", "p9", "", {}, "[::1]:3262"}));
    EXPECT_NE(r.out.find("\"portal_group_tag\": 5"), std::string::npos) << r.out;
    EXPECT_EQ(ctladm({"port", "create", "-p", "p9"}).rc, 1);  // no -l
    EXPECT_EQ(ctladm({"port", "create", "-r", "-p", "p9"}).rc, 1);
    r = ctladm({"port", "remove", "-p", "p9", "-l", "127.0.0.1:3261"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(std::get<PortRemove>(engine_.seen.back().command),
              (PortRemove{"p9", "127.0.0.1:3261"}));
    r = ctladm({"port", "-o", "off", "-p", "p9"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(std::get<PortOffline>(engine_.seen.back().command).port, "p9");
    r = ctladm({"port", "-r", "-p", "p9"});
    ASSERT_EQ(r.rc, 0);
    EXPECT_EQ(std::get<PortRemove>(engine_.seen.back().command).port, "p9");
    EXPECT_EQ(ctladm({"port", "-c", "-r", "-p", "x"}).rc, 1);
    EXPECT_EQ(ctladm({"port"}).rc, 1);

    r = ctladm({"lunmap", "-p", "iscsi0", "-l", "1", "-L", "3"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(std::get<LunMap>(engine_.seen.back().command), (LunMap{"iscsi0", 1, 3}));
    r = ctladm({"lunmap", "-p", "iscsi0", "-l", "1"});
    EXPECT_EQ(std::get<LunMap>(engine_.seen.back().command), (LunMap{"iscsi0", 1, std::nullopt}));
}

TEST_F(Ctladm, SessionsStatsOnline) {
    auto r = ctladm({"islist"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("4      127.0.0.1"), std::string::npos) << r.out;
    r = ctladm({"islist", "-v", "--json"});
    EXPECT_EQ(json::parse(r.out)["sessions"][0]["connection_id"], 4);
    r = ctladm({"islogout", "-i", "iqn.1993-08.org.debian:01:abc"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(std::get<SessionLogout>(engine_.seen.back().command).initiator_name,
              "iqn.1993-08.org.debian:01:abc");
    r = ctladm({"stats"});
    ASSERT_EQ(r.rc, 0) << r.err;
    // 10 reads in 10 ms: 1000 us each; 20 writes in 40 ms: 2000 us each.
    EXPECT_NE(r.out.find("1000.0    2000.0"), std::string::npos) << r.out;
    r = ctladm({"offline", "-l", "0"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "LUN 0 offline\n");
    EXPECT_EQ(std::get<LunOffline>(engine_.seen.back().command).lun, 0u);
}

TEST(CtladmNoDaemon, ClearMessageAndExitCode) {
    if (!fs::exists(ctladm_path())) GTEST_SKIP() << ctladm_path() << " not built";
    auto r = run({"--socket", "/nonexistent/ctld.sock", "devlist"});
    EXPECT_EQ(r.rc, 35);
    EXPECT_EQ(r.err,
              "ctladm: cannot connect to ctld at /nonexistent/ctld.sock: No such file or directory "
              "(is ctld running?)\n");
    r = run({"devlist", "--json", "--socket", "/nonexistent/ctld.sock"});
    EXPECT_EQ(r.rc, 35);
    EXPECT_EQ(json::parse(r.out)["error"]["category"], "transport");
    EXPECT_TRUE(r.err.empty());
}
