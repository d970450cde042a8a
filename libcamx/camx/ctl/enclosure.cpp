// SPDX-License-Identifier: BSD-2-Clause
// The emulated enclosure: element state, the SES pages built from it with the camx::ses
// encoders, control pages applied to it, and the commands of an enclosure services LUN.
#include "camx/ctl/enclosure.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/ctl/core.hpp"
#include "camx/error/error.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/inquiry.hpp"
#include "camx/scsi/opcode.hpp"
#include "camx/scsi/vpd.hpp"
#include "camx/ses/additional.hpp"
#include "camx/ses/enclosure_page.hpp"
#include "camx/ses/pages.hpp"

namespace camx::ctl {
namespace {

using ses::ElementStatus;
using ses::ElementType;
using Code = ses::ElementStatusCode;

// Position of each element type in the configuration; absent types get no header.
constexpr ElementType kOrder[] = {ElementType::device_slot,    ElementType::power_supply,
                                  ElementType::cooling,        ElementType::temperature_sensor,
                                  ElementType::voltage_sensor, ElementType::enclosure};

constexpr std::uint8_t kSupported[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x0a, 0x0e};

std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

std::uint64_t hash_text(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return h;
}

std::uint8_t to_u8(std::size_t v) {
    return static_cast<std::uint8_t>(v);
}

// Sets a status field by its ses::status_fields name.
void put(ElementStatus& s, std::string_view name, int value) {
    for (const auto& f : ses::status_fields(s.type)) {
        if (f.name != name) continue;
        const unsigned width = f.hi - f.lo + 1u;
        const std::uint32_t mask = width >= 32 ? ~0u : ((1u << width) - 1u);
        std::uint32_t w = (std::uint32_t{s.raw[1]} << 16) | (std::uint32_t{s.raw[2]} << 8) |
                          std::uint32_t{s.raw[3]};
        w = (w & ~(mask << f.lo)) | ((static_cast<std::uint32_t>(value) & mask) << f.lo);
        s.raw[1] = static_cast<std::uint8_t>(w >> 16);
        s.raw[2] = static_cast<std::uint8_t>(w >> 8);
        s.raw[3] = static_cast<std::uint8_t>(w);
        return;
    }
    throw Error(Category::other, fmt::format("no status field {}", name));
}

ElementStatus element(ElementType type, Code code, bool prdfail = false, bool disabled = false) {
    ElementStatus s;
    s.type = type;
    s.raw[0] = static_cast<std::uint8_t>((prdfail ? 0x40 : 0) | (disabled ? 0x20 : 0) |
                                         static_cast<std::uint8_t>(code));
    return s;
}

// A sensor reading against thresholds (higher is worse above, lower below).
Code judge(double v, const SensorThresholds& t, bool& over_fail, bool& over_warn, bool& under_fail,
           bool& under_warn) {
    over_fail = v >= t.high_critical;
    over_warn = !over_fail && v >= t.high_warning;
    under_fail = v <= t.low_critical;
    under_warn = !under_fail && v <= t.low_warning;
    if (over_fail || under_fail) return Code::critical;
    if (over_warn || under_warn) return Code::noncritical;
    return Code::ok;
}

Bytes text(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

template <std::size_t N>
std::array<std::uint8_t, N> padded(std::string_view s) {
    std::array<std::uint8_t, N> a;
    a.fill(' ');
    std::copy_n(s.begin(), std::min(N, s.size()), a.begin());
    return a;
}

std::uint8_t temperature_byte(double celsius) {
    return to_u8(std::clamp<long>(std::lround(celsius) + 20, 1, 255));
}

std::uint8_t percent_byte(double percent) {
    return to_u8(std::clamp<long>(std::lround(percent * 2), 0, 255));
}

void check_config(const EnclosureConfig& c, std::uint64_t lun_id) {
    if (c.vendor.size() > 8 || c.product.size() > 16 || c.revision.size() > 4) {
        throw Error(Category::usage,
                    "vendor, product or revision longer than 8, 16 or 4 characters");
    }
    auto count = [](std::size_t n, std::string_view what) {
        if (n > 255) throw Error(Category::usage, fmt::format("more than 255 {}", what));
    };
    count(c.slots.size(), "slots");
    count(c.power_supplies.size(), "power supplies");
    count(c.fans.size(), "fans");
    count(c.temperature_sensors.size(), "temperature sensors");
    count(c.voltage_sensors.size(), "voltage sensors");
    for (const auto& s : c.slots) {
        if (s.lun && *s.lun == lun_id)
            throw Error(Category::usage, "an enclosure slot cannot hold the enclosure itself");
    }
    for (const auto& f : c.fans) {
        if (f.max_rpm == 0 || f.max_rpm > 20470 || f.rpm > f.max_rpm) {
            throw Error(Category::usage, "fan speeds must be 0 < rpm <= max_rpm <= 20470");
        }
    }
    for (const auto& t : c.temperature_sensors) {
        if (t.celsius < -19 || t.celsius > 235)
            throw Error(Category::usage, "temperature outside -19..235 degrees Celsius");
    }
    for (const auto& v : c.voltage_sensors) {
        if (std::fabs(v.volts) > 327.67)
            throw Error(Category::usage, "voltage outside -327.67..327.67 V");
    }
    if (c.help_text.size() > 4096) throw Error(Category::usage, "help text above 4096 bytes");
}
}  // namespace

std::uint64_t slot_sas_address(std::uint64_t lun_naa) noexcept {
    return (0x5ull << 60) | (mix(lun_naa ^ 0x5a5a5a5a5a5a5a5aull) >> 4);
}

// ---- EnclosureUnit ------------------------------------------------------------------------

EnclosureUnit::EnclosureUnit(EnclosureConfig config, std::uint64_t lun_id) : lun_id_(lun_id) {
    check_config(config, lun_id);
    serial_ = config.serial.empty() ? fmt::format("CAMXE{:07X}", lun_id) : config.serial;
    if (!config.logical_identifier) {
        config.logical_identifier =
            (0x5ull << 60) | (mix(hash_text(fmt::format("{}/{}", serial_, lun_id))) >> 4);
    }
    config_ = std::move(config);
    generation_ = 1;
    rebuild();
}

EnclosureConfig EnclosureUnit::config() const {
    std::lock_guard lock(mutex_);
    return config_;
}

std::uint64_t EnclosureUnit::naa() const {
    std::lock_guard lock(mutex_);
    return *config_.logical_identifier;
}

std::uint32_t EnclosureUnit::generation_code() const {
    std::lock_guard lock(mutex_);
    return generation_;
}

std::uint8_t EnclosureUnit::last_sent_page() const {
    std::lock_guard lock(mutex_);
    return last_sent_;
}

void EnclosureUnit::reconfigure(EnclosureConfig config) {
    check_config(config, lun_id_);
    std::lock_guard lock(mutex_);
    if (!config.logical_identifier) config.logical_identifier = config_.logical_identifier;
    config_ = std::move(config);
    ++generation_;
    rebuild();
}

void EnclosureUnit::rebuild() {
    auto& c = config_;
    for (std::size_t n = 0; n < c.slots.size(); ++n) {
        if (c.slots[n].descriptor.empty()) c.slots[n].descriptor = fmt::format("Slot {:02}", n);
    }
    for (std::size_t n = 0; n < c.power_supplies.size(); ++n) {
        if (c.power_supplies[n].descriptor.empty())
            c.power_supplies[n].descriptor = fmt::format("PSU {}", n);
    }
    for (std::size_t n = 0; n < c.fans.size(); ++n) {
        if (c.fans[n].descriptor.empty()) c.fans[n].descriptor = fmt::format("Fan {}", n);
    }
    for (std::size_t n = 0; n < c.temperature_sensors.size(); ++n) {
        if (c.temperature_sensors[n].descriptor.empty())
            c.temperature_sensors[n].descriptor = fmt::format("Temp {}", n);
    }
    for (std::size_t n = 0; n < c.voltage_sensors.size(); ++n) {
        if (c.voltage_sensors[n].descriptor.empty())
            c.voltage_sensors[n].descriptor = fmt::format("Volt {}", n);
    }
    if (c.descriptor.empty()) c.descriptor = "Enclosure";
    if (c.help_text.empty())
        c.help_text = fmt::format("{} {}: emulated enclosure of {} slots", c.vendor, c.product,
                                  c.slots.size());

    slots_.resize(c.slots.size());
    psus_.resize(c.power_supplies.size());
    fans_.resize(c.fans.size());
    const std::size_t old_temps = temps_.size(), old_volts = volts_.size();
    temps_.resize(c.temperature_sensors.size());
    volts_.resize(c.voltage_sensors.size());
    for (std::size_t n = 0; n < temps_.size(); ++n) {
        if (n >= old_temps || temps_[n].thresholds != c.temperature_sensors[n].thresholds)
            temps_[n].thresholds = c.temperature_sensors[n].thresholds;
    }
    for (std::size_t n = 0; n < volts_.size(); ++n) {
        if (n >= old_volts || volts_[n].thresholds != c.voltage_sensors[n].thresholds)
            volts_[n].thresholds = c.voltage_sensors[n].thresholds;
    }

    ses::Configuration cfg;
    cfg.generation_code = generation_;
    ses::Subenclosure sub;
    sub.relative_es_process_id = 1;
    sub.es_process_count = 1;
    sub.logical_identifier = *c.logical_identifier;
    sub.vendor = padded<8>(c.vendor);
    sub.product = padded<16>(c.product);
    sub.revision = padded<4>(c.revision);
    auto add = [&](ElementType t, std::size_t n, std::string_view name) {
        if (n == 0) return;
        ses::TypeHeader h;
        h.type = t;
        h.possible_elements = to_u8(n);
        h.text = text(name);
        cfg.types.push_back(std::move(h));
    };
    add(ElementType::device_slot, c.slots.size(), "Slots");
    add(ElementType::power_supply, c.power_supplies.size(), "Power supplies");
    add(ElementType::cooling, c.fans.size(), "Fans");
    add(ElementType::temperature_sensor, c.temperature_sensors.size(), "Temperature sensors");
    add(ElementType::voltage_sensor, c.voltage_sensors.size(), "Voltage sensors");
    add(ElementType::enclosure, 1, "Enclosure");
    sub.type_header_count = to_u8(cfg.types.size());
    cfg.subenclosures.push_back(sub);
    configuration_ = std::move(cfg);
}

unsigned EnclosureUnit::fan_rpm(std::size_t n) const {
    const auto& f = fans_[n];
    if (f.simulated_rpm) return *f.simulated_rpm;
    if (!f.on) return 0;
    const auto& c = config_.fans[n];
    if (f.requested_code == 0) return c.rpm;
    return c.max_rpm * f.requested_code / 7;
}

void EnclosureUnit::simulate(const EnclosureCondition& cond) {
    std::lock_guard lock(mutex_);
    auto pick = [&](auto& list, std::string_view what) -> auto& {
        if (cond.element >= list.size()) {
            throw Error(Category::usage, fmt::format("no {} {} (the enclosure has {})", what,
                                                     cond.element, list.size()));
        }
        return list[cond.element];
    };
    switch (cond.kind) {
        case EnclosureCondition::Kind::all_ok:
            for (auto& p : psus_) p.failed = false;
            for (auto& f : fans_) f.simulated_rpm.reset();
            for (auto& t : temps_) t.simulated.reset();
            for (auto& v : volts_) v.simulated.reset();
            return;
        case EnclosureCondition::Kind::power_supply:
            pick(psus_, "power supply").failed = cond.failed;
            return;
        case EnclosureCondition::Kind::fan:
            if (cond.rpm && *cond.rpm > 20470)
                throw Error(Category::usage, "fan speed above 20470 rpm");
            pick(fans_, "fan").simulated_rpm = cond.rpm;
            return;
        case EnclosureCondition::Kind::temperature:
            if (cond.celsius && (*cond.celsius < -19 || *cond.celsius > 235))
                throw Error(Category::usage, "temperature outside -19..235 degrees Celsius");
            pick(temps_, "temperature sensor").simulated =
                cond.celsius ? std::optional<double>(*cond.celsius) : std::nullopt;
            return;
        case EnclosureCondition::Kind::voltage:
            if (cond.volts && std::fabs(*cond.volts) > 327.67)
                throw Error(Category::usage, "voltage outside -327.67..327.67 V");
            pick(volts_, "voltage sensor").simulated = cond.volts;
            return;
    }
}

// ---- pages --------------------------------------------------------------------------------

Bytes EnclosureUnit::page(std::uint8_t code,
                          const std::vector<std::optional<std::uint64_t>>& bound) const {
    std::lock_guard lock(mutex_);
    switch (code) {
        case 0x00: {
            ses::SupportedPages p;
            p.pages.assign(std::begin(kSupported), std::end(kSupported));
            return p.encode();
        }
        case 0x01:
            return configuration_.encode();
        case 0x02:
            return status_page(bound);
        case 0x03: {
            ses::HelpText p;
            p.text = text(config_.help_text);
            return p.encode();
        }
        case 0x04: {
            ses::StringPage p;
            p.data = string_out_;
            return p.encode();
        }
        case 0x05:
            return threshold_page();
        case 0x07:
            return descriptor_page();
        case 0x0a:
            return additional_page(bound);
        case 0x0e: {
            ses::DownloadMicrocodeStatus p;
            p.generation_code = generation_;
            p.subenclosures.push_back({});
            return p.encode();
        }
        default:
            invalid_field_in_cdb(2);
    }
}

Bytes EnclosureUnit::status_page(const std::vector<std::optional<std::uint64_t>>& bound) const {
    ses::EnclosureStatus page;
    page.generation_code = generation_;
    // Which conditions some element reports, for the page flags and the enclosure indicators.
    bool any_noncrit = false, any_crit = false, any_unrecov = false;
    auto overall = [](ElementType t) { return element(t, Code::unsupported); };
    auto note = [&](const ElementStatus& s) {
        const auto code = static_cast<Code>(s.status_code());
        any_noncrit = any_noncrit || code == Code::noncritical;
        any_crit = any_crit || code == Code::critical;
        any_unrecov = any_unrecov || code == Code::unrecoverable;
    };

    if (!slots_.empty()) {
        ses::TypeStatus ts{ElementType::device_slot, 0, overall(ElementType::device_slot), {}};
        for (std::size_t n = 0; n < slots_.size(); ++n) {
            const auto& s = slots_[n];
            const bool present = n < bound.size() && bound[n].has_value();
            auto e = element(ElementType::device_slot, present ? Code::ok : Code::not_installed,
                             s.prdfail, s.disabled);
            put(e, "slot_address", static_cast<int>(n));
            put(e, "do_not_remove", s.do_not_remove);
            put(e, "enclosure_bypassed_a", s.bypass_a);
            put(e, "enclosure_bypassed_b", s.bypass_b);
            put(e, "ready_to_insert", s.insert);
            put(e, "rmv", s.remove);
            put(e, "ident", s.ident);
            put(e, "fault_reqstd", s.fault);
            put(e, "device_off", s.device_off);
            ts.elements.push_back(e);
        }
        page.types.push_back(std::move(ts));
    }
    if (!psus_.empty()) {
        ses::TypeStatus ts{ElementType::power_supply, 0, overall(ElementType::power_supply), {}};
        for (const auto& p : psus_) {
            auto e = element(ElementType::power_supply, p.failed ? Code::critical : Code::ok,
                             p.prdfail, p.disabled);
            put(e, "ident", p.ident);
            put(e, "do_not_remove", p.do_not_remove);
            put(e, "fail", p.failed || p.rqst_fail);
            put(e, "dc_fail", p.failed);
            put(e, "rqsted_on", p.on);
            put(e, "off", !p.on || p.failed);
            note(e);
            ts.elements.push_back(e);
        }
        page.types.push_back(std::move(ts));
    }
    if (!fans_.empty()) {
        ses::TypeStatus ts{ElementType::cooling, 0, overall(ElementType::cooling), {}};
        for (std::size_t n = 0; n < fans_.size(); ++n) {
            const auto& f = fans_[n];
            const unsigned rpm = fan_rpm(n);
            const bool stalled = rpm == 0 && (f.on || f.simulated_rpm);
            auto e = element(ElementType::cooling, stalled ? Code::critical : Code::ok, f.prdfail,
                             f.disabled);
            put(e, "ident", f.ident);
            put(e, "do_not_remove", f.do_not_remove);
            put(e, "fan_speed_factor", 0);
            put(e, "actual_fan_speed", static_cast<int>(std::min(rpm / 10, 2047u)));
            put(e, "fail", stalled || f.rqst_fail);
            put(e, "rqsted_on", f.on);
            put(e, "off", !f.on);
            const unsigned max = config_.fans[n].max_rpm;
            const unsigned code = rpm == 0 ? 0 : std::clamp((rpm * 7 + max - 1) / max, 1u, 7u);
            put(e, "actual_speed_code", static_cast<int>(code));
            note(e);
            ts.elements.push_back(e);
        }
        page.types.push_back(std::move(ts));
    }
    if (!temps_.empty()) {
        ses::TypeStatus ts{
            ElementType::temperature_sensor, 0, overall(ElementType::temperature_sensor), {}};
        for (std::size_t n = 0; n < temps_.size(); ++n) {
            const auto& t = temps_[n];
            const double v = t.simulated.value_or(config_.temperature_sensors[n].celsius);
            bool of = false, ow = false, uf = false, uw = false;
            const Code code = judge(v, t.thresholds, of, ow, uf, uw);
            auto e = element(ElementType::temperature_sensor, code, t.prdfail, t.disabled);
            put(e, "ident", t.ident);
            put(e, "fail", t.rqst_fail);
            put(e, "temperature", temperature_byte(v));
            put(e, "ot_failure", of);
            put(e, "ot_warning", ow);
            put(e, "ut_failure", uf);
            put(e, "ut_warning", uw);
            note(e);
            ts.elements.push_back(e);
        }
        page.types.push_back(std::move(ts));
    }
    if (!volts_.empty()) {
        ses::TypeStatus ts{
            ElementType::voltage_sensor, 0, overall(ElementType::voltage_sensor), {}};
        for (std::size_t n = 0; n < volts_.size(); ++n) {
            const auto& s = volts_[n];
            const double nominal = config_.voltage_sensors[n].volts;
            const double v = s.simulated.value_or(nominal);
            const double percent =
                nominal == 0 ? 0 : (std::fabs(v) - std::fabs(nominal)) * 100 / std::fabs(nominal);
            // Thresholds are distances from nominal: over above, under below.
            SensorThresholds t{s.thresholds.high_critical, s.thresholds.high_warning,
                               -s.thresholds.low_warning, -s.thresholds.low_critical};
            bool of = false, ow = false, uf = false, uw = false;
            const Code code = judge(percent, t, of, ow, uf, uw);
            auto e = element(ElementType::voltage_sensor, code, s.prdfail, s.disabled);
            put(e, "ident", s.ident);
            put(e, "fail", s.rqst_fail);
            put(e, "crit_over", of);
            put(e, "warn_over", ow);
            put(e, "crit_under", uf);
            put(e, "warn_under", uw);
            put(e, "voltage", static_cast<int>(std::lround(v * 100)));
            note(e);
            ts.elements.push_back(e);
        }
        page.types.push_back(std::move(ts));
    }
    {
        ses::TypeStatus ts{ElementType::enclosure, 0, overall(ElementType::enclosure), {}};
        auto e = element(ElementType::enclosure, Code::ok, enclosure_.prdfail, enclosure_.disabled);
        put(e, "ident", enclosure_.ident);
        put(e, "failure_requested", enclosure_.request_failure);
        put(e, "warning_requested", enclosure_.request_warning);
        put(e, "failure_indication", enclosure_.request_failure || any_crit || any_unrecov);
        put(e, "warning_indication", enclosure_.request_warning || any_noncrit);
        ts.elements.push_back(e);
        page.types.push_back(std::move(ts));
    }
    // Conditions only: the kernel's ses driver writes the status page's byte 1 back in its
    // control pages, so latching the control page's INFO/NON-CRIT/CRIT/UNRECOV requests here
    // would keep a condition reported after it went away.
    page.unrecov = any_unrecov;
    page.crit = any_crit;
    page.non_crit = any_noncrit;
    return page.encode();
}

Bytes EnclosureUnit::threshold_page() const {
    ses::ThresholdPage page;
    page.generation_code = generation_;
    for (const auto& h : configuration_.types) {
        ses::TypeThresholds tt;
        tt.type = h.type;
        tt.elements.resize(h.possible_elements);
        if (h.type == ElementType::temperature_sensor) {
            for (std::size_t n = 0; n < temps_.size(); ++n) {
                const auto& t = temps_[n].thresholds;
                tt.elements[n] = {temperature_byte(t.high_critical),
                                  temperature_byte(t.high_warning), temperature_byte(t.low_warning),
                                  temperature_byte(t.low_critical)};
            }
        } else if (h.type == ElementType::voltage_sensor) {
            for (std::size_t n = 0; n < volts_.size(); ++n) {
                const auto& t = volts_[n].thresholds;
                tt.elements[n] = {percent_byte(t.high_critical), percent_byte(t.high_warning),
                                  percent_byte(t.low_warning), percent_byte(t.low_critical)};
            }
        }
        page.types.push_back(std::move(tt));
    }
    return page.encode();
}

Bytes EnclosureUnit::descriptor_page() const {
    ses::ElementDescriptors page;
    page.generation_code = generation_;
    const auto& c = config_;
    for (const auto& h : configuration_.types) {
        ses::TypeDescriptors td;
        td.type = h.type;
        td.overall.text = h.text;
        auto push = [&](const std::string& s) { td.elements.push_back({text(s)}); };
        switch (h.type) {
            case ElementType::device_slot:
                for (const auto& s : c.slots) push(s.descriptor);
                break;
            case ElementType::power_supply:
                for (const auto& s : c.power_supplies) push(s.descriptor);
                break;
            case ElementType::cooling:
                for (const auto& s : c.fans) push(s.descriptor);
                break;
            case ElementType::temperature_sensor:
                for (const auto& s : c.temperature_sensors) push(s.descriptor);
                break;
            case ElementType::voltage_sensor:
                for (const auto& s : c.voltage_sensors) push(s.descriptor);
                break;
            default:
                push(c.descriptor);
                break;
        }
        page.types.push_back(std::move(td));
    }
    return page.encode();
}

Bytes EnclosureUnit::additional_page(const std::vector<std::optional<std::uint64_t>>& bound) const {
    ses::AdditionalElementStatus page;
    page.generation_code = generation_;
    const ses::ElementIndex index(configuration_);
    for (std::size_t k = 0; k < configuration_.types.size(); ++k) {
        if (configuration_.types[k].type != ElementType::device_slot) continue;
        for (std::size_t n = 0; n < slots_.size(); ++n) {
            const auto idx =
                index.index_of({k, ElementType::device_slot, 0, n}, /*includes_overall=*/false);
            ses::AdditionalElement a;
            a.eip = true;
            a.protocol = ses::kProtocolSas;
            a.eiioe = 0;
            a.element_index = to_u8(idx.value_or(n));
            ses::SasInfo sas;
            sas.descriptor_type = 0;
            sas.device_slot_number = to_u8(n);
            ses::SasPhy phy;
            if (n < bound.size() && bound[n]) {
                phy.device_type = 1;  // end device
                phy.ssp_target = true;
                phy.sas_address = slot_sas_address(*bound[n]);
                phy.attached_sas_address = *config_.logical_identifier;
            }
            sas.phys.push_back(phy);
            a.info = sas;
            page.descriptors.push_back(std::move(a));
        }
    }
    return page.encode();
}

// ---- control pages ------------------------------------------------------------------------

void EnclosureUnit::check_generation(ByteView page) const {
    if (page.size() < 8) invalid_field_in_parameters(2);
    if (bytes::be32(page, 4) != generation_) invalid_field_in_parameters(4);
}

void EnclosureUnit::control(ByteView page) {
    std::lock_guard lock(mutex_);
    if (page.size() < 4) parameter_list_length_error();
    const std::size_t declared = 4u + bytes::be16(page, 2);
    if (declared > page.size()) invalid_field_in_parameters(2);
    page = page.first(declared);
    switch (page[0]) {
        case 0x02:
            enclosure_control(page);
            break;
        case 0x04:
            string_out_.assign(page.begin() + 4, page.end());
            break;
        case 0x05:
            threshold_out(page);
            break;
        default:
            invalid_field_in_parameters(0);
    }
    last_sent_ = page[0];
}

void EnclosureUnit::enclosure_control(ByteView page) {
    const std::size_t expected =
        8 + 4 * (configuration_.types.size() + configuration_.element_count());
    if (page.size() != expected) invalid_field_in_parameters(2);
    check_generation(page);
    const auto ctl = ses::EnclosureControl::decode(page, configuration_);
    rq_info_ = ctl.info;
    rq_non_crit_ = ctl.non_crit;
    rq_crit_ = ctl.crit;
    rq_unrecov_ = ctl.unrecov;
    auto flag = [](const ses::ElementControl& e, std::string_view name) {
        return e.field(name).value_or(0) != 0;
    };
    auto common = [](Common& s, const ses::ElementControl& e) {
        s.prdfail = e.prdfail();
        s.disabled = e.disable();
        s.ident = e.field("rqst_ident").value_or(0) != 0;
    };
    for (const auto& tc : ctl.types) {
        // An overall element with SELECT applies to the elements not selected themselves.
        auto pick = [&](std::size_t n) -> const ses::ElementControl* {
            if (n < tc.elements.size() && tc.elements[n].select()) return &tc.elements[n];
            if (tc.overall.select()) return &tc.overall;
            return nullptr;
        };
        switch (tc.type) {
            case ElementType::device_slot:
                for (std::size_t n = 0; n < slots_.size(); ++n) {
                    const auto* e = pick(n);
                    if (!e) continue;
                    auto& s = slots_[n];
                    common(s, *e);
                    s.active = flag(*e, "rqst_active");
                    s.do_not_remove = flag(*e, "do_not_remove");
                    s.missing = flag(*e, "rqst_missing");
                    s.insert = flag(*e, "rqst_insert");
                    s.remove = flag(*e, "rqst_remove");
                    s.fault = flag(*e, "rqst_fault");
                    s.device_off = flag(*e, "device_off");
                    s.bypass_a = flag(*e, "enable_byp_a");
                    s.bypass_b = flag(*e, "enable_byp_b");
                }
                break;
            case ElementType::power_supply:
                for (std::size_t n = 0; n < psus_.size(); ++n) {
                    const auto* e = pick(n);
                    if (!e) continue;
                    auto& p = psus_[n];
                    common(p, *e);
                    p.do_not_remove = flag(*e, "do_not_remove");
                    p.rqst_fail = flag(*e, "rqst_fail");
                    p.on = flag(*e, "rqst_on");
                }
                break;
            case ElementType::cooling:
                for (std::size_t n = 0; n < fans_.size(); ++n) {
                    const auto* e = pick(n);
                    if (!e) continue;
                    auto& f = fans_[n];
                    common(f, *e);
                    f.do_not_remove = flag(*e, "do_not_remove");
                    f.rqst_fail = flag(*e, "rqst_fail");
                    f.on = flag(*e, "rqst_on");
                    f.requested_code = to_u8(e->field("requested_speed_code").value_or(0));
                }
                break;
            case ElementType::temperature_sensor:
            case ElementType::voltage_sensor: {
                auto& list = tc.type == ElementType::temperature_sensor ? temps_ : volts_;
                for (std::size_t n = 0; n < list.size(); ++n) {
                    const auto* e = pick(n);
                    if (!e) continue;
                    common(list[n], *e);
                    list[n].rqst_fail = flag(*e, "rqst_fail");
                }
                break;
            }
            case ElementType::enclosure: {
                const auto* e = pick(0);
                if (!e) break;
                common(enclosure_, *e);
                enclosure_.request_failure = flag(*e, "request_failure");
                enclosure_.request_warning = flag(*e, "request_warning");
                break;
            }
            default:
                break;
        }
    }
}

void EnclosureUnit::threshold_out(ByteView page) {
    const std::size_t expected =
        8 + 4 * (configuration_.types.size() + configuration_.element_count());
    if (page.size() != expected) invalid_field_in_parameters(2);
    check_generation(page);
    const auto th = ses::ThresholdPage::decode(page, configuration_);
    auto celsius = [](std::uint8_t b) { return static_cast<double>(b) - 20; };
    auto percent = [](std::uint8_t b) { return b / 2.0; };
    for (const auto& tt : th.types) {
        if (tt.type == ElementType::temperature_sensor) {
            for (std::size_t n = 0; n < std::min(tt.elements.size(), temps_.size()); ++n) {
                const auto& t = tt.elements[n];
                temps_[n].thresholds = {celsius(t.high_critical), celsius(t.high_warning),
                                        celsius(t.low_warning), celsius(t.low_critical)};
            }
        } else if (tt.type == ElementType::voltage_sensor) {
            for (std::size_t n = 0; n < std::min(tt.elements.size(), volts_.size()); ++n) {
                const auto& t = tt.elements[n];
                volts_[n].thresholds = {percent(t.high_critical), percent(t.high_warning),
                                        percent(t.low_warning), percent(t.low_critical)};
            }
        }
    }
}

nlohmann::json EnclosureUnit::state_json() const {
    std::lock_guard lock(mutex_);
    nlohmann::json j;
    j["generation_code"] = generation_;
    j["requested_indicators"] = {{"info", rq_info_},
                                 {"non_crit", rq_non_crit_},
                                 {"crit", rq_crit_},
                                 {"unrecov", rq_unrecov_}};
    j["logical_identifier"] = fmt::format("0x{:016x}", *config_.logical_identifier);
    auto& slots = j["slots"] = nlohmann::json::array();
    for (std::size_t n = 0; n < slots_.size(); ++n) {
        const auto& s = slots_[n];
        nlohmann::json e = {{"descriptor", config_.slots[n].descriptor},
                            {"ident", s.ident},
                            {"fault", s.fault},
                            {"device_off", s.device_off},
                            {"do_not_remove", s.do_not_remove},
                            {"rqst_insert", s.insert},
                            {"rqst_remove", s.remove},
                            {"rqst_active", s.active},
                            {"rqst_missing", s.missing}};
        e["lun"] = config_.slots[n].lun ? nlohmann::json(*config_.slots[n].lun) : nullptr;
        slots.push_back(std::move(e));
    }
    auto& psus = j["power_supplies"] = nlohmann::json::array();
    for (std::size_t n = 0; n < psus_.size(); ++n) {
        psus.push_back({{"descriptor", config_.power_supplies[n].descriptor},
                        {"failed", psus_[n].failed},
                        {"on", psus_[n].on},
                        {"ident", psus_[n].ident}});
    }
    auto& fans = j["fans"] = nlohmann::json::array();
    for (std::size_t n = 0; n < fans_.size(); ++n) {
        fans.push_back({{"descriptor", config_.fans[n].descriptor},
                        {"rpm", fan_rpm(n)},
                        {"on", fans_[n].on},
                        {"requested_speed_code", fans_[n].requested_code}});
    }
    auto& temps = j["temperature_sensors"] = nlohmann::json::array();
    for (std::size_t n = 0; n < temps_.size(); ++n) {
        temps.push_back({{"descriptor", config_.temperature_sensors[n].descriptor},
                         {"celsius", static_cast<int>(std::lround(temps_[n].simulated.value_or(
                                         config_.temperature_sensors[n].celsius)))}});
    }
    auto& volts = j["voltage_sensors"] = nlohmann::json::array();
    for (std::size_t n = 0; n < volts_.size(); ++n) {
        volts.push_back(
            {{"descriptor", config_.voltage_sensors[n].descriptor},
             {"volts", volts_[n].simulated.value_or(config_.voltage_sensors[n].volts)}});
    }
    return j;
}

// ---- commands -----------------------------------------------------------------------------

namespace {

namespace cdb = scsi::cdb;

EnclosureUnit& unit(const Cmd& c) {
    return *c.lun->enclosure;
}

std::vector<std::optional<std::uint64_t>> bound_luns(const Cmd& c, const EnclosureConfig& cfg) {
    std::vector<std::optional<std::uint64_t>> out;
    const auto t = c.engine.tables();
    for (const auto& s : cfg.slots) {
        std::optional<std::uint64_t> naa;
        if (s.lun) {
            const auto i = t->luns.find(*s.lun);
            if (i != t->luns.end()) naa = i->second->naa;
        }
        out.push_back(naa);
    }
    return out;
}

scsi::Designator designator(std::uint8_t type, std::uint8_t code_set, std::uint8_t association,
                            Bytes value) {
    scsi::Designator d;
    d.designator_type = type;
    d.code_set = code_set;
    d.association = association;
    d.value = std::move(value);
    return d;
}

void handle_enclosure_inquiry(Cmd& c) {
    const auto q = cdb::Inquiry::decode(c.cdb());
    if (!q.evpd && q.page_code != 0) invalid_field_in_cdb(2);
    const auto cfg = unit(c).config();
    if (!q.evpd) {
        scsi::Inquiry inq;
        inq.peripheral_device_type = 0x0d;
        inq.version = 0x06;
        inq.response_data_format = 2;
        inq.hisup = true;
        inq.encserv = true;
        inq.cmdque = true;
        inq.vendor = cfg.vendor;
        inq.product = cfg.product;
        inq.revision = cfg.revision;
        inq.version_descriptors = {0x00a0, 0x0960, 0x0460};  // SAM-5, iSCSI, SPC-4
        c.reply(inq.encode(), q.allocation_length);
        return;
    }
    scsi::VpdPage page;
    switch (q.page_code) {
        case 0x00: {
            scsi::SupportedVpdPages p;
            p.pages = {0x00, 0x80, 0x83};
            page = p;
            break;
        }
        case 0x80: {
            scsi::UnitSerialNumber p;
            p.serial_number = unit(c).serial();
            page = p;
            break;
        }
        case 0x83: {
            scsi::DeviceIdentification p;
            Bytes naa(8);
            bytes::put_be64(naa, 0, unit(c).naa());
            p.designators.push_back(designator(3, 1, 0, naa));
            bytes::Writer t10;
            t10.ascii(cfg.vendor, 8);
            const std::string id = reported_device_id({}, cfg.product, unit(c).serial());
            t10.raw(text(id));
            p.designators.push_back(designator(1, 2, 0, t10.take()));
            Bytes rtp(4);
            bytes::put_be16(rtp, 2, c.nexus.relative_target_port);
            p.designators.push_back(designator(4, 1, 1, rtp));
            page = p;
            break;
        }
        default:
            invalid_field_in_cdb(2);
    }
    c.reply(scsi::encode_vpd(page), q.allocation_length);
}

void handle_receive_diagnostic(Cmd& c) {
    const auto q = cdb::ReceiveDiagnostic::decode(c.cdb());
    auto& u = unit(c);
    const std::uint8_t code = q.pcv ? q.page_code : u.last_sent_page();
    if (!q.pcv && q.page_code != 0) invalid_field_in_cdb(2);
    c.reply(u.page(code, bound_luns(c, u.config())), q.allocation_length);
}

void handle_send_diagnostic(Cmd& c) {
    const auto q = cdb::SendDiagnostic::decode(c.cdb());
    if (q.self_test_code != 0) invalid_field_in_cdb(1, 7);
    if (q.self_test) {
        if (q.parameter_list_length != 0) invalid_field_in_cdb(3);
        return;  // the default self-test passes
    }
    if (q.parameter_list_length == 0) return;
    if (!q.pf) invalid_field_in_cdb(1, 4);
    const auto data = c.data_out(q.parameter_list_length, 3);
    unit(c).control(data);
}

using scsi::Opcode;
constexpr std::uint8_t op(Opcode o) {
    return scsi::to_u8(o);
}

// opcode, service action, CDB length, access, needs media, SPC-2 allowed, UA exempt, no LUN.
const CommandSpec table[] = {
    {op(Opcode::test_unit_ready),
     {},
     6,
     Access::none,
     false,
     false,
     false,
     false,
     handle_test_unit_ready},
    {op(Opcode::request_sense), {}, 6, Access::none, false, true, true, true, handle_request_sense},
    {op(Opcode::inquiry), {}, 6, Access::none, false, true, true, true, handle_enclosure_inquiry},
    {op(Opcode::receive_diagnostic_results),
     {},
     6,
     Access::none,
     false,
     false,
     false,
     false,
     handle_receive_diagnostic},
    {op(Opcode::send_diagnostic),
     {},
     6,
     Access::write,
     false,
     false,
     false,
     false,
     handle_send_diagnostic,
     data_out_send_diagnostic},
    {op(Opcode::report_luns), {}, 12, Access::none, false, true, true, true, handle_report_luns},
};

}  // namespace

const CommandSpec* find_enclosure_command(std::uint8_t opcode, std::uint8_t) {
    for (const auto& c : table) {
        if (c.opcode == opcode) return &c;
    }
    return nullptr;
}

std::optional<std::uint64_t> bound_sas_address(const EngineCore& engine, const Lun& lun) {
    const auto t = engine.tables();
    for (const auto& [id, other] : t->luns) {
        if (!other->enclosure) continue;
        const auto cfg = other->enclosure->config();
        for (const auto& s : cfg.slots) {
            if (s.lun && *s.lun == lun.config.id) return slot_sas_address(lun.naa);
        }
    }
    return std::nullopt;
}

std::shared_ptr<Lun> make_enclosure_lun(std::uint64_t id, const EnclosureConfig& config) {
    auto unit = std::make_shared<EnclosureUnit>(config, id);
    auto lun = std::make_shared<Lun>();
    lun->config.id = id;
    lun->config.options.vendor = config.vendor;
    lun->config.options.product = config.product;
    lun->config.options.revision = config.revision;
    lun->config.options.serial = unit->serial();
    lun->config.options.naa = unit->naa();
    lun->serial = unit->serial();
    lun->naa = unit->naa();
    lun->modes = ModePages::make(lun->config.options);
    lun->enclosure = std::move(unit);
    return lun;
}

// ---- text and JSON forms ------------------------------------------------------------------

namespace {

template <typename T>
T number(std::string_view s, std::string_view what) {
    T v{};
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size())
        throw Error(Category::usage, fmt::format("bad {} '{}'", what, s));
    return v;
}

}  // namespace

EnclosureCondition parse_enclosure_condition(std::string_view text) {
    EnclosureCondition c;
    if (text == "ok") return c;
    std::vector<std::string_view> parts;
    while (true) {
        const auto colon = text.find(':');
        parts.push_back(text.substr(0, colon));
        if (colon == std::string_view::npos) break;
        text.remove_prefix(colon + 1);
    }
    if (parts.size() != 3) {
        throw Error(Category::usage,
                    "a condition is ok, psu:N:fail|ok, fan:N:RPM|ok, temp:N:CELSIUS|ok or "
                    "volt:N:VOLTS|ok");
    }
    c.element = number<std::size_t>(parts[1], "element number");
    const auto value = parts[2];
    const bool ok = value == "ok";
    if (parts[0] == "psu") {
        c.kind = EnclosureCondition::Kind::power_supply;
        if (!ok && value != "fail") throw Error(Category::usage, "psu:N takes fail or ok");
        c.failed = !ok;
    } else if (parts[0] == "fan") {
        c.kind = EnclosureCondition::Kind::fan;
        if (!ok) c.rpm = number<unsigned>(value, "fan speed");
    } else if (parts[0] == "temp") {
        c.kind = EnclosureCondition::Kind::temperature;
        if (!ok) c.celsius = number<int>(value, "temperature");
    } else if (parts[0] == "volt") {
        c.kind = EnclosureCondition::Kind::voltage;
        if (!ok) c.volts = number<double>(value, "voltage");
    } else {
        throw Error(Category::usage, fmt::format("unknown element kind '{}'", parts[0]));
    }
    return c;
}

void to_json(nlohmann::json& j, const SensorThresholds& t) {
    j = {{"high_critical", t.high_critical},
         {"high_warning", t.high_warning},
         {"low_warning", t.low_warning},
         {"low_critical", t.low_critical}};
}

void to_json(nlohmann::json& j, const EnclosureConfig& c) {
    j = nlohmann::json::object();
    j["vendor"] = c.vendor;
    j["product"] = c.product;
    j["revision"] = c.revision;
    j["serial"] = c.serial;
    j["logical_identifier"] = c.logical_identifier
                                  ? nlohmann::json(fmt::format("0x{:016x}", *c.logical_identifier))
                                  : nlohmann::json(nullptr);
    j["descriptor"] = c.descriptor;
    j["help_text"] = c.help_text;
    auto& slots = j["slots"] = nlohmann::json::array();
    for (const auto& s : c.slots) {
        slots.push_back({{"descriptor", s.descriptor},
                         {"lun", s.lun ? nlohmann::json(*s.lun) : nlohmann::json(nullptr)}});
    }
    auto& psus = j["power_supplies"] = nlohmann::json::array();
    for (const auto& p : c.power_supplies) psus.push_back({{"descriptor", p.descriptor}});
    auto& fans = j["fans"] = nlohmann::json::array();
    for (const auto& f : c.fans) {
        fans.push_back({{"descriptor", f.descriptor}, {"rpm", f.rpm}, {"max_rpm", f.max_rpm}});
    }
    auto& temps = j["temperature_sensors"] = nlohmann::json::array();
    for (const auto& t : c.temperature_sensors) {
        nlohmann::json th = t.thresholds;
        temps.push_back({{"descriptor", t.descriptor}, {"celsius", t.celsius}, {"thresholds", th}});
    }
    auto& volts = j["voltage_sensors"] = nlohmann::json::array();
    for (const auto& v : c.voltage_sensors) {
        nlohmann::json th = v.thresholds;
        volts.push_back(
            {{"descriptor", v.descriptor}, {"volts", v.volts}, {"thresholds_percent", th}});
    }
}

namespace {

template <typename T>
void take(const nlohmann::json& j, std::string_view key, T& out) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    out = it->get<T>();
}

void take_thresholds(const nlohmann::json& j, std::string_view key, SensorThresholds& t) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    take(*it, "high_critical", t.high_critical);
    take(*it, "high_warning", t.high_warning);
    take(*it, "low_warning", t.low_warning);
    take(*it, "low_critical", t.low_critical);
}

