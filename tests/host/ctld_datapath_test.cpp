// SPDX-License-Identifier: BSD-2-Clause
// ctld's data path against hostile initiators, with raw PDUs on 127.0.0.1: Expected Data
// Transfer Lengths far beyond what the CDB carries, Data-Out outside what was asked, and a
// session that never reads its Data-In. Each test runs its own ctld (the demo, a 16 MiB
// ramdisk) and checks its peak RSS (VmHWM) and that another session keeps being served.
// The binary: $CTLD, or the one built with this test.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "camx/bytes/bytes.hpp"
#include "camx/iscsi/framer.hpp"
#include "camx/iscsi/pdu.hpp"
#include "camx/iscsi/text_params.hpp"
#include "camx/scsi/cdb.hpp"

namespace {

using namespace camx;
namespace cdb = scsi::cdb;

constexpr std::uint32_t kBlock = 512;
constexpr std::uint32_t kHuge = 0xffffffffu;
constexpr std::uint32_t kMaxRecv = 262144;  // what ctld declares (its MaxRecvDataSegmentLength)
constexpr std::uint32_t kBurst = 1u << 20;

std::string ctld_binary() {
    if (const char* p = std::getenv("CTLD")) return p;
    return CTLD_PATH;
}

// A port on 127.0.0.1 that nothing listens on now ($CTLD_PORT_BASE..+99 when set).
int free_port() {
    int base = std::getenv("CTLD_PORT_BASE") ? std::atoi(std::getenv("CTLD_PORT_BASE")) : 0;
    for (int i = 0; i < (base ? 100 : 1); ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(base ? base + i : 0));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        int port = 0;
        if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
            port = ntohs(a.sin_port);
        ::close(fd);
        if (port) return port;
    }
    return 0;
}

// One ctld with the demo on 127.0.0.1.
class Ctld {
  public:
    // globals: ctl.conf lines before the demo's target (then from a file, not --demo).
    explicit Ctld(const std::string& globals = {}) {
        std::string listen = "127.0.0.1:" + std::to_string(free_port());
        char log[] = "/tmp/ctld-datapath-log.XXXXXX";
        int fd = ::mkstemp(log);
        log_ = log;
        socket_ = log_ + ".sock";
        if (!globals.empty()) {
            conf_ = log_ + ".conf";
            std::ofstream(conf_) << globals << "\nstate-dir \"" << log_ << ".state\"\n"
                                 << "control-socket \"" << socket_ << "\"\n"
                                 << "portal-group pg { discovery-auth-group no-authentication; "
                                 << "listen \"" << listen << "\" }\n"
                                 << "lun disk0 { backend ramdisk; size 16M }\n"
                                 << "target iqn.2024-01.org.camx:demo { auth-group "
                                 << "no-authentication; portal-group pg; lun 0 disk0 }\n";
        }
        pid_ = ::fork();
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives a crashed test
            ::dup2(fd, 2);
            ::dup2(fd, 1);
            std::string bin = ctld_binary();
            if (!conf_.empty())
                ::execl(bin.c_str(), bin.c_str(), "-f", conf_.c_str(), static_cast<char*>(nullptr));
            else
                ::execl(bin.c_str(), bin.c_str(), "--demo", "--listen", listen.c_str(),
                        "--size-mib", "16", "--control-socket", socket_.c_str(),
                        static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(fd);
        for (int i = 0; i < 100 && port_ == 0; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            std::ifstream in(log_);
            std::string line;
            while (std::getline(in, line)) {
                auto at = line.find("listening on 127.0.0.1:");
                if (at != std::string::npos) port_ = std::stoi(line.substr(at + 23));
            }
        }
    }
    ~Ctld() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            for (int i = 0; i < 100; ++i) {
                if (::waitpid(pid_, nullptr, WNOHANG) == pid_) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                if (i == 99) {
                    ::kill(pid_, SIGKILL);
                    ::waitpid(pid_, nullptr, 0);
                }
            }
        }
        ::unlink(log_.c_str());
        ::unlink(socket_.c_str());
        if (!conf_.empty()) {
            ::unlink(conf_.c_str());
            std::filesystem::remove_all(log_ + ".state");
        }
    }
    int port() const { return port_; }
    bool alive() const { return ::kill(pid_, 0) == 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
    // Peak resident set size in MiB.
    std::uint64_t peak_mib() const { return status_kib("VmHWM:") / 1024; }

  private:
    std::uint64_t status_kib(const std::string& key) const {
        std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
        std::string line;
        while (std::getline(in, line))
            if (line.rfind(key, 0) == 0) return std::stoull(line.substr(key.size()));
        return 0;
    }
    pid_t pid_ = -1;
    int port_ = 0;
    std::string log_;
    std::string socket_;
    std::string conf_;
};

