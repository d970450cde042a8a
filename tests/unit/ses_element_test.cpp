// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "camx/ses/configuration.hpp"
#include "camx/ses/element.hpp"
#include "camx/ses/enclosure_page.hpp"

namespace camx::ses {
namespace {

ElementStatus status(ElementType t, std::array<std::uint8_t, 4> raw) {
    return {t, raw};
}

TEST(SesElement, TypeNamesAndKeys) {
    EXPECT_EQ(element_type_name(ElementType::array_device_slot), "Array device slot");
    EXPECT_EQ(element_type_name(static_cast<ElementType>(0x81)), "vendor specific");
    EXPECT_EQ(element_type_name(static_cast<ElementType>(0x30)), "reserved");
    EXPECT_EQ(element_type_from_key("sas_connector"), ElementType::sas_connector);
    EXPECT_FALSE(element_type_from_key("nonsense"));
    for (unsigned c = 0; c <= 0x19; ++c) {
        auto t = static_cast<ElementType>(c);
        EXPECT_EQ(element_type_from_key(element_type_key(t)), t);
    }
    EXPECT_EQ(status_code_name(5), "Not installed");
    EXPECT_EQ(status_code_name(12), "reserved");
    EXPECT_EQ(connector_type_name(5), "Mini SAS HD 4x receptacle (SFF-8644)");
}

TEST(SesElement, SensorValues) {
    auto temp = status(ElementType::temperature_sensor, {0x01, 0x00, 0x45, 0x05});
    EXPECT_EQ(temp.temperature_celsius(), 49);
    EXPECT_EQ(temp.field("ot_warning"), 1);
    EXPECT_EQ(temp.field("ut_warning"), 1);
    EXPECT_FALSE(status(ElementType::temperature_sensor, {0, 0, 0, 0}).temperature_celsius());

    auto fan = status(ElementType::cooling, {0x01, 0x02, 0xee, 0x07});
    EXPECT_EQ(fan.fan_speed_rpm(), 7500);
    EXPECT_EQ(fan.field("actual_speed_code"), 7);
    auto fast = status(ElementType::cooling, {0x01, 0x12, 0x00, 0x07});  // factor 2: x100
    EXPECT_EQ(fast.fan_speed_rpm(), 51200);

    auto volts = status(ElementType::voltage_sensor, {0x01, 0x08, 0xff, 0x9c});  // -100 * 10 mV
    EXPECT_DOUBLE_EQ(*volts.voltage_volts(), -1.0);
    EXPECT_EQ(volts.field("warn_over"), 1);
    auto amps = status(ElementType::current_sensor, {0x01, 0x00, 0x01, 0x2c});
    EXPECT_DOUBLE_EQ(*amps.current_amps(), 3.0);
    EXPECT_FALSE(amps.voltage_volts());

    nlohmann::json j = fan;
    EXPECT_EQ(j["fan_speed_rpm"], 7500);
    EXPECT_EQ(j["status_code_name"], "OK");
    EXPECT_EQ(j["off"], false);
    nlohmann::json jt = temp;
    EXPECT_EQ(jt["temperature_celsius"], 49);
    nlohmann::json jv = volts;
    EXPECT_DOUBLE_EQ(jv["voltage_volts"].get<double>(), -1.0);
    nlohmann::json jc = status(ElementType::sas_connector, {0x01, 0x05, 0x00, 0x80});
    EXPECT_EQ(jc["connector_type"], 5);
    EXPECT_EQ(jc["mated"], true);
    nlohmann::json jx = status(static_cast<ElementType>(0x81), {0x01, 0xaa, 0xbb, 0xcc});
    EXPECT_EQ(jx["raw"], "01aabbcc");
}

TEST(SesElement, EveryTypeHasStatusFieldsThatFitTheElement) {
    for (unsigned c = 1; c <= 0x19; ++c) {
        auto t = static_cast<ElementType>(c);
        EXPECT_FALSE(status_fields(t).empty()) << c;
        for (const auto& f : status_fields(t)) EXPECT_LE(f.lo, f.hi) << f.name;
        for (const auto& f : control_fields(t)) EXPECT_LT(f.hi, 24) << f.name;
    }
}

TEST(SesElement, StatusToControlKeepsRequestedState) {
    // Array device slot: PRDFAIL, OK; DO NOT REMOVE, READY TO INSERT, IDENT, REPORT;
    // APP CLIENT BYPASSED B, FAULT SENSED, FAULT REQSTD, DEVICE OFF.
    auto s = status(ElementType::array_device_slot, {0x41, 0x80, 0x4b, 0xf0});
    auto c = control_from_status(s);
    EXPECT_EQ(c.raw, (std::array<std::uint8_t, 4>{0x40, 0x80, 0x4a, 0x30}));
    EXPECT_FALSE(c.select());
    c.set_select(true).request_ident(false);
    EXPECT_EQ(c.raw, (std::array<std::uint8_t, 4>{0xc0, 0x80, 0x48, 0x30}));

    // Device slot: the slot address in byte 1 has no control meaning.
    auto d = control_from_status(status(ElementType::device_slot, {0x01, 0x05, 0x02, 0x20}));
    EXPECT_EQ(d.raw, (std::array<std::uint8_t, 4>{0x00, 0x00, 0x02, 0x20}));
    EXPECT_EQ(d.field("rqst_ident"), 1);
    EXPECT_EQ(d.field("rqst_fault"), 1);

    // Cooling keeps RQST ON and the speed code, not OFF or HOT SWAP.
    auto f = control_from_status(status(ElementType::cooling, {0x01, 0x82, 0xee, 0xb5}));
    EXPECT_EQ(f.raw, (std::array<std::uint8_t, 4>{0x00, 0x80, 0x00, 0x25}));

    // Vendor specific: nothing is known to keep.
    auto v = control_from_status(status(static_cast<ElementType>(0x90), {0x61, 0xff, 0xff, 0xff}));
    EXPECT_EQ(v.raw, (std::array<std::uint8_t, 4>{0x60, 0, 0, 0}));
}

TEST(SesElement, ControlFieldsAndRequests) {
    ElementControl c{ElementType::power_supply, {}};
    c.request_fault(true).request_ident(true).set("rqst_on", 1);
    EXPECT_EQ(c.raw, (std::array<std::uint8_t, 4>{0x00, 0x80, 0x00, 0x60}));
    EXPECT_THROW(c.set("rqst_fault", 1), Error);
    EXPECT_THROW(c.set("rqst_on", 2), Error);

    ElementControl e{ElementType::enclosure, {}};
    e.request_fault(true).set("power_cycle_request", 1).set("power_cycle_delay", 5);
    EXPECT_EQ(e.raw, (std::array<std::uint8_t, 4>{0x00, 0x00, 0x45, 0x02}));

    ElementControl inv{ElementType::invalid_operation_reason, {}};
    EXPECT_THROW(inv.request_ident(true), Error);
    EXPECT_THROW(inv.request_fault(true), Error);

    ElementControl slot{ElementType::device_slot, {}};
    slot.set("rqst_insert", 1).set("rqst_remove", 1).set("do_not_remove", 1).set("rqst_active", 1);
    slot.set("device_off", 1);
    EXPECT_EQ(slot.raw, (std::array<std::uint8_t, 4>{0x00, 0x00, 0xcc, 0x10}));
    nlohmann::json j = slot;
    EXPECT_EQ(j["rqst_insert"], true);
    EXPECT_EQ(j["rqst_fault"], false);
}

Configuration small_config() {
    Configuration c;
    c.generation_code = 7;
    Subenclosure s;
    s.es_process_count = 1;
    s.relative_es_process_id = 1;
    s.type_header_count = 2;
    s.logical_identifier = 0x5000000000000001ull;
    c.subenclosures.push_back(s);
    c.types.push_back({ElementType::device_slot, 2, 0, Bytes{'S', 'l', 'o', 't'}});
    c.types.push_back({ElementType::cooling, 1, 0, Bytes{'F', 'a', 'n'}});
    return c;
}

TEST(SesControlPage, EncodesHandBuiltBytes) {
    auto config = small_config();
    auto ctl = EnclosureControl::blank(config);
    ctl.crit = true;
    ctl.element(0, 1).set_select(true).request_ident(true).request_fault(true);
    ctl.element(1, 0).set_select(true).set("rqst_on", 1).set("requested_speed_code", 3);
    Bytes want{0x02, 0x02, 0x00, 0x18, 0x00, 0x00, 0x00, 0x07,  // header, generation 7
               0x00, 0x00, 0x00, 0x00,                          // slot overall
               0x00, 0x00, 0x00, 0x00,                          // slot 0 untouched
               0x80, 0x00, 0x02, 0x20,                          // slot 1 RQST IDENT, RQST FAULT
               0x00, 0x00, 0x00, 0x00,                          // cooling overall
               0x80, 0x00, 0x00, 0x23};                         // fan RQST ON, speed code 3
    EXPECT_EQ(ctl.encode(), want);
    auto back = EnclosureControl::decode(want, config);
    EXPECT_EQ(back, ctl);
    EXPECT_TRUE(back.warnings.empty());
    EXPECT_THROW(ctl.element(0, 2), Error);
    EXPECT_THROW(ctl.overall(2), Error);
}

TEST(SesControlPage, KeepingBuildsFromStatus) {
    auto config = small_config();
    Bytes status_page{0x02, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00,
                      0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01, 0x01, 0x00, 0x20,
                      0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0xee, 0x27};
    auto st = EnclosureStatus::decode(status_page, config);
    ASSERT_TRUE(st.warnings.empty());
    EXPECT_EQ(st.encode(), status_page);
    auto ctl = EnclosureControl::keeping(st);
    EXPECT_EQ(ctl.generation_code, 7u);
    EXPECT_EQ(ctl.element(0, 0).field("rqst_ident"), 1);
    EXPECT_EQ(ctl.element(0, 1).field("rqst_fault"), 1);
    EXPECT_EQ(ctl.element(1, 0).field("rqst_on"), 1);
    EXPECT_EQ(ctl.element(1, 0).field("requested_speed_code"), 7);
    for (const auto& t : ctl.types) {
        EXPECT_FALSE(t.overall.select());
        for (const auto& e : t.elements) EXPECT_FALSE(e.select());
    }
}

TEST(SesConfiguration, EncodeDecodeAndIndex) {
    auto config = small_config();
    auto bytes = config.encode();
    auto back = Configuration::decode(bytes);
    EXPECT_EQ(back, config);
    EXPECT_TRUE(back.warnings.empty());

    ElementIndex index(config);
    EXPECT_EQ(index.individual_count(), 3u);
    EXPECT_EQ(index.total_count(), 5u);
    EXPECT_EQ(index.resolve(2, false), (ElementRef{1, ElementType::cooling, 0, 0}));
    EXPECT_EQ(index.resolve(2, true), (ElementRef{0, ElementType::device_slot, 0, 1}));
    EXPECT_EQ(index.resolve(3, true), (ElementRef{1, ElementType::cooling, 0, std::nullopt}));
    EXPECT_FALSE(index.resolve(3, false));
    EXPECT_FALSE(index.resolve(5, true));
    EXPECT_EQ(index.index_of({1, ElementType::cooling, 0, 0}, true), 4u);
    EXPECT_EQ(index.index_of({1, ElementType::cooling, 0, 0}, false), 2u);
    EXPECT_FALSE(index.index_of({1, ElementType::cooling, 0, std::nullopt}, false));
}

}  // namespace
}  // namespace camx::ses
