// SPDX-License-Identifier: BSD-2-Clause
// Walks the per-type element layout shared by the Enclosure Status/Control and Threshold
// In/Out pages: for each type descriptor header an overall element then its individual
// elements, 4 bytes each. Stops (with a warning) where the page ends.
#pragma once

#include <string>
#include <vector>

#include <fmt/format.h>

#include "camx/ses/configuration.hpp"

namespace camx::ses::detail {

// visit(type_index, header, four_bytes, is_overall); returns the bytes consumed.
template <typename Visit>
std::size_t walk_elements(ByteView body, const Configuration& config,
                          std::vector<std::string>& warnings, Visit&& visit) {
    std::size_t off = 0;
    for (std::size_t k = 0; k < config.types.size(); ++k) {
        const auto& h = config.types[k];
        for (std::size_t n = 0; n <= h.possible_elements; ++n, off += 4) {
            if (off + 4 > body.size()) {
                warnings.push_back(fmt::format(
                    "page ends in type {} ({}) after {} of {} individual elements", k,
                    element_type_name(h.type), n == 0 ? 0 : n - 1, h.possible_elements));
                return off;
            }
            visit(k, h, body.subspan(off, 4), n == 0);
        }
    }
    return off;
}

}  // namespace camx::ses::detail
