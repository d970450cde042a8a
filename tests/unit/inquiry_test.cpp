// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/inquiry.hpp"
#include "capture.hpp"

namespace camx::scsi {
namespace {

Inquiry inquiry_capture(const std::string& name) {
    return Inquiry::decode(test::capture("inquiry", name));
}

TEST(Inquiry, EmcSymmetrix) {
    const Bytes raw = test::capture("inquiry", "sg3inhex_inq_emc_symm");
    ASSERT_EQ(raw.size(), 40u);
    const auto q = Inquiry::decode(raw);
    // expect.txt: ADDITIONAL LENGTH=31 -> 36 bytes, 4 extra bytes in the buffer
    EXPECT_EQ(q.additional_length, 31);
    EXPECT_EQ(q.trailing.size(), 4u);
    EXPECT_EQ(q.warnings.size(), 1u);
    EXPECT_EQ(q.peripheral_qualifier, 0);
    EXPECT_EQ(q.peripheral_device_type, 0);
    EXPECT_FALSE(q.removable);
    EXPECT_FALSE(q.lu_cong);
    EXPECT_EQ(q.version, 0x05);
    EXPECT_EQ(inquiry_version_name(q.version), "SPC-3");
    EXPECT_FALSE(q.normaca);
    EXPECT_FALSE(q.hisup);
    EXPECT_EQ(q.response_data_format, 2);
    EXPECT_FALSE(q.sccs);
    EXPECT_FALSE(q.acc);
    EXPECT_EQ(q.tpgs, 0);
    EXPECT_FALSE(q.tpc);
    EXPECT_FALSE(q.protect);
    EXPECT_FALSE(q.encserv);
    EXPECT_FALSE(q.multip);
    EXPECT_TRUE(q.cmdque);
    // sg3.txt: WBus16=1 Sync=1 Linked=0 Addr16=0
    EXPECT_TRUE(q.wbus16);
    EXPECT_TRUE(q.sync);
    EXPECT_FALSE(q.linked);
    EXPECT_FALSE(q.addr16);
    EXPECT_EQ(q.vendor, "EMC");
    EXPECT_EQ(q.product, "SYMMETRIX");
    EXPECT_EQ(q.revision, "5876");
    EXPECT_TRUE(q.version_descriptors.empty());
    EXPECT_EQ(q.encode(), Bytes(raw.begin(), raw.begin() + 36));
}

void expect_scsi_debug(const Inquiry& q) {
    EXPECT_EQ(q.additional_length, 91);
    EXPECT_EQ(q.peripheral_qualifier, 0);
    EXPECT_EQ(q.peripheral_device_type, 0);
    EXPECT_EQ(q.version, 0x07);
    EXPECT_EQ(inquiry_version_name(q.version), "SPC-5");
    EXPECT_EQ(q.response_data_format, 2);
    EXPECT_FALSE(q.hisup);
    EXPECT_FALSE(q.encserv);
    EXPECT_TRUE(q.multip);
    EXPECT_FALSE(q.vs6);
    EXPECT_TRUE(q.cmdque);
    // sg3.txt: [Linked=1] WBus16=0 Sync=0, SPI: Clocking=0x0 QAS=0 IUS=0
    EXPECT_TRUE(q.linked);
    EXPECT_FALSE(q.wbus16);
    EXPECT_FALSE(q.sync);
    EXPECT_EQ(q.clocking, 0);
    EXPECT_FALSE(q.qas);
    EXPECT_FALSE(q.ius);
    EXPECT_EQ(q.vendor, "Linux");
    EXPECT_EQ(q.product, "scsi_debug");
    EXPECT_EQ(q.revision, "0191");
    EXPECT_EQ(std::string(q.vendor_specific.begin(), q.vendor_specific.end()), "20210520");
    EXPECT_EQ(q.version_descriptors, (std::vector<std::uint16_t>{0x00c0, 0x05c0, 0x0600, 0x2100}));
    EXPECT_EQ(version_descriptor_name(0x00c0), "SAM-6 (no version claimed)");
    EXPECT_EQ(version_descriptor_name(0x05c0), "SPC-5 (no version claimed)");
    EXPECT_EQ(version_descriptor_name(0x0600), "SBC-4 (no version claimed)");
    EXPECT_EQ(version_descriptor_name(0x2100), "SPL-4 (no version claimed)");
    EXPECT_TRUE(q.vendor_specific_tail.empty());
}

TEST(Inquiry, ScsiDebugStandard) {
    const Bytes raw = test::capture("inquiry", "sg3inhex_inq_standard");
    ASSERT_EQ(raw.size(), 96u);
    const auto q = Inquiry::decode(raw);
    expect_scsi_debug(q);
    EXPECT_TRUE(q.warnings.empty());
    EXPECT_TRUE(q.trailing.empty());
    EXPECT_EQ(q.encode(), raw);
}

TEST(Inquiry, ScsiDebugRawTwinWithTrailingByte) {
    const Bytes raw = test::capture("inquiry", "sg3inhex_inq_standard_raw");
    ASSERT_EQ(raw.size(), 97u);
    const auto q = Inquiry::decode(raw);
    expect_scsi_debug(q);
    EXPECT_EQ(q.trailing, Bytes{0x0a});
    ASSERT_EQ(q.warnings.size(), 1u);
    EXPECT_EQ(q.encode(), Bytes(raw.begin(), raw.begin() + 96));
}

TEST(Inquiry, Json) {
    nlohmann::json j = inquiry_capture("sg3inhex_inq_standard");
    EXPECT_EQ(j["peripheral_device_type"], 0);
    EXPECT_EQ(j["peripheral_device_type_name"], "disk");
    EXPECT_EQ(j["vendor"], "Linux");
    EXPECT_EQ(j["product"], "scsi_debug");
    EXPECT_EQ(j["revision"], "0191");
    EXPECT_EQ(j["multip"], true);
    EXPECT_EQ(j["tpc"], false);
    EXPECT_EQ(j["additional_length"], 91);
    ASSERT_EQ(j["version_descriptors"].size(), 4u);
    EXPECT_EQ(j["version_descriptors"][1]["code"], 0x05c0);
    EXPECT_EQ(j["version_descriptors"][1]["name"], "SPC-5 (no version claimed)");
    EXPECT_EQ(j["vendor_specific"], "3230323130353230");
    EXPECT_TRUE(j["warnings"].is_array());
}

TEST(Inquiry, RoundTripConstructed) {
    Inquiry q;
    q.peripheral_qualifier = 1;
    q.peripheral_device_type = 0x0d;
    q.removable = true;
    q.hot_pluggable = 2;
    q.normaca = true;
    q.hisup = true;
    q.sccs = true;
    q.acc = true;
    q.tpgs = 3;
    q.tpc = true;
    q.protect = true;
    q.encserv = true;
    q.multip = true;
    q.cmdque = true;
    q.vendor = "CAMX";
    q.product = "ctld enclosure";
    q.revision = "0100";
    EXPECT_EQ(q.encode().size(), 36u);
    EXPECT_EQ(Inquiry::decode(q.encode()), q);

    q.version_descriptors = {0x00c0, 0x05c0, 0x0680};
    q.vendor_specific = {0x01, 0x02};
    q.vendor_specific_tail = {0xaa, 0xbb, 0xcc};
    q.additional_length = 91 + 3;
    const Bytes b = q.encode();
    EXPECT_EQ(b.size(), 99u);
    EXPECT_EQ(b[4], 94);
    EXPECT_EQ(Inquiry::decode(b), q);
    EXPECT_EQ(version_descriptor_name(0x0680), "SES-4 (no version claimed)");
    EXPECT_EQ(version_descriptor_name(0x0314), "SPC-3 (revision code 0x14)");
    EXPECT_EQ(version_descriptor_name(0xfff0), "");
}

TEST(Inquiry, EveryPrefixDecodesOrThrows) {
    for (const auto& name : test::captures("inquiry")) {
        const Bytes raw = test::capture("inquiry", name);
        for (std::size_t n = 0; n <= raw.size(); ++n) {
            const Bytes prefix(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(n));
            try {
                const auto q = Inquiry::decode(prefix);
                EXPECT_GE(n, 5u);
                if (n < 36) {
                    EXPECT_FALSE(q.warnings.empty()) << name << " " << n;
                }
                nlohmann::json j = q;
                EXPECT_TRUE(j.is_object());
            } catch (const Error& e) {
                EXPECT_LT(n, 5u);
                EXPECT_EQ(e.category(), Category::malformed);
            }
        }
    }
}

}  // namespace
}  // namespace camx::scsi