struct Reply {
    std::uint8_t status = 0xff;
    bool underflow = false;
    bool overflow = false;
    std::uint32_t residual = 0;
    Bytes sense;
    Bytes data;
};

// An initiator speaking raw PDUs: one connection, one session, ERL 0, no digests.
class Raw {
  public:
    explicit Raw(int port, int rcvbuf = 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (rcvbuf) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        timeval tv{15, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        framer_.set({{}, 16u << 20, iscsi::Sender::target});
    }
    ~Raw() { ::close(fd_); }

    bool login(const std::string& initiator, std::uint8_t isid_low = 1) {
        if (!connected_) return false;
        iscsi::LoginRequest rq;
        rq.transit = true;
        rq.csg = 1;
        rq.nsg = 3;
        rq.isid = {0x80, 0, 0, 0, 0, isid_low};
        rq.initiator_task_tag = itt_++;
        rq.cmd_sn = cmd_sn_;
        rq.data = iscsi::encode_text({{"InitiatorName", initiator},
                                      {"TargetName", "iqn.2024-01.org.camx:demo"},
                                      {"SessionType", "Normal"},
                                      {"HeaderDigest", "None"},
                                      {"DataDigest", "None"},
                                      {"InitialR2T", "Yes"},
                                      {"ImmediateData", "No"},
                                      {"MaxRecvDataSegmentLength", "262144"},
                                      {"MaxBurstLength", "1048576"},
                                      {"FirstBurstLength", "65536"},
                                      {"MaxOutstandingR2T", "1"},
                                      {"ErrorRecoveryLevel", "0"}});
        send(rq.encode());
        auto p = next();
        if (!p || p->opcode() != static_cast<std::uint8_t>(iscsi::Opcode::login_response))
            return false;
        auto r = iscsi::LoginResponse::decode(*p);
        exp_stat_sn_ = r.stat_sn + 1;
        if (r.status_class != 0 || !r.transit || r.nsg != 3) return false;
        // The power-on unit attention of a new I_T nexus goes to a TEST UNIT READY.
        for (int i = 0; i < 3; ++i) {
            command(cdb::TestUnitReady{}.encode(), 0, false);
            auto t = reply();
            if (!t) return false;
            if (t->status == 0) return true;
        }
        return false;
    }

    void send(const iscsi::Pdu& p) {
        Bytes b = iscsi::serialize(p);
        std::size_t at = 0;
        while (at < b.size()) {
            ssize_t n = ::send(fd_, b.data() + at, b.size() - at, MSG_NOSIGNAL);
            if (n <= 0) return;
            at += static_cast<std::size_t>(n);
        }
    }

    // A SCSI command; returns its ITT.
    std::uint32_t command(const Bytes& cdb, std::uint32_t edtl, bool write, bool read = false) {
        iscsi::ScsiCommand c;
        c.final_bit = true;
        c.read = read;
        c.write = write;
        c.lun = iscsi::Lun::from_number(0);
        c.initiator_task_tag = itt_++;
        c.expected_data_transfer_length = edtl;
        c.cmd_sn = cmd_sn_++;
        c.exp_stat_sn = exp_stat_sn_;
        c.cdb = cdb;
        send(c.encode());
        return c.initiator_task_tag;
    }

    void data_out(std::uint32_t itt, std::uint32_t ttt, std::uint32_t offset, const Bytes& data,
                  std::uint32_t data_sn, bool final_bit) {
        iscsi::DataOut d;
        d.final_bit = final_bit;
        d.lun = iscsi::Lun::from_number(0);
        d.initiator_task_tag = itt;
        d.target_transfer_tag = ttt;
        d.exp_stat_sn = exp_stat_sn_;
        d.data_sn = data_sn;
        d.buffer_offset = offset;
        d.data = data;
        send(d.encode());
    }

    // Answers an R2T with data[r2t window] (what of it data holds), in PDUs of at most
    // kMaxRecv.
    void answer(const iscsi::R2t& r, const Bytes& data) {
        std::uint32_t sent = 0;
        std::uint32_t sn = 0;
        if (r.buffer_offset >= data.size()) return;
        auto want = static_cast<std::uint32_t>(
            std::min<std::size_t>(r.desired_data_transfer_length, data.size() - r.buffer_offset));
        while (sent < want) {
            std::uint32_t n = std::min(kMaxRecv, want - sent);
            std::uint32_t off = r.buffer_offset + sent;
            Bytes piece(data.begin() + off, data.begin() + off + n);
            sent += n;
            data_out(r.initiator_task_tag, r.target_transfer_tag, off, piece, sn++, sent == want);
        }
    }

    std::optional<iscsi::Pdu> next() {
        for (;;) {
            ByteView avail(buf_.data() + start_, buf_.size() - start_);
            if (auto f = framer_.next(avail)) {
                start_ += f->size;
                if (start_ == buf_.size()) {
                    buf_.clear();
                    start_ = 0;
                }
                return std::move(f->pdu);
            }
            std::uint8_t tmp[65536];
            ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
            if (n <= 0) return std::nullopt;
            buf_.insert(buf_.end(), tmp, tmp + n);
        }
    }

    // The next R2T, or nullopt when something else (kept in `other`) came.
    std::optional<iscsi::R2t> r2t(std::optional<iscsi::Pdu>* other = nullptr) {
        auto p = next();
        if (p && p->opcode() == static_cast<std::uint8_t>(iscsi::Opcode::r2t))
            return iscsi::R2t::decode(*p);
        if (other) *other = std::move(p);
        return std::nullopt;
    }

    // Collects Data-In and the status of one task, answering nothing else.
    std::optional<Reply> reply(std::optional<iscsi::Pdu> first = std::nullopt) {
        Reply r;
        for (;;) {
            auto p = first ? std::move(first) : next();
            first.reset();
            if (!p) return std::nullopt;
            auto op = static_cast<iscsi::Opcode>(p->opcode());
            if (op == iscsi::Opcode::data_in) {
                auto d = iscsi::DataIn::decode(*p);
                r.data.insert(r.data.end(), d.data.begin(), d.data.end());
                if (d.status_present) {
                    exp_stat_sn_ = d.stat_sn + 1;
                    r.status = d.status;
                    r.underflow = d.underflow;
                    r.overflow = d.overflow;
                    r.residual = d.residual_count;
                    return r;
                }
            } else if (op == iscsi::Opcode::scsi_response) {
                auto s = iscsi::ScsiResponse::decode(*p);
                exp_stat_sn_ = s.stat_sn + 1;
                r.status = s.status;
                r.underflow = s.underflow;
                r.overflow = s.overflow;
                r.residual = s.residual_count;
                r.sense = s.sense;
                return r;
            } else if (op == iscsi::Opcode::r2t) {
                return std::nullopt;  // not expected here
            }
        }
    }

    // A whole WRITE through R2Ts, then its status.
    std::optional<Reply> write(std::uint64_t lba, const Bytes& data) {
        auto blocks = static_cast<std::uint16_t>(data.size() / kBlock);
        command(cdb::Write10{.lba = static_cast<std::uint32_t>(lba), .transfer_length = blocks}
                    .encode(),
                static_cast<std::uint32_t>(data.size()), true);
        std::uint32_t asked = 0;
        while (asked < data.size()) {
            std::optional<iscsi::Pdu> other;
            auto r = r2t(&other);
            if (!r) return reply(std::move(other));
            answer(*r, data);
            asked += r->desired_data_transfer_length;
        }
        return reply();
    }

    std::optional<Reply> read(std::uint64_t lba, std::uint16_t blocks) {
        command(
            cdb::Read10{.lba = static_cast<std::uint32_t>(lba), .transfer_length = blocks}.encode(),
            blocks * kBlock, false, true);
        return reply();
    }

  private:
    int fd_ = -1;
    bool connected_ = false;
    iscsi::Framer framer_;
    Bytes buf_;
    std::size_t start_ = 0;
    std::uint32_t itt_ = 1;
    std::uint32_t cmd_sn_ = 1;
    std::uint32_t exp_stat_sn_ = 0;
};

Bytes pattern(std::size_t n, std::uint8_t seed) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7 + i / 512);
    return b;
}

