// SPDX-License-Identifier: BSD-2-Clause
#include "camx/ses/configuration.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/ses/frame.hpp"
#include "camx/text/text.hpp"

namespace camx::ses {
namespace {

constexpr std::size_t kFixedDescriptor = 36;  // after the 4-byte descriptor header

template <std::size_t N>
std::array<std::uint8_t, N> take(ByteView b, std::size_t off) {
    std::array<std::uint8_t, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = b[off + i];
    return out;
}

// Decodes one enclosure descriptor; returns bytes consumed, 0 when not even the header fits.
std::size_t decode_subenclosure(ByteView b, std::size_t n, Subenclosure& s,
                                std::vector<std::string>& warnings) {
    if (b.size() < 4) {
        warnings.push_back(fmt::format("enclosure descriptor {} missing (page ends)", n));
        return 0;
    }
    s.relative_es_process_id = static_cast<std::uint8_t>(bytes::bits(b[0], 6, 4));
    s.es_process_count = static_cast<std::uint8_t>(bytes::bits(b[0], 2, 0));
    s.subenclosure_id = b[1];
    s.type_header_count = b[2];
    std::size_t len = b[3];
    ByteView body = bytes::clamp(b, 4, len);
    if (body.size() < len) {
        warnings.push_back(fmt::format("enclosure descriptor {} truncated: length {}, {} present",
                                       n, len, body.size()));
    }
    if (body.size() < kFixedDescriptor) {
        warnings.push_back(
            fmt::format("enclosure descriptor {} shorter than 36 bytes ({})", n, body.size()));
        s.short_body.assign(body.begin(), body.end());
        return 4 + body.size();
    }
    s.logical_identifier = bytes::be64(body, 0);
    s.vendor = take<8>(body, 8);
    s.product = take<16>(body, 16);
    s.revision = take<4>(body, 32);
    s.vendor_specific.assign(body.begin() + kFixedDescriptor, body.end());
    return 4 + body.size();
}

}  // namespace

std::string Subenclosure::vendor_text() const {
    return text::ascii_field(vendor);
}
std::string Subenclosure::product_text() const {
    return text::ascii_field(product);
}
std::string Subenclosure::revision_text() const {
    return text::ascii_field(revision);
}
std::string TypeHeader::text_string() const {
    return text::ascii_field(text);
}

std::size_t Configuration::element_count() const {
    std::size_t n = 0;
    for (const auto& t : types) n += t.possible_elements;
    return n;
}

Configuration Configuration::decode(ByteView page) {
    Configuration c;
    auto f = detail::frame(page, 0x01, "Configuration", c.warnings);
    ByteView body = f.body;
    if (body.size() < 4) {
        throw Error(Category::malformed, "Configuration page: no generation code");
    }
    c.generation_code = bytes::be32(body, 0);
    std::size_t off = 4;
    std::size_t header_count = 0;
    for (std::size_t n = 0; n <= f.byte1; ++n) {
        Subenclosure s;
        std::size_t used =
            decode_subenclosure(bytes::clamp(body, off, body.size()), n, s, c.warnings);
        if (used == 0) break;
        off += used;
        header_count += s.type_header_count;
        c.subenclosures.push_back(std::move(s));
    }
    for (std::size_t k = 0; k < header_count; ++k, off += 4) {
        if (off + 4 > body.size()) {
            c.warnings.push_back(fmt::format("type descriptor header {} of {} missing (page ends)",
                                             k, header_count));
            break;
        }
        TypeHeader t;
        t.type = static_cast<ElementType>(body[off]);
        t.possible_elements = body[off + 1];
        t.subenclosure_id = body[off + 2];
        t.text.resize(body[off + 3]);  // length for now; filled below
        c.types.push_back(std::move(t));
    }
    for (std::size_t k = 0; k < c.types.size(); ++k) {
        auto& t = c.types[k];
        ByteView text = bytes::clamp(body, off, t.text.size());
        if (text.size() < t.text.size()) {
            c.warnings.push_back(
                fmt::format("type descriptor text {} truncated: length {}, {} present", k,
                            t.text.size(), text.size()));
        }
        t.text.assign(text.begin(), text.end());
        off += text.size();
    }
    if (off < body.size()) c.extra.assign(body.begin() + off, body.end());
    for (const auto& t : c.types) {
        bool known =
            std::any_of(c.subenclosures.begin(), c.subenclosures.end(),
                        [&](const auto& s) { return s.subenclosure_id == t.subenclosure_id; });
        if (!known) {
            c.warnings.push_back(
                fmt::format("type descriptor header names subenclosure {} "
                            "which has no enclosure descriptor",
                            t.subenclosure_id));
        }
    }
    return c;
}

Bytes Configuration::encode() const {
    if (subenclosures.empty() || subenclosures.size() > 256) {
        throw Error(Category::usage, "Configuration page needs 1 to 256 enclosure descriptors");
    }
    auto w = detail::begin(0x01, static_cast<std::uint8_t>(subenclosures.size() - 1));
    w.be32(generation_code);
    for (const auto& s : subenclosures) {
        w.u8(static_cast<std::uint8_t>(((s.relative_es_process_id & 7) << 4) |
                                       (s.es_process_count & 7)));
        w.u8(s.subenclosure_id);
        w.u8(s.type_header_count);
        std::size_t len = s.short_body.empty() ? kFixedDescriptor + s.vendor_specific.size()
                                               : s.short_body.size();
        if (len > 255) throw Error(Category::usage, "enclosure descriptor longer than 255 bytes");
        w.u8(static_cast<std::uint8_t>(len));
        if (!s.short_body.empty()) {
            w.raw(s.short_body);
            continue;
        }
        w.be64(s.logical_identifier);
        w.raw(s.vendor);
        w.raw(s.product);
        w.raw(s.revision);
        w.raw(s.vendor_specific);
    }
    for (const auto& t : types) {
        if (t.text.size() > 255) throw Error(Category::usage, "type descriptor text too long");
        w.u8(code(t.type));
        w.u8(t.possible_elements);
        w.u8(t.subenclosure_id);
        w.u8(static_cast<std::uint8_t>(t.text.size()));
    }
    for (const auto& t : types) w.raw(t.text);
    w.raw(extra);
    return detail::finish(w);
}

void to_json(nlohmann::json& j, const Configuration& c) {
    j = nlohmann::json::object();
    j["page_code"] = 1;
    j["page_name"] = "Configuration";
    j["generation_code"] = c.generation_code;
    j["secondary_subenclosure_count"] = c.subenclosures.empty() ? 0 : c.subenclosures.size() - 1;
    auto& subs = j["subenclosures"] = nlohmann::json::array();
    for (const auto& s : c.subenclosures) {
        subs.push_back({
            {"subenclosure_id", s.subenclosure_id},
            {"primary", s.subenclosure_id == 0},
            {"relative_es_process_id", s.relative_es_process_id},
            {"es_process_count", s.es_process_count},
            {"type_header_count", s.type_header_count},
            {"logical_identifier", fmt::format("{:016x}", s.logical_identifier)},
            {"vendor", s.vendor_text()},
            {"product", s.product_text()},
            {"revision", s.revision_text()},
            {"vendor_specific", hex::compact(s.vendor_specific)},
        });
    }
    auto& types = j["types"] = nlohmann::json::array();
    for (const auto& t : c.types) {
        types.push_back({
            {"element_type", code(t.type)},
            {"element_type_name", element_type_name(t.type)},
            {"possible_elements", t.possible_elements},
            {"subenclosure_id", t.subenclosure_id},
            {"text", t.text_string()},
        });
    }
    j["element_count"] = c.element_count();
    j["extra"] = hex::compact(c.extra);
    j["warnings"] = c.warnings;
}

ElementIndex::ElementIndex(const Configuration& config) {
    std::size_t position = 0;
    for (const auto& t : config.types) {
        types_.push_back({t.type, t.subenclosure_id, t.possible_elements, individual_, position});
        individual_ += t.possible_elements;
        position += 1u + t.possible_elements;
    }
}

std::optional<ElementRef> ElementIndex::resolve(std::size_t index, bool includes_overall) const {
    for (std::size_t k = 0; k < types_.size(); ++k) {
        const auto& t = types_[k];
        if (includes_overall) {
            if (index == t.overall_position) return ElementRef{k, t.type, t.subenclosure_id, {}};
            if (index > t.overall_position && index <= t.overall_position + t.count) {
                return ElementRef{k, t.type, t.subenclosure_id, index - t.overall_position - 1};
            }
        } else if (index >= t.first_individual && index < t.first_individual + t.count) {
            return ElementRef{k, t.type, t.subenclosure_id, index - t.first_individual};
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> ElementIndex::index_of(const ElementRef& ref,
                                                  bool includes_overall) const {
    if (ref.type_index >= types_.size()) return std::nullopt;
    const auto& t = types_[ref.type_index];
    if (!ref.element) {
        if (!includes_overall) return std::nullopt;
        return t.overall_position;
    }
    if (*ref.element >= t.count) return std::nullopt;
    return includes_overall ? t.overall_position + 1 + *ref.element
                            : t.first_individual + *ref.element;
}

}  // namespace camx::ses
