// SPDX-License-Identifier: BSD-2-Clause
#include "camx/iscsi/lun.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "camx/bytes/hex.hpp"

namespace camx::iscsi {

Lun Lun::from_number(std::uint32_t lun) {
    Lun l;
    if (lun < 256) {
        l.raw[1] = static_cast<std::uint8_t>(lun);
    } else if (lun < 16384) {
        l.raw[0] = static_cast<std::uint8_t>(0x40 | (lun >> 8));
        l.raw[1] = static_cast<std::uint8_t>(lun & 0xff);
    } else {
        throw Error(Category::usage, fmt::format("LUN {} does not fit flat space addressing", lun));
    }
    return l;
}

Lun Lun::decode(ByteView b) {
    bytes::require(b, 0, 8);
    Lun l;
    std::copy_n(b.begin(), 8, l.raw.begin());
    return l;
}

void Lun::encode_to(MutableByteView b) const {
    bytes::require(b, 0, 8);
    std::copy(raw.begin(), raw.end(), b.begin());
}

std::optional<std::uint32_t> Lun::number() const {
    if (std::any_of(raw.begin() + 2, raw.end(), [](std::uint8_t v) { return v != 0; }))
        return std::nullopt;
    switch (address_method()) {
        case 0:
            if ((raw[0] & 0x3f) != 0) return std::nullopt;  // a bus other than 0 is not a LUN
            return raw[1];
        case 1:
            return static_cast<std::uint32_t>((raw[0] & 0x3f) << 8 | raw[1]);
        default:
            return std::nullopt;
    }
}

void to_json(nlohmann::json& j, const Lun& lun) {
    auto n = lun.number();
    j = nlohmann::json{{"lun", n ? nlohmann::json(*n) : nlohmann::json(nullptr)},
                       {"address_method", lun.address_method()},
                       {"raw", hex::compact(lun.raw)}};
}

}  // namespace camx::iscsi