// Another session writes and reads back, within the client's 15 s receive timeout.
void served(int port, const std::string& who, std::uint8_t seed) {
    Raw b(port);
    ASSERT_TRUE(b.login(who, 9));
    Bytes data = pattern(8 * kBlock, seed);
    auto w = b.write(100, data);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->status, 0);
    auto r = b.read(100, 8);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 0);
    EXPECT_EQ(r->data, data);
}

class Datapath : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_GT(ctld.port(), 0) << "ctld did not start: " << ctld_binary();
        baseline = ctld.peak_mib();
    }
    void TearDown() override {
        RecordProperty("peak_mib", static_cast<int>(ctld.peak_mib()));
        std::printf("  ctld peak RSS: %llu MiB (after start %llu MiB)\n",
                    static_cast<unsigned long long>(ctld.peak_mib()),
                    static_cast<unsigned long long>(baseline));
    }
    Ctld ctld;
    std::uint64_t baseline = 0;
};

// The case: 1 block, EDTL 4 GiB, no data. ctld asks for the block only.
TEST_F(Datapath, HugeEdtlWriteAsksForTheCdbsBlocks) {
    Raw a(ctld.port());
    ASSERT_TRUE(a.login("iqn.2024-01.org.test:hostile"));
    a.command(cdb::Write10{.lba = 0, .transfer_length = 1}.encode(), kHuge, true);
    auto r = a.r2t();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->buffer_offset, 0u);
    EXPECT_EQ(r->desired_data_transfer_length, kBlock);
    EXPECT_LT(ctld.peak_mib(), baseline + 32);
    served(ctld.port(), "iqn.2024-01.org.test:bystander", 3);
    // The hostile task completes with what the CDB wanted; the rest of the EDTL is residual.
    Bytes block = pattern(kBlock, 11);
    a.answer(*r, block);
    auto done = a.reply();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, 0);
    EXPECT_TRUE(done->underflow);
    EXPECT_EQ(done->residual, kHuge - kBlock);
    auto back = a.read(0, 1);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->data, block);
    EXPECT_LT(ctld.peak_mib(), baseline + 32);
}

