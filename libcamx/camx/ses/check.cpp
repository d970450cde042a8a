// SPDX-License-Identifier: BSD-2-Clause
#include "camx/ses/check.hpp"

#include <fmt/format.h>

namespace camx::ses {
namespace {

template <typename Types>
void check_layout(const Configuration& config, std::string_view page, std::uint32_t generation,
                  const Types& types, std::vector<std::string>& out) {
    if (generation != config.generation_code) {
        out.push_back(fmt::format("{} page generation code {} differs from configuration's {}",
                                  page, generation, config.generation_code));
    }
    if (types.size() != config.types.size()) {
        out.push_back(fmt::format("{} page has {} element types, configuration {}", page,
                                  types.size(), config.types.size()));
    }
    for (std::size_t k = 0; k < types.size() && k < config.types.size(); ++k) {
        const auto& h = config.types[k];
        if (types[k].type != h.type) {
            out.push_back(fmt::format("{} page type {} is {}, configuration says {}", page, k,
                                      element_type_name(types[k].type), element_type_name(h.type)));
        }
        if (types[k].elements.size() != h.possible_elements) {
            out.push_back(fmt::format("{} page type {} ({}) has {} elements, configuration {}",
                                      page, k, element_type_name(h.type), types[k].elements.size(),
                                      h.possible_elements));
        }
    }
}

void check_additional(const Configuration& config, const AdditionalElementStatus& a,
                      std::vector<std::string>& out) {
    if (a.generation_code != config.generation_code) {
        out.push_back(fmt::format(
            "Additional Element Status page generation code {} differs from configuration's {}",
            a.generation_code, config.generation_code));
    }
    ElementIndex index(config);
    for (std::size_t d = 0; d < a.descriptors.size(); ++d) {
        const auto& e = a.descriptors[d];
        if (!e.element) {
            out.push_back(fmt::format(
                "Additional Element Status descriptor {} matches no element of the configuration",
                d));
            continue;
        }
        if (e.eip) {
            auto want = index.index_of(*e.element, index_includes_overall(e.eiioe));
            if (!want || *want != e.element_index) {
                out.push_back(fmt::format(
                    "Additional Element Status descriptor {}: element index {} but it describes "
                    "{} element {}",
                    d, e.element_index, element_type_name(e.element->type),
                    e.element->element.value_or(0)));
            }
        }
    }
}

}  // namespace

std::vector<std::string> check_consistency(const Configuration& config, const PageSet& pages) {
    std::vector<std::string> out;
    if (pages.status) {
        check_layout(config, "Enclosure Status", pages.status->generation_code, pages.status->types,
                     out);
    }
    if (pages.thresholds) {
        check_layout(config, "Threshold", pages.thresholds->generation_code,
                     pages.thresholds->types, out);
    }
    if (pages.descriptors) {
        check_layout(config, "Element Descriptor", pages.descriptors->generation_code,
                     pages.descriptors->types, out);
    }
    if (pages.additional) check_additional(config, *pages.additional, out);
    return out;
}

}  // namespace camx::ses
