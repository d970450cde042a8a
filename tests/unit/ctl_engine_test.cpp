// SPDX-License-Identifier: BSD-2-Clause
// The target engine driven as an initiator would: CDBs from camx::scsi::cdb, answers decoded
// with the camx::scsi decoders.
#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "camx/ctl/engine.hpp"
#include "camx/ctl/lun_check.hpp"
#include "camx/ctl/xcopy.hpp"
#include "camx/scsi/alua.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/inquiry.hpp"
#include "camx/scsi/lba_status.hpp"
#include "camx/scsi/log.hpp"
#include "camx/scsi/mode.hpp"
#include "camx/scsi/opcodes.hpp"
#include "camx/scsi/persist.hpp"
#include "camx/scsi/readcap.hpp"
#include "camx/scsi/report_luns.hpp"
#include "camx/scsi/vpd.hpp"
#include "ctl_test_util.hpp"

namespace camx::ctl {
namespace {

namespace cdb = scsi::cdb;
using test::Initiator;

class CtlEngine : public ::testing::Test {
  protected:
    void SetUp() override {
        LunConfig c;
        c.id = 0;
        c.size_bytes = 8 << 20;
        c.options.serial = "SER0";
        c.options.removable = true;
        engine.add_lun(c);
        c.id = 1;
        c.options.serial = "SER1";
        engine.add_lun(c);
        engine.add_port({"p0", true, 1, {}});
        a.attach();
    }
    Bytes block(std::uint8_t fill, std::size_t n = 1) { return Bytes(512 * n, fill); }
    Engine engine;
    Initiator a{engine, test::nexus(1)};
    Initiator b{engine, test::nexus(2, "iqn.2024-01.org.test:other")};
};

TEST_F(CtlEngine, PowerOnUnitAttentionThenGood) {
    auto r = b.run(cdb::TestUnitReady{}.encode());
    EXPECT_SENSE(r, 6, 0x29, 0x00);
    EXPECT_EQ(b.run(cdb::TestUnitReady{}.encode()).status, 0);
}

TEST_F(CtlEngine, StandardInquiry) {
    auto r = a.run(cdb::Inquiry{false, 0, 255, 0}.encode());
    ASSERT_EQ(r.status, 0);
    auto inq = scsi::Inquiry::decode(r.data_in);
    EXPECT_EQ(inq.vendor, "CAMX");
    EXPECT_EQ(inq.product, "CTL DISK");
    EXPECT_EQ(inq.peripheral_qualifier, 0);
    EXPECT_TRUE(inq.removable);
    EXPECT_TRUE(inq.cmdque);
    EXPECT_TRUE(inq.tpc);
    EXPECT_EQ(inq.tpgs, 1);
    EXPECT_EQ(r.data_in.size(), 96u);
    // Allocation length cuts the data.
    EXPECT_EQ(a.run(cdb::Inquiry{false, 0, 36, 0}.encode()).data_in.size(), 36u);
}

TEST_F(CtlEngine, MissingLun) {
    Initiator x{engine, a.nx, 7};
    auto r = x.run(cdb::Inquiry{false, 0, 96, 0}.encode());
    ASSERT_EQ(r.status, 0);
    auto inq = scsi::Inquiry::decode(r.data_in);
    EXPECT_EQ(inq.peripheral_qualifier, 3);
    EXPECT_EQ(inq.peripheral_device_type, 0x1f);
    EXPECT_SENSE(x.run(cdb::TestUnitReady{}.encode()), 5, 0x25, 0x00);
    EXPECT_SENSE(x.run(cdb::Read10{0, false, false, false, 0, 0, 1, 0}.encode()), 5, 0x25, 0x00);
    // REPORT LUNS works through any LUN.
    EXPECT_EQ(x.run(cdb::ReportLuns{0, 1024, 0}.encode()).status, 0);
}

TEST_F(CtlEngine, VpdPages) {
    auto get = [&](std::uint8_t page) {
        auto r = a.run(cdb::Inquiry{true, page, 1024, 0}.encode());
        EXPECT_EQ(r.status, 0);
        return scsi::decode_vpd(r.data_in);
    };
    auto sup = std::get<scsi::SupportedVpdPages>(get(0x00));
    EXPECT_EQ(sup.pages, (std::vector<std::uint8_t>{0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2}));
    EXPECT_EQ(std::get<scsi::UnitSerialNumber>(get(0x80)).serial_number, "SER0");
    auto id = std::get<scsi::DeviceIdentification>(get(0x83));
    ASSERT_GE(id.designators.size(), 4u);
    EXPECT_EQ(id.designators[0].designator_type, 3);
    EXPECT_EQ(engine.lun(0).naa, bytes::be64(id.designators[0].value, 0));
    EXPECT_NE(engine.lun(0).naa, engine.lun(1).naa);
    auto ext = std::get<scsi::ExtendedInquiry>(get(0x86));
    EXPECT_TRUE(ext.simpsup);
    auto bl = std::get<scsi::BlockLimits>(get(0xb0));
    EXPECT_EQ(bl.maximum_compare_and_write_length, 255);
    EXPECT_EQ(bl.maximum_unmap_block_descriptor_count, 256u);
    EXPECT_EQ(std::get<scsi::BlockDeviceCharacteristics>(get(0xb1)).medium_rotation_rate, 1);
    auto lbp = std::get<scsi::LogicalBlockProvisioning>(get(0xb2));
    EXPECT_TRUE(lbp.lbpu);
    EXPECT_TRUE(lbp.lbpws);
    auto bad = a.run(cdb::Inquiry{true, 0x99, 255, 0}.encode());
    EXPECT_SENSE(bad, 5, 0x24, 0x00);
    auto sks = test::sense_of(bad).key_specific();
    ASSERT_TRUE(sks);
    EXPECT_TRUE(sks->command_data());
    EXPECT_EQ(sks->value(), 2);
}

TEST_F(CtlEngine, ReadCapacity) {
    auto r10 = scsi::ReadCapacity10Data::decode(a.run(cdb::ReadCapacity10{}.encode()).data_in);
    EXPECT_EQ(r10.returned_lba, (8u << 20) / 512 - 1);
    EXPECT_EQ(r10.block_length, 512u);
    auto r16 = scsi::ReadCapacity16Data::decode(a.run(cdb::ReadCapacity16{}.encode()).data_in);
    EXPECT_EQ(r16.returned_lba, (8u << 20) / 512 - 1);
    EXPECT_TRUE(r16.lbpme);
    EXPECT_TRUE(r16.lbprz);
    EXPECT_SENSE(a.run(cdb::ReadCapacity10{5, false, 0}.encode()), 5, 0x24, 0x00);
}

TEST_F(CtlEngine, ReadWriteAllSizes) {
    EXPECT_EQ(a.run(cdb::Write6{10, 1, 0}.encode(), block(0x11)).status, 0);
    EXPECT_EQ(a.run(cdb::Write10{0, false, false, 11, 0, 2, 0}.encode(), block(0x22, 2)).status, 0);
    EXPECT_EQ(a.run(cdb::Write12{0, false, true, 13, 1, 0, 0}.encode(), block(0x33)).status, 0);
    EXPECT_EQ(a.run(cdb::Write16{0, false, false, 14, 1, 0, 0}.encode(), block(0x44)).status, 0);
    auto r = a.run(cdb::Read16{0, false, false, false, 10, 5, 0, 0}.encode());
    ASSERT_EQ(r.status, 0);
    ASSERT_EQ(r.data_in.size(), 5u * 512);
    EXPECT_EQ(r.data_in[0], 0x11);
    EXPECT_EQ(r.data_in[512], 0x22);
    EXPECT_EQ(r.data_in[1024], 0x22);
    EXPECT_EQ(r.data_in[1536], 0x33);
    EXPECT_EQ(r.data_in[2048], 0x44);
    EXPECT_EQ(a.run(cdb::Read6{10, 1, 0}.encode()).data_in, block(0x11));
    EXPECT_EQ(a.run(cdb::Read10{0, false, false, false, 13, 0, 1, 0}.encode()).data_in,
              block(0x33));
    EXPECT_EQ(a.run(cdb::Read12{0, false, false, false, 14, 1, 0, 0}.encode()).data_in,
              block(0x44));
    // Never written: zeros.
    EXPECT_EQ(a.run(cdb::Read10{0, false, false, false, 1000, 0, 1, 0}.encode()).data_in, block(0));
    // The other LUN is separate.
    Initiator l1{engine, a.nx, 1};
    l1.attach();
    EXPECT_EQ(l1.run(cdb::Read10{0, false, false, false, 10, 0, 1, 0}.encode()).data_in, block(0));
    auto st = engine.stats(0);
    EXPECT_EQ(st.bytes_written, 5u * 512);
    EXPECT_GE(st.bytes_read, 5u * 512);
    EXPECT_GT(st.commands, 8u);
    EXPECT_GT(st.latency_ns_max, 0u);
}

TEST_F(CtlEngine, ErrorsOnReadWrite) {
    std::uint32_t last = (8u << 20) / 512 - 1;
    EXPECT_SENSE(a.run(cdb::Read10{0, false, false, false, last, 0, 2, 0}.encode()), 5, 0x21, 0x00);
    EXPECT_SENSE(a.run(cdb::Write16{0, false, false, 1ull << 40, 1, 0, 0}.encode(), block(1)), 5,
                 0x21, 0x00);
    EXPECT_EQ(a.run(cdb::Read10{0, false, false, false, last, 0, 1, 0}.encode()).status, 0);
    auto r = a.run(cdb::Read10{1, false, false, false, 0, 0, 1, 0}.encode());
    EXPECT_SENSE(r, 5, 0x24, 0x00);
    EXPECT_EQ(test::sense_of(r).key_specific()->value(), 1);
    // Too little data-out: the blocks that arrived are written, the frontend learns how much the
    // CDB asked for (an overflow residual).
    ASSERT_EQ(a.run(cdb::Write10{0, false, false, 0, 0, 2, 0}.encode(), block(0)).status, 0);
    ASSERT_EQ(a.run(cdb::Write10{0, false, false, 1, 0, 1, 0}.encode(), block(7)).status, 0);
    auto w = a.run(cdb::Write10{0, false, false, 0, 0, 2, 0}.encode(), block(1));
    EXPECT_EQ(w.status, 0);
    ASSERT_TRUE(w.data_out_requested.has_value());
    EXPECT_EQ(*w.data_out_requested, 1024u);
    auto back = a.run(cdb::Read10{0, false, false, false, 0, 0, 2, 0}.encode());
    ASSERT_EQ(back.data_in.size(), 1024u);
    EXPECT_EQ(back.data_in[0], 1);
    EXPECT_EQ(back.data_in[512], 7);
    // Data-in is not cut to the expected transfer length: the frontend reports the overflow.
    EXPECT_EQ(
        a.run(cdb::Read10{0, false, false, false, 0, 0, 2, 0}.encode(), {}, 512).data_in.size(),
        1024u);
    // Unknown opcode.
    Bytes unknown(10, 0);
    unknown[0] = 0x3b;
    EXPECT_SENSE(a.run(unknown), 5, 0x20, 0x00);
}

TEST_F(CtlEngine, VerifyAndWriteAndVerify) {
    ASSERT_EQ(a.run(cdb::WriteAndVerify10{0, false, 0, 5, 0, 1, 0}.encode(), block(0x5a)).status,
              0);
    EXPECT_EQ(a.run(cdb::Verify10{0, false, 1, 5, 0, 1, 0}.encode(), block(0x5a)).status, 0);
    Bytes bad = block(0x5a);
    bad[100] = 0;
    auto r = a.run(cdb::Verify16{0, false, 1, 5, 1, 0, 0}.encode(), bad);
    EXPECT_SENSE(r, 0x0e, 0x1d, 0x00);
    EXPECT_EQ(test::sense_of(r).information_field(), 100u);
    EXPECT_EQ(a.run(cdb::Verify12{0, false, 0, 5, 1, 0, 0}.encode()).status, 0);
    EXPECT_EQ(a.run(cdb::WriteAndVerify12{0, false, 1, 6, 1, 0, 0}.encode(), block(1)).status, 0);
    EXPECT_EQ(a.run(cdb::WriteAndVerify16{0, false, 0, 7, 1, 0, 0}.encode(), block(2)).status, 0);
    EXPECT_SENSE(a.run(cdb::Verify10{0, false, 0, 0xffffff, 0, 1, 0}.encode()), 5, 0x21, 0x00);
}

TEST_F(CtlEngine, WriteSameUnmapAndLbaStatus) {
    ASSERT_EQ(
        a.run(cdb::WriteSame10{0, false, false, 2048, 0, 4096, 0}.encode(), block(0x77)).status, 0);
    auto r = a.run(cdb::Read10{0, false, false, false, 2048 + 4095, 0, 1, 0}.encode());
    EXPECT_EQ(r.data_in, block(0x77));
    auto lbs = [&](std::uint64_t lba) {
        auto s = a.run(cdb::GetLbaStatus{lba, 1024, 0, 0}.encode());
        EXPECT_EQ(s.status, 0);
        return s.data_in;
    };
    auto d = lbs(2048);
    ASSERT_GE(d.size(), 24u);
    EXPECT_EQ(bytes::be64(d, 8), 2048u);
    EXPECT_EQ(d[20], 0);  // mapped
    // The 1 MiB chunk at 2048..4095 unmaps whole.
    ASSERT_EQ(
        a.run(cdb::WriteSame16{0, false, true, false, 2048, 2048, 0, 0}.encode(), block(0)).status,
        0);
    d = lbs(2048);
    EXPECT_EQ(d[20], 1);  // deallocated
    EXPECT_EQ(a.run(cdb::Read10{0, false, false, false, 2048, 0, 1, 0}.encode()).data_in, block(0));
    cdb::UnmapParameterList list;
    list.descriptors.push_back({4096, 2048});
    Bytes pl = list.encode();
    ASSERT_EQ(
        a.run(cdb::Unmap{false, 0, static_cast<std::uint16_t>(pl.size()), 0}.encode(), pl).status,
        0);
    EXPECT_EQ(a.run(cdb::Read10{0, false, false, false, 4096, 0, 1, 0}.encode()).data_in, block(0));
    cdb::UnmapParameterList out_of_range;
    out_of_range.descriptors.push_back({16383, 2});
    pl = out_of_range.encode();
    EXPECT_SENSE(a.run(cdb::Unmap{false, 0, static_cast<std::uint16_t>(pl.size()), 0}.encode(), pl),
                 5, 0x21, 0);
    // WRITE SAME with NDOB writes zeros.
    EXPECT_EQ(a.run(cdb::WriteSame16{0, false, false, true, 10, 1, 0, 0}.encode()).status, 0);
}

TEST_F(CtlEngine, CompareAndWrite) {
    ASSERT_EQ(a.run(cdb::Write10{0, false, false, 20, 0, 1, 0}.encode(), block(0xaa)).status, 0);
    Bytes data = block(0xaa);
    Bytes next = block(0xbb);
    data.insert(data.end(), next.begin(), next.end());
    EXPECT_EQ(a.run(cdb::CompareAndWrite{0, false, false, 20, 1, 0, 0}.encode(), data).status, 0);
    EXPECT_EQ(a.run(cdb::Read10{0, false, false, false, 20, 0, 1, 0}.encode()).data_in,
              block(0xbb));
    data[7] = 0;  // compare part no longer matches (medium holds 0xbb)
    auto r = a.run(cdb::CompareAndWrite{0, false, false, 20, 1, 0, 0}.encode(), data);
    EXPECT_SENSE(r, 0x0e, 0x1d, 0x00);
    EXPECT_EQ(test::sense_of(r).information_field(), 0u);
}

TEST_F(CtlEngine, SynchronizeCache) {
    EXPECT_EQ(a.run(cdb::SynchronizeCache10{}.encode()).status, 0);
    EXPECT_EQ(a.run(cdb::SynchronizeCache16{false, 0, 10, 0, 0}.encode()).status, 0);
    EXPECT_SENSE(a.run(cdb::SynchronizeCache16{false, 1ull << 33, 1, 0, 0}.encode()), 5, 0x21,
                 0x00);
}

TEST_F(CtlEngine, ModeSenseSelectAndDescriptorSense) {
    auto sense = [&](std::uint8_t pc, std::uint8_t page) {
        auto r = a.run(cdb::ModeSense10{false, false, pc, page, 0, 4096, 0}.encode());
        EXPECT_EQ(r.status, 0);
        return scsi::ModeParameters::decode(r.data_in, scsi::ModeFormat::ten);
    };
    auto all = sense(0, 0x3f);
    ASSERT_EQ(all.pages.size(), 4u);
    ASSERT_EQ(all.block_descriptors.size(), 1u);
    EXPECT_EQ(all.block_descriptors[0].block_length, 512u);
    EXPECT_EQ(all.find(0x08)->field("wce"), 1u);
    EXPECT_FALSE(all.header.wp());
    auto ch = sense(1, 0x0a);
    EXPECT_EQ(ch.find(0x0a)->field("d_sense"), 1u);
    auto six = scsi::ModeParameters::decode(
        a.run(cdb::ModeSense6{true, 2, 0x08, 0, 255, 0}.encode()).data_in, scsi::ModeFormat::six);
    EXPECT_TRUE(six.block_descriptors.empty());
    EXPECT_EQ(six.pages.size(), 1u);
    EXPECT_SENSE(a.run(cdb::ModeSense6{false, 0, 0x19, 0, 255, 0}.encode()), 5, 0x24, 0x00);

    // D_SENSE on: sense in descriptor format; the other initiator sees MODE PARAMETERS CHANGED.
    b.attach();
    scsi::ModeParameters sel;
    sel.format = scsi::ModeFormat::ten;
    sel.pages.push_back(*all.find(0x0a));
    scsi::set_field(sel.pages[0], "d_sense", 1);
    Bytes pl = sel.encode_select();
    ASSERT_EQ(
        a.run(cdb::ModeSelect10{true, false, static_cast<std::uint16_t>(pl.size()), 0}.encode(), pl)
            .status,
        0);
    auto r = a.run(cdb::Read10{0, false, false, false, 1u << 30, 0, 1, 0}.encode());
    ASSERT_EQ(r.status, 2);
    EXPECT_TRUE(test::sense_of(r).descriptor_format);
    EXPECT_SENSE(b.run(cdb::TestUnitReady{}.encode()), 6, 0x2a, 0x01);
    // Saved values untouched without SP.
    EXPECT_EQ(sense(3, 0x0a).find(0x0a)->field("d_sense"), 0u);
    // A bit outside the changeable mask is refused with a parameter-list field pointer.
    scsi::set_field(sel.pages[0], "tst", 1);
    pl = sel.encode_select();
    auto bad = a.run(
        cdb::ModeSelect10{true, false, static_cast<std::uint16_t>(pl.size()), 0}.encode(), pl);
    EXPECT_SENSE(bad, 5, 0x26, 0x00);
    EXPECT_FALSE(test::sense_of(bad).key_specific()->command_data());
    EXPECT_EQ(test::sense_of(bad).key_specific()->value(), 8 + 2);
}

TEST_F(CtlEngine, LogSense) {
    auto page = [&](std::uint8_t code) {
        auto r = a.run(cdb::LogSense{false, false, 1, code, 0, 0, 4096, 0}.encode());
        EXPECT_EQ(r.status, 0);
        return scsi::LogPage::decode(r.data_in);
    };
    EXPECT_EQ(page(0).supported_pages.size(), 5u);
    a.run(cdb::Write10{0, false, false, 0, 0, 2, 0}.encode(), block(1, 2));
    EXPECT_EQ(page(2).parameter(5)->number(), 1024u);
    EXPECT_FALSE(page(0x0d).temperature_celsius().has_value());
    EXPECT_TRUE(page(0x2f).informational_exception().has_value());
    EXPECT_SENSE(a.run(cdb::LogSense{false, false, 1, 0x30, 0, 0, 4096, 0}.encode()), 5, 0x24,
                 0x00);
}

TEST_F(CtlEngine, ReportLunsPerPortMap) {
    auto r = a.run(cdb::ReportLuns{0, 1024, 0}.encode());
    auto d = scsi::ReportLunsData::decode(r.data_in);
    ASSERT_EQ(d.luns.size(), 2u);
    EXPECT_EQ(d.luns[1].to_int(), 1u);
    engine.add_port({"p1", true, 2, std::map<std::uint64_t, std::uint64_t>{{300, 1}}});
    Initiator c{engine, test::nexus(3, "iqn.x:c", "p1", 2), 0x4000 | 300};
    c.attach();
    d = scsi::ReportLunsData::decode(c.run(cdb::ReportLuns{0, 1024, 0}.encode()).data_in);
    ASSERT_EQ(d.luns.size(), 1u);
    EXPECT_EQ(d.luns[0].levels()[0].lun, 300u);
    EXPECT_EQ(scsi::Inquiry::decode(c.run(cdb::Inquiry{false, 0, 96, 0}.encode()).data_in)
                  .peripheral_qualifier,
              0);
    EXPECT_SENSE(a.run(cdb::ReportLuns{0, 8, 0}.encode()), 5, 0x24, 0x00);
    // Adding a LUN raises REPORTED LUNS DATA HAS CHANGED.
    LunConfig more;
    more.id = 5;
    more.size_bytes = 1 << 20;
    engine.add_lun(more);
    EXPECT_SENSE(a.run(cdb::TestUnitReady{}.encode()), 6, 0x3f, 0x0e);
}

TEST_F(CtlEngine, ReportSupportedOpcodesFromTable) {
    auto r = a.run(cdb::ReportSupportedOpcodes{false, 0, 0, 0, 65535, 0}.encode());
    ASSERT_EQ(r.status, 0);
    auto all = scsi::SupportedOpcodes::decode(r.data_in);
    EXPECT_GT(all.commands.size(), 40u);
    // Every listed command is accepted (never INVALID COMMAND OPERATION CODE).
    for (const auto& c : all.commands) {
        auto one =
            a.run(cdb::ReportSupportedOpcodes{false, static_cast<std::uint8_t>(c.servactv ? 2 : 1),
                                              c.opcode, c.service_action, 512, 0}
                      .encode());
        ASSERT_EQ(one.status, 0);
        auto oc = scsi::OneCommand::decode(one.data_in);
        EXPECT_TRUE(oc.supported());
        ASSERT_EQ(oc.cdb_usage.size(), c.cdb_length);
        EXPECT_EQ(oc.cdb_usage[0], c.opcode);
    }
    auto none = scsi::OneCommand::decode(
        a.run(cdb::ReportSupportedOpcodes{false, 1, 0x3b, 0, 512, 0}.encode()).data_in);
    EXPECT_EQ(none.support, 1);
    auto tmfs =
        scsi::SupportedTmfs::decode(a.run(cdb::ReportSupportedTmfs{false, 16, 0}.encode()).data_in);
    EXPECT_TRUE(tmfs.ats && tmfs.lurs && tmfs.itnrs);
    auto tpg = scsi::TargetPortGroups::decode(
        a.run(cdb::ReportTargetPortGroups{false, 1024, 0}.encode()).data_in);
    ASSERT_EQ(tpg.groups.size(), 1u);
    EXPECT_EQ(tpg.groups[0].state, 0);
    EXPECT_EQ(tpg.groups[0].relative_target_ports, std::vector<std::uint16_t>{1});
}

TEST_F(CtlEngine, OfflineIsBusy) {
    engine.set_lun_online(0, false);
    EXPECT_EQ(a.run(cdb::TestUnitReady{}.encode()).status, 0x08);
    engine.set_lun_online(0, true);
    EXPECT_EQ(a.run(cdb::TestUnitReady{}.encode()).status, 0);
}

TEST_F(CtlEngine, Spc2Reservations) {
    b.attach();
    ASSERT_EQ(a.run(cdb::Reserve6{}.encode()).status, 0);
    EXPECT_EQ(b.run(cdb::Read10{0, false, false, false, 0, 0, 1, 0}.encode()).status, 0x18);
    EXPECT_EQ(b.run(cdb::TestUnitReady{}.encode()).status, 0x18);
    EXPECT_EQ(b.run(cdb::Reserve10{}.encode()).status, 0x18);
    EXPECT_EQ(b.run(cdb::Inquiry{false, 0, 36, 0}.encode()).status, 0);
    EXPECT_EQ(b.run(cdb::Release6{}.encode()).status, 0);  // not the holder: no effect
    EXPECT_EQ(b.run(cdb::TestUnitReady{}.encode()).status, 0x18);
    EXPECT_EQ(a.run(cdb::Release10{}.encode()).status, 0);
    EXPECT_EQ(b.run(cdb::TestUnitReady{}.encode()).status, 0);
    // A LUN reset drops it.
    ASSERT_EQ(a.run(cdb::Reserve6{}.encode()).status, 0);
    EXPECT_EQ(engine.task_management(*a.nx, TmfFunction::lun_reset, 0, 0), TmfResponse::complete);
    EXPECT_SENSE(b.run(cdb::TestUnitReady{}.encode()), 6, 0x29, 0x03);
    EXPECT_EQ(b.run(cdb::TestUnitReady{}.encode()).status, 0);
}

TEST_F(CtlEngine, EjectAndLoad) {
    auto eject = cdb::StartStopUnit{false, 0, 0, false, true, false, 0}.encode();
    auto load = cdb::StartStopUnit{false, 0, 0, false, true, true, 0}.encode();
    ASSERT_EQ(a.run(cdb::PreventAllowMediumRemoval{1, 0}.encode()).status, 0);
    EXPECT_SENSE(a.run(eject), 5, 0x53, 0x02);
    ASSERT_EQ(a.run(cdb::PreventAllowMediumRemoval{0, 0}.encode()).status, 0);
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(a.run(eject).status, 0);
        EXPECT_TRUE(engine.lun(0).state.ejected);
        EXPECT_SENSE(a.run(cdb::TestUnitReady{}.encode()), 2, 0x3a, 0x00);
        EXPECT_SENSE(a.run(cdb::ReadCapacity10{}.encode()), 2, 0x3a, 0x00);
        ASSERT_EQ(a.run(load).status, 0);
        EXPECT_EQ(a.run(cdb::TestUnitReady{}.encode()).status, 0);
    }
    engine.eject(0);
    EXPECT_SENSE(a.run(cdb::TestUnitReady{}.encode()), 2, 0x3a, 0x00);
    engine.load(0);
    EXPECT_SENSE(a.run(cdb::TestUnitReady{}.encode()), 6, 0x28, 0x00);
    EXPECT_EQ(a.run(cdb::TestUnitReady{}.encode()).status, 0);
}

TEST_F(CtlEngine, ResizeRaisesCapacityChanged) {
    engine.modify_lun(0, {.size_bytes = 16 << 20, .options = {}});
    EXPECT_SENSE(a.run(cdb::TestUnitReady{}.encode()), 6, 0x2a, 0x09);
    auto r16 = scsi::ReadCapacity16Data::decode(a.run(cdb::ReadCapacity16{}.encode()).data_in);
    EXPECT_EQ(r16.returned_lba, (16u << 20) / 512 - 1);
}

// A file LUN really changes size: the file grows, READ CAPACITY follows, every nexus gets
// CAPACITY DATA HAS CHANGED; shrinking away written data needs force, cutting holes does not.
TEST_F(CtlEngine, FileLunResize) {
    auto path = std::filesystem::temp_directory_path() / "camx_ctl_resize.img";
    std::filesystem::remove(path);
    LunConfig c;
    c.id = 23;
    c.backend = BackendKind::file;
    c.path = path.string();
    c.size_bytes = 1 << 20;  // creates the file
    engine.add_lun(c);
    EXPECT_EQ(std::filesystem::file_size(path), 1u << 20);
    Initiator r{engine, a.nx, 23}, other{engine, b.nx, 23};
    r.attach();
    other.attach();
    engine.modify_lun(23, {.size_bytes = 4 << 20});
    EXPECT_EQ(std::filesystem::file_size(path), 4u << 20);
    EXPECT_SENSE(r.run(cdb::TestUnitReady{}.encode()), 6, 0x2a, 0x09);
    EXPECT_SENSE(other.run(cdb::TestUnitReady{}.encode()), 6, 0x2a, 0x09);
    auto cap = scsi::ReadCapacity16Data::decode(r.run(cdb::ReadCapacity16{}.encode()).data_in);
    EXPECT_EQ(cap.returned_lba, (4u << 20) / 512 - 1);
    // Data at 3 MiB: a cut to 2 MiB needs force and changes nothing without it.
    ASSERT_EQ(r.run(cdb::Write10{0, false, false, 6144, 0, 1, 0}.encode(), block(7)).status, 0);
    try {
        engine.modify_lun(23, {.size_bytes = 2 << 20});
        ADD_FAILURE() << "shrank below data";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::usage);
        EXPECT_NE(std::string(e.what()).find("force"), std::string::npos) << e.what();
    }
    EXPECT_EQ(std::filesystem::file_size(path), 4u << 20);
    EXPECT_EQ(engine.lun(23).blocks, (4u << 20) / 512);
    EXPECT_EQ(r.run(cdb::TestUnitReady{}.encode()).status, 0);  // no change, no attention
    engine.modify_lun(23, {.size_bytes = 2 << 20, .force = true});
    EXPECT_EQ(std::filesystem::file_size(path), 2u << 20);
    EXPECT_EQ(engine.lun(23).blocks, (2u << 20) / 512);
    // Only holes beyond 1 MiB now: no force needed.
    engine.modify_lun(23, {.size_bytes = 1 << 20});
    EXPECT_EQ(std::filesystem::file_size(path), 1u << 20);
    // Size 0 reads the size again, here after the file grew behind ctld's back.
    std::filesystem::resize_file(path, 3 << 20);
    engine.modify_lun(23, {.size_bytes = 0});
    EXPECT_EQ(engine.lun(23).blocks, (3u << 20) / 512);
    engine.remove_lun(23);
    std::filesystem::remove(path);
}