TEST_F(Datapath, TwoHostileSessions) {
    Raw a(ctld.port());
    Raw b(ctld.port());
    ASSERT_TRUE(a.login("iqn.2024-01.org.test:hostile-a", 1));
    ASSERT_TRUE(b.login("iqn.2024-01.org.test:hostile-b", 2));
    a.command(cdb::Write10{.lba = 0, .transfer_length = 1}.encode(), kHuge, true);
    b.command(cdb::Write10{.lba = 0, .transfer_length = 1}.encode(), kHuge, true);
    for (Raw* s : {&a, &b}) {
        auto r = s->r2t();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->desired_data_transfer_length, kBlock);
    }
    served(ctld.port(), "iqn.2024-01.org.test:bystander", 5);
    EXPECT_LT(ctld.peak_mib(), baseline + 32);
    EXPECT_TRUE(ctld.alive());
}

// 8 MiB, the most one command carries, through R2Ts of MaxBurstLength, and read back.
TEST_F(Datapath, LargeWriteThroughR2ts) {
    Raw a(ctld.port());
    ASSERT_TRUE(a.login("iqn.2024-01.org.test:large"));
    Bytes data = pattern(8u << 20, 42);
    a.command(cdb::Write10{.lba = 0, .transfer_length = 16384}.encode(),
              static_cast<std::uint32_t>(data.size()), true);
    std::uint32_t asked = 0;
    int r2ts = 0;
    while (asked < data.size()) {
        auto r = a.r2t();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->buffer_offset, asked);
        EXPECT_LE(r->desired_data_transfer_length, kBurst);
        a.answer(*r, data);
        asked += r->desired_data_transfer_length;
        ++r2ts;
    }
    EXPECT_EQ(r2ts, 8);
    auto w = a.reply();
    ASSERT_TRUE(w);
    EXPECT_EQ(w->status, 0);
    EXPECT_FALSE(w->underflow || w->overflow);
    for (std::uint32_t lba = 0; lba < 16384; lba += 2048) {
        auto r = a.read(lba, 2048);
        ASSERT_TRUE(r);
        ASSERT_EQ(r->data.size(), 1u << 20);
        EXPECT_TRUE(std::equal(r->data.begin(), r->data.end(),
                               data.begin() + static_cast<std::ptrdiff_t>(lba) * kBlock));
    }
}

