// SPDX-License-Identifier: BSD-2-Clause
// VPD pages (SPC-6 7.7, SBC-4 6.6, SAT): one struct per decoded page, a VpdPage variant with
// decode_vpd() dispatching on the page code, and a splitter for buffers of several pages.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/scsi/vpd_devid.hpp"

namespace camx::scsi {

// What every page carries: byte 0 of the header, what the decoder could not place.
struct VpdCommon {
    std::uint8_t peripheral_qualifier = 0;
    std::uint8_t peripheral_device_type = 0;
    Bytes trailing;  // bytes after the declared PAGE LENGTH (not encoded)
    std::vector<std::string> warnings;
    bool operator==(const VpdCommon&) const = default;
};

struct SupportedVpdPages : VpdCommon {
    static constexpr std::uint8_t page_code = 0x00;
    std::vector<std::uint8_t> pages;
    bool operator==(const SupportedVpdPages&) const = default;
};

struct UnitSerialNumber : VpdCommon {
    static constexpr std::uint8_t page_code = 0x80;
    std::string serial_number;  // trimmed, escaped
    bool operator==(const UnitSerialNumber&) const = default;
};

struct DeviceIdentification : VpdCommon {
    static constexpr std::uint8_t page_code = 0x83;
    std::vector<Designator> designators;
    // Old arrays (EMC Symmetrix) put one bare NAA designator after the page header with no
    // descriptor header; decoded as one NAA designator for the logical unit.
    bool pre_spc_format = false;
    Bytes unparsed;  // bytes from a descriptor that overruns the page
    bool operator==(const DeviceIdentification&) const = default;
};

struct ExtendedInquiry : VpdCommon {
    static constexpr std::uint8_t page_code = 0x86;
    std::uint8_t activate_microcode = 0;
    std::uint8_t spt = 0;
    bool grd_chk = false, app_chk = false, ref_chk = false;
    bool uask_sup = false, group_sup = false, prior_sup = false;
    bool headsup = false, ordsup = false, simpsup = false;
    bool wu_sup = false, crd_sup = false, nv_sup = false, v_sup = false;
    bool no_pi_chk = false, p_i_i_sup = false, luiclr = false;
    std::uint8_t lu_coll_type = 0;
    bool r_sup = false, rtd_sup = false, hssrelef = false, cbcs = false;
    std::uint8_t multi_it_nexus_microcode_download = 0;
    std::uint16_t extended_self_test_completion_minutes = 0;
    bool poa_sup = false, hra_sup = false, vsa_sup = false, dms_valid = false;
    std::uint8_t maximum_supported_sense_data_length = 0;
    bool ibs = false, ias = false, sac = false, nrd1 = false, nrd0 = false;
    std::uint16_t maximum_inquiry_change_logs = 0;
    std::uint16_t maximum_mode_page_change_logs = 0;
    bool dm_md_4 = false, dm_md_5 = false, dm_md_6 = false, dm_md_7 = false;
    bool dm_md_d = false, dm_md_e = false, dm_md_f = false;
    Bytes reserved;  // bytes 20..63 when not all zero
    bool operator==(const ExtendedInquiry&) const = default;
};

struct AtaInformation : VpdCommon {
    static constexpr std::uint8_t page_code = 0x89;
    std::string sat_vendor;
    std::string sat_product;
    std::string sat_revision;
    Bytes device_signature;            // 20 bytes: the ATA register image / D2H FIS
    std::uint8_t command_code = 0xec;  // ECh IDENTIFY DEVICE, A1h IDENTIFY PACKET DEVICE
    Bytes identify_data;               // 512 bytes of IDENTIFY (PACKET) DEVICE data, as received
    bool operator==(const AtaInformation&) const = default;

