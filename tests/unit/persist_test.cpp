// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <scsi/sg_lib.h>

#include <nlohmann/json.hpp>

#include "camx/scsi/persist.hpp"

namespace camx::scsi {
namespace {

// libsgutils2's own TransportID decoder, as an independent reference.
std::string sg_tid_text(Bytes b) {
    char out[1024] = {};
    sg_decode_transportid_str("", b.data(), static_cast<int>(b.size()), true, sizeof out, out);
    return out;
}

template <class T>
void every_prefix(const Bytes& raw) {
    for (std::size_t n = 0; n <= raw.size(); ++n) {
        SCOPED_TRACE(n);
        try {
            T v = T::decode(ByteView(raw).first(n));
            nlohmann::json j = v;
            if (n < raw.size()) {
                EXPECT_FALSE(v.warnings.empty());
            }
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), Category::malformed);
        }
    }
}

TEST(Persist, Names) {
    EXPECT_EQ(pr_type_name(1), "Write Exclusive");
    EXPECT_EQ(pr_type_name(3), "Exclusive Access");
    EXPECT_EQ(pr_type_name(5), "Write Exclusive, registrants only");
    EXPECT_EQ(pr_type_name(6), "Exclusive Access, registrants only");
    EXPECT_EQ(pr_type_name(7), "Write Exclusive, all registrants");
    EXPECT_EQ(pr_type_name(8), "Exclusive Access, all registrants");
    EXPECT_EQ(pr_in_action_name(3), "READ FULL STATUS");
    EXPECT_EQ(pr_out_action_name(7), "REGISTER AND MOVE");
    EXPECT_EQ(pr_out_action_name(8), "REPLACE LOST RESERVATION");
    EXPECT_EQ(pr_out_action_name(9), "reserved");
    EXPECT_EQ(protocol_identifier_name(6), "Serial Attached SCSI Protocol (SPL-4)");
    EXPECT_NE(protocol_identifier_name(5).find("iSCSI"), std::string::npos);
}

TEST(Persist, ReadKeys) {
    Bytes raw{0, 0, 0,    7,    0,    0,    0,    16,   0, 0, 0, 0,
              0, 0, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1};
    PrKeys k = PrKeys::decode(raw);
    EXPECT_EQ(k.generation, 7u);
    ASSERT_EQ(k.keys.size(), 2u);
    EXPECT_EQ(k.keys[0], 0x1234u);
    EXPECT_EQ(k.keys[1], 0xdeadbeef00000001ull);
    EXPECT_TRUE(k.warnings.empty());
    EXPECT_EQ(k.encode(), raw);
    every_prefix<PrKeys>(raw);
}

TEST(Persist, ReadReservation) {
    Bytes raw{0, 0, 0, 3, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0xab, 0xcd, 0, 0, 0, 0, 0, 0x05, 0, 0};
    PrReservation r = PrReservation::decode(raw);
    EXPECT_EQ(r.generation, 3u);
    ASSERT_TRUE(r.reservation);
    EXPECT_EQ(r.reservation->key, 0xabcdu);
    EXPECT_EQ(r.reservation->scope, 0);
    EXPECT_EQ(r.reservation->type, 5);
    EXPECT_EQ(r.encode(), raw);
    nlohmann::json j = r;
    EXPECT_EQ(j["reservation"]["type_name"], "Write Exclusive, registrants only");
    every_prefix<PrReservation>(raw);

    PrReservation none = PrReservation::decode(Bytes{0, 0, 0, 9, 0, 0, 0, 0});
    EXPECT_FALSE(none.reservation);
    EXPECT_EQ(PrReservation::decode(none.encode()), none);
}

TEST(Persist, ReportCapabilities) {
    // RLR_C, CRH, SIP_C, ATP_C, PTPL_C; TMV, ALLOW COMMANDS 1, PTPL_A; all six types.
    Bytes raw{0, 8, 0x9d, 0x91, 0xea, 0x01, 0, 0};
    PrCapabilities c = PrCapabilities::decode(raw);
    EXPECT_TRUE(c.rlr_c);
    EXPECT_TRUE(c.crh);
    EXPECT_TRUE(c.sip_c);
    EXPECT_TRUE(c.atp_c);
    EXPECT_TRUE(c.ptpl_c);
    EXPECT_TRUE(c.tmv);
    EXPECT_EQ(c.allow_commands, 1);
    EXPECT_TRUE(c.ptpl_a);
    EXPECT_EQ(c.supported_types(), (std::vector<std::uint8_t>{1, 3, 5, 6, 7, 8}));
    EXPECT_EQ(c.encode(), raw);
    c.type_mask = PrCapabilities::mask_bit(1) | PrCapabilities::mask_bit(8);
    EXPECT_EQ(c.type_mask, 0x0201);
    EXPECT_EQ(PrCapabilities::decode(c.encode()), c);
    nlohmann::json j = c;
    EXPECT_EQ(j["wr_ex"], true);
    EXPECT_EQ(j["ex_ac"], false);
    EXPECT_EQ(j["ex_ac_ar"], true);
    EXPECT_EQ(j["supported_types"].size(), 2u);
    every_prefix<PrCapabilities>(raw);
}

