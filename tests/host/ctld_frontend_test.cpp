// SPDX-License-Identifier: BSD-2-Clause
// The iSCSI frontend against libiscsi on 127.0.0.1: login, CHAP, discovery, ACLs, digests,
// R2T and immediate data, NOP, task management, malformed PDUs, reconfiguration and the
// buffer pools. The SCSI side is a small in-memory disk, so these tests need no engine.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "camx/iscsi/pdu.hpp"
#include "camx/scsi/inquiry.hpp"
#include "camx/scsi/readcap.hpp"
#include "iscsi/buffer_pool.hpp"
#include "iscsi/frontend.hpp"

namespace {

using namespace camx;
using namespace camx::ctld;

constexpr const char* kTarget = "iqn.2024-01.org.camx:frontend-test";
constexpr const char* kInitiator = "iqn.2024-01.org.camx:initiator";
constexpr std::uint32_t kBlock = 512;
constexpr std::uint32_t kBlocks = 8192;  // 4 MiB

Bytes check_condition(std::uint8_t key, std::uint8_t asc) {
    Bytes s(18, 0);
    s[0] = 0x70;
    s[2] = key;
    s[7] = 10;
    s[12] = asc;
    return s;
}

// A disk of kBlocks blocks: INQUIRY, TEST UNIT READY, READ CAPACITY(10), READ(10), WRITE(10).
class MemoryDisk : public ctl::TaskSink {
  public:
    MemoryDisk() : data_(std::size_t(kBlock) * kBlocks) {}

    void submit(ctl::Task task, std::function<void(ctl::TaskResult)> done) override {
        submitted++;
        if (hold) {
            std::lock_guard g(mu_);
            held_.push_back(std::move(done));
            return;
        }
        done(execute(task));
    }
    ctl::TmfResponse task_management(const ctl::Nexus&, ctl::TmfFunction fn, std::uint64_t,
                                     std::uint32_t) override {
        last_tmf = static_cast<int>(fn);
        std::lock_guard g(mu_);
        for (auto& d : held_) {
            ctl::TaskResult r;
            r.aborted = true;
            r.status = 0x40;
            d(r);
        }
        held_.clear();
        return ctl::TmfResponse::complete;
    }
    void nexus_lost(const ctl::Nexus&) override { lost++; }
    // WRITE(10) inside the disk carries its blocks; nothing else takes data.
    std::uint32_t data_out_length(const ctl::Nexus&, std::uint64_t lun, ByteView cdb) override {
        if (lun != 0 || cdb.size() < 10 || cdb[0] != 0x2a) return 0;
        std::uint64_t lba = (std::uint32_t(cdb[2]) << 24) | (cdb[3] << 16) | (cdb[4] << 8) | cdb[5];
        std::uint32_t n = (cdb[7] << 8) | cdb[8];
        return lba + n > kBlocks ? 0 : n * kBlock;
    }

    ctl::TaskResult execute(const ctl::Task& t) {
        ctl::TaskResult r;
        std::uint8_t op = t.cdb.at(0);
        auto bad = [&](std::uint8_t asc) {
            r.status = 2;
            r.sense = check_condition(5, asc);
        };
        if (t.lun != 0) {
            bad(0x25);
            return r;
        }
        switch (op) {
            case 0x00:
                break;
            case 0x12: {
                scsi::Inquiry inq;
                inq.vendor = "CAMX";
                inq.product = "TEST DISK";
                inq.revision = "0001";
                r.data_in = inq.encode();
                break;
            }
            case 0x25: {
                scsi::ReadCapacity10Data rc;
                rc.returned_lba = kBlocks - 1;
                rc.block_length = kBlock;
                r.data_in = rc.encode();
                break;
            }
            case 0x28:
            case 0x2a: {
                std::uint64_t lba =
                    (std::uint32_t(t.cdb[2]) << 24) | (t.cdb[3] << 16) | (t.cdb[4] << 8) | t.cdb[5];
                std::uint32_t n = (t.cdb[7] << 8) | t.cdb[8];
                if (lba + n > kBlocks) {
                    bad(0x21);
                    break;
                }
                std::size_t off = lba * kBlock, len = std::size_t(n) * kBlock;
                std::lock_guard g(mu_);
                if (op == 0x28) {
                    r.data_in.assign(data_.begin() + off, data_.begin() + off + len);
                } else {
                    std::size_t have = std::min(len, t.data_out.size());
                    std::copy_n(t.data_out.begin(), have, data_.begin() + off);
                    r.data_out_used = static_cast<std::uint32_t>(have);
                }
                break;
            }
            default:
                r.status = 2;
                r.sense = check_condition(5, 0x20);
        }
        if (r.data_in.size() > t.expected_transfer_length)
            r.data_in.resize(t.expected_transfer_length);
        return r;
    }

