// SPDX-License-Identifier: BSD-2-Clause
// What changed between two readings of one enclosure (encctl watch): the generation code,
// the element layout, each element's status, the overall health.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/enclosure/enclosure.hpp"

namespace camx::enclosure {

struct Change {
    enum class Kind : std::uint8_t { generation_code, configuration, element_status, health };
    Kind kind = Kind::element_status;
    std::uint32_t generation_before = 0, generation_after = 0;     // generation_code
    std::optional<Element> before, after;                          // element_status
    Health health_before = Health::ok, health_after = Health::ok;  // health
};
std::string_view change_kind_name(Change::Kind k) noexcept;

// Element status changes are compared on the four status bytes. When the layout changed
// (another element count or types) only generation_code/configuration and health are given.
std::vector<Change> diff(const Enclosure& before, const Enclosure& after);

// One line of text: "element 19 (Array device slot, SLOT 19): OK -> Critical".
std::string describe(const Change& c);
void to_json(nlohmann::json& j, const Change& c);

}  // namespace camx::enclosure
