// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "camx/scsi/alua.hpp"

namespace camx::scsi {
namespace {

// Two groups in the extended format: group 1 active/optimized and preferred with ports 1 and 2,
// group 2 standby (altered by SET TARGET PORT GROUPS) with port 3.
const Bytes kExtended{
    0x00, 0x00, 0x00, 0x20,                          // return data length 32
    0x10, 0x3c, 0x00, 0x00,                          // format type 1, transition time 60 s
    0x80, 0xdf, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,  // PREF, active/optimized, all SUP bits
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,  // ports 1, 2
    0x12, 0x0f, 0x00, 0x02, 0x00, 0x01, 0x5a, 0x01,  // RTPG_FMT 1, standby; status 1; vendor 0x5a
    0x00, 0x00, 0x00, 0x03,                          // port 3
};

TEST(Alua, ExtendedHeader) {
    TargetPortGroups t = TargetPortGroups::decode(kExtended);
    EXPECT_TRUE(t.warnings.empty());
    EXPECT_TRUE(t.extended);
    EXPECT_EQ(t.implicit_transition_time, 60);
    ASSERT_EQ(t.groups.size(), 2u);
    const auto& a = t.groups[0];
    EXPECT_TRUE(a.pref);
    EXPECT_EQ(a.rtpg_fmt, 0);
    EXPECT_EQ(a.state, 0);
    EXPECT_TRUE(a.t_sup && a.o_sup && a.lbd_sup && a.u_sup && a.s_sup && a.an_sup && a.ao_sup);
    EXPECT_EQ(a.group, 1);
    EXPECT_EQ(a.relative_target_ports, (std::vector<std::uint16_t>{1, 2}));
    const auto& b = t.groups[1];
    EXPECT_FALSE(b.pref);
    EXPECT_EQ(b.rtpg_fmt, 1);
    EXPECT_EQ(b.state, 2);
    EXPECT_FALSE(b.t_sup || b.o_sup || b.lbd_sup);
    EXPECT_TRUE(b.u_sup && b.s_sup && b.an_sup && b.ao_sup);
    EXPECT_EQ(b.status, 1);
    EXPECT_EQ(b.vendor_specific, 0x5a);
    EXPECT_EQ(b.relative_target_ports, (std::vector<std::uint16_t>{3}));
    EXPECT_EQ(t.encode(), kExtended);

    nlohmann::json j = t;
    EXPECT_EQ(j["implicit_transition_time_seconds"], 60);
    EXPECT_EQ(j["groups"][0]["asymmetric_access_state_name"], "active/optimized");
    EXPECT_EQ(j["groups"][1]["asymmetric_access_state_name"], "standby");
    EXPECT_EQ(j["groups"][1]["status_code_name"], "altered by SET TARGET PORT GROUPS");
}

TEST(Alua, LengthOnlyHeaderRoundTrip) {
    TargetPortGroups t;
    TargetPortGroup g;
    g.state = static_cast<std::uint8_t>(AccessState::transitioning);
    g.group = 0x8001;
    g.ao_sup = true;
    g.t_sup = true;
    g.relative_target_ports = {0x10, 0x11, 0x12};
    t.groups.push_back(g);
    g.state = static_cast<std::uint8_t>(AccessState::offline);
    g.group = 2;
    g.relative_target_ports.clear();
    t.groups.push_back(g);
    Bytes b = t.encode();
    EXPECT_EQ(b.size(), 4u + 8 + 12 + 8);
    EXPECT_EQ(bytes::be32(b, 0), b.size() - 4);
    EXPECT_EQ(b[4], 0x0f);
    TargetPortGroups d = TargetPortGroups::decode(b);
    EXPECT_FALSE(d.extended);
    EXPECT_EQ(d, t);
}

TEST(Alua, StateNames) {
    EXPECT_EQ(access_state_name(0), "active/optimized");
    EXPECT_EQ(access_state_name(1), "active/non-optimized");
    EXPECT_EQ(access_state_name(2), "standby");
    EXPECT_EQ(access_state_name(3), "unavailable");
    EXPECT_EQ(access_state_name(4), "logical block dependent");
    EXPECT_EQ(access_state_name(0xe), "offline");
    EXPECT_EQ(access_state_name(0xf), "transitioning");
    EXPECT_EQ(access_state_name(0x7), "reserved");
}

TEST(Alua, EveryPrefixDecodesOrThrows) {
    for (std::size_t n = 0; n <= kExtended.size(); ++n) {
        SCOPED_TRACE(n);
        ByteView v = ByteView(kExtended).first(n);
        try {
            TargetPortGroups t = TargetPortGroups::decode(v);
            nlohmann::json j = t;
            if (n < kExtended.size()) {
                EXPECT_FALSE(t.warnings.empty());
            }
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), Category::malformed);
            EXPECT_LT(n, 4u);
        }
        try {
            nlohmann::json j = SetTargetPortGroups::decode(v);
        } catch (const Error& e) {
            EXPECT_LT(n, 4u);
        }
    }
}

TEST(Alua, SetTargetPortGroups) {
    SetTargetPortGroups s;
    s.entries = {{0, 1}, {2, 2}, {3, 0x8000}};
    Bytes b = s.encode();
    EXPECT_EQ(b, (Bytes{0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 2, 3, 0, 0x80, 0}));
    EXPECT_EQ(SetTargetPortGroups::decode(b), s);
    nlohmann::json j = s;
    EXPECT_EQ(j["descriptors"][2]["asymmetric_access_state_name"], "unavailable");
    SetTargetPortGroups partial = SetTargetPortGroups::decode(ByteView(b).first(10));
    EXPECT_EQ(partial.entries.size(), 1u);
    EXPECT_FALSE(partial.warnings.empty());
}

}  // namespace
}  // namespace camx::scsi
