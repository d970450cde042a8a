// SPDX-License-Identifier: BSD-2-Clause
#include "camx/ses/page.hpp"

#include <nlohmann/json.hpp>

namespace camx::ses {

Page decode_page(ByteView page, const Configuration* config) {
    if (page.empty()) throw Error(Category::malformed, "empty diagnostic page");
    switch (page[0]) {
        case 0x00:
        case 0x0d:
            return SupportedPages::decode(page);
        case 0x01:
            return Configuration::decode(page);
        case 0x03:
            return HelpText::decode(page);
        case 0x04:
            return StringPage::decode(page);
        case 0x0e:
            return DownloadMicrocodeStatus::decode(page);
        case 0x0f:
            return SubenclosureNicknames::decode(page);
        default:
            break;
    }
    bool needs_config = page[0] == 0x02 || page[0] == 0x05 || page[0] == 0x07 || page[0] == 0x0a;
    if (needs_config && config != nullptr) {
        switch (page[0]) {
            case 0x02:
                return EnclosureStatus::decode(page, *config);
            case 0x05:
                return ThresholdPage::decode(page, *config);
            case 0x07:
                return ElementDescriptors::decode(page, *config);
            default:
                return AdditionalElementStatus::decode(page, *config);
        }
    }
    auto raw = RawPage::decode(page);
    if (needs_config) raw.warnings.push_back("no Configuration page to decode this page against");
    return raw;
}

std::vector<Page> decode_pages(ByteView buffer) {
    auto slices = split_pages(buffer);
    std::optional<Configuration> config;
    for (const auto& s : slices) {
        if (s.page_code == 0x01 && s.bytes.size() >= 4) {
            try {
                config = Configuration::decode(s.bytes);
            } catch (const Error&) {
                config.reset();
            }
            break;
        }
    }
    std::vector<Page> out;
    for (const auto& s : slices) out.push_back(decode_page(s.bytes, config ? &*config : nullptr));
    return out;
}

std::uint8_t page_code(const Page& p) {
    return std::visit(
        [](const auto& v) -> std::uint8_t {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, SupportedPages> || std::is_same_v<T, RawPage>) {
                return v.page_code;
            } else if constexpr (std::is_same_v<T, Configuration>) {
                return 0x01;
            } else if constexpr (std::is_same_v<T, EnclosureStatus>) {
                return 0x02;
            } else if constexpr (std::is_same_v<T, HelpText>) {
                return 0x03;
            } else if constexpr (std::is_same_v<T, StringPage>) {
                return 0x04;
            } else if constexpr (std::is_same_v<T, ThresholdPage>) {
                return 0x05;
            } else if constexpr (std::is_same_v<T, ElementDescriptors>) {
                return 0x07;
            } else if constexpr (std::is_same_v<T, AdditionalElementStatus>) {
                return 0x0a;
            } else if constexpr (std::is_same_v<T, DownloadMicrocodeStatus>) {
                return 0x0e;
            } else {
                return 0x0f;
            }
        },
        p);
}

void to_json(nlohmann::json& j, const Page& p) {
    std::visit([&](const auto& v) { j = v; }, p);
}

}  // namespace camx::ses
