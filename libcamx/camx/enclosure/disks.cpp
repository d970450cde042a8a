// SPDX-License-Identifier: BSD-2-Clause
#include "camx/enclosure/disks.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "camx/error/error.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/inquiry.hpp"
#include "camx/scsi/readcap.hpp"
#include "camx/scsi/report_luns.hpp"
#include "camx/scsi/vpd.hpp"
#include "camx/scsi/vpd_devid.hpp"
#include "camx/topology/topology.hpp"
#include "camx/transport/iscsi.hpp"
#include "camx/transport/transport.hpp"

namespace camx::enclosure {
namespace {

// sysfs binary attributes (vpd_pg80, vpd_pg83) are read whole, trailing bytes kept.
Bytes read_binary(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void add_unique(std::vector<std::uint64_t>& ids, std::uint64_t v) {
    if (v != 0 && std::find(ids.begin(), ids.end(), v) == ids.end()) ids.push_back(v);
}

std::string serial_from_vpd80(ByteView page) {
    if (page.size() < 4) return {};
    try {
        const auto p = scsi::decode_vpd(page);
        if (const auto* s = std::get_if<scsi::UnitSerialNumber>(&p)) return s->serial_number;
    } catch (const Error&) {
    }
    return {};
}

std::string basename_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

Bytes inquiry_vpd(device::Device& dev, std::uint8_t page) {
    scsi::cdb::Inquiry cdb;
    cdb.evpd = true;
    cdb.page_code = page;
    cdb.allocation_length = 1024;
    return dev.data_in(cdb.encode(), cdb.allocation_length);
}

}  // namespace

std::vector<std::uint64_t> naa_identifiers(ByteView vpd83) {
    std::vector<std::uint64_t> ids;
    if (vpd83.size() < 4) return ids;
    const std::size_t len = std::min<std::size_t>(bytes::be16(vpd83, 2), vpd83.size() - 4);
    const auto list = scsi::decode_designators(vpd83.subspan(4, len));
    for (const auto& d : list.designators) {
        if (d.designator_type == 0x3 && d.value.size() >= 8)
            add_unique(ids, bytes::be64(d.value, 0));
    }
    return ids;
}

std::optional<std::uint64_t> parse_identifier(std::string_view text) {
    if (text.starts_with("naa.") || text.starts_with("0x")) {
        text.remove_prefix(text.starts_with("naa.") ? 4 : 2);
    } else {
        return std::nullopt;
    }
    if (text.empty()) return std::nullopt;
    const auto digits = text.substr(0, std::min<std::size_t>(16, text.size()));
    std::uint64_t v = 0;
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v, 16);
    if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return std::nullopt;
    // A short SAS address ("0x5000c5") is a number; a short wwid is not an 8-byte NAA.
    return v;
}

std::vector<Disk> local_disks(const topology::Sysfs& sysfs) {
    std::vector<Disk> disks;
    const auto topo = topology::scan(topology::ScanOptions{.details = true}, sysfs);
    for (const auto& d : topo.devices) {
        if (d.nodes.sd.empty()) continue;
        Disk disk;
        disk.node = d.nodes.sd;
        disk.sg = d.nodes.sg;
        disk.hctl = d.hctl.str();
        disk.vendor = d.vendor;
        disk.model = d.model;
        disk.serial = serial_from_vpd80(read_binary(d.sysfs_path + "/vpd_pg80"));
        for (auto id : naa_identifiers(read_binary(d.sysfs_path + "/vpd_pg83"))) {
            add_unique(disk.identifiers, id);
        }
        if (auto id = parse_identifier(d.wwid)) add_unique(disk.identifiers, *id);
        if (d.transport) {
            if (auto id = parse_identifier(d.transport->sas_address))
                add_unique(disk.identifiers, *id);
        }
        const auto size =
            topology::read_file(sysfs.path("class/block/" + basename_of(d.nodes.sd) + "/size"));
        if (size) {
            std::uint64_t sectors = 0;
            const auto* b = size->data();
            const auto* e = b + size->size();
            while (e > b && (e[-1] == '\n' || e[-1] == ' ')) --e;
            if (std::from_chars(b, e, sectors).ec == std::errc()) disk.size_bytes = sectors * 512;
        }
        disks.push_back(std::move(disk));
    }
    return disks;
}

std::string iscsi_lun_url(const std::string& url, std::uint64_t lun) {
    const auto slash = url.rfind('/');
    if (slash == std::string::npos) throw Error(Category::usage, "not an iscsi:// URL: " + url);
    return url.substr(0, slash + 1) + std::to_string(lun);
}

std::vector<Disk> iscsi_disks(device::Device& enclosure, const std::string& url) {
    std::vector<Disk> disks;
    scsi::cdb::ReportLuns rl;
    rl.allocation_length = 8 + 8 * 256;
    const auto data = enclosure.data_in(rl.encode(), rl.allocation_length);
    const auto luns = scsi::ReportLunsData::decode(data);
    const auto self = url.substr(url.rfind('/') + 1);
    for (const auto& lun : luns.luns) {
        if (lun.is_well_known()) continue;
        const auto n = lun.to_int();
        if (std::to_string(n) == self) continue;
        const auto lun_url = iscsi_lun_url(url, n);
        try {
            device::Device dev(transport::open(lun_url));
            dev.set_timeout(enclosure.timeout());
            scsi::cdb::Inquiry inq;
            inq.allocation_length = 96;
            const auto std_inq = scsi::Inquiry::decode(dev.data_in(inq.encode(), 96));
            if (std_inq.peripheral_qualifier != 0 || (std_inq.peripheral_device_type != 0x00 &&
                                                      std_inq.peripheral_device_type != 0x14)) {
                continue;
            }
            Disk disk;
            disk.node = transport::redact_iscsi_url(lun_url);
            disk.vendor = std_inq.vendor;
            disk.model = std_inq.product;
            try {
                disk.serial = serial_from_vpd80(inquiry_vpd(dev, 0x80));
            } catch (const Error&) {
            }
            try {
                disk.identifiers = naa_identifiers(inquiry_vpd(dev, 0x83));
            } catch (const Error&) {
            }
            try {
                scsi::cdb::ReadCapacity16 rc;
                const auto cap = scsi::ReadCapacity16Data::decode(dev.data_in(rc.encode(), 32));
                disk.size_bytes = (cap.returned_lba + 1) * cap.block_length;
            } catch (const Error&) {
            }
            disks.push_back(std::move(disk));
        } catch (const Error&) {
            continue;  // a LUN that went away or refuses: not a disk for the map
        }
    }
    return disks;
}

std::size_t attach_disks(Enclosure& e, const std::vector<Disk>& disks) {
    std::size_t matched = 0;
    for (auto& el : e.elements) {
        if (el.is_overall() || !el.is_slot()) continue;
        el.disk.reset();
        for (const auto& d : disks) {
            const bool hit =
                std::any_of(el.sas_addresses.begin(), el.sas_addresses.end(), [&](std::uint64_t a) {
                    return a != 0 && std::find(d.identifiers.begin(), d.identifiers.end(), a) !=
                                         d.identifiers.end();
                });
            if (hit) {
                el.disk = d;
                ++matched;
                break;
            }
        }
    }
    return matched;
}

}  // namespace camx::enclosure
