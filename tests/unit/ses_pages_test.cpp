// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/ses/check.hpp"
#include "camx/ses/page.hpp"
#include "camx/text/text.hpp"
#include "capture.hpp"

namespace camx::ses {
namespace {

Bytes ses(const std::string& name) {
    return test::capture("ses", name);
}
std::string sg3(const std::string& name) {
    return test::capture_text("ses", name, "sg3.txt");
}

// Lines of an sg3.txt between two headings (first match of each).
std::vector<std::string> section(const std::string& text, const std::string& from,
                                 const std::string& to) {
    auto b = text.find(from);
    auto e = text.find(to, b == std::string::npos ? 0 : b);
    std::vector<std::string> out;
    if (b == std::string::npos) return out;
    std::istringstream in(text.substr(b, e == std::string::npos ? std::string::npos : e - b));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// Every capture of a regex group in a section.
std::vector<std::string> grab(const std::vector<std::string>& lines, const std::string& re) {
    std::regex r(re);
    std::vector<std::string> out;
    std::smatch m;
    for (const auto& l : lines) {
        if (std::regex_search(l, m, r)) out.push_back(text::trim(m[1].str()));
    }
    return out;
}

struct Areca {
    Bytes buffer = ses("sg3inhex_ses_areca_all");
    std::vector<PageSlice> slices = split_pages(buffer);
    ByteView page(std::size_t i) const { return slices.at(i).bytes; }
};

TEST(SesSplit, ArecaBufferHoldsTenPages) {
    Areca a;
    ASSERT_EQ(a.slices.size(), 10u);
    std::vector<std::uint8_t> codes;
    std::vector<std::size_t> offsets;
    for (const auto& s : a.slices) {
        codes.push_back(s.page_code);
        offsets.push_back(s.offset);
        EXPECT_FALSE(s.truncated);
    }
    EXPECT_EQ(codes, (std::vector<std::uint8_t>{0x00, 0x01, 0x02, 0x04, 0x05, 0x07, 0x0a, 0x0d,
                                                0x0e, 0x0f}));
    EXPECT_EQ(offsets,
              (std::vector<std::size_t>{0, 15, 315, 523, 573, 773, 1559, 2519, 2535, 2559}));
    auto cut = split_pages(ByteView(a.buffer).first(320));
    ASSERT_EQ(cut.size(), 3u);
    EXPECT_TRUE(cut[2].truncated);
    EXPECT_EQ(cut[2].bytes.size(), 5u);
}

TEST(SesSupportedPages, Captures) {
    auto p = SupportedPages::decode(ses("lsc_diag_00_4a87aff34bf6"));
    EXPECT_EQ(p.pages,
              (std::vector<std::uint8_t>{0x00, 0x01, 0x02, 0x04, 0x05, 0x0a, 0x0e, 0x10, 0x11, 0x80,
                                         0x81, 0x82, 0x83, 0x90, 0x91, 0xf0, 0xf1}));
    EXPECT_TRUE(p.warnings.empty());
    auto q = SupportedPages::decode(ses("lsc_diag_00_215ca76178d2"));
    EXPECT_EQ(q.pages, (std::vector<std::uint8_t>{0x00, 0x3f, 0x82}));
    nlohmann::json j = q;
    EXPECT_EQ(j["pages"][1]["page_name"], "Protocol Specific");
    EXPECT_EQ(j["pages"][2]["page_name"], "vendor specific");

    // Areca pads its SES page list with zeros.
    Areca a;
    auto ssp = SupportedPages::decode(a.page(7));
    EXPECT_EQ(ssp.page_code, 0x0d);
    EXPECT_EQ(ssp.pages,
              (std::vector<std::uint8_t>{0x01, 0x02, 0x04, 0x05, 0x07, 0x0a, 0x0d, 0x0e, 0x0f}));
    EXPECT_EQ(ssp.zero_padding, 3u);
    EXPECT_EQ(ssp.warnings.size(), 1u);
    EXPECT_EQ(ssp.encode(), Bytes(a.page(7).begin(), a.page(7).end()));
    // The sg_ses list names the same pages.
    auto listed = grab(section(sg3("sg3inhex_ses_areca_all"), "Supported SES diagnostic pages",
                               "Download microcode"),
                       R"(\[0x([0-9a-f]+)\]$)");
    ASSERT_EQ(listed.size(), ssp.pages.size());
    for (std::size_t i = 0; i < listed.size(); ++i) {
        EXPECT_EQ(std::stoul(listed[i], nullptr, 16), ssp.pages[i]);
    }
}

void expect_types_match_sg3(const Configuration& c, const std::string& capture,
                            const std::string& end = "\n#") {
    auto lines = section(sg3(capture), "type descriptor header and text list", end);
    auto types = grab(lines, R"(Element type: (.*), subenclosure id)");
    auto subs = grab(lines, R"(subenclosure id: (\d+))");
    auto counts = grab(lines, R"(number of possible elements: (\d+))");
    auto texts = grab(lines, R"(text: (.*)$)");
    ASSERT_EQ(types.size(), c.types.size());
    ASSERT_EQ(texts.size(), c.types.size());
    for (std::size_t k = 0; k < c.types.size(); ++k) {
        const auto& t = c.types[k];
        std::string name(element_type_name(t.type));
        if (is_vendor_specific(t.type))
            name = fmt::format("vendor specific [0x{:x}]", code(t.type));
        EXPECT_EQ(types[k], name) << k;
        EXPECT_EQ(std::stoul(counts[k]), t.possible_elements) << k;
        EXPECT_EQ(std::stoul(subs[k]), t.subenclosure_id) << k;
        EXPECT_EQ(texts[k], t.text_string()) << k;
    }
}

TEST(SesConfiguration, QuantaCapture) {
    const std::string name = "lsc_diag_01_530abcca01d7";
    auto c = Configuration::decode(ses(name));
    EXPECT_TRUE(c.warnings.empty());
    ASSERT_EQ(c.subenclosures.size(), 1u);
    const auto& s = c.subenclosures[0];
    EXPECT_EQ(s.relative_es_process_id, 2);
    EXPECT_EQ(s.es_process_count, 2);
    EXPECT_EQ(s.logical_identifier, 0x5001636001b6343eull);
    EXPECT_EQ(s.vendor_text(), "QUANTA");
    EXPECT_EQ(s.product_text(), "JBE ISIM7");
    EXPECT_EQ(s.revision_text(), "0104");
    EXPECT_EQ(s.vendor_specific.size(), 52u);
    EXPECT_EQ(c.element_count(), 57u);
    expect_types_match_sg3(c, name);
    nlohmann::json j = c;
    EXPECT_EQ(j["types"][5]["element_type_name"], "SAS connector");
    EXPECT_EQ(j["subenclosures"][0]["logical_identifier"], "5001636001b6343e");
}

TEST(SesConfiguration, EmcCaptureWithSubenclosuresAndZeroElementType) {
    const std::string name = "lsc_diag_01_49516401c417";
    auto c = Configuration::decode(ses(name));
    EXPECT_TRUE(c.warnings.empty());
    EXPECT_EQ(c.generation_code, 9u);
    ASSERT_EQ(c.subenclosures.size(), 5u);
    EXPECT_EQ(c.subenclosures[2].product_text(), "Derringer Encl");
    EXPECT_EQ(c.subenclosures[0].vendor_specific.size(), 198u);
    ASSERT_EQ(c.types.size(), 26u);
    EXPECT_EQ(c.types[3].type, static_cast<ElementType>(0x81));
    EXPECT_EQ(c.types[17].type, ElementType::cooling);
    EXPECT_EQ(c.types[17].possible_elements, 0);
    EXPECT_EQ(c.element_count(), 140u);
    expect_types_match_sg3(c, name);
    ElementIndex index(c);
    EXPECT_EQ(index.total_count(), 166u);
    // The zero-element cooling header still takes an overall slot.
    EXPECT_EQ(index.types()[18].overall_position, index.types()[17].overall_position + 1);
}

TEST(SesEnclosureStatus, QuantaPagePairedWithItsConfiguration) {
    auto c = Configuration::decode(ses("lsc_diag_01_530abcca01d7"));
    auto s = EnclosureStatus::decode(ses("lsc_diag_02_39e622962c60"), c);
    EXPECT_TRUE(s.warnings.empty());
    EXPECT_TRUE(check_consistency(c, {&s, nullptr, nullptr, nullptr}).empty());
    ASSERT_EQ(s.types.size(), 6u);
    std::vector<std::size_t> counts;
    for (const auto& t : s.types) {
        counts.push_back(t.elements.size());
        EXPECT_EQ(t.overall.status_code(), 0);
        for (const auto& e : t.elements) EXPECT_EQ(status_code_name(e.status_code()), "OK");
    }
    EXPECT_EQ(counts, (std::vector<std::size_t>{18, 18, 1, 1, 1, 18}));
    EXPECT_TRUE(s.types[0].elements[0].swap());  // 0x11: SWAP and OK
    EXPECT_EQ(s.types[0].elements[0].field("ok"), 0);
    EXPECT_EQ(s.types[1].elements[0].temperature_celsius(), 27);  // 0x2f - 20
    EXPECT_EQ(s.types[1].elements[8].temperature_celsius(), 35);  // 0x37 - 20
    EXPECT_EQ(s.types[5].elements[0].field("connector_type"), 0x20);
    EXPECT_EQ(s.encode(), ses("lsc_diag_02_39e622962c60"));
}

TEST(SesEnclosureStatus, ArecaAgainstSgSes) {
    Areca a;
    auto c = Configuration::decode(a.page(1));
    EXPECT_EQ(c.subenclosures[0].vendor_text(), "Areca");
    EXPECT_EQ(c.subenclosures[0].product_text(), "ARC-802801.33.63");
    expect_types_match_sg3(c, "sg3inhex_ses_areca_all", "Enclosure Status diagnostic page");
    auto s = EnclosureStatus::decode(a.page(2), c);
    EXPECT_TRUE(s.warnings.empty());
    EXPECT_TRUE(s.crit);
    EXPECT_FALSE(s.invop);

    auto text = sg3("sg3inhex_ses_areca_all");
    auto lines = section(text, "Enclosure Status diagnostic page", "String In diagnostic page");
    auto statuses = grab(lines, R"(status: (.*)$)");
    std::vector<std::string> mine;
    for (const auto& t : s.types) {
        mine.emplace_back(status_code_name(t.overall.status_code()));
        for (const auto& e : t.elements) mine.emplace_back(status_code_name(e.status_code()));
    }
    EXPECT_EQ(mine, statuses);

    std::vector<std::string> temps;
    for (const auto& e : s.types[4].elements)
        temps.push_back(std::to_string(*e.temperature_celsius()));
    EXPECT_EQ(temps, grab(lines, R"(Temperature=(\d+) C)"));
    std::vector<std::string> rpm;
    rpm.push_back(std::to_string(*s.types[3].overall.fan_speed_rpm()));
    for (const auto& e : s.types[3].elements) rpm.push_back(std::to_string(*e.fan_speed_rpm()));
    EXPECT_EQ(rpm, grab(lines, R"(Actual speed=(\d+) rpm)"));
    std::vector<std::string> volts;
    volts.push_back(fmt::format("{:.2f}", *s.types[5].overall.voltage_volts()));
    for (const auto& e : s.types[5].elements)
        volts.push_back(fmt::format("{:.2f}", *e.voltage_volts()));
    EXPECT_EQ(volts, grab(lines, R"(Voltage: ([0-9.]+) [Vv]olts)"));
    EXPECT_EQ(s.types[3].elements[4].field("actual_speed_code"), 7);
    EXPECT_EQ(s.types[7].elements[0].field("rqsted_on"), 1);
    EXPECT_EQ(s.types[6].elements[0].field("connector_type"), 5);
    EXPECT_EQ(s.types[0].elements[18].status_code(), 1);
    EXPECT_EQ(s.encode(), Bytes(a.page(2).begin(), a.page(2).end()));

    nlohmann::json j = s;
    EXPECT_EQ(j["types"][3]["elements"][4]["fan_speed_rpm"], 7500);
    EXPECT_EQ(j["types"][4]["elements"][1]["temperature_celsius"], 66);
    EXPECT_EQ(j["types"][6]["elements"][0]["connector_type_name"],
              "Mini SAS HD 4x receptacle (SFF-8644)");
}

TEST(SesThreshold, ArecaShortPage) {
    Areca a;
    auto c = Configuration::decode(a.page(1));
    auto t = ThresholdPage::decode(a.page(4), c);
    // Areca stops before the audible alarm type: 8 of 9 types, with a warning.
    ASSERT_EQ(t.types.size(), 8u);
    ASSERT_EQ(t.warnings.size(), 1u);
    EXPECT_NE(t.warnings[0].find("Audible alarm"), std::string::npos);
    EXPECT_EQ(t.types[4].elements[0], (Threshold{0x63, 0x50, 0x19, 0x14}));
    EXPECT_EQ(t.types[5].elements[1], (Threshold{0x7a, 0x77, 0x69, 0x66}));
    auto problems = check_consistency(c, {nullptr, &t, nullptr, nullptr});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("8 element types"), std::string::npos);

    auto lines = section(sg3("sg3inhex_ses_areca_all"), "Threshold In diagnostic page",
                         "Element Descriptor In");
    auto hc = grab(lines, R"(high critical=(\d+), high warning=)");
    ASSERT_EQ(hc.size(), 2u);
    nlohmann::json j = t;
    EXPECT_EQ(j["types"][4]["elements"][0]["high_critical_celsius"], std::stoi(hc[0]));
    EXPECT_EQ(j["types"][4]["elements"][1]["high_critical_celsius"], std::stoi(hc[1]));
    EXPECT_EQ(j["types"][4]["elements"][0]["low_warning_celsius"], 5);
    EXPECT_DOUBLE_EQ(j["types"][5]["elements"][0]["high_critical_percent"].get<double>(), 65.0);
    EXPECT_DOUBLE_EQ(j["types"][5]["elements"][1]["low_critical_percent"].get<double>(), 51.0);
    EXPECT_EQ(t.encode(), Bytes(a.page(4).begin(), a.page(4).end()));
}

TEST(SesElementDescriptors, ArecaNulTerminatedNames) {
    Areca a;
    auto c = Configuration::decode(a.page(1));
    auto d = ElementDescriptors::decode(a.page(5), c);
    EXPECT_TRUE(d.warnings.empty());
    ASSERT_EQ(d.types.size(), 9u);
    auto lines = section(sg3("sg3inhex_ses_areca_all"), "Element Descriptor In diagnostic page",
                         "Primary enclosure logical");
    auto names = grab(lines, R"(descriptor: (.*)$)");
    std::vector<std::string> mine;
    for (const auto& t : d.types) {
        mine.push_back(t.overall.text_string());
        for (const auto& e : t.elements) mine.push_back(e.text_string());
    }
    EXPECT_EQ(mine, names);
    EXPECT_EQ(d.name(0, 0), "SLOT 01");
    EXPECT_EQ(d.types[0].elements[0].text.size(), 8u);  // "SLOT 01\0" kept as sent
    EXPECT_EQ(d.name(3, 4), "CPUFan");
    EXPECT_EQ(d.encode(), Bytes(a.page(5).begin(), a.page(5).end()));
    EXPECT_TRUE(check_consistency(c, {nullptr, nullptr, &d, nullptr}).empty());
}

TEST(SesAdditional, ArecaSasSlotsAndExpander) {
    Areca a;
    auto c = Configuration::decode(a.page(1));
    auto p = AdditionalElementStatus::decode(a.page(6), c);
    ASSERT_EQ(p.descriptors.size(), 25u);
    for (std::size_t i = 0; i < 24; ++i) {
        const auto& d = p.descriptors[i];
        EXPECT_TRUE(d.eip);
        EXPECT_EQ(d.protocol, kProtocolSas);
        ASSERT_TRUE(d.element);
        EXPECT_EQ(d.element->type_index, 0u);
        EXPECT_EQ(d.element->element, i);
        const auto& sas = std::get<SasInfo>(d.info);
        EXPECT_EQ(sas.device_slot_number, i);
        ASSERT_EQ(sas.phys.size(), 1u);
    }
    const auto& disk = std::get<SasInfo>(p.find(0, 18)->info).phys[0];
    EXPECT_EQ(disk.device_type, 1);
    EXPECT_TRUE(disk.ssp_target);
    EXPECT_FALSE(disk.ssp_initiator);
    EXPECT_EQ(disk.sas_address, 0x5000c5003011cb29ull);
    EXPECT_EQ(disk.attached_sas_address, 0x5001b4d516ecc03full);
    const auto& edge = std::get<SasInfo>(p.find(0, 12)->info).phys[0];
    EXPECT_EQ(edge.device_type, 2);
    EXPECT_EQ(edge.phy_identifier, 20);

    // The expander descriptor carries element index 0: taken as the SAS expander element.
    const auto& ex = p.descriptors[24];
    ASSERT_TRUE(ex.element);
    EXPECT_EQ(ex.element->type, ElementType::sas_expander);
    EXPECT_EQ(ex.element_index, 0);
    const auto& exp = std::get<SasInfo>(ex.info);
    EXPECT_TRUE(exp.expander);
    EXPECT_EQ(exp.sas_address, 0x5001b4d516ecc03full);
    ASSERT_EQ(exp.expander_phys.size(), 36u);
    EXPECT_EQ(exp.expander_phys[0], (SasExpanderPhy{0xff, 0x0d}));
    EXPECT_EQ(exp.expander_phys[16], (SasExpanderPhy{0x02, 0xff}));
    EXPECT_EQ(p.warnings.size(), 1u);
    auto problems = check_consistency(c, {nullptr, nullptr, nullptr, &p});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("descriptor 24"), std::string::npos);