    std::atomic<int> submitted{0};
    std::atomic<int> lost{0};
    std::atomic<int> last_tmf{-1};
    std::atomic<bool> hold{false};

  private:
    std::mutex mu_;
    Bytes data_;
    std::vector<std::function<void(ctl::TaskResult)>> held_;
};

FrontendConfig base_config() {
    FrontendConfig c;
    c.portal_groups.push_back({"pg0", 1, {"127.0.0.1:0"}, "", DiscoveryFilter::none});
    IscsiTarget t;
    t.name = kTarget;
    t.alias = "frontend test";
    t.portals.push_back({"pg0", "", "port0", 1});
    c.targets.push_back(t);
    return c;
}

struct Context {
    iscsi_context* ctx = nullptr;
    explicit Context(const char* initiator = kInitiator) { ctx = iscsi_create_context(initiator); }
    ~Context() {
        if (ctx) iscsi_destroy_context(ctx);
    }
};

class Frontend : public ::testing::Test {
  protected:
    void SetUp() override {
        fe = std::make_unique<IscsiFrontend>(disk);
        fe->apply(base_config());
        portal = fe->listening().at(0);
    }
    int login(Context& c, const char* target = kTarget) {
        iscsi_set_targetname(c.ctx, target);
        iscsi_set_session_type(c.ctx, ISCSI_SESSION_NORMAL);
        iscsi_set_header_digest(c.ctx, ISCSI_HEADER_DIGEST_NONE);
        return iscsi_full_connect_sync(c.ctx, portal.c_str(), 0);
    }
    MemoryDisk disk;
    std::unique_ptr<IscsiFrontend> fe;
    std::string portal;
};

TEST_F(Frontend, InquiryAndCapacity) {
    Context c;
    ASSERT_EQ(login(c), 0) << iscsi_get_error(c.ctx);
    scsi_task* t = iscsi_inquiry_sync(c.ctx, 0, 0, 0, 255);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->status, SCSI_STATUS_GOOD);
    auto* inq = static_cast<scsi_inquiry_standard*>(scsi_datain_unmarshall(t));
    ASSERT_NE(inq, nullptr);
    EXPECT_EQ(std::string(inq->vendor_identification).substr(0, 4), "CAMX");
    scsi_free_scsi_task(t);
    t = iscsi_readcapacity10_sync(c.ctx, 0, 0, 0);
    ASSERT_NE(t, nullptr);
    auto* rc = static_cast<scsi_readcapacity10*>(scsi_datain_unmarshall(t));
    EXPECT_EQ(rc->lba, kBlocks - 1);
    EXPECT_EQ(rc->block_size, kBlock);
    scsi_free_scsi_task(t);
    auto s = fe->sessions();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].initiator_name, kInitiator);
    EXPECT_EQ(s[0].port, "port0");
    EXPECT_EQ(iscsi_logout_sync(c.ctx), 0);
}

TEST_F(Frontend, CheckConditionCarriesSense) {
    Context c;
    ASSERT_EQ(login(c), 0);
    scsi_task* t = iscsi_read10_sync(c.ctx, 0, kBlocks, kBlock, kBlock, 0, 0, 0, 0, 0);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->status, SCSI_STATUS_CHECK_CONDITION);
    EXPECT_EQ(t->sense.key, SCSI_SENSE_ILLEGAL_REQUEST);
    EXPECT_EQ(t->sense.ascq, 0x2100);
    scsi_free_scsi_task(t);
}

// Writes of several sizes with each data path: immediate data, unsolicited Data-Out, R2T.
void write_read_back(iscsi_context* ctx, std::uint32_t blocks, std::uint8_t seed) {
    std::vector<unsigned char> out(std::size_t(blocks) * kBlock);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<unsigned char>(i * 7 + seed);
    scsi_task* t = iscsi_write10_sync(ctx, 0, 16, out.data(), out.size(), kBlock, 0, 0, 0, 0, 0);
    ASSERT_NE(t, nullptr) << iscsi_get_error(ctx);
    EXPECT_EQ(t->status, SCSI_STATUS_GOOD);
    scsi_free_scsi_task(t);
    t = iscsi_read10_sync(ctx, 0, 16, out.size(), kBlock, 0, 0, 0, 0, 0);
    ASSERT_NE(t, nullptr);
    ASSERT_EQ(t->status, SCSI_STATUS_GOOD);
    ASSERT_EQ(t->datain.size, static_cast<int>(out.size()));
    EXPECT_EQ(std::memcmp(t->datain.data, out.data(), out.size()), 0);
    scsi_free_scsi_task(t);
}

