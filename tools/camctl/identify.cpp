// SPDX-License-Identifier: BSD-2-Clause
// inquiry, readcap, reportluns, tur: who a logical unit is and how big.
#include <fmt/format.h>

#include <array>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/inquiry.hpp"
#include "camx/scsi/readcap.hpp"
#include "camx/scsi/report_luns.hpp"
#include "camx/scsi/vpd.hpp"
#include "cli.hpp"

namespace camctl {
namespace {

namespace scsi = camx::scsi;
namespace cdb = camx::scsi::cdb;
using camx::Bytes;
using camx::device::Device;

// sg_vpd's abbreviations, so muscle memory carries over.
constexpr std::array<std::pair<const char*, unsigned>, 9> kVpdNames{{
    {"sv", 0x00},
    {"sn", 0x80},
    {"di", 0x83},
    {"ei", 0x86},
    {"ai", 0x89},
    {"bl", 0xb0},
    {"bdc", 0xb1},
    {"lbpv", 0xb2},
    {"sinq", 0x100},
}};

unsigned vpd_code(const std::string& s) {
    for (const auto& [name, code] : kVpdNames) {
        if (s == name) return code;
    }
    return parse_number(s, 0xff, "VPD page");
}

Bytes standard_inquiry(Device& dev) {
    // 36 bytes first: some USB bridges fail longer ones; then the length the device declares.
    return ask_full(36, 255, {4, 1, 5}, [&](std::size_t len) {
        return dev.data_in(
            cdb::Inquiry{.allocation_length = static_cast<std::uint16_t>(len)}.encode(), len);
    });
}

Bytes vpd_page(Device& dev, unsigned page) {
    return ask_full(255, 0xffff, {2, 2, 4}, [&](std::size_t len) {
        return dev.data_in(cdb::Inquiry{.evpd = true,
                                        .page_code = static_cast<std::uint8_t>(page),
                                        .allocation_length = static_cast<std::uint16_t>(len)}
                               .encode(),
                           len);
    });
}

// One line per designator, as sg_vpd -q does: what it names, its kind, its value.
void print_designators(std::ostream& os, const nlohmann::json& designators) {
    for (const auto& d : designators) {
        std::string kind = d.value("designator_type_name", std::string());
        if (d.contains("naa")) kind += fmt::format(" {}", d.value("naa", 0));
        bool binary = d.value("code_set", 0) == 1;
        os << fmt::format("  {}: {}: {}{}\n", d.value("association_name", std::string()), kind,
                          binary ? "0x" : "", d.value("value", std::string()));
    }
}

// The page header is on the title line; the fields every page repeats are left out of the
// text unless -v.
void print_vpd_page(std::ostream& os, const nlohmann::json& page, int verbose) {
    os << fmt::format("VPD page 0x{:02x}: {}\n", page.value("page_code", 0),
                      page.value("page_name", std::string("unknown")));
    nlohmann::json body = page;
    for (const char* k : {"page_code", "page_name"}) body.erase(k);
    if (verbose == 0) {
        for (const char* k : {"peripheral_qualifier", "peripheral_device_type",
                              "peripheral_device_type_name", "supported_pages_named"}) {
            body.erase(k);
        }
    }
    if (page.value("page_code", -1) == 0x00 && verbose == 0 &&
        page.contains("supported_pages_named")) {
        body.erase("supported_pages");
        for (const auto& p : page["supported_pages_named"]) {
            os << fmt::format("  0x{:02x}  {}\n", p.value("page_code", 0),
                              p.value("page_name", std::string()));
        }
    }
    if (page.value("page_code", -1) == 0x83 && verbose == 0) {
        print_designators(os, body.value("designators", nlohmann::json::array()));
        body.erase("designators");
        body.erase("pre_spc_format");
    }
    print_fields(os, body, verbose, 2);
}

void show_vpd(Output& out, const Common& c, camx::ByteView data) {
    auto split = scsi::split_vpd_pages(data);
    nlohmann::json pages = nlohmann::json::array();
    for (auto page : split.pages) pages.push_back(scsi::decode_vpd(page));
    if (out.json()) {
        if (pages.size() == 1) {
            out.doc()["vpd"] = pages[0];
        } else {
            out.doc()["vpd_pages"] = pages;
        }
        if (!split.warnings.empty()) out.doc()["warnings"] = split.warnings;
        return;
    }
    for (const auto& p : pages) print_vpd_page(out.text(), p, c.verbose);
    for (const auto& w : split.warnings) out.text() << "warning: " << w << '\n';
}

// The summary sg_inq prints: the flag bits in its order and spelling, then the identity.
void print_standard(std::ostream& os, const scsi::Inquiry& inq, int verbose) {
    auto b = [](bool v) { return v ? 1 : 0; };
    std::string version_name = scsi::inquiry_version_name(inq.version);
    os << "standard INQUIRY:\n";
    os << fmt::format(
        "  PQual={}  PDT={}  RMB={}  LU_CONG={}  hot_pluggable={}  version={:#04x}{}\n",
        inq.peripheral_qualifier, inq.peripheral_device_type, b(inq.removable), b(inq.lu_cong),
        inq.hot_pluggable, inq.version, version_name.empty() ? "" : "  [" + version_name + "]");
    os << fmt::format("  [AERC={}]  [TrmTsk={}]  NormACA={}  HiSUP={}  Resp_data_format={}\n",
                      b(inq.aerc), b(inq.trmtsk), b(inq.normaca), b(inq.hisup),
                      inq.response_data_format);
    os << fmt::format("  SCCS={}  ACC={}  TPGS={}  3PC={}  Protect={}  [BQue={}]\n", b(inq.sccs),
                      b(inq.acc), inq.tpgs, b(inq.tpc), b(inq.protect), b(inq.bque));
    os << fmt::format("  EncServ={}  MultiP={}  [MChngr={}]  [ACKREQQ={}]  Addr16={}\n",
                      b(inq.encserv), b(inq.multip), b(inq.mchngr), b(inq.ackreqq), b(inq.addr16));
    os << fmt::format("  [RelAdr={}]  WBus16={}  Sync={}  [Linked={}]  [TranDis={}]  CmdQue={}\n",
                      b(inq.reladr), b(inq.wbus16), b(inq.sync), b(inq.linked), b(inq.trandis),
                      b(inq.cmdque));
    os << fmt::format("    length={} ({:#x})   Peripheral device type: {}\n",
                      inq.additional_length + 5, inq.additional_length + 5,
                      scsi::peripheral_device_type_name(inq.peripheral_device_type));
    os << " Vendor identification: " << inq.vendor << '\n';
    os << " Product identification: " << inq.product << '\n';
    os << " Product revision level: " << inq.revision << '\n';
    if (!inq.version_descriptors.empty()) {
        os << "  Version descriptors:\n";
        for (auto code : inq.version_descriptors) {
            os << fmt::format("    {:#06x}  {}\n", code, scsi::version_descriptor_name(code));
        }
    }
    if (verbose > 0 && !inq.vendor_specific.empty()) {
        os << "  Vendor specific (bytes 36..55): " << camx::hex::compact(inq.vendor_specific)
           << '\n';
    }
    if (verbose > 0 && !inq.vendor_specific_tail.empty()) {
        os << "  Vendor specific (bytes 96..): " << camx::hex::compact(inq.vendor_specific_tail)
           << '\n';
    }
    for (const auto& w : inq.warnings) os << "warning: " << w << '\n';
}

void show_standard(Output& out, const Common& c, camx::ByteView data) {
    auto inq = scsi::Inquiry::decode(data);
    if (out.json()) {
        out.doc()["inquiry"] = inq;
        return;
    }
    print_standard(out.text(), inq, c.verbose);
}

struct InquiryOpts {
    std::string vpd;
    bool all = false;
    bool serial = false;
};

void run_inquiry(Output& out, const Common& c, const InquiryOpts& o) {
    if (o.serial) {
        Bytes b = response(out, c, [](Device& d) { return vpd_page(d, 0x80); });
        auto page = scsi::decode_vpd(b);
        const auto* sn = std::get_if<scsi::UnitSerialNumber>(&page);
        if (sn == nullptr)
            throw camx::Error(camx::Category::malformed, "not a unit serial number page");
        if (out.json()) {
            out.doc()["serial_number"] = sn->serial_number;
        } else {
            out.text() << sn->serial_number << '\n';
        }
        return;
    }
    if (o.all) {
        auto dev = open_device(out, c);
        Bytes std_data = standard_inquiry(dev);
        if (print_bytes(out, c, std_data)) return;
        show_standard(out, c, std_data);
        auto supported = scsi::decode_vpd(vpd_page(dev, 0x00));
        const auto* list = std::get_if<scsi::SupportedVpdPages>(&supported);
        Bytes all;
        if (list != nullptr) {
            for (auto p : list->pages) {
                Bytes b = vpd_page(dev, p);
                all.insert(all.end(), b.begin(), b.end());
            }
        }
        show_vpd(out, c, all);
        return;
    }
    unsigned page = o.vpd.empty() ? 0x100 : vpd_code(o.vpd);
    Bytes data = response(
        out, c, [&](Device& d) { return page == 0x100 ? standard_inquiry(d) : vpd_page(d, page); });
    if (print_bytes(out, c, data)) return;
    if (page == 0x100) {
        show_standard(out, c, data);
    } else {
        show_vpd(out, c, data);
    }
}

struct ReadcapOpts {
    bool ten = false;
    bool sixteen = false;
};

// sg_readcap's layout: protection and provisioning, the sizes, then "Hence" the totals.
void show_capacity(Output& out, const nlohmann::json& cap) {
    if (out.json()) {
        out.doc()["capacity"] = cap;
        return;
    }
    auto& os = out.text();
    auto u = [&](const char* k) { return cap.value(k, std::uint64_t{0}); };
    auto f = [&](const char* k) { return cap.value(k, false) ? 1 : 0; };
    bool is16 = cap.contains("logical_blocks_per_physical_block_exponent");
    os << "Read Capacity results:\n";
    if (is16) {
        os << fmt::format("   Protection: prot_en={}, p_type={}, p_i_exponent={}",
                          f("protection_enabled"), u("p_type"), u("p_i_exponent"));
        if (cap.value("protection_enabled", false))
            os << fmt::format(" [type {} protection]", u("protection_type"));
        os << '\n';
        os << fmt::format("   Logical block provisioning: lbpme={}, lbprz={}\n", f("lbpme"),
                          f("lbprz"));
    }
    os << fmt::format("   Last LBA={} ({:#x}), Number of logical blocks={}\n", u("last_lba"),
                      u("last_lba"), u("blocks"));
    os << fmt::format("   Logical block length={} bytes\n", u("block_length_bytes"));
    if (is16) {
        os << fmt::format("   Logical blocks per physical block exponent={}",
                          u("logical_blocks_per_physical_block_exponent"));
        if (u("logical_blocks_per_physical_block_exponent") > 0) {
            os << fmt::format(" [so physical block length={} bytes]",
                              u("physical_block_length_bytes"));
        }
        os << '\n';
        os << fmt::format("   Lowest aligned LBA={}\n", u("lowest_aligned_lba"));
    }
    if (cap.value("use_read_capacity_16", false)) {
        os << "   (the capacity needs READ CAPACITY(16); try --16)\n";
    }
    auto bytes = static_cast<double>(u("capacity_bytes"));
    os << "Hence:\n";
    os << fmt::format("   Device size: {} bytes, {:.1f} MiB, {:.2f} GB", u("capacity_bytes"),
                      bytes / (1024.0 * 1024.0), bytes / 1e9);
    if (bytes >= 1e12) os << fmt::format(", {:.2f} TB", bytes / 1e12);
    os << '\n';
    for (const auto& w : cap.value("warnings", nlohmann::json::array())) {
        os << "warning: " << w.get<std::string>() << '\n';
    }
}

void run_readcap(Output& out, const Common& c, const ReadcapOpts& o) {
    if (!c.inhex.empty()) {
        Bytes b = camx::hex::read_file(c.inhex, c.binary);
        if (print_bytes(out, c, b)) return;
        bool is16 = o.sixteen || (!o.ten && b.size() > 8);
        show_capacity(out, is16 ? nlohmann::json(scsi::ReadCapacity16Data::decode(b))
                                : nlohmann::json(scsi::ReadCapacity10Data::decode(b)));
        return;
    }
    auto dev = open_device(out, c);
    auto rc10 = [&] { return dev.data_in(cdb::ReadCapacity10{}.encode(), 8); };
    auto rc16 = [&] {
        return dev.data_in(cdb::ReadCapacity16{.allocation_length = 32}.encode(), 32);
    };
    if (o.ten) {
        Bytes b = rc10();
        if (!print_bytes(out, c, b)) show_capacity(out, scsi::ReadCapacity10Data::decode(b));
        return;
    }
    Bytes b;
    try {
        b = rc16();
    } catch (const camx::Error& e) {
        // Old devices lack READ CAPACITY(16); (10) tells them apart unless asked for 16.
        bool unsupported = e.category() == camx::Category::invalid_opcode ||
                           e.category() == camx::Category::illegal_request;
        if (o.sixteen || !unsupported) throw;
        b = rc10();
        if (!print_bytes(out, c, b)) show_capacity(out, scsi::ReadCapacity10Data::decode(b));
        return;
    }
    if (!print_bytes(out, c, b)) show_capacity(out, scsi::ReadCapacity16Data::decode(b));
}

void run_reportluns(Output& out, const Common& c, unsigned select) {
    Bytes data = response(out, c, [&](Device& d) {
        return ask_full(8192, 1u << 24, {0, 4, 8}, [&](std::size_t len) {
            return d.data_in(cdb::ReportLuns{.select_report = static_cast<std::uint8_t>(select),
                                             .allocation_length = static_cast<std::uint32_t>(len)}
                                 .encode(),
                             len);
        });
    });
    if (print_bytes(out, c, data)) return;
    auto luns = scsi::ReportLunsData::decode(data);
    nlohmann::json j = luns;
    if (out.json()) {
        out.doc()["report_luns"] = j;
        out.doc()["luns"] = j["luns"];
        return;
    }
    out.text() << fmt::format("{} LUN{}\n", luns.luns.size(), luns.luns.size() == 1 ? "" : "s");
    for (const auto& l : j["luns"]) {
        out.text() << fmt::format("  {:<6} {}  {}\n", l.value("lun", std::uint64_t{0}),
                                  l.value("bytes", std::string()),
                                  l.value("address_method_name", std::string()));
    }
    for (const auto& w : luns.warnings) out.text() << "warning: " << w << '\n';
}

void run_tur(Output& out, const Common& c) {
    auto dev = open_device(out, c);
    dev.no_data(cdb::TestUnitReady{}.encode());
    if (out.json()) {
        out.doc()["ready"] = true;
    } else {
        out.text() << dev.path() << ": ready\n";
    }
}

}  // namespace

void register_identify(Registry& r, CLI::App& app) {
    {
        auto& cmd = add_command(r, app, "inquiry", "Standard INQUIRY or a VPD page");
        auto opts = std::make_shared<InquiryOpts>();
        add_common(*cmd.app, cmd.common, true, true);
        cmd.app->add_option("-p,--vpd", opts->vpd,
                            "VPD page: number or sv, sn, di, ei, ai, bl, bdc, lbpv");
        cmd.app->add_flag("-a,--all", opts->all, "Standard INQUIRY and every supported VPD page");
        cmd.app->add_flag("-S,--serial", opts->serial, "Print the unit serial number alone");
        cmd.run = [&c = cmd.common, opts](Output& out) { run_inquiry(out, c, *opts); };
    }
    {
        auto& cmd = add_command(r, app, "readcap",
                                "READ CAPACITY: blocks, block size, protection, provisioning");
        auto opts = std::make_shared<ReadcapOpts>();
        add_common(*cmd.app, cmd.common, true, true);
        auto* t = cmd.app->add_flag("--10", opts->ten, "Use READ CAPACITY(10) only");
        cmd.app->add_flag("--16", opts->sixteen, "Use READ CAPACITY(16) only")->excludes(t);
        cmd.run = [&c = cmd.common, opts](Output& out) { run_readcap(out, c, *opts); };
    }
    {
        auto& cmd = add_command(r, app, "reportluns", "REPORT LUNS");
        auto select = std::make_shared<unsigned>(0);
        add_common(*cmd.app, cmd.common, true, true);
        cmd.app
            ->add_option("-s,--select", *select,
                         "SELECT REPORT: 0 all, 1 well known, 2 all incl. well known")
            ->check(CLI::Range(0u, 0xffu));
        cmd.run = [&c = cmd.common, select](Output& out) { run_reportluns(out, c, *select); };
    }
    {
        auto& cmd = add_command(r, app, "tur", "TEST UNIT READY");
        add_common(*cmd.app, cmd.common, true, false);
        cmd.run = [&c = cmd.common](Output& out) { run_tur(out, c); };
    }
}

}  // namespace camctl
