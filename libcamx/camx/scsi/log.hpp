// SPDX-License-Identifier: BSD-2-Clause
// LOG SENSE parameter data (and LOG SELECT parameter lists): pages, their parameters, and
// the decoded views camx uses (supported pages, error counters, temperature, informational
// exceptions). Several pages back to back split on each page's own length.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

struct LogParameter {
    std::uint16_t parameter_code = 0;
    bool du = false;       // disable update
    bool ds = false;       // obsolete (disable save in SPC-3); kept so encode reproduces the byte
    bool tsd = false;      // target save disable
    bool etc = false;      // enable threshold comparison
    std::uint8_t tmc = 0;  // threshold met criteria
    std::uint8_t format_and_linking = 0;  // 0 bounded counter, 1 ASCII list, 2 bounded, 3 binary
    std::uint8_t parameter_length = 0;    // as declared
    Bytes value;  // the parameter value (after its 4-byte header) as far as present

    bool truncated() const noexcept { return value.size() < parameter_length; }
    std::uint8_t control() const noexcept;
    // The value as an unsigned big-endian number when it is complete and 1..8 bytes long.
    std::optional<std::uint64_t> number() const;
    bool operator==(const LogParameter&) const = default;
};

struct SupportedLogPage {
    std::uint8_t page_code = 0;
    std::uint8_t subpage_code = 0;
    bool operator==(const SupportedLogPage&) const = default;
};

struct InformationalException {
    std::uint8_t asc = 0;
    std::uint8_t ascq = 0;
    std::optional<int> most_recent_temperature_celsius;  // nullopt: absent or 0xff (unknown)
    std::string asc_ascq_str() const;  // sg3_utils' text for the additional sense code
};

struct LogPage {
    std::uint8_t page_code = 0;
    std::uint8_t subpage_code = 0;
    bool ds = false;                // disable save
    bool spf = false;               // subpage format
    std::uint16_t page_length = 0;  // as declared
    bool truncated = false;         // the declared page reaches past the data
    // Pages 0x00 (one byte per page) and xx/0xff (page, subpage pairs) list pages instead of
    // holding parameters.
    std::vector<SupportedLogPage> supported_pages;
    std::vector<LogParameter> parameters;
    Bytes unparsed;  // final bytes too short for a parameter header or a list entry
    std::vector<std::string> warnings;

    bool is_supported_list() const noexcept;
    std::string_view name() const;
    const LogParameter* parameter(std::uint16_t code) const;

    // Write, read, read reverse and verify error counter pages (0x02-0x05): the counter
    // name of a parameter code ("total_errors_corrected"), empty for other pages and codes.
    std::string_view counter_name(std::uint16_t parameter_code) const;
    // Temperature page (0x0d/0x00): parameter 0 and 1, nullopt when absent or 0xff (unknown).
    std::optional<int> temperature_celsius() const;
    std::optional<int> reference_temperature_celsius() const;
    // Informational exceptions page (0x2f): parameter 0.
    std::optional<InformationalException> informational_exception() const;

    // The page at the start of b; bytes after its declared length are reported in warnings
    // (use Log::decode for pages back to back). Throws Error(malformed) below 4 bytes.
    static LogPage decode(ByteView b);
    // Page length and parameter lengths computed from the contents.
    Bytes encode() const;
    bool operator==(const LogPage&) const = default;
};

// LOG SENSE data: one page, or several back to back as captured with `sg_logs -A`.
struct Log {
    std::vector<LogPage> pages;
    Bytes trailing;                     // final bytes too short for a page header
    std::vector<std::string> warnings;  // about the split; each page carries its own

    static Log decode(ByteView b);
    Bytes encode() const;
    bool operator==(const Log&) const = default;
};

std::string_view log_page_name(std::uint8_t page_code, std::uint8_t subpage_code);

void to_json(nlohmann::json& j, const LogParameter& p);
void to_json(nlohmann::json& j, const SupportedLogPage& s);
void to_json(nlohmann::json& j, const LogPage& p);
void to_json(nlohmann::json& j, const Log& l);

}  // namespace camx::scsi
