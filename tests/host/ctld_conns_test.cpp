// SPDX-License-Identifier: BSD-2-Clause
// ctld as a hostile initiator meets it, over raw TCP on 127.0.0.1: hundreds of connections
// that never finish a login (threads and memory stay bounded, other logins still served), a
// login sent a byte at a time (closed at the login deadline, counted from accept), maxproc
// and connection-limit refusals, failed CHAP logins in the log, the pid file and
// configuration errors. Runs the ctld binary (CAMX_CTLD overrides which, to try an older
// build).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "camx/iscsi/pdu.hpp"
#include "camx/iscsi/text_params.hpp"
#include "camx/transport/fd.hpp"

namespace {

using namespace std::chrono_literals;
using camx::transport::UniqueFd;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr const char* kTarget = "iqn.2024-01.org.camx:conns";
constexpr const char* kInitiator = "iqn.2024-01.org.camx:conns-initiator";

std::string ctld_binary() {
    const char* env = std::getenv("CAMX_CTLD");
    return env && *env ? env : CTLD_BINARY;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A port nobody listens on now (the kernel's pick for an ephemeral bind).
int free_port() {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
        return 0;
    return ntohs(a.sin_port);
}

UniqueFd connect_to(int port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return {};
    return fd;
}

// True when the peer closed the connection within `within` (EOF or reset); bytes it sends
// (a login response) are read and dropped.
bool closed_within(int fd, std::chrono::milliseconds within) {
    auto until = Clock::now() + within;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
    }
}

// The first Login Request of a normal session, continued (C bit): the target acknowledges it
// and waits for the rest.
camx::Bytes login_request(bool continued) {
    camx::iscsi::LoginRequest rq;
    rq.continue_bit = continued;
    rq.isid = {0x80, 0, 0, 0, 0, 1};
    rq.data = camx::iscsi::encode_text({{"InitiatorName", kInitiator},
                                        {"TargetName", kTarget},
                                        {"SessionType", "Normal"},
                                        {"AuthMethod", "None"}});
    return camx::iscsi::serialize(rq.encode());
}

struct ProcStatus {
    long threads = 0;
    long rss_kib = 0;
    long hwm_kib = 0;
};

ProcStatus proc_status(pid_t pid) {
    ProcStatus s;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (in >> key) {
        if (key == "Threads:")
            in >> s.threads;
        else if (key == "VmRSS:")
            in >> s.rss_kib;
        else if (key == "VmHWM:")
            in >> s.hwm_kib;
        in.ignore(1 << 20, '\n');
    }
    return s;
}

// One ctld on its own port, directory and control socket; stopped at the end.
class Ctld : public ::testing::Test {
  protected:
    void SetUp() override {
        rlimit r{};
        ::getrlimit(RLIMIT_NOFILE, &r);
        r.rlim_cur = r.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &r);
        char tmpl[] = "/tmp/ctld-conns.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir = tmpl;
    }
    void TearDown() override {
        stop();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    // ctl.conf with `globals` at the top and `pg` inside portal group pg0.
    std::string config(const std::string& globals, const std::string& pg = "",
                       const std::string& auth = "auth-group no-authentication") {
        port = free_port();
        std::ostringstream c;
        c << "control-socket \"" << (dir / "ctld.sock").string() << "\"\n"
          << "state-dir \"" << (dir / "state").string() << "\"\n"
          << globals << "\n"
          << "portal-group pg0 {\n  discovery-auth-group no-authentication\n"
          << "  listen 127.0.0.1:" << port << "\n  " << pg << "\n}\n"
          << "target " << kTarget << " {\n  " << auth << "\n  portal-group pg0\n"
          << "  lun 0 { backend ramdisk; size 16m }\n}\n";
        return c.str();
    }

    // Runs ctld -f on the configuration; true once it listens.
    bool start(const std::string& text) {
        conf = dir / "ctl.conf";
        std::ofstream(conf) << text;
        log = dir / "ctld.log";
        std::error_code ec;
        fs::remove(log, ec);  // no "listening on" of an earlier run
        pid = run({"-f", conf.string()}, log);
        for (int i = 0; i < 100; ++i) {
            if (slurp(log).find("listening on") != std::string::npos) return true;
            int st = 0;
            if (::waitpid(pid, &st, WNOHANG) == pid) {
                pid = -1;
                ADD_FAILURE() << "ctld exited:\n" << slurp(log);
                return false;
            }
            std::this_thread::sleep_for(50ms);
        }
        ADD_FAILURE() << "ctld does not listen:\n" << slurp(log);
        return false;
    }

    pid_t run(const std::vector<std::string>& args, const fs::path& out) {
        std::string bin = ctld_binary();
        pid_t p = ::fork();
        if (p == 0) {
            int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            if (nproc) {
                rlimit r{nproc, nproc};
                ::setrlimit(RLIMIT_NPROC, &r);
            }
            if (as_uid && (::setgid(as_uid) != 0 || ::setuid(as_uid) != 0)) ::_exit(126);
            std::vector<char*> argv{bin.data()};
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(bin.c_str(), argv.data());
            ::_exit(127);
        }
        return p;
    }

    // ctld ARGS to the end: its exit code, with its output in `output`; -1 when it was
    // still running after 10 s (and was stopped).
    int run_to_end(const std::vector<std::string>& args, std::string& output) {
        fs::path out = dir / "run.out";
        pid_t p = run(args, out);
        int st = 0;
        bool ended = false;
        for (int i = 0; i < 200 && !ended; ++i) {
            ended = ::waitpid(p, &st, WNOHANG) == p;
            if (!ended) std::this_thread::sleep_for(50ms);
        }
        if (!ended) {
            ::kill(p, SIGKILL);
            ::waitpid(p, &st, 0);
        }
        output = slurp(out);
        return ended && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }

    void stop() {
        if (pid <= 0) return;
        ::kill(pid, SIGTERM);
        int st = 0;
        ::waitpid(pid, &st, 0);
        pid = -1;
    }

    // A logged-in session (nullptr when the login failed, with the reason in err).
    iscsi_context* session(std::string& err, const char* user = nullptr,
                           const char* secret = nullptr) {
        iscsi_context* ctx = iscsi_create_context(kInitiator);
        if (user) iscsi_set_initiator_username_pwd(ctx, user, secret);
        iscsi_set_targetname(ctx, kTarget);
        iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL);
        iscsi_set_header_digest(ctx, ISCSI_HEADER_DIGEST_NONE);
        // A dead ctld fails the test instead of hanging it in reconnects.
        iscsi_set_timeout(ctx, 10);
        iscsi_set_noautoreconnect(ctx, 1);
        std::string portal = "127.0.0.1:" + std::to_string(port);
        if (iscsi_full_connect_sync(ctx, portal.c_str(), 0) == 0) return ctx;
        err = std::string("login: ") + iscsi_get_error(ctx);
        iscsi_destroy_context(ctx);
        return nullptr;
    }

    // TEST UNIT READY on a session; empty when it worked.
    static std::string test_unit_ready(iscsi_context* ctx) {
        scsi_task* t = iscsi_testunitready_sync(ctx, 0);
        if (!t) return std::string("TEST UNIT READY: ") + iscsi_get_error(ctx);
        bool good = t->status == SCSI_STATUS_GOOD;
        scsi_free_scsi_task(t);
        return good ? "" : "TEST UNIT READY: not GOOD";
    }

    // A normal session: login, TEST UNIT READY, logout. Empty when it worked.
    std::string normal_session(const char* user = nullptr, const char* secret = nullptr) {
        std::string err;
        iscsi_context* ctx = session(err, user, secret);
        if (!ctx) return err;
        err = test_unit_ready(ctx);
        iscsi_logout_sync(ctx);
        iscsi_destroy_context(ctx);
        return err;
    }

    fs::path dir, conf, log;
    pid_t pid = -1;
    int port = 0;
    uid_t as_uid = 0;  // not 0: ctld runs as this user
    rlim_t nproc = 0;  // not 0: with this RLIMIT_NPROC
};

// 500 connections that send one byte each and nothing more: before ctld gave each a thread
// and a 1 MiB buffer (448 threads, 468 MB); now they wait in the acceptor's poll set.
TEST_F(Ctld, IdleConnectionsCostNoThreads) {
    ASSERT_TRUE(start(config("maxproc 1000\ntimeout 120")));
    ProcStatus before = proc_status(pid);
    std::vector<UniqueFd> conns;
    const std::uint8_t first = 0x43;  // the first byte of a Login Request
    for (int i = 0; i < 500; ++i) {
        UniqueFd fd = connect_to(port);
        ASSERT_TRUE(fd.valid()) << "connection " << i << ": " << std::strerror(errno);
        ASSERT_EQ(::send(fd.get(), &first, 1, MSG_NOSIGNAL), 1);
        conns.push_back(std::move(fd));
    }
    std::this_thread::sleep_for(1500ms);
    ProcStatus during = proc_status(pid);
    EXPECT_EQ(normal_session(), "") << "a real initiator is still served";
    ProcStatus after = proc_status(pid);
    std::printf(
        "ctld with 500 one-byte connections: threads %ld -> %ld, RSS %ld -> %ld KiB, "
        "peak RSS %ld KiB\n",
        before.threads, during.threads, before.rss_kib, during.rss_kib, after.hwm_kib);
    EXPECT_LE(during.threads, before.threads + 4);
    EXPECT_LE(during.rss_kib, before.rss_kib + 16 * 1024);
    EXPECT_LE(after.hwm_kib, before.rss_kib + 32 * 1024);
    // Every one of them is still open: they are waiting, not refused.
    int open = 0;
    for (auto& c : conns) open += !closed_within(c.get(), 0ms);
    EXPECT_EQ(open, 500);
}

// A connection that says nothing is closed at the login deadline; so is one that sends its
// login a byte every half second (slowloris), though each byte arrives well within it.
TEST_F(Ctld, LoginDeadlineCountsFromAccept) {
    ASSERT_TRUE(start(config("timeout 3")));
    UniqueFd silent = connect_to(port);
    UniqueFd slow = connect_to(port);
    UniqueFd slow_after_first = connect_to(port);
    ASSERT_TRUE(silent.valid() && slow.valid() && slow_after_first.valid());
    auto t0 = Clock::now();
    // One whole (continued) Login Request first, so this one is on a thread in the login.
    camx::Bytes first = login_request(true);
    ASSERT_EQ(::send(slow_after_first.get(), first.data(), first.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(first.size()));
    camx::Bytes rest = login_request(false);
    bool slow_closed = false, slow2_closed = false;
    for (std::size_t i = 0; i < rest.size() && Clock::now() - t0 < 8s; ++i) {
        if (!slow_closed) {
            if (::send(slow.get(), &rest[i], 1, MSG_NOSIGNAL) != 1 ||
                closed_within(slow.get(), 0ms))
                slow_closed = true;
        }
        if (!slow2_closed) {
            if (::send(slow_after_first.get(), &rest[i], 1, MSG_NOSIGNAL) != 1 ||
                closed_within(slow_after_first.get(), 0ms))
                slow2_closed = true;
        }
        if (slow_closed && slow2_closed) break;
        std::this_thread::sleep_for(500ms);
    }
    auto took = Clock::now() - t0;
    EXPECT_TRUE(slow_closed) << "a login sent a byte at a time outlived the 3 s deadline";
    EXPECT_TRUE(slow2_closed) << "a login continued a byte at a time outlived the 3 s deadline";
    EXPECT_LT(took, 5s);
    EXPECT_TRUE(closed_within(silent.get(), 1s)) << "a silent connection outlived the deadline";
    EXPECT_EQ(normal_session(), "");
}

// A peer that keeps the login going (empty continued Login Requests, each answered) as
// fast as it can but never reads the answers: ctld does not buffer them for it (before the
// 30 s login deadline it had megabytes of them queued), it drops the connection.
TEST_F(Ctld, UnreadLoginAnswersDropTheConnection) {
    ASSERT_TRUE(start(config("timeout 30")));
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int small = 4096;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ProcStatus before = proc_status(pid);
    ASSERT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    auto t0 = Clock::now();
    camx::iscsi::LoginRequest rq;
    rq.continue_bit = true;
    rq.isid = {0x80, 0, 0, 0, 0, 2};
    camx::Bytes pdu = camx::iscsi::serialize(rq.encode());
    camx::Bytes burst;
    for (int i = 0; i < 256; ++i) burst.insert(burst.end(), pdu.begin(), pdu.end());
    bool closed = false;
    while (!closed && Clock::now() - t0 < 8s) {
        ssize_t n = ::send(fd.get(), burst.data(), burst.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN && errno != EINTR) closed = true;
        pollfd p{fd.get(), POLLRDHUP, 0};
        if (::poll(&p, 1, n < 0 ? 50 : 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
            closed = true;
    }
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
    EXPECT_TRUE(closed) << "a login whose answers are never read went on for 8 s";
    ProcStatus after = proc_status(pid);
    std::printf(
        "ctld with a login whose answers are not read: closed after %lld ms, RSS %ld -> "
        "%ld KiB (peak)\n",
        static_cast<long long>(took.count()), before.rss_kib, after.hwm_kib);
    EXPECT_LE(after.hwm_kib, before.rss_kib + 4 * 1024) << "the unread answers piled up";
    EXPECT_EQ(normal_session(), "");
}

// maxproc counts every connection; over it a new one is closed at once and logged.
TEST_F(Ctld, MaxprocRefusesAtAccept) {
    ASSERT_TRUE(start(config("maxproc 3")));
    std::vector<UniqueFd> held;
    for (int i = 0; i < 3; ++i) held.push_back(connect_to(port));
    std::this_thread::sleep_for(300ms);
    UniqueFd over = connect_to(port);
    ASSERT_TRUE(over.valid());
    EXPECT_TRUE(closed_within(over.get(), 2s)) << "a 4th connection with maxproc 3";
    for (auto& h : held) EXPECT_FALSE(closed_within(h.get(), 0ms));
    held.pop_back();
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(normal_session(), "") << "a freed place is taken again";
    std::string text = slurp(log);
    EXPECT_NE(text.find("to portal-group pg0 refused: maxproc 3 reached"), std::string::npos)
        << text;
    // A reload moves the limit.
    std::string conf_text = slurp(conf);
    conf_text.replace(conf_text.find("maxproc 3"), 9, "maxproc 9");
    std::ofstream(conf) << conf_text;
    ::kill(pid, SIGHUP);
    for (int i = 0; i < 50 && slurp(log).find("reloaded") == std::string::npos; ++i)
        std::this_thread::sleep_for(50ms);
    held.push_back(connect_to(port));
    std::this_thread::sleep_for(300ms);
    UniqueFd fourth = connect_to(port);
    EXPECT_FALSE(closed_within(fourth.get(), 1s)) << "a 4th connection after maxproc 9\n"
                                                  << slurp(log);
}

// connection-limit counts the connections through its portal group.
TEST_F(Ctld, ConnectionLimitPerPortalGroup) {
    ASSERT_TRUE(start(config("maxproc 0", "connection-limit 2")));
    UniqueFd a = connect_to(port), b = connect_to(port);
    std::this_thread::sleep_for(300ms);
    UniqueFd c = connect_to(port);
    EXPECT_TRUE(closed_within(c.get(), 2s)) << "a 3rd connection with connection-limit 2";
    EXPECT_FALSE(closed_within(a.get(), 0ms));
    // A flood of refusals is logged at most once a second, with how many were left out.
    for (int i = 0; i < 30; ++i) connect_to(port);
    std::this_thread::sleep_for(1100ms);
    connect_to(port);
    std::this_thread::sleep_for(200ms);
    std::string text = slurp(log);
    std::size_t lines = 0;
    for (auto at = text.find("refused: connection-limit 2 reached"); at != std::string::npos;
         at = text.find("refused: connection-limit 2 reached", at + 1))
        ++lines;
    EXPECT_GE(lines, 2u) << text;
    EXPECT_LE(lines, 3u) << text;
    EXPECT_NE(text.find("more like it left out)"), std::string::npos) << text;
    a.reset();
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(normal_session(), "");
}

// A failed CHAP login is logged with the initiator's name and address, never a secret.
TEST_F(Ctld, FailedChapLoginIsLogged) {
    ASSERT_TRUE(start(config("", "", "chap alice alice-secret-12")));
    EXPECT_NE(normal_session("alice", "wrong-secret-99"), "");
    EXPECT_EQ(normal_session("alice", "alice-secret-12"), "");
    std::this_thread::sleep_for(200ms);
    std::string text = slurp(log);
    EXPECT_NE(text.find(std::string("login from 127.0.0.1:")), std::string::npos) << text;
    EXPECT_NE(text.find(std::string("(initiator ") + kInitiator + ", target " + kTarget +
                        ") refused: CHAP authentication failed for user \"alice\""),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("secret-"), std::string::npos) << text;
}

// pidfile: written with ctld's pid, held against a second ctld, removed at exit.
TEST_F(Ctld, Pidfile) {
    std::string pidfile = (dir / "ctld.pid").string();
    std::string text = config("pidfile \"" + pidfile + "\"");
    ASSERT_TRUE(start(text));
    EXPECT_EQ(slurp(pidfile), std::to_string(pid) + "\n");
    // The same file, another portal and socket.
    std::string other = text;
    other.replace(other.find("ctld.sock"), 9, "ctld2.sock");
    std::string p = std::to_string(port);
    other.replace(other.find(":" + p), p.size() + 1, ":" + std::to_string(free_port()));
    std::ofstream(dir / "other.conf") << other;
    std::string out;
    EXPECT_EQ(run_to_end({"-f", (dir / "other.conf").string()}, out), 26);  // busy
    EXPECT_NE(out.find("pidfile " + pidfile + ": held by a running ctld (pid " +
                       std::to_string(pid) + ")"),
              std::string::npos)
        << out;
    stop();
    EXPECT_FALSE(fs::exists(pidfile));
}

// No thread for a connection (RLIMIT_NPROC reached): that connection is closed, ctld and
// the sessions it has go on, and a later connection is served once a thread is free.
TEST_F(Ctld, NoThreadClosesTheConnectionOnly) {
    as_uid = 64000 + static_cast<uid_t>(::getpid() % 1000);  // a user with no other process
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir, ec))
        ::chown(e.path().c_str(), as_uid, as_uid);
    ASSERT_EQ(::chown(dir.c_str(), as_uid, as_uid), 0);
    std::string text = config("");
    ASSERT_TRUE(start(text));
    long base = proc_status(pid).threads;
    stop();
    // Again with room for one connection thread (the limit counts the user's tasks).
    nproc = static_cast<rlim_t>(base + 1);
    ASSERT_TRUE(start(text));
    std::string err;
    iscsi_context* a = session(err);
    ASSERT_NE(a, nullptr) << err << "\n" << slurp(log);
    EXPECT_NE(normal_session(), "") << "a second connection got a thread beyond RLIMIT_NPROC";
    EXPECT_EQ(test_unit_ready(a), "") << "the first session goes on";
    iscsi_logout_sync(a);
    iscsi_destroy_context(a);
    std::this_thread::sleep_for(1500ms);  // the finished connection's thread is joined
    EXPECT_EQ(normal_session(), "");
    text = slurp(log);
    EXPECT_NE(text.find("closed: no thread"), std::string::npos) << text;
    EXPECT_EQ(::kill(pid, 0), 0) << "ctld is still running";
}

// debug above 0 logs control requests, as ctld -d.
TEST_F(Ctld, DebugLogsControlRequests) {
    ASSERT_TRUE(start(config("debug 1")));
    std::string out;
    fs::path o = dir / "ctladm.out";
    pid_t p = ::fork();
    if (p == 0) {
        int fd = ::open(o.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::string sock = (dir / "ctld.sock").string();
        ::execl(CTLADM_BINARY, CTLADM_BINARY, "devlist", "--socket", sock.c_str(), nullptr);
        ::_exit(127);
    }
    int st = 0;
    ::waitpid(p, &st, 0);
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << slurp(o);
    std::this_thread::sleep_for(100ms);
    EXPECT_NE(slurp(log).find("ctld: control: "), std::string::npos) << slurp(log);
}

// Out-of-range limits and keys ctld does not implement stop ctld -t with their location.
TEST_F(Ctld, ConfigErrors) {
    std::ofstream(dir / "bad.conf")
        << config("maxproc 70000\ntimeout -5\nisns-server 10.0.0.1", "connection-limit many");
    std::string out;
    EXPECT_EQ(run_to_end({"-t", "-f", (dir / "bad.conf").string()}, out), 1);
    std::string f = (dir / "bad.conf").string();
    EXPECT_NE(out.find(f + ":3:9: maxproc must be a number from 0 to 65536, not '70000'"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find(f + ":4:9: timeout must be a number from 0 to 86400, not '-5'"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find(f + ":5:1: 'isns-server' is not supported"), std::string::npos) << out;
    EXPECT_NE(out.find("connection-limit must be a number from 0 to 65536, not 'many'"),
              std::string::npos)
        << out;
}

}  // namespace
