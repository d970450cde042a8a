// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/vpd.hpp"
#include "capture.hpp"

namespace camx::scsi {
namespace {

template <typename T>
T page_as(const std::string& name) {
    auto p = decode_vpd(test::capture("vpd", name));
    EXPECT_TRUE(std::holds_alternative<T>(p)) << name;
    return std::get<T>(p);
}

TEST(Vpd, SdebSplitsIntoTwelvePages) {
    const Bytes raw = test::capture("vpd", "sg3inhex_vpd_sdeb");
    ASSERT_EQ(raw.size(), 1070u);
    auto split = split_vpd_pages(raw);
    EXPECT_TRUE(split.warnings.empty());
    EXPECT_TRUE(split.leftover.empty());
    ASSERT_EQ(split.pages.size(), 12u);
    const std::vector<std::uint8_t> codes{0x00, 0x80, 0x83, 0x84, 0x85, 0x86,
                                          0x87, 0x88, 0x89, 0xb0, 0xb1, 0xb2};
    const std::vector<std::size_t> sizes{16, 8, 116, 22, 72, 64, 12, 52, 572, 64, 64, 8};
    for (std::size_t i = 0; i < 12; ++i) {
        auto page = decode_vpd(split.pages[i]);
        EXPECT_EQ(vpd_page_code(page), codes[i]);
        EXPECT_EQ(split.pages[i].size(), sizes[i]);
        // Every page in this capture re-encodes to its exact bytes.
        EXPECT_EQ(hex::compact(encode_vpd(page)), hex::compact(split.pages[i])) << i;
        nlohmann::json j = page;
        EXPECT_EQ(j["page_code"], codes[i]);
        EXPECT_TRUE(j["warnings"].empty()) << j.dump();
    }

    auto sup = std::get<SupportedVpdPages>(decode_vpd(split.pages[0]));
    EXPECT_EQ(sup.pages, codes);
    EXPECT_EQ(std::get<UnitSerialNumber>(decode_vpd(split.pages[1])).serial_number, "2000");

    auto di = std::get<DeviceIdentification>(decode_vpd(split.pages[2]));
    ASSERT_EQ(di.designators.size(), 7u);
    nlohmann::json dj = decode_vpd(split.pages[2]);
    auto& d = dj["designators"];
    EXPECT_EQ(d[0]["designator_type"], 1);
    EXPECT_EQ(d[0]["t10_vendor_identification"], "Linux");
    EXPECT_EQ(d[0]["vendor_specific_identifier"], "scsi_debug      2000");
    EXPECT_EQ(d[1]["value"], "33333330000007d0");
    EXPECT_EQ(d[1]["naa"], 3);
    EXPECT_EQ(d[2]["relative_target_port"], 1);
    EXPECT_EQ(d[2]["piv"], true);
    EXPECT_EQ(d[2]["protocol_identifier"], 6);
    EXPECT_EQ(d[2]["association"], 1);
    EXPECT_EQ(d[3]["value"], "32222220000007ce");
    EXPECT_EQ(d[4]["target_port_group"], 0x100);
    EXPECT_EQ(d[5]["association"], 2);
    EXPECT_EQ(d[6]["value"], "naa.32222220000007CD");
    EXPECT_EQ(d[6]["code_set"], 3);

    auto ei = std::get<ExtendedInquiry>(decode_vpd(split.pages[5]));
    EXPECT_TRUE(ei.headsup);
    EXPECT_TRUE(ei.ordsup);
    EXPECT_TRUE(ei.simpsup);
    EXPECT_FALSE(ei.uask_sup);
    EXPECT_EQ(ei.spt, 0);
    EXPECT_EQ(ei.extended_self_test_completion_minutes, 0);

    EXPECT_EQ(std::get<RawVpdPage>(decode_vpd(split.pages[3])).payload.size(), 18u);

    auto bl = std::get<BlockLimits>(decode_vpd(split.pages[9]));
    EXPECT_EQ(bl.optimal_transfer_length_granularity, 1);
    EXPECT_EQ(bl.maximum_transfer_length, 16384u);
    EXPECT_EQ(bl.optimal_transfer_length, 1024u);
    EXPECT_EQ(bl.optimal_unmap_granularity, 1u);
    EXPECT_EQ(bl.maximum_write_same_length, 65535u);
    EXPECT_FALSE(bl.ugavalid);

    auto bdc = std::get<BlockDeviceCharacteristics>(decode_vpd(split.pages[10]));
    EXPECT_EQ(bdc.medium_rotation_rate, 1);
    EXPECT_EQ(bdc.nominal_form_factor, 5);
    EXPECT_EQ(bdc.zoned, 0);
    nlohmann::json bj = decode_vpd(split.pages[10]);
    EXPECT_EQ(bj["medium_rotation_rate_name"], "non-rotating medium");
    EXPECT_EQ(bj["nominal_form_factor_name"], "less than 1.8 inch");

    auto lbp = std::get<LogicalBlockProvisioning>(decode_vpd(split.pages[11]));
    EXPECT_FALSE(lbp.lbpu);
    EXPECT_FALSE(lbp.dp);
    EXPECT_EQ(lbp.provisioning_type, 0);
}

TEST(Vpd, SeagateDeviceIdentification) {
    auto di = page_as<DeviceIdentification>("sg3inhex_vpd_dev_id");
    EXPECT_TRUE(di.warnings.empty());
    ASSERT_EQ(di.designators.size(), 5u);
    EXPECT_EQ(designator_id_string(di.designators[0]), "naa.5000c5003011cb2b");
    nlohmann::json j = DeviceIdentification(di);
    nlohmann::json page = decode_vpd(test::capture("vpd", "sg3inhex_vpd_dev_id"));
    EXPECT_EQ(page["page_name"], "Device Identification");
    auto& d = page["designators"];
    // sg3.txt: NAA 5, AOI 0xc50, Vendor Specific Identifier 0x3011cb2b
    EXPECT_EQ(d[0]["naa"], 5);
    EXPECT_EQ(d[0]["ieee_company_id"], 0xc50);
    EXPECT_EQ(d[0]["vendor_specific_identifier"], 0x3011cb2b);
    EXPECT_EQ(d[0]["association_name"], "Addressed logical unit");
    EXPECT_EQ(d[0]["designator_type_name"], "NAA");
    EXPECT_EQ(d[0]["code_set_name"], "Binary");
    EXPECT_EQ(d[1]["value"], "5000c5003011cb29");
    EXPECT_EQ(d[1]["protocol_identifier_name"], "Serial Attached SCSI Protocol (SPL-4)");
    EXPECT_EQ(d[2]["relative_target_port"], 1);
    EXPECT_EQ(d[3]["association_name"], "Target device that contains addressed lu");
    EXPECT_EQ(d[4]["value"], "naa.5000C5003011CB28");
    EXPECT_EQ(d[4]["code_set_name"], "UTF-8");
    EXPECT_EQ(encode_vpd(decode_vpd(test::capture("vpd", "sg3inhex_vpd_dev_id"))),
              test::capture("vpd", "sg3inhex_vpd_dev_id"));
}

void check_di_all(const std::string& name) {
    nlohmann::json page = decode_vpd(test::capture("vpd", name));
    auto& d = page["designators"];
    ASSERT_EQ(d.size(), 15u) << name;
    EXPECT_EQ(d[0]["designator_type"], 0);
    EXPECT_EQ(d[0]["value"], "112233445566778899aabbccddeeffedcba987654321");
    EXPECT_EQ(d[1]["vendor_specific_identifier"], "XYZ123456789");
    // EUI-64, 8, 12 and 16 bytes (sg3.txt: IEEE identifier, Directory ID, extension)
    EXPECT_EQ(d[2]["ieee_identifier"], "1122334455667788");
    EXPECT_EQ(d[3]["ieee_identifier"], "1122334455667788");
    EXPECT_EQ(d[3]["directory_id"], 0x123);
    EXPECT_EQ(d[4]["identifier_extension"], "0123456789abcdef");
    EXPECT_EQ(d[4]["ieee_identifier"], "1122334455667788");
    // NAA 5 and 6: AOI 0x122334, VSI 0x455667788, extension 0xaabbccddeeffeedd
    EXPECT_EQ(d[5]["naa"], 5);
    EXPECT_EQ(d[5]["ieee_company_id"], 0x122334);
    EXPECT_EQ(d[5]["vendor_specific_identifier"], 0x455667788ULL);
    EXPECT_EQ(d[6]["naa"], 6);
    EXPECT_EQ(d[6]["vendor_specific_identifier"], 0x455667788ULL);
    EXPECT_EQ(d[6]["vendor_specific_identifier_extension"], "aabbccddeeffeedd");
    EXPECT_EQ(d[7]["relative_target_port"], 2);
    EXPECT_EQ(d[8]["target_port_group"], 3);
    EXPECT_EQ(d[9]["logical_unit_group"], 4);
    EXPECT_EQ(d[10]["value"], "ffeeddccbbaa99887766554433221100");
    EXPECT_EQ(d[10]["designator_type_name"], "MD5 logical unit identifier");
    EXPECT_EQ(d[11]["association"], 2);
    // UAS: device address 4, interface 2; SOP: PCIe routing ID bus 1, function 0x23
    EXPECT_EQ(d[12]["protocol_identifier"], 9);
    EXPECT_EQ(d[12]["usb_device_address"], 4);
    EXPECT_EQ(d[12]["usb_interface_number"], 2);
    EXPECT_EQ(d[13]["protocol_identifier"], 0xa);
    EXPECT_EQ(d[13]["pcie_routing_id"], 0x0123);
    EXPECT_EQ(d[13]["pcie_bus_number"], 1);
    EXPECT_EQ(d[13]["pcie_function_number"], 0x23);
    EXPECT_EQ(d[13]["pcie_device_number"], 4);
    EXPECT_EQ(d[13]["pcie_device_function_number"], 3);
    EXPECT_EQ(d[14]["uuid"], "11223344-5566-7788-99aa-bbccddeefedc");
    EXPECT_EQ(d[14]["uuid_type"], 1);
    EXPECT_TRUE(page["warnings"].empty()) << page["warnings"].dump();
}

TEST(Vpd, EveryDesignatorType) {
    check_di_all("sg3inhex_vpd_di_all");
    nlohmann::json page = decode_vpd(test::capture("vpd", "sg3inhex_vpd_di_all"));
    EXPECT_EQ(page["designators"][1]["t10_vendor_identification"], "ABC");
    EXPECT_EQ(page["designators"][11]["value"], "iqn.5886.com.acme.diskarrays-sn-a8675309");
    const Bytes raw = test::capture("vpd", "sg3inhex_vpd_di_all");
    EXPECT_EQ(encode_vpd(decode_vpd(raw)), raw);
}

TEST(Vpd, ControlCharactersEscaped) {
    check_di_all("sg3inhex_vpd_di_bad_all");
    nlohmann::json page = decode_vpd(test::capture("vpd", "sg3inhex_vpd_di_bad_all"));
    EXPECT_EQ(page["designators"][1]["t10_vendor_identification"], "ABC    \\x0a");
    EXPECT_EQ(page["designators"][11]["value"], "iqn.5886.com.acme.diskarrays-sn-a8675309\\x0aboo");

    auto inj = page_as<DeviceIdentification>("sg3inhex_vpd_di_name_inject");
    ASSERT_EQ(inj.designators.size(), 1u);
    EXPECT_EQ(inj.designators[0].value.size(), 29u);
    EXPECT_EQ(designator_id_string(inj.designators[0]), "iqn.2026-05.sg3\\x0aX_SG3_PROBE=1");
    EXPECT_EQ(inj.unparsed, (Bytes{0, 0, 0}));
    EXPECT_EQ(inj.warnings.size(), 1u);
}

TEST(Vpd, PreSpcEmcDeviceIdentification) {
    const Bytes raw = test::capture("vpd", "sg3inhex_vpd_di_old_emc_symm");
    auto di = std::get<DeviceIdentification>(decode_vpd(raw));
    EXPECT_TRUE(di.pre_spc_format);
    ASSERT_EQ(di.designators.size(), 1u);
    nlohmann::json j = di.designators[0];
    // sg_inq: NAA 6, AOI 0x6048, VSI 0x123456, extension 0x789abcdef0123456
    EXPECT_EQ(j["naa"], 6);
    EXPECT_EQ(j["ieee_company_id"], 0x6048);
    EXPECT_EQ(j["vendor_specific_identifier"], 0x123456);
    EXPECT_EQ(j["vendor_specific_identifier_extension"], "789abcdef0123456");
    EXPECT_EQ(encode_vpd(VpdPage(di)), raw);
}

TEST(Vpd, AtaInformation) {
    const Bytes raw = test::capture("vpd", "sg3inhex_vpd_atai");
    auto a = std::get<AtaInformation>(decode_vpd(raw));
    // sg3.txt
    EXPECT_EQ(a.sat_vendor, "linux");
    EXPECT_EQ(a.sat_product, "SAT scsi_debug");
    EXPECT_EQ(a.sat_revision, "1234");
    EXPECT_EQ(hex::compact(a.device_signature), "3400000001000000000000000100000000000000");
    EXPECT_EQ(a.transport(), "SATA");
    EXPECT_EQ(a.command_code, 0xec);
    EXPECT_EQ(a.identify_data.size(), 512u);
    EXPECT_EQ(a.model(), "ST380013AS");
    EXPECT_EQ(a.serial_number(), "XXXXXXXX");
    EXPECT_EQ(a.firmware_revision(), "3.18");
    EXPECT_TRUE(a.warnings.empty());
    EXPECT_EQ(encode_vpd(VpdPage(a)), raw);
    nlohmann::json j = VpdPage(a);
    EXPECT_EQ(j["model"], "ST380013AS");
    EXPECT_EQ(j["page_name"], "ATA Information");
}

TEST(Vpd, BlockLimitsDummy) {
    const Bytes raw = test::capture("vpd", "sg3inhex_vpd_bl");
    auto bl = std::get<BlockLimits>(decode_vpd(raw));
    EXPECT_FALSE(bl.wsnz);
    EXPECT_EQ(bl.maximum_compare_and_write_length, 0);
    EXPECT_EQ(bl.optimal_transfer_length_granularity, 8);
    EXPECT_EQ(bl.maximum_transfer_length, 65535u);
    EXPECT_EQ(bl.optimal_transfer_length, 0u);
    EXPECT_EQ(bl.maximum_prefetch_length, 0u);
    EXPECT_EQ(bl.maximum_unmap_lba_count, 393216u);
    EXPECT_EQ(bl.maximum_unmap_block_descriptor_count, 512u);
    EXPECT_EQ(bl.optimal_unmap_granularity, 8u);
    EXPECT_FALSE(bl.ugavalid);
    EXPECT_EQ(bl.unmap_granularity_alignment, 0u);
    EXPECT_EQ(bl.maximum_write_same_length, 0u);
    EXPECT_EQ(bl.extra, (Bytes{0x00, 0x14}));
    EXPECT_EQ(encode_vpd(VpdPage(bl)), raw);
    nlohmann::json j = VpdPage(bl);
    EXPECT_EQ(j["maximum_transfer_length_blocks"], 65535);
    EXPECT_EQ(j["maximum_unmap_lba_count"], 393216);
    EXPECT_EQ(j["optimal_unmap_granularity_blocks"], 8);
}

TEST(Vpd, LogicalBlockProvisioningWithDescriptor) {
    const Bytes raw = test::capture("vpd", "sg3inhex_vpd_lbpv");
    auto l = std::get<LogicalBlockProvisioning>(decode_vpd(raw));
    EXPECT_TRUE(l.dp);
    EXPECT_EQ(l.threshold_exponent, 0);
    EXPECT_EQ(l.provisioning_type, 0);
    ASSERT_EQ(l.provisioning_group.size(), 1u);
    EXPECT_EQ(designator_id_string(l.provisioning_group[0]), "naa.5122334455667788");
    EXPECT_TRUE(l.extra.empty());
    EXPECT_EQ(encode_vpd(VpdPage(l)), raw);
    nlohmann::json j = VpdPage(l);
    EXPECT_EQ(j["provisioning_type_name"], "not known or fully provisioned");
    EXPECT_EQ(j["dp"], true);
}

TEST(Vpd, UndecodedPagesKeptRaw) {
    for (const char* name : {"sg3inhex_vpd_bdce", "sg3inhex_vpd_lbpro", "sg3inhex_vpd_zbdc",
                             "sg3inhex_vpd_constituents"}) {
        const Bytes raw = test::capture("vpd", name);
        auto page = decode_vpd(raw);
        ASSERT_TRUE(std::holds_alternative<RawVpdPage>(page)) << name;
        EXPECT_EQ(vpd_page_code(page), raw[1]);
        EXPECT_EQ(encode_vpd(page), raw) << name;
    }
    // The third-party copy page declares 140 bytes of payload; 136 were captured.
    auto tpc = std::get<RawVpdPage>(decode_vpd(test::capture("vpd", "sg3inhex_vpd_tpc")));
    EXPECT_EQ(tpc.page_code, 0x8f);
    EXPECT_EQ(tpc.payload.size(), 136u);
    ASSERT_EQ(tpc.warnings.size(), 1u);
    EXPECT_NE(tpc.warnings[0].find("truncated"), std::string::npos);
    auto lbpro = std::get<RawVpdPage>(decode_vpd(test::capture("vpd", "sg3inhex_vpd_lbpro")));
    EXPECT_EQ(lbpro.peripheral_device_type, 1);
}

TEST(Vpd, RoundTripConstructed) {
    BlockLimits bl;
    bl.wsnz = true;
    bl.maximum_compare_and_write_length = 1;
    bl.maximum_transfer_length = 0x10000;
    bl.maximum_unmap_lba_count = 0xffffffff;
    bl.ugavalid = true;
    bl.unmap_granularity_alignment = 7;
    bl.maximum_write_same_length = 1ULL << 40;
    bl.maximum_atomic_boundary_size = 9;
    EXPECT_EQ(decode_vpd(encode_vpd(bl)), VpdPage(bl));

    BlockDeviceCharacteristics c;
    c.medium_rotation_rate = 7200;
    c.wabereq = 1;
    c.wacereq = 2;
    c.nominal_form_factor = 2;
    c.zoned = 1;
    c.bocs = c.rbwz = c.fuab = c.vbuls = true;
    c.depopulation_time_seconds = 3600;
    EXPECT_EQ(decode_vpd(encode_vpd(c)), VpdPage(c));

    ExtendedInquiry e;
    e.activate_microcode = 2;
    e.spt = 5;
    e.grd_chk = e.ref_chk = e.uask_sup = e.simpsup = e.v_sup = e.luiclr = e.cbcs = true;
    e.lu_coll_type = 1;
    e.extended_self_test_completion_minutes = 30;
    e.maximum_supported_sense_data_length = 252;
    e.nrd0 = e.dm_md_f = true;
    e.maximum_inquiry_change_logs = 3;
    EXPECT_EQ(decode_vpd(encode_vpd(e)), VpdPage(e));

    DeviceIdentification di;
    di.peripheral_device_type = 0x0d;
    di.designators.push_back({.protocol_identifier = 5,
                              .code_set = 1,
                              .piv = true,
                              .association = 1,
                              .designator_type = 4,
                              .value = {0, 0, 0, 2}});
    di.designators.push_back({.protocol_identifier = 0,
                              .code_set = 3,
                              .piv = false,
                              .association = 2,
                              .designator_type = 8,
                              .value = {'i', 'q', 'n', '.', 'x', 0, 0, 0}});
    EXPECT_EQ(decode_vpd(encode_vpd(di)), VpdPage(di));

    LogicalBlockProvisioning l;
    l.threshold_exponent = 9;
    l.lbpu = l.lbpws = true;
    l.lbprz = 2;
    l.provisioning_type = 2;
    l.minimum_percentage = 7;
    EXPECT_EQ(decode_vpd(encode_vpd(l)), VpdPage(l));

    SupportedVpdPages s;
    s.pages = {0x00, 0x80, 0x83};
    EXPECT_EQ(hex::compact(encode_vpd(s)), "00000003008083");
    UnitSerialNumber u;
    u.serial_number = "ABC123";
    EXPECT_EQ(decode_vpd(encode_vpd(u)), VpdPage(u));
}

TEST(Vpd, SplitTruncatedAndLeftover) {
    auto s = split_vpd_pages(hex::parse("00 80 00 02 41 42  00 83 00 10 01 03"));
    ASSERT_EQ(s.pages.size(), 2u);
    EXPECT_EQ(s.pages[1].size(), 6u);
    EXPECT_EQ(s.warnings.size(), 1u);
    auto t = split_vpd_pages(hex::parse("00 80 00 00 00 83"));
    EXPECT_EQ(t.pages.size(), 1u);
    EXPECT_EQ(t.leftover, (Bytes{0x00, 0x83}));
    EXPECT_THROW(decode_vpd(hex::parse("00 80 00")), Error);
}

TEST(Vpd, EveryPrefixDecodesOrThrows) {
    for (const auto& name : test::captures("vpd")) {
        const Bytes raw = test::capture("vpd", name);
        for (std::size_t n = 0; n <= raw.size(); ++n) {
            const ByteView prefix(raw.data(), n);
            auto split = split_vpd_pages(prefix);
            for (auto page : split.pages) {
                try {
                    auto p = decode_vpd(page);
                    nlohmann::json j = p;
                    EXPECT_TRUE(j.contains("page_code"));
                    (void)encode_vpd(p);
                } catch (const Error& e) {
                    ADD_FAILURE() << name << " prefix " << n << ": " << e.what();
                }
            }
            try {
                (void)decode_vpd(prefix);
                EXPECT_GE(n, 4u);
            } catch (const Error& e) {
                EXPECT_LT(n, 4u);
                EXPECT_EQ(e.category(), Category::malformed);
            }
        }
    }
}

}  // namespace
}  // namespace camx::scsi
