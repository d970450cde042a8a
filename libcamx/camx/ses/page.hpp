// SPDX-License-Identifier: BSD-2-Clause
// Any SES status-direction diagnostic page (what RECEIVE DIAGNOSTIC RESULTS returns), decoded
// by its page code: the entry point for --inhex and for buffers of several pages.
#pragma once

#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/ses/additional.hpp"
#include "camx/ses/configuration.hpp"
#include "camx/ses/enclosure_page.hpp"
#include "camx/ses/pages.hpp"

namespace camx::ses {

using Page = std::variant<SupportedPages, Configuration, EnclosureStatus, HelpText, StringPage,
                          ThresholdPage, ElementDescriptors, AdditionalElementStatus,
                          DownloadMicrocodeStatus, SubenclosureNicknames, RawPage>;

// Pages 0x02, 0x05, 0x07 and 0x0A need the configuration; without one they are kept raw
// (with a warning). Throws Error(malformed) only below the 4-byte header.
Page decode_page(ByteView page, const Configuration* config);

// Every page of a buffer holding several back to back; a Configuration page met on the way
// is used for the pages after it (and before it, when it comes later in the buffer).
std::vector<Page> decode_pages(ByteView buffer);

std::uint8_t page_code(const Page& p);
void to_json(nlohmann::json& j, const Page& p);

}  // namespace camx::ses
