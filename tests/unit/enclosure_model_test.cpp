// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "camx/enclosure/changes.hpp"
#include "camx/enclosure/enclosure.hpp"
#include "camx/error/error.hpp"
#include "capture.hpp"

namespace camx::enclosure {
namespace {

constexpr const char* kAreca = "sg3inhex_ses_areca_all";

Enclosure areca() {
    return Enclosure::from_pages(Pages::split(test::capture("ses", kAreca)), "inhex:areca");
}

// One element as sg_ses shows it: type header index, element number (-1 overall).
using Key = std::pair<int, int>;

// The section of an sg3 decode that starts at a line beginning with header.
std::vector<std::string> section(const std::string& text, const std::string& header) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != ' ') {
            inside = line.rfind(header, 0) == 0;
            continue;
        }
        if (inside) out.push_back(line);
    }
    return out;
}

// "status: X" of each element of the Enclosure Status section.
std::map<Key, std::string> sg3_statuses(const std::string& text) {
    std::map<Key, std::string> out;
    const std::regex type_re(R"(\[ti=(\d+)\])");
    const std::regex elem_re(R"(^\s+Element (\d+) descriptor:)");
    const std::regex status_re(R"(status: (.+)$)");
    int ti = -1;
    int n = -2;
    std::smatch m;
    for (const auto& line : section(text, "Enclosure Status diagnostic page")) {
        if (std::regex_search(line, m, type_re)) {
            ti = std::stoi(m[1]);
        } else if (line.find("Overall descriptor:") != std::string::npos) {
            n = -1;
        } else if (std::regex_search(line, m, elem_re)) {
            n = std::stoi(m[1]);
        } else if (std::regex_search(line, m, status_re)) {
            out[{ti, n}] = m[1];
        }
    }
    return out;
}

// Element descriptor texts of the Element Descriptor section.
std::map<Key, std::string> sg3_descriptors(const std::string& text) {
    std::map<Key, std::string> out;
    const std::regex type_re(R"(\[ti=(\d+)\])");
    const std::regex overall_re(R"(Overall descriptor: (.*)$)");
    const std::regex elem_re(R"(Element (\d+) descriptor: (.*)$)");
    int ti = -1;
    std::smatch m;
    for (const auto& line : section(text, "Element Descriptor In diagnostic page")) {
        if (std::regex_search(line, m, type_re)) {
            ti = std::stoi(m[1]);
        } else if (std::regex_search(line, m, overall_re)) {
            out[{ti, -1}] = m[1];
        } else if (std::regex_search(line, m, elem_re)) {
            out[{ti, std::stoi(m[1])}] = m[2];
        }
    }
    return out;
}

