// SPDX-License-Identifier: BSD-2-Clause
// Persistent reservations through the engine: every service action, conflicts per type,
// unit attentions, and the JSON state round trip.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "camx/ctl/engine.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/persist.hpp"
#include "ctl_test_util.hpp"

namespace camx::ctl {
namespace {

namespace cdb = scsi::cdb;
using test::Initiator;

class CtlPersist : public ::testing::Test {
  protected:
    void SetUp() override {
        LunConfig c;
        c.id = 0;
        c.size_bytes = 1 << 20;
        engine.add_lun(c);
        engine.add_port({"p0", true, 1, {}});
        a.attach();
        b.attach();
        c2.attach();
    }
    TaskResult out(Initiator& i, scsi::PrOutAction sa, std::uint8_t type, std::uint64_t key,
                   std::uint64_t sa_key, bool aptpl = false) {
        scsi::PrOutParameters p;
        p.key = key;
        p.service_action_key = sa_key;
        p.aptpl = aptpl;
        Bytes pl = p.encode();
        return i.run(cdb::PersistentReserveOut{static_cast<std::uint8_t>(sa), 0, type,
                                               static_cast<std::uint32_t>(pl.size()), 0}
                         .encode(),
                     pl);
    }
    Bytes in(Initiator& i, scsi::PrInAction sa) {
        auto r = i.run(cdb::PersistentReserveIn{static_cast<std::uint8_t>(sa), 8192, 0}.encode());
        EXPECT_EQ(r.status, 0);
        return r.data_in;
    }
    TaskResult read(Initiator& i) {
        return i.run(cdb::Read10{0, false, false, false, 0, 0, 1, 0}.encode());
    }
    TaskResult write(Initiator& i) {
        return i.run(cdb::Write10{0, false, false, 0, 0, 1, 0}.encode(), Bytes(512, 1));
    }
    void reg(Initiator& i, std::uint64_t key) {
        ASSERT_EQ(out(i, scsi::PrOutAction::register_key, 0, 0, key).status, 0);
    }