// ctl.conf(5): the default backend, block, takes "a block device, or a file".
TEST_F(CtlEngine, BlockBackendServesRegularFile) {
    auto path = std::filesystem::temp_directory_path() / "camx_ctl_block_file.img";
    std::filesystem::remove(path);
    { std::ofstream f(path); }
    std::filesystem::resize_file(path, 2 << 20);
    LunConfig c;
    c.id = 24;
    c.backend = BackendKind::block;
    c.path = path.string();
    engine.add_lun(c);
    Initiator r{engine, a.nx, 24};
    r.attach();
    EXPECT_EQ(engine.lun(24).blocks, (2u << 20) / 512);
    ASSERT_EQ(r.run(cdb::Write10{0, false, false, 9, 0, 1, 0}.encode(), block(0x5a)).status, 0);
    EXPECT_EQ(r.run(cdb::Read10{0, false, false, false, 9, 0, 1, 0}.encode()).data_in, block(0x5a));
    engine.remove_lun(24);
    std::filesystem::remove(path);
}

TEST_F(CtlEngine, RamdiskShrinkBelowDataNeedsForce) {
    ASSERT_EQ(a.run(cdb::Write10{0, false, false, 12000, 0, 1, 0}.encode(), block(3)).status, 0);
    EXPECT_THROW(engine.modify_lun(0, {.size_bytes = 4 << 20}), Error);
    EXPECT_EQ(engine.lun(0).blocks, (8u << 20) / 512);
    engine.modify_lun(0, {.size_bytes = 4 << 20, .force = true});
    EXPECT_EQ(engine.lun(0).blocks, (4u << 20) / 512);
}

