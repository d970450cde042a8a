// SPDX-License-Identifier: BSD-2-Clause
#include "camx/ses/pages.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/ses/frame.hpp"
#include "camx/ses/layout.hpp"
#include "camx/text/text.hpp"

namespace camx::ses {
namespace {

std::uint32_t generation(ByteView body, std::string_view name) {
    if (body.size() < 4) {
        throw Error(Category::malformed, fmt::format("{} page: no generation code", name));
    }
    return bytes::be32(body, 0);
}

void keep_extra(ByteView body, std::size_t off, Bytes& extra, std::vector<std::string>& warnings) {
    if (off >= body.size()) return;
    extra.assign(body.begin() + static_cast<std::ptrdiff_t>(off), body.end());
    warnings.push_back(
        fmt::format("{} undescribed bytes at the end of the page kept", extra.size()));
}

template <std::size_t N>
std::array<std::uint8_t, N> take(ByteView b, std::size_t off) {
    std::array<std::uint8_t, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = b[off + i];
    return out;
}

nlohmann::json threshold_json(ElementType type, const Threshold& t) {
    nlohmann::json j = {{"high_critical", t.high_critical},
                        {"high_warning", t.high_warning},
                        {"low_warning", t.low_warning},
                        {"low_critical", t.low_critical}};
    auto put = [&](std::string_view suffix, auto convert) {
        j[fmt::format("high_critical_{}", suffix)] = convert(t.high_critical);
        j[fmt::format("high_warning_{}", suffix)] = convert(t.high_warning);
        j[fmt::format("low_warning_{}", suffix)] = convert(t.low_warning);
        j[fmt::format("low_critical_{}", suffix)] = convert(t.low_critical);
    };
    if (type == ElementType::temperature_sensor) {
        // 0 is reserved; otherwise value - 20 degrees.
        put("celsius", [](std::uint8_t v) {
            return v == 0 ? nlohmann::json(nullptr) : nlohmann::json(int{v} - 20);
        });
    } else if (type == ElementType::voltage_sensor || type == ElementType::current_sensor) {
        // Units of 0.5 % of the nominal value (above for high, below for low).
        put("percent", [](std::uint8_t v) { return nlohmann::json(v / 2.0); });
    }
    return j;
}

}  // namespace

std::string_view page_name(std::uint8_t c) {
    switch (c) {
        case 0x00:
            return "Supported Diagnostic Pages";
        case 0x01:
            return "Configuration";
        case 0x02:
            return "Enclosure Status/Control";
        case 0x03:
            return "Help Text";
        case 0x04:
            return "String In/Out";
        case 0x05:
            return "Threshold In/Out";
        case 0x06:
            return "Array Status/Control";
        case 0x07:
            return "Element Descriptor";
        case 0x08:
            return "Short Enclosure Status";
        case 0x09:
            return "Enclosure Busy";
        case 0x0a:
            return "Additional Element Status";
        case 0x0b:
            return "Subenclosure Help Text";
        case 0x0c:
            return "Subenclosure String In/Out";
        case 0x0d:
            return "Supported SES Diagnostic Pages";
        case 0x0e:
            return "Download Microcode Status/Control";
        case 0x0f:
            return "Subenclosure Nickname Status/Control";
        case 0x3f:
            return "Protocol Specific";
        case 0x40:
            return "Translate Address";
        case 0x41:
            return "Device Status";
        case 0x42:
            return "Rebuild Assist";
        default:
            break;
    }
    if (c >= 0x80) return "vendor specific";
    if (c >= 0x10 && c <= 0x1f) return "SES reserved";
    return "reserved";
}

SupportedPages SupportedPages::decode(ByteView page) {
    SupportedPages p;
    if (!page.empty() && page[0] != 0x00 && page[0] != 0x0d) {
        throw Error(Category::malformed,
                    fmt::format("page 0x{:02x} is not a supported pages list", page[0]));
    }
    auto f = detail::frame(page, -1, "Supported Diagnostic Pages", p.warnings);
    p.page_code = f.page_code;
    p.pages.assign(f.body.begin(), f.body.end());
    // Zeros after a non-zero entry cannot be page 0x00 again: they pad the list.
    auto last = std::find_if(p.pages.rbegin(), p.pages.rend(), [](auto c) { return c != 0; });
    std::size_t pad = static_cast<std::size_t>(last - p.pages.rbegin());
    if (pad > 0 && pad < p.pages.size()) {
        p.zero_padding = pad;
        p.pages.resize(p.pages.size() - pad);
        p.warnings.push_back(fmt::format("{} zero bytes pad the page list", pad));
    }
    if (!std::is_sorted(p.pages.begin(), p.pages.end())) {
        p.warnings.push_back("page list not in ascending order");
    }
    return p;
}

Bytes SupportedPages::encode() const {
    auto w = detail::begin(page_code, 0);
    for (auto c : pages) w.u8(c);
    w.zeros(zero_padding);
    return detail::finish(w);
}

std::string HelpText::text_string() const {
    return text::ascii_field(text);
}

HelpText HelpText::decode(ByteView page) {
    HelpText h;
    auto f = detail::frame(page, 0x03, "Help Text", h.warnings);
    h.text.assign(f.body.begin(), f.body.end());
    return h;
}

Bytes HelpText::encode() const {
    auto w = detail::begin(0x03, 0);
    w.raw(text);
    return detail::finish(w);
}

std::string StringPage::text() const {
    std::string out;
    for (auto c : data) {
        if ((c >= 0x20 && c < 0x7f && c != '\\') || c == '\n') {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    return out;
}

StringPage StringPage::decode(ByteView page) {
    StringPage s;
    auto f = detail::frame(page, 0x04, "String In", s.warnings);
    s.data.assign(f.body.begin(), f.body.end());
    return s;
}

Bytes StringPage::encode() const {
    auto w = detail::begin(0x04, 0);
    w.raw(data);
    return detail::finish(w);
}

ThresholdPage ThresholdPage::decode(ByteView page, const Configuration& config) {
    ThresholdPage t;
    auto f = detail::frame(page, 0x05, "Threshold", t.warnings);
    t.invop = bytes::bit(f.byte1, 4);
    t.generation_code = generation(f.body, "Threshold");
    ByteView elements = f.body.subspan(4);
    std::size_t off =
        detail::walk_elements(elements, config, t.warnings,
                              [&](std::size_t k, const TypeHeader& h, ByteView e, bool overall) {
                                  Threshold th{e[0], e[1], e[2], e[3]};
                                  if (overall) {
                                      t.types.push_back({h.type, h.subenclosure_id, th, {}});
                                  } else {
                                      t.types[k].elements.push_back(th);
                                  }
                              });
    keep_extra(elements, off, t.extra, t.warnings);
    return t;
}

Bytes ThresholdPage::encode() const {
    auto w = detail::begin(0x05, invop ? 0x10 : 0);
    w.be32(generation_code);
    auto put = [&](const Threshold& th) {
        w.u8(th.high_critical);
        w.u8(th.high_warning);
        w.u8(th.low_warning);
        w.u8(th.low_critical);
    };
    for (const auto& ty : types) {
        put(ty.overall);
        for (const auto& e : ty.elements) put(e);
    }
    w.raw(extra);
    return detail::finish(w);
}

std::string ElementDescriptor::text_string() const {
    return text::ascii_field(text);
}

std::string ElementDescriptors::name(std::size_t type_index, std::size_t n) const {
    if (type_index >= types.size() || n >= types[type_index].elements.size()) return {};
    return types[type_index].elements[n].text_string();
}

ElementDescriptors ElementDescriptors::decode(ByteView page, const Configuration& config) {
    ElementDescriptors d;
    auto f = detail::frame(page, 0x07, "Element Descriptor", d.warnings);
    d.generation_code = generation(f.body, "Element Descriptor");
    ByteView body = f.body.subspan(4);
    std::size_t off = 0;
    bool done = false;
    for (std::size_t k = 0; k < config.types.size() && !done; ++k) {
        const auto& h = config.types[k];
        for (std::size_t n = 0; n <= h.possible_elements; ++n) {
            if (off + 4 > body.size()) {
                d.warnings.push_back(fmt::format(
                    "page ends in type {} ({}) after {} of {} individual descriptors", k,
                    element_type_name(h.type), n == 0 ? 0 : n - 1, h.possible_elements));
                done = true;
                break;
            }
            std::size_t len = bytes::be16(body, off + 2);
            ByteView text = bytes::clamp(body, off + 4, len);
            if (text.size() < len) {
                d.warnings.push_back(
                    fmt::format("descriptor {} of type {} truncated: length {}, {} present", n, k,
                                len, text.size()));
                done = true;
            }
            if (body[off] != 0 || body[off + 1] != 0) {
                d.warnings.push_back(
                    fmt::format("reserved bytes set in descriptor {} of type {}", n, k));
            }
            ElementDescriptor e{Bytes(text.begin(), text.end())};
            if (n == 0) {
                d.types.push_back({h.type, h.subenclosure_id, std::move(e), {}});
            } else {
                d.types[k].elements.push_back(std::move(e));
            }
            off += 4 + text.size();
            if (done) break;
        }
    }
    keep_extra(body, off, d.extra, d.warnings);
    return d;
}

Bytes ElementDescriptors::encode() const {
    auto w = detail::begin(0x07, 0);
    w.be32(generation_code);
    auto put = [&](const ElementDescriptor& e) {
        if (e.text.size() > 0xffff) throw Error(Category::usage, "element descriptor too long");
        w.be16(0);
        w.be16(static_cast<std::uint16_t>(e.text.size()));
        w.raw(e.text);
    };
    for (const auto& t : types) {
        put(t.overall);
        for (const auto& e : t.elements) put(e);
    }
    w.raw(extra);
    return detail::finish(w);
}

std::string_view microcode_status_name(std::uint8_t s) {
    switch (s) {
        case 0x00:
            return "No download microcode operation in progress";
        case 0x01:
            return "Download in progress, awaiting more";
        case 0x02:
            return "Download complete, updating non-volatile storage";
        case 0x03:
            return "Updating non-volatile storage with deferred microcode";
        case 0x10:
            return "Complete, no error, starting now";
        case 0x11:
            return "Complete, no error, start after hard reset or power cycle";
        case 0x12:
            return "Complete, no error, start after power cycle";
        case 0x13:
            return "Complete, no error, start after activate_mc, hard reset or power cycle";
        case 0x80:
            return "Error, discarded, see additional status";
        case 0x81:
            return "Error, discarded, image error";
        case 0x82:
            return "Timeout, discarded";
        case 0x83:
            return "Internal error, need new microcode before reset";
        case 0x84:
            return "Internal error, need new microcode, reset safe";
        case 0x85:
            return "Unexpected activate_mc received";
        default:
            break;
    }
    if (s >= 0x70 && s <= 0x7f) return "vendor specific (in progress)";
    if (s >= 0xf0) return "vendor specific (error)";
    return "reserved";
}

DownloadMicrocodeStatus DownloadMicrocodeStatus::decode(ByteView page) {
    DownloadMicrocodeStatus d;
    auto f = detail::frame(page, 0x0e, "Download Microcode Status", d.warnings);
    d.generation_code = generation(f.body, "Download Microcode Status");
    std::size_t off = 4;
    for (std::size_t n = 0; n <= f.byte1; ++n, off += 16) {
        if (off + 16 > f.body.size()) {
            d.warnings.push_back(
                fmt::format("status descriptor {} of {} missing (page ends)", n, f.byte1 + 1u));
            break;
        }
        ByteView e = f.body.subspan(off, 16);
        d.subenclosures.push_back({e[1], e[2], e[3], bytes::be32(e, 4), e[11], bytes::be32(e, 12)});
    }
    keep_extra(f.body, std::min(off, f.body.size()), d.extra, d.warnings);
    return d;
}

Bytes DownloadMicrocodeStatus::encode() const {
    if (subenclosures.empty() || subenclosures.size() > 256) {
        throw Error(Category::usage, "Download Microcode Status needs 1 to 256 descriptors");
    }
    auto w = detail::begin(0x0e, static_cast<std::uint8_t>(subenclosures.size() - 1));
    w.be32(generation_code);
    for (const auto& s : subenclosures) {
        w.u8(0);
        w.u8(s.subenclosure_id);
        w.u8(s.status);
        w.u8(s.additional_status);
        w.be32(s.maximum_size_bytes);
        w.zeros(3);
        w.u8(s.expected_buffer_id);
        w.be32(s.expected_buffer_offset);
    }
    w.raw(extra);
    return detail::finish(w);
}

std::string NicknameStatus::nickname_text() const {
    return text::ascii_field(nickname);
}

SubenclosureNicknames SubenclosureNicknames::decode(ByteView page) {
    SubenclosureNicknames s;
    auto f = detail::frame(page, 0x0f, "Subenclosure Nickname Status", s.warnings);
    s.generation_code = generation(f.body, "Subenclosure Nickname Status");
    std::size_t off = 4;
    for (std::size_t n = 0; n <= f.byte1; ++n, off += 40) {
        if (off + 40 > f.body.size()) {
            s.warnings.push_back(
                fmt::format("nickname descriptor {} of {} missing (page ends)", n, f.byte1 + 1u));
            break;
        }
        ByteView e = f.body.subspan(off, 40);
        s.subenclosures.push_back({e[1], e[2], e[3], bytes::be16(e, 4), take<32>(e, 8)});
    }
    keep_extra(f.body, std::min(off, f.body.size()), s.extra, s.warnings);
    return s;
}

Bytes SubenclosureNicknames::encode() const {
    if (subenclosures.empty() || subenclosures.size() > 256) {
        throw Error(Category::usage, "Subenclosure Nickname Status needs 1 to 256 descriptors");
    }
    auto w = detail::begin(0x0f, static_cast<std::uint8_t>(subenclosures.size() - 1));
    w.be32(generation_code);
    for (const auto& s : subenclosures) {
        w.u8(0);
        w.u8(s.subenclosure_id);
        w.u8(s.status);
        w.u8(s.additional_status);
        w.be16(s.language_code);
        w.zeros(2);
        w.raw(s.nickname);
    }
    w.raw(extra);
    return detail::finish(w);
}

NicknameControl NicknameControl::decode(ByteView page) {
    NicknameControl c;
    auto f = detail::frame(page, 0x0f, "Subenclosure Nickname Control", c.warnings);
    c.subenclosure_id = f.byte1;
    c.generation_code = generation(f.body, "Subenclosure Nickname Control");
    ByteView name = bytes::clamp(f.body, 4, 32);
    if (name.size() < 32) c.warnings.push_back("nickname shorter than 32 bytes");
    std::copy(name.begin(), name.end(), c.nickname.begin());
    if (f.body.size() > 36) c.warnings.push_back("bytes after the nickname ignored");
    return c;
}

Bytes NicknameControl::encode() const {
    auto w = detail::begin(0x0f, subenclosure_id);
    w.be32(generation_code);
    w.raw(nickname);
    return detail::finish(w);
}

RawPage RawPage::decode(ByteView page) {
    RawPage r;
    auto f = detail::frame(page, -1, "diagnostic", r.warnings);
    r.page_code = f.page_code;
    r.byte1 = f.byte1;
    r.body.assign(f.body.begin(), f.body.end());
    return r;
}

Bytes RawPage::encode() const {
    auto w = detail::begin(page_code, byte1);
    w.raw(body);
    return detail::finish(w);
}

std::vector<PageSlice> split_pages(ByteView buffer) {
    std::vector<PageSlice> out;
    std::size_t off = 0;
    while (off < buffer.size()) {
        ByteView rest = buffer.subspan(off);
        if (rest.size() < 4) {
            out.push_back({off, rest[0], rest, true});
            break;
        }
        std::size_t len = 4 + std::size_t{bytes::be16(rest, 2)};
        bool truncated = len > rest.size();
        ByteView page = rest.first(std::min(len, rest.size()));
        out.push_back({off, rest[0], page, truncated});
        off += page.size();
    }
    return out;
}

void to_json(nlohmann::json& j, const SupportedPages& p) {
    j = nlohmann::json::object();
    j["page_code"] = p.page_code;
    j["page_name"] = page_name(p.page_code);
    auto& pages = j["pages"] = nlohmann::json::array();
    for (auto c : p.pages) pages.push_back({{"page_code", c}, {"page_name", page_name(c)}});
    j["zero_padding"] = p.zero_padding;
    j["warnings"] = p.warnings;
}

void to_json(nlohmann::json& j, const HelpText& p) {
    j = {{"page_code", 3},
         {"page_name", "Help Text"},
         {"text", p.text_string()},
         {"warnings", p.warnings}};
}

void to_json(nlohmann::json& j, const StringPage& p) {
    j = {{"page_code", 4},   {"page_name", "String In"},     {"length_bytes", p.data.size()},
         {"text", p.text()}, {"data", hex::compact(p.data)}, {"warnings", p.warnings}};
}

void to_json(nlohmann::json& j, const ThresholdPage& p) {
    j = nlohmann::json::object();
    j["page_code"] = 5;
    j["page_name"] = "Threshold";
    j["invop"] = p.invop;
    j["generation_code"] = p.generation_code;
    auto& types = j["types"] = nlohmann::json::array();
    for (const auto& t : p.types) {
        auto elements = nlohmann::json::array();
        for (const auto& e : t.elements) elements.push_back(threshold_json(t.type, e));
        types.push_back({{"element_type", code(t.type)},
                         {"element_type_name", element_type_name(t.type)},
                         {"subenclosure_id", t.subenclosure_id},
                         {"overall", threshold_json(t.type, t.overall)},
                         {"elements", std::move(elements)}});
    }
    j["extra"] = hex::compact(p.extra);
    j["warnings"] = p.warnings;
}

void to_json(nlohmann::json& j, const ElementDescriptors& p) {
    j = nlohmann::json::object();
    j["page_code"] = 7;
    j["page_name"] = "Element Descriptor";
    j["generation_code"] = p.generation_code;
    auto& types = j["types"] = nlohmann::json::array();
    for (const auto& t : p.types) {
        auto elements = nlohmann::json::array();
        for (const auto& e : t.elements) elements.push_back(e.text_string());
        types.push_back({{"element_type", code(t.type)},
                         {"element_type_name", element_type_name(t.type)},
                         {"subenclosure_id", t.subenclosure_id},
                         {"overall", t.overall.text_string()},
                         {"elements", std::move(elements)}});
    }
    j["extra"] = hex::compact(p.extra);
    j["warnings"] = p.warnings;
}

void to_json(nlohmann::json& j, const DownloadMicrocodeStatus& p) {
    j = nlohmann::json::object();
    j["page_code"] = 0x0e;
    j["page_name"] = "Download Microcode Status";
    j["generation_code"] = p.generation_code;
    auto& subs = j["subenclosures"] = nlohmann::json::array();
    for (const auto& s : p.subenclosures) {
        subs.push_back({{"subenclosure_id", s.subenclosure_id},
                        {"status", s.status},
                        {"status_name", microcode_status_name(s.status)},
                        {"additional_status", s.additional_status},
                        {"maximum_size_bytes", s.maximum_size_bytes},
                        {"expected_buffer_id", s.expected_buffer_id},
                        {"expected_buffer_offset_bytes", s.expected_buffer_offset}});
    }
    j["extra"] = hex::compact(p.extra);
    j["warnings"] = p.warnings;
}

void to_json(nlohmann::json& j, const SubenclosureNicknames& p) {
    j = nlohmann::json::object();
    j["page_code"] = 0x0f;
    j["page_name"] = "Subenclosure Nickname Status";
    j["generation_code"] = p.generation_code;
    auto& subs = j["subenclosures"] = nlohmann::json::array();
    for (const auto& s : p.subenclosures) {
        subs.push_back({{"subenclosure_id", s.subenclosure_id},
                        {"status", s.status},
                        {"additional_status", s.additional_status},
                        {"language_code", s.language_code},
                        {"nickname", s.nickname_text()}});
    }
    j["extra"] = hex::compact(p.extra);
    j["warnings"] = p.warnings;
}

void to_json(nlohmann::json& j, const NicknameControl& p) {
    j = {{"page_code", 0x0f},
         {"page_name", "Subenclosure Nickname Control"},
         {"subenclosure_id", p.subenclosure_id},
         {"generation_code", p.generation_code},
         {"nickname", text::ascii_field(p.nickname)},
         {"warnings", p.warnings}};
}

void to_json(nlohmann::json& j, const RawPage& p) {
    j = {{"page_code", p.page_code},
         {"page_name", page_name(p.page_code)},
         {"byte1", p.byte1},
         {"length_bytes", p.body.size()},
         {"data", hex::compact(p.body)},
         {"warnings", p.warnings}};
}

}  // namespace camx::ses
