// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target for ctl.conf: the UCL-subset parser and the checks built on it. Any input
// must parse or throw camx::Error; a parsed config must render to JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "camx/error/error.hpp"
#include "camx/target_config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        auto cfg = camx::target_config::parse(text, "fuzz.conf", {false});
        nlohmann::json j = cfg;
        (void)j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } catch (const camx::Error&) {
    }
    return 0;
}