// One set of limits (lun_check.hpp), the engine's and ctld's: nothing rounded, nothing
// unbounded.
TEST(CtlLunCheck, RefusesWhatCannotBeServed) {
    auto problems = [](const LunConfig& c, std::uint64_t memory = 1ull << 30) {
        std::string out;
        for (const auto& p : lun_problems(c, memory))
            out += std::string(p.field) + ": " + p.message + "\n";
        return out;
    };
    LunConfig c;
    c.size_bytes = 1 << 20;
    EXPECT_EQ(problems(c), "");
    c.id = 20000;
    EXPECT_EQ(problems(c), "lun: LUN number 20000 is above 16383\n");
    c.id = 16383;
    c.size_bytes = 1000;
    EXPECT_EQ(problems(c), "size: size 1000 is not a multiple of blocksize 512\n");
    c.size_bytes = ~0ull - 511;
    EXPECT_NE(problems(c).find("size: size 18446744073709551104 (16 EiB) is above the largest LUN"),
              std::string::npos)
        << problems(c);
    // Larger than memory: only as a thin ramdisk, whose capacity fits in memory.
    c.size_bytes = 16ull << 50;
    EXPECT_EQ(problems(c),
              "capacity: ramdisk size 16 PiB is larger than this host's memory (1 GiB); a thin "
              "ramdisk needs option capacity (the memory it may use)\n");
    c.capacity_bytes = 64 << 20;
    EXPECT_EQ(problems(c), "");
    c.capacity_bytes = 2ull << 30;
    EXPECT_EQ(problems(c),
              "capacity: ramdisk capacity 2 GiB is larger than this host's memory (1 GiB)\n");
    c.capacity_bytes.reset();
    c.size_bytes = 1 << 20;
    c.options.serial = "caf\xc3\xa9";
    c.options.vendor = "V\tX";
    EXPECT_EQ(problems(c),
              "vendor: vendor 'V' has a byte 0x09 at 1 that is not printable ASCII (SPC allows "
              "0x20..0x7e)\n"
              "serial: serial 'caf' has a byte 0xc3 at 3 that is not printable ASCII (SPC "
              "allows 0x20..0x7e)\n");
    c.options = {};
    c.backend = BackendKind::file;
    c.path = "/x";
    c.capacity_bytes = 1 << 20;
    EXPECT_EQ(problems(c), "capacity: option capacity is for ramdisk LUNs only\n");
}