    // Strings of the IDENTIFY data (words 27-46, 10-19, 23-26), bytes swapped per word.
    std::string model() const;
    std::string serial_number() const;
    std::string firmware_revision() const;
    // "SATA", "PATA" or "" from the first signature byte (SAT transport identifier).
    std::string transport() const;
};

struct BlockLimits : VpdCommon {
    static constexpr std::uint8_t page_code = 0xb0;
    bool wsnz = false;
    std::uint8_t maximum_compare_and_write_length = 0;
    std::uint16_t optimal_transfer_length_granularity = 0;
    std::uint32_t maximum_transfer_length = 0;
    std::uint32_t optimal_transfer_length = 0;
    std::uint32_t maximum_prefetch_length = 0;
    std::uint32_t maximum_unmap_lba_count = 0;
    std::uint32_t maximum_unmap_block_descriptor_count = 0;
    std::uint32_t optimal_unmap_granularity = 0;
    bool ugavalid = false;
    std::uint32_t unmap_granularity_alignment = 0;
    std::uint64_t maximum_write_same_length = 0;
    std::uint32_t maximum_atomic_transfer_length = 0;
    std::uint32_t atomic_alignment = 0;
    std::uint32_t atomic_transfer_length_granularity = 0;
    std::uint32_t maximum_atomic_transfer_length_with_atomic_boundary = 0;
    std::uint32_t maximum_atomic_boundary_size = 0;
    Bytes extra;  // bytes past the 64 of SBC-4
    bool operator==(const BlockLimits&) const = default;
};

struct BlockDeviceCharacteristics : VpdCommon {
    static constexpr std::uint8_t page_code = 0xb1;
    std::uint16_t medium_rotation_rate = 0;  // 0 not reported, 1 non-rotating, else rpm
    std::uint8_t product_type = 0;
    std::uint8_t wabereq = 0;
    std::uint8_t wacereq = 0;
    std::uint8_t nominal_form_factor = 0;
    std::uint8_t zoned = 0;
    bool bocs = false, rbwz = false, fuab = false, vbuls = false;
    std::uint32_t depopulation_time_seconds = 0;
    Bytes reserved;  // bytes 16..63 when not all zero
    bool operator==(const BlockDeviceCharacteristics&) const = default;
};

struct LogicalBlockProvisioning : VpdCommon {
    static constexpr std::uint8_t page_code = 0xb2;
    std::uint8_t threshold_exponent = 0;
    bool lbpu = false, lbpws = false, lbpws10 = false;
    std::uint8_t lbprz = 0;
    bool anc_sup = false, dp = false;
    std::uint8_t minimum_percentage = 0;
    std::uint8_t provisioning_type = 0;
    std::uint8_t threshold_percentage = 0;
    std::vector<Designator> provisioning_group;  // the descriptor present when DP is set
    Bytes extra;  // bytes after the descriptor the decoder could not place
    bool operator==(const LogicalBlockProvisioning&) const = default;
};

// Any page without a decoder: its payload (after the 4-byte header) kept whole.
struct RawVpdPage : VpdCommon {
    std::uint8_t page_code = 0;
    Bytes payload;
    bool operator==(const RawVpdPage&) const = default;
};

using VpdPage = std::variant<SupportedVpdPages, UnitSerialNumber, DeviceIdentification,
                             ExtendedInquiry, AtaInformation, BlockLimits,
                             BlockDeviceCharacteristics, LogicalBlockProvisioning, RawVpdPage>;

// Decodes one page (its header included), dispatching on the page code. Tolerant; throws
// Error(malformed) only below the 4-byte header.
VpdPage decode_vpd(ByteView page);
Bytes encode_vpd(const VpdPage& page);
std::uint8_t vpd_page_code(const VpdPage& page);
// "Device Identification", ...; empty for an unknown code.
std::string vpd_page_name(std::uint8_t page_code);

// Pages back to back in one buffer, each cut at its own PAGE LENGTH (the last one possibly
// truncated); fewer than 4 bytes at the end are left over.
struct VpdSplit {
    std::vector<ByteView> pages;
    Bytes leftover;
    std::vector<std::string> warnings;
};
VpdSplit split_vpd_pages(ByteView buffer);

// camctl --vpd: {"page_code", "page_name", "peripheral_qualifier", ..., page fields}.
void to_json(nlohmann::json& j, const VpdPage& page);

}  // namespace camx::scsi
