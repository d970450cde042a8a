// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target for the SES codec: the first input byte picks a configuration source,
// the rest is decoded as diagnostic pages, rendered as JSON and re-encoded.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "camx/ses/check.hpp"
#include "camx/ses/page.hpp"

namespace {

void exercise(camx::ByteView data) {
    using namespace camx::ses;
    std::optional<Configuration> config;
    auto slices = split_pages(data);
    for (const auto& s : slices) {
        if (s.page_code != 0x01) continue;
        try {
            config = Configuration::decode(s.bytes);
            (void)config->encode();
        } catch (const camx::Error&) {
        }
        break;
    }
    for (const auto& s : slices) {
        try {
            auto page = decode_page(s.bytes, config ? &*config : nullptr);
            nlohmann::json j = page;
            (void)j.dump();
            auto again = std::visit([](const auto& p) { return p.encode(); }, page);
            (void)decode_page(again, config ? &*config : nullptr);
            if (config) {
                if (const auto* st = std::get_if<EnclosureStatus>(&page)) {
                    auto ctl = EnclosureControl::keeping(*st);
                    (void)EnclosureControl::decode(ctl.encode(), *config);
                    (void)check_consistency(*config, {st, nullptr, nullptr, nullptr});
                }
                if (const auto* a = std::get_if<AdditionalElementStatus>(&page)) {
                    (void)check_consistency(*config, {nullptr, nullptr, nullptr, a});
                }
            }
        } catch (const camx::Error&) {
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    exercise(camx::ByteView(data, size));
    return 0;
}