    // Against sg_ses: SAS addresses in order.
    auto lines = section(sg3("sg3inhex_ses_areca_all"), "Additional element status diagnostic",
                         "Supported SES diagnostic pages");
    auto sg_addresses = grab(lines, R"(^\s+SAS address: 0x([0-9a-f]+))");
    std::vector<std::string> mine;
    for (std::size_t i = 0; i < 24; ++i) {
        mine.push_back(
            fmt::format("{:x}", std::get<SasInfo>(p.descriptors[i].info).phys[0].sas_address));
    }
    mine.push_back(fmt::format("{:x}", exp.sas_address));
    EXPECT_EQ(mine, sg_addresses);
    EXPECT_EQ(p.encode(), Bytes(a.page(6).begin(), a.page(6).end()));
    nlohmann::json j = p;
    EXPECT_EQ(j["descriptors"][18]["protocol_specific"]["phys"][0]["sas_address"],
              "5000c5003011cb29");
    EXPECT_NE(j["descriptors"][18]["protocol_name"].get<std::string>().find("Serial Attached SCSI"),
              std::string::npos)
        << j["descriptors"][18]["protocol_name"];
}

TEST(SesOtherPages, ArecaStringMicrocodeNickname) {
    Areca a;
    auto s = StringPage::decode(a.page(3));
    EXPECT_EQ(s.data.size(), 46u);
    EXPECT_EQ(s.text(), "We have implemented String In Diagnostic Page\\x00");
    auto m = DownloadMicrocodeStatus::decode(a.page(8));
    ASSERT_EQ(m.subenclosures.size(), 1u);
    EXPECT_EQ(m.subenclosures[0].maximum_size_bytes, 1048576u);
    EXPECT_EQ(microcode_status_name(m.subenclosures[0].status),
              "No download microcode operation in progress");
    auto n = SubenclosureNicknames::decode(a.page(9));
    ASSERT_EQ(n.subenclosures.size(), 1u);
    EXPECT_EQ(n.subenclosures[0].nickname_text(), "Eval Board Nickname Simulator");
    EXPECT_EQ(m.encode(), Bytes(a.page(8).begin(), a.page(8).end()));
    EXPECT_EQ(n.encode(), Bytes(a.page(9).begin(), a.page(9).end()));

    NicknameControl nc;
    nc.subenclosure_id = 2;
    nc.generation_code = 9;
    nc.nickname.fill(' ');
    nc.nickname[0] = 'X';
    auto bytes = nc.encode();
    EXPECT_EQ(bytes.size(), 40u);
    EXPECT_EQ(bytes[1], 2);
    EXPECT_EQ(bytes[3], 36);
    EXPECT_EQ(NicknameControl::decode(bytes), nc);
}

TEST(SesOtherPages, EmcStringPagesAreLogs) {
    for (const auto* name :
         {"lsc_diag_04_1f40d9c0df96", "lsc_diag_04_2904abd44b33", "lsc_diag_04_67be9b637e56"}) {
        auto b = ses(name);
        auto s = StringPage::decode(b);
        EXPECT_TRUE(s.warnings.empty()) << name;
        EXPECT_EQ(s.data.size() + 4, b.size());
        EXPECT_NE(s.text().find('\n'), std::string::npos);
        EXPECT_EQ(s.encode(), b);
    }
    auto s = StringPage::decode(ses("lsc_diag_04_2904abd44b33"));
    EXPECT_EQ(s.text().substr(0, 16), "24:15:11:17:000 ");
}

TEST(SesOtherPages, VendorAndUnknownPagesKeptRaw) {
    for (const auto* name : {"lsc_diag_82_1a866a5f0795", "lsc_diag_11_38ea1c89a061"}) {
        auto b = ses(name);
        auto page = decode_page(b, nullptr);
        ASSERT_TRUE(std::holds_alternative<RawPage>(page)) << name;
        const auto& r = std::get<RawPage>(page);
        EXPECT_EQ(r.body.size() + 4, b.size());
        EXPECT_EQ(r.encode(), b);
    }
    nlohmann::json j = decode_page(ses("lsc_diag_82_1a866a5f0795"), nullptr);
    EXPECT_EQ(j["page_name"], "vendor specific");
    EXPECT_EQ(j["data"].get<std::string>().substr(0, 8), "48495441");
}

TEST(SesPages, DecodePagesOfArecaBuffer) {
    Areca a;
    auto pages = decode_pages(a.buffer);
    ASSERT_EQ(pages.size(), 10u);
    EXPECT_TRUE(std::holds_alternative<EnclosureStatus>(pages[2]));
    EXPECT_TRUE(std::holds_alternative<AdditionalElementStatus>(pages[6]));
    nlohmann::json j = pages;
    EXPECT_EQ(j.size(), 10u);
    Bytes joined;
    for (const auto& p : pages) {
        auto bytes = std::visit([](const auto& v) { return v.encode(); }, p);
        joined.insert(joined.end(), bytes.begin(), bytes.end());
        EXPECT_EQ(page_code(p), bytes[0]);
    }
    EXPECT_EQ(joined, a.buffer);
    // Without the configuration, element pages are kept raw with a warning.
    auto raw = decode_page(a.page(2), nullptr);
    ASSERT_TRUE(std::holds_alternative<RawPage>(raw));
    EXPECT_EQ(std::get<RawPage>(raw).warnings.size(), 1u);
}

TEST(SesPages, GenerationMismatchReported) {
    Areca a;
    auto c = Configuration::decode(a.page(1));
    auto s = EnclosureStatus::decode(a.page(2), c);
    s.generation_code = 1;
    s.types[0].elements.pop_back();
    auto problems = check_consistency(c, {&s, nullptr, nullptr, nullptr});
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_NE(problems[0].find("generation code 1"), std::string::npos);
    EXPECT_NE(problems[1].find("23 elements"), std::string::npos);
}

// decode(encode(x)) == x for every page model built from a capture. A page cut short keeps
// its truncation warning only in x: the re-encoded page is complete.
template <typename T, typename... Config>
void round_trip(ByteView page, const Config&... config) {
    auto x = T::decode(page, config...);
    auto y = T::decode(x.encode(), config...);
    if (page.size() < 4 || bytes::be16(page, 2) + 4u != page.size()) {
        x.warnings.clear();
        y.warnings.clear();
    }
    EXPECT_EQ(y, x) << (y.warnings.empty() ? std::string() : y.warnings.front());
}

TEST(SesRoundTrip, EveryCapturePage) {
    Areca a;
    auto c = Configuration::decode(a.page(1));
    round_trip<SupportedPages>(a.page(0));
    round_trip<Configuration>(a.page(1));
    round_trip<EnclosureStatus>(a.page(2), c);
    round_trip<EnclosureControl>(
        EnclosureControl::keeping(EnclosureStatus::decode(a.page(2), c)).encode(), c);
    round_trip<StringPage>(a.page(3));
    round_trip<ThresholdPage>(a.page(4), c);
    round_trip<ElementDescriptors>(a.page(5), c);
    round_trip<AdditionalElementStatus>(a.page(6), c);
    round_trip<SupportedPages>(a.page(7));
    round_trip<DownloadMicrocodeStatus>(a.page(8));
    round_trip<SubenclosureNicknames>(a.page(9));
    auto q = Configuration::decode(ses("lsc_diag_01_530abcca01d7"));
    round_trip<Configuration>(ses("lsc_diag_01_530abcca01d7"));
    round_trip<Configuration>(ses("lsc_diag_01_49516401c417"));
    round_trip<EnclosureStatus>(ses("lsc_diag_02_39e622962c60"), q);
    for (const auto* n :
         {"lsc_diag_00_215ca76178d2", "lsc_diag_00_4a87aff34bf6", "lsc_diag_00_c1b55d2260b4"}) {
        round_trip<SupportedPages>(ses(n));
        EXPECT_EQ(SupportedPages::decode(ses(n)).encode(), ses(n));
    }
    round_trip<RawPage>(ses("lsc_diag_82_1a866a5f0795"));
    EXPECT_EQ(Configuration::decode(ses("lsc_diag_01_49516401c417")).encode(),
              ses("lsc_diag_01_49516401c417"));
    // A page whose descriptors were cut short still round-trips what was decoded.
    auto cut = ByteView(a.page(6)).first(600);
    round_trip<AdditionalElementStatus>(cut, c);
    round_trip<EnclosureStatus>(ByteView(a.page(2)).first(101), c);
    round_trip<ElementDescriptors>(ByteView(a.page(5)).first(333), c);
    round_trip<Configuration>(ByteView(a.page(1)).first(150));
}

TEST(SesRoundTrip, ProtocolsBuiltByHand) {
    Configuration c;
    Subenclosure s;
    s.type_header_count = 3;
    c.subenclosures.push_back(s);
    c.types.push_back({ElementType::array_device_slot, 2, 0, {}});
    c.types.push_back({ElementType::scsi_target_port, 1, 0, {}});
    c.types.push_back({ElementType::device_slot, 1, 0, {}});

    AdditionalElementStatus p;
    AdditionalElement fc;
    fc.eip = true;
    fc.element_index = 0;
    fc.protocol = kProtocolFc;
    fc.info = FcInfo{3, 0x2000001122334455ull, {{1, 2, 3, 0x010203, 0x2100001122334455ull}}};
    p.descriptors.push_back(fc);
    AdditionalElement nvme;
    nvme.eip = true;
    nvme.eiioe = 1;
    nvme.element_index = 2;  // overall elements counted: slot 1
    nvme.protocol = kProtocolPcie;
    PcieInfo pi;
    pi.pcie_protocol_type = 1;
    pi.device_slot_number = 7;
    pi.vendor_id = 0x144d;
    pi.serial_number.fill(' ');
    pi.model_number.fill(' ');
    pi.ports.push_back({true, true, true, 0x0041, 0x3b, 0x1f, 0x5, 0x1abc});
    nvme.info = pi;
    p.descriptors.push_back(nvme);
    AdditionalElement port;
    port.protocol = kProtocolSas;
    SasInfo si;
    si.descriptor_type = 1;
    si.port_phys.push_back({4, 0xff, 0xff, 0x500a0b8000000001ull});
    port.info = si;
    p.descriptors.push_back(port);
    AdditionalElement bad;
    bad.invalid = true;
    bad.protocol = kProtocolSas;
    bad.raw = {0x01, 0x00};
    p.descriptors.push_back(bad);

    auto bytes = p.encode();
    auto back = AdditionalElementStatus::decode(bytes, c);
    EXPECT_TRUE(back.warnings.empty()) << back.warnings.front();
    ASSERT_EQ(back.descriptors.size(), 4u);
    EXPECT_EQ(back.descriptors[0].element, (ElementRef{0, ElementType::array_device_slot, 0, 0}));
    EXPECT_EQ(back.descriptors[1].element, (ElementRef{0, ElementType::array_device_slot, 0, 1}));
    EXPECT_EQ(back.descriptors[2].element, (ElementRef{1, ElementType::scsi_target_port, 0, 0}));
    EXPECT_EQ(back.descriptors[3].element, (ElementRef{2, ElementType::device_slot, 0, 0}));
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(back.descriptors[i].info, p.descriptors[i].info) << i;
        EXPECT_EQ(back.descriptors[i].raw, p.descriptors[i].raw) << i;
    }
    EXPECT_EQ(back.encode(), bytes);
    // PCIe little-endian fields land where the spec puts them.
    auto pos = 8 + (2 + 2 + 12 + 16) + 2 + 2;  // page header, FC descriptor, PCIe header
    EXPECT_EQ(bytes[pos + 6], 0x4d);
    EXPECT_EQ(bytes[pos + 7], 0x14);
    EXPECT_TRUE(check_consistency(c, {nullptr, nullptr, nullptr, &back}).empty());
}

