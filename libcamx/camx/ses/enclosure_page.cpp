// SPDX-License-Identifier: BSD-2-Clause
#include "camx/ses/enclosure_page.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/ses/frame.hpp"
#include "camx/ses/layout.hpp"

namespace camx::ses {
namespace {

template <typename Type, typename Element>
void decode_types(ByteView body, const Configuration& config, std::vector<Type>& out, Bytes& extra,
                  std::vector<std::string>& warnings) {
    std::size_t off = detail::walk_elements(
        body, config, warnings, [&](std::size_t k, const TypeHeader& h, ByteView e, bool overall) {
            if (overall) {
                out.push_back({h.type, h.subenclosure_id, Element::decode(h.type, e), {}});
            } else {
                out[k].elements.push_back(Element::decode(h.type, e));
            }
        });
    if (off < body.size()) {
        extra.assign(body.begin() + off, body.end());
        warnings.push_back(fmt::format("{} bytes after the {} elements the configuration describes",
                                       extra.size(), config.element_count() + config.types.size()));
    }
}

template <typename Type>
void encode_types(bytes::Writer& w, const std::vector<Type>& types, const Bytes& extra) {
    for (const auto& t : types) {
        t.overall.encode(w);
        for (const auto& e : t.elements) e.encode(w);
    }
    w.raw(extra);
}

}  // namespace

const ElementStatus* EnclosureStatus::element(std::size_t type_index, std::size_t n) const {
    if (type_index >= types.size() || n >= types[type_index].elements.size()) return nullptr;
    return &types[type_index].elements[n];
}

EnclosureStatus EnclosureStatus::decode(ByteView page, const Configuration& config) {
    EnclosureStatus s;
    auto f = detail::frame(page, 0x02, "Enclosure Status", s.warnings);
    s.invop = bytes::bit(f.byte1, 4);
    s.info = bytes::bit(f.byte1, 3);
    s.non_crit = bytes::bit(f.byte1, 2);
    s.crit = bytes::bit(f.byte1, 1);
    s.unrecov = bytes::bit(f.byte1, 0);
    if (f.body.size() < 4)
        throw Error(Category::malformed, "Enclosure Status page: no generation code");
    s.generation_code = bytes::be32(f.body, 0);
    decode_types<TypeStatus, ElementStatus>(f.body.subspan(4), config, s.types, s.extra,
                                            s.warnings);
    return s;
}

Bytes EnclosureStatus::encode() const {
    auto byte1 =
        static_cast<std::uint8_t>((invop ? 0x10 : 0) | (info ? 0x08 : 0) | (non_crit ? 0x04 : 0) |
                                  (crit ? 0x02 : 0) | (unrecov ? 0x01 : 0));
    auto w = detail::begin(0x02, byte1);
    w.be32(generation_code);
    encode_types(w, types, extra);
    return detail::finish(w);
}

EnclosureControl EnclosureControl::keeping(const EnclosureStatus& status) {
    EnclosureControl c;
    c.generation_code = status.generation_code;
    for (const auto& t : status.types) {
        TypeControl tc{t.type, t.subenclosure_id, control_from_status(t.overall), {}};
        for (const auto& e : t.elements) tc.elements.push_back(control_from_status(e));
        c.types.push_back(std::move(tc));
    }
    return c;
}

EnclosureControl EnclosureControl::blank(const Configuration& config) {
    EnclosureControl c;
    c.generation_code = config.generation_code;
    for (const auto& h : config.types) {
        TypeControl tc{h.type, h.subenclosure_id, ElementControl{h.type, {}}, {}};
        tc.elements.assign(h.possible_elements, ElementControl{h.type, {}});
        c.types.push_back(std::move(tc));
    }
    return c;
}

ElementControl& EnclosureControl::element(std::size_t type_index, std::size_t n) {
    if (type_index >= types.size() || n >= types[type_index].elements.size()) {
        throw Error(Category::usage, fmt::format("no element {} in type {}", n, type_index));
    }
    return types[type_index].elements[n];
}

ElementControl& EnclosureControl::overall(std::size_t type_index) {
    if (type_index >= types.size()) {
        throw Error(Category::usage, fmt::format("no type {}", type_index));
    }
    return types[type_index].overall;
}

EnclosureControl EnclosureControl::decode(ByteView page, const Configuration& config) {
    EnclosureControl c;
    auto f = detail::frame(page, 0x02, "Enclosure Control", c.warnings);
    c.info = bytes::bit(f.byte1, 3);
    c.non_crit = bytes::bit(f.byte1, 2);
    c.crit = bytes::bit(f.byte1, 1);
    c.unrecov = bytes::bit(f.byte1, 0);
    if (f.byte1 & 0xf0) c.warnings.push_back("reserved bits set in byte 1");
    if (f.body.size() < 4)
        throw Error(Category::malformed, "Enclosure Control page: no generation code");
    c.generation_code = bytes::be32(f.body, 0);
    decode_types<TypeControl, ElementControl>(f.body.subspan(4), config, c.types, c.extra,
                                              c.warnings);
    return c;
}

Bytes EnclosureControl::encode() const {
    auto byte1 = static_cast<std::uint8_t>((info ? 0x08 : 0) | (non_crit ? 0x04 : 0) |
                                           (crit ? 0x02 : 0) | (unrecov ? 0x01 : 0));
    auto w = detail::begin(0x02, byte1);
    w.be32(generation_code);
    encode_types(w, types, extra);
    return detail::finish(w);
}

void to_json(nlohmann::json& j, const EnclosureStatus& s) {
    j = nlohmann::json::object();
    j["page_code"] = 2;
    j["page_name"] = "Enclosure Status";
    j["invop"] = s.invop;
    j["info"] = s.info;
    j["non_crit"] = s.non_crit;
    j["crit"] = s.crit;
    j["unrecov"] = s.unrecov;
    j["generation_code"] = s.generation_code;
    auto& types = j["types"] = nlohmann::json::array();
    for (const auto& t : s.types) {
        types.push_back({{"element_type", code(t.type)},
                         {"element_type_name", element_type_name(t.type)},
                         {"subenclosure_id", t.subenclosure_id},
                         {"overall", t.overall},
                         {"elements", t.elements}});
    }
    j["extra"] = hex::compact(s.extra);
    j["warnings"] = s.warnings;
}

void to_json(nlohmann::json& j, const EnclosureControl& c) {
    j = nlohmann::json::object();
    j["page_code"] = 2;
    j["page_name"] = "Enclosure Control";
    j["info"] = c.info;
    j["non_crit"] = c.non_crit;
    j["crit"] = c.crit;
    j["unrecov"] = c.unrecov;
    j["generation_code"] = c.generation_code;
    auto& types = j["types"] = nlohmann::json::array();
    for (const auto& t : c.types) {
        types.push_back({{"element_type", code(t.type)},
                         {"element_type_name", element_type_name(t.type)},
                         {"subenclosure_id", t.subenclosure_id},
                         {"overall", t.overall},
                         {"elements", t.elements}});
    }
    j["extra"] = hex::compact(c.extra);
    j["warnings"] = c.warnings;
}

}  // namespace camx::ses