std::string trimmed(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

TEST(EnclosureModel, ArecaCountsAndTypes) {
    const auto e = areca();
    EXPECT_EQ(e.vendor, "Areca");
    EXPECT_EQ(e.product, "ARC-802801.33.63");
    EXPECT_EQ(e.revision, "0133");
    EXPECT_EQ(e.logical_identifier, 0xd5b401503fc0ec16u);
    EXPECT_EQ(e.naa, e.logical_identifier);  // no VPD 0x83 in a capture
    EXPECT_EQ(e.generation_code, 0u);
    ASSERT_EQ(e.configuration.types.size(), 9u);
    // 24 slots, enclosure, expander, 5 fans, 2 temperatures, 2 voltages, 3 connectors,
    // 2 power supplies, alarm; plus one overall element per type.
    EXPECT_EQ(e.elements.size(), 41u + 9u);
    EXPECT_EQ(e.slots().size(), 24u);
    const auto counts = e.counts();
    ASSERT_EQ(counts.size(), 9u);
    EXPECT_EQ(counts[0].type, ses::ElementType::array_device_slot);
    EXPECT_EQ(counts[0].count, 24u);
    EXPECT_EQ(counts[3].type, ses::ElementType::cooling);
    EXPECT_EQ(counts[3].count, 5u);
    EXPECT_EQ(counts[8].type, ses::ElementType::audible_alarm);
    ASSERT_TRUE(e.status && e.descriptors && e.additional && e.thresholds);
}

TEST(EnclosureModel, ArecaNumbering) {
    const auto e = areca();
    const auto& first = e.elements[0];
    EXPECT_TRUE(first.is_overall());
    EXPECT_FALSE(first.individual_index);
    const auto& slot0 = e.elements[1];
    EXPECT_EQ(slot0.index, 1u);
    EXPECT_EQ(slot0.individual_index, 0u);
    EXPECT_EQ(slot0.number, 0u);
    // The enclosure element: after the 25 slot elements and its own overall element.
    const auto& enc = e.elements[26];
    EXPECT_EQ(enc.type, ses::ElementType::enclosure);
    EXPECT_EQ(enc.number, 0u);
    EXPECT_EQ(enc.individual_index, 24u);
    EXPECT_EQ(enc.type_index, 1u);
}

TEST(EnclosureModel, ArecaStatusesAgreeWithSgSes) {
    const auto e = areca();
    const auto expected = sg3_statuses(test::capture_text("ses", kAreca, "sg3.txt"));
    ASSERT_EQ(expected.size(), e.elements.size());
    for (const auto& el : e.elements) {
        const Key k{static_cast<int>(el.type_index), el.number ? static_cast<int>(*el.number) : -1};
        ASSERT_TRUE(expected.count(k)) << el.index;
        EXPECT_EQ(el.status_name(), expected.at(k)) << "element " << el.index;
    }
    // Spot checks of decoded values (sg_ses: 49 C, 66 C, 7500 rpm, 0.94 V, 1.80 V).
    EXPECT_EQ(e.elements[1 + 18].status_name(), "OK");  // SLOT 19 holds a disk
    const auto temp = [&](std::size_t type, std::size_t n) -> const Element& {
        for (const auto& el : e.elements) {
            if (el.type_index == type && el.number == n) return el;
        }
        throw std::runtime_error("no element");
    };
    EXPECT_EQ(temp(4, 0).status->temperature_celsius(), 49);
    EXPECT_EQ(temp(4, 1).status->temperature_celsius(), 66);
    EXPECT_EQ(temp(3, 4).status->fan_speed_rpm(), 7500);
    EXPECT_NEAR(*temp(5, 0).status->voltage_volts(), 0.94, 1e-9);
    EXPECT_NEAR(*temp(5, 1).status->voltage_volts(), 1.80, 1e-9);
}

TEST(EnclosureModel, ArecaDescriptorsAgreeWithSgSes) {
    const auto e = areca();
    const auto expected = sg3_descriptors(test::capture_text("ses", kAreca, "sg3.txt"));
    ASSERT_EQ(expected.size(), e.elements.size());
    for (const auto& el : e.elements) {
        const Key k{static_cast<int>(el.type_index), el.number ? static_cast<int>(*el.number) : -1};
        EXPECT_EQ(el.descriptor, trimmed(expected.at(k))) << "element " << el.index;
    }
    EXPECT_EQ(e.elements[1].descriptor, "SLOT 01");
    EXPECT_EQ(e.elements[24].descriptor, "SLOT 24");
}

TEST(EnclosureModel, ArecaSlotNumbersAndAddresses) {
    const auto e = areca();
    const auto slots = e.slots();
    for (std::size_t n = 0; n < slots.size(); ++n) {
        // sg_ses: "device slot number: n" for element index n.
        EXPECT_EQ(slots[n]->slot_number, n);
        EXPECT_EQ(slots[n]->slot_number_source, "additional_status");
        ASSERT_EQ(slots[n]->sas_addresses.size(), 1u);
    }
    EXPECT_EQ(slots[0]->sas_addresses[0], 0u);
    EXPECT_EQ(slots[12]->sas_addresses[0], 0x5001517e85c3efffu);
    EXPECT_EQ(slots[12]->attached_sas_addresses[0], 0x5001b4d516ecc03fu);
    EXPECT_EQ(slots[18]->sas_addresses[0], 0x5000c5003011cb29u);
    EXPECT_EQ(slots[18]->attached_sas_addresses[0], 0x5001b4d516ecc03fu);
}

TEST(EnclosureModel, ArecaHealth) {
    const auto e = areca();
    // The status page sets CRIT; no element reports a critical status code.
    EXPECT_TRUE(e.status->crit);
    EXPECT_EQ(e.page_health(), Health::critical);
    EXPECT_EQ(e.element_health(), Health::ok);
    EXPECT_EQ(e.health(), Health::critical);
}

// The Areca pages with one status byte changed (offset into the status page).
Enclosure areca_with_status(std::size_t offset, std::uint8_t value) {
    auto pages = Pages::split(test::capture("ses", kAreca));
    pages.status.at(offset) = value;
    return Enclosure::from_pages(std::move(pages));
}

TEST(EnclosureModel, HealthFromElementCodes) {
    // Byte 1 of the status page holds the summary bits; clear them first.
    EXPECT_EQ(areca_with_status(1, 0x00).health(), Health::ok);
    auto pages = Pages::split(test::capture("ses", kAreca));
    pages.status[1] = 0;
    const std::size_t slot19 = 8 + 4 * (1 + 18);
    for (const auto& [code, want] :
         std::vector<std::pair<std::uint8_t, Health>>{{1, Health::ok},
                                                      {3, Health::noncritical},
                                                      {2, Health::critical},
                                                      {4, Health::unrecoverable},
                                                      {5, Health::ok},
                                                      {6, Health::ok}}) {
        auto p = pages;
        p.status[slot19] = code;
        const auto e = Enclosure::from_pages(std::move(p));
        EXPECT_EQ(e.element_health(), want) << int(code);
        EXPECT_EQ(e.page_health(), Health::ok);
        EXPECT_EQ(e.health(), want);
    }
}

TEST(EnclosureModel, PageHealthBits) {
    // Byte 1: INVOP 0x10, INFO 0x08, NON-CRIT 0x04, CRIT 0x02, UNRECOV 0x01.
    EXPECT_EQ(areca_with_status(1, 0x08).page_health(), Health::ok);
    EXPECT_EQ(areca_with_status(1, 0x04).page_health(), Health::noncritical);
    EXPECT_EQ(areca_with_status(1, 0x06).page_health(), Health::critical);
    EXPECT_EQ(areca_with_status(1, 0x07).page_health(), Health::unrecoverable);
}

TEST(EnclosureModel, PhysicalPaths) {
    const auto e = areca();
    // Areca NUL-terminates "SLOT 01" inside its 8-byte descriptor: FreeBSD writes the NUL as '_'.
    EXPECT_EQ(e.elements[1].physical_path,
              "id1,enc@nd5b401503fc0ec16/type@0/slot@0/elmdesc@SLOT_01_");
    EXPECT_EQ(e.elements[24].physical_path,
              "id1,enc@nd5b401503fc0ec16/type@0/slot@17/elmdesc@SLOT_24_");
    EXPECT_TRUE(e.elements[0].physical_path.empty());   // overall
    EXPECT_TRUE(e.elements[26].physical_path.empty());  // not a slot

    const Bytes odd{'a', ' ', 'b', '/', 'c', 0x01, 0x7f, 'Z'};
    EXPECT_EQ(physical_path(0x5000c50012345678u, 0x1a, 0xb, odd),
              "id1,enc@n5000c50012345678/type@1a/slot@b/elmdesc@a_b_c__Z");
    EXPECT_EQ(physical_path(0x50000000000000ffu, 2, 3, {}),
              "id1,enc@n50000000000000ff/type@2/slot@3");
    // With the NAA from VPD 0x83, the path uses it instead of the logical identifier.
    const auto withnaa =
        Enclosure::from_pages(Pages::split(test::capture("ses", kAreca)), "x", 0x5001b4d516ecc03fu);
    EXPECT_EQ(withnaa.elements[19].physical_path,
              "id1,enc@n5001b4d516ecc03f/type@0/slot@12/elmdesc@SLOT_19_");
}

TEST(EnclosureModel, ConfigurationOnlyCaptures) {
    for (const char* name : {"lsc_diag_01_49516401c417", "lsc_diag_01_530abcca01d7"}) {
        Pages p = Pages::split(test::capture("ses", name));
        const auto e = Enclosure::from_pages(std::move(p), name);
        EXPECT_FALSE(e.status);
        // Expected counts from sg_ses: "number of possible elements" lines summed.
        const auto text = test::capture_text("ses", name, "sg3.txt");
        const std::regex re(R"(number of possible elements: (\d+))");
        std::size_t want = 0, types = 0;
        for (auto it = std::sregex_iterator(text.begin(), text.end(), re);
             it != std::sregex_iterator(); ++it) {
            want += std::stoul((*it)[1]);
            ++types;
        }
        ASSERT_GT(types, 0u) << name;
        EXPECT_EQ(e.elements.size(), want + types) << name;
        EXPECT_EQ(e.health(), Health::ok) << name;
        for (const auto& el : e.elements) EXPECT_EQ(el.status_name(), "absent");
    }
}

TEST(EnclosureModel, NoConfigurationIsMalformed) {
    Pages p = Pages::split(test::capture("ses", "lsc_diag_02_39e622962c60"));
    EXPECT_FALSE(p.status.empty());
    try {
        Enclosure::from_pages(std::move(p));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::malformed);
    }
}