// Every prefix of every capture decodes or throws camx::Error, with matching and unrelated
// configurations.
TEST(SesRobustness, EveryPrefixOfEveryCapture) {
    Areca a;
    std::vector<Configuration> configs{Configuration::decode(a.page(1)),
                                       Configuration::decode(ses("lsc_diag_01_530abcca01d7")),
                                       Configuration::decode(ses("lsc_diag_01_49516401c417"))};
    std::vector<Bytes> inputs;
    for (const auto& name : test::captures("ses")) {
        if (name != "sg3inhex_ses_areca_all") inputs.push_back(ses(name));
    }
    for (const auto& s : a.slices) inputs.emplace_back(s.bytes.begin(), s.bytes.end());
    std::size_t decoded = 0;
    std::size_t thrown = 0;
    for (const auto& input : inputs) {
        for (std::size_t len = 0; len <= input.size(); ++len) {
            ByteView b = ByteView(input).first(len);
            bool element_page = !input.empty() && (input[0] == 0x02 || input[0] == 0x05 ||
                                                   input[0] == 0x07 || input[0] == 0x0a);
            for (const auto& c : configs) {
                if (!element_page && &c != &configs.front()) break;
                try {
                    auto page = decode_page(b, &c);
                    // Rendering is exercised on a sample of the prefixes to keep this quick.
                    if (len % 16 == 0 || len + 8 > input.size()) nlohmann::json j = page;
                    ++decoded;
                } catch (const Error&) {
                    ++thrown;
                }
            }
            try {
                (void)split_pages(b);
                (void)decode_page(b, nullptr);
            } catch (const Error&) {
                ++thrown;
            }
        }
    }
    EXPECT_GT(decoded, thrown);
    for (std::size_t len = 0; len <= a.buffer.size(); ++len) {
        try {
            auto pages = decode_pages(ByteView(a.buffer).first(len));
            if (len % 64 == 0) nlohmann::json j = pages;
        } catch (const Error&) {
        }
    }
}

}  // namespace
}  // namespace camx::ses