TEST_F(CtlEngine, AddLunRefusesBadConfigs) {
    LunConfig c;
    c.id = 20000;
    c.size_bytes = 1 << 20;
    EXPECT_THROW(engine.add_lun(c), Error);
    c.id = 40;
    c.size_bytes = 1000;
    EXPECT_THROW(engine.add_lun(c), Error);
    c.size_bytes = 16ull << 50;  // 16 PiB, far more than this host's memory
    EXPECT_THROW(engine.add_lun(c), Error);
    c.size_bytes = 1 << 20;
    c.options.serial = "S\xe2\x82\xac";
    EXPECT_THROW(engine.add_lun(c), Error);
    EXPECT_THROW(engine.lun(40), Error);
    // A resize goes through the same checks.
    EXPECT_THROW(engine.modify_lun(0, {.size_bytes = 1000}), Error);
    EXPECT_THROW(engine.modify_lun(0, {.size_bytes = 16ull << 50}), Error);
    EXPECT_EQ(engine.lun(0).blocks, (8u << 20) / 512);
}

// A thin ramdisk: as large as asked, memory only up to its capacity; a write beyond that is
// SPACE ALLOCATION FAILED WRITE PROTECT, and what was written stays readable.
TEST_F(CtlEngine, ThinRamdiskAnswersSpaceAllocationFailed) {
    LunConfig c;
    c.id = 41;
    c.size_bytes = 16ull << 50;
    c.capacity_bytes = 2 << 20;
    engine.add_lun(c);
    Initiator r{engine, a.nx, 41};
    r.attach();
    auto cap = scsi::ReadCapacity16Data::decode(r.run(cdb::ReadCapacity16{}.encode()).data_in);
    EXPECT_EQ(cap.returned_lba, (16ull << 50) / 512 - 1);
    constexpr std::uint32_t per_mib = (1u << 20) / 512;
    ASSERT_EQ(r.run(cdb::Write10{0, false, false, 0, 0, 1, 0}.encode(), block(1)).status, 0);
    ASSERT_EQ(r.run(cdb::Write10{0, false, false, 7 * per_mib, 0, 1, 0}.encode(), block(2)).status,
              0);
    EXPECT_SENSE(r.run(cdb::Write10{0, false, false, 9 * per_mib, 0, 1, 0}.encode(), block(3)), 7,
                 0x27, 0x07);
    // Within memory already taken, writes go on.
    ASSERT_EQ(r.run(cdb::Write10{0, false, false, 1, 0, 1, 0}.encode(), block(4)).status, 0);
    EXPECT_EQ(r.run(cdb::Read10{0, false, false, false, 7 * per_mib, 0, 1, 0}.encode()).data_in,
              block(2));
    EXPECT_EQ(r.run(cdb::Read10{0, false, false, false, 9 * per_mib, 0, 1, 0}.encode()).data_in,
              block(0));
}

