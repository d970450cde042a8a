// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>
#include <scsi/sg_lib.h>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/opcode.hpp"

namespace camx::scsi {
namespace {

using namespace camx::scsi::cdb;

// decode(encode(x)) == x, the bytes have the command's length and opcode, and the
// command is rejected when shorter or when its first byte is another opcode.
template <typename T>
void round_trip(const T& x) {
    SCOPED_TRACE(hex::compact(x.encode()));
    const Bytes b = x.encode();
    ASSERT_EQ(b.size(), *cdb_length(T::opcode));
    EXPECT_EQ(b[0], to_u8(T::opcode));
    EXPECT_EQ(T::decode(b), x);
    for (std::size_t n = 0; n < b.size(); ++n) {
        EXPECT_THROW(T::decode(ByteView(b).first(n)), Error);
    }
    Bytes wrong = b;
    wrong[0] ^= 0x01;
    EXPECT_THROW(T::decode(wrong), Error);
    Bytes longer = b;
    longer.push_back(0xee);
    EXPECT_EQ(T::decode(longer), x);
}

template <typename T>
void matches(const T& x, const char* hex_text) {
    EXPECT_EQ(hex::compact(x.encode()), hex::compact(hex::parse(hex_text)));
    EXPECT_EQ(T::decode(hex::parse(hex_text)), x);
}

TEST(Cdb, LengthByGroupMatchesLibsgutils) {
    for (unsigned op = 0; op < 0xc0; ++op) {
        if ((op >> 5) == 3) {
            EXPECT_FALSE(cdb_length(static_cast<std::uint8_t>(op)).has_value());
            continue;
        }
        EXPECT_EQ(*cdb_length(static_cast<std::uint8_t>(op)),
                  static_cast<std::size_t>(sg_get_command_size(static_cast<std::uint8_t>(op))))
            << "opcode " << op;
    }
    EXPECT_FALSE(cdb_length(0xc0).has_value());
    EXPECT_EQ(*cdb_length(Opcode::read_capacity_10), 10u);
    EXPECT_EQ(*cdb_length(Opcode::report_luns), 12u);
    EXPECT_EQ(*cdb_length(Opcode::service_action_in_16), 16u);
    EXPECT_EQ(*cdb_length(Opcode::extended_copy), 16u);
}

TEST(Cdb, OpcodeNamesFromLibsgutils) {
    EXPECT_EQ(opcode_name(0x12), "Inquiry");
    EXPECT_EQ(opcode_name(0x9e, 0x10), "Read capacity(16)");
    EXPECT_EQ(opcode_name(0xa3, 0x0a), "Report target port groups");
}

TEST(Cdb, HandCheckedBytes) {
    // sg_vpd -p di: INQUIRY, EVPD, page 0x83, allocation length 255
    matches(Inquiry{.evpd = true, .page_code = 0x83, .allocation_length = 0xff},
            "12 01 83 00 ff 00");
    // sg_inq: standard INQUIRY, allocation length 36
    matches(Inquiry{.allocation_length = 36}, "12 00 00 00 24 00");
    matches(TestUnitReady{}, "00 00 00 00 00 00");
    matches(RequestSense{.desc = true, .allocation_length = 252}, "03 01 00 00 fc 00");
    // sg_readcap --16: SERVICE ACTION IN(16) / READ CAPACITY(16), allocation length 32
    matches(ReadCapacity16{}, "9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00");
    matches(ReadCapacity10{}, "25 00 00 00 00 00 00 00 00 00");
    // sg_luns default: allocation length 8192
    matches(ReportLuns{.allocation_length = 8192}, "a0 00 00 00 00 00 00 00 20 00 00 00");
    matches(ReportLuns{.select_report = 2, .allocation_length = 0x100},
            "a0 00 02 00 00 00 00 00 01 00 00 00");
    matches(ModeSense10{.page_code = 0x08, .allocation_length = 0xfc},
            "5a 00 08 00 00 00 00 00 fc 00");
    matches(ModeSense10{.llbaa = true,
                        .dbd = true,
                        .page_control = 2,
                        .page_code = 0x3f,
                        .subpage_code = 0xff,
                        .allocation_length = 0x1000},
            "5a 18 bf ff 00 00 00 10 00 00");
    matches(
        ModeSense6{.dbd = true, .page_control = 1, .page_code = 0x0a, .allocation_length = 0xff},
        "1a 08 4a 00 ff 00");
    matches(ModeSelect10{.pf = true, .parameter_list_length = 0x1c},
            "55 10 00 00 00 00 00 00 1c 00");
    matches(ModeSelect6{.pf = true, .sp = true, .parameter_list_length = 0x18},
            "15 11 00 00 18 00");
    // sg_logs -p 0xd: cumulative values of the Temperature page
    matches(LogSense{.page_code = 0x0d, .allocation_length = 0xfc},
            "4d 00 4d 00 00 00 00 00 fc 00");
    matches(LogSense{.ppc = true,
                     .sp = true,
                     .page_control = 3,
                     .page_code = 0x2f,
                     .subpage_code = 0x01,
                     .parameter_pointer = 0x0102,
                     .allocation_length = 4},
            "4d 03 ef 01 00 01 02 00 04 00");
    matches(LogSelect{.pcr = true, .page_control = 1}, "4c 02 40 00 00 00 00 00 00 00");
    // sg_start --load --start
    matches(StartStopUnit{.loej = true, .start = true}, "1b 00 00 00 03 00");
    matches(
        StartStopUnit{
            .immed = true, .power_condition_modifier = 1, .power_condition = 3, .no_flush = true},
        "1b 01 00 01 34 00");
    matches(SynchronizeCache10{.immed = true}, "35 02 00 00 00 00 00 00 00 00");
    matches(SynchronizeCache16{.lba = 0x100, .blocks = 8},
            "91 00 00 00 00 00 00 00 01 00 00 00 00 08 00 00");
    // sg_persist --in --read-keys (allocation length 8192)
    matches(PersistentReserveIn{.service_action = 0, .allocation_length = 0x2000},
            "5e 00 00 00 00 00 00 20 00 00");
    // sg_persist --out --register: 24-byte parameter list
    matches(PersistentReserveOut{}, "5f 00 00 00 00 00 00 00 18 00");
    matches(PersistentReserveOut{.service_action = 1, .scope = 0, .type = 5},
            "5f 01 05 00 00 00 00 00 18 00");
    // sg_rtpg --extended
    matches(ReportTargetPortGroups{.extended = true, .allocation_length = 0x1000},
            "a3 2a 00 00 00 00 00 00 10 00 00 00");
    matches(SetTargetPortGroups{.parameter_list_length = 12},
            "a4 0a 00 00 00 00 00 00 00 0c 00 00");
    // sg_opcodes -o 0x28: one command, no service action
    matches(
        ReportSupportedOpcodes{
            .reporting_options = 1, .requested_opcode = 0x28, .allocation_length = 0x1000},
        "a3 0c 01 28 00 00 00 00 10 00 00 00");
    matches(ReportSupportedOpcodes{.rctd = true, .allocation_length = 0x2000},
            "a3 0c 80 00 00 00 00 00 20 00 00 00");
    matches(ReportSupportedTmfs{.repd = true, .allocation_length = 16},
            "a3 0d 80 00 00 00 00 00 00 10 00 00");
    // sg_ses: RECEIVE DIAGNOSTIC RESULTS, page 2 (Enclosure Status)
    matches(ReceiveDiagnostic{.pcv = true, .page_code = 2, .allocation_length = 0xffff},
            "1c 01 02 ff ff 00");
    // sg_senddiag --test (default self-test)
    matches(SendDiagnostic{.self_test = true}, "1d 04 00 00 00 00");
    matches(SendDiagnostic{.self_test_code = 1}, "1d 20 00 00 00 00");
    matches(SendDiagnostic{.pf = true, .parameter_list_length = 0x20}, "1d 10 00 00 20 00");
    matches(Read10{.fua = true, .lba = 0x1234, .transfer_length = 8},
            "28 08 00 00 12 34 00 00 08 00");
    matches(
        Write10{
            .wrprotect = 1, .dpo = true, .lba = 0xfffffffe, .group = 3, .transfer_length = 0x80},
        "2a 30 ff ff ff fe 03 00 80 00");
    matches(Read16{.lba = 0x123456789aULL, .transfer_length = 0x10000},
            "88 00 00 00 00 12 34 56 78 9a 00 01 00 00 00 00");
    matches(Write16{.fua = true, .lba = 1, .transfer_length = 1, .control = 0x04},
            "8a 08 00 00 00 00 00 00 00 01 00 00 00 01 00 04");
    matches(Read6{.lba = 0x12345, .transfer_length = 256}, "08 01 23 45 00 00");
    matches(Write6{.lba = 0x1fffff, .transfer_length = 1}, "0a 1f ff ff 01 00");
    matches(Read12{.lba = 0x10, .transfer_length = 0x20}, "a8 00 00 00 00 10 00 00 00 20 00 00");
    matches(Verify10{.bytchk = 1, .lba = 0x10, .verification_length = 1},
            "2f 02 00 00 00 10 00 00 01 00");
    matches(WriteSame16{.unmap = true, .lba = 0x100, .blocks = 0x10},
            "93 08 00 00 00 00 00 00 01 00 00 00 00 10 00 00");
    matches(WriteSame10{.anchor = true, .unmap = true, .blocks = 1},
            "41 18 00 00 00 00 00 00 01 00");
    matches(Unmap{.parameter_list_length = 24}, "42 00 00 00 00 00 00 00 18 00");
    matches(GetLbaStatus{.starting_lba = 0x1000, .allocation_length = 24},
            "9e 12 00 00 00 00 00 00 10 00 00 00 00 18 00 00");
    matches(CompareAndWrite{.fua = true, .lba = 0x20, .blocks = 1},
            "89 08 00 00 00 00 00 00 00 20 00 00 00 01 00 00");
    matches(PreventAllowMediumRemoval{.prevent = 1}, "1e 00 00 00 01 00");
    matches(Reserve6{}, "16 00 00 00 00 00");
    matches(Release6{}, "17 00 00 00 00 00");
    matches(Reserve10{.third_party = true, .third_party_device_id = 7},
            "56 10 00 07 00 00 00 00 00 00");
    matches(Release10{.longid = true, .parameter_list_length = 8}, "57 02 00 00 00 00 00 00 08 00");
    // SANITIZE: IMMED, AUSE, service action in byte 1; the list length in bytes 7-8.
    matches(
        Sanitize{.immed = true, .ause = true, .service_action = 1, .parameter_list_length = 0x204},
        "48 a1 00 00 00 00 00 02 04 00");
    matches(Sanitize{.service_action = 0x1f}, "48 1f 00 00 00 00 00 00 00 00");
    // WRITE ATOMIC(16): atomic boundary 10-11, transfer length 12-13.
    matches(WriteAtomic16{.fua = true, .lba = 0x10, .atomic_boundary = 2, .transfer_length = 8},
            "9c 08 00 00 00 00 00 00 00 10 00 02 00 08 00 00");
    matches(OrWrite16{.orprotect = 1, .lba = 5, .transfer_length = 3},
            "8b 20 00 00 00 00 00 00 00 05 00 00 00 03 00 00");
    matches(PreFetch10{.immed = true, .lba = 0x1000, .prefetch_length = 0x20},
            "34 02 00 00 10 00 00 00 20 00");
    matches(PreFetch16{.lba = 0x100000000ULL, .prefetch_length = 1},
            "90 00 00 00 00 01 00 00 00 00 00 00 00 01 00 00");
    matches(ExtendedCopy{.parameter_list_length = 0x40},
            "83 00 00 00 00 00 00 00 00 00 00 00 00 40 00 00");
    matches(ReceiveCopyResults{.service_action = 0, .list_identifier = 7, .allocation_length = 12},
            "84 00 07 00 00 00 00 00 00 00 00 00 00 0c 00 00");
    matches(ReadDefectData10{.req_glist = true, .defect_list_format = 4, .allocation_length = 4},
            "37 00 0c 00 00 00 00 00 04 00");
}

TEST(Cdb, SanitizeReservedFieldsKept) {
    auto q = Sanitize::decode(hex::parse("48 41 00 00 03 00 00 00 00 00"));
    EXPECT_EQ(q.service_action, 1);
    EXPECT_EQ(q.reserved_bits, 0x40);
    EXPECT_EQ(q.reserved_bytes, (Bytes{0, 0, 3, 0, 0}));
    EXPECT_EQ(hex::compact(q.encode()), "48410000030000000000");
}

TEST(Cdb, SanitizeOverwriteParameters) {
    SanitizeOverwriteParameters p;
    p.invert = true;
    p.overwrite_count = 3;
    p.initialization_pattern = {0xaa, 0x55};
    Bytes b = p.encode();
    EXPECT_EQ(hex::compact(b), "83000002aa55");
    EXPECT_EQ(SanitizeOverwriteParameters::decode(b), p);
    for (std::size_t n = 0; n < 4; ++n)
        EXPECT_THROW(SanitizeOverwriteParameters::decode(ByteView(b).first(n)), Error);
    auto cut = SanitizeOverwriteParameters::decode(ByteView(b).first(5));
    EXPECT_EQ(cut.initialization_pattern, Bytes{0xaa});
    EXPECT_EQ(cut.warnings.size(), 1u);
    b.push_back(0);
    EXPECT_EQ(SanitizeOverwriteParameters::decode(b).warnings.size(), 1u);
}

TEST(Cdb, RoundTripEveryCommand) {
    round_trip(TestUnitReady{.control = 0x80});
    round_trip(RequestSense{.desc = true, .allocation_length = 18, .control = 1});
    round_trip(Inquiry{.evpd = true, .page_code = 0xb0, .allocation_length = 0x1234, .control = 4});
    round_trip(ReadCapacity10{.lba = 0x01020304, .pmi = true, .control = 2});
    round_trip(ReadCapacity16{
        .lba = 0x0102030405060708ULL, .allocation_length = 0x11223344, .pmi = true, .control = 3});
    round_trip(GetLbaStatus{
        .starting_lba = ~0ULL, .allocation_length = 0x100, .report_type = 2, .control = 5});
    round_trip(ReportLuns{.select_report = 0x11, .allocation_length = 0xdeadbeef, .control = 6});
    round_trip(ModeSense6{.dbd = true,
                          .page_control = 3,
                          .page_code = 0x3f,
                          .subpage_code = 0xff,
                          .allocation_length = 0xfe,
                          .control = 7});
    round_trip(ModeSense10{.llbaa = true,
                           .dbd = false,
                           .page_control = 1,
                           .page_code = 0x1c,
                           .subpage_code = 2,
                           .allocation_length = 0xfffe,
                           .control = 8});
    round_trip(ModeSelect6{.pf = true, .sp = true, .parameter_list_length = 0x40, .control = 9});
    round_trip(
        ModeSelect10{.pf = false, .sp = true, .parameter_list_length = 0x400, .control = 10});
    round_trip(LogSelect{.pcr = false,
                         .sp = true,
                         .page_control = 3,
                         .page_code = 0x30,
                         .subpage_code = 0xfe,
                         .parameter_list_length = 0x200,
                         .control = 11});
    round_trip(LogSense{.ppc = true,
                        .sp = false,
                        .page_control = 2,
                        .page_code = 0x15,
                        .subpage_code = 0x01,
                        .parameter_pointer = 0xfffe,
                        .allocation_length = 0x8000,
                        .control = 12});
    round_trip(StartStopUnit{.immed = true,
                             .power_condition_modifier = 0xf,
                             .power_condition = 0xb,
                             .no_flush = true,
                             .loej = false,
                             .start = true,
                             .control = 13});
    round_trip(SynchronizeCache10{
        .immed = true, .lba = 0xfffffff0, .group = 0x1f, .blocks = 7, .control = 14});
    round_trip(SynchronizeCache16{
        .immed = true, .lba = 0xfffffffffULL, .blocks = 0xffffffff, .group = 0x3f, .control = 15});
    round_trip(
        PersistentReserveIn{.service_action = 3, .allocation_length = 0xffff, .control = 16});
    round_trip(PersistentReserveOut{.service_action = 7,
                                    .scope = 0xf,
                                    .type = 8,
                                    .parameter_list_length = 0x1000,
                                    .control = 17});
    round_trip(ReportTargetPortGroups{.extended = true, .allocation_length = 0x10, .control = 18});
    round_trip(ReportTargetPortGroups{.extended = false, .allocation_length = 0x10});
    round_trip(SetTargetPortGroups{.parameter_list_length = 0x80000, .control = 19});
    round_trip(ReportSupportedOpcodes{.rctd = true,
                                      .reporting_options = 3,
                                      .requested_opcode = 0x9e,
                                      .requested_service_action = 0x10,
                                      .allocation_length = 0x10000,
                                      .control = 20});
    round_trip(ReportSupportedTmfs{.repd = true, .allocation_length = 4, .control = 21});
    round_trip(
        ReceiveDiagnostic{.pcv = true, .page_code = 7, .allocation_length = 0x4000, .control = 22});
    round_trip(SendDiagnostic{.self_test_code = 6,
                              .pf = true,
                              .self_test = false,
                              .devoffl = true,
                              .unitoffl = true,
                              .parameter_list_length = 0x100,
                              .control = 23});
    round_trip(Read6{.lba = 0x1abcde, .transfer_length = 255, .control = 24});
    round_trip(Read6{.lba = 0, .transfer_length = 256});
    round_trip(Write6{.lba = 0x54321, .transfer_length = 256, .control = 25});
    round_trip(Read10{.rdprotect = 5,
                      .dpo = true,
                      .fua = true,
                      .rarc = true,
                      .lba = 0x89abcdef,
                      .group = 0x11,
                      .transfer_length = 0xffff,
                      .control = 26});
    round_trip(Write10{.wrprotect = 7,
                       .dpo = false,
                       .fua = true,
                       .lba = 1,
                       .group = 1,
                       .transfer_length = 2,
                       .control = 27});
    round_trip(Read12{.rdprotect = 1,
                      .dpo = true,
                      .fua = false,
                      .rarc = true,
                      .lba = 0x7fffffff,
                      .transfer_length = 0x12345678,
                      .group = 0x1e,
                      .control = 28});
    round_trip(Write12{.wrprotect = 2,
                       .dpo = true,
                       .fua = true,
                       .lba = 3,
                       .transfer_length = 0xfedcba98,
                       .group = 4,
                       .control = 29});
    round_trip(Read16{.rdprotect = 3,
                      .dpo = false,
                      .fua = true,
                      .rarc = false,
                      .lba = 0xfedcba9876543210ULL,
                      .transfer_length = 0x01000000,
                      .group = 0x3f,
                      .control = 30});
    round_trip(Write16{.wrprotect = 4,
                       .dpo = true,
                       .fua = false,
                       .lba = 0x0123456789abcdefULL,
                       .transfer_length = 9,
                       .group = 0x20,
                       .control = 31});
    round_trip(Verify10{.vrprotect = 6,
                        .dpo = true,
                        .bytchk = 3,
                        .lba = 100,
                        .group = 2,
                        .verification_length = 0x80,
                        .control = 32});
    round_trip(Verify12{.vrprotect = 1,
                        .dpo = false,
                        .bytchk = 1,
                        .lba = 200,
                        .verification_length = 0x10000,
                        .group = 3,
                        .control = 33});
    round_trip(Verify16{.vrprotect = 2,
                        .dpo = true,
                        .bytchk = 2,
                        .lba = 1ULL << 40,
                        .verification_length = 1,
                        .group = 0x21,
                        .control = 34});
    round_trip(WriteAndVerify10{.wrprotect = 3,
                                .dpo = true,
                                .bytchk = 1,
                                .lba = 5,
                                .group = 6,
                                .transfer_length = 7,
                                .control = 35});
    round_trip(WriteAndVerify12{.wrprotect = 4,
                                .dpo = false,
                                .bytchk = 1,
                                .lba = 8,
                                .transfer_length = 9,
                                .group = 10,
                                .control = 36});
    round_trip(WriteAndVerify16{.wrprotect = 5,
                                .dpo = true,
                                .bytchk = 1,
                                .lba = 1ULL << 50,
                                .transfer_length = 11,
                                .group = 12,
                                .control = 37});
    round_trip(WriteSame10{.wrprotect = 1,
                           .anchor = true,
                           .unmap = true,
                           .lba = 0x10000,
                           .group = 5,
                           .blocks = 0x100,
                           .control = 38});
    round_trip(WriteSame16{.wrprotect = 2,
                           .anchor = false,
                           .unmap = true,
                           .ndob = true,
                           .lba = 1ULL << 33,
                           .blocks = 0x100000,
                           .group = 9,
                           .control = 39});
    round_trip(Unmap{.anchor = true, .group = 0x1f, .parameter_list_length = 0x58, .control = 40});
    round_trip(CompareAndWrite{.wrprotect = 1,
                               .dpo = true,
                               .fua = true,
                               .lba = 0xabcdef,
                               .blocks = 0xff,
                               .group = 0x3f,
                               .control = 41});
    round_trip(PreventAllowMediumRemoval{.prevent = 3, .control = 42});
    round_trip(Sanitize{.immed = true,
                        .ause = true,
                        .service_action = 3,
                        .reserved_bits = 0x40,
                        .reserved_bytes = {1, 2, 3, 4, 5},
                        .parameter_list_length = 0xfffe,
                        .control = 47});
    round_trip(WriteAtomic16{.wrprotect = 2,
                             .dpo = true,
                             .fua = true,
                             .lba = ~0ULL,
                             .atomic_boundary = 0x1234,
                             .transfer_length = 0xfedc,
                             .group = 0x3f,
                             .control = 48});
    round_trip(OrWrite16{.orprotect = 7,
                         .dpo = true,
                         .fua = false,
                         .lba = 0x0102030405060708ULL,
                         .transfer_length = 0xffffffff,
                         .group = 1,
                         .control = 49});
    round_trip(PreFetch10{
        .immed = true, .lba = 0xffffffff, .prefetch_length = 0xffff, .group = 0x3f, .control = 50});
    round_trip(PreFetch16{
        .immed = true, .lba = 42, .prefetch_length = 0x10000, .group = 2, .control = 51});
    round_trip(ExtendedCopy{.parameter_list_length = 0x01020304, .control = 52});
    round_trip(ReceiveCopyResults{
        .service_action = 3, .list_identifier = 9, .allocation_length = 0xffff, .control = 53});
    round_trip(ReadDefectData10{.req_plist = true,
                                .req_glist = true,
                                .defect_list_format = 5,
                                .allocation_length = 0x1234,
                                .control = 54});
    round_trip(ReadDefectData12{.req_plist = false,
                                .req_glist = true,
                                .defect_list_format = 4,
                                .address_descriptor_index = 7,
                                .allocation_length = 0x10000,
                                .control = 55});
    round_trip(Reserve6{.control = 43});
    round_trip(Release6{.control = 44});
    round_trip(Reserve10{.third_party = true,
                         .longid = true,
                         .third_party_device_id = 0x55,
                         .parameter_list_length = 8,
                         .control = 45});
    round_trip(Release10{.third_party = false,
                         .longid = true,
                         .third_party_device_id = 0,
                         .parameter_list_length = 8,
                         .control = 46});
}

TEST(Cdb, ServiceActionChecked) {
    // GET LBA STATUS is not READ CAPACITY(16), nor REPORT SUPPORTED OPCODES an RTPG.
    EXPECT_THROW(ReadCapacity16::decode(GetLbaStatus{}.encode()), Error);
    EXPECT_THROW(GetLbaStatus::decode(ReadCapacity16{}.encode()), Error);
    EXPECT_THROW(ReportTargetPortGroups::decode(ReportSupportedOpcodes{}.encode()), Error);
    EXPECT_THROW(ReportSupportedTmfs::decode(ReportTargetPortGroups{}.encode()), Error);
    EXPECT_THROW(Inquiry::decode(ByteView{}), Error);
    try {
        Inquiry::decode(hex::parse("12 00 00 00"));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::malformed);
    }
}

TEST(Cdb, UnmapParameterList) {
    UnmapParameterList l;
    l.descriptors = {{.lba = 0x1000, .blocks = 0x800}, {.lba = 0xffffffffffULL, .blocks = 1}};
    const Bytes b = l.encode();
    EXPECT_EQ(hex::compact(b),
              "002600200000000000000000000010000000080000000000"
              "000000ffffffffff0000000100000000");
    EXPECT_EQ(UnmapParameterList::decode(b), l);
    EXPECT_TRUE(UnmapParameterList::decode({}).descriptors.empty());
    EXPECT_EQ(UnmapParameterList{}.encode(), hex::parse("00 06 00 00 00 00 00 00"));
    // Truncated in the second descriptor: the first one survives with a warning.
    auto part = UnmapParameterList::decode(ByteView(b).first(30));
    ASSERT_EQ(part.descriptors.size(), 1u);
    EXPECT_EQ(part.descriptors[0].lba, 0x1000u);
    EXPECT_FALSE(part.warnings.empty());
    for (std::size_t n = 0; n <= b.size(); ++n) {
        try {
            (void)UnmapParameterList::decode(ByteView(b).first(n));
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), Category::malformed);
            EXPECT_LT(n, 8u);
        }
    }
}

}  // namespace
}  // namespace camx::scsi
