// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "camx/scsi/mode.hpp"
#include "capture.hpp"

namespace camx::scsi {
namespace {

const std::string kCat = "mode_sense";

ModeFormat format_of(const std::string& name) {
    return name.find("ms6") != std::string::npos ? ModeFormat::six : ModeFormat::ten;
}

ModeParameters load(const std::string& name) {
    return ModeParameters::decode(test::capture(kCat, name), format_of(name));
}

// The "page 0x.. PS=. SPF=. PAGE LENGTH=.." lines of an .expect.txt, in order.
struct ExpectedPage {
    unsigned page, subpage, ps, spf, length;
    bool truncated;
};
std::vector<ExpectedPage> expected_pages(const std::string& name) {
    std::istringstream in(test::capture_text(kCat, name, "expect.txt"));
    std::regex re(R"(page 0x([0-9a-f]+)(?:,0x([0-9a-f]+))? PS=(\d) SPF=(\d) PAGE LENGTH=(\d+))");
    std::vector<ExpectedPage> out;
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (!std::regex_search(line, m, re)) continue;
        out.push_back(
            {static_cast<unsigned>(std::stoul(m[1], nullptr, 16)),
             m[2].matched ? static_cast<unsigned>(std::stoul(m[2], nullptr, 16)) : 0u,
             static_cast<unsigned>(std::stoul(m[3])), static_cast<unsigned>(std::stoul(m[4])),
             static_cast<unsigned>(std::stoul(m[5])), line.find("TRUNCATED") != std::string::npos});
    }
    return out;
}

std::string expect_value(const std::string& name, const std::string& key) {
    std::string text = test::capture_text(kCat, name, "expect.txt");
    std::regex re(key + "=(0x[0-9a-f]+|\\d+)");
    std::smatch m;
    if (!std::regex_search(text, m, re)) return {};
    return m[1];
}

std::uint64_t number(const std::string& s) {
    return std::stoull(s, nullptr, 0);
}

// sdparm --long output: one map of ACRONYM -> value per page, pages in order. sdparm prints
// an all-ones multi-bit field as -1.
using SdparmPage = std::vector<std::pair<std::string, long long>>;
std::vector<SdparmPage> sdparm_pages(const std::string& name) {
    std::istringstream in(test::capture_text(kCat, name, "sg3.txt"));
    std::vector<SdparmPage> out;
    std::regex field(R"(^  ([A-Z_0-9]+)\s+(-?\d+)\s)");
    for (std::string line; std::getline(in, line);) {
        if (line.find("mode page:") != std::string::npos) {
            out.emplace_back();
            continue;
        }
        std::smatch m;
        if (!out.empty() && std::regex_search(line, m, field)) {
            out.back().emplace_back(m[1], std::stoll(m[2]));
        }
    }
    return out;
}

TEST(ModeCapture, HeaderBlockDescriptorsAndPagesMatchExpect) {
    for (const auto& name : test::captures(kCat)) {
        SCOPED_TRACE(name);
        ModeParameters m = load(name);
        if (expect_value(name, "MODE DATA LENGTH").empty()) continue;  // checked below
        EXPECT_EQ(m.header.mode_data_length, number(expect_value(name, "MODE DATA LENGTH")));
        EXPECT_EQ(m.header.medium_type, number(expect_value(name, "MEDIUM TYPE")));
        EXPECT_EQ(m.header.device_specific,
                  number(expect_value(name, "DEVICE-SPECIFIC PARAMETER")));
        if (auto wp = expect_value(name, "WP"); !wp.empty()) {
            EXPECT_EQ(m.header.wp(), number(wp) != 0);
            EXPECT_EQ(m.header.dpofua(), number(expect_value(name, "DPOFUA")) != 0);
            EXPECT_EQ(m.header.longlba, number(expect_value(name, "LONGLBA")) != 0);
            EXPECT_EQ(m.header.block_descriptor_length,
                      number(expect_value(name, "BLOCK DESCRIPTOR LENGTH")));
        }
        if (auto blocks = expect_value(name, "NUMBER OF BLOCKS"); !blocks.empty()) {
            ASSERT_EQ(m.block_descriptors.size(), 1u);
            EXPECT_EQ(m.block_descriptors[0].number_of_blocks, number(blocks));
            EXPECT_EQ(m.block_descriptors[0].block_length,
                      number(expect_value(name, "BLOCK LENGTH")));
            EXPECT_EQ(m.block_descriptors[0].density_code,
                      number(expect_value(name, "DENSITY CODE")));
        }
        if (auto blocks = expect_value(name, "NUMBER OF LOGICAL BLOCKS"); !blocks.empty()) {
            ASSERT_EQ(m.block_descriptors.size(), 1u);
            EXPECT_EQ(m.block_descriptors[0].number_of_blocks, number(blocks));
            EXPECT_EQ(m.block_descriptors[0].block_length,
                      number(expect_value(name, "LOGICAL BLOCK LENGTH")));
        }
        auto pages = expected_pages(name);
        if (pages.empty()) continue;  // sg3inhex files state no page list
        ASSERT_EQ(m.pages.size(), pages.size());
        for (std::size_t i = 0; i < pages.size(); ++i) {
            SCOPED_TRACE(i);
            EXPECT_EQ(m.pages[i].page_code, pages[i].page);
            EXPECT_EQ(m.pages[i].subpage_code, pages[i].subpage);
            EXPECT_EQ(m.pages[i].ps, pages[i].ps != 0);
            EXPECT_EQ(m.pages[i].spf, pages[i].spf != 0);
            EXPECT_EQ(m.pages[i].page_length, pages[i].length);
            EXPECT_EQ(m.pages[i].truncated(), pages[i].truncated);
        }
        EXPECT_TRUE(m.trailing.empty());
    }
}

TEST(ModeCapture, DecodedFieldsMatchExpectSummaries) {
    ModeParameters a = load("lsc_ms10_pc0_426f156e2346");
    EXPECT_EQ(a.find(0x08)->field("wce"), 1u);
    EXPECT_EQ(a.find(0x08)->field("rcd"), 0u);
    EXPECT_EQ(a.find(0x0a)->field("gltsd"), 1u);
    EXPECT_EQ(a.find(0x0a)->field("d_sense"), 0u);

    ModeParameters s = load("lsc_ms10_pc3_b4242e536df7");
    const ModePage* iec = s.find(0x1c);
    ASSERT_NE(iec, nullptr);
    EXPECT_EQ(iec->field("perf"), 0u);
    EXPECT_EQ(iec->field("ewasc"), 0u);
    EXPECT_EQ(iec->field("dexcpt"), 1u);
    EXPECT_EQ(iec->field("test"), 0u);
    EXPECT_EQ(iec->field("logerr"), 0u);
    EXPECT_EQ(iec->field("mrie"), 0u);
    EXPECT_EQ(iec->field("intt"), 0u);
    EXPECT_EQ(iec->field("repc"), 1u);
    EXPECT_EQ(s.find(0x08)->field("wce"), 1u);
    EXPECT_EQ(s.pages.back().name(), "Vendor specific");
    EXPECT_EQ(s.find(0x0a, 0x01)->name(), "Control Extension");

    // The IEC page of this capture is cut after two bytes: no fields, bytes kept.
    ModeParameters t = load("lsc_ms10_pc0_e0a78f37cc11");
    const ModePage* cut = t.find(0x1c);
    ASSERT_NE(cut, nullptr);
    EXPECT_EQ(cut->fields().size(), 8u);  // bytes 2 and 3: PERF..LOGERR and MRIE
    EXPECT_EQ(cut->field("mrie"), 0u);
    EXPECT_FALSE(cut->field("intt").has_value());
    EXPECT_TRUE(cut->truncated());
    EXPECT_EQ(cut->bytes, (Bytes{0x1c, 0x0a, 0x00, 0x00}));
    EXPECT_FALSE(t.warnings.empty());
}

TEST(ModeCapture, FieldsMatchSdparm) {
    for (const auto& name : test::captures(kCat)) {
        auto sd = sdparm_pages(name);
        if (sd.empty()) continue;
        SCOPED_TRACE(name);
        // sdparm stops at the mode data length, as the decoder does.
        ModeParameters m = load(name);
        std::size_t checked_pages = 0;
        std::size_t si = 0;
        for (const auto& page : m.pages) {
            if (si >= sd.size()) break;
            // sdparm skips pages it cannot name for the transport; match on first field.
            if (page.field_table().empty()) {
                if (!page.name().empty() && page.page_code < 0x20) ++si;
                continue;
            }
            std::map<std::string, long long> values(sd[si].begin(), sd[si].end());
            ++si;
            for (const auto& [f, v] : page.fields()) {
                std::string upper = std::string(f->name);
                for (auto& c : upper) c = static_cast<char>(std::toupper(c));
                auto it = values.find(upper);
                if (it == values.end()) {
                    ADD_FAILURE() << "sdparm shows no " << upper << " in page " << si;
                    continue;
                }
                long long want = it->second;
                if (want == -1) want = static_cast<long long>((1ull << f->width) - 1);
                EXPECT_EQ(static_cast<long long>(v), want) << f->name;
            }
            ++checked_pages;
        }
        EXPECT_GT(checked_pages, 0u);
    }
}

TEST(ModeCapture, SplitsMultiplePageControls) {
    Bytes b = test::capture(kCat, "sg3inhex_modes_mm_sdeb");
    auto sets = split_page_controls(b, ModeFormat::ten);
    ASSERT_EQ(sets.size(), 3u);
    ModeParameters single = load("sg3inhex_modes_sdeb");
    EXPECT_EQ(sets[0], single);
    for (const auto& s : sets) EXPECT_EQ(s.pages.size(), 9u);
    const ModePage* chg = sets[1].find(0x08);
    ASSERT_NE(chg, nullptr);
    EXPECT_EQ(chg->field("wce"), 1u);
    EXPECT_EQ(chg->field("rcd"), 0u);
    EXPECT_EQ(sets[1].find(0x1c)->field("mrie"), 0x0fu);
    EXPECT_EQ(sets[2].find(0x0a)->field("d_sense"), 0u);
    EXPECT_EQ(sets[0].find(0x0a)->field("ato"), 1u);
    EXPECT_EQ(sets[2].find(0x0a)->field("ato"), 0u);
    // The plain decode stops at the header's length and keeps the rest.
    ModeParameters whole = ModeParameters::decode(b, ModeFormat::ten);
    EXPECT_EQ(whole.trailing.size(), b.size() - 240);
    EXPECT_FALSE(whole.warnings.empty());
}

TEST(ModeCapture, ScsiDebugHeader) {
    // modes_sdeb.hex comments: MODE SENSE(10) header, block descriptor length 8, density 0.
    ModeParameters m = load("sg3inhex_modes_sdeb");
    EXPECT_EQ(m.header.mode_data_length, 0xee);
    EXPECT_EQ(m.header.device_specific, 0x10);
    EXPECT_TRUE(m.header.dpofua());
    EXPECT_FALSE(m.header.wp());
    EXPECT_EQ(m.header.block_descriptor_length, 8);
    ASSERT_EQ(m.block_descriptors.size(), 1u);
    EXPECT_EQ(m.block_descriptors[0].density_code, 0);
    EXPECT_EQ(m.block_descriptors[0].number_of_blocks, 0x800000u);
    EXPECT_EQ(m.block_descriptors[0].block_length, 512u);
    EXPECT_TRUE(m.warnings.empty());
    EXPECT_TRUE(m.trailing.empty());
}

TEST(ModeCapture, PagesBackToBack) {
    Bytes b = test::capture(kCat, "sg3inhex_modes_sdeb");
    std::vector<std::string> warnings;
    auto pages = decode_mode_pages(ByteView(b).subspan(16), warnings);
    ASSERT_EQ(pages.size(), 9u);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(pages[6].page_code, 0x19);
    EXPECT_EQ(pages[6].subpage_code, 0x01);
    EXPECT_EQ(pages[6].page_length, 0x64);
    EXPECT_EQ(pages[6].name(), "Phy Control and Discover");
}

TEST(ModeRoundTrip, SenseEncodeReproducesCaptures) {
    for (const auto& name : test::captures(kCat)) {
        SCOPED_TRACE(name);
        Bytes b = test::capture(kCat, name);
        ModeParameters m = ModeParameters::decode(b, format_of(name));
        if (!m.trailing.empty()) continue;  // the multi-page-control file; see below
        EXPECT_EQ(m.encode(), b);
        EXPECT_EQ(ModeParameters::decode(m.encode(), m.format), m);
    }
    for (const auto& s :
         split_page_controls(test::capture(kCat, "sg3inhex_modes_mm_sdeb"), ModeFormat::ten)) {
        EXPECT_EQ(ModeParameters::decode(s.encode(), ModeFormat::ten), s);
    }
}

TEST(ModeRoundTrip, LongLbaAndBuiltPages) {
    ModeParameters m;
    m.format = ModeFormat::ten;
    m.header.longlba = true;
    m.header.device_specific = 0x10;
    m.block_descriptors.push_back({0, 0x123456789ull, 4096});
    m.pages.push_back(ModePage::make(0x08, 0, false, Bytes(18, 0)));
    m.pages.push_back(ModePage::make(0x0a, 0x01, true, Bytes(28, 0)));
    set_field(m.pages[0], "wce", 1);
    set_field(m.pages[1], "msdl", 252);
    set_field(m.pages[1], "IALUAE", 1);
    Bytes wire = m.encode();
    m.header.mode_data_length = static_cast<std::uint16_t>(wire.size() - 2);
    m.header.block_descriptor_length = 16;
    ModeParameters back = ModeParameters::decode(wire, ModeFormat::ten);
    EXPECT_EQ(back, m);
    EXPECT_EQ(back.warnings, m.warnings);  // the cut-short 0x19/0x01 page, nothing else
    EXPECT_EQ(back.pages[0].field("wce"), 1u);
    EXPECT_EQ(back.pages[1].field("msdl"), 252u);
    EXPECT_EQ(back.pages[1].field("ialuae"), 1u);

    m.format = ModeFormat::six;
    EXPECT_THROW(m.encode(), Error);  // 64-bit block count has no short form
    m.block_descriptors[0].number_of_blocks = 1000;
    m.header.longlba = false;
    Bytes six = m.encode();
    ModeParameters back6 = ModeParameters::decode(six, ModeFormat::six);
    EXPECT_EQ(back6.block_descriptors, m.block_descriptors);
    EXPECT_EQ(back6.pages, m.pages);
}

TEST(ModeSelect, ParameterListClearsReservedFields) {
    ModeParameters m = load("lsc_ms6_pc2_91fd61414105");
    ASSERT_TRUE(m.header.dpofua());
    ASSERT_TRUE(m.pages[0].ps);
    Bytes sel = m.encode_select();
    EXPECT_EQ(sel[0], 0);     // mode data length reserved
    EXPECT_EQ(sel[2], 0x00);  // DPOFUA and WP reserved
    EXPECT_EQ(sel[3], 8);
    EXPECT_EQ(ModeParameters::decode(sel, ModeFormat::six).pages.size(), 0u);
    ModeParameters back = ModeParameters::decode_select(sel, ModeFormat::six);
    EXPECT_EQ(back.warnings, m.warnings);  // the cut-short 0x19/0x01 page, nothing else
    ASSERT_EQ(back.pages.size(), m.pages.size());
    for (std::size_t i = 0; i < m.pages.size(); ++i) {
        EXPECT_FALSE(back.pages[i].ps);
        EXPECT_EQ(back.pages[i].page_code, m.pages[i].page_code);
        EXPECT_EQ(ByteView(back.pages[i].bytes).subspan(1).size(),
                  ByteView(m.pages[i].bytes).subspan(1).size());
    }

    ModeParameters ten = load("lsc_ms10_pc0_e0a78f37cc11");
    Bytes sel10 = ten.encode_select();
    EXPECT_EQ(sel10[0], 0);
    EXPECT_EQ(sel10[1], 0);
    EXPECT_EQ(sel10[3], 0);     // DPOFUA cleared
    EXPECT_EQ(sel10[4], 0x01);  // LONGLBA kept
    EXPECT_EQ(sel10.size(), test::capture(kCat, "lsc_ms10_pc0_e0a78f37cc11").size());
}

TEST(ModeEdit, SetFieldAgainstChangeableMask) {
    auto sets = split_page_controls(test::capture(kCat, "sg3inhex_modes_mm_sdeb"), ModeFormat::ten);
    ModePage caching = *sets[0].find(0x08);
    const ModePage& changeable = *sets[1].find(0x08);
    set_field(caching, "wce", 0, changeable);
    EXPECT_EQ(caching.field("wce"), 0u);
    EXPECT_EQ(caching.bytes[2], 0x10);
    set_field(caching, "WCE=1", &changeable);
    EXPECT_EQ(caching.field("wce"), 1u);

    try {
        set_field(caching, "rcd", 1, changeable);
        FAIL() << "rcd is not changeable on this device";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::usage);
        EXPECT_NE(std::string(e.what()).find("rcd"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("not changeable"), std::string::npos);
    }
    try {
        set_field(caching, "wcx", 1, changeable);
        FAIL() << "unknown field";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::usage);
        std::string msg = e.what();
        EXPECT_NE(msg.find("wcx"), std::string::npos);
        EXPECT_NE(msg.find("wce"), std::string::npos);
        EXPECT_NE(msg.find("css"), std::string::npos);
    }
    EXPECT_THROW(set_field(caching, "wce", 2, changeable), Error);
    EXPECT_THROW(set_field(caching, "wce=x", &changeable), Error);
    EXPECT_THROW(set_field(caching, "=1", nullptr), Error);