TEST_F(CtlEngine, UnitAttentionOrderAndRequestSense) {
    b.attach();
    engine.modify_lun(0, {.size_bytes = 16 << 20, .options = {}});
    LunConfig more;
    more.id = 9;
    more.size_bytes = 1 << 20;
    engine.add_lun(more);
    // Oldest first; REQUEST SENSE reports and clears one.
    auto rs = b.run(cdb::RequestSense{false, 252, 0}.encode());
    ASSERT_EQ(rs.status, 0);
    auto s = scsi::Sense::decode(rs.data_in);
    EXPECT_EQ(s.key, 6);
    EXPECT_EQ(s.asc, 0x2a);
    EXPECT_SENSE(b.run(cdb::TestUnitReady{}.encode()), 6, 0x3f, 0x0e);
    EXPECT_EQ(b.run(cdb::TestUnitReady{}.encode()).status, 0);
    // INQUIRY never reports a unit attention.
    engine.modify_lun(0, {.size_bytes = 8 << 20, .options = {}});
    EXPECT_EQ(b.run(cdb::Inquiry{false, 0, 36, 0}.encode()).status, 0);
    EXPECT_SENSE(b.run(cdb::TestUnitReady{}.encode()), 6, 0x2a, 0x09);
    auto none = scsi::Sense::decode(b.run(cdb::RequestSense{true, 252, 0}.encode()).data_in);
    EXPECT_TRUE(none.descriptor_format);
    EXPECT_EQ(none.key, 0);
}

