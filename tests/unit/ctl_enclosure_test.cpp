// SPDX-License-Identifier: BSD-2-Clause
// The emulated enclosure LUN driven with CDBs through the engine, its pages decoded with the
// camx::ses decoders and joined by the enclosure model (read, set_led, attach_disks) over a
// transport that hands each command to the engine.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <nlohmann/json.hpp>

#include "camx/ctl/enclosure_config.hpp"
#include "camx/ctl/engine.hpp"
#include "camx/enclosure/control.hpp"
#include "camx/enclosure/disks.hpp"
#include "camx/enclosure/enclosure.hpp"
#include "camx/error/error.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/inquiry.hpp"
#include "camx/scsi/report_luns.hpp"
#include "camx/scsi/vpd.hpp"
#include "camx/ses/check.hpp"
#include "camx/ses/page.hpp"
#include "ctl_test_util.hpp"

namespace camx::ctl {
namespace {

namespace cdb = scsi::cdb;
using ses::ElementType;

// Hands each command to the engine as the LUN of one nexus.
class EngineTransport : public transport::Transport {
  public:
    EngineTransport(Engine& engine, std::shared_ptr<const Nexus> nexus, std::uint64_t lun)
        : engine_(engine), nexus_(std::move(nexus)), lun_(lun) {}

    transport::Result execute(const transport::Command& cmd) override {
        Task t;
        t.nexus = nexus_;
        t.lun = lun_;
        t.cdb.assign(cmd.cdb.begin(), cmd.cdb.end());
        if (cmd.direction == transport::Direction::out) {
            t.direction = DataDirection::out;
            t.data_out.assign(cmd.data_out.begin(), cmd.data_out.end());
            t.expected_transfer_length = static_cast<std::uint32_t>(cmd.data_out.size());
        } else {
            t.direction = DataDirection::in;
            t.expected_transfer_length = static_cast<std::uint32_t>(cmd.data_in.size());
        }
        const auto r = engine_.execute(std::move(t));
        transport::Result out;
        out.status = r.status;
        out.sense = r.sense;
        if (cmd.direction == transport::Direction::in) {
            const auto n = std::min(r.data_in.size(), cmd.data_in.size());
            std::copy_n(r.data_in.begin(), n, cmd.data_in.begin());
            out.requested = cmd.data_in.size();
            out.residual = cmd.data_in.size() - n;
        } else {
            out.requested = cmd.data_out.size();
        }
        return out;
    }
    std::string path() const override { return "engine:" + std::to_string(lun_); }

  private:
    Engine& engine_;
    std::shared_ptr<const Nexus> nexus_;
    std::uint64_t lun_;
};

constexpr std::uint64_t kEnc = 5;

class CtlEnclosure : public ::testing::Test {
  protected:
    void SetUp() override {
        LunConfig c;
        c.size_bytes = 1 << 20;
        for (std::uint64_t id : {0, 1}) {
            c.id = id;
            c.options.serial = "DISK" + std::to_string(id);
            engine.add_lun(c);
        }
        auto e = EnclosureConfig::with_counts(4, 2, 2, 2, 1);
        e.slots[0].lun = 0;
        e.slots[1].lun = 1;
        e.slots[3].descriptor = "Bay D";
        e.logical_identifier = 0x5001122334455660ull;
        engine.add_enclosure(kEnc, e);
        engine.add_port({"p0", true, 1, {}});
        enc.attach();
        disk0.attach();
        disk1.attach();
    }

    Bytes receive(std::uint8_t page, std::uint16_t alloc = 4096) {
        cdb::ReceiveDiagnostic q;
        q.pcv = true;
        q.page_code = page;
        q.allocation_length = alloc;
        auto r = enc.run(q.encode());
        EXPECT_EQ(r.status, 0) << "page " << int(page);
        return r.data_in;
    }
    TaskResult send(const Bytes& page) {
        cdb::SendDiagnostic q;
        q.pf = true;
        q.parameter_list_length = static_cast<std::uint16_t>(page.size());
        return enc.run(q.encode(), page);
    }
    ses::Configuration configuration() { return ses::Configuration::decode(receive(0x01)); }
    ses::EnclosureStatus status() {
        return ses::EnclosureStatus::decode(receive(0x02), configuration());
    }
    device::Device device() {
        return device::Device(std::make_unique<EngineTransport>(engine, enc.nx, kEnc));
    }
    // The disks of the engine as the enclosure model sees them: VPD 0x83 identifiers.
    std::vector<enclosure::Disk> disks() {
        std::vector<enclosure::Disk> out;
        for (auto* ini : {&disk0, &disk1}) {
            auto r = ini->run(cdb::Inquiry{true, 0x83, 1024, 0}.encode());
            enclosure::Disk d;
            d.node = "lun" + std::to_string(ini->lun);
            d.identifiers = enclosure::naa_identifiers(r.data_in);
            out.push_back(d);
        }
        return out;
    }

