// SPDX-License-Identifier: BSD-2-Clause
// The Data-Out length the engine reports for each command that carries data: what a
// frontend collects, whatever Expected Data Transfer Length the initiator declared.
#include <gtest/gtest.h>

#include "camx/ctl/engine.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/opcode.hpp"
#include "ctl_test_util.hpp"

namespace camx::ctl {
namespace {

namespace cdb = scsi::cdb;

class DataOutLength : public ::testing::Test {
  protected:
    void SetUp() override {
        LunConfig c;
        c.id = 0;
        c.size_bytes = 1 << 20;  // 2048 blocks of 512
        engine.add_lun(c);
        c.id = 1;
        c.options.blocksize = 4096;
        c.size_bytes = 64 << 20;  // 16384 blocks of 4096
        engine.add_lun(c);
        engine.add_enclosure(2, EnclosureConfig::with_counts(2, 1, 1, 1, 1));
        engine.add_port({"p0", true, 1, {}});
    }
    std::uint32_t length(const Bytes& c, std::uint64_t lun = 0) {
        return engine.data_out_length(*nx, lun, c);
    }
    Engine engine;
    std::shared_ptr<const Nexus> nx = test::nexus(1);
};

TEST_F(DataOutLength, BlockWritesInWholeBlocksOfTheLun) {
    EXPECT_EQ(length(cdb::Write6{.lba = 0, .transfer_length = 3}.encode()), 3u * 512);
    EXPECT_EQ(length(cdb::Write6{.lba = 0, .transfer_length = 256}.encode()), 256u * 512);
    EXPECT_EQ(length(cdb::Write10{.lba = 7, .transfer_length = 1}.encode()), 512u);
    EXPECT_EQ(length(cdb::Write10{.lba = 7, .transfer_length = 1}.encode(), 1), 4096u);
    EXPECT_EQ(length(cdb::Write12{.lba = 0, .transfer_length = 16}.encode()), 16u * 512);
    EXPECT_EQ(length(cdb::Write16{.lba = 2040, .transfer_length = 8}.encode()), 8u * 512);
    EXPECT_EQ(length(cdb::WriteAndVerify10{.lba = 0, .transfer_length = 2}.encode()), 1024u);
    EXPECT_EQ(length(cdb::WriteAndVerify12{.lba = 0, .transfer_length = 2}.encode()), 1024u);
    EXPECT_EQ(length(cdb::WriteAndVerify16{.lba = 0, .transfer_length = 2}.encode()), 1024u);
    EXPECT_EQ(length(cdb::OrWrite16{.lba = 0, .transfer_length = 4}.encode()), 2048u);
    EXPECT_EQ(length(cdb::WriteAtomic16{.lba = 0, .transfer_length = 4}.encode()), 2048u);
    EXPECT_EQ(length(cdb::Write10{.lba = 0, .transfer_length = 0}.encode()), 0u);
}

TEST_F(DataOutLength, RefusedTransfersCarryNothing) {
    // Past the end of the LUN: LBA OUT OF RANGE comes before any data.
    EXPECT_EQ(length(cdb::Write16{.lba = 2041, .transfer_length = 8}.encode()), 0u);
    EXPECT_EQ(length(cdb::Write16{.lba = ~0ull, .transfer_length = 2}.encode()), 0u);
    // Longer than the maximum transfer length (Block Limits VPD): INVALID FIELD IN CDB.
    EXPECT_EQ(length(cdb::Write10{.lba = 0, .transfer_length = 2049}.encode(), 1), 0u);
    EXPECT_EQ(length(cdb::Write10{.lba = 0, .transfer_length = 2048}.encode(), 1),
              max_transfer_bytes);
    EXPECT_EQ(length(cdb::PersistentReserveOut{.parameter_list_length = 0xffffffffu}.encode()), 0u);
    EXPECT_EQ(length(cdb::ExtendedCopy{.parameter_list_length = max_transfer_bytes + 1}.encode()),
              0u);
    // No such LUN, no such opcode, a command without data, a short CDB.
    EXPECT_EQ(length(cdb::Write10{.lba = 0, .transfer_length = 1}.encode(), 9), 0u);
    EXPECT_EQ(length(Bytes{0xc5, 0, 0, 0, 0, 0, 0, 0, 1, 0}), 0u);
    EXPECT_EQ(length(cdb::Read10{.lba = 0, .transfer_length = 8}.encode()), 0u);
    EXPECT_EQ(length(Bytes{0x2a, 0, 0, 0}), 0u);
    EXPECT_EQ(length(Bytes{}), 0u);
    // WRITE AND VERIFY with a BYTCHK it refuses.
    EXPECT_EQ(length(cdb::WriteAndVerify10{.bytchk = 2, .lba = 0, .transfer_length = 2}.encode()),
              0u);
}

TEST_F(DataOutLength, VerifyByByteCheck) {
    EXPECT_EQ(length(cdb::Verify10{.bytchk = 0, .lba = 0, .verification_length = 4}.encode()), 0u);
    EXPECT_EQ(length(cdb::Verify10{.bytchk = 1, .lba = 0, .verification_length = 4}.encode()),
              2048u);
    EXPECT_EQ(length(cdb::Verify12{.bytchk = 3, .lba = 0, .verification_length = 4}.encode()),
              512u);
    EXPECT_EQ(length(cdb::Verify16{.bytchk = 1, .lba = 0, .verification_length = 4}.encode(), 1),
              4u * 4096);
}

TEST_F(DataOutLength, WriteSameAndCompareAndWrite) {
    // One block however many it fills, none with NDOB.
    EXPECT_EQ(length(cdb::WriteSame10{.lba = 0, .blocks = 0}.encode()), 512u);
    EXPECT_EQ(length(cdb::WriteSame16{.lba = 0, .blocks = 100000}.encode(), 1), 4096u);
    EXPECT_EQ(length(cdb::WriteSame16{.ndob = true, .lba = 0, .blocks = 8}.encode()), 0u);
    // Both halves.
    EXPECT_EQ(length(cdb::CompareAndWrite{.lba = 0, .blocks = 1}.encode()), 1024u);
    EXPECT_EQ(length(cdb::CompareAndWrite{.lba = 0, .blocks = 2}.encode(), 1), 4u * 4096);
}

TEST_F(DataOutLength, ParameterLists) {
    EXPECT_EQ(length(cdb::Unmap{.parameter_list_length = 24}.encode()), 24u);
    EXPECT_EQ(length(cdb::ModeSelect6{.parameter_list_length = 28}.encode()), 28u);
    EXPECT_EQ(length(cdb::ModeSelect10{.parameter_list_length = 300}.encode()), 300u);
    EXPECT_EQ(length(cdb::PersistentReserveOut{.parameter_list_length = 24}.encode()), 24u);
    EXPECT_EQ(length(cdb::ExtendedCopy{.parameter_list_length = 1000}.encode()), 1000u);
    cdb::Sanitize overwrite;
    overwrite.service_action = static_cast<std::uint8_t>(scsi::SanitizeSa::overwrite);
    overwrite.parameter_list_length = 8;
    EXPECT_EQ(length(overwrite.encode()), 8u);
    cdb::Sanitize erase = overwrite;
    erase.service_action = static_cast<std::uint8_t>(scsi::SanitizeSa::block_erase);
    EXPECT_EQ(length(erase.encode()), 0u);
    // SEND DIAGNOSTIC carries data to an enclosure (its own command table).
    EXPECT_EQ(length(cdb::SendDiagnostic{.pf = true, .parameter_list_length = 40}.encode(), 2),
              40u);
}

// The frontend hands over only what the CDB carries; a command whose data must have an exact
// size still sees the length the initiator declared, and refuses a mismatch.
TEST_F(DataOutLength, DeclaredLengthMustMatchWhereTheSizeIsExact) {
    auto run = [&](Bytes c, Bytes data, std::uint32_t edtl) {
        Task t;
        t.nexus = nx;
        t.cdb = std::move(c);
        t.direction = DataDirection::out;
        t.expected_transfer_length = edtl;
        t.data_out = std::move(data);
        return engine.execute(std::move(t));
    };
    test::Initiator(engine, nx).attach();
    // COMPARE AND WRITE of 256 blocks reads 0 in its one-byte field: no data, but 256 KiB
    // declared.
    EXPECT_SENSE(run(cdb::CompareAndWrite{.lba = 0, .blocks = 0}.encode(), {}, 256 * 1024), 5, 0x24,
                 0);
    EXPECT_SENSE(run(cdb::CompareAndWrite{.lba = 0, .blocks = 1}.encode(), Bytes(1024, 0), 1536), 5,
                 0x24, 0);
    EXPECT_EQ(
        run(cdb::CompareAndWrite{.lba = 0, .blocks = 1}.encode(), Bytes(1024, 0), 1024).status, 0);
    // WRITE SAME: one block of data, two declared.
    EXPECT_SENSE(run(cdb::WriteSame10{.lba = 0, .blocks = 4}.encode(), Bytes(512, 1), 1024), 5,
                 0x24, 0);
    EXPECT_EQ(run(cdb::WriteSame10{.lba = 0, .blocks = 4}.encode(), Bytes(512, 1), 512).status, 0);
}

}  // namespace
}  // namespace camx::ctl
