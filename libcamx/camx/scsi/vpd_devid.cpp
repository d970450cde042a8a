// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/vpd_devid.hpp"

#include <array>

#include <fmt/format.h>
#include <scsi/sg_lib.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/text/text.hpp"

namespace camx::scsi {
namespace {

using bytes::be16;
using bytes::be24;
using bytes::be32;
using bytes::be64;

std::string or_empty(const char* s) {
    return s ? s : "";
}

std::string protocol_name(unsigned proto) {
    std::array<char, 128> buf{};
    sg_get_trans_proto_str(static_cast<int>(proto), static_cast<int>(buf.size()), buf.data());
    return buf.data();
}

// A length a designator type must have (SPC-6 7.7.6.x); 0 when it varies.
std::size_t fixed_length(std::uint8_t type) {
    switch (static_cast<DesignatorType>(type)) {
        case DesignatorType::relative_target_port:
        case DesignatorType::target_port_group:
        case DesignatorType::logical_unit_group:
            return 4;
        case DesignatorType::md5_logical_unit:
            return 16;
        case DesignatorType::uuid:
            return 18;
        default:
            return 0;
    }
}

void naa_fields(nlohmann::json& j, ByteView v) {
    if (v.empty()) return;
    const unsigned naa = v[0] >> 4;
    j["naa"] = naa;
    if (naa == 2 && v.size() >= 8) {
        j["vendor_specific_identifier_a"] = be16(v, 0) & 0x0fff;
        j["ieee_company_id"] = be24(v, 2);
        j["vendor_specific_identifier_b"] = be24(v, 5);
    } else if (naa == 3 && v.size() >= 8) {
        j["locally_assigned_value"] = be64(v, 0) & 0x0fffffffffffffffULL;
    } else if ((naa == 5 || naa == 6) && v.size() >= 8) {
        j["ieee_company_id"] = (be32(v, 0) >> 4) & 0xffffff;
        j["vendor_specific_identifier"] = be64(v, 0) & 0xfffffffffULL;
        if (naa == 6 && v.size() >= 16) {
            j["vendor_specific_identifier_extension"] = hex::compact(v.subspan(8, 8));
        }
    }
}

void eui64_fields(nlohmann::json& j, ByteView v) {
    if (v.size() == 8) {
        j["ieee_identifier"] = hex::compact(v);
        j["ieee_company_id"] = be24(v, 0);
    } else if (v.size() == 12) {
        j["ieee_identifier"] = hex::compact(v.first(8));
        j["ieee_company_id"] = be24(v, 0);
        j["directory_id"] = be32(v, 8);
    } else if (v.size() == 16) {
        j["identifier_extension"] = hex::compact(v.first(8));
        j["ieee_identifier"] = hex::compact(v.subspan(8, 8));
        j["ieee_company_id"] = be24(v, 8);
    }
}

void protocol_port_fields(nlohmann::json& j, const Designator& d) {
    const ByteView v = d.value;
    if (d.protocol_identifier == 0x9 && v.size() >= 4) {  // UAS
        j["usb_device_address"] = v[0] & 0x7f;
        j["usb_interface_number"] = v[2];
    } else if (d.protocol_identifier == 0xa && v.size() >= 2) {  // SOP: PCIe routing ID
        j["pcie_routing_id"] = be16(v, 0);
        j["pcie_bus_number"] = v[0];
        j["pcie_function_number"] = v[1];
        j["pcie_device_number"] = v[1] >> 3;
        j["pcie_device_function_number"] = v[1] & 7;
    }
}

void uuid_fields(nlohmann::json& j, ByteView v) {
    if (v.size() != 18) return;
    j["uuid_type"] = v[0] >> 4;
    const auto u = hex::compact(v.subspan(2, 16));
    j["uuid"] = fmt::format("{}-{}-{}-{}-{}", u.substr(0, 8), u.substr(8, 4), u.substr(12, 4),
                            u.substr(16, 4), u.substr(20, 12));
}

}  // namespace

Bytes Designator::encode() const {
    bytes::Writer w;
    w.u8(static_cast<std::uint8_t>(((protocol_identifier & 0xfu) << 4) | (code_set & 0xfu)));
    w.u8(static_cast<std::uint8_t>((piv ? 0x80u : 0u) | ((association & 3u) << 4) |
                                   (designator_type & 0xfu)));
    w.u8(0);
    w.u8(static_cast<std::uint8_t>(std::min<std::size_t>(value.size(), 0xff)));
    w.raw(ByteView(value).first(std::min<std::size_t>(value.size(), 0xff)));
    return w.take();
}

DesignatorList decode_designators(ByteView list) {
    DesignatorList out;
    std::size_t off = 0;
    while (off < list.size()) {
        const auto idx = out.designators.size();
        if (list.size() - off < 4) {
            out.warnings.push_back(fmt::format(
                "designator {}: {} bytes left, too short for a header", idx, list.size() - off));
            break;
        }
        const std::size_t len = list[off + 3];
        if (off + 4 + len > list.size()) {
            out.warnings.push_back(
                fmt::format("designator {}: length {} overruns the list", idx, len));
            break;
        }
        Designator d;
        d.protocol_identifier = static_cast<std::uint8_t>(list[off] >> 4);
        d.code_set = list[off] & 0x0f;
        d.piv = bytes::bit(list[off + 1], 7);
        d.association = static_cast<std::uint8_t>(bytes::bits(list[off + 1], 5, 4));
        d.designator_type = list[off + 1] & 0x0f;
        d.value.assign(list.begin() + static_cast<std::ptrdiff_t>(off + 4),
                       list.begin() + static_cast<std::ptrdiff_t>(off + 4 + len));
        if (list[off + 2] != 0 || bytes::bit(list[off + 1], 6)) {
            out.warnings.push_back(fmt::format("designator {}: reserved bits set", idx));
        }
        if (d.association == 3) {
            out.warnings.push_back(fmt::format("designator {}: reserved association 3", idx));
        }
        const auto want = fixed_length(d.designator_type);
        if (want != 0 && len != want) {
            out.warnings.push_back(fmt::format("designator {}: {} has length {}, expected {}", idx,
                                               or_empty(sg_get_desig_type_str(d.designator_type)),
                                               len, want));
        }
        out.designators.push_back(std::move(d));
        off += 4 + len;
    }
    if (off < list.size()) {
        out.unparsed.assign(list.begin() + static_cast<std::ptrdiff_t>(off), list.end());
    }
    return out;
}

std::string designator_id_string(const Designator& d) {
    switch (static_cast<DesignatorType>(d.designator_type)) {
        case DesignatorType::naa:
            return "naa." + hex::compact(d.value);
        case DesignatorType::eui64:
            return "eui." + hex::compact(d.value);
        case DesignatorType::scsi_name_string:
            return text::ascii_field(d.value);
        default:
            return {};
    }
}

void to_json(nlohmann::json& j, const Designator& d) {
    j = nlohmann::json{
        {"association", d.association},
        {"association_name", or_empty(sg_get_desig_assoc_str(d.association))},
        {"designator_type", d.designator_type},
        {"designator_type_name", or_empty(sg_get_desig_type_str(d.designator_type))},
        {"code_set", d.code_set},
        {"code_set_name", or_empty(sg_get_desig_code_set_str(d.code_set))},
        {"piv", d.piv},
        {"protocol_identifier", d.protocol_identifier},
        {"length", d.value.size()},
    };
    if (d.protocol_valid()) j["protocol_identifier_name"] = protocol_name(d.protocol_identifier);
    const bool text = d.code_set == 2 || d.code_set == 3;
    j["value"] = text ? text::escaped(d.value) : hex::compact(d.value);
    const ByteView v = d.value;
    switch (static_cast<DesignatorType>(d.designator_type)) {
        case DesignatorType::t10_vendor_id:
            j["t10_vendor_identification"] = text::ascii_field(bytes::clamp(v, 0, 8));
            j["vendor_specific_identifier"] = text::escaped(bytes::clamp(v, 8, v.size()));
            break;
        case DesignatorType::eui64:
            eui64_fields(j, v);
            break;
        case DesignatorType::naa:
            naa_fields(j, v);
            break;
        case DesignatorType::relative_target_port:
            if (v.size() >= 4) j["relative_target_port"] = be16(v, 2);
            break;
        case DesignatorType::target_port_group:
            if (v.size() >= 4) j["target_port_group"] = be16(v, 2);
            break;
        case DesignatorType::logical_unit_group:
            if (v.size() >= 4) j["logical_unit_group"] = be16(v, 2);
            break;
        case DesignatorType::scsi_name_string:
            j["value"] = text::ascii_field(v);
            break;
        case DesignatorType::protocol_specific_port:
            protocol_port_fields(j, d);
            break;
        case DesignatorType::uuid:
            uuid_fields(j, v);
            break;
        default:
            break;
    }
}

}  // namespace camx::scsi
