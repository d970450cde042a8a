// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/scsi/log.hpp"
#include "capture.hpp"

namespace camx::scsi {
namespace {

const std::string kCat = "log_sense";

// The README's parse rule (drop from '#', split on whitespace), kept independent of
// hex::read_file so the two cross-check each other on the 16384-byte capture.
Bytes capture(const std::string& name) {
    std::ifstream in(test::capture_dir() / kCat / (name + ".hex"));
    Bytes out;
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line.substr(0, line.find('#')));
        for (std::string w; words >> w;) {
            out.push_back(static_cast<std::uint8_t>(std::stoul(w, nullptr, 16)));
        }
    }
    return out;
}

Log load(const std::string& name) {
    return Log::decode(capture(name));
}

// What an .expect.txt states about each page, in file order.
struct ExpectedParam {
    unsigned code, ctl, format, len;
    std::optional<std::uint64_t> value;
    bool truncated;
};
struct ExpectedPage {
    unsigned page = 0, subpage = 0, spf = 0, ds = 0, length = 0;
    bool truncated = false;
    std::optional<std::size_t> parameter_count;
    std::vector<ExpectedParam> params;
    std::vector<std::string> supported;  // "0d" or "0d,01"
};

std::vector<ExpectedPage> expected(const std::string& name) {
    std::istringstream in(test::capture_text(kCat, name, "expect.txt"));
    std::regex page_re(
        R"(LOG page 0x([0-9a-f]+) subpage 0x([0-9a-f]+) \(SPF=(\d) DS=(\d)\).*PAGE LENGTH=(\d+))");
    std::regex count_re(R"(parameters \((\d+)\):)");
    std::regex param_re(
        R"(param 0x([0-9a-f]+) ctl=0x([0-9a-f]+) \(FORMAT=(\d)\) len=(\d+)(?: value=(\d+))?)");
    std::regex list_re(R"(supported (?:pages|page/subpage pairs): (.*))");
    std::vector<ExpectedPage> out;
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_search(line, m, page_re)) {
            ExpectedPage p;
            p.page = static_cast<unsigned>(std::stoul(m[1], nullptr, 16));
            p.subpage = static_cast<unsigned>(std::stoul(m[2], nullptr, 16));
            p.spf = static_cast<unsigned>(std::stoul(m[3]));
            p.ds = static_cast<unsigned>(std::stoul(m[4]));
            p.length = static_cast<unsigned>(std::stoul(m[5]));
            p.truncated = line.find("TRUNCATED") != std::string::npos;
            out.push_back(p);
        } else if (out.empty()) {
            continue;
        } else if (std::regex_search(line, m, count_re)) {
            out.back().parameter_count = std::stoul(m[1]);
        } else if (std::regex_search(line, m, param_re)) {
            ExpectedParam q{static_cast<unsigned>(std::stoul(m[1], nullptr, 16)),
                            static_cast<unsigned>(std::stoul(m[2], nullptr, 16)),
                            static_cast<unsigned>(std::stoul(m[3])),
                            static_cast<unsigned>(std::stoul(m[4])),
                            std::nullopt,
                            line.find("TRUNCATED") != std::string::npos};
            if (m[5].matched) q.value = std::stoull(m[5]);
            out.back().params.push_back(q);
        } else if (std::regex_search(line, m, list_re)) {
            std::istringstream items(m[1].str());
            for (std::string item; items >> item;) out.back().supported.push_back(item);
        }
    }
    return out;
}

std::string entry(const SupportedLogPage& s, bool pairs) {
    return pairs ? fmt::format("{:02x},{:02x}", s.page_code, s.subpage_code)
                 : fmt::format("{:02x}", s.page_code);
}