// Data-Out past what the R2T asked fails the task (DATA PHASE ERROR) and writes nothing; the
// connection goes on.
TEST_F(Datapath, DataOutOutsideTheWindowIsRefused) {
    Raw a(ctld.port());
    ASSERT_TRUE(a.login("iqn.2024-01.org.test:outside"));
    Bytes before = pattern(2 * kBlock, 1);
    auto w = a.write(10, before);
    ASSERT_TRUE(w);
    ASSERT_EQ(w->status, 0);
    a.command(cdb::Write10{.lba = 10, .transfer_length = 1}.encode(), kHuge, true);
    auto r = a.r2t();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->desired_data_transfer_length, kBlock);
    a.data_out(r->initiator_task_tag, r->target_transfer_tag, 0, pattern(2 * kBlock, 99), 0, true);
    auto bad = a.reply();
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 2);
    ASSERT_GE(bad->sense.size(), 14u);
    EXPECT_EQ(bad->sense[2] & 0x0f, 0x0b);  // ABORTED COMMAND
    EXPECT_EQ(bad->sense[12], 0x4b);        // DATA PHASE ERROR
    // Unsolicited Data-Out far past the EDTL of a task: refused the same way.
    a.command(cdb::Write10{.lba = 10, .transfer_length = 1}.encode(), kBlock, true);
    auto r2 = a.r2t();
    ASSERT_TRUE(r2);
    a.data_out(r2->initiator_task_tag, iscsi::reserved_tag, 0x7fffff00u, pattern(kBlock, 5), 0,
               true);
    auto bad2 = a.reply();
    ASSERT_TRUE(bad2);
    EXPECT_EQ(bad2->status, 2);
    auto back = a.read(10, 2);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->data, before);
}

