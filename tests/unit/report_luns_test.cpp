// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/report_luns.hpp"
#include "capture.hpp"

namespace camx::scsi {
namespace {

Lun lun_hex(const char* text) {
    return Lun::from_bytes(hex::parse(text));
}

TEST(ReportLuns, WellKnownCapture) {
    const Bytes raw = test::capture("report_luns", "sg3inhex_luns_wlun");
    const auto d = ReportLunsData::decode(raw);
    // expect.txt: LUN LIST LENGTH=64 -> 8 LUNs
    EXPECT_EQ(d.lun_list_length, 64u);
    ASSERT_EQ(d.luns.size(), 8u);
    EXPECT_TRUE(d.warnings.empty());
    EXPECT_EQ(d.encode(), raw);

    // 0001000000000000: Peripheral device addressing: lun=1
    auto l0 = d.luns[0].levels();
    ASSERT_EQ(l0.size(), 1u);
    EXPECT_EQ(l0[0].addressing, LunAddressing::peripheral);
    EXPECT_EQ(l0[0].lun, 1u);
    EXPECT_EQ(d.luns[0].to_int(), 1u);

    // 0308020401020001: bus 3 target 8 / bus 2 target 4 / bus 1 target 2 / lun 1
    auto l1 = d.luns[1].levels();
    ASSERT_EQ(l1.size(), 4u);
    EXPECT_EQ(l1[0].bus_identifier, 3);
    EXPECT_EQ(l1[0].target, 8);
    EXPECT_EQ(l1[1].bus_identifier, 2);
    EXPECT_EQ(l1[1].target, 4);
    EXPECT_EQ(l1[2].bus_identifier, 1);
    EXPECT_EQ(l1[2].target, 2);
    EXPECT_EQ(l1[3].bus_identifier, 0);
    EXPECT_EQ(l1[3].lun, 1u);

    // c101000000000000: REPORT LUNS well known logical unit
    EXPECT_TRUE(d.luns[2].is_well_known());
    auto l2 = d.luns[2].levels();
    ASSERT_EQ(l2.size(), 1u);
    EXPECT_EQ(l2[0].addressing, LunAddressing::well_known);
    EXPECT_EQ(well_known_lun_name(static_cast<std::uint8_t>(l2[0].lun)), "REPORT LUNS");
    EXPECT_EQ(d.luns[2].to_int(), 0xc101u);

    // 5234000000000000: Flat space addressing: lun=4660
    auto l3 = d.luns[3].levels();
    EXPECT_EQ(l3[0].addressing, LunAddressing::flat);
    EXPECT_EQ(l3[0].lun, 4660u);
    EXPECT_EQ(d.luns[3].address_method(), 1u);

    // 8144000000000000: Logical Unit addressing: bus_id=2, target=1, lun=4
    auto l4 = d.luns[4].levels();
    EXPECT_EQ(l4[0].addressing, LunAddressing::logical_unit);
    EXPECT_EQ(l4[0].bus_identifier, 2);
    EXPECT_EQ(l4[0].target, 1);
    EXPECT_EQ(l4[0].lun, 4u);

    // 0309d27788990000: bus 3 target 9, then extended flat space lun=7833753
    auto l5 = d.luns[5].levels();
    ASSERT_EQ(l5.size(), 2u);
    EXPECT_EQ(l5[0].target, 9);
    EXPECT_EQ(l5[1].addressing, LunAddressing::extended_flat);
    EXPECT_EQ(l5[1].lun, 7833753u);

    // e2778899aabb0000: Long extended flat space addressing: lun=513392880315
    auto l6 = d.luns[6].levels();
    ASSERT_EQ(l6.size(), 1u);
    EXPECT_EQ(l6[0].addressing, LunAddressing::long_extended_flat);
    EXPECT_EQ(l6[0].lun, 513392880315ULL);

    // ffffffffffffffff: Logical unit not specified
    auto l7 = d.luns[7].levels();
    ASSERT_EQ(l7.size(), 1u);
    EXPECT_EQ(l7[0].addressing, LunAddressing::not_specified);

    nlohmann::json j = d;
    EXPECT_EQ(j["luns"].size(), 8u);
    EXPECT_EQ(j["luns"][0]["lun"], 1);
    EXPECT_EQ(j["luns"][0]["address_method"], 0);
    EXPECT_EQ(j["luns"][0]["address_method_name"], "peripheral");
    EXPECT_EQ(j["luns"][0]["bytes"], "0001000000000000");
    EXPECT_EQ(j["luns"][2]["levels"][0]["well_known_lun_name"], "REPORT LUNS");
    EXPECT_EQ(j["luns"][3]["address_method_name"], "flat");
    EXPECT_EQ(j["luns"][7]["address_method_name"], "extended");
}

TEST(ReportLuns, LuCongCapture) {
    const Bytes raw = test::capture("report_luns", "sg3inhex_luns_lu_cong");
    const auto d = ReportLunsData::decode(raw, true);
    EXPECT_EQ(d.lun_list_length, 16u);
    ASSERT_EQ(d.luns.size(), 2u);
    EXPECT_EQ(hex::compact(d.luns[1].bytes), "0001000200000000");
    nlohmann::json j = d;
    // sg3.txt: admin element 1 ("Administrative LU"); then admin 1 with subsidiary 2
    EXPECT_EQ(j["luns"][0]["administrative_element"], 1);
    EXPECT_EQ(j["luns"][0]["administrative_lu"], true);
    EXPECT_EQ(j["luns"][1]["administrative_element"], 1);
    EXPECT_EQ(j["luns"][1]["subsidiary_element"], 2);
    EXPECT_EQ(j["luns"][1]["administrative_lu"], false);
    EXPECT_EQ(d.encode(), raw);
}

TEST(ReportLuns, LinuxIntegerForm) {
    // scsilun_to_int: bytes 0-1 are the low 16 bits, 2-3 the next 16 ...
    EXPECT_EQ(lun_hex("0001000200000000").to_int(), 0x00020001u);
    EXPECT_EQ(lun_hex("4001000000000000").to_int(), 0x4001u);
    EXPECT_EQ(lun_hex("0102030405060708").to_int(), 0x0708050603040102ULL);
    for (std::uint64_t v :
         {0ULL, 1ULL, 255ULL, 0x412cULL, 0xc101ULL, 0x0708050603040102ULL, ~0ULL}) {
        EXPECT_EQ(Lun::from_int(v).to_int(), v);
    }
    EXPECT_EQ(hex::compact(Lun::from_int(300 | 0x4000).bytes), "412c000000000000");
    EXPECT_THROW(Lun::from_bytes(hex::parse("00 01")), Error);
}

TEST(ReportLuns, RoundTripAndMalformed) {
    ReportLunsData d;
    d.luns = {Lun::from_int(0), Lun::from_int(1), lun_hex("c101000000000000"),
              lun_hex("e2778899aabb0000")};
    d.lun_list_length = 32;
    EXPECT_EQ(ReportLunsData::decode(d.encode()), d);
    // Reserved extended combination: kept as a raw value.
    auto odd = lun_hex("f5aabbccddeeff11").levels();
    ASSERT_EQ(odd.size(), 1u);
    EXPECT_EQ(odd[0].addressing, LunAddressing::extended_reserved);
    EXPECT_EQ(odd[0].lun, 0xaabbccddeeff11ULL);
    // Extended element running past the LUN end.
    auto over = lun_hex("000100000000e200").levels();
    EXPECT_EQ(over.back().addressing, LunAddressing::extended_reserved);
    // Declared length larger than the buffer, not a multiple of 8.
    auto t =
        ReportLunsData::decode(hex::parse("00 00 00 0c 00 00 00 00 00 01 00 00 00 00 00 00 01"));
    EXPECT_EQ(t.luns.size(), 1u);
    EXPECT_EQ(t.partial, Bytes{0x01});
    EXPECT_EQ(t.warnings.size(), 3u);
}

TEST(ReportLuns, EveryPrefixDecodesOrThrows) {
    for (const auto& name : test::captures("report_luns")) {
        const Bytes raw = test::capture("report_luns", name);
        for (std::size_t n = 0; n <= raw.size(); ++n) {
            try {
                auto d = ReportLunsData::decode(ByteView(raw.data(), n));
                EXPECT_GE(n, 8u);
                for (const auto& l : d.luns) EXPECT_FALSE(l.levels().empty());
                nlohmann::json j = d;
                EXPECT_TRUE(j["luns"].is_array());
            } catch (const Error& e) {
                EXPECT_LT(n, 8u);
                EXPECT_EQ(e.category(), Category::malformed);
            }
        }
    }
}

}  // namespace
}  // namespace camx::scsi
