// SPDX-License-Identifier: BSD-2-Clause
#include "camx/enclosure/changes.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace camx::enclosure {
namespace {

bool same_layout(const Enclosure& a, const Enclosure& b) {
    if (a.elements.size() != b.elements.size()) return false;
    for (std::size_t i = 0; i < a.elements.size(); ++i) {
        if (a.elements[i].type != b.elements[i].type ||
            a.elements[i].number != b.elements[i].number) {
            return false;
        }
    }
    return true;
}

std::string raw_hex(const std::optional<ses::ElementStatus>& s) {
    if (!s) return "-";
    return fmt::format("{:02x} {:02x} {:02x} {:02x}", s->raw[0], s->raw[1], s->raw[2], s->raw[3]);
}

std::string element_label(const Element& e) {
    std::string s = fmt::format("element {} ({}", e.index, ses::element_type_name(e.type));
    if (e.is_overall()) s += ", overall";
    if (!e.descriptor.empty()) s += ", " + e.descriptor;
    return s + ")";
}

}  // namespace

std::string_view change_kind_name(Change::Kind k) noexcept {
    switch (k) {
        case Change::Kind::generation_code:
            return "generation_code";
        case Change::Kind::configuration:
            return "configuration";
        case Change::Kind::element_status:
            return "element_status";
        case Change::Kind::health:
            return "health";
    }
    return "element_status";
}

std::vector<Change> diff(const Enclosure& before, const Enclosure& after) {
    std::vector<Change> out;
    if (before.generation_code != after.generation_code) {
        Change c;
        c.kind = Change::Kind::generation_code;
        c.generation_before = before.generation_code;
        c.generation_after = after.generation_code;
        out.push_back(c);
    }
    if (!same_layout(before, after)) {
        Change c;
        c.kind = Change::Kind::configuration;
        c.generation_before = before.generation_code;
        c.generation_after = after.generation_code;
        out.push_back(c);
    } else {
        for (std::size_t i = 0; i < before.elements.size(); ++i) {
            const auto& a = before.elements[i];
            const auto& b = after.elements[i];
            const bool differ = a.status.has_value() != b.status.has_value() ||
                                (a.status && a.status->raw != b.status->raw);
            if (!differ) continue;
            Change c;
            c.kind = Change::Kind::element_status;
            c.before = a;
            c.after = b;
            out.push_back(std::move(c));
        }
    }
    if (before.health() != after.health()) {
        Change c;
        c.kind = Change::Kind::health;
        c.health_before = before.health();
        c.health_after = after.health();
        out.push_back(c);
    }
    return out;
}

std::string describe(const Change& c) {
    switch (c.kind) {
        case Change::Kind::generation_code:
            return fmt::format("generation code {:#x} -> {:#x}", c.generation_before,
                               c.generation_after);
        case Change::Kind::configuration:
            return "configuration changed (element layout differs)";
        case Change::Kind::health:
            return fmt::format("health {} -> {}", health_name(c.health_before),
                               health_name(c.health_after));
        case Change::Kind::element_status:
            break;
    }
    return fmt::format("{}: {} -> {} [{} -> {}]", element_label(*c.after), c.before->status_name(),
                       c.after->status_name(), raw_hex(c.before->status), raw_hex(c.after->status));
}

void to_json(nlohmann::json& j, const Change& c) {
    j = nlohmann::json::object();
    j["kind"] = change_kind_name(c.kind);
    switch (c.kind) {
        case Change::Kind::generation_code:
        case Change::Kind::configuration:
            j["generation_code_before"] = c.generation_before;
            j["generation_code_after"] = c.generation_after;
            break;
        case Change::Kind::health:
            j["health_before"] = health_name(c.health_before);
            j["health_after"] = health_name(c.health_after);
            break;
        case Change::Kind::element_status:
            j["index"] = c.after->index;
            j["element_type"] = ses::code(c.after->type);
            j["element_type_name"] = ses::element_type_name(c.after->type);
            j["descriptor"] = c.after->descriptor;
            j["status_before"] =
                c.before->status ? nlohmann::json(*c.before->status) : nlohmann::json(nullptr);
            j["status_after"] =
                c.after->status ? nlohmann::json(*c.after->status) : nlohmann::json(nullptr);
            break;
    }
}

}  // namespace camx::enclosure
