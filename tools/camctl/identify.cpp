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
    {"sv", 0x00}, {"sn", 0x80}, {"di", 0x83}, {"ei", 0x86}, {"ai", 0x89},
    {"bl", 0xb0}, {"bdc", 0xb1}, {"lbpv", 0xb2}, {"sinq", 0x100},
}};

unsigned vpd_code(const std::string& s) {
    for (const auto& [name, code] : kVpdNames) {
        if (s == name) return code;
    }
    return parse_number(s, 0xff, "VPD page");
}

Bytes standard_inquiry(Device& dev) {
    // 36 bytes first: some USB bridges fail longer ones; then the length the device declares.
    Bytes head = dev.data_in(cdb::Inquiry{.allocation_length = 36}.encode(), 36);
    if (head.size() < 5 || head[4] + 5u <= head.size()) return head;
    std::uint16_t want = static_cast<std::uint16_t>(std::min(head[4] + 5u, 255u));
    return dev.data_in(cdb::Inquiry{.allocation_length = want}.encode(), want);
}

Bytes vpd_page(Device& dev, unsigned page) {
    auto ask = [&](std::uint16_t len) {
        return dev.data_in(
            cdb::Inquiry{.evpd = true, .page_code = static_cast<std::uint8_t>(page),
                         .allocation_length = len}.encode(),
            len);
    };
    Bytes b = ask(255);
    if (b.size() >= 4) {
        std::size_t full = camx::bytes::be16(b, 2) + 4u;
        if (full > b.size() && b.size() == 255) b = ask(static_cast<std::uint16_t>(std::min<std::size_t>(full, 0xffff)));
    }
    return b;
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
    for (const auto& p : pages) {
        out.text() << fmt::format("VPD page 0x{:02x}: {}\n", p.value("page_code", 0),
                                  p.value("page_name", std::string("unknown")));
        print_fields(out.text(), p, c.verbose, 2);
    }
    for (const auto& w : split.warnings) out.text() << "warning: " << w << '\n';
}

void show_standard(Output& out, const Common& c, camx::ByteView data) {
    auto inq = scsi::Inquiry::decode(data);
    if (out.json()) {
        out.doc()["inquiry"] = inq;
        return;
    }
    nlohmann::json j = inq;
    out.text() << fmt::format("{:<8} {:<16} {:<4}  {} (type {:#x}), SCSI version {:#04x}\n",
                              inq.vendor, inq.product, inq.revision,
                              scsi::peripheral_device_type_name(inq.peripheral_device_type),
                              inq.peripheral_device_type, inq.version);
    if (c.verbose > 0) print_fields(out.text(), j, c.verbose, 2);
}

struct InquiryOpts {
    std::string vpd;
    bool all = false;
    bool serial = false;
};

void run_inquiry(Output& out, const Common& c, const InquiryOpts& o) {
    if (o.serial) {
        Bytes b = response(c, [](Device& d) { return vpd_page(d, 0x80); });
        auto page = scsi::decode_vpd(b);
        const auto* sn = std::get_if<scsi::UnitSerialNumber>(&page);
        if (sn == nullptr) throw camx::Error(camx::Category::malformed, "not a unit serial number page");
        if (out.json()) {
            out.doc()["serial_number"] = sn->serial_number;
        } else {
            out.text() << sn->serial_number << '\n';
        }
        return;
    }
    if (o.all) {
        auto dev = open_device(c);
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
    Bytes data = response(c, [&](Device& d) {
        return page == 0x100 ? standard_inquiry(d) : vpd_page(d, page);
    });
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

void show_capacity(Output& out, const nlohmann::json& cap) {
    if (out.json()) {
        out.doc()["capacity"] = cap;
        return;
    }
    auto blocks = cap.value("blocks", std::uint64_t{0});
    auto len = cap.value("block_length_bytes", std::uint64_t{0});
    double bytes = static_cast<double>(blocks) * static_cast<double>(len);
    out.text() << fmt::format("{} blocks of {} bytes: {} bytes, {:.2f} GB, {:.2f} GiB\n", blocks,
                              len, blocks * len, bytes / 1e9, bytes / (1u << 30));
    for (const auto& [k, v] : cap.items()) {
        if (k == "blocks" || k == "block_length_bytes" || k == "capacity_bytes") continue;
        out.text() << "  " << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << '\n';
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
    auto dev = open_device(c);
    auto rc10 = [&] { return dev.data_in(cdb::ReadCapacity10{}.encode(), 8); };
    auto rc16 = [&] { return dev.data_in(cdb::ReadCapacity16{.allocation_length = 32}.encode(), 32); };
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
    Bytes data = response(c, [&](Device& d) {
        auto ask = [&](std::uint32_t len) {
            return d.data_in(cdb::ReportLuns{.select_report = static_cast<std::uint8_t>(select),
                                             .allocation_length = len}.encode(),
                             len);
        };
        Bytes b = ask(8192);
        if (b.size() >= 4 && camx::bytes::be32(b, 0) + 8u > b.size()) b = ask(camx::bytes::be32(b, 0) + 8u);
        return b;
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
    auto dev = open_device(c);
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
        cmd.app->add_option("-p,--vpd", opts->vpd, "VPD page: number or sv, sn, di, ei, ai, bl, bdc, lbpv");
        cmd.app->add_flag("-a,--all", opts->all, "Standard INQUIRY and every supported VPD page");
        cmd.app->add_flag("-S,--serial", opts->serial, "Print the unit serial number alone");
        cmd.run = [&c = cmd.common, opts](Output& out) { run_inquiry(out, c, *opts); };
    }
    {
        auto& cmd = add_command(r, app, "readcap", "READ CAPACITY: blocks, block size, protection, provisioning");
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
        cmd.app->add_option("-s,--select", *select, "SELECT REPORT: 0 all, 1 well known, 2 all incl. well known")
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
