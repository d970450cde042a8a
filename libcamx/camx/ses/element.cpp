// SPDX-License-Identifier: BSD-2-Clause
#include "camx/ses/element.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace camx::ses {
namespace {

// Bit position in the 24-bit word of element bytes 1..3.
constexpr std::uint8_t pos(unsigned byte, unsigned bit) {
    return static_cast<std::uint8_t>((3 - byte) * 8 + bit);
}
constexpr Field flag(std::string_view n, unsigned byte, unsigned bit) {
    return {n, pos(byte, bit), pos(byte, bit)};
}
constexpr Field num(std::string_view n, unsigned byte_hi, unsigned bit_hi, unsigned byte_lo,
                    unsigned bit_lo, bool is_signed = false) {
    return {n, pos(byte_hi, bit_hi), pos(byte_lo, bit_lo), is_signed};
}

// Status fields, SES-3 7.3.
constexpr Field st_slot[] = {
    num("slot_address", 1, 7, 1, 0),
    flag("app_client_bypassed_a", 2, 7),
    flag("do_not_remove", 2, 6),
    flag("enclosure_bypassed_a", 2, 5),
    flag("enclosure_bypassed_b", 2, 4),
    flag("ready_to_insert", 2, 3),
    flag("rmv", 2, 2),
    flag("ident", 2, 1),
    flag("report", 2, 0),
    flag("app_client_bypassed_b", 3, 7),
    flag("fault_sensed", 3, 6),
    flag("fault_reqstd", 3, 5),
    flag("device_off", 3, 4),
    flag("bypassed_a", 3, 3),
    flag("bypassed_b", 3, 2),
    flag("device_bypassed_a", 3, 1),
    flag("device_bypassed_b", 3, 0),
};
constexpr Field st_array_slot[] = {
    flag("ok", 1, 7),
    flag("rsvd_device", 1, 6),
    flag("hot_spare", 1, 5),
    flag("cons_chk", 1, 4),
    flag("in_crit_array", 1, 3),
    flag("in_failed_array", 1, 2),
    flag("rebuild_remap", 1, 1),
    flag("r_r_abort", 1, 0),
    flag("app_client_bypassed_a", 2, 7),
    flag("do_not_remove", 2, 6),
    flag("enclosure_bypassed_a", 2, 5),
    flag("enclosure_bypassed_b", 2, 4),
    flag("ready_to_insert", 2, 3),
    flag("rmv", 2, 2),
    flag("ident", 2, 1),
    flag("report", 2, 0),
    flag("app_client_bypassed_b", 3, 7),
    flag("fault_sensed", 3, 6),
    flag("fault_reqstd", 3, 5),
    flag("device_off", 3, 4),
    flag("bypassed_a", 3, 3),
    flag("bypassed_b", 3, 2),
    flag("device_bypassed_a", 3, 1),
    flag("device_bypassed_b", 3, 0),
};
constexpr Field st_power_supply[] = {
    flag("ident", 1, 7),
    flag("do_not_remove", 1, 6),
    flag("dc_over_voltage", 2, 3),
    flag("dc_under_voltage", 2, 2),
    flag("dc_over_current", 2, 1),
    flag("hot_swap", 3, 7),
    flag("fail", 3, 6),
    flag("rqsted_on", 3, 5),
    flag("off", 3, 4),
    flag("overtmp_fail", 3, 3),
    flag("temp_warn", 3, 2),
    flag("ac_fail", 3, 1),
    flag("dc_fail", 3, 0),
};
constexpr Field st_cooling[] = {
    flag("ident", 1, 7),
    flag("do_not_remove", 1, 6),
    num("fan_speed_factor", 1, 4, 1, 3),
    num("actual_fan_speed", 1, 2, 2, 0),
    flag("hot_swap", 3, 7),
    flag("fail", 3, 6),
    flag("rqsted_on", 3, 5),
    flag("off", 3, 4),
    num("actual_speed_code", 3, 2, 3, 0),
};
constexpr Field st_temperature[] = {
    flag("ident", 1, 7),      flag("fail", 1, 6),       num("temperature", 2, 7, 2, 0),
    flag("ot_failure", 3, 3), flag("ot_warning", 3, 2), flag("ut_failure", 3, 1),
    flag("ut_warning", 3, 0),
};
constexpr Field st_door[] = {flag("ident", 1, 7), flag("fail", 1, 6), flag("open", 3, 1),
                             flag("unlocked", 3, 0)};
constexpr Field st_audible_alarm[] = {
    flag("ident", 1, 7),    flag("fail", 1, 6),   flag("rqst_mute", 3, 7),
    flag("muted", 3, 6),    flag("remind", 3, 4), flag("info", 3, 3),
    flag("non_crit", 3, 2), flag("crit", 3, 1),   flag("unrecov", 3, 0),
};
constexpr Field st_esce[] = {flag("ident", 1, 7), flag("fail", 1, 6), flag("do_not_remove", 1, 5),
                             flag("report", 2, 0), flag("hot_swap", 3, 7)};
constexpr Field st_scc[] = {flag("ident", 1, 7), flag("fail", 1, 6), flag("report", 2, 0)};
constexpr Field st_nv_cache[] = {flag("ident", 1, 7), flag("fail", 1, 6),
                                 num("size_multiplier", 1, 1, 1, 0),
                                 num("nonvolatile_cache_size", 2, 7, 3, 0)};
constexpr Field st_invop[] = {num("invop_type", 1, 7, 1, 6),
                              num("invop_type_specific", 1, 5, 3, 0)};
constexpr Field st_ups[] = {
    num("battery_status", 1, 7, 1, 0),
    flag("ac_lo", 2, 7),
    flag("ac_hi", 2, 6),
    flag("ac_qual", 2, 5),
    flag("ac_fail", 2, 4),
    flag("dc_fail", 2, 3),
    flag("ups_fail", 2, 2),
    flag("warn", 2, 1),
    flag("intf_fail", 2, 0),
    flag("ident", 3, 7),
    flag("fail", 3, 6),
    flag("do_not_remove", 3, 5),
    flag("batt_fail", 3, 1),
    flag("bpf", 3, 0),
};
constexpr Field st_display[] = {flag("ident", 1, 7), flag("fail", 1, 6),
                                num("display_mode_status", 1, 1, 1, 0),
                                num("display_character_status", 2, 7, 3, 0)};
constexpr Field st_ident_fail[] = {flag("ident", 1, 7), flag("fail", 1, 6)};
constexpr Field st_enclosure[] = {
    flag("ident", 1, 7),
    num("time_until_power_cycle", 2, 7, 2, 2),
    flag("failure_indication", 2, 1),
    flag("warning_indication", 2, 0),
    num("requested_power_off_duration", 3, 7, 3, 2),
    flag("failure_requested", 3, 1),
    flag("warning_requested", 3, 0),
};
constexpr Field st_port_transceiver[] = {flag("ident", 1, 7),  flag("fail", 1, 6),
                                         flag("report", 2, 0), flag("disabled", 3, 4),
                                         flag("lol", 3, 1),    flag("xmit_fail", 3, 0)};
constexpr Field st_language[] = {flag("ident", 1, 7), num("language_code", 2, 7, 3, 0)};
constexpr Field st_comm_port[] = {flag("ident", 1, 7), flag("fail", 1, 6), flag("disabled", 3, 0)};
constexpr Field st_voltage[] = {
    flag("ident", 1, 7),
    flag("fail", 1, 6),
    flag("warn_over", 1, 3),
    flag("warn_under", 1, 2),
    flag("crit_over", 1, 1),
    flag("crit_under", 1, 0),
    num("voltage", 2, 7, 3, 0, true),
};
constexpr Field st_current[] = {flag("ident", 1, 7), flag("fail", 1, 6), flag("warn_over", 1, 3),
                                flag("crit_over", 1, 1), num("current", 2, 7, 3, 0)};
constexpr Field st_scsi_port[] = {flag("ident", 1, 7), flag("fail", 1, 6), flag("report", 2, 0),
                                  flag("enabled", 3, 0)};
constexpr Field st_simple_subenc[] = {flag("ident", 1, 7), flag("fail", 1, 6),
                                      num("short_enclosure_status", 3, 7, 3, 0)};
constexpr Field st_sas_connector[] = {
    flag("ident", 1, 7),
    num("connector_type", 1, 6, 1, 0),
    num("connector_physical_link", 2, 7, 2, 0),
    flag("mated", 3, 7),
    flag("fail", 3, 6),
    flag("overcurrent", 3, 5),
};

// Control fields, SES-3 7.3.
constexpr Field ct_slot[] = {
    flag("rqst_active", 2, 7),  flag("do_not_remove", 2, 6), flag("rqst_missing", 2, 4),
    flag("rqst_insert", 2, 3),  flag("rqst_remove", 2, 2),   flag("rqst_ident", 2, 1),
    flag("rqst_fault", 3, 5),   flag("device_off", 3, 4),    flag("enable_byp_a", 3, 3),
    flag("enable_byp_b", 3, 2),
};
constexpr Field ct_array_slot[] = {
    flag("rqst_ok", 1, 7),
    flag("rqst_rsvd_device", 1, 6),
    flag("rqst_hot_spare", 1, 5),
    flag("rqst_cons_check", 1, 4),
    flag("rqst_in_crit_array", 1, 3),
    flag("rqst_in_failed_array", 1, 2),
    flag("rqst_rebuild_remap", 1, 1),
    flag("rqst_r_r_abort", 1, 0),
    flag("rqst_active", 2, 7),
    flag("do_not_remove", 2, 6),
    flag("rqst_missing", 2, 4),
    flag("rqst_insert", 2, 3),
    flag("rqst_remove", 2, 2),
    flag("rqst_ident", 2, 1),
    flag("rqst_fault", 3, 5),
    flag("device_off", 3, 4),
    flag("enable_byp_a", 3, 3),
    flag("enable_byp_b", 3, 2),
};
constexpr Field ct_power_supply[] = {flag("rqst_ident", 1, 7), flag("do_not_remove", 1, 6),
                                     flag("rqst_fail", 3, 6), flag("rqst_on", 3, 5)};
constexpr Field ct_cooling[] = {flag("rqst_ident", 1, 7), flag("do_not_remove", 1, 6),
                                flag("rqst_fail", 3, 6), flag("rqst_on", 3, 5),
                                num("requested_speed_code", 3, 2, 3, 0)};
constexpr Field ct_ident_fail[] = {flag("rqst_ident", 1, 7), flag("rqst_fail", 1, 6)};
constexpr Field ct_door[] = {flag("rqst_ident", 1, 7), flag("rqst_fail", 1, 6),
                             flag("unlock", 3, 0)};
constexpr Field ct_audible_alarm[] = {
    flag("rqst_ident", 1, 7), flag("rqst_fail", 1, 6), flag("set_mute", 3, 6),
    flag("set_remind", 3, 4), flag("info", 3, 3),      flag("non_crit", 3, 2),
    flag("crit", 3, 1),       flag("unrecov", 3, 0),
};
constexpr Field ct_esce[] = {flag("rqst_ident", 1, 7), flag("rqst_fail", 1, 6),
                             flag("do_not_remove", 1, 5), flag("select_element", 2, 0)};
constexpr Field ct_ups[] = {flag("rqst_ident", 3, 7), flag("rqst_fail", 3, 6)};
constexpr Field ct_display[] = {flag("rqst_ident", 1, 7), flag("rqst_fail", 1, 6),
                                num("display_mode", 1, 1, 1, 0),
                                num("display_character", 2, 7, 3, 0)};
constexpr Field ct_enclosure[] = {
    flag("rqst_ident", 1, 7),
    num("power_cycle_request", 2, 7, 2, 6),
    num("power_cycle_delay", 2, 5, 2, 0),
    num("power_off_duration", 3, 7, 3, 2),
    flag("request_failure", 3, 1),
    flag("request_warning", 3, 0),
};
constexpr Field ct_port_transceiver[] = {flag("rqst_ident", 1, 7), flag("rqst_fail", 1, 6),
                                         flag("disable", 3, 4)};
constexpr Field ct_language[] = {flag("rqst_ident", 1, 7), num("language_code", 2, 7, 3, 0)};
constexpr Field ct_comm_port[] = {flag("rqst_ident", 1, 7), flag("rqst_fail", 1, 6),
                                  flag("disable", 3, 0)};
constexpr Field ct_scsi_port[] = {flag("rqst_ident", 1, 7), flag("rqst_fail", 1, 6),
                                  flag("enable", 3, 0)};
constexpr Field ct_sas_connector[] = {flag("rqst_ident", 1, 7), flag("rqst_fail", 3, 6)};

struct TypeInfo {
    std::string_view name;
    std::string_view key;
    std::span<const Field> status;
    std::span<const Field> control;
    // Bits of bytes 1..3 whose status meaning is the state a control bit at the same
    // position requests.
    std::uint32_t keep;
};

const TypeInfo kTypes[] = {
    {"Unspecified", "unspecified", {}, {}, 0},
    {"Device slot", "device_slot", st_slot, ct_slot, 0x004e3c},
    {"Power supply", "power_supply", st_power_supply, ct_power_supply, 0xc00060},
    {"Cooling", "cooling", st_cooling, ct_cooling, 0xc00067},
    {"Temperature sensor", "temperature_sensor", st_temperature, ct_ident_fail, 0xc00000},
    {"Door", "door", st_door, ct_door, 0xc00001},
    {"Audible alarm", "audible_alarm", st_audible_alarm, ct_audible_alarm, 0xc0005f},
    {"Enclosure services controller electronics", "esce", st_esce, ct_esce, 0xe00000},
    {"SCC controller electronics", "scc", st_scc, ct_ident_fail, 0xc00000},
    {"Nonvolatile cache", "nonvolatile_cache", st_nv_cache, ct_ident_fail, 0xc00000},
    {"Invalid operation reason", "invalid_operation_reason", st_invop, {}, 0},
    {"Uninterruptible power supply", "ups", st_ups, ct_ups, 0x0000c0},
    {"Display", "display", st_display, ct_display, 0xc3ffff},
    {"Key pad entry", "key_pad", st_ident_fail, ct_ident_fail, 0xc00000},
    {"Enclosure", "enclosure", st_enclosure, ct_enclosure, 0x800003},
    {"SCSI port/transceiver", "scsi_port_transceiver", st_port_transceiver, ct_port_transceiver,
     0xc00010},
    {"Language", "language", st_language, ct_language, 0x80ffff},
    {"Communication port", "communication_port", st_comm_port, ct_comm_port, 0xc00001},
    {"Voltage sensor", "voltage_sensor", st_voltage, ct_ident_fail, 0xc00000},
    {"Current sensor", "current_sensor", st_current, ct_ident_fail, 0xc00000},
    {"SCSI target port", "scsi_target_port", st_scsi_port, ct_scsi_port, 0xc00001},
    {"SCSI initiator port", "scsi_initiator_port", st_scsi_port, ct_scsi_port, 0xc00001},
    {"Simple subenclosure", "simple_subenclosure", st_simple_subenc, ct_ident_fail, 0xc00000},
    {"Array device slot", "array_device_slot", st_array_slot, ct_array_slot, 0xff4e3c},
    {"SAS expander", "sas_expander", st_ident_fail, ct_ident_fail, 0xc00000},
    {"SAS connector", "sas_connector", st_sas_connector, ct_sas_connector, 0x800040},
};
constexpr std::size_t kTypeCount = sizeof(kTypes) / sizeof(kTypes[0]);

const TypeInfo* info(ElementType t) {
    auto c = code(t);
    return c < kTypeCount ? &kTypes[c] : nullptr;
}

std::uint32_t word(const std::array<std::uint8_t, 4>& raw) {
    return (std::uint32_t{raw[1]} << 16) | (std::uint32_t{raw[2]} << 8) | raw[3];
}
void set_word(std::array<std::uint8_t, 4>& raw, std::uint32_t w) {
    raw[1] = static_cast<std::uint8_t>(w >> 16);
    raw[2] = static_cast<std::uint8_t>(w >> 8);
    raw[3] = static_cast<std::uint8_t>(w);
}

int extract(const Field& f, std::uint32_t w) {
    unsigned width = f.hi - f.lo + 1u;
    std::uint32_t v = (w >> f.lo) & ((1u << width) - 1u);
    if (f.is_signed && (v >> (width - 1)) != 0) return static_cast<int>(v) - (1 << width);
    return static_cast<int>(v);
}

const Field* find(std::span<const Field> fields, std::string_view name) {
    auto it =
        std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == name; });
    return it == fields.end() ? nullptr : &*it;
}

