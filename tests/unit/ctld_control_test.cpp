// SPDX-License-Identifier: BSD-2-Clause
// ctld's control protocol: request/response codec, the socket server with a fake handler,
// the client, and the peer check.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "camx/error/error.hpp"
#include "camx/target_config/control.hpp"
#include "camx/target_config/control_socket.hpp"

using namespace camx;
using namespace camx::target_config::control;
using nlohmann::json;

namespace {

Category error_category(const std::string& line) {
    try {
        decode_request(line);
    } catch (const Error& e) {
        return e.category();
    }
    return Category::other;
}

// Answers with what it was asked, so tests see the decoded request; fails on demand.
class EchoHandler : public ControlHandler {
  public:
    json handle(const Request& r) override {
        if (auto* c = std::get_if<LunCreate>(&r.command); c && c->lun == 7u)
            throw Error(Category::usage, "LUN 7 already exists");
        if (std::holds_alternative<Reload>(r.command)) throw std::runtime_error("boom");
        return {{"command", command_name(r.command)}, {"uid", r.peer.uid}};
    }
};

std::string temp_socket() {
    return (std::filesystem::temp_directory_path() /
            ("camx-ctl-test-" + std::to_string(::getpid()) + "/ctld.sock"))
        .string();
}

struct Running {
    EchoHandler handler;
    ControlServer server;
    std::thread thread;
    explicit Running(const std::string& path) : Running(ServerSettings{path, "", 4}) {}
    explicit Running(ServerSettings s) : server(std::move(s), handler) {
        thread = std::thread([this] { server.run(); });
    }
    ~Running() {
        server.stop();
        thread.join();
    }
};

// A raw connection to the socket, for clients that misbehave.
int raw_connect(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path.c_str());
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
        if (fd >= 0) ::close(fd);
        return -1;
    }
    return fd;
}

// Everything the server sends until it closes, or "<open>" when it is still open after
// `wait_ms`.
std::string read_until_closed(int fd, int wait_ms) {
    std::string got;
    char buf[4096];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return "<open>";
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) return got;
        got.append(buf, static_cast<std::size_t>(n));
    }
}

bool wait_for(const std::function<bool()>& done, int wait_ms = 5000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace

TEST(CtldControl, RequestRoundTrip) {
    LunCreate c;
    c.backend = "file";
    c.lun = 3;
    c.path = "/tmp/x";
    c.size_bytes = 1 << 20;
    c.blocksize_bytes = 4096;
    c.serial = "S1";
    c.device_id = "D1";
    c.options = {{"vendor", "V"}};
    std::vector<Command> all{Ping{},
                             c,
                             LunRemove{4},
                             LunModify{4, 1 << 30, {{"readonly", "on"}}},
                             LunModify{5, 0, {}, true},
                             LunList{},
                             LunOnline{},
                             LunOffline{2},
                             PortCreate{"iscsi", "p0", "iqn.2000-01.x:y", {{"tag", "3"}}, ""},
                             PortRemove{"p0", ""},
                             PortCreate{"iscsi", "pg1", "", {}, "[::1]:3261"},
                             PortRemove{"pg1", "127.0.0.1:3261"},
                             PortOnline{"1"},
                             PortOffline{},
                             PortList{},
                             LunMap{"p0", 5, 3},
                             LunMap{"p0", 5, std::nullopt},
                             SessionList{},
                             SessionLogout{false, 12, "", ""},
                             SessionLogout{true, std::nullopt, "", ""},
                             Stats{1},
                             Reload{}};
    LunCreate enc;
    enc.device_type = "enclosure";
    enc.lun = 9;
    enc.options = {{"slots", "4"}, {"slot-luns", "0,1"}};
    all.push_back(enc);
    all.push_back(LunSimulate{9, {"psu:0:fail", "fan:1:0"}});
    for (std::size_t i = 0; i < all.size(); ++i) {
        std::string line = encode_request(100 + i, all[i]);
        ASSERT_EQ(line.back(), '\n');
        EXPECT_EQ(line.find('\n'), line.size() - 1);
        Request r = decode_request(line);
        EXPECT_EQ(r.id, 100 + i);
        EXPECT_EQ(r.command, all[i]) << line;
    }
    EXPECT_EQ(encode_request(1, LunRemove{4}),
              "{\"args\":{\"lun\":4},\"command\":\"lun.remove\",\"id\":1,\"version\":1}\n");
}

TEST(CtldControl, BadRequests) {
    EXPECT_EQ(error_category("not json"), Category::malformed);
    EXPECT_EQ(error_category("[1]"), Category::malformed);
    EXPECT_EQ(error_category(R"({"version":2,"id":1,"command":"ping"})"), Category::unsupported);
    EXPECT_EQ(error_category(R"({"version":1,"id":1,"command":"frob"})"), Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"id":1,"command":"lun.remove"})"), Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.remove","args":{"lun":-1}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.remove","args":{"lun":4294967296}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.remove","args":{"lun":1,"x":2}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.create","args":{"backend":"tape"}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.create","args":{"backend":"file",)"
                             R"("options":{"a":1}}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.modify","args":{"lun":1}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"session.logout","args":{}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"session.logout","args":{"all":true,)"
                             R"("initiator_name":"x"}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"ping","extra":1})"), Category::usage);
    // An enclosure has no backend; anything else needs one.
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.create","args":)"
                             R"({"device_type":"enclosure","backend":"ramdisk"}})"),
              Category::usage);
    EXPECT_EQ(
        error_category(R"({"version":1,"command":"lun.create","args":{"device_type":"disk"}})"),
        Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.simulate","args":{"lun":1}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.simulate","args":{"lun":1,)"
                             R"("conditions":[]}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.simulate","args":{"lun":1,)"
                             R"("conditions":"psu:0:fail"}})"),
              Category::usage);
    EXPECT_EQ(error_category(R"({"version":1,"command":"lun.simulate","args":{"lun":1,)"
                             R"("conditions":[1]}})"),
              Category::usage);
    std::uint64_t id = 0;
    EXPECT_THROW(decode_request(R"({"version":1,"id":42,"command":"frob"})", &id), Error);
    EXPECT_EQ(id, 42u);
}