    std::vector<std::pair<std::uint64_t, nlohmann::json>> saved;
    Engine engine{Engine::Options{
        2, [this](std::uint64_t id, const nlohmann::json& j) { saved.emplace_back(id, j); }}};
    Initiator a{engine, test::nexus(1, "iqn.t:a")};
    Initiator b{engine, test::nexus(2, "iqn.t:b")};
    Initiator c2{engine, test::nexus(3, "iqn.t:c")};
};

TEST_F(CtlPersist, RegisterReadKeysAndReservation) {
    reg(a, 0xa);
    reg(b, 0xb);
    auto keys = scsi::PrKeys::decode(in(a, scsi::PrInAction::read_keys));
    EXPECT_EQ(keys.generation, 2u);
    EXPECT_EQ(keys.keys, (std::vector<std::uint64_t>{0xa, 0xb}));
    // Wrong reservation key on a registered nexus: conflict.
    EXPECT_EQ(out(a, scsi::PrOutAction::register_key, 0, 0x99, 0xc).status, 0x18);
    ASSERT_EQ(out(a, scsi::PrOutAction::reserve, 1, 0xa, 0).status, 0);
    auto res = scsi::PrReservation::decode(in(b, scsi::PrInAction::read_reservation));
    ASSERT_TRUE(res.reservation);
    EXPECT_EQ(res.reservation->key, 0xau);
    EXPECT_EQ(res.reservation->type, 1);
    auto caps = scsi::PrCapabilities::decode(in(a, scsi::PrInAction::report_capabilities));
    EXPECT_TRUE(caps.ptpl_c);
    EXPECT_EQ(caps.supported_types().size(), 6u);
    auto full = scsi::PrFullStatus::decode(in(a, scsi::PrInAction::read_full_status));
    ASSERT_EQ(full.descriptors.size(), 2u);
    EXPECT_TRUE(full.descriptors[0].r_holder);
    EXPECT_EQ(full.descriptors[0].transport_id.iscsi_name, "iqn.t:a");
    EXPECT_FALSE(full.descriptors[1].r_holder);
    // Unregister of the holder releases the reservation.
    ASSERT_EQ(out(a, scsi::PrOutAction::register_key, 0, 0xa, 0).status, 0);
    EXPECT_FALSE(
        scsi::PrReservation::decode(in(b, scsi::PrInAction::read_reservation)).reservation);
    EXPECT_FALSE(saved.empty());
}

struct TypeCase {
    std::uint8_t type;
    bool other_read_conflicts;  // unregistered nexus
    bool registered_write_conflicts;
};

TEST_F(CtlPersist, ConflictsPerType) {
    for (auto tc :
         {TypeCase{1, false, true}, TypeCase{3, true, true}, TypeCase{5, false, false},
          TypeCase{6, true, false}, TypeCase{7, false, false}, TypeCase{8, true, false}}) {
        SCOPED_TRACE(static_cast<int>(tc.type));
        reg(a, 0xa);
        reg(b, 0xb);
        ASSERT_EQ(out(a, scsi::PrOutAction::reserve, tc.type, 0xa, 0).status, 0);
        EXPECT_EQ(read(a).status, 0);
        EXPECT_EQ(write(a).status, 0);
        EXPECT_EQ(read(c2).status, tc.other_read_conflicts ? 0x18 : 0);
        EXPECT_EQ(write(c2).status, 0x18);
        EXPECT_EQ(write(b).status, tc.registered_write_conflicts ? 0x18 : 0);
        // Another type from the holder conflicts; RELEASE with the wrong type is refused.
        EXPECT_EQ(out(b, scsi::PrOutAction::reserve, tc.type, 0xb, 0).status,
                  tc.type >= 7 ? 0 : 0x18);
        if (tc.type < 7) {
            EXPECT_SENSE(out(a, scsi::PrOutAction::release, tc.type == 1 ? 3 : 1, 0xa, 0), 5, 0x26,
                         0x04);
        }
        ASSERT_EQ(out(a, scsi::PrOutAction::clear, 0, 0xa, 0).status, 0);
        EXPECT_SENSE(b.run(cdb::TestUnitReady{}.encode()), 6, 0x2a, 0x03);
    }
}

TEST_F(CtlPersist, ReleaseNotifiesRegistrantsOnly) {
    reg(a, 0xa);
    reg(b, 0xb);
    ASSERT_EQ(out(a, scsi::PrOutAction::reserve, 5, 0xa, 0).status, 0);
    ASSERT_EQ(out(a, scsi::PrOutAction::release, 5, 0xa, 0).status, 0);
    EXPECT_SENSE(b.run(cdb::TestUnitReady{}.encode()), 6, 0x2a, 0x04);
    EXPECT_EQ(c2.run(cdb::TestUnitReady{}.encode()).status, 0);
}

TEST_F(CtlPersist, PreemptAndAbort) {
    reg(a, 0xa);
    reg(b, 0xb);
    ASSERT_EQ(out(b, scsi::PrOutAction::reserve, 3, 0xb, 0).status, 0);
    EXPECT_EQ(read(a).status, 0x18);
    ASSERT_EQ(out(a, scsi::PrOutAction::preempt_and_abort, 3, 0xa, 0xb).status, 0);
    EXPECT_EQ(read(a).status, 0);
    EXPECT_SENSE(b.run(cdb::TestUnitReady{}.encode()), 6, 0x2a, 0x05);
    auto keys = scsi::PrKeys::decode(in(a, scsi::PrInAction::read_keys));
    EXPECT_EQ(keys.keys, std::vector<std::uint64_t>{0xa});
    // Preempting a key nobody holds: conflict. A zero key with no reservation: invalid.
    EXPECT_EQ(out(a, scsi::PrOutAction::preempt, 3, 0xa, 0x77).status, 0x18);
    ASSERT_EQ(out(a, scsi::PrOutAction::release, 3, 0xa, 0).status, 0);
    EXPECT_SENSE(out(a, scsi::PrOutAction::preempt, 3, 0xa, 0), 5, 0x26, 0x00);
}

TEST_F(CtlPersist, RegisterAndIgnoreAndMove) {
    ASSERT_EQ(out(a, scsi::PrOutAction::register_and_ignore_existing_key, 0, 0x55, 0xa).status, 0);
    ASSERT_EQ(out(a, scsi::PrOutAction::reserve, 1, 0xa, 0).status, 0);
    scsi::PrRegisterAndMove m;
    m.key = 0xa;
    m.service_action_key = 0xbb;
    m.relative_target_port = 1;
    m.unreg = true;
    m.transport_id = scsi::TransportId::iscsi_initiator("iqn.t:b");
    Bytes pl = m.encode();
    auto r = a.run(
        cdb::PersistentReserveOut{7, 0, 1, static_cast<std::uint32_t>(pl.size()), 0}.encode(), pl);
    ASSERT_EQ(r.status, 0) << test::sense_of(r).summary();
    auto res = scsi::PrReservation::decode(in(b, scsi::PrInAction::read_reservation));
    ASSERT_TRUE(res.reservation);
    EXPECT_EQ(res.reservation->key, 0xbbu);
    EXPECT_EQ(write(b).status, 0);
    EXPECT_EQ(write(a).status, 0x18);
    EXPECT_EQ(scsi::PrKeys::decode(in(a, scsi::PrInAction::read_keys)).keys,
              std::vector<std::uint64_t>{0xbb});
}

TEST_F(CtlPersist, ParameterListLengthAndSpc2Interplay) {
    Bytes short_list(20, 0);
    EXPECT_SENSE(a.run(cdb::PersistentReserveOut{0, 0, 0, 20, 0}.encode(), short_list), 5, 0x1a,
                 0x00);
    reg(a, 0xa);
    EXPECT_EQ(b.run(cdb::Reserve6{}.encode()).status, 0x18);  // registrations exist
    ASSERT_EQ(out(a, scsi::PrOutAction::register_key, 0, 0xa, 0).status, 0);
    ASSERT_EQ(b.run(cdb::Reserve6{}.encode()).status, 0);
    EXPECT_EQ(a.run(cdb::PersistentReserveIn{0, 1024, 0}.encode()).status, 0x18);
}

TEST_F(CtlPersist, SaveRestoreRoundTrip) {
    reg(a, 0xa);
    ASSERT_EQ(out(b, scsi::PrOutAction::register_key, 0, 0, 0xb, true).status, 0);
    ASSERT_EQ(out(b, scsi::PrOutAction::reserve, 6, 0xb, 0).status, 0);
    nlohmann::json j = engine.save_reservations(0);
    EXPECT_TRUE(j["aptpl"].get<bool>());
    Bytes before = in(a, scsi::PrInAction::read_full_status);

    Engine other;
    LunConfig c;
    c.id = 0;
    c.size_bytes = 1 << 20;
    other.add_lun(c);
    other.add_port({"p0", true, 1, {}});
    other.restore_reservations(0, nlohmann::json::parse(j.dump()));
    Initiator a2{other, a.nx};
    a2.attach();
    EXPECT_EQ(in(a2, scsi::PrInAction::read_full_status), before);
    EXPECT_EQ(other.save_reservations(0), j);
    Initiator c3{other, c2.nx};
    c3.attach();
    EXPECT_EQ(read(c3).status, 0x18);
    EXPECT_THROW(other.restore_reservations(0, nlohmann::json{{"generation", 1}}), Error);
}

TEST_F(CtlPersist, ReplaceLostReservation) {
    reg(a, 0xa);
    ASSERT_EQ(out(b, scsi::PrOutAction::register_key, 0, 0, 0xb, true).status, 0);
    auto caps = scsi::PrCapabilities::decode(in(a, scsi::PrInAction::report_capabilities));
    EXPECT_TRUE(caps.rlr_c);
    // Nothing lost: nothing to replace.
    EXPECT_SENSE(out(a, scsi::PrOutAction::replace_lost_reservation, 1, 0xa, 0), 5, 0x24, 0x00);

    // A saved reservation whose holder is not registered comes back lost, registrations kept.
    ASSERT_EQ(out(b, scsi::PrOutAction::reserve, 1, 0xb, 0).status, 0);
    nlohmann::json j = engine.save_reservations(0);
    j["reservation"]["initiator"] = "iqn.t:gone";
    engine.restore_reservations(0, j);
    auto res = scsi::PrReservation::decode(in(a, scsi::PrInAction::read_reservation));
    EXPECT_FALSE(res.reservation);
    EXPECT_TRUE(engine.save_reservations(0)["reservation_lost"].get<bool>());
    EXPECT_EQ(write(c2).status, 0);  // no reservation to conflict with

    // Unregistered nexus or wrong key: conflict; bad type: invalid field; then the holder.
    EXPECT_EQ(out(c2, scsi::PrOutAction::replace_lost_reservation, 1, 0xc, 0).status, 0x18);
    EXPECT_EQ(out(a, scsi::PrOutAction::replace_lost_reservation, 1, 0xbad, 0).status, 0x18);
    EXPECT_SENSE(out(a, scsi::PrOutAction::replace_lost_reservation, 2, 0xa, 0), 5, 0x24, 0x00);
    ASSERT_EQ(out(a, scsi::PrOutAction::replace_lost_reservation, 3, 0xa, 0).status, 0);
    res = scsi::PrReservation::decode(in(a, scsi::PrInAction::read_reservation));
    ASSERT_TRUE(res.reservation);
    EXPECT_EQ(res.reservation->key, 0xau);
    EXPECT_EQ(res.reservation->type, 3);
    EXPECT_EQ(read(b).status, 0x18);
    EXPECT_SENSE(b.run(cdb::TestUnitReady{}.encode()), 6, 0x2a, 0x04);  // RESERVATIONS RELEASED
    EXPECT_FALSE(engine.save_reservations(0)["reservation_lost"].get<bool>());
    // Replaced once, it is no longer lost.
    EXPECT_SENSE(out(a, scsi::PrOutAction::replace_lost_reservation, 3, 0xa, 0), 5, 0x24, 0x00);
}

}  // namespace
}  // namespace camx::ctl