std::array<std::uint8_t, 4> four_bytes(ByteView b) {
    bytes::require(b, 0, 4);
    return {b[0], b[1], b[2], b[3]};
}

void fields_json(nlohmann::json& j, std::span<const Field> fields, std::uint32_t w) {
    for (const auto& f : fields) {
        int v = extract(f, w);
        if (f.flag()) {
            j[std::string(f.name)] = v != 0;
        } else {
            j[std::string(f.name)] = v;
        }
    }
}

}  // namespace

std::string_view element_type_name(ElementType t) {
    if (const auto* i = info(t)) return i->name;
    return is_vendor_specific(t) ? "vendor specific" : "reserved";
}

std::string_view element_type_key(ElementType t) {
    if (const auto* i = info(t)) return i->key;
    return is_vendor_specific(t) ? "vendor_specific" : "reserved";
}

std::optional<ElementType> element_type_from_key(std::string_view key) {
    for (std::size_t i = 0; i < kTypeCount; ++i) {
        if (kTypes[i].key == key) return static_cast<ElementType>(i);
    }
    return std::nullopt;
}

std::string_view status_code_name(std::uint8_t c) {
    static constexpr std::string_view names[] = {
        "Unsupported",   "OK",      "Critical",      "Noncritical",       "Unrecoverable",
        "Not installed", "Unknown", "Not available", "No access allowed",
    };
    return c < std::size(names) ? names[c] : "reserved";
}