TEST(LogCapture, PagesAndParametersMatchExpect) {
    for (const auto& name : test::captures(kCat)) {
        SCOPED_TRACE(name);
        Log log = load(name);
        auto want = expected(name);
        ASSERT_FALSE(want.empty());
        ASSERT_EQ(log.pages.size(), want.size());
        EXPECT_TRUE(log.trailing.empty());
        for (std::size_t i = 0; i < want.size(); ++i) {
            SCOPED_TRACE(i);
            const LogPage& p = log.pages[i];
            const ExpectedPage& w = want[i];
            EXPECT_EQ(p.page_code, w.page);
            EXPECT_EQ(p.subpage_code, w.subpage);
            EXPECT_EQ(p.spf, w.spf != 0);
            EXPECT_EQ(p.ds, w.ds != 0);
            EXPECT_EQ(p.page_length, w.length);
            EXPECT_EQ(p.truncated, w.truncated);
            EXPECT_EQ(p.warnings.empty(), !w.truncated);
            if (!w.supported.empty()) {
                ASSERT_TRUE(p.is_supported_list());
                ASSERT_EQ(p.supported_pages.size(), w.supported.size());
                for (std::size_t k = 0; k < w.supported.size(); ++k) {
                    EXPECT_EQ(entry(p.supported_pages[k], p.spf), w.supported[k]);
                }
                continue;
            }
            ASSERT_TRUE(w.parameter_count.has_value());
            ASSERT_EQ(p.parameters.size(), *w.parameter_count);
            for (const auto& q : w.params) {
                SCOPED_TRACE(q.code);
                const LogParameter* got = p.parameter(static_cast<std::uint16_t>(q.code));
                ASSERT_NE(got, nullptr);
                EXPECT_EQ(got->control(), q.ctl);
                EXPECT_EQ(got->format_and_linking, q.format);
                EXPECT_EQ(got->parameter_length, q.len);
                EXPECT_EQ(got->truncated(), q.truncated);
                if (q.value) {
                    EXPECT_EQ(got->number(), q.value);
                }
            }
        }
    }
}

TEST(LogCapture, SupportedPagesMatchSgLogs) {
    // sg_logs lists one line per entry.
    Log a = load("lsc_log_00_58349a74e5d6");
    ASSERT_EQ(a.pages.size(), 1u);
    EXPECT_EQ(a.pages[0].supported_pages.size(), 17u);
    EXPECT_EQ(a.pages[0].name(), "Supported Log Pages");
    // The device answered 0x00/0xff with an SPF=0 header: it is decoded as the header says.
    Log b = load("lsc_log_00_6d41be818e27");
    EXPECT_EQ(b.pages[0].supported_pages.size(), 76u);

    Log s = load("sg3inhex_logs_sdeb_aa");
    ASSERT_EQ(s.pages.size(), 5u);
    const auto& pairs = s.pages[1].supported_pages;
    ASSERT_EQ(pairs.size(), 7u);
    EXPECT_EQ(pairs[3], (SupportedLogPage{0x0d, 0x01}));
    EXPECT_EQ(log_page_name(0x0d, 0x01), "Environmental Reporting");
    EXPECT_EQ(s.pages[1].name(), "Supported Log Pages and Subpages");
}

TEST(LogCapture, ErrorCountersMatchSgLogs) {
    Log log = load("lsc_log_02_05d96fdfb362");
    const LogPage& p = log.pages[0];
    EXPECT_EQ(p.name(), "Write Error Counter");
    EXPECT_EQ(p.counter_name(0), "errors_corrected_without_substantial_delay");
    EXPECT_EQ(p.counter_name(6), "total_uncorrected_errors");
    EXPECT_EQ(p.counter_name(0x8000), "");
    nlohmann::json j = p;
    const auto& c = j["counters"];
    EXPECT_EQ(c["errors_corrected_without_substantial_delay"], 0);
    EXPECT_EQ(c["errors_corrected_with_possible_delays"], 0);
    EXPECT_EQ(c["total_rewrites_or_rereads"], 0);
    EXPECT_EQ(c["total_errors_corrected"], 0);
    EXPECT_EQ(c["total_uncorrected_errors"], 0);
    // Parameter 5 is 10 bytes long: no number, bytes kept.
    EXPECT_FALSE(c.contains("total_bytes_processed"));
    EXPECT_EQ(p.parameter(5)->value.size(), 10u);
    EXPECT_EQ(j["parameters"][4]["bytes"], "00000000000000018000");
    EXPECT_FALSE(j["parameters"][4].contains("value"));
    EXPECT_EQ(j["parameters"][4]["parameter_name"], "total_bytes_processed");
}