TEST(CtldControl, Responses) {
    EXPECT_EQ(decode_response(encode_result(5, {{"a", 1}}), 5), (json{{"a", 1}}));
    try {
        decode_response(encode_error(5, Error(Category::no_device, "no LUN 9")), 5);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::no_device);
        EXPECT_STREQ(e.what(), "no LUN 9");
    }
    EXPECT_EQ(encode_error(5, Error(Category::busy, "x")),
              "{\"error\":{\"category\":\"busy\",\"message\":\"x\"},\"id\":5,\"version\":1}\n");
    for (const char* bad : {"", "{}", "{\"id\":4,\"result\":{}}", "{\"id\":5,\"result\":1}",
                            "{\"error\":{\"category\":1}}"}) {
        try {
            decode_response(bad, 5);
            ADD_FAILURE() << bad;
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), Category::malformed) << bad;
        }
    }
    EXPECT_EQ(category_from_name("reservation_conflict"), Category::reservation_conflict);
    EXPECT_EQ(category_from_name("nonsense"), Category::other);
}

TEST(CtldControl, ResultModelsRoundTrip) {
    LunInfo l;
    l.lun = 3;
    l.name = "n";
    l.backend = "ramdisk";
    l.size_bytes = 1 << 20;
    l.blocks = 2048;
    l.serial = "S";
    l.device_id = "D";
    l.naa = "3000000000000abc";
    l.options = {"V", "P", "R", 4096, false, false, true, false};
    EXPECT_EQ(json(l).get<LunInfo>(), l);
    // Options: the names -o takes, booleans as booleans, the size as a number.
    EXPECT_EQ(
        json(l)["options"],
        json::parse(R"({"vendor":"V","product":"P","revision":"R","pblocksize":4096,)"
                    R"("readonly":false,"removable":false,"unmap":true,"writecache":false})"));
    json string_flag = l;
    string_flag["options"]["writecache"] = "off";
    EXPECT_THROW(string_flag.get<LunInfo>(), Error);
    // An enclosure's options are its INQUIRY strings.
    LunInfo enc_options = l;
    enc_options.options = {"V", "P", "R"};
    EXPECT_EQ(json(enc_options)["options"],
              json::parse(R"({"vendor":"V","product":"P","revision":"R"})"));
    EXPECT_EQ(json(enc_options).get<LunInfo>(), enc_options);
    PortInfo p{1,
               "p0",
               "iscsi",
               "iqn.x",
               true,
               2,
               {{0, 3}, {1, 4}},
               {"iqn.i"},
               "pg0",
               {"127.0.0.1:3260", "[::1]:3260"}};
    EXPECT_EQ(json(p).get<PortInfo>(), p);
    PortalInfo portal{"pg1", 3, "127.0.0.1:3261", {p}};
    EXPECT_EQ(json(portal).get<PortalInfo>(), portal);
    // An older daemon's PortInfo has no portal group and portals.
    json old = json(p);
    old.erase("portal_group");
    old.erase("portals");
    EXPECT_EQ(old.get<PortInfo>().portals, std::vector<std::string>{});
    SessionInfo s;
    s.connection_id = 9;
    s.initiator_name = "iqn.i";
    s.header_digest = "CRC32C";
    EXPECT_EQ(json(s).get<SessionInfo>(), s);
    LunStats st{3, 1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_EQ(json(st).get<LunStats>(), st);
    LunInfo e = l;
    e.device_type = "enclosure";
    e.enclosure = EnclosureInfo{4, 2, 2, 1, 1, {0u, std::nullopt, 1u, std::nullopt}, 3};
    json ej = e;
    EXPECT_EQ(ej["enclosure"]["slot_luns"], json::parse("[0,null,1,null]"));
    EXPECT_EQ(ej.get<LunInfo>(), e);
    EXPECT_FALSE(json(l).contains("enclosure"));
    ej["enclosure"]["slot_luns"] = json::array({"x"});
    EXPECT_THROW(ej.get<LunInfo>(), Error);
    json broken = l;
    broken.erase("blocks");
    EXPECT_THROW(broken.get<LunInfo>(), Error);
    broken = p;
    broken["online"] = "yes";
    EXPECT_THROW(broken.get<PortInfo>(), Error);
}

// devlist's identification and persistent reservation state: optional designators are left
// out when not configured, keys are numbers, no reservation is null.
TEST(CtldControl, LunInfoIdentificationAndReservations) {
    LunInfo l;
    l.lun = 1;
    l.serial = "SER1";
    l.device_id = "CTL DISK SER1";
    l.naa = "3123456789abcdef";
    json plain = l;
    EXPECT_EQ(plain["naa"], "3123456789abcdef");
    EXPECT_EQ(plain["device_id"], "CTL DISK SER1");
    EXPECT_FALSE(plain.contains("eui"));
    EXPECT_FALSE(plain.contains("uuid"));
    EXPECT_FALSE(plain.contains("scsiname"));
    EXPECT_EQ(plain["persistent_reservation"],
              json::parse(R"({"generation":0,"aptpl":false,"registrations":[],)"
                          R"("reservation":null})"));
    EXPECT_EQ(plain.get<LunInfo>(), l);

    l.eui = "0011223344556677";
    l.uuid = "12345678-9abc-def0-1234-56789abcdef0";
    l.scsiname = "iqn.2024-01.org.camx:lun1";
    l.persistent_reservation.generation = 3;
    l.persistent_reservation.aptpl = true;
    l.persistent_reservation.registrations = {
        {0xabc, "iqn.2024-01.org.camx:init", "400001370000", 1, false},
        {0xffffffffffffffffULL, "iqn.2024-01.org.camx:other", "", 2, true}};
    l.persistent_reservation.reservation = PrReservationInfo{
        0xabc, 1, "Write Exclusive", 0, "iqn.2024-01.org.camx:init", "400001370000"};
    json full = l;
    EXPECT_EQ(full["eui"], "0011223344556677");
    EXPECT_EQ(full["scsiname"], "iqn.2024-01.org.camx:lun1");
    const json& pr = full["persistent_reservation"];
    EXPECT_EQ(pr["generation"], 3);
    EXPECT_EQ(pr["registrations"][0]["key"], 0xabc);
    EXPECT_EQ(pr["registrations"][1]["key"], 0xffffffffffffffffULL);
    EXPECT_EQ(pr["registrations"][1]["all_tg_pt"], true);
    EXPECT_EQ(pr["reservation"]["type"], 1);
    EXPECT_EQ(pr["reservation"]["type_name"], "Write Exclusive");
    EXPECT_EQ(pr["reservation"]["holder"], "iqn.2024-01.org.camx:init");
    EXPECT_EQ(full.get<LunInfo>(), l);

    json broken = full;
    broken["persistent_reservation"]["registrations"][0]["key"] = "0xabc";
    EXPECT_THROW(broken.get<LunInfo>(), Error);
    broken = full;
    broken["persistent_reservation"]["reservation"].erase("type");
    EXPECT_THROW(broken.get<LunInfo>(), Error);
    broken = full;
    broken.erase("persistent_reservation");
    EXPECT_THROW(broken.get<LunInfo>(), Error);
    broken = full;
    broken["uuid"] = 5;
    EXPECT_THROW(broken.get<LunInfo>(), Error);
}

TEST(CtldControl, ServerAndClient) {
    std::string path = temp_socket();
    {
        Running r(path);
        ControlClient a(path);
        ControlClient b(path);
        EXPECT_EQ(a.call(Ping{})["command"], "ping");
        EXPECT_EQ(b.call(LunList{})["command"], "lun.list");
        EXPECT_EQ(a.call(Stats{})["uid"], ::getuid());
        try {
            LunCreate c;
            c.backend = "ramdisk";
            c.lun = 7;
            a.call(c);
            FAIL();
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), Category::usage);
            EXPECT_STREQ(e.what(), "LUN 7 already exists");
        }
        try {
            a.call(Reload{});
            FAIL();
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), Category::other);
            EXPECT_STREQ(e.what(), "boom");
        }
        // The connection survives errors.
        EXPECT_EQ(a.call(PortList{})["command"], "port.list");

        // A second server on a live socket refuses to start.
        EchoHandler h;
        try {
            ControlServer again(ServerSettings{path, "", 4}, h);
            FAIL();
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), Category::busy);
        }
    }
    EXPECT_FALSE(std::filesystem::exists(path));  // removed on shutdown
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(CtldControl, RawLinesAndLimits) {
    std::string path = temp_socket();
    Running r(path);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path.c_str());
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    // Two requests in one write, one of them garbage: two answers, in order.
    std::string two = "garbage\n{\"version\":1,\"id\":3,\"command\":\"ping\"}\n";
    ASSERT_EQ(::send(fd, two.data(), two.size(), 0), static_cast<ssize_t>(two.size()));
    std::string got;
    char buf[4096];
    while (std::count(got.begin(), got.end(), '\n') < 2) {
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        ASSERT_GT(n, 0);
        got.append(buf, static_cast<std::size_t>(n));
    }
    auto nl = got.find('\n');
    json first = json::parse(got.substr(0, nl));
    json second = json::parse(got.substr(nl + 1));
    EXPECT_EQ(first["error"]["category"], "malformed");
    EXPECT_EQ(first["id"], 0);
    EXPECT_EQ(second["id"], 3);
    EXPECT_EQ(second["result"]["command"], "ping");
    // An endless line is cut off with an error and the connection closed.
    std::string big(kMaxLine + 10, 'x');
    std::size_t sent = 0;
    while (sent < big.size()) {
        ssize_t n = ::send(fd, big.data() + sent, big.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    got.clear();
    while (true) {
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    EXPECT_NE(got.find("request line too long"), std::string::npos);
    ::close(fd);
}

TEST(CtldControl, NoDaemon) {
    try {
        ControlClient c("/nonexistent-dir/ctld.sock");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::transport);
        EXPECT_STREQ(e.what(),
                     "cannot connect to ctld at /nonexistent-dir/ctld.sock: No such file or "
                     "directory (is ctld running?)");
    }
}

TEST(CtldControl, PeerCheckRejectsOtherUsers) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another uid";
    std::string path = temp_socket();
    Running r(path);
    // Let uid 65534 reach the socket file, so that only the SO_PEERCRED check stops it.
    ::chmod(std::filesystem::path(path).parent_path().c_str(), 0755);
    ::chmod(path.c_str(), 0666);
    int pipefd[2];
    ASSERT_EQ(::pipe(pipefd), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pipefd[0]);
        int rc = 1;
        if (::setgid(65534) == 0 && ::setuid(65534) == 0) {
            try {
                ControlClient c(path);
                c.call(Ping{});
                rc = 2;
            } catch (const Error& e) {
                rc = e.category() == Category::file ? 0 : 3;
                [[maybe_unused]] auto n = ::write(pipefd[1], e.what(), std::strlen(e.what()));
            }
        }
        ::_exit(rc);
    }
    ::close(pipefd[1]);
    char msg[256] = {};
    [[maybe_unused]] auto n = ::read(pipefd[0], msg, sizeof(msg) - 1);
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << msg;
    EXPECT_EQ(std::string(msg), "permission denied: uid 65534 may not use " + path);
}