TEST_F(Frontend, WritePathsAndDigests) {
    for (int variant = 0; variant < 4; ++variant) {
        Context c;
        iscsi_set_immediate_data(c.ctx,
                                 variant & 1 ? ISCSI_IMMEDIATE_DATA_NO : ISCSI_IMMEDIATE_DATA_YES);
        iscsi_set_initial_r2t(c.ctx, variant & 2 ? ISCSI_INITIAL_R2T_YES : ISCSI_INITIAL_R2T_NO);
        iscsi_set_targetname(c.ctx, kTarget);
        iscsi_set_session_type(c.ctx, ISCSI_SESSION_NORMAL);
        iscsi_set_header_digest(
            c.ctx, variant == 3 ? ISCSI_HEADER_DIGEST_CRC32C : ISCSI_HEADER_DIGEST_NONE);
        ASSERT_EQ(iscsi_full_connect_sync(c.ctx, portal.c_str(), 0), 0) << iscsi_get_error(c.ctx);
        for (std::uint32_t blocks : {1u, 8u, 129u, 2048u}) write_read_back(c.ctx, blocks, variant);
        iscsi_logout_sync(c.ctx);
    }
}

TEST_F(Frontend, UnknownTargetAndAcl) {
    Context c;
    EXPECT_NE(login(c, "iqn.2024-01.org.camx:nothing"), 0);
    auto cfg = base_config();
    cfg.auth_groups.push_back({"ag", AuthType::none, {}, {"iqn.2024-01.org.camx:allowed"}, {}});
    cfg.targets[0].auth_group = "ag";
    fe->apply(cfg);
    Context denied;
    EXPECT_NE(login(denied), 0);
    Context allowed("iqn.2024-01.org.camx:allowed");
    EXPECT_EQ(login(allowed), 0) << iscsi_get_error(allowed.ctx);
    cfg.auth_groups[0].initiator_portals = {"192.0.2.0/24"};
    fe->apply(cfg);  // the session no longer passes the ACL: it ends
    for (int i = 0; i < 50 && !fe->sessions().empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(fe->sessions().empty());
}

// A portal taken out of a portal group that stays: the sessions that came in through it end,
// those through the group's other portal go on.
TEST_F(Frontend, RemovedPortalEndsItsSessions) {
    auto cfg = base_config();
    cfg.portal_groups[0].listen.push_back("127.0.0.2:0");
    fe->apply(cfg);
    auto bound = fe->listening();
    ASSERT_EQ(bound.size(), 2u);
    std::string second = bound[0].starts_with("127.0.0.2:") ? bound[0] : bound[1];
    Context stays;
    ASSERT_EQ(login(stays), 0) << iscsi_get_error(stays.ctx);
    Context goes;
    portal = second;
    ASSERT_EQ(login(goes), 0) << iscsi_get_error(goes.ctx);
    ASSERT_EQ(fe->sessions().size(), 2u);
    fe->apply(base_config());
    for (int i = 0; i < 50 && fe->sessions().size() != 1; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto left = fe->sessions();
    ASSERT_EQ(left.size(), 1u);
    ASSERT_EQ(left[0].connections.size(), 1u);
    EXPECT_TRUE(left[0].connections[0].target_address.starts_with("127.0.0.1:"));
    EXPECT_EQ(fe->listening().size(), 1u);
}

TEST_F(Frontend, Chap) {
    auto cfg = base_config();
    AuthGroup g{"ag", AuthType::chap, {}, {}, {}};
    g.chap.push_back({{"alice", "alice-secret-12"}, std::nullopt});
    cfg.auth_groups.push_back(g);
    cfg.targets[0].auth_group = "ag";
    fe->apply(cfg);
    {
        Context c;
        iscsi_set_initiator_username_pwd(c.ctx, "alice", "alice-secret-12");
        EXPECT_EQ(login(c), 0) << iscsi_get_error(c.ctx);
    }
    {
        Context c;
        iscsi_set_initiator_username_pwd(c.ctx, "alice", "wrong-secret-99");
        EXPECT_NE(login(c), 0);
    }
    {
        Context c;
        EXPECT_NE(login(c), 0);  // no credentials at all
    }
    cfg.auth_groups[0].type = AuthType::chap_mutual;
    cfg.auth_groups[0].chap[0].target = iscsi::ChapSecret{"target", "target-secret-1"};
    fe->apply(cfg);
    {
        Context c;
        iscsi_set_initiator_username_pwd(c.ctx, "alice", "alice-secret-12");
        iscsi_set_target_username_pwd(c.ctx, "target", "target-secret-1");
        EXPECT_EQ(login(c), 0) << iscsi_get_error(c.ctx);
    }
    {
        Context c;
        iscsi_set_initiator_username_pwd(c.ctx, "alice", "alice-secret-12");
        EXPECT_NE(login(c), 0);  // mutual CHAP required
    }
}

TEST_F(Frontend, Discovery) {
    Context c;
    iscsi_set_session_type(c.ctx, ISCSI_SESSION_DISCOVERY);
    ASSERT_EQ(iscsi_connect_sync(c.ctx, portal.c_str()), 0);
    ASSERT_EQ(iscsi_login_sync(c.ctx), 0) << iscsi_get_error(c.ctx);
    iscsi_discovery_address* d = iscsi_discovery_sync(c.ctx);
    ASSERT_NE(d, nullptr) << iscsi_get_error(c.ctx);
    EXPECT_STREQ(d->target_name, kTarget);
    ASSERT_NE(d->portals, nullptr);
    EXPECT_EQ(std::string(d->portals->portal), portal + ",1");
    EXPECT_EQ(d->next, nullptr);
    iscsi_free_discovery_data(c.ctx, d);
    iscsi_logout_sync(c.ctx);
}

TEST_F(Frontend, NopAndLunReset) {
    Context c;
    ASSERT_EQ(login(c), 0);
    EXPECT_EQ(iscsi_task_mgmt_lun_reset_sync(c.ctx, 0), 0);
    EXPECT_EQ(disk.last_tmf.load(), static_cast<int>(ctl::TmfFunction::lun_reset));
    scsi_task* t = iscsi_testunitready_sync(c.ctx, 0);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->status, SCSI_STATUS_GOOD);
    scsi_free_scsi_task(t);
}

TEST_F(Frontend, MalformedPduClosesConnectionOnly) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(std::stoi(portal.substr(portal.rfind(':') + 1))));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    unsigned char bad[48] = {0x1b};  // a reserved initiator opcode
    bad[5] = 0xff;                   // and a huge data segment
    ASSERT_EQ(::send(fd, bad, sizeof bad, 0), 48);
    char buf[256];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
    }
    EXPECT_EQ(n, 0);
    ::close(fd);
    Context c;
    EXPECT_EQ(login(c), 0);
}