TEST(LogCapture, TemperatureAndInformationalExceptionsMatchSgLogs) {
    Log s = load("sg3inhex_logs_sdeb_aa");
    const LogPage& t = s.pages[2];
    EXPECT_EQ(t.name(), "Temperature");
    EXPECT_EQ(t.temperature_celsius(), 38);
    EXPECT_EQ(t.reference_temperature_celsius(), 65);
    EXPECT_FALSE(s.pages[3].temperature_celsius().has_value());  // 0x0d/0x01 is another layout
    auto ie = s.pages[4].informational_exception();
    ASSERT_TRUE(ie.has_value());
    EXPECT_EQ(ie->asc, 0);
    EXPECT_EQ(ie->ascq, 0);
    EXPECT_EQ(ie->most_recent_temperature_celsius, 38);
    EXPECT_EQ(ie->asc_ascq_str(), "No additional sense information");

    for (auto [name, temp] :
         {std::pair{"lsc_log_2f_6f0ae135e644", 25}, std::pair{"lsc_log_2f_7ab2c8e42fe2", 28}}) {
        SCOPED_TRACE(name);
        auto e = load(name).pages[0].informational_exception();
        ASSERT_TRUE(e.has_value());
        EXPECT_EQ(e->asc, 0);
        EXPECT_EQ(e->ascq, 0);
        EXPECT_EQ(e->most_recent_temperature_celsius, temp);
    }

    // 0xff is "no valid temperature".
    Bytes unknown{0x0d, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x03, 0x02,
                  0x00, 0xff, 0x00, 0x01, 0x03, 0x02, 0x00, 0x46};
    LogPage u = LogPage::decode(unknown);
    EXPECT_FALSE(u.temperature_celsius().has_value());
    EXPECT_EQ(u.reference_temperature_celsius(), 70);
    nlohmann::json j = u;
    EXPECT_TRUE(j["temperature_celsius"].is_null());
    EXPECT_EQ(j["reference_temperature_celsius"], 70);
}

TEST(LogCapture, TruncatedPageKeepsWhatFits) {
    Log log = load("lsc_log_15_822b53ecf7d4");
    ASSERT_EQ(log.pages.size(), 1u);
    const LogPage& p = log.pages[0];
    EXPECT_EQ(p.name(), "Background Scan Results");
    EXPECT_TRUE(p.truncated);
    EXPECT_EQ(p.page_length, 49168);
    ASSERT_EQ(p.parameters.size(), 683u);
    for (std::size_t i = 0; i + 1 < p.parameters.size(); ++i) {
        ASSERT_FALSE(p.parameters[i].truncated()) << i;
    }
    const LogParameter& last = p.parameters.back();
    EXPECT_EQ(last.parameter_code, 0x02aa);
    EXPECT_TRUE(last.truncated());
    EXPECT_EQ(last.parameter_length, 20);
    EXPECT_EQ(last.value.size(), 16u);
    EXPECT_FALSE(last.number().has_value());
    // Status parameter: accumulated power on minutes 665564 (sg_logs), 111 scans performed.
    const LogParameter* status = p.parameter(0);
    ASSERT_NE(status, nullptr);
    EXPECT_EQ(bytes::be32(status->value, 0), 665564u);
    EXPECT_EQ(bytes::be16(status->value, 6), 111u);
    EXPECT_EQ(p.warnings.size(), 2u);  // the page and its last parameter
    nlohmann::json j = log;
    EXPECT_EQ(j["pages"][0]["truncated"], true);
    EXPECT_EQ(j["pages"][0]["parameters"][682]["truncated"], true);
}

TEST(LogCapture, LastNPagesSplitOnTheirOwnLength) {
    Log log = load("sg3inhex_logs_last_n");
    ASSERT_EQ(log.pages.size(), 4u);
    EXPECT_EQ(log.pages[0].name(), "Last n Mode Page Data Changed");
    EXPECT_EQ(log.pages[1].name(), "Last n Inquiry Data Changed");
    EXPECT_EQ(log.pages[3].name(), "Last n Error Events");
    // ASCII list parameters keep their text as bytes.
    const LogParameter* e = log.pages[3].parameter(1);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(std::string(e->value.begin(), e->value.end()), "UA: capacity data has changed");
    EXPECT_EQ(log.pages[0].parameter(2)->number(), 0x5a010000u);
}

TEST(LogRoundTrip, EncodeReproducesCompleteCaptures) {
    for (const auto& name : test::captures(kCat)) {
        SCOPED_TRACE(name);
        Bytes b = capture(name);
        Log log = Log::decode(b);
        bool truncated = false;
        for (const auto& p : log.pages) truncated = truncated || p.truncated;
        if (truncated) {
            // A truncated page encodes what was kept; decoding that is stable.
            Log again = Log::decode(log.encode());
            EXPECT_EQ(Log::decode(again.encode()), again);
            EXPECT_EQ(again.pages[0].parameters.size(), log.pages[0].parameters.size());
            continue;
        }
        EXPECT_EQ(log.encode(), b);
        EXPECT_EQ(Log::decode(log.encode()), log);
    }
}