// Every opcode that carries data, each with a 4 GiB EDTL: ctld asks for what its CDB says.
TEST_F(Datapath, EveryDataOutOpcodeWithHugeEdtl) {
    Raw a(ctld.port());
    ASSERT_TRUE(a.login("iqn.2024-01.org.test:opcodes"));
    cdb::UnmapParameterList unmap;
    unmap.descriptors.push_back({0, 8});
    Bytes unmap_data = unmap.encode();
    Bytes pr_register(24, 0);
    pr_register[15] = 0x42;   // SERVICE ACTION RESERVATION KEY
    Bytes mode_header(8, 0);  // MODE SELECT(10): a header, no pages
    // Parameter lists: the command runs on the list, the rest of the EDTL is residual.
    struct Case {
        const char* name;
        Bytes cdb;
        Bytes data;
    };
    std::vector<Case> cases = {
        {"UNMAP",
         cdb::Unmap{.parameter_list_length = static_cast<std::uint16_t>(unmap_data.size())}
             .encode(),
         unmap_data},
        {"MODE SELECT(10)", cdb::ModeSelect10{.pf = true, .parameter_list_length = 8}.encode(),
         mode_header},
        {"PERSISTENT RESERVE OUT",
         cdb::PersistentReserveOut{.service_action = 0, .parameter_list_length = 24}.encode(),
         pr_register},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        a.command(c.cdb, kHuge, true);
        auto r = a.r2t();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->desired_data_transfer_length, c.data.size());
        a.answer(*r, c.data);
        auto done = a.reply();
        ASSERT_TRUE(done);
        EXPECT_EQ(done->status, 0);
        EXPECT_TRUE(done->underflow);
        EXPECT_EQ(done->residual, kHuge - c.data.size());
    }
    // Data of an exact size (one block, both halves): ctld asks for that much, and the
    // command refuses the EDTL that does not match it (INVALID FIELD IN CDB, as SBC wants).
    std::vector<Case> exact = {
        {"WRITE SAME(10)", cdb::WriteSame10{.lba = 0, .blocks = 16}.encode(), pattern(kBlock, 3)},
        {"COMPARE AND WRITE", cdb::CompareAndWrite{.lba = 0, .blocks = 1}.encode(),
         [] {
             Bytes b = pattern(kBlock, 3);  // what WRITE SAME left in block 0
             Bytes n = pattern(kBlock, 4);
             b.insert(b.end(), n.begin(), n.end());
             return b;
         }()},
    };
    for (const auto& c : exact) {
        SCOPED_TRACE(c.name);
        a.command(c.cdb, kHuge, true);
        auto r = a.r2t();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->desired_data_transfer_length, c.data.size());
        a.answer(*r, c.data);
        auto done = a.reply();
        ASSERT_TRUE(done);
        EXPECT_EQ(done->status, 2);
        ASSERT_GE(done->sense.size(), 13u);
        EXPECT_EQ(done->sense[12], 0x24);
        // With its own length it runs.
        a.command(c.cdb, static_cast<std::uint32_t>(c.data.size()), true);
        r = a.r2t();
        ASSERT_TRUE(r);
        a.answer(*r, c.data);
        done = a.reply();
        ASSERT_TRUE(done);
        EXPECT_EQ(done->status, 0);
    }
    // A parameter list longer than ctld takes: CHECK CONDITION before any data.
    a.command(
        cdb::PersistentReserveOut{.service_action = 0, .parameter_list_length = kHuge}.encode(),
        kHuge, true);
    auto refused = a.reply();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 2);
    // Blocks past the end of the LUN: LBA OUT OF RANGE, no data asked.
    a.command(cdb::Write10{.lba = 0x7fffffff, .transfer_length = 1}.encode(), kHuge, true);
    auto beyond = a.reply();
    ASSERT_TRUE(beyond);
    EXPECT_EQ(beyond->status, 2);
    ASSERT_GE(beyond->sense.size(), 13u);
    EXPECT_EQ(beyond->sense[12], 0x21);
    EXPECT_LT(ctld.peak_mib(), baseline + 32);
}

// WRITEs that announce 1 MiB each and send nothing: the session's limit (64 MiB) takes 64 of
// them, each asked for its first burst; the others are answered TASK SET FULL. Nothing of
// the announced data is allocated before it arrives.
TEST_F(Datapath, SessionBufferLimitAnswersTaskSetFull) {
    Raw a(ctld.port());
    ASSERT_TRUE(a.login("iqn.2024-01.org.test:greedy"));
    constexpr int kCommands = 100;
    for (int i = 0; i < kCommands; ++i)
        a.command(cdb::Write10{.lba = 0, .transfer_length = 2048}.encode(), 1u << 20, true);
    int r2ts = 0;
    int full = 0;
    for (int i = 0; i < kCommands; ++i) {
        auto p = a.next();
        ASSERT_TRUE(p);
        if (p->opcode() == static_cast<std::uint8_t>(iscsi::Opcode::r2t)) {
            ++r2ts;
        } else {
            auto r = a.reply(std::move(p));
            ASSERT_TRUE(r);
            EXPECT_EQ(r->status, 0x28);
            ++full;
        }
    }
    EXPECT_EQ(r2ts, 64);
    EXPECT_EQ(full, kCommands - 64);
    EXPECT_LT(ctld.peak_mib(), baseline + 32);
    served(ctld.port(), "iqn.2024-01.org.test:bystander", 9);
}