// An idle client, and one that sends a request a byte at a time, are told and closed after
// the idle timeout; one that keeps asking stays.
TEST(CtldControl, IdleClientsAreClosed) {
    std::string path = temp_socket();
    ServerSettings s{path, "", 4};
    s.idle_timeout = std::chrono::milliseconds(300);
    Running r(s);
    int idle = raw_connect(path);
    int slow = raw_connect(path);
    ASSERT_GE(idle, 0);
    ASSERT_GE(slow, 0);
    ControlClient busy(path);
    std::string request = encode_request(1, Ping{});
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 12; ++i) {
        // Fails once the server has closed it, which is the point.
        [[maybe_unused]] auto n = ::send(slow, request.data() + i % 5, 1, MSG_NOSIGNAL);
        EXPECT_EQ(busy.call(Ping{})["command"], "ping");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // 600 ms: twice the timeout, and the client that kept asking still has its connection.
    EXPECT_EQ(busy.call(Ping{})["command"], "ping");
    std::string said = read_until_closed(idle, 2000);
    ASSERT_NE(said, "<open>");
    json j = json::parse(said);
    EXPECT_EQ(j["error"]["category"], "timeout");
    EXPECT_EQ(j["error"]["message"], "no request for 300 ms: connection closed");
    std::string slow_said = read_until_closed(slow, 2000);
    EXPECT_NE(slow_said.find("no request for 300 ms"), std::string::npos) << slow_said;
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
    EXPECT_TRUE(wait_for([&] { return r.server.stats().clients == 1; }));
    ::close(idle);
    ::close(slow);
}