// A list given as objects, or as a count of default elements.
template <typename T, typename F>
void take_list(const nlohmann::json& j, std::string_view key, std::vector<T>& out, F&& each) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    out.clear();
    if (it->is_number_unsigned()) {
        out.resize(it->get<std::size_t>());
        return;
    }
    if (!it->is_array())
        throw Error(Category::usage, fmt::format("{} must be a count or a list", key));
    for (const auto& e : *it) {
        T v;
        if (e.is_string()) {
            v.descriptor = e.get<std::string>();
        } else {
            take(e, "descriptor", v.descriptor);
            each(e, v);
        }
        out.push_back(std::move(v));
    }
}

}  // namespace

void from_json(const nlohmann::json& j, EnclosureConfig& c) {
    try {
        if (!j.is_object()) throw Error(Category::usage, "an enclosure is a JSON object");
        take(j, "vendor", c.vendor);
        take(j, "product", c.product);
        take(j, "revision", c.revision);
        take(j, "serial", c.serial);
        take(j, "descriptor", c.descriptor);
        take(j, "help_text", c.help_text);
        if (auto it = j.find("logical_identifier"); it != j.end() && !it->is_null()) {
            if (it->is_number_unsigned()) {
                c.logical_identifier = it->get<std::uint64_t>();
            } else {
                auto s = it->get<std::string>();
                std::string_view v = s;
                if (v.starts_with("naa.") || v.starts_with("0x"))
                    v.remove_prefix(v.find_first_of(".x") + 1);
                std::uint64_t n = 0;
                const auto r = std::from_chars(v.data(), v.data() + v.size(), n, 16);
                if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size())
                    throw Error(Category::usage, "bad logical_identifier " + s);
                c.logical_identifier = n;
            }
        }
        take_list(j, "slots", c.slots, [](const nlohmann::json& e, EnclosureConfig::Slot& s) {
            if (auto it = e.find("lun"); it != e.end() && !it->is_null())
                s.lun = it->get<std::uint64_t>();
        });
        take_list(j, "power_supplies", c.power_supplies,
                  [](const nlohmann::json&, EnclosureConfig::PowerSupply&) {});
        take_list(j, "fans", c.fans, [](const nlohmann::json& e, EnclosureConfig::Fan& f) {
            take(e, "rpm", f.rpm);
            take(e, "max_rpm", f.max_rpm);
        });
        take_list(j, "temperature_sensors", c.temperature_sensors,
                  [](const nlohmann::json& e, EnclosureConfig::TemperatureSensor& t) {
                      take(e, "celsius", t.celsius);
                      take_thresholds(e, "thresholds", t.thresholds);
                  });
        take_list(j, "voltage_sensors", c.voltage_sensors,
                  [](const nlohmann::json& e, EnclosureConfig::VoltageSensor& v) {
                      take(e, "volts", v.volts);
                      take_thresholds(e, "thresholds_percent", v.thresholds);
                  });
    } catch (const nlohmann::json::exception& e) {
        throw Error(Category::usage, fmt::format("enclosure configuration: {}", e.what()));
    }
}

}  // namespace camx::ctl