TEST(LogRoundTrip, BuiltPages) {
    LogPage t;
    t.page_code = 0x0d;
    t.parameters.push_back({0x0000, false, false, false, false, 0, 3, 2, {0x00, 0x24}});
    t.parameters.push_back({0x0001, false, false, false, false, 0, 3, 2, {0x00, 0x41}});
    t.page_length = 12;
    Bytes wire = t.encode();
    EXPECT_EQ(wire, (Bytes{0x0d, 0, 0, 12, 0, 0, 3, 2, 0, 0x24, 0, 1, 3, 2, 0, 0x41}));
    EXPECT_EQ(LogPage::decode(wire), t);

    LogPage list;
    list.page_code = 0;
    list.subpage_code = 0xff;
    list.spf = true;
    list.supported_pages = {{0, 0}, {0, 0xff}, {0x2f, 0}};
    list.page_length = 6;
    EXPECT_EQ(LogPage::decode(list.encode()), list);

    LogParameter flags{0x8001, true, true, true, true, 2, 1, 1, {0x41}};
    EXPECT_EQ(flags.control(), 0xf9);
    LogPage v;
    v.page_code = 0x30;
    v.ds = true;
    v.parameters.push_back(flags);
    v.page_length = 5;
    LogPage back = LogPage::decode(v.encode());
    EXPECT_EQ(back, v);
    EXPECT_EQ(back.name(), "Vendor specific");
}

TEST(LogJson, KeysAsCamctlDocuments) {
    nlohmann::json j = load("sg3inhex_logs_sdeb_aa");
    ASSERT_EQ(j["pages"].size(), 5u);
    const auto& sp = j["pages"][1];
    EXPECT_EQ(sp["page_code"], 0);
    EXPECT_EQ(sp["subpage_code"], 255);
    EXPECT_EQ(sp["spf"], true);
    EXPECT_EQ(sp["supported_pages"][3]["page_code"], 13);
    EXPECT_EQ(sp["supported_pages"][3]["subpage_code"], 1);
    EXPECT_EQ(sp["supported_pages"][3]["page_name"], "Environmental Reporting");
    EXPECT_TRUE(sp["parameters"].is_array());
    const auto& t = j["pages"][2];
    EXPECT_EQ(t["page_name"], "Temperature");
    EXPECT_EQ(t["ds"], false);
    EXPECT_EQ(t["temperature_celsius"], 38);
    EXPECT_EQ(t["reference_temperature_celsius"], 65);
    const auto& q = t["parameters"][0];
    EXPECT_EQ(q["parameter_code"], 0);
    EXPECT_EQ(q["du"], false);
    EXPECT_EQ(q["tsd"], false);
    EXPECT_EQ(q["etc"], false);
    EXPECT_EQ(q["tmc"], 0);
    EXPECT_EQ(q["format_and_linking"], 3);
    EXPECT_EQ(q["value"], 38);
    EXPECT_EQ(q["bytes"], "0026");
    const auto& env = j["pages"][3]["parameters"][0];
    EXPECT_EQ(env["tsd"], true);
    EXPECT_FALSE(env.contains("value") && !env["value"].is_number());
    const auto& ie = j["pages"][4];
    EXPECT_EQ(ie["asc"], 0);
    EXPECT_EQ(ie["ascq"], 0);
    EXPECT_EQ(ie["asc_ascq_str"], "No additional sense information");
    EXPECT_EQ(ie["most_recent_temperature_celsius"], 38);
}

TEST(LogRobustness, EveryPrefixDecodesOrThrows) {
    for (const auto& name : test::captures(kCat)) {
        SCOPED_TRACE(name);
        Bytes b = capture(name);
        // The 16 KiB capture: every prefix in its first 512 and last 48 bytes (each way a
        // parameter can be cut), a stride between.
        for (std::size_t n = 0; n <= b.size(); ++n) {
            if (b.size() > 4096 && n > 512 && n + 48 < b.size() && n % 509 != 0) continue;
            Bytes prefix(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
            try {
                Log log = Log::decode(prefix);
                nlohmann::json j = log;
                for (const auto& p : log.pages) {
                    (void)p.temperature_celsius();
                    (void)p.informational_exception();
                    for (const auto& q : p.parameters) (void)q.number();
                }
                (void)LogPage::decode(prefix);
            } catch (const Error&) {
                EXPECT_LT(n, 4u);
            }
        }
    }
}

}  // namespace
}  // namespace camx::scsi
