// SPDX-License-Identifier: BSD-2-Clause
// What an emulated SES enclosure LUN is made of (slots bound to other LUNs, power supplies,
// fans, sensors, descriptors) and the conditions ctladm can simulate on it to test alerts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace camx::ctl {

// Threshold values of a sensor, in its unit (degrees Celsius for temperature sensors,
// percent of the nominal voltage for voltage sensors). A reading at or beyond a critical
// threshold is CRITICAL, at or beyond a warning threshold NONCRITICAL.
struct SensorThresholds {
    double high_critical = 0;
    double high_warning = 0;
    double low_warning = 0;
    double low_critical = 0;
    bool operator==(const SensorThresholds&) const = default;
};

struct EnclosureConfig {
    std::string vendor = "CAMX";
    std::string product = "CTL ENCLOSURE";
    std::string revision = "0001";
    std::string serial;  // default: "CAMXE" + LUN id in hex
    // The enclosure logical identifier (NAA 5), also the LUN's NAA designator; default: NAA 5
    // hashed from the serial and the LUN id.
    std::optional<std::uint64_t> logical_identifier;
    std::string descriptor;  // of the enclosure element; default "Enclosure"
    std::string help_text;   // page 0x03; default names the product

    // Empty descriptors get "Slot 00", "PSU 0", "Fan 0", "Temp 0", "Volt 0".
    struct Slot {
        std::string descriptor;
        // The engine LUN in the slot: page 0x0A carries its SAS address (slot_sas_address of
        // its NAA) and the slot is OK while that LUN exists, NOT INSTALLED otherwise.
        std::optional<std::uint64_t> lun;
        bool operator==(const Slot&) const = default;
    };
    struct PowerSupply {
        std::string descriptor;
        bool operator==(const PowerSupply&) const = default;
    };
    struct Fan {
        std::string descriptor;
        unsigned rpm = 3000;      // speed when the enclosure chooses (requested speed code 0)
        unsigned max_rpm = 7000;  // speed code 7; code n runs at max_rpm * n / 7
        bool operator==(const Fan&) const = default;
    };
    struct TemperatureSensor {
        std::string descriptor;
        int celsius = 30;
        SensorThresholds thresholds{60, 50, 5, 0};
        bool operator==(const TemperatureSensor&) const = default;
    };
    struct VoltageSensor {
        std::string descriptor;
        double volts = 12.0;  // nominal; the reading until simulated otherwise
        SensorThresholds thresholds{10, 5, 5, 10};
        bool operator==(const VoltageSensor&) const = default;
    };
    std::vector<Slot> slots;
    std::vector<PowerSupply> power_supplies;
    std::vector<Fan> fans;
    std::vector<TemperatureSensor> temperature_sensors;
    std::vector<VoltageSensor> voltage_sensors;

    // An enclosure with these element counts, default descriptors and nothing bound.
    static EnclosureConfig with_counts(std::size_t slots, std::size_t power_supplies,
                                       std::size_t fans, std::size_t temperature_sensors,
                                       std::size_t voltage_sensors) {
        EnclosureConfig c;
        c.slots.resize(slots);
        c.power_supplies.resize(power_supplies);
        c.fans.resize(fans);
        c.temperature_sensors.resize(temperature_sensors);
        c.voltage_sensors.resize(voltage_sensors);
        return c;
    }
    bool operator==(const EnclosureConfig&) const = default;
};

// A condition the enclosure reports until another replaces it; only status changes (the
// generation code stays).
struct EnclosureCondition {
    enum class Kind : std::uint8_t {
        all_ok,        // every simulated condition cleared
        power_supply,  // element: failed or back to OK
        fan,           // element: actual speed (0: stopped, CRITICAL) or back to normal
        temperature,   // element: reading (or back to the configured one)
        voltage,       // element: reading (or back to nominal)
    };
    Kind kind = Kind::all_ok;
    std::size_t element = 0;      // which power supply, fan or sensor (0-based)
    bool failed = false;          // power_supply: CRITICAL, FAIL and DC FAIL set
    std::optional<unsigned> rpm;  // fan; nullopt: back to normal
    std::optional<int> celsius;   // temperature; nullopt: back to the configured value
    std::optional<double> volts;  // voltage; nullopt: back to nominal
    bool operator==(const EnclosureCondition&) const = default;
};

// The text form ctladm takes: "ok", "psu:N:fail", "psu:N:ok", "fan:N:RPM", "fan:N:ok",
// "temp:N:CELSIUS", "temp:N:ok", "volt:N:VOLTS", "volt:N:ok". Throws Error(usage).
EnclosureCondition parse_enclosure_condition(std::string_view text);

// JSON for the control protocol and the state directory. from_json throws Error(usage) on
// a malformed document; members left out keep their defaults; "slots" may be a count.
void to_json(nlohmann::json& j, const EnclosureConfig& c);
void from_json(const nlohmann::json& j, EnclosureConfig& c);

// The SAS address an enclosure slot reports for a LUN: NAA 5, derived from the LUN's NAA.
// A LUN bound to a slot reports it as an NAA target port designator in VPD page 0x83.
std::uint64_t slot_sas_address(std::uint64_t lun_naa) noexcept;

}  // namespace camx::ctl