    Engine engine;
    test::Initiator enc{engine, test::nexus(1), kEnc};
    test::Initiator disk0{engine, test::nexus(1), 0};
    test::Initiator disk1{engine, test::nexus(1), 1};
};

TEST_F(CtlEnclosure, InquiryVpdAndReportLuns) {
    auto r = enc.run(cdb::Inquiry{false, 0, 255, 0}.encode());
    ASSERT_EQ(r.status, 0);
    const auto inq = scsi::Inquiry::decode(r.data_in);
    EXPECT_EQ(inq.peripheral_device_type, 0x0d);
    EXPECT_TRUE(inq.encserv);
    EXPECT_EQ(inq.vendor, "CAMX");
    EXPECT_EQ(inq.product, "CTL ENCLOSURE");

    r = enc.run(cdb::Inquiry{true, 0x00, 255, 0}.encode());
    const auto sup = std::get<scsi::SupportedVpdPages>(scsi::decode_vpd(r.data_in));
    EXPECT_EQ(sup.pages, (std::vector<std::uint8_t>{0x00, 0x80, 0x83}));
    r = enc.run(cdb::Inquiry{true, 0x80, 255, 0}.encode());
    EXPECT_EQ(std::get<scsi::UnitSerialNumber>(scsi::decode_vpd(r.data_in)).serial_number,
              "CAMXE0000005");
    r = enc.run(cdb::Inquiry{true, 0x83, 255, 0}.encode());
    EXPECT_EQ(enclosure::naa_identifiers(r.data_in),
              (std::vector<std::uint64_t>{0x5001122334455660ull}));
    EXPECT_SENSE(enc.run(cdb::Inquiry{true, 0xb0, 255, 0}.encode()), 5, 0x24, 0);

    EXPECT_EQ(enc.run(cdb::TestUnitReady{}.encode()).status, 0);
    cdb::ReportLuns rl;
    rl.allocation_length = 1024;
    const auto luns = scsi::ReportLunsData::decode(enc.run(rl.encode()).data_in);
    ASSERT_EQ(luns.luns.size(), 3u);
    EXPECT_EQ(luns.luns[2].to_int(), kEnc);

    // Disk commands are not an enclosure's.
    EXPECT_SENSE(enc.run(cdb::ReadCapacity10{}.encode()), 5, 0x20, 0);

    const auto info = engine.lun(kEnc);
    EXPECT_EQ(info.device_type, 0x0d);
    EXPECT_EQ(info.naa, 0x5001122334455660ull);
    EXPECT_EQ(engine.lun(0).device_type, 0x00);
    EXPECT_THROW(engine.eject(kEnc), Error);
    EXPECT_THROW(engine.simulate(0, {}), Error);
}

TEST_F(CtlEnclosure, PagesDecode) {
    const auto sup = ses::SupportedPages::decode(receive(0x00));
    EXPECT_EQ(sup.pages,
              (std::vector<std::uint8_t>{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x0a, 0x0e}));
    const auto cfg = configuration();
    EXPECT_TRUE(cfg.warnings.empty());
    ASSERT_EQ(cfg.subenclosures.size(), 1u);
    EXPECT_EQ(cfg.subenclosures[0].logical_identifier, 0x5001122334455660ull);
    EXPECT_EQ(cfg.subenclosures[0].vendor_text(), "CAMX");
    ASSERT_EQ(cfg.types.size(), 6u);
    const std::vector<std::pair<ElementType, int>> want = {
        {ElementType::device_slot, 4},    {ElementType::power_supply, 2},
        {ElementType::cooling, 2},        {ElementType::temperature_sensor, 2},
        {ElementType::voltage_sensor, 1}, {ElementType::enclosure, 1}};
    for (std::size_t k = 0; k < want.size(); ++k) {
        EXPECT_EQ(cfg.types[k].type, want[k].first);
        EXPECT_EQ(cfg.types[k].possible_elements, want[k].second);
    }
    EXPECT_EQ(cfg.generation_code, 1u);

    const auto st = status();
    EXPECT_TRUE(st.warnings.empty());
    EXPECT_FALSE(st.crit || st.non_crit || st.unrecov);
    EXPECT_EQ(st.element(0, 0)->status_code(), 1);  // bound, present: OK
    EXPECT_EQ(st.element(0, 2)->status_code(), 5);  // empty: not installed
    EXPECT_EQ(st.element(0, 3)->field("slot_address"), 3);
    EXPECT_EQ(st.element(2, 0)->fan_speed_rpm(), 3000);
    EXPECT_EQ(st.element(3, 1)->temperature_celsius(), 30);
    EXPECT_DOUBLE_EQ(*st.element(4, 0)->voltage_volts(), 12.0);

    const auto desc = ses::ElementDescriptors::decode(receive(0x07), cfg);
    EXPECT_TRUE(desc.warnings.empty());
    EXPECT_EQ(desc.name(0, 0), "Slot 00");
    EXPECT_EQ(desc.name(0, 3), "Bay D");
    EXPECT_EQ(desc.name(1, 1), "PSU 1");
    EXPECT_EQ(desc.name(2, 0), "Fan 0");
    EXPECT_EQ(desc.name(3, 1), "Temp 1");
    EXPECT_EQ(desc.name(4, 0), "Volt 0");
    EXPECT_EQ(desc.name(5, 0), "Enclosure");

    const auto th = ses::ThresholdPage::decode(receive(0x05), cfg);
    EXPECT_TRUE(th.warnings.empty());
    ASSERT_EQ(th.types.size(), 6u);
    EXPECT_EQ(th.types[3].elements[0], (ses::Threshold{80, 70, 25, 20}));  // 60/50/5/0 degC
    EXPECT_EQ(th.types[4].elements[0], (ses::Threshold{20, 10, 10, 20}));  // 10%/5% in 0.5%

    const auto add = ses::AdditionalElementStatus::decode(receive(0x0a), cfg);
    EXPECT_TRUE(add.warnings.empty());
    EXPECT_EQ(add.descriptors.size(), 4u);
    const auto* a0 = add.find(0, 0);
    ASSERT_NE(a0, nullptr);
    const auto& sas = std::get<ses::SasInfo>(a0->info);
    ASSERT_EQ(sas.phys.size(), 1u);
    EXPECT_EQ(sas.phys[0].sas_address, slot_sas_address(engine.lun(0).naa));
    EXPECT_EQ(sas.phys[0].sas_address >> 60, 5u);
    EXPECT_EQ(std::get<ses::SasInfo>(add.find(0, 2)->info).phys[0].sas_address, 0u);

    EXPECT_EQ(ses::HelpText::decode(receive(0x03)).text_string(),
              "CAMX CTL ENCLOSURE: emulated enclosure of 4 slots");
    const auto mc = ses::DownloadMicrocodeStatus::decode(receive(0x0e));
    EXPECT_EQ(mc.subenclosures.size(), 1u);

    ses::PageSet set{&st, &th, &desc, &add};
    EXPECT_TRUE(ses::check_consistency(cfg, set).empty());
}

TEST_F(CtlEnclosure, ModelMapsSlotsToDisks) {
    auto dev = device();
    auto e = enclosure::read(dev);
    EXPECT_TRUE(e.warnings.empty()) << e.warnings.front();
    EXPECT_EQ(e.naa, 0x5001122334455660ull);
    const auto counts = e.counts();
    ASSERT_EQ(counts.size(), 6u);
    EXPECT_EQ(counts[0].count, 4u);
    EXPECT_EQ(counts[1].count, 2u);
    EXPECT_EQ(e.health(), enclosure::Health::ok);
    const auto slots = e.slots();
    ASSERT_EQ(slots.size(), 4u);
    EXPECT_EQ(slots[1]->slot_number, 1u);
    EXPECT_EQ(slots[1]->slot_number_source, "additional_status");

    EXPECT_EQ(enclosure::attach_disks(e, disks()), 2u);
    const auto slots2 = e.slots();
    ASSERT_TRUE(slots2[0]->disk);
    EXPECT_EQ(slots2[0]->disk->node, "lun0");
    ASSERT_TRUE(slots2[1]->disk);
    EXPECT_EQ(slots2[1]->disk->node, "lun1");
    EXPECT_FALSE(slots2[2]->disk);

    // A disk in no slot reports no target port NAA; a removed disk empties its slot.
    engine.modify_enclosure(kEnc, [&] {
        auto c = engine.enclosure_config(kEnc);
        c.slots[1].lun.reset();
        return c;
    }());
    EXPECT_EQ(disks()[1].identifiers.size(), 1u);
    EXPECT_EQ(disks()[0].identifiers.size(), 2u);
    engine.remove_lun(0);
    enc.attach();  // REPORTED LUNS DATA HAS CHANGED
    auto again = enclosure::read(dev);
    EXPECT_EQ(again.generation_code, 2u);
    EXPECT_EQ(again.slots()[0]->status->status_code(), 5);
}

TEST_F(CtlEnclosure, LocateAndFaultRoundTrip) {
    auto dev = device();
    const auto d = disks();
    enclosure::set_led(dev, "0", enclosure::Led::locate, true, d);
    auto st = status();
    EXPECT_EQ(st.element(0, 0)->field("ident"), 1);
    EXPECT_EQ(st.element(0, 1)->field("ident"), 0);
    enclosure::set_led(dev, "naa." + fmt::format("{:016x}", d[1].identifiers[0]),
                       enclosure::Led::fault, true, d);
    st = status();
    EXPECT_EQ(st.element(0, 1)->field("fault_reqstd"), 1);
    EXPECT_EQ(st.element(0, 0)->field("ident"), 1);  // kept by the second write
    enclosure::set_led(dev, "0", enclosure::Led::locate, false, d);
    enclosure::set_led(dev, "Bay D", enclosure::Led::locate, true, d);
    st = status();
    EXPECT_EQ(st.element(0, 0)->field("ident"), 0);
    EXPECT_EQ(st.element(0, 3)->field("ident"), 1);
    EXPECT_EQ(st.element(0, 1)->field("fault_reqstd"), 1);
    // Locate on a fan.
    enclosure::set_led(dev, "Fan 1", enclosure::Led::locate, true, d);
    EXPECT_EQ(status().element(2, 1)->field("ident"), 1);
    EXPECT_EQ(engine.enclosure_state(kEnc)["slots"][3]["ident"], true);
}

TEST_F(CtlEnclosure, ControlBitsReflectedInStatus) {
    auto st = status();
    auto ctl = ses::EnclosureControl::keeping(st);
    ctl.element(0, 2).set_select(true).set("device_off", 1).set("do_not_remove", 1);
    ctl.element(0, 3)
        .set_select(true)
        .set("rqst_insert", 1)
        .set("rqst_remove", 1)
        .set("rqst_active", 1);
    ctl.element(1, 0).set_select(true).set("rqst_fail", 1).set("rqst_on", 1);
    ctl.element(1, 1).set_select(true).set("rqst_on", 0);
    ctl.element(2, 0).set_select(true).set("rqst_on", 1).set("requested_speed_code", 7);
    ctl.element(5, 0).set_select(true).set("request_warning", 1);
    ASSERT_EQ(send(ctl.encode()).status, 0);
    st = status();
    EXPECT_EQ(st.element(0, 2)->field("device_off"), 1);
    EXPECT_EQ(st.element(0, 2)->field("do_not_remove"), 1);
    EXPECT_EQ(st.element(0, 3)->field("ready_to_insert"), 1);
    EXPECT_EQ(st.element(0, 3)->field("rmv"), 1);
    EXPECT_EQ(st.element(1, 0)->field("fail"), 1);
    EXPECT_EQ(st.element(1, 0)->status_code(), 1);  // a FAIL indicator request, not a failure
    EXPECT_EQ(st.element(1, 1)->field("off"), 1);
    EXPECT_EQ(st.element(1, 1)->field("rqsted_on"), 0);
    EXPECT_EQ(st.element(2, 0)->fan_speed_rpm(), 7000);
    EXPECT_EQ(st.element(2, 0)->field("actual_speed_code"), 7);
    EXPECT_EQ(st.element(5, 0)->field("warning_requested"), 1);
    EXPECT_EQ(st.element(5, 0)->field("warning_indication"), 1);
    EXPECT_EQ(st.element(5, 0)->field("failure_requested"), 0);
    EXPECT_EQ(engine.enclosure_state(kEnc)["slots"][3]["rqst_active"], true);

    // The page's CRIT request (echoed back by the kernel's ses driver) latches nothing.
    ctl = ses::EnclosureControl::keeping(st);
    ctl.crit = true;
    ASSERT_EQ(send(ctl.encode()).status, 0);
    EXPECT_FALSE(status().crit);
    EXPECT_EQ(engine.enclosure_state(kEnc)["requested_indicators"]["crit"], true);

    // Unselected elements keep their state; the overall element selects the rest of a type.
    ctl = ses::EnclosureControl::keeping(st);
    ctl.overall(0).set_select(true).set("rqst_ident", 1);
    ASSERT_EQ(send(ctl.encode()).status, 0);
    st = status();
    for (std::size_t n = 0; n < 4; ++n) EXPECT_EQ(st.element(0, n)->field("ident"), 1);
    EXPECT_EQ(st.element(0, 2)->field("device_off"), 0);  // the overall control replaced it
    EXPECT_EQ(st.element(2, 0)->fan_speed_rpm(), 7000);
    EXPECT_EQ(configuration().generation_code, 1u);
}

TEST_F(CtlEnclosure, SimulatedConditionsChangeHealth) {
    auto dev = device();
    engine.simulate(kEnc, parse_enclosure_condition("psu:1:fail"));
    auto e = enclosure::read(dev);
    EXPECT_EQ(e.health(), enclosure::Health::critical);
    EXPECT_TRUE(e.status->crit);
    const auto& psu = *e.status->element(1, 1);
    EXPECT_EQ(psu.status_code(), 2);
    EXPECT_EQ(psu.field("fail"), 1);
    EXPECT_EQ(psu.field("dc_fail"), 1);
    EXPECT_EQ(e.status->element(5, 0)->field("failure_indication"), 1);
    EXPECT_EQ(e.generation_code, 1u);

    engine.simulate(kEnc, parse_enclosure_condition("ok"));
    EXPECT_EQ(enclosure::read(dev).health(), enclosure::Health::ok);

    engine.simulate(kEnc, parse_enclosure_condition("temp:0:55"));
    auto st = status();
    EXPECT_EQ(st.element(3, 0)->temperature_celsius(), 55);
    EXPECT_EQ(st.element(3, 0)->field("ot_warning"), 1);
    EXPECT_EQ(st.element(3, 0)->status_code(), 3);
    EXPECT_TRUE(st.non_crit);
    engine.simulate(kEnc, parse_enclosure_condition("temp:0:70"));
    st = status();
    EXPECT_EQ(st.element(3, 0)->field("ot_failure"), 1);
    EXPECT_EQ(st.element(3, 0)->field("ot_warning"), 0);
    EXPECT_EQ(st.element(3, 0)->status_code(), 2);
    // A warning elsewhere while something is critical: both page flags and indicators.
    engine.simulate(kEnc, parse_enclosure_condition("temp:1:52"));
    st = status();
    EXPECT_TRUE(st.crit);
    EXPECT_TRUE(st.non_crit);
    EXPECT_EQ(st.element(5, 0)->field("failure_indication"), 1);
    EXPECT_EQ(st.element(5, 0)->field("warning_indication"), 1);
    engine.simulate(kEnc, parse_enclosure_condition("temp:1:ok"));
    engine.simulate(kEnc, parse_enclosure_condition("temp:0:ok"));

    engine.simulate(kEnc, parse_enclosure_condition("fan:1:1500"));
    st = status();
    EXPECT_EQ(st.element(2, 1)->fan_speed_rpm(), 1500);
    EXPECT_EQ(st.element(2, 1)->field("actual_speed_code"), 2);
    EXPECT_EQ(st.element(2, 1)->status_code(), 1);
    engine.simulate(kEnc, parse_enclosure_condition("fan:1:0"));
    st = status();
    EXPECT_EQ(st.element(2, 1)->status_code(), 2);
    EXPECT_EQ(st.element(2, 1)->field("actual_speed_code"), 0);
    engine.simulate(kEnc, parse_enclosure_condition("fan:1:ok"));

    engine.simulate(kEnc, parse_enclosure_condition("volt:0:11.3"));
    st = status();
    EXPECT_EQ(st.element(4, 0)->field("warn_under"), 1);
    EXPECT_EQ(st.element(4, 0)->status_code(), 3);
    engine.simulate(kEnc, parse_enclosure_condition("volt:0:ok"));
    EXPECT_EQ(enclosure::read(dev).health(), enclosure::Health::ok);
    EXPECT_EQ(configuration().generation_code, 1u);

    EXPECT_THROW(engine.simulate(kEnc, parse_enclosure_condition("psu:2:fail")), Error);
    EXPECT_THROW(parse_enclosure_condition("psu:0:melt"), Error);
    EXPECT_THROW(parse_enclosure_condition("door:0:ok"), Error);
    EXPECT_THROW(parse_enclosure_condition("temp:x:1"), Error);
}

TEST_F(CtlEnclosure, GenerationCodeAndBadPagesRefused) {
    auto ctl = ses::EnclosureControl::keeping(status());
    ctl.element(0, 0).set_select(true).request_ident(true);
    ctl.generation_code = 7;
    auto r = send(ctl.encode());
    EXPECT_SENSE(r, 5, 0x26, 0);
    const auto s = test::sense_of(r);
    EXPECT_TRUE(s.sks.sksv());
    EXPECT_FALSE(s.sks.command_data());
    EXPECT_EQ(s.sks.value(), 4);
    EXPECT_EQ(status().element(0, 0)->field("ident"), 0);

    // A new configuration moves the generation code on; a page built before is refused.
    ctl.generation_code = 1;
    engine.modify_enclosure(kEnc, engine.enclosure_config(kEnc));
    EXPECT_SENSE(send(ctl.encode()), 5, 0x26, 0);
    EXPECT_EQ(configuration().generation_code, 2u);
    ctl.generation_code = 2;
    EXPECT_EQ(send(ctl.encode()).status, 0);
    EXPECT_EQ(status().element(0, 0)->field("ident"), 1);  // state kept across the change

    // Wrong length, unknown page, PF=0, unsupported page in.
    auto bytes = ctl.encode();
    bytes.resize(bytes.size() - 4);
    bytes[3] = static_cast<std::uint8_t>(bytes[3] - 4);
    EXPECT_SENSE(send(bytes), 5, 0x26, 0);
    EXPECT_SENSE(send(Bytes{0x0c, 0, 0, 0}), 5, 0x26, 0);
    EXPECT_SENSE(send(Bytes{0x02, 0, 0, 0x40}), 5, 0x26, 0);  // longer than sent
    cdb::SendDiagnostic nopf;
    nopf.parameter_list_length = 4;
    EXPECT_SENSE(enc.run(nopf.encode(), Bytes{0x04, 0, 0, 0}), 5, 0x24, 0);
    cdb::ReceiveDiagnostic q;
    q.pcv = true;
    q.page_code = 0x10;
    q.allocation_length = 64;
    EXPECT_SENSE(enc.run(q.encode()), 5, 0x24, 0);
    cdb::SendDiagnostic self;
    self.self_test = true;
    EXPECT_EQ(enc.run(self.encode()).status, 0);
}

// Every prefix of each control-direction page, as sent and with its length field fixed up,
// is refused with sense or accepted; the state stays readable.
TEST_F(CtlEnclosure, TruncatedControlPagesRefused) {
    const auto cfg = configuration();
    auto ctl = ses::EnclosureControl::keeping(status());
    ctl.element(0, 1).set_select(true).request_ident(true);
    const auto th = ses::ThresholdPage::decode(receive(0x05), cfg);
    for (const Bytes& page : {ctl.encode(), th.encode()}) {
        for (std::size_t n = 1; n < page.size(); ++n) {
            Bytes cut(page.begin(), page.begin() + static_cast<std::ptrdiff_t>(n));
            auto r = send(cut);
            EXPECT_EQ(r.status, 2) << n;
            if (n >= 4) {
                cut[2] = static_cast<std::uint8_t>((n - 4) >> 8);
                cut[3] = static_cast<std::uint8_t>(n - 4);
                r = send(cut);
                EXPECT_EQ(r.status, 2) << n;
                EXPECT_EQ(test::sense_of(r).key, 5);
            }
        }
    }
    EXPECT_EQ(status().element(0, 1)->field("ident"), 0);
    EXPECT_EQ(send(ctl.encode()).status, 0);
    EXPECT_EQ(status().element(0, 1)->field("ident"), 1);
}

TEST_F(CtlEnclosure, StringOutInAndPcvZero) {
    ses::StringPage out;
    out.data = Bytes{'h', 'e', 'l', 'l', 'o'};
    ASSERT_EQ(send(out.encode()).status, 0);
    EXPECT_EQ(ses::StringPage::decode(receive(0x04)).data, out.data);
    // PCV=0: the page of the last SEND DIAGNOSTIC.
    cdb::ReceiveDiagnostic q;
    q.allocation_length = 64;
    const auto r = enc.run(q.encode());
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(r.data_in[0], 0x04);
    // Allocation length cuts the page.
    EXPECT_EQ(receive(0x01, 8).size(), 8u);
}

TEST_F(CtlEnclosure, ThresholdOutChangesJudgement) {
    const auto cfg = configuration();
    auto th = ses::ThresholdPage::decode(receive(0x05), cfg);
    th.types[3].elements[1].high_warning = 20 + 25;  // 25 degC: the 30 degC reading warns
    ASSERT_EQ(send(th.encode()).status, 0);
    const auto st = status();
    EXPECT_EQ(st.element(3, 1)->field("ot_warning"), 1);
    EXPECT_EQ(st.element(3, 1)->status_code(), 3);
    EXPECT_EQ(st.element(3, 0)->status_code(), 1);
}

TEST(CtlEnclosureConfig, JsonAndValidation) {
    auto c = EnclosureConfig::with_counts(2, 1, 1, 1, 1);
    c.slots[1].lun = 7;
    c.fans[0].rpm = 4000;
    nlohmann::json j = c;
    EXPECT_EQ(j["slots"][1]["lun"], 7);
    EXPECT_EQ(j.get<EnclosureConfig>(), c);

    const auto short_form = nlohmann::json::parse(
        R"({"slots": 3, "power_supplies": ["Left", "Right"], "logical_identifier": "naa.5000000000000123",
            "temperature_sensors": [{"descriptor": "Inlet", "celsius": 25,
                                     "thresholds": {"high_critical": 45}}]})");
    const auto d = short_form.get<EnclosureConfig>();
    EXPECT_EQ(d.slots.size(), 3u);
    EXPECT_EQ(d.power_supplies[1].descriptor, "Right");
    EXPECT_EQ(d.logical_identifier, 0x5000000000000123ull);
    EXPECT_EQ(d.temperature_sensors[0].thresholds.high_critical, 45);
    EXPECT_EQ(d.temperature_sensors[0].thresholds.high_warning, 50);
    EXPECT_THROW(nlohmann::json::parse(R"({"slots": "x"})").get<EnclosureConfig>(), Error);

    Engine engine;
    auto bad = EnclosureConfig::with_counts(256, 0, 0, 0, 0);
    EXPECT_THROW(engine.add_enclosure(1, bad), Error);
    auto self = EnclosureConfig::with_counts(1, 0, 0, 0, 0);
    self.slots[0].lun = 1;
    EXPECT_THROW(engine.add_enclosure(1, self), Error);
    engine.add_enclosure(1, EnclosureConfig::with_counts(0, 0, 0, 0, 0));
    EXPECT_THROW(engine.add_enclosure(1, EnclosureConfig{}), Error);
}

}  // namespace
}  // namespace camx::ctl