std::string_view connector_type_name(std::uint8_t type) {
    switch (type) {
        case 0x00:
            return "No information";
        case 0x01:
            return "SAS 4x receptacle (SFF-8470)";
        case 0x02:
            return "Mini SAS 4x receptacle (SFF-8088)";
        case 0x03:
            return "QSFP+ receptacle (SFF-8436)";
        case 0x04:
            return "Mini SAS 4x active receptacle (SFF-8088)";
        case 0x05:
            return "Mini SAS HD 4x receptacle (SFF-8644)";
        case 0x06:
            return "Mini SAS HD 8x receptacle (SFF-8644)";
        case 0x07:
            return "Mini SAS HD 16x receptacle (SFF-8644)";
        case 0x0f:
            return "Vendor specific external connector";
        case 0x10:
            return "SAS 4i plug (SFF-8484)";
        case 0x11:
            return "Mini SAS 4i receptacle (SFF-8087)";
        case 0x12:
            return "Mini SAS HD 4i receptacle (SFF-8643)";
        case 0x13:
            return "Mini SAS HD 8i receptacle (SFF-8643)";
        case 0x14:
            return "Mini SAS HD 16i receptacle (SFF-8643)";
        case 0x15:
            return "SlimSAS 4i (SFF-8654)";
        case 0x16:
            return "SlimSAS 8i (SFF-8654)";
        case 0x17:
            return "SAS MiniLink 4i (SFF-8612)";
        case 0x18:
            return "SAS MiniLink 8i (SFF-8612)";
        case 0x1f:
            return "Vendor specific internal wide connector";
        case 0x20:
            return "SAS Drive backplane receptacle (SFF-8482)";
        case 0x21:
            return "SATA host plug";
        case 0x22:
            return "SAS Drive plug (SFF-8482)";
        case 0x23:
            return "SATA device plug";
        case 0x24:
            return "Micro SAS receptacle";
        case 0x25:
            return "Micro SATA device plug";
        case 0x26:
            return "Micro SAS plug (SFF-8486)";
        case 0x27:
            return "Micro SAS/SATA plug (SFF-8486)";
        case 0x28:
            return "12 Gb/s SAS Drive backplane receptacle (SFF-8680)";
        case 0x29:
            return "12 Gb/s SAS Drive Plug (SFF-8680)";
        case 0x2a:
            return "Multifunction 12 Gb/s 6x Unshielded receptacle (SFF-8639)";
        case 0x2b:
            return "Multifunction 12 Gb/s 6x Unshielded plug (SFF-8639)";
        case 0x2c:
            return "SAS Multilink Drive backplane receptacle (SFF-8630)";
        case 0x2d:
            return "SAS Multilink Drive backplane plug (SFF-8630)";
        case 0x2f:
            return "Vendor specific internal connector";
        case 0x3f:
            return "Vendor specific internal-to-external connector";
        case 0x70:
            return "Other";
        default:
            break;
    }
    if (type >= 0x70) return "Vendor specific";
    return "reserved";
}