// READs whose CDB asks for 1 MiB and whose EDTL takes 512 bytes, from a session that does
// not read its socket: what waits for it is the 512 bytes each, not the 1 MiB the engine read.
TEST_F(Datapath, ShortEdtlReadsKeepOnlyWhatIsSent) {
    Raw a(ctld.port(), 4096);
    ASSERT_TRUE(a.login("iqn.2024-01.org.test:short"));
    for (int i = 0; i < 120; ++i)
        a.command(cdb::Read10{.lba = 0, .transfer_length = 2048}.encode(), kBlock, false, true);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    served(ctld.port(), "iqn.2024-01.org.test:bystander", 8);
    EXPECT_LT(ctld.peak_mib(), baseline + 32);
}

// ctl.conf's limits: one session fills its own, and then the global one keeps another
// session's command out too (TASK SET FULL); freeing the first lets it in.
TEST(DatapathLimits, SessionAndGlobalLimitsFromCtlConf) {
    Ctld ctld("session-buffer-limit 1M\nbuffer-limit 1M");
    ASSERT_GT(ctld.port(), 0) << "ctld did not start: " << ctld_binary();
    Raw a(ctld.port());
    Raw b(ctld.port());
    ASSERT_TRUE(a.login("iqn.2024-01.org.test:first", 1));
    ASSERT_TRUE(b.login("iqn.2024-01.org.test:second", 2));
    Bytes big = pattern(1u << 20, 21);
    a.command(cdb::Write10{.lba = 0, .transfer_length = 2048}.encode(), 1u << 20, true);
    auto r = a.r2t();
    ASSERT_TRUE(r);
    a.command(cdb::Write10{.lba = 0, .transfer_length = 8}.encode(), 4096, true);
    auto own = a.reply();  // the session's limit
    ASSERT_TRUE(own);
    EXPECT_EQ(own->status, 0x28);
    b.command(cdb::Write10{.lba = 4096, .transfer_length = 8}.encode(), 4096, true);
    auto global = b.reply();  // the global limit
    ASSERT_TRUE(global);
    EXPECT_EQ(global->status, 0x28);
    a.answer(*r, big);
    auto done = a.reply();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, 0);
    // The first session's charge is given back once its last PDU has left ctld, which the
    // initiator can see a moment before ctld's thread gets there: retry TASK SET FULL briefly,
    // as an initiator would.
    auto w = b.write(4096, pattern(4096, 22));
    for (int i = 0; i < 40 && w && w->status == 0x28; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        w = b.write(4096, pattern(4096, 22));
    }
    ASSERT_TRUE(w);
    EXPECT_EQ(w->status, 0);
}

// A session that asks for 1 MiB READs and never reads its socket: ctld buffers a bounded
// amount for it (the session limit, 64 MiB) and serves another session meanwhile.
TEST_F(Datapath, UnreadDataInDoesNotStallOthers) {
    Raw a(ctld.port(), 4096);
    ASSERT_TRUE(a.login("iqn.2024-01.org.test:sleeper"));
    for (int i = 0; i < 120; ++i)
        a.command(cdb::Read10{.lba = 0, .transfer_length = 2048}.encode(), 1u << 20, false, true);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) served(ctld.port(), "iqn.2024-01.org.test:bystander", 7);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, std::chrono::seconds(5));
    EXPECT_LT(ctld.peak_mib(), baseline + 64 + 48);
    EXPECT_TRUE(ctld.alive());
}

}  // namespace
