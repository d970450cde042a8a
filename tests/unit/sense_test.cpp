// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "camx/scsi/sense.hpp"
#include "camx/scsi/sense_category.hpp"
#include "capture.hpp"

namespace camx::scsi {
namespace {

Sense capture_sense(const std::string& name) {
    return Sense::decode(test::capture("sense", name));
}

// Fields from each capture's .expect.txt (response code, key, ASC/ASCQ, FRU, SKSV + bytes).
struct FixedExpect {
    const char* name;
    bool deferred;
    bool valid;
    std::uint8_t key, asc, ascq, fru;
    std::uint32_t information;
    bool sksv;
    std::uint32_t sks;  // the three bytes, SKSV included
    std::size_t size;
};

const FixedExpect kFixed[] = {
    {"lsc_sense_1a_1e61c40c5a66", false, false, 0x5, 0x24, 0x00, 0x00, 0, true, 0xc00004, 48},
    {"lsc_sense_1a_b9e598b821a7", false, false, 0x2, 0x04, 0x04, 0x00, 0, true, 0x80309e, 32},
    {"lsc_sense_1c_2e5b765b4027", false, false, 0x2, 0x31, 0x01, 0x00, 0, false, 0x000000, 32},
    {"lsc_sense_25_15f6c8d5e6f6", false, false, 0x4, 0x29, 0x07, 0x00, 0, false, 0x000000, 32},
    {"lsc_sense_25_1da7fcefbb34", false, false, 0x6, 0x29, 0x00, 0x00, 0, false, 0x000000, 18},
    {"lsc_sense_25_7ec000697cb7", true, false, 0x4, 0x44, 0xa2, 0x00, 0, false, 0x000000, 32},
    {"lsc_sense_25_9b7ea8b78726", false, false, 0x3, 0x31, 0x00, 0x03, 0, false, 0x000000, 32},
    {"lsc_sense_25_cb5dca317c15", false, false, 0x6, 0x3f, 0x01, 0x00, 0, false, 0x000000, 32},
    {"lsc_sense_4d_22e00d14af15", false, false, 0x5, 0x24, 0x00, 0x00, 0, true, 0xcd0002, 32},
    {"sg3inhex_fixed_sense", false, true, 0x3, 0x11, 0x00, 0x77, 0x1234, true, 0x800198, 18},
};

TEST(Sense, FixedCapturesMatchExpect) {
    for (const auto& e : kFixed) {
        SCOPED_TRACE(e.name);
        Bytes raw = test::capture("sense", e.name);
        ASSERT_EQ(raw.size(), e.size);
        Sense s = Sense::decode(raw);
        EXPECT_FALSE(s.descriptor_format);
        EXPECT_EQ(s.deferred, e.deferred);
        EXPECT_EQ(s.valid, e.valid);
        EXPECT_FALSE(s.filemark || s.eom || s.ili);
        EXPECT_EQ(s.key, e.key);
        EXPECT_EQ(s.asc, e.asc);
        EXPECT_EQ(s.ascq, e.ascq);
        EXPECT_EQ(s.fru, e.fru);
        EXPECT_EQ(s.information, e.information);
        EXPECT_EQ(s.command_specific, 0u);
        EXPECT_EQ(s.sks.sksv(), e.sksv);
        EXPECT_EQ((std::uint32_t{s.sks.bytes[0]} << 16) | (s.sks.bytes[1] << 8) | s.sks.bytes[2],
                  e.sks);
        EXPECT_EQ(s.additional.size(), e.size - 18);
        EXPECT_TRUE(s.trailing.empty());
        EXPECT_TRUE(s.warnings.empty());
        // Fixed sense re-encodes byte for byte.
        EXPECT_EQ(s.encode(), raw);
    }
}

// The lines sg_decode_sense printed (.sg3.txt) for the same bytes.
TEST(Sense, FixedCapturesMatchSg3Text) {
    Sense a = capture_sense("lsc_sense_1a_1e61c40c5a66");
    EXPECT_EQ(sense_key_name(a.key), "Illegal Request");
    EXPECT_EQ(asc_ascq_name(a.asc, a.ascq), "Invalid field in cdb");
    ASSERT_TRUE(a.key_specific());
    EXPECT_TRUE(a.key_specific()->command_data());
    EXPECT_FALSE(a.key_specific()->bpv());
    EXPECT_EQ(a.key_specific()->value(), 4);  // "Error in Command: byte 4"
    EXPECT_EQ(a.summary(), "Illegal Request: Invalid field in cdb (field pointer: CDB byte 4)");

    Sense b = capture_sense("lsc_sense_4d_22e00d14af15");  // "Error in Command: byte 2 bit 5"
    EXPECT_EQ(b.summary(),
              "Illegal Request: Invalid field in cdb (field pointer: CDB byte 2 bit 5)");

    Sense c = capture_sense("lsc_sense_1a_b9e598b821a7");  // "Progress indication: 18.99%"
    EXPECT_EQ(asc_ascq_name(c.asc, c.ascq), "Logical unit not ready, format in progress");
    EXPECT_EQ(to_text(*c.key_specific(), c.key), "progress: 18.99%");

    Sense d = capture_sense("lsc_sense_25_7ec000697cb7");
    EXPECT_EQ(asc_ascq_name(d.asc, d.ascq), "ASC=44, vendor specific qualification ASCQ=a2 (hex)");
    EXPECT_NE(d.summary().find("[deferred]"), std::string::npos);

    Sense e = capture_sense("lsc_sense_25_9b7ea8b78726");
    EXPECT_EQ(asc_ascq_name(e.asc, e.ascq), "Medium format corrupted");
    EXPECT_EQ(e.fru_code(), 3);  // "Field replaceable unit code: 3"

    Sense f = capture_sense("sg3inhex_fixed_sense");  // Info fld=0x1234, FRU 119, retry 0x0198
    EXPECT_EQ(f.information_field(), 0x1234u);
    EXPECT_EQ(f.fru_code(), 119);
    EXPECT_EQ(to_text(*f.key_specific(), f.key), "actual retry count: 408");
    EXPECT_EQ(f.summary(),
              "Medium Error: Unrecovered read error (actual retry count: 408, information: 0x1234, "
              "FRU code: 0x77)");

    EXPECT_EQ(asc_ascq_name(0x29, 0x07), "I_T nexus loss occurred");
    EXPECT_EQ(asc_ascq_name(0x29, 0x00), "Power on, reset, or bus device reset occurred");
    EXPECT_EQ(asc_ascq_name(0x3f, 0x01), "Microcode has been changed");
    EXPECT_EQ(asc_ascq_name(0x31, 0x01), "Format command failed");
}

TEST(Sense, DescriptorCapture) {
    Bytes raw = test::capture("sense", "sg3inhex_descriptor_sense");
    Sense s = Sense::decode(raw);
    EXPECT_TRUE(s.descriptor_format);
    EXPECT_FALSE(s.deferred);
    EXPECT_EQ(s.key, 0x1);
    EXPECT_EQ(s.asc, 0x03);
    EXPECT_EQ(s.ascq, 0x02);
    EXPECT_TRUE(s.sdat_ovfl);
    EXPECT_EQ(asc_ascq_name(s.asc, s.ascq), "Excessive write errors");
    ASSERT_EQ(s.descriptors.size(), 7u);
    EXPECT_TRUE(s.warnings.empty());

    auto& info = std::get<InformationDescriptor>(s.descriptors[0]);
    EXPECT_TRUE(info.valid);
    EXPECT_EQ(info.information, 0x11223344556677bbull);
    EXPECT_EQ(std::get<CommandSpecificDescriptor>(s.descriptors[1]).information,
              0x3344556677bbccffull);
    auto& sks = std::get<SksDescriptor>(s.descriptors[2]).sks;
    EXPECT_TRUE(sks.sksv());
    EXPECT_EQ(to_text(sks, s.key), "actual retry count: 257");
    EXPECT_EQ(std::get<FruDescriptor>(s.descriptors[3]).code, 0x45);
    auto& prog = std::get<ProgressDescriptor>(s.descriptors[4]);
    EXPECT_EQ(prog.key, 0x2);
    EXPECT_EQ(prog.asc, 0x1);
    EXPECT_EQ(prog.ascq, 0x2);
    EXPECT_EQ(prog.progress, 0x3201);
    EXPECT_TRUE(std::get<BlockCommandsDescriptor>(s.descriptors[5]).ili);
    auto& uds = std::get<UdsReferralDescriptor>(s.descriptors[6]);
    EXPECT_TRUE(uds.not_all_referrals);
    ASSERT_EQ(uds.segments.size(), 1u);
    EXPECT_EQ(uds.segments[0].first_lba, 0x102030405060708ull);
    EXPECT_EQ(uds.segments[0].last_lba, 0x102030455060708ull);
    ASSERT_EQ(uds.segments[0].groups.size(), 1u);
    EXPECT_EQ(uds.segments[0].groups[0].group, 4660);
    EXPECT_EQ(uds.segments[0].groups[0].state, 2);  // standby

    EXPECT_EQ(s.information_field(), 0x11223344556677bbull);
    EXPECT_EQ(s.command_specific_field(), 0x3344556677bbccffull);
    EXPECT_EQ(s.fru_code(), 0x45);
    EXPECT_TRUE(s.ili_flag());
    EXPECT_FALSE(s.filemark_flag());
    EXPECT_EQ(s.encode(), raw);
}

TEST(Sense, ForwardedCapture) {
    Bytes raw = test::capture("sense", "sg3inhex_forwarded_sense");
    Sense s = Sense::decode(raw);
    EXPECT_EQ(s.key, 0x6);
    EXPECT_EQ(s.asc, 0x18);
    EXPECT_EQ(s.ascq, 0x07);
    EXPECT_EQ(asc_ascq_name(s.asc, s.ascq), "Recovered data with ECC - data rewritten");
    ASSERT_EQ(s.descriptors.size(), 3u);
    auto& f = std::get<ForwardedSenseDescriptor>(s.descriptors[0]);
    EXPECT_FALSE(f.fsdt);
    EXPECT_EQ(f.source, 1);
    EXPECT_EQ(f.status, 0x02);
    EXPECT_EQ(scsi_status_name(f.status), "Check Condition");
    Sense inner = Sense::decode(f.sense);
    EXPECT_EQ(inner.key, 0x6);
    EXPECT_EQ(inner.asc, 0x18);
    EXPECT_EQ(inner.ascq, 0x07);
    EXPECT_EQ(s.information_field(), 0x1122334455667788ull);
    EXPECT_EQ(s.fru_code(), 0x99);
    EXPECT_EQ(s.encode(), raw);

    nlohmann::json j = s;
    const auto& fj = j["descriptors"][0];
    EXPECT_EQ(fj["sense_data_source_name"], "EXTENDED COPY destination device 0");
    EXPECT_EQ(fj["forwarded_status_name"], "Check Condition");
    EXPECT_EQ(fj["sense"]["sense_key_name"], "Unit Attention");
}

TEST(Sense, ForwardedNestingIsBounded) {
    Sense s = Sense::build(0x6, 0x29, 0x00, true);
    for (int i = 0; i < 12; ++i) {
        Sense outer = Sense::build(0x6, 0x29, 0x00, true);
        outer.descriptors.emplace_back(ForwardedSenseDescriptor{false, 1, 2, s.encode()});
        s = outer;
    }
    nlohmann::json j = s;
    int depth = 0;
    const nlohmann::json* p = &j;
    while (!p->at("descriptors").empty() && !p->at("descriptors")[0]["sense"].is_null()) {
        p = &p->at("descriptors")[0]["sense"];
        ++depth;
    }
    EXPECT_EQ(depth, 4);
}

TEST(Sense, ReferralCapture) {
    Bytes raw = test::capture("sense", "sg3inhex_ref_sense");
    Sense s = Sense::decode(raw);
    EXPECT_EQ(s.key, 0);
    ASSERT_EQ(s.descriptors.size(), 1u);
    auto& u = std::get<UdsReferralDescriptor>(s.descriptors[0]);
    EXPECT_TRUE(u.not_all_referrals);
    ASSERT_EQ(u.segments.size(), 2u);
    EXPECT_EQ(u.segments[0].first_lba, 0x1111111122222222ull);
    EXPECT_EQ(u.segments[0].last_lba, 0x5555555566666666ull);
    ASSERT_EQ(u.segments[0].groups.size(), 2u);
    EXPECT_EQ(u.segments[0].groups[0].group, 7);
    EXPECT_EQ(u.segments[0].groups[0].state, 1);  // active/non optimized
    EXPECT_EQ(u.segments[0].groups[1].group, 8);
    EXPECT_EQ(u.segments[0].groups[1].state, 2);  // standby
    EXPECT_EQ(u.segments[1].first_lba, 0x7777777777777777ull);
    EXPECT_EQ(u.segments[1].last_lba, 0x8888888888888888ull);
    ASSERT_EQ(u.segments[1].groups.size(), 1u);
    EXPECT_EQ(u.segments[1].groups[0].group, 5);
    EXPECT_EQ(u.segments[1].groups[0].state, 3);  // unavailable
    EXPECT_TRUE(u.trailing.empty());
    EXPECT_EQ(s.encode(), raw);
}

TEST(Sense, EveryPrefixDecodesOrThrows) {
    for (const auto& name : test::captures("sense")) {
        Bytes raw = test::capture("sense", name);
        for (std::size_t n = 0; n <= raw.size(); ++n) {
            SCOPED_TRACE(name + " prefix " + std::to_string(n));
            try {
                Sense s = Sense::decode(ByteView(raw).first(n));
                nlohmann::json j = s;
                EXPECT_FALSE(s.summary().empty());
                if (n < raw.size()) {
                    EXPECT_FALSE(s.warnings.empty());
                }
            } catch (const Error& e) {
                EXPECT_EQ(e.category(), Category::malformed);
                EXPECT_LT(n, 4u);
            }
        }
    }
}

TEST(Sense, MalformedInputs) {
    EXPECT_THROW(Sense::decode(Bytes{}), Error);
    EXPECT_THROW(Sense::decode(Bytes{0x7f, 0, 0, 0, 0, 0, 0, 0}), Error);
    EXPECT_THROW(Sense::decode(Bytes{0x00, 0, 5}), Error);
    // Descriptor longer than the buffer: kept raw with a warning.
    Sense s = Sense::decode(Bytes{0x72, 5, 0x24, 0, 0, 0, 0, 6, 0x00, 0x0a, 0x80, 0});
    ASSERT_EQ(s.descriptors.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<RawDescriptor>(s.descriptors[0]));
    EXPECT_FALSE(s.warnings.empty());
    // Information descriptor with an odd length stays raw.
    Sense t = Sense::decode(Bytes{0x72, 5, 0x24, 0, 0, 0, 0, 4, 0x00, 0x02, 0x80, 0});
    ASSERT_EQ(t.descriptors.size(), 1u);
    EXPECT_EQ(std::get<RawDescriptor>(t.descriptors[0]).data, (Bytes{0x80, 0}));
    EXPECT_FALSE(t.warnings.empty());
    // Trailing bytes are kept.
    Sense u =
        Sense::decode(Bytes{0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0xaa});
    EXPECT_EQ(u.trailing, (Bytes{0xaa}));
    EXPECT_EQ(u.encode().back(), 0xaa);
}

TEST(Sense, BuilderRoundTripsBothFormats) {
    auto fp = SenseKeySpecific::field_pointer(true, 2, 7);
    for (bool desc : {false, true}) {
        Sense s = Sense::build(0x5, 0x24, 0x00, desc, 0x1234, fp);
        Bytes b = s.encode();
        EXPECT_EQ(b[0], desc ? 0x72 : 0xf0);
        Sense d = Sense::decode(b);
        EXPECT_EQ(d, s);
        EXPECT_EQ(d.information_field(), 0x1234u);
        EXPECT_EQ(d.summary(),
                  "Illegal Request: Invalid field in cdb (field pointer: CDB byte 2 bit 7, "
                  "information: 0x1234)");
    }
    Sense fixed = Sense::build(0x3, 0x11, 0x00, false, 0x1'0000'0000ull);
    EXPECT_FALSE(fixed.valid);
    EXPECT_FALSE(fixed.information_field());
    Sense plain = Sense::build(0x2, 0x04, 0x01, false);
    EXPECT_EQ(plain.encode().size(), 18u);
    EXPECT_EQ(plain.summary(), "Not Ready: Logical unit is in process of becoming ready");
}

TEST(Sense, EveryDescriptorRoundTrips) {
    Sense s = Sense::build(0x4, 0x44, 0x00, true);
    s.deferred = true;
    s.sdat_ovfl = true;
    s.descriptors = {
        InformationDescriptor{false, 42},
        CommandSpecificDescriptor{7},
        SksDescriptor{SenseKeySpecific::retry_count(3)},
        FruDescriptor{9},
        StreamCommandsDescriptor{true, true, false},
        BlockCommandsDescriptor{true},
        AtaStatusReturnDescriptor{true, 0x04, 0x1234, 0x0000'a1b2'c3d4'e5f6ull, 0x40, 0x51},
        ProgressDescriptor{2, 4, 7, 0x8000},
        UdsReferralDescriptor{false, {{1, 2, {{0, 1}, {0xf, 2}}}}, {}},
        ForwardedSenseDescriptor{true, 0, 0x18, Sense::build(0x6, 0x2a, 0x06, false).encode()},
        DirectAccessDescriptor{true, true, SenseKeySpecific::retry_count(1), 5, 99, 100},
        RawDescriptor{0x06, {1, 2, 3, 4}},
        RawDescriptor{0x80, {}},
    };
    Bytes b = s.encode();
    EXPECT_EQ(b[0], 0x73);
    Sense d = Sense::decode(b);
    EXPECT_EQ(d, s);
    EXPECT_TRUE(d.warnings.empty()) << nlohmann::json(d.warnings).dump();
    nlohmann::json j = d;
    EXPECT_EQ(j["descriptors"].size(), 13u);
    EXPECT_EQ(j["descriptors"][6]["lba"], 0xa1b2c3d4e5f6ull);
    EXPECT_EQ(j["descriptors"][11]["descriptor_type_name"], "OSD object identification");
    EXPECT_EQ(j["descriptors"][11]["bytes"], "01020304");
    EXPECT_EQ(j["format"], "descriptor");
    EXPECT_EQ(j["deferred"], true);
    EXPECT_TRUE(j["sense_key_specific"].is_object());
}

TEST(Sense, AtaLbaByteOrder) {
    Bytes b{0x72, 0,    0,    0x1d, 0,    0,    0,    14,   0x09, 0x0c, 0x01,
            0x00, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x40, 0x50};
    Sense s = Sense::decode(b);
    auto& a = std::get<AtaStatusReturnDescriptor>(s.descriptors.at(0));
    // LBA 47:40 in byte 10, 39:32 in 8, 31:24 in 6, 23:16 in 11, 15:8 in 9, 7:0 in 7
    EXPECT_EQ(a.lba, 0x553311664422ull);
    EXPECT_EQ(a.count, 1);
    EXPECT_EQ(a.device, 0x40);
    EXPECT_EQ(a.status, 0x50);
}

TEST(Sense, KeySpecificViews) {
    EXPECT_EQ(to_text(SenseKeySpecific::field_pointer(false, 300), 0x5),
              "field pointer: parameter data byte 300");
    EXPECT_EQ(to_text(SenseKeySpecific::segment_pointer(true, 4, 1), 0xa),
              "segment pointer: segment descriptor byte 4 bit 1");
    EXPECT_EQ(to_text(SenseKeySpecific::progress(0x8000), 0x2), "progress: 50.00%");
    EXPECT_EQ(to_text(SenseKeySpecific::queue_overflow(true), 0x6),
              "unit attention queue overflow");
    auto j = sks_json(SenseKeySpecific::field_pointer(true, 2, 5), 0x5);
    EXPECT_EQ(j["kind"], "field_pointer");
    EXPECT_EQ(j["field_pointer"], 2);
    EXPECT_EQ(j["bit_pointer"], 5);
    EXPECT_EQ(j["bytes"], "cd0002");
}

TEST(Sense, JsonOfFixedCapture) {
    nlohmann::json j = capture_sense("sg3inhex_fixed_sense");
    EXPECT_EQ(j["response_code"], 0x70);
    EXPECT_EQ(j["format"], "fixed");
    EXPECT_EQ(j["sense_key"], 3);
    EXPECT_EQ(j["sense_key_name"], "Medium Error");
    EXPECT_EQ(j["asc_ascq_name"], "Unrecovered read error");
    EXPECT_EQ(j["valid"], true);
    EXPECT_EQ(j["information"], 0x1234);
    EXPECT_EQ(j["fru_code"], 0x77);
    EXPECT_EQ(j["sense_key_specific"]["actual_retry_count"], 0x198);
    EXPECT_TRUE(j["descriptors"].is_array());
    EXPECT_TRUE(j["warnings"].is_array());
}

TEST(SenseCategory, KeysMapToCategories) {
    auto cat = [](std::uint8_t key, std::uint8_t asc = 0, std::uint8_t ascq = 0,
                  bool desc = false) {
        return category_of(0x02, Sense::build(key, asc, ascq, desc).encode());
    };
    for (bool desc : {false, true}) {
        EXPECT_EQ(cat(0x0, 0, 0, desc), Category::no_sense);
        EXPECT_EQ(cat(0x1, 0, 0, desc), Category::recovered);
        EXPECT_EQ(cat(0x2, 0, 0, desc), Category::not_ready);
        EXPECT_EQ(cat(0x3, 0, 0, desc), Category::medium_hardware);
        EXPECT_EQ(cat(0x4, 0, 0, desc), Category::medium_hardware);
        EXPECT_EQ(cat(0x5, 0x24, 0, desc), Category::illegal_request);
        EXPECT_EQ(cat(0x5, 0x20, 0, desc), Category::invalid_opcode);
        EXPECT_EQ(cat(0x5, 0x21, 0, desc), Category::lba_out_of_range);
        EXPECT_EQ(cat(0x6, 0x29, 0, desc), Category::unit_attention);
        EXPECT_EQ(cat(0x7, 0, 0, desc), Category::data_protect);
        EXPECT_EQ(cat(0xb, 0, 0, desc), Category::aborted_command);
        EXPECT_EQ(cat(0xe, 0, 0, desc), Category::miscompare);
        EXPECT_EQ(cat(0x8, 0, 0, desc), Category::sense);
    }
    EXPECT_EQ(category_of(0x18, {}), Category::reservation_conflict);
    EXPECT_EQ(category_of(0x08, {}), Category::busy);
    EXPECT_EQ(category_of(0x28, {}), Category::busy);
    EXPECT_EQ(category_of(0x02, {}), Category::sense);
    for (const auto& name : test::captures("sense")) {
        Bytes raw = test::capture("sense", name);
        auto k = sense_key(raw);
        Sense s = Sense::decode(raw);
        EXPECT_EQ(k.key, s.key) << name;
        EXPECT_EQ(k.asc, s.asc) << name;
        EXPECT_EQ(k.ascq, s.ascq) << name;
    }
}

}  // namespace
}  // namespace camx::scsi
