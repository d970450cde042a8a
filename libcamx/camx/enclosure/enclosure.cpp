// SPDX-License-Identifier: BSD-2-Clause
#include "camx/enclosure/enclosure.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "camx/error/error.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/vpd.hpp"
#include "camx/scsi/vpd_devid.hpp"
#include "camx/ses/check.hpp"
#include "camx/text/text.hpp"

namespace camx::enclosure {
namespace {

constexpr std::uint8_t kSupported = 0x00;
constexpr std::uint8_t kConfiguration = 0x01;
constexpr std::uint8_t kStatus = 0x02;
constexpr std::uint8_t kThresholds = 0x05;
constexpr std::uint8_t kDescriptors = 0x07;
constexpr std::uint8_t kAdditional = 0x0a;

Health worse(Health a, Health b) {
    return static_cast<std::uint8_t>(a) >= static_cast<std::uint8_t>(b) ? a : b;
}

Health health_of_code(std::uint8_t code) {
    switch (static_cast<ses::ElementStatusCode>(code)) {
        case ses::ElementStatusCode::critical:
            return Health::critical;
        case ses::ElementStatusCode::noncritical:
            return Health::noncritical;
        case ses::ElementStatusCode::unrecoverable:
            return Health::unrecoverable;
        default:
            return Health::ok;
    }
}

// Decodes an optional page; a page that cannot be decoded at all becomes a warning.
template <typename Page, typename Decode>
std::optional<Page> optional_page(ByteView bytes, std::string_view name,
                                  std::vector<std::string>& warnings, Decode&& decode) {
    if (bytes.empty()) return std::nullopt;
    try {
        Page p = decode(bytes);
        for (const auto& w : p.warnings) warnings.push_back(fmt::format("{}: {}", name, w));
        return p;
    } catch (const Error& e) {
        warnings.push_back(fmt::format("{}: {}", name, e.what()));
        return std::nullopt;
    }
}

void fill_additional(Element& el, const ses::AdditionalElement& a) {
    if (const auto* sas = std::get_if<ses::SasInfo>(&a.info)) {
        for (const auto& phy : sas->phys) {
            el.sas_addresses.push_back(phy.sas_address);
            el.attached_sas_addresses.push_back(phy.attached_sas_address);
        }
        if (a.eip && sas->descriptor_type == 0) el.slot_number = sas->device_slot_number;
    } else if (const auto* fc = std::get_if<ses::FcInfo>(&a.info)) {
        if (a.eip) el.slot_number = fc->device_slot_number;
    } else if (const auto* pcie = std::get_if<ses::PcieInfo>(&a.info)) {
        if (a.eip) el.slot_number = pcie->device_slot_number;
    }
    if (el.slot_number) el.slot_number_source = "additional_status";
}

std::string hex64(std::uint64_t v) {
    return fmt::format("{:016x}", v);
}

// The IEEE registered NAA (5 or 6) designator of the logical unit, as FreeBSD takes it.
std::optional<std::uint64_t> lu_naa(ByteView vpd83) {
    if (vpd83.size() < 4) return std::nullopt;
    const std::size_t len = std::min<std::size_t>(bytes::be16(vpd83, 2), vpd83.size() - 4);
    const auto list = scsi::decode_designators(vpd83.subspan(4, len));
    for (const auto& d : list.designators) {
        if (d.association != 0 || d.designator_type != 0x3 || d.value.size() < 8) continue;
        const unsigned naa = d.value[0] >> 4;
        if (naa == 5 || naa == 6) return bytes::be64(d.value, 0);
    }
    return std::nullopt;
}

}  // namespace

std::string_view health_name(Health h) noexcept {
    switch (h) {
        case Health::ok:
            return "ok";
        case Health::noncritical:
            return "noncritical";
        case Health::critical:
            return "critical";
        case Health::unrecoverable:
            return "unrecoverable";
    }
    return "ok";
}

std::string_view Element::status_name() const {
    return status ? ses::status_code_name(status->status_code()) : std::string_view("absent");
}

Pages Pages::split(ByteView buffer) {
    Pages p;
    for (const auto& s : ses::split_pages(buffer)) {
        Bytes b(s.bytes.begin(), s.bytes.end());
        Bytes* slot = nullptr;
        switch (s.page_code) {
            case kSupported:
                slot = &p.supported;
                break;
            case kConfiguration:
                slot = &p.configuration;
                break;
            case kStatus:
                slot = &p.status;
                break;
            case kThresholds:
                slot = &p.thresholds;
                break;
            case kDescriptors:
                slot = &p.descriptors;
                break;
            case kAdditional:
                slot = &p.additional;
                break;
            default:
                break;
        }
        // The first page of each code wins (a cut-short one still decodes partly).
        if (slot && slot->empty()) {
            *slot = std::move(b);
        } else {
            p.others.push_back(std::move(b));
        }
    }
    return p;
}

ByteView Pages::page(std::uint8_t code) const {
    switch (code) {
        case kSupported:
            return supported;
        case kConfiguration:
            return configuration;
        case kStatus:
            return status;
        case kThresholds:
            return thresholds;
        case kDescriptors:
            return descriptors;
        case kAdditional:
            return additional;
        default:
            break;
    }
    for (const auto& o : others) {
        if (!o.empty() && o[0] == code) return o;
    }
    return {};
}

Enclosure Enclosure::from_pages(Pages pages, std::string device, std::optional<std::uint64_t> naa) {
    if (pages.configuration.empty()) {
        throw Error(Category::malformed, "no Configuration diagnostic page (0x01)");
    }
    Enclosure e;
    e.device = std::move(device);
    e.configuration = ses::Configuration::decode(pages.configuration);
    const auto& config = e.configuration;
    for (const auto& w : config.warnings) e.warnings.push_back("Configuration: " + w);
    e.generation_code = config.generation_code;
    if (!config.subenclosures.empty()) {
        const auto& primary = config.subenclosures.front();
        e.vendor = primary.vendor_text();
        e.product = primary.product_text();
        e.revision = primary.revision_text();
        e.logical_identifier = primary.logical_identifier;
    }
    e.naa = naa.value_or(e.logical_identifier);

    e.status = optional_page<ses::EnclosureStatus>(
        pages.status, "Enclosure Status", e.warnings,
        [&](ByteView b) { return ses::EnclosureStatus::decode(b, config); });
    e.thresholds = optional_page<ses::ThresholdPage>(
        pages.thresholds, "Threshold In", e.warnings,
        [&](ByteView b) { return ses::ThresholdPage::decode(b, config); });
    e.descriptors = optional_page<ses::ElementDescriptors>(
        pages.descriptors, "Element Descriptor", e.warnings,
        [&](ByteView b) { return ses::ElementDescriptors::decode(b, config); });
    e.additional = optional_page<ses::AdditionalElementStatus>(
        pages.additional, "Additional Element Status", e.warnings,
        [&](ByteView b) { return ses::AdditionalElementStatus::decode(b, config); });
    const ses::PageSet set{e.status ? &*e.status : nullptr, e.thresholds ? &*e.thresholds : nullptr,
                           e.descriptors ? &*e.descriptors : nullptr,
                           e.additional ? &*e.additional : nullptr};
    for (auto& w : ses::check_consistency(config, set)) e.warnings.push_back(std::move(w));

    const ses::ElementIndex index(config);
    std::size_t all = 0;
    for (std::size_t k = 0; k < config.types.size(); ++k) {
        const auto& h = config.types[k];
        const auto& layout = index.types()[k];
        const ses::TypeStatus* ts =
            e.status && k < e.status->types.size() ? &e.status->types[k] : nullptr;
        const ses::TypeDescriptors* td =
            e.descriptors && k < e.descriptors->types.size() ? &e.descriptors->types[k] : nullptr;
        for (std::size_t n = 0; n <= h.possible_elements; ++n) {
            const bool overall = n == 0;
            Element el;
            el.index = all++;
            el.type_index = k;
            el.type = h.type;
            el.subenclosure_id = h.subenclosure_id;
            if (!overall) {
                el.number = n - 1;
                el.individual_index = layout.first_individual + n - 1;
            }
            if (ts) {
                if (overall) {
                    el.status = ts->overall;
                } else if (n - 1 < ts->elements.size()) {
                    el.status = ts->elements[n - 1];
                }
            }
            if (td) {
                if (overall) {
                    el.descriptor_raw = td->overall.text;
                } else if (n - 1 < td->elements.size()) {
                    el.descriptor_raw = td->elements[n - 1].text;
                }
                el.descriptor = text::ascii_field(el.descriptor_raw);
            }
            if (!overall && e.additional) {
                if (const auto* a = e.additional->find(k, n - 1)) fill_additional(el, *a);
            }
            if (!overall && el.is_slot()) {
                if (!el.slot_number) {
                    el.slot_number = static_cast<unsigned>(n - 1);
                    el.slot_number_source = "position";
                }
                if (e.naa != 0)
                    el.physical_path = physical_path(e.naa, k, n - 1, el.descriptor_raw);
            }
            e.elements.push_back(std::move(el));
        }
    }
    e.pages = std::move(pages);
    return e;
}

std::vector<TypeCount> Enclosure::counts() const {
    std::vector<TypeCount> out;
    for (const auto& h : configuration.types) {
        auto it = std::find_if(out.begin(), out.end(),
                               [&](const TypeCount& c) { return c.type == h.type; });
        if (it == out.end()) {
            out.push_back({h.type, h.possible_elements});
        } else {
            it->count += h.possible_elements;
        }
    }
    return out;
}

std::size_t Enclosure::element_count() const {
    std::size_t n = 0;
    for (const auto& c : counts()) n += c.count;
    return n;
}

std::vector<const Element*> Enclosure::slots() const {
    std::vector<const Element*> out;
    for (const auto& el : elements) {
        if (el.is_slot() && !el.is_overall()) out.push_back(&el);
    }
    return out;
}

const Element* Enclosure::find(std::size_t index) const {
    return index < elements.size() ? &elements[index] : nullptr;
}

Health Enclosure::element_health() const {
    Health h = Health::ok;
    for (const auto& el : elements) {
        if (el.status) h = worse(h, health_of_code(el.status->status_code()));
    }
    return h;
}

Health Enclosure::page_health() const {
    if (!status) return Health::ok;
    if (status->unrecov) return Health::unrecoverable;
    if (status->crit) return Health::critical;
    if (status->non_crit) return Health::noncritical;
    return Health::ok;
}

Health Enclosure::health() const {
    return worse(element_health(), page_health());
}

std::string physical_path(std::uint64_t naa, std::size_t type_index, std::size_t number,
                          ByteView descriptor) {
    std::string s = fmt::format("id1,enc@n{:x}/type@{:x}/slot@{:x}", naa, type_index, number);
    if (!descriptor.empty()) {
        s += "/elmdesc@";
        for (const auto c : descriptor) {
            const bool keep = std::isprint(c) != 0 && std::isspace(c) == 0 && c != '/';
            s += keep ? static_cast<char>(c) : '_';
        }
    }
    return s;
}

std::string sas_address_string(std::uint64_t a) {
    return fmt::format("{:#x}", a);
}

Bytes receive_page(device::Device& dev, std::uint8_t code) {
    std::size_t alloc = 1024;
    for (int attempt = 0; attempt < 2; ++attempt) {
        scsi::cdb::ReceiveDiagnostic cdb;
        cdb.pcv = true;
        cdb.page_code = code;
        cdb.allocation_length = static_cast<std::uint16_t>(alloc);
        Bytes b = dev.data_in(cdb.encode(), alloc);
        if (b.size() < 4) {
            throw Error(Category::malformed,
                        fmt::format("diagnostic page {:#04x} from {}: {} bytes, below the header",
                                    code, dev.path(), b.size()));
        }
        const std::size_t want = 4u + bytes::be16(b, 2);
        if (want <= alloc || alloc == 0xffff) {
            if (b.size() > want) b.resize(want);
            return b;
        }
        alloc = std::min<std::size_t>(want, 0xffff);
    }
    throw Error(Category::malformed,
                fmt::format("diagnostic page {:#04x} from {} keeps growing", code, dev.path()));
}

namespace {

// Without a Supported Diagnostic Pages page every page is worth asking for.
bool listed(const Pages& p, std::uint8_t code) {
    if (p.supported.size() < 4) return true;
    const auto end = std::min<std::size_t>(p.supported.size(), 4u + bytes::be16(p.supported, 2));
    for (std::size_t i = 4; i < end; ++i) {
        if (p.supported[i] == code) return true;
    }
    return false;
}

std::uint32_t generation_of(ByteView page) {
    return page.size() >= 8 ? bytes::be32(page, 4) : 0;
}

Pages read_pages(device::Device& dev, const ReadOptions& options,
                 std::vector<std::string>& warnings) {
    Pages p;
    try {
        p.supported = receive_page(dev, kSupported);
    } catch (const Error& e) {
        if (e.category() != Category::illegal_request && e.category() != Category::malformed) {
            throw;
        }
        warnings.push_back(fmt::format("no Supported Diagnostic Pages page: {}", e.what()));
    }
    p.configuration = receive_page(dev, kConfiguration);
    p.status = receive_page(dev, kStatus);
    const auto optional = [&](bool wanted, std::uint8_t code, Bytes& into) {
        if (!wanted || !listed(p, code)) return;
        try {
            into = receive_page(dev, code);
        } catch (const Error& e) {
            if (e.category() == Category::device_gone || e.category() == Category::transport) {
                throw;
            }
            warnings.push_back(fmt::format("page {:#04x}: {}", code, e.what()));
        }
    };
    optional(options.thresholds, kThresholds, p.thresholds);
    optional(options.descriptors, kDescriptors, p.descriptors);
    optional(options.additional, kAdditional, p.additional);
    return p;
}

bool generations_agree(const Pages& p) {
    const auto g = generation_of(p.configuration);
    for (const Bytes* b : {&p.status, &p.thresholds, &p.descriptors, &p.additional}) {
        if (!b->empty() && generation_of(*b) != g) return false;
    }
    return true;
}

}  // namespace

Enclosure read(device::Device& dev, const ReadOptions& options) {
    std::vector<std::string> warnings;
    Pages p = read_pages(dev, options, warnings);
    if (!generations_agree(p)) {
        warnings.clear();
        p = read_pages(dev, options, warnings);
        if (!generations_agree(p)) {
            warnings.push_back("generation codes still disagree after reading the pages again");
        }
    }
    std::optional<std::uint64_t> naa;
    try {
        scsi::cdb::Inquiry cdb;
        cdb.evpd = true;
        cdb.page_code = 0x83;
        cdb.allocation_length = 1024;
        naa = lu_naa(dev.data_in(cdb.encode(), cdb.allocation_length));
    } catch (const Error& e) {
        if (e.category() == Category::device_gone || e.category() == Category::transport) throw;
        warnings.push_back(fmt::format("no Device Identification VPD page: {}", e.what()));
    }
    auto e = Enclosure::from_pages(std::move(p), dev.path(), naa);
    e.warnings.insert(e.warnings.begin(), warnings.begin(), warnings.end());
    return e;
}

void to_json(nlohmann::json& j, const Disk& d) {
    j = nlohmann::json::object();
    j["node"] = d.node;
    j["sg"] = d.sg;
    j["hctl"] = d.hctl;
    j["vendor"] = d.vendor;
    j["model"] = d.model;
    j["serial"] = d.serial;
    j["size_bytes"] = d.size_bytes ? nlohmann::json(*d.size_bytes) : nlohmann::json(nullptr);
    auto ids = nlohmann::json::array();
    for (auto id : d.identifiers) ids.push_back(hex64(id));
    j["identifiers"] = ids;
}

void to_json(nlohmann::json& j, const Element& e) {
    j = nlohmann::json::object();
    j["index"] = e.index;
    j["individual_index"] =
        e.individual_index ? nlohmann::json(*e.individual_index) : nlohmann::json(nullptr);
    j["type_index"] = e.type_index;
    j["element_number"] = e.number ? nlohmann::json(*e.number) : nlohmann::json(nullptr);
    j["overall"] = e.is_overall();
    j["element_type"] = ses::code(e.type);
    j["element_type_name"] = ses::element_type_name(e.type);
    j["subenclosure_id"] = e.subenclosure_id;
    j["descriptor"] = e.descriptor;
    j["status"] = e.status ? nlohmann::json(*e.status) : nlohmann::json(nullptr);
    j["slot_number"] = e.slot_number ? nlohmann::json(*e.slot_number) : nlohmann::json(nullptr);
    j["slot_number_source"] = e.slot_number_source;
    auto sas = nlohmann::json::array();
    for (auto a : e.sas_addresses) sas.push_back(sas_address_string(a));
    j["sas_addresses"] = sas;
    auto att = nlohmann::json::array();
    for (auto a : e.attached_sas_addresses) att.push_back(sas_address_string(a));
    j["attached_sas_addresses"] = att;
    j["physical_path"] = e.physical_path;
    j["disk"] = e.disk ? nlohmann::json(*e.disk) : nlohmann::json(nullptr);
}

nlohmann::json summary_json(const Enclosure& e) {
    nlohmann::json j = nlohmann::json::object();
    j["device"] = e.device;
    j["vendor"] = e.vendor;
    j["product"] = e.product;
    j["revision"] = e.revision;
    j["id"] = hex64(e.naa);
    j["logical_identifier"] = hex64(e.logical_identifier);
    j["generation_code"] = e.generation_code;
    j["health"] = health_name(e.health());
    j["element_health"] = health_name(e.element_health());
    j["page_health"] = health_name(e.page_health());
    nlohmann::json flags = nullptr;
    if (e.status) {
        flags = {{"invop", e.status->invop},
                 {"info", e.status->info},
                 {"non_crit", e.status->non_crit},
                 {"crit", e.status->crit},
                 {"unrecov", e.status->unrecov}};
    }
    j["status_flags"] = flags;
    j["subenclosure_count"] = e.configuration.subenclosures.size();
    auto counts = nlohmann::json::array();
    for (const auto& c : e.counts()) {
        counts.push_back({{"element_type", ses::code(c.type)},
                          {"element_type_name", ses::element_type_name(c.type)},
                          {"count", c.count}});
    }
    j["element_counts"] = counts;
    j["element_count"] = e.element_count();
    j["slot_count"] = e.slots().size();
    j["warnings"] = e.warnings;
    return j;
}

void to_json(nlohmann::json& j, const Enclosure& e) {
    j = summary_json(e);
    j["elements"] = e.elements;
}

}  // namespace camx::enclosure
