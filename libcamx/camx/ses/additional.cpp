// SPDX-License-Identifier: BSD-2-Clause
#include "camx/ses/additional.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <scsi/sg_lib.h>
#include <nlohmann/json.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/ses/frame.hpp"
#include "camx/text/text.hpp"

namespace camx::ses {
namespace {

constexpr std::size_t kSasPhy = 28;
constexpr std::size_t kExpanderPhy = 2;
constexpr std::size_t kPortPhy = 12;
constexpr std::size_t kFcPort = 16;
constexpr std::size_t kPcieHeader = 68;
constexpr std::size_t kPciePort = 8;

std::uint16_t le16(ByteView b, std::size_t off) {
    bytes::require(b, off, 2);
    return static_cast<std::uint16_t>(b[off] | (b[off + 1] << 8));
}
void put_le16(bytes::Writer& w, std::uint16_t v) {
    w.u8(static_cast<std::uint8_t>(v & 0xff));
    w.u8(static_cast<std::uint8_t>(v >> 8));
}

// Reads count fixed-size records from b at off; returns how many fitted.
template <typename Fn>
std::size_t records(ByteView b, std::size_t off, std::size_t count, std::size_t size,
                    std::size_t& end, Fn&& fn) {
    std::size_t n = 0;
    for (; n < count && off + size <= b.size(); ++n, off += size) fn(b.subspan(off, size));
    end = off;
    return n;
}

struct Decoded {
    ProtocolInfo info;
    Bytes raw;
};

void short_warning(std::vector<std::string>& w, std::size_t d, std::string_view what,
                   std::size_t got, std::size_t want) {
    if (got < want) {
        w.push_back(fmt::format("descriptor {}: {} of {} {} present", d, got, want, what));
    }
}

Decoded decode_sas(ByteView ps, bool eip, std::optional<ElementType> type, std::size_t d,
                   std::vector<std::string>& warnings) {
    Decoded out;
    if (ps.size() < 2) {
        warnings.push_back(fmt::format("descriptor {}: SAS information shorter than 2 bytes", d));
        out.raw.assign(ps.begin(), ps.end());
        return out;
    }
    SasInfo s;
    std::size_t count = ps[0];
    s.descriptor_type = static_cast<std::uint8_t>(ps[1] >> 6);
    s.not_all_phys = bytes::bit(ps[1], 0);
    std::size_t end = 2;
    if (s.descriptor_type == 0) {
        std::size_t start = 2;
        if (eip) {
            if (ps.size() < 4) {
                out.raw.assign(ps.begin(), ps.end());
                warnings.push_back(fmt::format("descriptor {}: no device slot number", d));
                return out;
            }
            s.device_slot_number = ps[3];
            start = 4;
        }
        std::size_t got = records(ps, start, count, kSasPhy, end, [&](ByteView p) {
            SasPhy phy;
            phy.device_type = static_cast<std::uint8_t>(bytes::bits(p[0], 6, 4));
            phy.ssp_initiator = bytes::bit(p[2], 3);
            phy.stp_initiator = bytes::bit(p[2], 2);
            phy.smp_initiator = bytes::bit(p[2], 1);
            phy.sata_port_selector = bytes::bit(p[3], 7);
            phy.ssp_target = bytes::bit(p[3], 3);
            phy.stp_target = bytes::bit(p[3], 2);
            phy.smp_target = bytes::bit(p[3], 1);
            phy.sata_device = bytes::bit(p[3], 0);
            phy.attached_sas_address = bytes::be64(p, 4);
            phy.sas_address = bytes::be64(p, 12);
            phy.phy_identifier = p[20];
            s.phys.push_back(phy);
        });
        short_warning(warnings, d, "phy descriptors", got, count);
    } else if (s.descriptor_type == 1) {
        bool expander =
            type ? *type == ElementType::sas_expander : ps.size() == 12 + count * kExpanderPhy;
        s.expander = expander;
        if (expander) {
            if (ps.size() < 12) {
                out.raw.assign(ps.begin(), ps.end());
                warnings.push_back(fmt::format("descriptor {}: no expander SAS address", d));
                return out;
            }
            s.sas_address = bytes::be64(ps, 4);
            std::size_t got = records(ps, 12, count, kExpanderPhy, end, [&](ByteView p) {
                s.expander_phys.push_back({p[0], p[1]});
            });
            short_warning(warnings, d, "expander phy descriptors", got, count);
        } else {
            std::size_t got = records(ps, 4, count, kPortPhy, end, [&](ByteView p) {
                s.port_phys.push_back({p[0], p[2], p[3], bytes::be64(p, 4)});
            });
            short_warning(warnings, d, "port phy descriptors", got, count);
        }
    } else {
        warnings.push_back(
            fmt::format("descriptor {}: SAS descriptor type {} not defined", d, s.descriptor_type));
        out.raw.assign(ps.begin(), ps.end());
        return out;
    }
    if (end < ps.size()) out.raw.assign(ps.begin() + static_cast<std::ptrdiff_t>(end), ps.end());
    out.info = std::move(s);
    return out;
}

Decoded decode_fc(ByteView ps, std::size_t d, std::vector<std::string>& warnings) {
    Decoded out;
    if (ps.size() < 12) {
        warnings.push_back(fmt::format("descriptor {}: FC information shorter than 12 bytes", d));
        out.raw.assign(ps.begin(), ps.end());
        return out;
    }
    FcInfo f;
    f.device_slot_number = ps[3];
    f.node_name = bytes::be64(ps, 4);
    std::size_t end = 12;
    std::size_t got = records(ps, 12, ps[0], kFcPort, end, [&](ByteView p) {
        f.ports.push_back({p[0], p[1], p[4], bytes::be24(p, 5), bytes::be64(p, 8)});
    });
    short_warning(warnings, d, "port descriptors", got, ps[0]);
    if (end < ps.size()) out.raw.assign(ps.begin() + static_cast<std::ptrdiff_t>(end), ps.end());
    out.info = std::move(f);
    return out;
}

Decoded decode_pcie(ByteView ps, bool eip, std::size_t d, std::vector<std::string>& warnings) {
    Decoded out;
    if (!eip || ps.size() < kPcieHeader) {
        warnings.push_back(
            fmt::format("descriptor {}: PCIe information needs EIP and {} bytes", d, kPcieHeader));
        out.raw.assign(ps.begin(), ps.end());
        return out;
    }
    PcieInfo p;
    p.pcie_protocol_type = static_cast<std::uint8_t>(bytes::bits(ps[1], 7, 5));
    p.not_all_ports = bytes::bit(ps[1], 0);
    p.device_slot_number = ps[3];
    p.vendor_id = le16(ps, 6);
    std::copy_n(ps.begin() + 8, 20, p.serial_number.begin());
    std::copy_n(ps.begin() + 28, 40, p.model_number.begin());
    std::size_t end = kPcieHeader;
    std::size_t got = records(ps, kPcieHeader, ps[0], kPciePort, end, [&](ByteView b) {
        PciePort port;
        port.psn_valid = bytes::bit(b[0], 2);
        port.bdf_valid = bytes::bit(b[0], 1);
        port.cid_valid = bytes::bit(b[0], 0);
        port.controller_id = le16(b, 1);
        port.bus_number = b[4];
        port.device_number = static_cast<std::uint8_t>(bytes::bits(b[5], 7, 3));
        port.function_number = static_cast<std::uint8_t>(bytes::bits(b[5], 2, 0));
        port.physical_slot_number = le16(b, 6) & 0x1fff;
        p.ports.push_back(port);
    });
    short_warning(warnings, d, "port descriptors", got, ps[0]);
    if (end < ps.size()) out.raw.assign(ps.begin() + static_cast<std::ptrdiff_t>(end), ps.end());
    out.info = std::move(p);
    return out;
}

void encode_info(bytes::Writer& w, const AdditionalElement& e) {
    if (const auto* s = std::get_if<SasInfo>(&e.info)) {
        std::size_t count = s->descriptor_type == 0 ? s->phys.size()
                            : s->expander           ? s->expander_phys.size()
                                                    : s->port_phys.size();
        if (count > 255) throw Error(Category::usage, "more than 255 SAS phy descriptors");
        w.u8(static_cast<std::uint8_t>(count));
        w.u8(static_cast<std::uint8_t>((s->descriptor_type << 6) | (s->not_all_phys ? 1 : 0)));
        if (s->descriptor_type == 0) {
            if (e.eip) {
                w.u8(0);
                w.u8(s->device_slot_number);
            }
            for (const auto& p : s->phys) {
                w.u8(static_cast<std::uint8_t>((p.device_type & 7) << 4));
                w.u8(0);
                w.u8(static_cast<std::uint8_t>((p.ssp_initiator ? 8 : 0) |
                                               (p.stp_initiator ? 4 : 0) |
                                               (p.smp_initiator ? 2 : 0)));
                w.u8(static_cast<std::uint8_t>((p.sata_port_selector ? 0x80 : 0) |
                                               (p.ssp_target ? 8 : 0) | (p.stp_target ? 4 : 0) |
                                               (p.smp_target ? 2 : 0) | (p.sata_device ? 1 : 0)));
                w.be64(p.attached_sas_address);
                w.be64(p.sas_address);
                w.u8(p.phy_identifier);
                w.zeros(7);
            }
        } else if (s->expander) {
            w.zeros(2);
            w.be64(s->sas_address);
            for (const auto& p : s->expander_phys) {
                w.u8(p.connector_element_index);
                w.u8(p.other_element_index);
            }
        } else {
            w.zeros(2);
            for (const auto& p : s->port_phys) {
                w.u8(p.phy_identifier);
                w.u8(0);
                w.u8(p.connector_element_index);
                w.u8(p.other_element_index);
                w.be64(p.sas_address);
            }
        }
    } else if (const auto* f = std::get_if<FcInfo>(&e.info)) {
        if (f->ports.size() > 255) throw Error(Category::usage, "more than 255 FC ports");
        w.u8(static_cast<std::uint8_t>(f->ports.size()));
        w.zeros(2);
        w.u8(f->device_slot_number);
        w.be64(f->node_name);
        for (const auto& p : f->ports) {
            w.u8(p.port_loop_position);
            w.u8(p.bypass_reason);
            w.zeros(2);
            w.u8(p.port_requested_hard_address);
            w.be24(p.n_port_identifier);
            w.be64(p.n_port_name);
        }
    } else if (const auto* p = std::get_if<PcieInfo>(&e.info)) {
        if (p->ports.size() > 255) throw Error(Category::usage, "more than 255 PCIe ports");
        w.u8(static_cast<std::uint8_t>(p->ports.size()));
        w.u8(static_cast<std::uint8_t>(((p->pcie_protocol_type & 7) << 5) |
                                       (p->not_all_ports ? 1 : 0)));
        w.u8(0);
        w.u8(p->device_slot_number);
        w.zeros(2);
        put_le16(w, p->vendor_id);
        w.raw(p->serial_number);
        w.raw(p->model_number);
        for (const auto& port : p->ports) {
            w.u8(static_cast<std::uint8_t>((port.psn_valid ? 4 : 0) | (port.bdf_valid ? 2 : 0) |
                                           (port.cid_valid ? 1 : 0)));
            put_le16(w, port.controller_id);
            w.u8(0);
            w.u8(port.bus_number);
            w.u8(static_cast<std::uint8_t>(((port.device_number & 0x1f) << 3) |
                                           (port.function_number & 7)));
            put_le16(w, port.physical_slot_number & 0x1fff);
        }
    }
    w.raw(e.raw);
}

// The individual elements that carry additional element status, in page order.
std::vector<ElementRef> candidates(const Configuration& config) {
    std::vector<ElementRef> out;
    for (std::size_t k = 0; k < config.types.size(); ++k) {
        const auto& h = config.types[k];
        if (!has_additional_status(h.type)) continue;
        for (std::size_t n = 0; n < h.possible_elements; ++n) {
            out.push_back({k, h.type, h.subenclosure_id, n});
        }
    }
    return out;
}

bool sas_type_fits(ByteView ps, std::uint8_t protocol, ElementType type) {
    if (protocol != kProtocolSas || ps.size() < 2) return true;
    bool slot_descriptor = (ps[1] >> 6) == 0;
    return slot_descriptor == is_slot(type);
}

nlohmann::json info_json(const ProtocolInfo& info) {
    nlohmann::json j = nlohmann::json::object();
    if (const auto* s = std::get_if<SasInfo>(&info)) {
        j["descriptor_type"] = s->descriptor_type;
        j["not_all_phys"] = s->not_all_phys;
        if (s->descriptor_type == 0) {
            j["device_slot_number"] = s->device_slot_number;
            auto& phys = j["phys"] = nlohmann::json::array();
            for (const auto& p : s->phys) {
                phys.push_back(
                    {{"device_type", p.device_type},
                     {"device_type_name", sas_device_type_name(p.device_type)},
                     {"smp_initiator", p.smp_initiator},
                     {"stp_initiator", p.stp_initiator},
                     {"ssp_initiator", p.ssp_initiator},
                     {"sata_port_selector", p.sata_port_selector},
                     {"ssp_target", p.ssp_target},
                     {"stp_target", p.stp_target},
                     {"smp_target", p.smp_target},
                     {"sata_device", p.sata_device},
                     {"attached_sas_address", fmt::format("{:016x}", p.attached_sas_address)},
                     {"sas_address", fmt::format("{:016x}", p.sas_address)},
                     {"phy_identifier", p.phy_identifier}});
            }
        } else {
            j["sas_address"] = fmt::format("{:016x}", s->sas_address);
            auto& ex = j["expander_phys"] = nlohmann::json::array();
            for (const auto& p : s->expander_phys) {
                ex.push_back({{"connector_element_index", p.connector_element_index},
                              {"other_element_index", p.other_element_index}});
            }
            auto& ports = j["port_phys"] = nlohmann::json::array();
            for (const auto& p : s->port_phys) {
                ports.push_back({{"phy_identifier", p.phy_identifier},
                                 {"connector_element_index", p.connector_element_index},
                                 {"other_element_index", p.other_element_index},
                                 {"sas_address", fmt::format("{:016x}", p.sas_address)}});
            }
        }
    } else if (const auto* f = std::get_if<FcInfo>(&info)) {
        j["device_slot_number"] = f->device_slot_number;
        j["node_name"] = fmt::format("{:016x}", f->node_name);
        auto& ports = j["ports"] = nlohmann::json::array();
        for (const auto& p : f->ports) {
            ports.push_back({{"port_loop_position", p.port_loop_position},
                             {"bypass_reason", p.bypass_reason},
                             {"port_requested_hard_address", p.port_requested_hard_address},
                             {"n_port_identifier", fmt::format("{:06x}", p.n_port_identifier)},
                             {"n_port_name", fmt::format("{:016x}", p.n_port_name)}});
        }
    } else if (const auto* p = std::get_if<PcieInfo>(&info)) {
        j["pcie_protocol_type"] = p->pcie_protocol_type;
        j["pcie_protocol_type_name"] = p->pcie_protocol_type == 1 ? "NVMe" : "reserved";
        j["not_all_ports"] = p->not_all_ports;
        j["device_slot_number"] = p->device_slot_number;
        j["vendor_id"] = p->vendor_id;
        j["serial_number"] = text::ascii_field(p->serial_number);
        j["model_number"] = text::ascii_field(p->model_number);
        auto& ports = j["ports"] = nlohmann::json::array();
        for (const auto& port : p->ports) {
            ports.push_back({{"psn_valid", port.psn_valid},
                             {"bdf_valid", port.bdf_valid},
                             {"cid_valid", port.cid_valid},
                             {"controller_id", port.controller_id},
                             {"bus_number", port.bus_number},
                             {"device_number", port.device_number},
                             {"function_number", port.function_number},
                             {"physical_slot_number", port.physical_slot_number}});
        }
    }
    return j;
}

}  // namespace

std::string_view sas_device_type_name(std::uint8_t t) {
    switch (t) {
        case 0:
            return "no device attached";
        case 1:
            return "end device";
        case 2:
            return "expander device";
        case 3:
            return "fanout expander device";
        default:
            return "reserved";
    }
}

bool has_additional_status(ElementType t) {
    switch (t) {
        case ElementType::device_slot:
        case ElementType::array_device_slot:
        case ElementType::sas_expander:
        case ElementType::scsi_initiator_port:
        case ElementType::scsi_target_port:
        case ElementType::esce:
            return true;
        default:
            return false;
    }
}

const AdditionalElement* AdditionalElementStatus::find(std::size_t type_index,
                                                       std::size_t n) const {
    for (const auto& d : descriptors) {
        if (d.element && d.element->type_index == type_index && d.element->element == n) return &d;
    }
    return nullptr;
}

AdditionalElementStatus AdditionalElementStatus::decode(ByteView page,
                                                        const Configuration& config) {
    AdditionalElementStatus a;
    auto f = detail::frame(page, 0x0a, "Additional Element Status", a.warnings);
    if (f.body.size() < 4) {
        throw Error(Category::malformed, "Additional Element Status page: no generation code");
    }
    a.generation_code = bytes::be32(f.body, 0);
    ElementIndex index(config);
    auto pending = candidates(config);
    std::vector<bool> taken(pending.size(), false);
    std::size_t cursor = 0;
    auto position = [&](const ElementRef& r) {
        return static_cast<std::size_t>(std::find(pending.begin(), pending.end(), r) -
                                        pending.begin());
    };
    ByteView body = f.body.subspan(4);
    std::size_t off = 0;
    while (off < body.size()) {
        std::size_t d = a.descriptors.size();
        if (off + 2 > body.size()) {
            a.extra.assign(body.begin() + static_cast<std::ptrdiff_t>(off), body.end());
            a.warnings.push_back(fmt::format("descriptor {}: header cut short", d));
            break;
        }
        AdditionalElement e;
        e.invalid = bytes::bit(body[off], 7);
        e.eip = bytes::bit(body[off], 4);
        e.protocol = body[off] & 0x0f;
        std::size_t len = body[off + 1];
        ByteView desc = bytes::clamp(body, off + 2, len);
        if (desc.size() < len) {
            a.warnings.push_back(
                fmt::format("descriptor {}: length {}, {} present", d, len, desc.size()));
        }
        if (bytes::bits(body[off], 6, 5) != 0) {
            a.warnings.push_back(fmt::format("descriptor {}: reserved bits set", d));
        }
        ByteView ps = desc;
        if (e.eip) {
            if (desc.size() < 2) {
                a.warnings.push_back(fmt::format("descriptor {}: no element index", d));
                e.eip = false;
            } else {
                e.eiioe = desc[0] & 0x03;
                e.element_index = desc[1];
                ps = desc.subspan(2);
            }
        }

        std::optional<ElementRef> ref;
        if (e.eip) {
            auto r = index.resolve(e.element_index, index_includes_overall(e.eiioe));
            std::size_t p = r ? position(*r) : pending.size();
            if (p < pending.size() && !taken[p] && sas_type_fits(ps, e.protocol, r->type)) {
                ref = r;
                cursor = p;
            } else {
                a.warnings.push_back(fmt::format(
                    "descriptor {}: element index {} (EIIOE {}) does not name a free element "
                    "with additional status; taken as the next one in page order",
                    d, e.element_index, e.eiioe));
            }
        }
        if (!ref) {
            while (cursor < pending.size() &&
                   (taken[cursor] || !sas_type_fits(ps, e.protocol, pending[cursor].type))) {
                ++cursor;
            }
            if (cursor < pending.size()) {
                ref = pending[cursor];
            } else {
                a.warnings.push_back(
                    fmt::format("descriptor {}: no element left in the configuration", d));
            }
        }
        if (ref) {
            taken[cursor] = true;
            ++cursor;
        }
        e.element = ref;

        Decoded dec;
        if (e.invalid) {
            dec.raw.assign(ps.begin(), ps.end());
        } else if (e.protocol == kProtocolSas) {
            dec =
                decode_sas(ps, e.eip, ref ? std::optional(ref->type) : std::nullopt, d, a.warnings);
        } else if (e.protocol == kProtocolFc) {
            dec = decode_fc(ps, d, a.warnings);
        } else if (e.protocol == kProtocolPcie) {
            dec = decode_pcie(ps, e.eip, d, a.warnings);
        } else {
            dec.raw.assign(ps.begin(), ps.end());
        }
        e.info = std::move(dec.info);
        e.raw = std::move(dec.raw);
        a.descriptors.push_back(std::move(e));
        off += 2 + desc.size();
    }
    return a;
}

Bytes AdditionalElementStatus::encode() const {
    auto w = detail::begin(0x0a, 0);
    w.be32(generation_code);
    for (const auto& e : descriptors) {
        bytes::Writer body;
        if (e.eip) {
            body.u8(e.eiioe & 0x03);
            body.u8(e.element_index);
        }
        encode_info(body, e);
        if (body.size() > 255)
            throw Error(Category::usage, "additional element descriptor too long");
        w.u8(static_cast<std::uint8_t>((e.invalid ? 0x80 : 0) | (e.eip ? 0x10 : 0) |
                                       (e.protocol & 0x0f)));
        w.u8(static_cast<std::uint8_t>(body.size()));
        w.raw(body.take());
    }
    w.raw(extra);
    return detail::finish(w);
}

void to_json(nlohmann::json& j, const AdditionalElementStatus& p) {
    j = nlohmann::json::object();
    j["page_code"] = 0x0a;
    j["page_name"] = "Additional Element Status";
    j["generation_code"] = p.generation_code;
    auto& list = j["descriptors"] = nlohmann::json::array();
    for (const auto& e : p.descriptors) {
        char name[64];
        sg_get_trans_proto_str(e.protocol, sizeof(name), name);
        nlohmann::json d = {{"invalid", e.invalid},
                            {"eip", e.eip},
                            {"protocol_identifier", e.protocol},
                            {"protocol_name", text::trim(name)}};
        if (e.eip) {
            d["eiioe"] = e.eiioe;
            d["element_index"] = e.element_index;
        }
        if (e.element) {
            d["type_index"] = e.element->type_index;
            d["element_type"] = code(e.element->type);
            d["element_type_name"] = element_type_name(e.element->type);
            d["element_number"] =
                e.element->element ? nlohmann::json(*e.element->element) : nlohmann::json(nullptr);
        } else {
            d["type_index"] = nullptr;
        }
        d["protocol_specific"] = info_json(e.info);
        d["raw"] = hex::compact(e.raw);
        list.push_back(std::move(d));
    }
    j["extra"] = hex::compact(p.extra);
    j["warnings"] = p.warnings;
}

}  // namespace camx::ses
