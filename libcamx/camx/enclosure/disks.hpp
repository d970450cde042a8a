// SPDX-License-Identifier: BSD-2-Clause
// The disks an enclosure's slots can hold, and the matching of slots to disks: each disk's
// identifiers (VPD 0x83 NAA designators of the logical unit and its target ports, the sysfs
// wwid, the SAS transport address) against the SAS addresses of each slot's phys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "camx/bytes/bytes.hpp"
#include "camx/device/device.hpp"
#include "camx/enclosure/enclosure.hpp"
#include "camx/topology/sysfs.hpp"

namespace camx::enclosure {

// The NAA designators (any association) of a Device Identification VPD page (header
// included), first 8 bytes of each; tolerant of a page cut short.
std::vector<std::uint64_t> naa_identifiers(ByteView vpd83);

// "naa.5000c500..." or "0x5000c500..." (a wwid or a SAS address) as a 64-bit value: its
// first 16 hex digits; nullopt for anything else.
std::optional<std::uint64_t> parse_identifier(std::string_view text);

// Disks (logical units with an sd node) Linux knows, read from sysfs: model and vendor,
// serial (vpd_pg80), size (the block device's size), identifiers (vpd_pg83, wwid, the SAS
// address of the target port).
std::vector<Disk> local_disks(const topology::Sysfs& sysfs = topology::Sysfs::system());

// The other logical units behind the iSCSI target of an enclosure opened by URL: REPORT LUNS
// through the enclosure, then per direct-access LUN INQUIRY, VPD 0x80 and 0x83 and READ
// CAPACITY(16) over its own iscsi:// URL. Logical units that do not answer are skipped.
std::vector<Disk> iscsi_disks(device::Device& enclosure, const std::string& url);

// The URL of another LUN of the same target: the last path component replaced.
std::string iscsi_lun_url(const std::string& url, std::uint64_t lun);

// Sets each slot's disk: the first disk with an identifier equal to one of the slot's
// non-zero SAS addresses. Returns the number of slots matched.
std::size_t attach_disks(Enclosure& e, const std::vector<Disk>& disks);

}  // namespace camx::enclosure
