// SPDX-License-Identifier: BSD-2-Clause
// scsi::data_out_length: the data-out transfer a CDB states, as camctl cmd checks a file
// against it.
#include <gtest/gtest.h>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/data_out.hpp"

namespace camx::scsi {
namespace {

std::optional<DataOutLength> of(const char* cdb_hex) {
    return data_out_length(hex::parse(cdb_hex));
}

DataOutLength blocks(std::uint64_t n) {
    return {n, true};
}
DataOutLength bytes(std::uint64_t n) {
    return {n, false};
}

TEST(DataOut, WritesCountBlocks) {
    EXPECT_EQ(of("0a 00 00 00 08 00"), blocks(8));
    EXPECT_EQ(of("0a 00 00 00 00 00"), blocks(256));  // WRITE(6): 0 means 256
    EXPECT_EQ(of("2a 00 00 00 00 00 00 00 08 00"), blocks(8));
    EXPECT_EQ(of("2a 00 00 00 00 00 00 01 00 00"), blocks(256));
    EXPECT_EQ(of("aa 00 00 00 00 00 00 01 00 00 00 00"), blocks(65536));
    EXPECT_EQ(of("8a 00 00 00 00 00 00 00 00 00 ff ff ff ff 00 00"), blocks(0xffffffff));
    EXPECT_EQ(of("2e 00 00 00 00 00 00 00 02 00"), blocks(2));  // WRITE AND VERIFY(10)
    EXPECT_EQ(of("8e 00 00 00 00 00 00 00 00 00 00 00 00 03 00 00"), blocks(3));
    EXPECT_EQ(of("89 00 00 00 00 00 00 00 00 00 00 00 00 04 00 00"), blocks(8));  // C&W: 2 x 4
    EXPECT_EQ(of("9c 00 00 00 00 00 00 00 00 00 00 00 00 05 00 00"), blocks(5));  // ATOMIC
    EXPECT_EQ(blocks(8).bytes(512), 4096u);
    EXPECT_EQ(blocks(8).bytes(4096), 32768u);
    EXPECT_EQ(bytes(24).bytes(4096), 24u);
}

TEST(DataOut, WriteSameSendsOneBlockUnlessNdob) {
    EXPECT_EQ(of("41 00 00 00 00 00 00 00 10 00"), blocks(1));
    EXPECT_EQ(of("93 00 00 00 00 00 00 00 00 00 00 00 00 10 00 00"), blocks(1));
    EXPECT_EQ(of("93 01 00 00 00 00 00 00 00 00 00 00 00 10 00 00"), bytes(0));  // NDOB
}

TEST(DataOut, VerifySendsWhatBytchkSays) {
    EXPECT_EQ(of("2f 00 00 00 00 00 00 00 08 00"), bytes(0));
    EXPECT_EQ(of("2f 02 00 00 00 00 00 00 08 00"), blocks(8));
    EXPECT_EQ(of("2f 06 00 00 00 00 00 00 08 00"), blocks(1));
    EXPECT_EQ(of("2f 04 00 00 00 00 00 00 08 00"), std::nullopt);  // reserved BYTCHK
}

TEST(DataOut, ParameterListsCountBytes) {
    EXPECT_EQ(of("15 10 00 00 18 00"), bytes(24));                                // MODE SELECT(6)
    EXPECT_EQ(of("55 10 00 00 00 00 00 01 00 00"), bytes(256));                   // MODE SELECT(10)
    EXPECT_EQ(of("42 00 00 00 00 00 00 00 18 00"), bytes(24));                    // UNMAP
    EXPECT_EQ(of("4c 00 00 00 00 00 00 00 10 00"), bytes(16));                    // LOG SELECT
    EXPECT_EQ(of("1d 10 00 00 08 00"), bytes(8));                                 // SEND DIAGNOSTIC
    EXPECT_EQ(of("3b 02 00 00 00 00 01 00 00 00"), bytes(65536));                 // WRITE BUFFER
    EXPECT_EQ(of("5f 00 00 00 00 00 00 00 18 00"), bytes(24));                    // PR OUT
    EXPECT_EQ(of("83 00 00 00 00 00 00 00 00 00 00 00 00 40 00 00"), bytes(64));  // XCOPY
    EXPECT_EQ(of("a4 0a 00 00 00 00 00 00 00 0c 00 00"), bytes(12));              // STPG
    EXPECT_EQ(of("b5 00 00 00 80 00 00 00 00 02 00 00"), bytes(1024));            // INC_512
}

TEST(DataOut, CommandsThatSendNothing) {
    EXPECT_EQ(of("00 00 00 00 00 00"), bytes(0));
    EXPECT_EQ(of("12 00 00 00 24 00"), bytes(0));
    EXPECT_EQ(of("28 00 00 00 00 00 00 00 08 00"), bytes(0));
    EXPECT_EQ(of("9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00"), bytes(0));
}

TEST(DataOut, UnknownOrTooShort) {
    EXPECT_EQ(of("ff 00 00 00 00 00"), std::nullopt);
    EXPECT_EQ(of("a4 05 00 00 00 00 00 00 00 0c 00 00"), std::nullopt);  // not STPG
    EXPECT_EQ(data_out_length({}), std::nullopt);
    EXPECT_EQ(of("2a 00 00 00 00 00 00 00"), std::nullopt);  // length field cut off
    EXPECT_EQ(of("5f 00 00 00 00 00"), std::nullopt);
}

// The codec reads every command it models and refuses a CDB shorter than its command, even
// when the length field itself is present (or the command sends nothing but one block).
TEST(DataOut, CdbShorterThanItsCommandIsRefused) {
    EXPECT_EQ(of("2a 00 00 00 00 00 00 00 08"), std::nullopt);  // WRITE(10) of 9 bytes
    EXPECT_EQ(of("41 00"), std::nullopt);                       // WRITE SAME(10)
    EXPECT_EQ(of("2f 00 00 00"), std::nullopt);                 // VERIFY(10), BYTCHK 0
    EXPECT_EQ(of("a4 0a"), std::nullopt);                       // SET TARGET PORT GROUPS
}

TEST(DataOut, ExtendedCopyLid4AndTokens) {
    // EXTENDED COPY(LID4), which the codec does not model, keeps bytes 10..13.
    EXPECT_EQ(of("83 01 00 00 00 00 00 00 00 00 00 00 00 40 00 00"), bytes(64));
    EXPECT_EQ(of("83 11 00 00 00 00 00 00 00 00 00 00 02 00 00 00"), bytes(512));  // WUT
    EXPECT_EQ(of("83 00 00 00 00 00 00 00 00 00 00 00 00 40"), std::nullopt);      // short LID1
}

TEST(DataOut, VariableLengthCdbs) {
    // WRITE(32): service action 0x000b, transfer length in bytes 28..31.
    Bytes w32(32, 0);
    w32[0] = 0x7f;
    w32[7] = 0x18;
    w32[9] = 0x0b;
    w32[31] = 4;
    EXPECT_EQ(data_out_length(w32), blocks(4));
    Bytes ws32 = w32;
    ws32[9] = 0x0d;
    EXPECT_EQ(data_out_length(ws32), blocks(1));
    ws32[10] = 0x01;  // NDOB
    EXPECT_EQ(data_out_length(ws32), bytes(0));
}

}  // namespace
}  // namespace camx::scsi
