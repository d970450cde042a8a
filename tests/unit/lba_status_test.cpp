// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "camx/error/error.hpp"
#include "camx/scsi/lba_status.hpp"
#include "capture.hpp"

namespace camx::scsi {
namespace {

TEST(LbaStatus, Sg3Capture) {
    const Bytes raw = test::capture("other", "sg3inhex_get_lba_status");
    const auto s = LbaStatus::decode(raw);
    // sg3.txt: "completed due to meeting capacity of medium", RTP=0, three descriptors.
    EXPECT_EQ(s.completion_condition, 3);
    EXPECT_FALSE(s.rtp);
    ASSERT_EQ(s.descriptors.size(), 3u);
    EXPECT_EQ(s.descriptors[0], (LbaStatusDescriptor{0, 287453952, 0, 0, 0}));
    // [2] deallocated; can be read + written, risks becoming inaccessible; unrecovered errors
    EXPECT_EQ(s.descriptors[1], (LbaStatusDescriptor{0x11223300, 68, 3, 1, 1}));
    // [3] deallocated; inaccessible; unrecovered errors
    EXPECT_EQ(s.descriptors[2], (LbaStatusDescriptor{0x11223344, 51, 1, 1, 1}));
    EXPECT_TRUE(s.warnings.empty());
    EXPECT_EQ(s.encode(), raw);
    nlohmann::json j = s;
    EXPECT_EQ(j["descriptors"][1]["provisioning_status_name"], "deallocated");
    EXPECT_EQ(j["descriptors"][0]["blocks"], 287453952);
    EXPECT_EQ(j["warnings"].size(), 0u);
}

TEST(LbaStatus, RoundTripAndNames) {
    LbaStatus s;
    s.rtp = true;
    s.completion_condition = 1;
    s.descriptors = {{1, 2, 0, 3, 0}, {~0ULL, 0xffffffff, 0xf, 4, 0xff}};
    EXPECT_EQ(LbaStatus::decode(s.encode()), s);
    EXPECT_EQ(provisioning_status_name(2), "anchored");
    EXPECT_EQ(provisioning_status_name(9), "reserved");
}

TEST(LbaStatus, TruncatedAndTrailing) {
    const Bytes raw = test::capture("other", "sg3inhex_get_lba_status");
    for (std::size_t n = 0; n < raw.size(); ++n) {
        ByteView cut = ByteView(raw).first(n);
        if (n < 8) {
            EXPECT_THROW(LbaStatus::decode(cut), Error) << n;
            continue;
        }
        auto s = LbaStatus::decode(cut);
        EXPECT_EQ(s.descriptors.size(), (n - 8) / 16) << n;
        EXPECT_FALSE(s.warnings.empty()) << n;
    }
    Bytes longer = raw;
    longer.push_back(0);
    EXPECT_EQ(LbaStatus::decode(longer).warnings.size(), 1u);
    Bytes reserved = raw;
    reserved[8 + 14] = 1;
    EXPECT_EQ(LbaStatus::decode(reserved).warnings.size(), 1u);
}

}  // namespace
}  // namespace camx::scsi