std::string_view speed_code_name(std::uint8_t c) {
    static constexpr std::string_view names[] = {
        "stopped",
        "lowest speed",
        "second lowest speed",
        "third lowest speed",
        "intermediate speed",
        "third highest speed",
        "second highest speed",
        "highest speed",
    };
    return names[c & 7];
}

std::span<const Field> status_fields(ElementType t) {
    if (const auto* i = info(t)) return i->status;
    return {};
}

std::span<const Field> control_fields(ElementType t) {
    if (const auto* i = info(t)) return i->control;
    return {};
}

std::optional<int> ElementStatus::field(std::string_view name) const {
    if (const auto* f = find(status_fields(type), name)) return extract(*f, word(raw));
    return std::nullopt;
}

std::optional<int> ElementStatus::temperature_celsius() const {
    if (type != ElementType::temperature_sensor || raw[2] == 0) return std::nullopt;
    return static_cast<int>(raw[2]) - 20;
}

std::optional<int> ElementStatus::fan_speed_rpm() const {
    if (type != ElementType::cooling) return std::nullopt;
    int factor = *field("fan_speed_factor");
    int value = *field("actual_fan_speed");
    switch (factor) {
        case 0:
            return value * 10;
        case 1:
            return value * 10 + 20480;
        case 2:
            return value * 100;
        default:
            return std::nullopt;
    }
}

