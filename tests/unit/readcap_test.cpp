// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/readcap.hpp"
#include "capture.hpp"

namespace camx::scsi {
namespace {

TEST(ReadCap, Rc10LibscsicmdCapture) {
    const Bytes raw = test::capture("readcap", "lsc_rc10_198ee5be1912");
    const auto d = ReadCapacity10Data::decode(raw);
    // expect.txt: RETURNED LOGICAL BLOCK ADDRESS=917504 (0xe0000), BLOCK LENGTH=0
    EXPECT_EQ(d.returned_lba, 917504u);
    EXPECT_EQ(d.block_length, 0u);
    EXPECT_TRUE(d.warnings.empty());
    EXPECT_EQ(d.encode(), raw);
    nlohmann::json j = d;
    EXPECT_EQ(j["last_lba"], 917504);
    EXPECT_EQ(j["blocks"], 917505);
    EXPECT_EQ(j["capacity_bytes"], 0);
    EXPECT_EQ(j["use_read_capacity_16"], false);
}

TEST(ReadCap, Rc16ZbcCapture) {
    const Bytes raw = test::capture("readcap", "sg3inhex_readcap_zbc");
    const auto d = ReadCapacity16Data::decode(raw);
    // sg3.txt: Last LBA=39063650303, 512-byte blocks, LBPPBE 3 (4096), prot_en=0 p_type=0
    EXPECT_EQ(d.returned_lba, 39063650303ULL);
    EXPECT_EQ(d.block_length, 512u);
    EXPECT_EQ(d.rc_basis, 0);
    EXPECT_FALSE(d.prot_en);
    EXPECT_EQ(d.p_type, 0);
    EXPECT_EQ(d.p_i_exponent, 0);
    EXPECT_EQ(d.lbppbe, 3);
    EXPECT_FALSE(d.lbpme);
    EXPECT_FALSE(d.lbprz);
    EXPECT_EQ(d.lowest_aligned_lba, 0);
    EXPECT_TRUE(d.warnings.empty());
    EXPECT_EQ(d.encode(), raw);
    nlohmann::json j = d;
    EXPECT_EQ(j["blocks"], 39063650304ULL);
    EXPECT_EQ(j["capacity_bytes"], 20000588955648ULL);
    EXPECT_EQ(j["physical_block_length_bytes"], 4096);
    EXPECT_EQ(j["protection_type"], 0);
    EXPECT_EQ(j["logical_blocks_per_physical_block_exponent"], 3);
}

TEST(ReadCap, RoundTrip) {
    ReadCapacity10Data a;
    a.returned_lba = 0xffffffff;
    a.block_length = 4096;
    EXPECT_EQ(ReadCapacity10Data::decode(a.encode()), a);
    nlohmann::json ja = a;
    EXPECT_EQ(ja["use_read_capacity_16"], true);

    ReadCapacity16Data b;
    b.returned_lba = 0x123456789ULL;
    b.block_length = 520;
    b.rc_basis = 1;
    b.p_type = 1;
    b.prot_en = true;
    b.p_i_exponent = 2;
    b.lbppbe = 1;
    b.lbpme = true;
    b.lbprz = true;
    b.lowest_aligned_lba = 0x3fff;
    const Bytes e = b.encode();
    EXPECT_EQ(hex::compact(e), "0000000123456789000002081321ffff00000000000000000000000000000000");
    EXPECT_EQ(ReadCapacity16Data::decode(e), b);
    EXPECT_EQ(b.protection_type(), 2u);

    ReadCapacity16Data huge;
    huge.returned_lba = UINT64_MAX;
    huge.block_length = 512;
    nlohmann::json jh = huge;
    EXPECT_TRUE(jh["blocks"].is_number_float());
}

TEST(ReadCap, EveryPrefixDecodesOrThrows) {
    for (const auto& name : test::captures("readcap")) {
        const Bytes raw = test::capture("readcap", name);
        for (std::size_t n = 0; n <= raw.size(); ++n) {
            ByteView prefix(raw.data(), n);
            try {
                (void)ReadCapacity10Data::decode(prefix);
                EXPECT_GE(n, 8u);
            } catch (const Error& e) {
                EXPECT_LT(n, 8u);
                EXPECT_EQ(e.category(), Category::malformed);
            }
            try {
                auto d = ReadCapacity16Data::decode(prefix);
                EXPECT_GE(n, 12u);
                if (n < 32) {
                    EXPECT_FALSE(d.warnings.empty());
                }
            } catch (const Error& e) {
                EXPECT_LT(n, 12u);
            }
        }
    }
}

}  // namespace
}  // namespace camx::scsi