// Past max_clients a client gets Error(busy) "too many control clients", not a closed
// connection; once one leaves, the next gets in.
TEST(CtldControl, TooManyClients) {
    std::string path = temp_socket();
    ServerSettings s{path, "", 2};
    Running r(s);
    int first = raw_connect(path);
    int second = raw_connect(path);
    ASSERT_GE(first, 0);
    ASSERT_GE(second, 0);
    ASSERT_TRUE(wait_for([&] { return r.server.stats().clients == 2; }));
    try {
        ControlClient c(path);
        c.call(Ping{});
        FAIL() << "a third client was served";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::busy);
        EXPECT_EQ(std::string(e.what()), "ctld at " + path +
                                             " has too many control clients (2 at most); try "
                                             "again later");
        EXPECT_EQ(e.exit_code(), 26);
    }
    ::close(first);
    ASSERT_TRUE(wait_for([&] { return r.server.stats().clients == 1; }));
    ControlClient c(path);
    EXPECT_EQ(c.call(Ping{})["command"], "ping");
    ::close(second);
}

// 30,000 pipelined requests whose answers are never read: the server stops reading them once
// the unread answers pass the cap, keeps serving others, and closes the client when it stays
// over the cap.
TEST(CtldControl, OutputCapHoldsBackRequests) {
    std::string path = temp_socket();
    ServerSettings s{path, "", 4};
    s.max_output_bytes = 64 * 1024;
    s.idle_timeout = std::chrono::milliseconds(1000);
    Running r(s);
    int fd = raw_connect(path);
    ASSERT_GE(fd, 0);
    std::string requests;
    for (int i = 1; i <= 30000; ++i) requests += encode_request(i, LunList{});
    std::size_t answer = encode_result(30000, json{{"command", "lun.list"}, {"uid", 0}}).size();
    ASSERT_EQ(::fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    // Sends until everything went or nothing more goes for half a second.
    std::size_t sent = 0;
    auto progress = std::chrono::steady_clock::now();
    while (sent < requests.size() &&
           std::chrono::steady_clock::now() - progress < std::chrono::milliseconds(500)) {
        ssize_t n = ::send(fd, requests.data() + sent, requests.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            progress = std::chrono::steady_clock::now();
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    // The server stopped taking requests: the socket filled up before they were all sent.
    EXPECT_LT(sent, requests.size());
    ControlClient other(path);
    EXPECT_EQ(other.call(Ping{})["command"], "ping");
    ServerStats st = r.server.stats();
    EXPECT_LE(st.peak_output_bytes, s.max_output_bytes + answer);
    EXPECT_LE(st.buffered_bytes, s.max_output_bytes + answer + 65536 + kMaxLine);
    // Over the cap for the idle timeout: closed, having answered only part of the requests.
    ASSERT_EQ(::fcntl(fd, F_SETFL, 0), 0);
    EXPECT_TRUE(wait_for([&] { return r.server.stats().clients == 1; }, 5000));
    std::string said = read_until_closed(fd, 5000);
    ASSERT_NE(said, "<open>");
    EXPECT_LT(std::count(said.begin(), said.end(), '\n'), 30000);
    EXPECT_LE(r.server.stats().peak_output_bytes, s.max_output_bytes + answer);
    ::close(fd);
}