std::optional<double> ElementStatus::voltage_volts() const {
    if (type != ElementType::voltage_sensor) return std::nullopt;
    return *field("voltage") / 100.0;
}

std::optional<double> ElementStatus::current_amps() const {
    if (type != ElementType::current_sensor) return std::nullopt;
    return *field("current") / 100.0;
}

ElementStatus ElementStatus::decode(ElementType type, ByteView four) {
    return {type, four_bytes(four)};
}

std::optional<int> ElementControl::field(std::string_view name) const {
    if (const auto* f = find(control_fields(type), name)) return extract(*f, word(raw));
    return std::nullopt;
}

ElementControl& ElementControl::set(std::string_view name, int value) {
    const auto* f = find(control_fields(type), name);
    if (f == nullptr) {
        throw Error(Category::usage, fmt::format("element type {} has no control field {}",
                                                 element_type_name(type), name));
    }
    unsigned width = f->hi - f->lo + 1u;
    std::uint32_t mask = (1u << width) - 1u;
    if (value < 0 || static_cast<std::uint32_t>(value) > mask) {
        throw Error(Category::usage,
                    fmt::format("value {} does not fit control field {}", value, name));
    }
    std::uint32_t w = word(raw) & ~(mask << f->lo);
    set_word(raw, w | (static_cast<std::uint32_t>(value) << f->lo));
    return *this;
}