TEST(EnclosureModel, EveryPrefixDecodesOrThrows) {
    const auto all = test::capture("ses", kAreca);
    for (std::size_t n = 0; n <= all.size(); ++n) {
        try {
            const auto e = Enclosure::from_pages(Pages::split(ByteView(all).first(n)));
            // Rendering every prefix is slow in debug builds; every 16th covers each page.
            if (n % 16 == 0 || n == all.size()) {
                nlohmann::json j = e;
                EXPECT_TRUE(j.is_object());
            }
        } catch (const Error&) {
        }
    }
}

TEST(EnclosureModel, EveryCaptureBuildsOrThrows) {
    for (const auto& name : test::captures("ses")) {
        try {
            const auto e = Enclosure::from_pages(Pages::split(test::capture("ses", name)), name);
            nlohmann::json j = e;
            EXPECT_EQ(j["element_count"].get<std::size_t>() + e.configuration.types.size(),
                      e.elements.size());
        } catch (const Error& err) {
            EXPECT_EQ(err.category(), Category::malformed) << name;
        }
    }
}

TEST(EnclosureModel, Json) {
    const nlohmann::json j = areca();
    EXPECT_EQ(j["vendor"], "Areca");
    EXPECT_EQ(j["id"], "d5b401503fc0ec16");
    EXPECT_EQ(j["health"], "critical");
    EXPECT_EQ(j["slot_count"], 24);
    EXPECT_EQ(j["element_count"], 41);
    EXPECT_EQ(j["elements"].size(), 50u);
    const auto& slot = j["elements"][19];
    EXPECT_EQ(slot["element_type"], 0x17);
    EXPECT_EQ(slot["element_type_name"], "Array device slot");
    EXPECT_EQ(slot["descriptor"], "SLOT 19");
    EXPECT_EQ(slot["slot_number"], 18);
    EXPECT_EQ(slot["sas_addresses"][0], "0x5000c5003011cb29");
    EXPECT_EQ(slot["status"]["status_code"], 1);
    EXPECT_TRUE(slot["disk"].is_null());
    const auto& temp = j["elements"][36];
    EXPECT_EQ(temp["element_type_name"], "Temperature sensor");
    EXPECT_EQ(temp["status"]["temperature_celsius"], 49);
    EXPECT_TRUE(j["elements"][0]["individual_index"].is_null());
}

