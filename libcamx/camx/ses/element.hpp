// SPDX-License-Identifier: BSD-2-Clause
// SES elements: element type codes and names, the 4-byte status and control elements with
// their type-specific fields (SES-3 7.3), and the status-to-control conversion used before a
// control page write.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::ses {

// Element type codes (SES-3 table 71). Any 8-bit value may be stored: 0x80-0xff are vendor
// specific, the rest of the range is reserved.
enum class ElementType : std::uint8_t {
    unspecified = 0x00,
    device_slot = 0x01,
    power_supply = 0x02,
    cooling = 0x03,
    temperature_sensor = 0x04,
    door = 0x05,
    audible_alarm = 0x06,
    esce = 0x07,  // enclosure services controller electronics
    scc = 0x08,   // SCC controller electronics
    nonvolatile_cache = 0x09,
    invalid_operation_reason = 0x0a,
    ups = 0x0b,  // uninterruptible power supply
    display = 0x0c,
    key_pad = 0x0d,
    enclosure = 0x0e,
    scsi_port_transceiver = 0x0f,
    language = 0x10,
    communication_port = 0x11,
    voltage_sensor = 0x12,
    current_sensor = 0x13,
    scsi_target_port = 0x14,
    scsi_initiator_port = 0x15,
    simple_subenclosure = 0x16,
    array_device_slot = 0x17,
    sas_expander = 0x18,
    sas_connector = 0x19,
};

inline std::uint8_t code(ElementType t) {
    return static_cast<std::uint8_t>(t);
}
inline bool is_vendor_specific(ElementType t) {
    return code(t) >= 0x80;
}
inline bool is_slot(ElementType t) {
    return t == ElementType::device_slot || t == ElementType::array_device_slot;
}

// "Array device slot", "vendor specific", "reserved".
std::string_view element_type_name(ElementType t);
// Short snake_case form for JSON and command lines: "array_device_slot".
std::string_view element_type_key(ElementType t);
// Inverse of element_type_key; nullopt for an unknown key.
std::optional<ElementType> element_type_from_key(std::string_view key);

// Element status codes (SES-3 table 74).
enum class ElementStatusCode : std::uint8_t {
    unsupported = 0,
    ok = 1,
    critical = 2,
    noncritical = 3,
    unrecoverable = 4,
    not_installed = 5,
    unknown = 6,
    not_available = 7,
    no_access_allowed = 8,
};
std::string_view status_code_name(std::uint8_t code);

// SAS connector type names (SES-3 table 134).
std::string_view connector_type_name(std::uint8_t type);
// Fan actual/requested speed code names (SES-3 table 92).
std::string_view speed_code_name(std::uint8_t code);

// One named type-specific field of an element: bits [hi, lo] of the 24-bit big-endian word
// formed by element bytes 1..3 (bit 23 is byte 1 bit 7).
struct Field {
    std::string_view name;
    std::uint8_t hi;
    std::uint8_t lo;
    bool is_signed = false;
    bool flag() const { return hi == lo; }
};
std::span<const Field> status_fields(ElementType t);
std::span<const Field> control_fields(ElementType t);

// A status element (Enclosure Status page, overall or individual).
struct ElementStatus {
    ElementType type = ElementType::unspecified;
    std::array<std::uint8_t, 4> raw{};

    bool prdfail() const { return bytes::bit(raw[0], 6); }
    bool disabled() const { return bytes::bit(raw[0], 5); }
    bool swap() const { return bytes::bit(raw[0], 4); }
    std::uint8_t status_code() const { return raw[0] & 0x0f; }

    // A field of status_fields(type); nullopt if this type has no such field.
    std::optional<int> field(std::string_view name) const;

    // Derived values, nullopt when the element is of another type or the value is reserved.
    std::optional<int> temperature_celsius() const;  // temperature sensor: value - 20
    std::optional<int> fan_speed_rpm() const;        // cooling: actual fan speed x factor
    std::optional<double> voltage_volts() const;     // voltage sensor: signed, 10 mV units
    std::optional<double> current_amps() const;      // current sensor: 10 mA units

    static ElementStatus decode(ElementType type, ByteView four);
    void encode(bytes::Writer& w) const { w.raw(raw); }
    bool operator==(const ElementStatus&) const = default;
};

// A control element (Enclosure Control page).
struct ElementControl {
    ElementType type = ElementType::unspecified;
    std::array<std::uint8_t, 4> raw{};

    bool select() const { return bytes::bit(raw[0], 7); }
    bool prdfail() const { return bytes::bit(raw[0], 6); }
    bool disable() const { return bytes::bit(raw[0], 5); }
    bool rst_swap() const { return bytes::bit(raw[0], 4); }
    ElementControl& set_select(bool on) { return set_bit0(7, on); }
    ElementControl& set_prdfail(bool on) { return set_bit0(6, on); }
    ElementControl& set_disable(bool on) { return set_bit0(5, on); }
    ElementControl& set_rst_swap(bool on) { return set_bit0(4, on); }

    // A field of control_fields(type).
    std::optional<int> field(std::string_view name) const;
    // Sets a field of control_fields(type); throws Error(usage) if the type has no such field
    // or the value does not fit.
    ElementControl& set(std::string_view name, int value);

    // The identify (locate) and fault requests under the name each element type uses:
    // RQST IDENT everywhere; RQST FAULT for slots, RQST FAIL or REQUEST FAILURE elsewhere.
    // Throw Error(unsupported) for types without them.
    ElementControl& request_ident(bool on);
    ElementControl& request_fault(bool on);

    static ElementControl decode(ElementType type, ByteView four);
    void encode(bytes::Writer& w) const { w.raw(raw); }
    bool operator==(const ElementControl&) const = default;

  private:
    ElementControl& set_bit0(unsigned bit, bool on);
};

// The control element that keeps the element's current state: the status bits that have a
// control meaning at the same position are copied (identify, fault, device off, do not remove,
// requested on, ...), status-only bits are cleared, SELECT is clear. Set SELECT and change the
// wanted bit afterwards (what sesutil does before turning a LED on or off).
ElementControl control_from_status(const ElementStatus& status);

void to_json(nlohmann::json& j, const ElementStatus& s);
void to_json(nlohmann::json& j, const ElementControl& c);

}  // namespace camx::ses