TEST(Persist, TransportIdsMatchLibsgutils) {
    auto fc = TransportId::fibre_channel(0x21000024ff123456ull);
    Bytes b = fc.encode();
    ASSERT_EQ(b.size(), 24u);
    EXPECT_NE(sg_tid_text(b).find("21 00 00 24 ff 12 34 56"), std::string::npos) << sg_tid_text(b);

    auto sas = TransportId::sas_address(0x5000c50012345678ull);
    b = sas.encode();
    EXPECT_NE(sg_tid_text(b).find("0x5000c50012345678"), std::string::npos) << sg_tid_text(b);

    auto is0 = TransportId::iscsi_initiator("iqn.1994-05.com.redhat:abc");
    b = is0.encode();
    EXPECT_EQ(b.size() % 4, 0u);
    EXPECT_NE(sg_tid_text(b).find("iqn.1994-05.com.redhat:abc"), std::string::npos)
        << sg_tid_text(b);

    auto is1 = TransportId::iscsi_initiator("iqn.2004-10.com.ubuntu:01:1", "23d000000");
    b = is1.encode();
    EXPECT_EQ(b[0], 0x45);
    EXPECT_NE(sg_tid_text(b).find("iqn.2004-10.com.ubuntu:01:1,i,0x23d000000"), std::string::npos)
        << sg_tid_text(b);

    std::array<std::uint8_t, 16> port{};
    for (std::size_t i = 0; i < port.size(); ++i) port[i] = static_cast<std::uint8_t>(i + 1);
    auto srp = TransportId::srp_initiator(port);
    auto sop = TransportId::sop_routing(0x0102);
    for (const auto& t : {fc, sas, is0, is1, srp, sop}) {
        std::vector<std::string> w;
        Bytes e = t.encode();
        EXPECT_EQ(TransportId::length_at(e), e.size());
        EXPECT_EQ(TransportId::decode(e, w), t);
        EXPECT_TRUE(w.empty());
    }
    nlohmann::json j = is1;
    EXPECT_EQ(j["iscsi_name"], "iqn.2004-10.com.ubuntu:01:1");
    EXPECT_EQ(j["isid"], "23d000000");
    j = sas;
    EXPECT_EQ(j["sas_address"], "0x5000c50012345678");
    j = sop;
    EXPECT_EQ(j["routing_id"], 0x0102);

    // SPI (protocol 1) is kept raw.
    Bytes spi(24, 0);
    spi[0] = 0x01;
    spi[3] = 7;
    std::vector<std::string> w;
    TransportId raw = TransportId::decode(spi, w);
    EXPECT_EQ(raw.raw, spi);
    EXPECT_EQ(raw.encode(), spi);
}

PrFullStatus sample_full_status() {
    PrFullStatus s;
    s.generation = 12;
    s.descriptors.push_back({0x1111, false, true, 0, 5, 1, TransportId::sas_address(0x500a)});
    s.descriptors.push_back(
        {0x2222, true, false, 0, 0, 2, TransportId::iscsi_initiator("iqn.x:y", "1")});
    s.descriptors.push_back({0x3333, false, false, 0, 0, 3, TransportId::fibre_channel(0x2100)});
    return s;
}

TEST(Persist, ReadFullStatusRoundTrip) {
    PrFullStatus s = sample_full_status();
    Bytes b = s.encode();
    EXPECT_EQ(bytes::be32(b, 4), b.size() - 8);
    EXPECT_EQ(b[8 + 12], 0x01);  // R_HOLDER
    EXPECT_EQ(b[8 + 13], 0x05);  // scope 0, type 5
    EXPECT_EQ(bytes::be16(b, 8 + 18), 1);
    EXPECT_EQ(bytes::be32(b, 8 + 20), 24u);
    PrFullStatus d = PrFullStatus::decode(b);
    EXPECT_EQ(d, s);
    EXPECT_TRUE(d.warnings.empty());
    nlohmann::json j = d;
    EXPECT_EQ(j["descriptors"][0]["r_holder"], true);
    EXPECT_EQ(j["descriptors"][1]["all_tg_pt"], true);
    EXPECT_EQ(j["descriptors"][1]["transport_id"]["isid"], "1");
    every_prefix<PrFullStatus>(b);
}

TEST(Persist, OutParameterListRoundTrip) {
    PrOutParameters p;
    p.key = 0xabc;
    p.service_action_key = 0xdef;
    p.all_tg_pt = true;
    p.aptpl = true;
    Bytes b = p.encode();
    ASSERT_EQ(b.size(), 24u);
    EXPECT_EQ(b[20], 0x05);
    EXPECT_EQ(PrOutParameters::decode(b), p);

    p.spec_i_pt = true;
    p.transport_ids = {TransportId::sas_address(0x5001), TransportId::iscsi_initiator("iqn.a:b")};
    b = p.encode();
    EXPECT_EQ(b[20], 0x0d);
    EXPECT_EQ(bytes::be32(b, 24), b.size() - 28);
    PrOutParameters d = PrOutParameters::decode(b);
    EXPECT_EQ(d, p);
    nlohmann::json j = d;
    EXPECT_EQ(j["transport_ids"].size(), 2u);
    every_prefix<PrOutParameters>(b);
}

TEST(Persist, RegisterAndMoveRoundTrip) {
    PrRegisterAndMove m;
    m.key = 1;
    m.service_action_key = 2;
    m.unreg = true;
    m.relative_target_port = 9;
    m.transport_id = TransportId::iscsi_initiator("iqn.2001-04.com.example:node", "400001370000");
    Bytes b = m.encode();
    EXPECT_EQ(b[17], 0x02);
    EXPECT_EQ(bytes::be16(b, 18), 9);
    EXPECT_EQ(bytes::be32(b, 20), b.size() - 24);
    EXPECT_EQ(PrRegisterAndMove::decode(b), m);
    every_prefix<PrRegisterAndMove>(b);
}

}  // namespace
}  // namespace camx::scsi
