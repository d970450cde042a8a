// SPDX-License-Identifier: BSD-2-Clause
// The enclosure model: the SES pages of one enclosure joined into elements (type, descriptor,
// decoded status, slot number, SAS addresses, the disk in the slot), read from a device or
// from captured pages, with the overall health and FreeBSD's physical path strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/device/device.hpp"
#include "camx/ses/additional.hpp"
#include "camx/ses/configuration.hpp"
#include "camx/ses/enclosure_page.hpp"
#include "camx/ses/pages.hpp"

namespace camx::enclosure {

// Worst first is the larger value; ok also covers "information only".
enum class Health : std::uint8_t { ok, noncritical, critical, unrecoverable };
std::string_view health_name(Health h) noexcept;  // "ok", "noncritical", ...

// A disk as seen by the host, matched to a slot by its identifiers.
struct Disk {
    std::string node;  // "/dev/sda", or the iscsi:// URL of the logical unit
    std::string sg;    // "/dev/sg2" when there is one
    std::string hctl;  // "2:0:1:0" for local disks
    std::string vendor, model, serial;
    std::optional<std::uint64_t> size_bytes;
    // NAA identifiers of the logical unit and of its target ports (VPD 0x83, sysfs wwid,
    // the SAS transport address), as 64-bit values; longer NAA forms keep their first 8 bytes.
    std::vector<std::uint64_t> identifiers;
    bool operator==(const Disk&) const = default;
};

struct Element {
    std::size_t index = 0;  // every element counted, overall ones included (sesutil's numbering)
    std::optional<std::size_t> individual_index;  // SES element index (overall excluded)
    std::size_t type_index = 0;                   // position of its type descriptor header
    std::optional<std::size_t> number;            // within its type; nullopt: overall element
    ses::ElementType type = ses::ElementType::unspecified;
    std::uint8_t subenclosure_id = 0;
    Bytes descriptor_raw;                      // element descriptor as sent (page 0x07)
    std::string descriptor;                    // the same, trimmed and escaped
    std::optional<ses::ElementStatus> status;  // nullopt when the status page ends earlier
    std::optional<unsigned> slot_number;       // slots only
    std::string slot_number_source;            // "additional_status", "slot_address" or "position"
    std::vector<std::uint64_t> sas_addresses;  // of the device in the slot, per phy
    std::vector<std::uint64_t> attached_sas_addresses;  // what each phy is attached to
    std::string physical_path;  // slots: FreeBSD's physical path, empty without an id
    std::optional<Disk> disk;   // set by attach_disks

    bool is_overall() const { return !number.has_value(); }
    bool is_slot() const { return ses::is_slot(type); }
    // Status code name, "absent" without a status element.
    std::string_view status_name() const;
};

// The pages an enclosure answered with, kept as bytes (page 0x02 is the status page).
struct Pages {
    Bytes supported;      // 0x00
    Bytes configuration;  // 0x01
    Bytes status;         // 0x02
    Bytes thresholds;     // 0x05
    Bytes descriptors;    // 0x07
    Bytes additional;     // 0x0a
    // Every other page found (in a capture), by position.
    std::vector<Bytes> others;

    // The pages of a buffer holding several back to back (an --inhex capture).
    static Pages split(ByteView buffer);
    // The bytes of a page by code, empty if absent.
    ByteView page(std::uint8_t code) const;
};

struct TypeCount {
    ses::ElementType type = ses::ElementType::unspecified;
    std::size_t count = 0;
};

struct Enclosure {
    std::string device;  // what it was read from: a path, a URL, or "inhex:FILE"
    std::string vendor, product, revision;
    std::uint64_t logical_identifier = 0;  // primary subenclosure's (page 0x01)
    // The enclosure's NAA identifier: the IEEE registered NAA logical unit designator of its
    // VPD 0x83 page when read from a device, else the logical identifier.
    std::uint64_t naa = 0;
    std::uint32_t generation_code = 0;
    Pages pages;
    ses::Configuration configuration;
    std::optional<ses::EnclosureStatus> status;
    std::optional<ses::ThresholdPage> thresholds;
    std::optional<ses::ElementDescriptors> descriptors;
    std::optional<ses::AdditionalElementStatus> additional;
    std::vector<Element> elements;  // in page order: per type, the overall element first
    std::vector<std::string> warnings;

    // Joins the pages. Throws Error(malformed) without a configuration page (or one that
    // cannot be decoded); every other page is optional.
    static Enclosure from_pages(Pages pages, std::string device = {},
                                std::optional<std::uint64_t> naa = std::nullopt);

    // Individual elements per type, in configuration order (types repeated per subenclosure
    // are added up).
    std::vector<TypeCount> counts() const;
    // The individual elements, as SES counts them (the sum of counts()): "element_count"
    // wherever encctl says it. `elements` holds one overall element per type header more.
    std::size_t element_count() const;
    std::vector<const Element*> slots() const;
    const Element* find(std::size_t index) const;

    // From the status page: its INFO/NON-CRIT/CRIT/UNRECOV bits and the element status codes
    // (critical 2, noncritical 3, unrecoverable 4), whichever is worse.
    Health health() const;
    Health element_health() const;
    Health page_health() const;
};

// FreeBSD's physical path of an element: id1,enc@n<naa>/type@<t>/slot@<n>[/elmdesc@<text>]
// (hex numbers; in the descriptor, non-printable, blank and '/' bytes become '_').
std::string physical_path(std::uint64_t naa, std::size_t type_index, std::size_t number,
                          ByteView descriptor);

// "0x5000c50012345678", the form sysfs and the JSON use for SAS addresses.
std::string sas_address_string(std::uint64_t a);

// Reading from a device. Asks page 0x00 first; reads 0x01, 0x02, then 0x05, 0x07, 0x0a when
// listed, or when page 0x00 is missing (RECEIVE DIAGNOSTIC RESULTS with PCV, allocation grown
// to each page's length); reads everything once more when the generation codes disagree.
// VPD 0x83 gives the NAA.
struct ReadOptions {
    bool thresholds = true;
    bool descriptors = true;
    bool additional = true;
};
// One diagnostic page, allocation grown to its length.
Bytes receive_page(device::Device& dev, std::uint8_t code);
Enclosure read(device::Device& dev, const ReadOptions& options = {});

void to_json(nlohmann::json& j, const Disk& d);
void to_json(nlohmann::json& j, const Element& e);
// The summary: device, vendor, product, revision, id, generation code, health, counts.
nlohmann::json summary_json(const Enclosure& e);
// The summary plus "elements".
void to_json(nlohmann::json& j, const Enclosure& e);

}  // namespace camx::enclosure
