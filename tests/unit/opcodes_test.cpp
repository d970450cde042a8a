// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "camx/scsi/opcodes.hpp"
#include "capture.hpp"

namespace camx::scsi {
namespace {

struct Sg3Row {
    int opcode;
    int sa;  // -1 when none
    int cdb;
    std::string name;
};

// Rows of the sg_opcodes table in the capture's .sg3.txt.
std::vector<Sg3Row> sg3_rows() {
    std::istringstream in(test::capture_text("other", "sg3inhex_opcodes", "sg3.txt"));
    std::regex row(R"(^ ([0-9a-f]{2})\s{5}\s*([0-9a-f]*)\s+(\d+)\s+(\d),(\d)\s+(.+)$)");
    std::vector<Sg3Row> out;
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (!std::regex_match(line, m, row)) continue;
        out.push_back({std::stoi(m[1], nullptr, 16),
                       m[2].length() ? std::stoi(m[2], nullptr, 16) : -1, std::stoi(m[3]), m[6]});
    }
    return out;
}

TEST(Opcodes, CaptureMatchesSg3Opcodes) {
    Bytes raw = test::capture("other", "sg3inhex_opcodes");
    SupportedOpcodes s = SupportedOpcodes::decode(raw);
    EXPECT_TRUE(s.warnings.empty());
    auto rows = sg3_rows();
    ASSERT_EQ(rows.size(), 52u);
    ASSERT_EQ(s.commands.size(), rows.size());
    // The device reports in its own order; sg_opcodes sorts by opcode then service action.
    auto sorted = s.commands;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        auto key = [](const CommandDescriptor& c) {
            return (c.opcode << 16) | (c.servactv ? c.service_action : 0);
        };
        return key(a) < key(b);
    });
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& c = sorted[i];
        SCOPED_TRACE(rows[i].name);
        EXPECT_EQ(c.opcode, rows[i].opcode);
        EXPECT_EQ(c.servactv, rows[i].sa >= 0);
        if (rows[i].sa >= 0) {
            EXPECT_EQ(c.service_action, rows[i].sa);
        }
        EXPECT_EQ(c.cdb_length, rows[i].cdb);
        EXPECT_FALSE(c.rwcdlp);
        EXPECT_EQ(c.cdlp, 0);
        EXPECT_FALSE(c.timeouts);
        // The .sg3.txt came from a newer sg3_utils than Debian's libsgutils2, which names
        // 0x3b "Write buffer" where the newer one says "Write buffer(10)".
        std::string name =
            command_name(c.opcode, c.servactv ? std::optional(c.service_action) : std::nullopt);
        EXPECT_TRUE(name == rows[i].name || (c.opcode == 0x3b && rows[i].name.starts_with(name)))
            << name;
    }
    // First descriptors as on the wire.
    EXPECT_EQ(s.commands[0].opcode, 0x12);
    EXPECT_EQ(s.commands[0].cdb_length, 6);
    EXPECT_EQ(s.commands[1].opcode, 0xa0);
    EXPECT_EQ(s.encode(), raw);

    nlohmann::json j = s;
    EXPECT_EQ(j["commands"][0]["name"], "Inquiry");
    EXPECT_EQ(j["commands"][0]["timeouts"], nullptr);
    EXPECT_TRUE(j["warnings"].is_array());
}

TEST(Opcodes, EveryPrefixDecodesOrThrows) {
    Bytes raw = test::capture("other", "sg3inhex_opcodes");
    for (std::size_t n = 0; n <= raw.size(); ++n) {
        SCOPED_TRACE(n);
        ByteView v = ByteView(raw).first(n);
        try {
            auto s = SupportedOpcodes::decode(v);
            nlohmann::json j = s;
            EXPECT_EQ(s.commands.size(), (n - 4) / 8);
            if (n < raw.size()) {
                EXPECT_FALSE(s.warnings.empty());
            }
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), Category::malformed);
            EXPECT_LT(n, 4u);
        }
        for (auto decode : {+[](ByteView b) { nlohmann::json j = OneCommand::decode(b); },
                            +[](ByteView b) { nlohmann::json j = SupportedTmfs::decode(b); }}) {
            try {
                decode(v);
            } catch (const Error& e) {
                EXPECT_EQ(e.category(), Category::malformed);
                EXPECT_LT(n, 4u);
            }
        }
    }
}

