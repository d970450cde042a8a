// SPDX-License-Identifier: BSD-2-Clause
// SES Additional Element Status diagnostic page (0x0A): per element the transport protocol
// information (SAS phys and addresses, FC ports, PCIe/NVMe ports) tying slots to devices.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/ses/configuration.hpp"

namespace camx::ses {

// Protocol identifiers (SPC-4 table 444) used here.
inline constexpr std::uint8_t kProtocolFc = 0x0;
inline constexpr std::uint8_t kProtocolSas = 0x6;
inline constexpr std::uint8_t kProtocolPcie = 0xb;

// SAS phy descriptor of a device slot (descriptor type 0), 28 bytes.
struct SasPhy {
    std::uint8_t device_type = 0;  // 0 none, 1 end device, 2 expander, 3 fanout expander
    bool smp_initiator = false;
    bool stp_initiator = false;
    bool ssp_initiator = false;
    bool sata_port_selector = false;
    bool ssp_target = false;
    bool stp_target = false;
    bool smp_target = false;
    bool sata_device = false;
    std::uint64_t attached_sas_address = 0;
    std::uint64_t sas_address = 0;
    std::uint8_t phy_identifier = 0;
    bool operator==(const SasPhy&) const = default;
};
std::string_view sas_device_type_name(std::uint8_t device_type);

// Expander phy descriptor (SAS expander element, descriptor type 1), 2 bytes.
struct SasExpanderPhy {
    std::uint8_t connector_element_index = 0xff;  // 0xff: none
    std::uint8_t other_element_index = 0xff;
    bool operator==(const SasExpanderPhy&) const = default;
};

// Port phy descriptor (SCSI initiator/target port, ESCE; descriptor type 1), 12 bytes.
struct SasPortPhy {
    std::uint8_t phy_identifier = 0;
    std::uint8_t connector_element_index = 0xff;
    std::uint8_t other_element_index = 0xff;
    std::uint64_t sas_address = 0;
    bool operator==(const SasPortPhy&) const = default;
};

struct SasInfo {
    std::uint8_t descriptor_type = 0;  // 0: device slot phys; 1: expander or port phys
    bool not_all_phys = false;
    std::uint8_t device_slot_number = 0;  // descriptor type 0 with EIP only
    std::vector<SasPhy> phys;             // type 0
    bool expander = false;                // type 1: expander layout (SAS address, 2-byte phys)
    std::uint64_t sas_address = 0;        // type 1, expander layout
    std::vector<SasExpanderPhy> expander_phys;  // type 1, SAS expander element
    std::vector<SasPortPhy> port_phys;          // type 1, other elements
    bool operator==(const SasInfo&) const = default;
};

struct FcPort {
    std::uint8_t port_loop_position = 0;
    std::uint8_t bypass_reason = 0;
    std::uint8_t port_requested_hard_address = 0;
    std::uint32_t n_port_identifier = 0;  // 24 bits
    std::uint64_t n_port_name = 0;
    bool operator==(const FcPort&) const = default;
};

struct FcInfo {
    std::uint8_t device_slot_number = 0;  // with EIP
    std::uint64_t node_name = 0;
    std::vector<FcPort> ports;
    bool operator==(const FcInfo&) const = default;
};

struct PciePort {
    bool psn_valid = false;
    bool bdf_valid = false;
    bool cid_valid = false;
    std::uint16_t controller_id = 0;  // little endian on the wire
    std::uint8_t bus_number = 0;
    std::uint8_t device_number = 0;          // 5 bits
    std::uint8_t function_number = 0;        // 3 bits
    std::uint16_t physical_slot_number = 0;  // 13 bits, little endian on the wire
    bool operator==(const PciePort&) const = default;
};

struct PcieInfo {
    std::uint8_t pcie_protocol_type = 0;  // 1: NVMe
    bool not_all_ports = false;
    std::uint8_t device_slot_number = 0;
    std::uint16_t vendor_id = 0;  // little endian on the wire
    std::array<std::uint8_t, 20> serial_number{};
    std::array<std::uint8_t, 40> model_number{};
    std::vector<PciePort> ports;
    bool operator==(const PcieInfo&) const = default;
};

using ProtocolInfo = std::variant<std::monostate, SasInfo, FcInfo, PcieInfo>;

struct AdditionalElement {
    bool invalid = false;
    bool eip = false;
    std::uint8_t protocol = 0;
    std::uint8_t eiioe = 0;          // with EIP
    std::uint8_t element_index = 0;  // with EIP
    ProtocolInfo info;               // monostate when invalid or the protocol is not decoded
    Bytes raw;  // protocol-specific bytes not decoded (all of them for monostate)

    // The element this descriptor describes, worked out on decode from the element index
    // (or its position when EIP is clear); not encoded.
    std::optional<ElementRef> element;

    bool operator==(const AdditionalElement&) const = default;
};

struct AdditionalElementStatus {
    std::uint32_t generation_code = 0;
    std::vector<AdditionalElement> descriptors;
    Bytes extra;  // a last descriptor header cut short
    std::vector<std::string> warnings;

    // The descriptor of an individual element, nullptr if none.
    const AdditionalElement* find(std::size_t type_index, std::size_t n) const;

    static AdditionalElementStatus decode(ByteView page, const Configuration& config);
    Bytes encode() const;
    bool operator==(const AdditionalElementStatus&) const = default;
};

// Whether the element type carries an additional element status descriptor.
bool has_additional_status(ElementType t);
// Whether an element index in this descriptor counts overall elements (EIIOE 1 and 3).
inline bool index_includes_overall(std::uint8_t eiioe) {
    return eiioe == 1 || eiioe == 3;
}

void to_json(nlohmann::json& j, const AdditionalElementStatus& p);

}  // namespace camx::ses
