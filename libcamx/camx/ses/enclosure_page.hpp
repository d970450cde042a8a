// SPDX-License-Identifier: BSD-2-Clause
// SES Enclosure Status (0x02 in) and Enclosure Control (0x02 out) diagnostic pages: per type
// descriptor header one overall element then the individual elements, 4 bytes each.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/ses/configuration.hpp"
#include "camx/ses/element.hpp"

namespace camx::ses {

struct TypeStatus {
    ElementType type = ElementType::unspecified;
    std::uint8_t subenclosure_id = 0;
    ElementStatus overall;
    std::vector<ElementStatus> elements;
    bool operator==(const TypeStatus&) const = default;
};

struct EnclosureStatus {
    bool invop = false;
    bool info = false;
    bool non_crit = false;
    bool crit = false;
    bool unrecov = false;
    std::uint32_t generation_code = 0;
    // In configuration order; a page cut short holds the types (and elements) present.
    std::vector<TypeStatus> types;
    Bytes extra;  // bytes past the elements the configuration describes
    std::vector<std::string> warnings;

    // Individual element by type header position and element number; nullptr if absent.
    const ElementStatus* element(std::size_t type_index, std::size_t n) const;

    static EnclosureStatus decode(ByteView page, const Configuration& config);
    Bytes encode() const;
    bool operator==(const EnclosureStatus&) const = default;
};

struct TypeControl {
    ElementType type = ElementType::unspecified;
    std::uint8_t subenclosure_id = 0;
    ElementControl overall;
    std::vector<ElementControl> elements;
    bool operator==(const TypeControl&) const = default;
};

struct EnclosureControl {
    bool info = false;
    bool non_crit = false;
    bool crit = false;
    bool unrecov = false;
    std::uint32_t generation_code = 0;
    std::vector<TypeControl> types;
    Bytes extra;
    std::vector<std::string> warnings;

    // A control page that changes nothing: every element keeps its state (see
    // control_from_status) with SELECT clear; the generation code is the status page's.
    static EnclosureControl keeping(const EnclosureStatus& status);
    // An all-zero control page (nothing selected) laid out after the configuration.
    static EnclosureControl blank(const Configuration& config);

    // Individual (or, without n, overall) element; throws Error(usage) when out of range.
    ElementControl& element(std::size_t type_index, std::size_t n);
    ElementControl& overall(std::size_t type_index);

    static EnclosureControl decode(ByteView page, const Configuration& config);
    Bytes encode() const;
    bool operator==(const EnclosureControl&) const = default;
};

void to_json(nlohmann::json& j, const EnclosureStatus& s);
void to_json(nlohmann::json& j, const EnclosureControl& c);

}  // namespace camx::ses
