// SPDX-License-Identifier: BSD-2-Clause
#include "camx/enclosure/control.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include <fmt/format.h>

#include "camx/enclosure/disks.hpp"
#include "camx/error/error.hpp"
#include "camx/scsi/cdb.hpp"

namespace camx::enclosure {
namespace {

std::optional<std::size_t> number(std::string_view s) {
    std::size_t v = 0;
    if (s.empty()) return std::nullopt;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v, 10);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool names_disk(const Disk& d, std::string_view t) {
    const auto dev = [&](const std::string& node) {
        return !node.empty() && (node == t || (node.starts_with("/dev/") && node.substr(5) == t));
    };
    if (dev(d.node) || dev(d.sg) || (!d.hctl.empty() && d.hctl == t)) return true;
    if (auto id = parse_identifier(t)) {
        return std::find(d.identifiers.begin(), d.identifiers.end(), *id) != d.identifiers.end();
    }
    return false;
}

}  // namespace

std::string_view led_name(Led l) noexcept {
    return l == Led::locate ? "locate" : "fault";
}

std::vector<std::size_t> select(const Enclosure& e, std::string_view target) {
    std::vector<std::size_t> out;
    const auto& els = e.elements;
    if (target == "all") {
        for (std::size_t i = 0; i < els.size(); ++i) {
            if (els[i].is_slot() && !els[i].is_overall()) out.push_back(i);
        }
        if (out.empty()) throw Error(Category::no_device, e.device + " has no device slots");
        return out;
    }
    if (target.starts_with("element:")) {
        const auto n = number(target.substr(8));
        if (!n || *n >= els.size()) {
            throw Error(Category::no_device,
                        fmt::format("no element '{}' in {} (0..{})", target.substr(8), e.device,
                                    els.empty() ? 0 : els.size() - 1));
        }
        return {*n};
    }
    if (auto n = number(target)) {
        for (std::size_t i = 0; i < els.size(); ++i) {
            if (els[i].is_slot() && !els[i].is_overall() && els[i].slot_number == *n) {
                out.push_back(i);
            }
        }
        if (!out.empty()) return out;
    }
    for (std::size_t i = 0; i < els.size(); ++i) {
        if (els[i].disk && names_disk(*els[i].disk, target)) out.push_back(i);
    }
    if (!out.empty()) return out;
    for (std::size_t i = 0; i < els.size(); ++i) {
        if (!els[i].descriptor.empty() && iequal(els[i].descriptor, target)) out.push_back(i);
    }
    if (!out.empty()) return out;
    throw Error(Category::no_device,
                fmt::format("nothing matches '{}' in {} (tried slot numbers, disks in slots and "
                            "element descriptors; element:N picks by index, all every slot)",
                            target, e.device));
}

ses::EnclosureControl led_control(const Enclosure& e, const std::vector<std::size_t>& elements,
                                  Led led, bool on) {
    if (!e.status) {
        throw Error(Category::unsupported, e.device + ": no Enclosure Status page to start from");
    }
    auto control = ses::EnclosureControl::keeping(*e.status);
    for (auto i : elements) {
        if (i >= e.elements.size()) {
            throw Error(Category::usage, fmt::format("element index {} out of range", i));
        }
        const auto& el = e.elements[i];
        if (el.type_index >= control.types.size() ||
            (el.number && *el.number >= control.types[el.type_index].elements.size())) {
            throw Error(Category::unsupported,
                        fmt::format("element {} is missing from the status page", el.index));
        }
        auto& c =
            el.number ? control.element(el.type_index, *el.number) : control.overall(el.type_index);
        c.set_select(true);
        if (led == Led::locate) {
            c.request_ident(on);
        } else {
            c.request_fault(on);
        }
    }
    return control;
}

void send_control(device::Device& dev, const ses::EnclosureControl& control) {
    const auto page = control.encode();
    scsi::cdb::SendDiagnostic cdb;
    cdb.pf = true;
    cdb.parameter_list_length = static_cast<std::uint16_t>(page.size());
    dev.data_out(cdb.encode(), page);
}

LedResult set_led(device::Device& dev, std::string_view target, Led led, bool on,
                  const std::vector<Disk>& disks) {
    const ReadOptions options{.thresholds = false, .descriptors = true, .additional = true};
    LedResult r{read(dev, options), {}};
    attach_disks(r.enclosure, disks);
    r.elements = select(r.enclosure, target);
    try {
        send_control(dev, led_control(r.enclosure, r.elements, led, on));
    } catch (const Error& first) {
        if (first.category() == Category::device_gone || first.category() == Category::transport) {
            throw;
        }
        auto again = read(dev, options);
        if (again.generation_code == r.enclosure.generation_code) throw;
        attach_disks(again, disks);
        r.elements = select(again, target);
        r.enclosure = std::move(again);
        send_control(dev, led_control(r.enclosure, r.elements, led, on));
    }
    return r;
}

}  // namespace camx::enclosure