ElementControl& ElementControl::request_ident(bool on) {
    if (!find(control_fields(type), "rqst_ident")) {
        throw Error(Category::unsupported, fmt::format("element type {} has no identify request",
                                                       element_type_name(type)));
    }
    return set("rqst_ident", on ? 1 : 0);
}

ElementControl& ElementControl::request_fault(bool on) {
    for (std::string_view name : {"rqst_fault", "rqst_fail", "request_failure"}) {
        if (find(control_fields(type), name)) return set(name, on ? 1 : 0);
    }
    throw Error(Category::unsupported,
                fmt::format("element type {} has no fault request", element_type_name(type)));
}

ElementControl ElementControl::decode(ElementType type, ByteView four) {
    return {type, four_bytes(four)};
}

ElementControl& ElementControl::set_bit0(unsigned bit, bool on) {
    auto m = static_cast<std::uint8_t>(1u << bit);
    raw[0] = static_cast<std::uint8_t>(on ? (raw[0] | m) : (raw[0] & ~m));
    return *this;
}

ElementControl control_from_status(const ElementStatus& status) {
    ElementControl c;
    c.type = status.type;
    // PRDFAIL and DISABLE keep their meaning; SELECT and RST SWAP start clear.
    c.raw[0] = status.raw[0] & 0x60;
    const auto* i = info(status.type);
    set_word(c.raw, i ? word(status.raw) & i->keep : 0);
    return c;
}