TEST(EnclosureChanges, StatusGenerationAndHealth) {
    const auto before = areca();
    EXPECT_TRUE(diff(before, before).empty());

    auto pages = Pages::split(test::capture("ses", kAreca));
    pages.status[8 + 4 * (1 + 18)] = 0x02;  // SLOT 19 critical
    pages.status[1] = 0x00;                 // summary bits cleared
    const auto after = Enclosure::from_pages(std::move(pages));
    const auto changes = diff(before, after);
    ASSERT_EQ(changes.size(), 1u);  // critical before (page bit) and after (element)
    EXPECT_EQ(changes[0].kind, Change::Kind::element_status);
    EXPECT_EQ(changes[0].after->index, 19u);
    EXPECT_EQ(
        describe(changes[0]),
        "element 19 (Array device slot, SLOT 19): OK -> Critical [01 00 00 00 -> 02 00 00 00]");
    const nlohmann::json j = changes[0];
    EXPECT_EQ(j["kind"], "element_status");
    EXPECT_EQ(j["status_after"]["status_code"], 2);

    auto p2 = Pages::split(test::capture("ses", kAreca));
    p2.status[1] = 0;
    for (auto* b :
         {&p2.configuration, &p2.status, &p2.descriptors, &p2.additional, &p2.thresholds}) {
        (*b)[7] = 5;  // generation code 5 everywhere
    }
    const auto regen = Enclosure::from_pages(std::move(p2));
    const auto c2 = diff(before, regen);
    ASSERT_EQ(c2.size(), 2u);
    EXPECT_EQ(c2[0].kind, Change::Kind::generation_code);
    EXPECT_EQ(describe(c2[0]), "generation code 0x0 -> 0x5");
    EXPECT_EQ(c2[1].kind, Change::Kind::health);
    EXPECT_EQ(describe(c2[1]), "health critical -> ok");
}

}  // namespace
}  // namespace camx::enclosure
