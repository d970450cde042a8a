// SPDX-License-Identifier: BSD-2-Clause
// The iSCSI transport against a real target (tgt, started by tests/host/run.sh):
// CAMX_TEST_ISCSI_URL names the LUN, CAMX_TEST_LUN_BYTES its size.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "camx/bytes/bytes.hpp"
#include "camx/device/device.hpp"
#include "camx/error/error.hpp"
#include "camx/scsi/sense_category.hpp"
#include "camx/transport/transport.hpp"

namespace camx {
namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
}

class IscsiTransport : public ::testing::Test {
  protected:
    void SetUp() override {
        url = env("CAMX_TEST_ISCSI_URL");
        if (url.empty()) GTEST_SKIP() << "CAMX_TEST_ISCSI_URL is not set (run tests/host/run.sh)";
        t = transport::open(url);
    }

    transport::Result in(ByteView cdb, Bytes& buf) {
        transport::Command cmd;
        cmd.cdb = cdb;
        cmd.direction = transport::Direction::in;
        cmd.data_in = buf;
        return t->execute(cmd);
    }

    transport::Result none(ByteView cdb) {
        transport::Command cmd;
        cmd.cdb = cdb;
        return t->execute(cmd);
    }

    std::string url;
    std::unique_ptr<transport::Transport> t;
};

TEST_F(IscsiTransport, Inquiry) {
    EXPECT_EQ(t->path(), url);
    const Bytes cdb{0x12, 0, 0, 0, 96, 0};
    Bytes buf(96);
    const auto r = in(cdb, buf);
    ASSERT_EQ(r.status, 0);
    EXPECT_TRUE(r.sense.empty());
    EXPECT_EQ(r.requested, 96u);
    ASSERT_GE(r.transferred(), 36u);
    EXPECT_EQ(buf[0] & 0x1f, 0);  // direct access block device
    EXPECT_EQ(std::string(buf.begin() + 8, buf.begin() + 16), "IET     ");
    EXPECT_EQ(std::string(buf.begin() + 16, buf.begin() + 32), "VIRTUAL-DISK    ");
}

TEST_F(IscsiTransport, InquiryResidualMatchesTheAdditionalLength) {
    const Bytes cdb{0x12, 0, 0, 0, 255, 0};
    Bytes buf(255);
    const auto r = in(cdb, buf);
    ASSERT_EQ(r.status, 0);
    const std::size_t available = 5u + buf[4];
    ASSERT_LT(available, 255u);
    EXPECT_EQ(r.transferred(), available);
    EXPECT_EQ(r.residual, 255u - available);
}

TEST_F(IscsiTransport, TestUnitReady) {
    const Bytes tur{0, 0, 0, 0, 0, 0};
    auto r = none(tur);
    if (r.status == 0x02 && scsi::sense_key(r.sense).key == 0x06) r = none(tur);  // one UA
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.requested, 0u);
    EXPECT_EQ(r.residual, 0u);
}

TEST_F(IscsiTransport, ReadCapacity10) {
    const auto bytes = std::stoull(env("CAMX_TEST_LUN_BYTES"));
    const Bytes cdb{0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    Bytes buf(8);
    const auto r = in(cdb, buf);
    ASSERT_EQ(r.status, 0);
    ASSERT_EQ(r.transferred(), 8u);
    EXPECT_EQ(bytes::be32(buf, 4), 512u);
    EXPECT_EQ(bytes::be32(buf, 0), bytes / 512 - 1);
}

TEST_F(IscsiTransport, InvalidOpcodeGivesSense) {
    const Bytes cdb{0xff, 0, 0, 0, 0, 0};
    const auto r = none(cdb);
    ASSERT_EQ(r.status, 0x02);
    const auto k = scsi::sense_key(r.sense);
    ASSERT_TRUE(k.valid) << "sense bytes: " << r.sense.size();
    EXPECT_EQ(k.key, 0x05);
    EXPECT_EQ(k.asc, 0x20);
    EXPECT_EQ(k.ascq, 0x00);
    EXPECT_EQ(scsi::category_of(r.status, r.sense), Category::invalid_opcode);
}

TEST_F(IscsiTransport, WriteThenReadBack) {
    Bytes block(512);
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::uint8_t>(i * 7 + 3);
    const Bytes write10{0x2a, 0, 0, 0, 0, 8, 0, 0, 1, 0};
    transport::Command w;
    w.cdb = write10;
    w.direction = transport::Direction::out;
    w.data_out = block;
    const auto wr = t->execute(w);
    ASSERT_EQ(wr.status, 0);
    EXPECT_EQ(wr.requested, 512u);
    EXPECT_EQ(wr.residual, 0u);

    const Bytes read10{0x28, 0, 0, 0, 0, 8, 0, 0, 1, 0};
    Bytes back(512);
    const auto rd = in(read10, back);
    ASSERT_EQ(rd.status, 0);
    EXPECT_EQ(rd.transferred(), 512u);
    EXPECT_EQ(back, block);
}

TEST_F(IscsiTransport, DeviceLayerThrowsTheSenseCategory) {
    auto dev = device::open_device(url);
    const Bytes inquiry{0x12, 0, 0, 0, 96, 0};
    const Bytes got = dev.data_in(inquiry, 96);
    EXPECT_EQ(got.size(), 5u + got.at(4));
    try {
        dev.no_data(Bytes{0xff, 0, 0, 0, 0, 0});
        FAIL() << "an invalid opcode succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::invalid_opcode);
        EXPECT_EQ(e.scsi_status(), 0x02);
        EXPECT_FALSE(e.sense().empty());
    }
    const Bytes rc10{0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(dev.data_in(rc10, 8).size(), 8u);
}

TEST_F(IscsiTransport, LongCdbIsUnsupported) {
    const Bytes cdb32(32, 0);
    try {
        none(cdb32);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::unsupported);
    }
}

}  // namespace
}  // namespace camx
