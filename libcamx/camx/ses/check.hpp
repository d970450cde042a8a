// SPDX-License-Identifier: BSD-2-Clause
// Cross-page checks: the status, threshold, descriptor and additional element status pages
// must carry the configuration's generation code and element layout. Problems are returned,
// never thrown: a mismatch means the enclosure changed and the pages must be read again.
#pragma once

#include <string>
#include <vector>

#include "camx/ses/additional.hpp"
#include "camx/ses/configuration.hpp"
#include "camx/ses/enclosure_page.hpp"
#include "camx/ses/pages.hpp"

namespace camx::ses {

struct PageSet {
    const EnclosureStatus* status = nullptr;
    const ThresholdPage* thresholds = nullptr;
    const ElementDescriptors* descriptors = nullptr;
    const AdditionalElementStatus* additional = nullptr;
};

std::vector<std::string> check_consistency(const Configuration& config, const PageSet& pages);

}  // namespace camx::ses