TEST_F(CtlEngine, ConcurrentSubmitKeepsPerLunOrder) {
    Initiator l1{engine, a.nx, 1};
    l1.attach();
    constexpr int per = 200;
    std::vector<std::thread> threads;
    std::mutex m;
    std::map<std::uint64_t, std::vector<int>> completions;
    std::atomic<int> outstanding{0};
    for (std::uint64_t lun : {0, 1}) {
        threads.emplace_back([&, lun] {
            for (int i = 0; i < per; ++i) {
                Task t;
                t.nexus = a.nx;
                t.lun = lun;
                t.cdb = cdb::Write10{0, false, false, static_cast<std::uint32_t>(i % 64), 0, 1, 0}
                            .encode();
                t.data_out = Bytes(512, static_cast<std::uint8_t>(i));
                t.expected_transfer_length = 512;
                ++outstanding;
                engine.submit(std::move(t), [&, lun, i](TaskResult r) {
                    EXPECT_EQ(r.status, 0);
                    std::lock_guard lock(m);
                    completions[lun].push_back(i);
                    --outstanding;
                });
            }
        });
    }
    for (auto& t : threads) t.join();
    while (outstanding.load() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (std::uint64_t lun : {0, 1}) {
        ASSERT_EQ(completions[lun].size(), static_cast<std::size_t>(per));
        for (int i = 0; i < per; ++i) EXPECT_EQ(completions[lun][i], i);
    }
    // The last write to each block wins.
    EXPECT_EQ(l1.run(cdb::Read10{0, false, false, false, 63, 0, 1, 0}.encode()).data_in,
              Bytes(512, 191));
}

TEST_F(CtlEngine, AbortQueuedTasks) {
    // Hold the LUN's worker in a completion so later tasks stay queued.
    std::promise<void> release;
    auto gate = release.get_future().share();
    Task first;
    first.nexus = a.nx;
    first.cdb = cdb::TestUnitReady{}.encode();
    std::atomic<int> aborted{0}, done{0};
    engine.submit(first, [&](TaskResult) {
        gate.wait();
        ++done;
    });
    for (std::uint32_t tag = 1; tag <= 3; ++tag) {
        Task t = first;
        t.tag = tag;
        engine.submit(t, [&](TaskResult r) {
            if (r.aborted) ++aborted;
            EXPECT_EQ(r.aborted, r.status == 0x40);
            ++done;
        });
    }
    EXPECT_EQ(engine.task_management(*a.nx, TmfFunction::abort_task, 0, 2), TmfResponse::complete);
    EXPECT_EQ(engine.task_management(*a.nx, TmfFunction::abort_task, 0, 99),
              TmfResponse::no_such_task);
    EXPECT_EQ(engine.task_management(*a.nx, TmfFunction::abort_task_set, 5, 0),
              TmfResponse::no_such_lun);
    EXPECT_EQ(engine.task_management(*a.nx, TmfFunction::abort_task_set, 0, 0),
              TmfResponse::complete);
    release.set_value();
    while (done.load() != 4) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(aborted.load(), 3);
}

TEST_F(CtlEngine, ReadAndWriteOnAnIdleLunRunOnTheSubmittingThread) {
    // Whether the task completed on this thread before submit() returned.
    auto ran_inline = [&](Bytes cdb, Bytes data) {
        auto ran = std::make_shared<std::promise<std::thread::id>>();
        auto f = ran->get_future();
        Task t;
        t.nexus = a.nx;
        t.cdb = std::move(cdb);
        t.expected_transfer_length = 512;
        t.data_out = std::move(data);
        engine.submit(t, [ran](TaskResult r) {
            EXPECT_EQ(r.status, 0);
            ran->set_value(std::this_thread::get_id());
        });
        bool before_return = f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
        return before_return && f.get() == std::this_thread::get_id();
    };
    Bytes read = cdb::Read10{0, false, false, false, 5, 0, 1, 0}.encode();
    // The worker that served the set-up's TEST UNIT READY may still be leaving the LUN.
    bool idle = false;
    for (int i = 0; i < 1000 && !idle; ++i) {
        idle = ran_inline(read, {});
        if (!idle) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(idle);
    // An inline task leaves the LUN idle when it returns: what follows runs inline too.
    EXPECT_TRUE(ran_inline(cdb::Write10{0, false, false, 5, 0, 1, 0}.encode(), block(0x5a)));
    EXPECT_TRUE(ran_inline(read, {}));
    EXPECT_EQ(a.run(read).data_in, block(0x5a));
    // Anything else goes to a worker.
    std::promise<std::thread::id> ran;
    Task t;
    t.nexus = a.nx;
    t.cdb = cdb::TestUnitReady{}.encode();
    engine.submit(t, [&](TaskResult) { ran.set_value(std::this_thread::get_id()); });
    EXPECT_NE(ran.get_future().get(), std::this_thread::get_id());
}

TEST_F(CtlEngine, ReadOnABusyLunWaitsItsTurn) {
    // A task held in its completion keeps the LUN busy: a READ submitted meanwhile must not
    // overtake it, and a WRITE after it must not overtake the READ.
    std::promise<void> release;
    auto gate = release.get_future().share();
    std::mutex m;
    std::vector<std::string> order;
    auto note = [&](std::string what) {
        std::lock_guard lock(m);
        order.push_back(std::move(what));
    };
    Task first;
    first.nexus = a.nx;
    first.cdb = cdb::TestUnitReady{}.encode();
    engine.submit(first, [&](TaskResult) {
        gate.wait();
        note("tur");
    });
    Task read;
    read.nexus = a.nx;
    read.cdb = cdb::Read10{0, false, false, false, 9, 0, 1, 0}.encode();
    read.expected_transfer_length = 512;
    Bytes seen;
    engine.submit(read, [&](TaskResult r) {
        seen = r.data_in;
        note("read");
    });
    Task write;
    write.nexus = a.nx;
    write.cdb = cdb::Write10{0, false, false, 9, 0, 1, 0}.encode();
    write.expected_transfer_length = 512;
    write.data_out = block(0x77);
    std::atomic<bool> written{false};
    engine.submit(write, [&](TaskResult) {
        note("write");
        written = true;
    });
    {
        std::lock_guard lock(m);
        EXPECT_TRUE(order.empty());
    }
    release.set_value();
    while (!written.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(order, (std::vector<std::string>{"tur", "read", "write"}));
    EXPECT_EQ(seen, block(0));
    // The LUN is idle again: the next READ runs at once and sees the write.
    EXPECT_EQ(a.run(cdb::Read10{0, false, false, false, 9, 0, 1, 0}.encode()).data_in, block(0x77));
}

TEST_F(CtlEngine, ReadOnlyLunAndWriteProtect) {
    auto path = std::filesystem::temp_directory_path() / "camx_ctl_ro.img";
    {
        std::ofstream f(path, std::ios::binary);
        std::string data(1 << 20, 'x');
        f.write(data.data(), static_cast<std::streamsize>(data.size()));
    }
    LunConfig c;
    c.id = 20;
    c.backend = BackendKind::file;
    c.path = path.string();
    c.options.readonly = true;
    engine.add_lun(c);
    Initiator r{engine, a.nx, 20};
    r.attach();
    EXPECT_TRUE(engine.lun(20).state.read_only);
    EXPECT_EQ(r.run(cdb::Read10{0, false, false, false, 0, 0, 1, 0}.encode()).data_in,
              Bytes(512, 'x'));
    EXPECT_SENSE(r.run(cdb::Write10{0, false, false, 0, 0, 1, 0}.encode(), block(1)), 7, 0x27,
                 0x00);
    auto m = scsi::ModeParameters::decode(
        r.run(cdb::ModeSense6{false, 0, 0x3f, 0, 255, 0}.encode()).data_in, scsi::ModeFormat::six);
    EXPECT_TRUE(m.header.wp());
    std::filesystem::remove(path);
}

TEST_F(CtlEngine, FileBackendReadWrite) {
    auto path = std::filesystem::temp_directory_path() / "camx_ctl_rw.img";
    std::filesystem::remove(path);
    { std::ofstream f(path); }
    std::filesystem::resize_file(path, 4 << 20);
    LunConfig c;
    c.id = 21;
    c.backend = BackendKind::file;
    c.path = path.string();
    c.options.blocksize = 4096;
    engine.add_lun(c);
    Initiator r{engine, a.nx, 21};
    r.attach();
    auto cap = scsi::ReadCapacity10Data::decode(r.run(cdb::ReadCapacity10{}.encode()).data_in);
    EXPECT_EQ(cap.returned_lba, 1023u);
    EXPECT_EQ(cap.block_length, 4096u);
    ASSERT_EQ(r.run(cdb::Write10{0, false, true, 3, 0, 1, 0}.encode(), Bytes(4096, 0x42)).status,
              0);
    EXPECT_EQ(r.run(cdb::Read10{0, false, false, false, 3, 0, 1, 0}.encode()).data_in,
              Bytes(4096, 0x42));
    EXPECT_EQ(r.run(cdb::SynchronizeCache10{}.encode()).status, 0);
    std::ifstream f(path, std::ios::binary);
    f.seekg(3 * 4096);
    EXPECT_EQ(f.get(), 0x42);
    EXPECT_THROW(engine.add_lun(c), Error);  // duplicate id
    c.id = 22;
    c.path = "/nonexistent/camx.img";
    EXPECT_THROW(engine.add_lun(c), Error);
    std::filesystem::remove(path);
}

TEST_F(CtlEngine, RamdiskCapacityZeroDiscards) {
    LunConfig c;
    c.id = 30;
    c.size_bytes = 1 << 20;
    c.capacity_bytes = 0;
    engine.add_lun(c);
    Initiator r{engine, a.nx, 30};
    r.attach();
    ASSERT_EQ(r.run(cdb::Write10{0, false, false, 0, 0, 1, 0}.encode(), block(9)).status, 0);
    EXPECT_EQ(r.run(cdb::Read10{0, false, false, false, 0, 0, 1, 0}.encode()).data_in, block(0));
}

TEST_F(CtlEngine, ExtendedCopyBetweenLuns) {
    ASSERT_EQ(a.run(cdb::Write10{0, false, false, 100, 0, 4, 0}.encode(), block(0x3c, 4)).status,
              0);
    xcopy::ParameterList pl;
    pl.list_id = 7;
    pl.cscds = {{engine.lun(0).naa, 512}, {engine.lun(1).naa, 512}};
    pl.segments = {{0, 1, 4, 100, 200}};
    Bytes p = pl.encode();
    auto xr = a.run(xcopy::extended_copy_cdb(static_cast<std::uint32_t>(p.size())), p);
    ASSERT_EQ(xr.status, 0) << test::sense_of(xr).summary();
    Initiator l1{engine, a.nx, 1};
    l1.attach();
    EXPECT_EQ(l1.run(cdb::Read10{0, false, false, false, 200, 0, 4, 0}.encode()).data_in,
              block(0x3c, 4));
    auto st =
        xcopy::CopyStatusData::decode(a.run(xcopy::receive_copy_results_cdb(0, 7, 64)).data_in);
    EXPECT_EQ(st.status, 1);
    EXPECT_EQ(st.segments_processed, 1);
    EXPECT_EQ(st.transfer_count, 4u * 512);
    auto op = xcopy::OperatingParameters::decode(
        a.run(xcopy::receive_copy_results_cdb(3, 0, 256)).data_in);
    EXPECT_EQ(op.descriptor_types, (std::vector<std::uint8_t>{0x02, 0xe4}));
    // An unknown NAA is an unreachable copy target.
    pl.cscds[1].naa = 0x1234;
    p = pl.encode();
    EXPECT_SENSE(a.run(xcopy::extended_copy_cdb(static_cast<std::uint32_t>(p.size())), p), 0x0a,
                 0x0d, 0x02);
}

// SANITIZE through the engine: each service action, its parameter checks, the medium after it.
class CtlSanitize : public CtlEngine {
  protected:
    static constexpr std::uint64_t blocks = (8u << 20) / 512;
    TaskResult sanitize(std::uint8_t sa, Bytes params = {}, Initiator* who = nullptr) {
        cdb::Sanitize q;
        q.service_action = sa;
        q.parameter_list_length = static_cast<std::uint16_t>(params.size());
        return (who ? *who : a).run(q.encode(), std::move(params));
    }
    Bytes overwrite_list(Bytes pattern, std::uint8_t count = 1, bool invert = false) {
        cdb::SanitizeOverwriteParameters p;
        p.overwrite_count = count;
        p.invert = invert;
        p.initialization_pattern = std::move(pattern);
        return p.encode();
    }
    Bytes read(std::uint64_t lba, std::uint32_t n = 1) {
        auto r = a.run(cdb::Read16{0, false, false, false, lba, n, 0, 0}.encode());
        EXPECT_EQ(r.status, 0);
        return r.data_in;
    }
    void fill(std::uint8_t v) {
        ASSERT_EQ(a.run(cdb::Write16{0, false, false, 0, 4, 0, 0}.encode(), block(v, 4)).status, 0);
        ASSERT_EQ(
            a.run(cdb::Write16{0, false, false, blocks - 4, 4, 0, 0}.encode(), block(v, 4)).status,
            0);
    }
};

TEST_F(CtlSanitize, OverwriteRepeatsThePattern) {
    fill('a');
    ASSERT_EQ(sanitize(1, overwrite_list({0x12, 0x34, 0x56})).status, 0);
    Bytes want(512);
    for (std::size_t i = 0; i < want.size(); ++i) want[i] = std::array{0x12, 0x34, 0x56}[i % 3];
    EXPECT_EQ(read(0), want);
    EXPECT_EQ(read(blocks - 1), want);
    // INVERT with two passes: the last pass writes the pattern itself.
    ASSERT_EQ(sanitize(1, overwrite_list(Bytes(512, 0xaa), 2, true)).status, 0);
    EXPECT_EQ(read(7), Bytes(512, 0xaa));
}

TEST_F(CtlSanitize, OverwriteParameterChecks) {
    // The list is 5 to block size + 4 bytes.
    for (std::size_t n = 0; n < 5; ++n) {
        SCOPED_TRACE(n);
        EXPECT_SENSE(sanitize(1, Bytes(n, 1)), 5, 0x24, 0x00);
    }
    EXPECT_SENSE(sanitize(1, overwrite_list(Bytes(513, 1))), 5, 0x24, 0x00);
    // OVERWRITE COUNT 0, pattern length 0 or longer than the list: invalid parameter list.
    EXPECT_SENSE(sanitize(1, overwrite_list(Bytes(8, 1), 0)), 5, 0x26, 0x00);
    Bytes zero_length = overwrite_list(Bytes(8, 1));
    zero_length[2] = zero_length[3] = 0;
    EXPECT_SENSE(sanitize(1, zero_length), 5, 0x26, 0x00);
    Bytes too_long = overwrite_list(Bytes(8, 1));
    too_long[3] = 9;
    EXPECT_SENSE(sanitize(1, too_long), 5, 0x26, 0x00);
}

TEST_F(CtlSanitize, BlockAndCryptoEraseDeallocate) {
    for (std::uint8_t sa : {2, 3}) {
        fill('a');
        ASSERT_EQ(sanitize(sa).status, 0);
        EXPECT_EQ(read(0, 4), block(0, 4));
        EXPECT_EQ(read(blocks - 4, 4), block(0, 4));
        // GET LBA STATUS: one descriptor, the whole LUN deallocated.
        auto r = a.run(cdb::GetLbaStatus{0, 1024, 0, 0}.encode());
        ASSERT_EQ(r.status, 0);
        auto st = scsi::LbaStatus::decode(r.data_in);
        ASSERT_EQ(st.descriptors.size(), 1u);
        EXPECT_EQ(st.descriptors[0],
                  (scsi::LbaStatusDescriptor{0, static_cast<std::uint32_t>(blocks), 0, 1, 0}));
        // No parameter list for these.
        EXPECT_SENSE(sanitize(sa, Bytes(8, 0)), 5, 0x24, 0x00);
    }
}

TEST_F(CtlSanitize, ExitFailureModeAndBadServiceActions) {
    EXPECT_EQ(sanitize(0x1f).status, 0);
    EXPECT_SENSE(sanitize(0x1f, Bytes(8, 0)), 5, 0x24, 0x00);
    for (std::uint8_t sa = 0; sa < 0x1f; ++sa) {
        if (sa >= 1 && sa <= 3) continue;
        SCOPED_TRACE(int(sa));
        EXPECT_SENSE(sanitize(sa), 5, 0x24, 0x00);
    }
    // Reserved bit 6 of byte 1 and reserved bytes 2-6.
    Bytes list = overwrite_list(Bytes(512, 0));
    for (int i = 1; i < 7; ++i) {
        cdb::Sanitize q{.service_action = 1,
                        .parameter_list_length = static_cast<std::uint16_t>(list.size())};
        Bytes c = q.encode();
        c[i] |= i == 1 ? 0x40 : 0x01;
        auto r = a.run(c, list);
        SCOPED_TRACE(i);
        EXPECT_SENSE(r, 5, 0x24, 0x00);
        auto sks = test::sense_of(r).key_specific();
        ASSERT_TRUE(sks);
        EXPECT_EQ(sks->value(), i);
    }
}

TEST_F(CtlSanitize, WriteProtectReservationsAndReporting) {
    // Software write protect (control mode page SWP) makes it DATA PROTECT.
    LunConfig ro;
    ro.id = 5;
    ro.size_bytes = 1 << 20;
    ro.options.readonly = true;
    engine.add_lun(ro);
    a.attach();  // REPORTED LUNS DATA HAS CHANGED
    Initiator r{engine, a.nx, 5};
    r.attach();
    EXPECT_SENSE(sanitize(2, {}, &r), 7, 0x27, 0x00);
    EXPECT_SENSE(sanitize(1, overwrite_list(Bytes(4, 1)), &r), 7, 0x27, 0x00);
    // Another nexus's SPC-2 reservation: RESERVATION CONFLICT.
    b.attach();
    ASSERT_EQ(b.run(cdb::Reserve6{}.encode()).status, 0);
    EXPECT_EQ(sanitize(2).status, 0x18);
    ASSERT_EQ(b.run(cdb::Release6{}.encode()).status, 0);
    // REPORT SUPPORTED OPERATION CODES lists the four service actions.
    auto all = scsi::SupportedOpcodes::decode(
        a.run(cdb::ReportSupportedOpcodes{false, 0, 0, 0, 65535, 0}.encode()).data_in);
    std::vector<std::uint16_t> sas;
    for (const auto& c : all.commands)
        if (c.opcode == 0x48) {
            EXPECT_TRUE(c.servactv);
            sas.push_back(c.service_action);
        }
    EXPECT_EQ(sas, (std::vector<std::uint16_t>{1, 2, 3, 0x1f}));
    auto bdc = std::get<scsi::BlockDeviceCharacteristics>(
        scsi::decode_vpd(a.run(cdb::Inquiry{true, 0xb1, 255, 0}.encode()).data_in));
    EXPECT_EQ(bdc.wabereq, 1);
    EXPECT_EQ(bdc.wacereq, 1);
}

TEST_F(CtlEngine, WriteAtomic16) {
    auto bl = std::get<scsi::BlockLimits>(
        scsi::decode_vpd(a.run(cdb::Inquiry{true, 0xb0, 255, 0}.encode()).data_in));
    EXPECT_EQ(bl.maximum_atomic_transfer_length, bl.maximum_transfer_length);
    EXPECT_EQ(bl.atomic_alignment, 0u);
    EXPECT_EQ(bl.atomic_transfer_length_granularity, 0u);
    ASSERT_EQ(
        a.run(cdb::WriteAtomic16{.lba = 3, .transfer_length = 2}.encode(), block(0x5a, 2)).status,
        0);
    auto r = a.run(cdb::Read10{0, false, false, false, 3, 0, 2, 0}.encode());
    EXPECT_EQ(r.data_in, block(0x5a, 2));
    // Zero blocks: GOOD; past the end: LBA OUT OF RANGE; an atomic boundary: not offered.
    EXPECT_EQ(a.run(cdb::WriteAtomic16{.lba = 0, .transfer_length = 0}.encode()).status, 0);
    EXPECT_SENSE(a.run(cdb::WriteAtomic16{.lba = 1ull << 63, .transfer_length = 0}.encode()), 5,
                 0x21, 0x00);
    EXPECT_SENSE(
        a.run(cdb::WriteAtomic16{.lba = 0, .atomic_boundary = 1, .transfer_length = 1}.encode(),
              block(1)),
        5, 0x24, 0x00);
    EXPECT_SENSE(a.run(cdb::WriteAtomic16{.wrprotect = 1, .transfer_length = 1}.encode(), block(1)),
                 5, 0x24, 0x00);
    // All or nothing: a short data-out writes nothing.
    EXPECT_SENSE(a.run(cdb::WriteAtomic16{.lba = 3, .transfer_length = 2}.encode(), block(1)), 5,
                 0x24, 0x00);
    EXPECT_EQ(a.run(cdb::Read10{0, false, false, false, 3, 0, 2, 0}.encode()).data_in,
              block(0x5a, 2));
}

TEST_F(CtlEngine, PreventAllowPerNexus) {
    auto eject = cdb::StartStopUnit{false, 0, 0, false, true, false, 0}.encode();
    b.attach();
    ASSERT_EQ(a.run(cdb::PreventAllowMediumRemoval{1, 0}.encode()).status, 0);
    ASSERT_EQ(b.run(cdb::PreventAllowMediumRemoval{1, 0}.encode()).status, 0);
    // a allows, b still prevents: nobody ejects.
    ASSERT_EQ(a.run(cdb::PreventAllowMediumRemoval{0, 0}.encode()).status, 0);
    EXPECT_SENSE(a.run(eject), 5, 0x53, 0x02);
    EXPECT_SENSE(b.run(eject), 5, 0x53, 0x02);
    // b's I_T nexus goes away: its prevention with it.
    engine.nexus_lost(*b.nx);
    ASSERT_EQ(a.run(eject).status, 0);
    ASSERT_EQ(a.run(cdb::StartStopUnit{false, 0, 0, false, true, true, 0}.encode()).status, 0);
    a.attach();
    // A LUN reset ends every prevention; an I_T nexus reset only the nexus's own.
    ASSERT_EQ(a.run(cdb::PreventAllowMediumRemoval{1, 0}.encode()).status, 0);
    EXPECT_EQ(engine.task_management(*b.nx, TmfFunction::it_nexus_reset, 0, 0),
              TmfResponse::complete);
    EXPECT_SENSE(a.run(eject), 5, 0x53, 0x02);
    EXPECT_EQ(engine.task_management(*a.nx, TmfFunction::lun_reset, 0, 0), TmfResponse::complete);
    a.attach();
    EXPECT_EQ(a.run(eject).status, 0);
    // Prevention holds the medium out as well as in: no load either.
    auto load = cdb::StartStopUnit{false, 0, 0, false, true, true, 0}.encode();
    ASSERT_EQ(a.run(cdb::PreventAllowMediumRemoval{1, 0}.encode()).status, 0);
    EXPECT_SENSE(a.run(load), 5, 0x53, 0x02);
    ASSERT_EQ(a.run(cdb::PreventAllowMediumRemoval{0, 0}.encode()).status, 0);
    EXPECT_EQ(a.run(load).status, 0);
}

TEST_F(CtlEngine, WriteSameTakesExactlyOneBlock) {
    EXPECT_SENSE(a.run(cdb::WriteSame16{.lba = 0, .blocks = 1}.encode(), block(1, 2)), 5, 0x24,
                 0x00);
    EXPECT_SENSE(a.run(cdb::WriteSame10{.lba = 0, .blocks = 1}.encode(), Bytes(256, 1)), 5, 0x24,
                 0x00);
    EXPECT_EQ(a.run(cdb::WriteSame16{.lba = 0, .blocks = 2}.encode(), block(7)).status, 0);
    EXPECT_EQ(a.run(cdb::Read10{0, false, false, false, 0, 0, 2, 0}.encode()).data_in, block(7, 2));
}

}  // namespace
}  // namespace camx::ctl
