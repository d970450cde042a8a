// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include "camx/bytes/bytes.hpp"
#include "camx/bytes/hex.hpp"
#include "camx/text/text.hpp"
#include "capture.hpp"

namespace camx {
namespace {

TEST(Bytes, BigEndianReadsAndBounds) {
    Bytes b{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    EXPECT_EQ(bytes::be16(b, 0), 0x0102);
    EXPECT_EQ(bytes::be24(b, 5), 0x060708u);
    EXPECT_EQ(bytes::be64(b, 0), 0x0102030405060708ull);
    EXPECT_THROW(bytes::be16(b, 7), Error);
    EXPECT_THROW(bytes::be32(b, SIZE_MAX - 1), Error);
    EXPECT_TRUE(bytes::clamp(b, 9, 4).empty());
    EXPECT_EQ(bytes::clamp(b, 6, 4).size(), 2u);
}

TEST(Bytes, WriterRoundTrip) {
    bytes::Writer w;
    w.be16(0xabcd);
    w.be32(0x01020304);
    w.ascii("ab", 4);
    Bytes b = w.take();
    ASSERT_EQ(b.size(), 10u);
    EXPECT_EQ(bytes::be16(b, 0), 0xabcd);
    EXPECT_EQ(bytes::be32(b, 2), 0x01020304u);
    EXPECT_EQ(text::ascii_field(ByteView(b).subspan(6)), "ab");
}

TEST(Hex, ParseUserText) {
    EXPECT_EQ(hex::parse("12 00 00 00 24 00"), (Bytes{0x12, 0, 0, 0, 0x24, 0}));
    EXPECT_EQ(hex::parse("1200ff"), (Bytes{0x12, 0x00, 0xff}));
    EXPECT_EQ(hex::parse("0 1,a"), (Bytes{0, 1, 0x0a}));
    EXPECT_THROW(hex::parse("12 zz"), Error);
}

TEST(Hex, ReadsInhexFiles) {
    Bytes b = test::capture("inquiry", "sg3inhex_inq_standard");
    ASSERT_EQ(b.size(), 96u);
    EXPECT_EQ(b[4], 0x5b);
    EXPECT_THROW(hex::read_file("/nonexistent/file.hex"), Error);
}

TEST(Text, AsciiFieldsAreTrimmedAndEscaped) {
    Bytes b{'A', 'B', ' ', ' ', 0, 'x'};
    EXPECT_EQ(text::ascii_field(b), "AB");
    Bytes c{0x01, 'Z', 0xff};
    EXPECT_EQ(text::ascii_field(c), "\\x01Z\\xff");
    Bytes d{0, 0, 'Q', 'R', 0};
    EXPECT_EQ(text::ascii_field(d), "QR");
}

TEST(Error, ExitCodeTable) {
    EXPECT_EQ(exit_code(Category::usage), 1);
    EXPECT_EQ(exit_code(Category::illegal_request), 5);
    EXPECT_EQ(exit_code(Category::reservation_conflict), 24);
    EXPECT_EQ(exit_code(Category::malformed), 97);
    EXPECT_EQ(category_name(Category::no_device), "no_device");
}

}  // namespace
}  // namespace camx

namespace camx {
namespace {
TEST(Hex, ReadsLargeInhexFilesWhole) {
    // 16384 bytes: more than sg3_utils 1.46's sg_f2hex_arr returns.
    Bytes b = test::capture("log_sense", "lsc_log_15_822b53ecf7d4");
    EXPECT_EQ(b.size(), 16384u);
}
}  // namespace
}  // namespace camx
