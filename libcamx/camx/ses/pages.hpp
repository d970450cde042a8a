// SPDX-License-Identifier: BSD-2-Clause
// SES diagnostic pages other than Configuration, Enclosure Status/Control and Additional
// Element Status: supported pages (0x00, 0x0D), help text (0x03), string in/out (0x04),
// threshold in/out (0x05), element descriptors (0x07), download microcode status (0x0E),
// subenclosure nickname status/control (0x0F), any other page kept raw; and the splitter
// for buffers holding several pages back to back.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/ses/configuration.hpp"
#include "camx/ses/element.hpp"

namespace camx::ses {

// Name of a diagnostic page code ("Enclosure Status/Control", "vendor specific", ...).
std::string_view page_name(std::uint8_t page_code);

// Supported Diagnostic Pages (0x00, SPC) and Supported SES Diagnostic Pages (0x0D).
struct SupportedPages {
    std::uint8_t page_code = 0x00;
    std::vector<std::uint8_t> pages;
    std::size_t zero_padding = 0;  // trailing 00 bytes after an ascending list (seen on Areca)
    std::vector<std::string> warnings;

    static SupportedPages decode(ByteView page);
    Bytes encode() const;
    bool operator==(const SupportedPages&) const = default;
};

// Help Text (0x03).
struct HelpText {
    Bytes text;
    std::vector<std::string> warnings;
    std::string text_string() const;
    static HelpText decode(ByteView page);
    Bytes encode() const;
    bool operator==(const HelpText&) const = default;
};

// String In / String Out (0x04): vendor-defined bytes (EMC sends firmware logs).
struct StringPage {
    Bytes data;
    std::vector<std::string> warnings;
    // The bytes as text, non-printable bytes escaped, line feeds kept.
    std::string text() const;
    static StringPage decode(ByteView page);
    Bytes encode() const;
    bool operator==(const StringPage&) const = default;
};

// One threshold element: HIGH CRITICAL, HIGH WARNING, LOW WARNING, LOW CRITICAL.
struct Threshold {
    std::uint8_t high_critical = 0;
    std::uint8_t high_warning = 0;
    std::uint8_t low_warning = 0;
    std::uint8_t low_critical = 0;
    bool operator==(const Threshold&) const = default;
};

struct TypeThresholds {
    ElementType type = ElementType::unspecified;
    std::uint8_t subenclosure_id = 0;
    Threshold overall;
    std::vector<Threshold> elements;
    bool operator==(const TypeThresholds&) const = default;
};

// Threshold In (status, INVOP meaningful) and Threshold Out (control) (0x05).
struct ThresholdPage {
    bool invop = false;
    std::uint32_t generation_code = 0;
    std::vector<TypeThresholds> types;  // a short page (Areca) holds the types present
    Bytes extra;
    std::vector<std::string> warnings;

    static ThresholdPage decode(ByteView page, const Configuration& config);
    Bytes encode() const;
    bool operator==(const ThresholdPage&) const = default;
};

// One element descriptor: the text as sent (vendors NUL-terminate inside the length).
struct ElementDescriptor {
    Bytes text;
    std::string text_string() const;
    bool operator==(const ElementDescriptor&) const = default;
};

struct TypeDescriptors {
    ElementType type = ElementType::unspecified;
    std::uint8_t subenclosure_id = 0;
    ElementDescriptor overall;
    std::vector<ElementDescriptor> elements;
    bool operator==(const TypeDescriptors&) const = default;
};

// Element Descriptor (0x07).
struct ElementDescriptors {
    std::uint32_t generation_code = 0;
    std::vector<TypeDescriptors> types;
    Bytes extra;
    std::vector<std::string> warnings;

    // The name of an individual element; empty if absent.
    std::string name(std::size_t type_index, std::size_t n) const;

    static ElementDescriptors decode(ByteView page, const Configuration& config);
    Bytes encode() const;
    bool operator==(const ElementDescriptors&) const = default;
};

struct MicrocodeStatus {
    std::uint8_t subenclosure_id = 0;
    std::uint8_t status = 0;
    std::uint8_t additional_status = 0;
    std::uint32_t maximum_size_bytes = 0;
    std::uint8_t expected_buffer_id = 0;
    std::uint32_t expected_buffer_offset = 0;
    bool operator==(const MicrocodeStatus&) const = default;
};
std::string_view microcode_status_name(std::uint8_t status);

// Download Microcode Status (0x0E in).
struct DownloadMicrocodeStatus {
    std::uint32_t generation_code = 0;
    std::vector<MicrocodeStatus> subenclosures;
    Bytes extra;
    std::vector<std::string> warnings;
    static DownloadMicrocodeStatus decode(ByteView page);
    Bytes encode() const;
    bool operator==(const DownloadMicrocodeStatus&) const = default;
};

struct NicknameStatus {
    std::uint8_t subenclosure_id = 0;
    std::uint8_t status = 0;
    std::uint8_t additional_status = 0;
    std::uint16_t language_code = 0;
    std::array<std::uint8_t, 32> nickname{};
    std::string nickname_text() const;
    bool operator==(const NicknameStatus&) const = default;
};

// Subenclosure Nickname Status (0x0F in).
struct SubenclosureNicknames {
    std::uint32_t generation_code = 0;
    std::vector<NicknameStatus> subenclosures;
    Bytes extra;
    std::vector<std::string> warnings;
    static SubenclosureNicknames decode(ByteView page);
    Bytes encode() const;
    bool operator==(const SubenclosureNicknames&) const = default;
};

// Subenclosure Nickname Control (0x0F out).
struct NicknameControl {
    std::uint8_t subenclosure_id = 0;
    std::uint32_t generation_code = 0;
    std::array<std::uint8_t, 32> nickname{};
    std::vector<std::string> warnings;
    static NicknameControl decode(ByteView page);
    Bytes encode() const;
    bool operator==(const NicknameControl&) const = default;
};

// Any page kept as bytes (vendor specific, or a page camx does not model).
struct RawPage {
    std::uint8_t page_code = 0;
    std::uint8_t byte1 = 0;
    Bytes body;
    std::vector<std::string> warnings;
    static RawPage decode(ByteView page);
    Bytes encode() const;
    bool operator==(const RawPage&) const = default;
};

// One page of a buffer holding several: where it starts and its bytes (header included,
// clamped to the buffer when the last page is cut short).
struct PageSlice {
    std::size_t offset = 0;
    std::uint8_t page_code = 0;
    ByteView bytes;
    bool truncated = false;
};
// Splits on each page's own length field. Fewer than 4 bytes left at the end are returned as
// a truncated slice.
std::vector<PageSlice> split_pages(ByteView buffer);

void to_json(nlohmann::json& j, const SupportedPages& p);
void to_json(nlohmann::json& j, const HelpText& p);
void to_json(nlohmann::json& j, const StringPage& p);
void to_json(nlohmann::json& j, const ThresholdPage& p);
void to_json(nlohmann::json& j, const ElementDescriptors& p);
void to_json(nlohmann::json& j, const DownloadMicrocodeStatus& p);
void to_json(nlohmann::json& j, const SubenclosureNicknames& p);
void to_json(nlohmann::json& j, const NicknameControl& p);
void to_json(nlohmann::json& j, const RawPage& p);

}  // namespace camx::ses