TEST(Opcodes, AllCommandsWithTimeoutsRoundTrip) {
    SupportedOpcodes s;
    s.commands.push_back({0x28, 0, false, false, 0, 0, 10, CommandTimeouts{0, 30, 60}});
    s.commands.push_back({0x9e, 0x10, true, true, 1, 2, 16, std::nullopt});
    s.commands.push_back({0x7f, 0x0b, true, false, 3, 3, 32, CommandTimeouts{7, 0, 5}});
    Bytes b = s.encode();
    EXPECT_EQ(b.size(), 4u + 20 + 8 + 20);
    EXPECT_EQ(bytes::be32(b, 0), 48u);
    EXPECT_EQ(b[4 + 5], 0x02);                        // CTDP only
    EXPECT_EQ(b[24 + 5], 0x40 | 0x10 | 0x08 | 0x01);  // RWCDLP, MLU 1, CDLP 2, SERVACTV
    EXPECT_EQ(SupportedOpcodes::decode(b), s);
    nlohmann::json j = SupportedOpcodes::decode(b);
    EXPECT_EQ(j["commands"][0]["timeouts"]["recommended_command_timeout_seconds"], 60);
    EXPECT_EQ(j["commands"][1]["name"], "Read capacity(16)");
    EXPECT_EQ(j["commands"][2]["ctdp"], true);
}

TEST(Opcodes, OneCommandRoundTrip) {
    OneCommand c;
    c.support = 3;
    c.cdlp = 1;
    c.mlu = 2;
    c.rwcdlp = true;
    c.cdb_usage = {0x12, 0x01, 0xff, 0xff, 0xff, 0x00};
    c.timeouts = CommandTimeouts{0, 1, 2};
    Bytes b = c.encode();
    EXPECT_EQ(b[1], 0x80 | 0x40 | 0x08 | 0x03);
    EXPECT_EQ(bytes::be16(b, 2), 6);
    EXPECT_EQ(b.size(), 4u + 6 + 12);
    OneCommand d = OneCommand::decode(b);
    EXPECT_EQ(d, c);
    EXPECT_TRUE(d.supported());
    nlohmann::json j = d;
    EXPECT_EQ(j["cdb_usage_data"], "1201ffffff00");
    EXPECT_EQ(j["support_name"], "supported (standard)");

    OneCommand none;
    none.support = 1;
    EXPECT_EQ(OneCommand::decode(none.encode()), none);
    // Usage data longer than the buffer: what is there, plus a warning.
    OneCommand t = OneCommand::decode(Bytes{0, 3, 0, 10, 0x12, 0x01});
    EXPECT_EQ(t.cdb_usage, (Bytes{0x12, 0x01}));
    EXPECT_FALSE(t.warnings.empty());
}

TEST(Opcodes, TaskManagementFunctions) {
    SupportedTmfs t = SupportedTmfs::decode(Bytes{0xc9, 0x05, 0, 0});
    EXPECT_TRUE(t.ats);
    EXPECT_TRUE(t.atss);
    EXPECT_FALSE(t.cacas);
    EXPECT_TRUE(t.lurs);
    EXPECT_TRUE(t.ws);
    EXPECT_TRUE(t.qaes);
    EXPECT_FALSE(t.qtss);
    EXPECT_TRUE(t.itnrs);
    EXPECT_FALSE(t.extended);
    EXPECT_EQ(t.encode(), (Bytes{0xc9, 0x05, 0, 0}));

    SupportedTmfs e = t;
    e.extended = SupportedTmfs::Extended{true,  true, false, true, false, true,
                                         false, true, false, true, 600,   20};
    Bytes b = e.encode();
    ASSERT_EQ(b.size(), 16u);
    EXPECT_EQ(b[3], 0x0c);
    EXPECT_EQ(b[4], 0x01);
    EXPECT_EQ(b[6], 0x80 | 0x20 | 0x08);
    EXPECT_EQ(b[7], 0x04 | 0x01);
    EXPECT_EQ(SupportedTmfs::decode(b), e);
    nlohmann::json j = SupportedTmfs::decode(b);
    EXPECT_EQ(j["extended"]["long_timeout_100ms"], 600);
    EXPECT_EQ(j["lurs"], true);
    // Extended data cut short: the basic bits and a warning.
    SupportedTmfs cut = SupportedTmfs::decode(ByteView(b).first(10));
    EXPECT_FALSE(cut.extended);
    EXPECT_FALSE(cut.warnings.empty());
}

}  // namespace
}  // namespace camx::scsi