void to_json(nlohmann::json& j, const ElementStatus& s) {
    j = nlohmann::json::object();
    j["prdfail"] = s.prdfail();
    j["disabled"] = s.disabled();
    j["swap"] = s.swap();
    j["status_code"] = s.status_code();
    j["status_code_name"] = status_code_name(s.status_code());
    fields_json(j, status_fields(s.type), word(s.raw));
    switch (s.type) {
        case ElementType::temperature_sensor:
            if (auto t = s.temperature_celsius()) {
                j["temperature_celsius"] = *t;
            } else {
                j["temperature_celsius"] = nullptr;
            }
            break;
        case ElementType::cooling: {
            auto rpm = s.fan_speed_rpm();
            j["fan_speed_rpm"] = rpm ? nlohmann::json(*rpm) : nlohmann::json(nullptr);
            j["actual_speed_code_name"] = speed_code_name(s.raw[3] & 7);
            break;
        }
        case ElementType::voltage_sensor:
            j["voltage_volts"] = *s.voltage_volts();
            break;
        case ElementType::current_sensor:
            j["current_amps"] = *s.current_amps();
            break;
        case ElementType::sas_connector:
            j["connector_type_name"] = connector_type_name(s.raw[1] & 0x7f);
            break;
        default:
            break;
    }
    if (s.type == ElementType::unspecified || is_vendor_specific(s.type) ||
        status_fields(s.type).empty()) {
        j["raw"] = fmt::format("{:02x}{:02x}{:02x}{:02x}", s.raw[0], s.raw[1], s.raw[2], s.raw[3]);
    }
}

void to_json(nlohmann::json& j, const ElementControl& c) {
    j = nlohmann::json::object();
    j["select"] = c.select();
    j["prdfail"] = c.prdfail();
    j["disable"] = c.disable();
    j["rst_swap"] = c.rst_swap();
    fields_json(j, control_fields(c.type), word(c.raw));
    if (control_fields(c.type).empty()) {
        j["raw"] = fmt::format("{:02x}{:02x}{:02x}{:02x}", c.raw[0], c.raw[1], c.raw[2], c.raw[3]);
    }
}

}  // namespace camx::ses
