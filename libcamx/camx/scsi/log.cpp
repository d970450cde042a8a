// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/log.hpp"

#include <scsi/sg_lib.h>

#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/text/text.hpp"

namespace camx::scsi {
namespace {

constexpr std::size_t kPageHeader = 4;
constexpr std::size_t kParameterHeader = 4;

std::string page_label(std::uint8_t page, std::uint8_t subpage) {
    return subpage == 0 ? fmt::format("0x{:02x}", page)
                        : fmt::format("0x{:02x}/0x{:02x}", page, subpage);
}

bool is_error_counter_page(std::uint8_t page, std::uint8_t subpage) {
    return subpage == 0 && page >= 0x02 && page <= 0x05;
}

// A temperature byte: 0xff means the device has no valid reading.
std::optional<int> celsius(std::uint8_t v) {
    if (v == 0xff) return std::nullopt;
    return v;
}

void decode_supported_list(LogPage& p, ByteView data) {
    std::size_t entry = p.spf ? 2 : 1;
    std::size_t off = 0;
    for (; off + entry <= data.size(); off += entry) {
        SupportedLogPage s;
        s.page_code = data[off];
        if (p.spf) s.subpage_code = data[off + 1];
        p.supported_pages.push_back(s);
    }
    if (off < data.size()) {
        p.unparsed.assign(data.begin() + static_cast<std::ptrdiff_t>(off), data.end());
        p.warnings.push_back(fmt::format("log page {}: {} byte(s) do not form a page/subpage pair",
                                         page_label(p.page_code, p.subpage_code),
                                         data.size() - off));
    }
}

void decode_parameters(LogPage& p, ByteView data) {
    std::size_t off = 0;
    while (off < data.size()) {
        if (data.size() - off < kParameterHeader) {
            p.unparsed.assign(data.begin() + static_cast<std::ptrdiff_t>(off), data.end());
            p.warnings.push_back(fmt::format(
                "log page {}: {} byte(s) at offset {} cannot hold a parameter header",
                page_label(p.page_code, p.subpage_code), data.size() - off, off + kPageHeader));
            return;
        }
        LogParameter q;
        q.parameter_code = bytes::be16(data, off);
        std::uint8_t ctl = data[off + 2];
        q.du = bytes::bit(ctl, 7);
        q.ds = bytes::bit(ctl, 6);
        q.tsd = bytes::bit(ctl, 5);
        q.etc = bytes::bit(ctl, 4);
        q.tmc = static_cast<std::uint8_t>(bytes::bits(ctl, 3, 2));
        q.format_and_linking = static_cast<std::uint8_t>(bytes::bits(ctl, 1, 0));
        q.parameter_length = data[off + 3];
        ByteView value = bytes::clamp(data, off + kParameterHeader, q.parameter_length);
        q.value.assign(value.begin(), value.end());
        if (q.truncated()) {
            p.warnings.push_back(
                fmt::format("log page {}: parameter 0x{:04x} declares {} bytes, only {} present",
                            page_label(p.page_code, p.subpage_code), q.parameter_code,
                            q.parameter_length, value.size()));
        }
        off += kParameterHeader + value.size();
        p.parameters.push_back(std::move(q));
    }
}

// Decodes the page at the start of b and returns how many bytes of b it used.
std::size_t decode_one(ByteView b, LogPage& p) {
    if (b.size() < kPageHeader) {
        throw Error(
            Category::malformed,
            fmt::format("log page of {} bytes is shorter than its 4-byte header", b.size()));
    }
    p.ds = bytes::bit(b[0], 7);
    p.spf = bytes::bit(b[0], 6);
    p.page_code = b[0] & 0x3f;
    p.subpage_code = b[1];
    p.page_length = bytes::be16(b, 2);
    if (!p.spf && p.subpage_code != 0) {
        p.warnings.push_back(fmt::format("log page 0x{:02x}: subpage 0x{:02x} with SPF zero",
                                         p.page_code, p.subpage_code));
    }
    ByteView data = bytes::clamp(b, kPageHeader, p.page_length);
    if (data.size() < p.page_length) {
        p.truncated = true;
        p.warnings.push_back(
            fmt::format("log page {} declares {} bytes, only {} present (truncated)",
                        page_label(p.page_code, p.subpage_code), kPageHeader + p.page_length,
                        kPageHeader + data.size()));
    }
    if (p.is_supported_list()) {
        decode_supported_list(p, data);
    } else {
        decode_parameters(p, data);
    }
    return kPageHeader + data.size();
}

}  // namespace

std::string_view log_page_name(std::uint8_t page, std::uint8_t subpage) {
    if (subpage == 0xff) {
        return page == 0 ? "Supported Log Pages and Subpages" : "Supported Subpages";
    }
    switch ((page << 8) | subpage) {
        case 0x0000:
            return "Supported Log Pages";
        case 0x0100:
            return "Buffer Over-Run/Under-Run";
        case 0x0200:
            return "Write Error Counter";
        case 0x0300:
            return "Read Error Counter";
        case 0x0400:
            return "Read Reverse Error Counter";
        case 0x0500:
            return "Verify Error Counter";
        case 0x0600:
            return "Non-Medium Error";
        case 0x0700:
            return "Last n Error Events";
        case 0x0800:
            return "Format Status";
        case 0x0b00:
            return "Last n Deferred Errors or Asynchronous Events";
        case 0x0b01:
            return "Last n Inquiry Data Changed";
        case 0x0b02:
            return "Last n Mode Page Data Changed";
        case 0x0c00:
            return "Logical Block Provisioning";
        case 0x0d00:
            return "Temperature";
        case 0x0d01:
            return "Environmental Reporting";
        case 0x0d02:
            return "Environmental Limits";
        case 0x0e00:
            return "Start-Stop Cycle Counter";
        case 0x0e01:
            return "Utilization";
        case 0x0f00:
            return "Application Client";
        case 0x1000:
            return "Self-Test Results";
        case 0x1100:
            return "Solid State Media";
        case 0x1401:
            return "Zoned Block Device Statistics";
        case 0x1500:
            return "Background Scan Results";
        case 0x1501:
            return "Pending Defects";
        case 0x1502:
            return "Background Operation";
        case 0x1503:
            return "LPS Misalignment";
        case 0x1600:
            return "ATA PASS-THROUGH Results";
        case 0x1700:
            return "Non-Volatile Cache";
        case 0x1800:
            return "Protocol Specific Port";
        case 0x1900:
            return "General Statistics and Performance";
        case 0x1920:
            return "Cache Memory Statistics";
        case 0x1921:
            return "Command Duration Limits Statistics";
        case 0x1a00:
            return "Power Condition Transitions";
        case 0x2f00:
            return "Informational Exceptions";
        default:
            break;
    }
    if (page == 0x19 && subpage >= 0x01 && subpage <= 0x1f)
        return "Group Statistics and Performance";
    if (page >= 0x30 && page <= 0x3e) return "Vendor specific";
    return "";
}

std::uint8_t LogParameter::control() const noexcept {
    return static_cast<std::uint8_t>((du ? 0x80 : 0) | (ds ? 0x40 : 0) | (tsd ? 0x20 : 0) |
                                     (etc ? 0x10 : 0) | ((tmc & 3) << 2) |
                                     (format_and_linking & 3));
}

std::optional<std::uint64_t> LogParameter::number() const {
    if (truncated() || value.empty() || value.size() > 8) return std::nullopt;
    return bytes::be(value, 0, value.size());
}

std::string InformationalException::asc_ascq_str() const {
    std::array<char, 160> buf{};
    sg_get_asc_ascq_str(asc, ascq, static_cast<int>(buf.size()), buf.data());
    // sg3_utils words it for its own reports; the JSON value is the bare description.
    std::string_view text(buf.data());
    constexpr std::string_view prefix = "Additional sense: ";
    if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
    return text::trim(text);
}

bool LogPage::is_supported_list() const noexcept {
    return (page_code == 0 && !spf) || (spf && subpage_code == 0xff);
}

std::string_view LogPage::name() const {
    return log_page_name(page_code, spf ? subpage_code : 0);
}

const LogParameter* LogPage::parameter(std::uint16_t code) const {
    for (const auto& q : parameters) {
        if (q.parameter_code == code) return &q;
    }
    return nullptr;
}

std::string_view LogPage::counter_name(std::uint16_t code) const {
    if (!is_error_counter_page(page_code, spf ? subpage_code : 0)) return "";
    switch (code) {
        case 0x0000:
            return "errors_corrected_without_substantial_delay";
        case 0x0001:
            return "errors_corrected_with_possible_delays";
        case 0x0002:
            return "total_rewrites_or_rereads";
        case 0x0003:
            return "total_errors_corrected";
        case 0x0004:
            return "total_times_correction_algorithm_processed";
        case 0x0005:
            return "total_bytes_processed";
        case 0x0006:
            return "total_uncorrected_errors";
        default:
            return "";
    }
}

std::optional<int> LogPage::temperature_celsius() const {
    if (page_code != 0x0d || (spf && subpage_code != 0)) return std::nullopt;
    const LogParameter* q = parameter(0x0000);
    if (!q || q->value.size() < 2) return std::nullopt;
    return celsius(q->value[1]);
}

std::optional<int> LogPage::reference_temperature_celsius() const {
    if (page_code != 0x0d || (spf && subpage_code != 0)) return std::nullopt;
    const LogParameter* q = parameter(0x0001);
    if (!q || q->value.size() < 2) return std::nullopt;
    return celsius(q->value[1]);
}

std::optional<InformationalException> LogPage::informational_exception() const {
    if (page_code != 0x2f || (spf && subpage_code != 0)) return std::nullopt;
    const LogParameter* q = parameter(0x0000);
    if (!q || q->value.size() < 2) return std::nullopt;
    InformationalException ie;
    ie.asc = q->value[0];
    ie.ascq = q->value[1];
    if (q->value.size() >= 3) ie.most_recent_temperature_celsius = celsius(q->value[2]);
    return ie;
}

LogPage LogPage::decode(ByteView b) {
    LogPage p;
    std::size_t used = decode_one(b, p);
    if (used < b.size()) {
        p.warnings.push_back(fmt::format("{} byte(s) after log page {}", b.size() - used,
                                         page_label(p.page_code, p.subpage_code)));
    }
    return p;
}

Bytes LogPage::encode() const {
    bytes::Writer w;
    w.u8(static_cast<std::uint8_t>((ds ? 0x80 : 0) | (spf ? 0x40 : 0) | (page_code & 0x3f)));
    w.u8(subpage_code);
    w.be16(0);
    if (is_supported_list()) {
        for (const auto& s : supported_pages) {
            w.u8(s.page_code);
            if (spf) w.u8(s.subpage_code);
        }
    } else {
        for (const auto& q : parameters) {
            if (q.value.size() > 0xff) {
                throw Error(Category::usage,
                            fmt::format("log parameter 0x{:04x} value too long ({} bytes)",
                                        q.parameter_code, q.value.size()));
            }
            w.be16(q.parameter_code);
            w.u8(q.control());
            w.u8(static_cast<std::uint8_t>(q.value.size()));
            w.raw(q.value);
        }
    }
    w.raw(unparsed);
    Bytes out = w.take();
    std::size_t length = out.size() - kPageHeader;
    if (length > 0xffff) {
        throw Error(Category::usage, fmt::format("log page {} too long ({} bytes)",
                                                 page_label(page_code, subpage_code), length));
    }
    bytes::put_be16(out, 2, static_cast<std::uint16_t>(length));
    return out;
}

Log Log::decode(ByteView b) {
    if (b.size() < kPageHeader) {
        throw Error(
            Category::malformed,
            fmt::format("log sense data of {} bytes is shorter than a page header", b.size()));
    }
    Log log;
    std::size_t off = 0;
    while (off < b.size()) {
        if (b.size() - off < kPageHeader) {
            log.trailing.assign(b.begin() + static_cast<std::ptrdiff_t>(off), b.end());
            log.warnings.push_back(
                fmt::format("{} byte(s) at the end cannot hold a log page header", b.size() - off));
            break;
        }
        LogPage p;
        off += decode_one(b.subspan(off), p);
        log.pages.push_back(std::move(p));
    }
    return log;
}

Bytes Log::encode() const {
    bytes::Writer w;
    for (const auto& p : pages) w.raw(p.encode());
    w.raw(trailing);
    return w.take();
}

void to_json(nlohmann::json& j, const LogParameter& p) {
    j = nlohmann::json{{"parameter_code", p.parameter_code},
                       {"du", p.du},
                       {"tsd", p.tsd},
                       {"etc", p.etc},
                       {"tmc", p.tmc},
                       {"format_and_linking", p.format_and_linking},
                       {"parameter_length", p.parameter_length},
                       {"truncated", p.truncated()},
                       {"bytes", hex::compact(p.value)}};
    if (auto n = p.number()) j["value"] = *n;
}

void to_json(nlohmann::json& j, const SupportedLogPage& s) {
    j = nlohmann::json{{"page_code", s.page_code}, {"subpage_code", s.subpage_code}};
    if (auto n = log_page_name(s.page_code, s.subpage_code); !n.empty()) j["page_name"] = n;
}

namespace {

nlohmann::json optional_celsius(std::optional<int> v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

void add_decoded_fields(nlohmann::json& j, const LogPage& p) {
    if (p.is_supported_list()) j["supported_pages"] = p.supported_pages;
    if (is_error_counter_page(p.page_code, p.spf ? p.subpage_code : 0)) {
        nlohmann::json counters = nlohmann::json::object();
        for (const auto& q : p.parameters) {
            auto name = p.counter_name(q.parameter_code);
            auto n = q.number();
            if (!name.empty() && n) counters[std::string(name)] = *n;
        }
        j["counters"] = std::move(counters);
    }
    if (p.page_code == 0x0d && !(p.spf && p.subpage_code != 0)) {
        if (p.parameter(0x0000))
            j["temperature_celsius"] = optional_celsius(p.temperature_celsius());
        if (p.parameter(0x0001)) {
            j["reference_temperature_celsius"] =
                optional_celsius(p.reference_temperature_celsius());
        }
    }
    if (auto ie = p.informational_exception()) {
        j["asc"] = ie->asc;
        j["ascq"] = ie->ascq;
        j["asc_ascq_str"] = ie->asc_ascq_str();
        j["most_recent_temperature_celsius"] =
            optional_celsius(ie->most_recent_temperature_celsius);
    }
}

}  // namespace

void to_json(nlohmann::json& j, const LogPage& p) {
    j = nlohmann::json{{"page_code", p.page_code},
                       {"subpage_code", p.subpage_code},
                       {"ds", p.ds},
                       {"spf", p.spf},
                       {"page_length", p.page_length},
                       {"truncated", p.truncated},
                       {"parameters", p.parameters},
                       {"warnings", p.warnings}};
    if (auto n = p.name(); !n.empty()) j["page_name"] = n;
    nlohmann::json& params = j["parameters"];
    for (std::size_t i = 0; i < p.parameters.size(); ++i) {
        if (auto n = p.counter_name(p.parameters[i].parameter_code); !n.empty()) {
            params[i]["parameter_name"] = n;
        }
    }
    if (!p.unparsed.empty()) j["unparsed_bytes"] = hex::compact(p.unparsed);
    add_decoded_fields(j, p);
}

void to_json(nlohmann::json& j, const Log& l) {
    j = nlohmann::json{{"pages", l.pages}, {"warnings", l.warnings}};
    if (!l.trailing.empty()) j["trailing_bytes"] = hex::compact(l.trailing);
}

}  // namespace camx::scsi