    // Multi-bit field, partly changeable (IEC changeable: DEXCPT and MRIE).
    ModePage iec = *sets[0].find(0x1c);
    const ModePage& iec_chg = *sets[1].find(0x1c);
    set_field(iec, "mrie=0x6", &iec_chg);
    EXPECT_EQ(iec.field("mrie"), 6u);
    set_field(iec, "test", 1, iec_chg);
    EXPECT_EQ(iec.field("test"), 1u);
    EXPECT_THROW(set_field(iec, "dexcpt", 0, iec_chg), Error);
    EXPECT_THROW(set_field(iec, "ewasc", 1, iec_chg), Error);

    // Multi-byte field without a mask (target side).
    set_field(caching, "css", 0x1234);
    EXPECT_EQ(caching.bytes[14], 0x12);
    EXPECT_EQ(caching.bytes[15], 0x34);
    ModePage vendor = *sets[0].find(0x19, 0x01);
    EXPECT_THROW(set_field(vendor, "x", 1), Error);
}

TEST(ModeJson, KeysAsCamctlDocuments) {
    nlohmann::json j = load("lsc_ms10_pc0_426f156e2346");
    EXPECT_EQ(j["header"]["mode_data_length"], 58);
    EXPECT_EQ(j["header"]["wp"], false);
    EXPECT_EQ(j["header"]["longlba"], false);
    EXPECT_EQ(j["block_descriptors"][0]["block_length_bytes"], 512);
    EXPECT_EQ(j["block_descriptors"][0]["number_of_blocks"], 0);
    EXPECT_EQ(j["block_descriptors"][0]["density_code"], 0);
    const auto& ca = j["pages"][1];
    EXPECT_EQ(ca["page_code"], 8);
    EXPECT_EQ(ca["page_name"], "Caching");
    EXPECT_EQ(ca["ps"], false);
    EXPECT_EQ(ca["spf"], false);
    EXPECT_EQ(ca["fields"]["wce"], true);
    EXPECT_EQ(ca["fields"]["rcd"], false);
    EXPECT_EQ(ca["fields"]["drrp"], 0);
    EXPECT_EQ(ca["bytes"], "0812040000000000000000000000000000000000");
    EXPECT_TRUE(j["warnings"].is_array());
    nlohmann::json v = load("lsc_ms10_pc0_b76f928dfa80");
    EXPECT_TRUE(v["pages"][1]["fields"].is_object());
    EXPECT_TRUE(v["pages"][0]["fields"].empty());
}

TEST(ModeRobustness, EveryPrefixDecodesOrThrows) {
    for (const auto& name : test::captures(kCat)) {
        SCOPED_TRACE(name);
        Bytes b = test::capture(kCat, name);
        for (std::size_t n = 0; n <= b.size(); ++n) {
            // An exact-size copy so the sanitizer sees any read past the end.
            Bytes prefix(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
            try {
                ModeParameters m = ModeParameters::decode(prefix, format_of(name));
                nlohmann::json j = m;
                for (const auto& p : m.pages) (void)p.fields();
                (void)split_page_controls(prefix, format_of(name));
            } catch (const Error&) {
                EXPECT_LT(n, format_of(name) == ModeFormat::six ? 4u : 8u);
            }
            std::vector<std::string> w;
            (void)decode_mode_pages(prefix, w);
        }
    }
}

}  // namespace
}  // namespace camx::scsi