TEST_F(Frontend, SessionReinstatementAndNexusLoss) {
    {
        Context c;
        ASSERT_EQ(login(c), 0);
    }  // dropped without logout
    for (int i = 0; i < 50 && disk.lost.load() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(disk.lost.load(), 1);
    EXPECT_TRUE(fe->sessions().empty());
}

// The session pool inside the global one: what does not fit either is refused, an empty pool
// takes one charge of any size, and charges go back when they go away (split ones too).
TEST(BufferPool, SessionInsideGlobal) {
    auto global = std::make_shared<BufferPool>(100);
    auto a = std::make_shared<BufferPool>(60, global);
    auto b = std::make_shared<BufferPool>(60, global);
    auto a1 = a->take(50);
    ASSERT_TRUE(a1);
    EXPECT_FALSE(a->take(20));  // over a's limit
    auto b1 = b->take(45);
    ASSERT_TRUE(b1);
    EXPECT_FALSE(b->take(10));  // fits b, not the global limit
    EXPECT_EQ(global->used(), 95u);
    EXPECT_EQ(a->used(), 50u);
    {
        Charge part = a1->split(30);
        EXPECT_EQ(a1->bytes(), 20u);
        EXPECT_EQ(a->used(), 50u);
    }
    EXPECT_EQ(a->used(), 20u);
    EXPECT_EQ(global->used(), 65u);
    a1.reset();
    b1.reset();
    EXPECT_EQ(global->used(), 0u);
    auto big = a->take(1000);  // alone: taken although over both limits
    ASSERT_TRUE(big);
    EXPECT_FALSE(b->take(1));  // the global pool is over its limit now
    big.reset();
    EXPECT_TRUE(b->take(1));
}

}  // namespace
