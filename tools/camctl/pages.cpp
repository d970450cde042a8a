// modepage and logpage: read, decode and change mode pages; read log pages.
#include <fmt/format.h>

#include "camx/scsi/cdb.hpp"
#include "camx/scsi/log.hpp"
#include "camx/scsi/mode.hpp"
#include "cli.hpp"

namespace camctl {
namespace {

namespace scsi = camx::scsi;
namespace cdb = camx::scsi::cdb;
using camx::Bytes;
using camx::device::Device;

struct PageSpec {
    unsigned page = 0;
    unsigned subpage = 0;
};

// "8", "0x08", "0x0a,1", "0x3f,0xff"
PageSpec parse_page(const std::string& s, unsigned max_page) {
    PageSpec p;
    auto comma = s.find(',');
    p.page = parse_number(s.substr(0, comma), max_page, "page");
    if (comma != std::string::npos) p.subpage = parse_number(s.substr(comma + 1), 0xff, "subpage");
    return p;
}

const std::vector<std::pair<std::string, scsi::PageControl>> kPageControls{
    {"current", scsi::PageControl::current},
    {"changeable", scsi::PageControl::changeable},
    {"default", scsi::PageControl::default_values},
    {"saved", scsi::PageControl::saved},
};

scsi::PageControl parse_pc(const std::string& s) {
    for (const auto& [name, pc] : kPageControls) {
        if (s == name || (s.size() == 1 && s[0] - '0' == static_cast<int>(pc))) return pc;
    }
    throw camx::Error(camx::Category::usage,
                      fmt::format("bad page control '{}' (current, changeable, default, saved)", s));
}

struct ModeOpts {
    std::string page;
    std::string pc = "current";
    bool list = false;
    bool six = false;
    bool dbd = false;
    bool save = false;
    std::vector<std::string> edits;
};

Bytes mode_sense(Device& dev, bool six, bool dbd, scsi::PageControl pc, PageSpec p) {
    auto pcv = static_cast<std::uint8_t>(pc);
    auto page = static_cast<std::uint8_t>(p.page);
    auto sub = static_cast<std::uint8_t>(p.subpage);
    if (six) {
        return dev.data_in(cdb::ModeSense6{.dbd = dbd, .page_control = pcv, .page_code = page,
                                           .subpage_code = sub, .allocation_length = 0xff}
                               .encode(),
                           0xff);
    }
    auto ask = [&](std::uint16_t len) {
        return dev.data_in(cdb::ModeSense10{.dbd = dbd, .page_control = pcv, .page_code = page,
                                            .subpage_code = sub, .allocation_length = len}
                               .encode(),
                           len);
    };
    Bytes b = ask(4096);
    if (b.size() >= 2 && camx::bytes::be16(b, 0) + 2u > b.size() && b.size() == 4096) {
        b = ask(static_cast<std::uint16_t>(std::min(camx::bytes::be16(b, 0) + 2u, 0xfffcu)));
    }
    return b;
}

void show_mode(Output& out, const Common& c, const scsi::ModeParameters& m, bool list) {
    if (out.json()) {
        out.doc()["mode"] = m;
        return;
    }
    if (list) {
        for (const auto& p : m.pages) {
            out.text() << fmt::format("0x{:02x},0x{:02x}  {:<40} {} bytes\n", p.page_code,
                                      p.subpage_code, p.name(), p.page_length);
        }
    } else {
        nlohmann::json j = m;
        if (c.verbose == 0) j.erase("header");
        print_fields(out.text(), j, c.verbose);
    }
    for (const auto& w : m.warnings) out.text() << "warning: " << w << '\n';
}

void edit_mode(Output& out, const Common& c, const ModeOpts& o, PageSpec p) {
    auto dev = open_device(c);
    auto fmt6 = o.six ? scsi::ModeFormat::six : scsi::ModeFormat::ten;
    auto current = scsi::ModeParameters::decode(
        mode_sense(dev, o.six, true, scsi::PageControl::current, p), fmt6);
    auto changeable = scsi::ModeParameters::decode(
        mode_sense(dev, o.six, true, scsi::PageControl::changeable, p), fmt6);
    auto* page = current.find(static_cast<std::uint8_t>(p.page), static_cast<std::uint8_t>(p.subpage));
    const auto* mask = changeable.find(static_cast<std::uint8_t>(p.page), static_cast<std::uint8_t>(p.subpage));
    if (page == nullptr) {
        throw camx::Error(camx::Category::illegal_request,
                          fmt::format("{}: mode page 0x{:02x},0x{:02x} not returned", dev.path(), p.page, p.subpage));
    }
    for (const auto& e : o.edits) scsi::set_field(*page, e, mask);
    // Only the page being changed goes back; block descriptors stay as the device has them.
    scsi::ModeParameters select;
    select.format = fmt6;
    select.header = current.header;
    select.header.block_descriptor_length = 0;
    select.pages.push_back(*page);
    Bytes list = select.encode_select();
    if (o.six) {
        dev.data_out(cdb::ModeSelect6{.pf = true, .sp = o.save,
                                      .parameter_list_length = static_cast<std::uint8_t>(list.size())}
                         .encode(),
                     list);
    } else {
        dev.data_out(cdb::ModeSelect10{.pf = true, .sp = o.save,
                                       .parameter_list_length = static_cast<std::uint16_t>(list.size())}
                         .encode(),
                     list);
    }
    auto after = scsi::ModeParameters::decode(
        mode_sense(dev, o.six, true, scsi::PageControl::current, p), fmt6);
    show_mode(out, c, after, false);
}

void run_modepage(Output& out, const Common& c, const ModeOpts& o) {
    PageSpec p = o.list || o.page.empty() ? PageSpec{0x3f, 0xff} : parse_page(o.page, 0x3f);
    if (!o.edits.empty()) {
        if (o.list || o.page.empty()) throw camx::Error(camx::Category::usage, "-e needs a page");
        if (!c.inhex.empty()) throw camx::Error(camx::Category::usage, "-e needs a device, not --inhex");
        edit_mode(out, c, o, p);
        return;
    }
    auto pc = parse_pc(o.pc);
    Bytes data = response(c, [&](Device& d) {
        try {
            return mode_sense(d, o.six, o.dbd, pc, p);
        } catch (const camx::Error& e) {
            // Devices without subpage support reject 0x3f,0xff; all pages without subpages then.
            if (p.page != 0x3f || p.subpage != 0xff || e.category() != camx::Category::illegal_request) throw;
            return mode_sense(d, o.six, o.dbd, pc, PageSpec{0x3f, 0});
        }
    });
    if (print_bytes(out, c, data)) return;
    auto m = scsi::ModeParameters::decode(data, o.six ? scsi::ModeFormat::six : scsi::ModeFormat::ten);
    show_mode(out, c, m, o.list || o.page.empty());
}

struct LogOpts {
    std::string page;
    bool list = false;
    unsigned pc = 1;
};

Bytes log_sense(Device& dev, unsigned pc, PageSpec p) {
    auto ask = [&](std::uint16_t len) {
        return dev.data_in(cdb::LogSense{.page_control = static_cast<std::uint8_t>(pc),
                                         .page_code = static_cast<std::uint8_t>(p.page),
                                         .subpage_code = static_cast<std::uint8_t>(p.subpage),
                                         .allocation_length = len}
                               .encode(),
                           len);
    };
    Bytes b = ask(4096);
    if (b.size() >= 4 && camx::bytes::be16(b, 2) + 4u > b.size() && b.size() == 4096) {
        b = ask(static_cast<std::uint16_t>(std::min(camx::bytes::be16(b, 2) + 4u, 0xfffcu)));
    }
    return b;
}

void run_logpage(Output& out, const Common& c, const LogOpts& o) {
    PageSpec p = o.page.empty() ? PageSpec{0, o.list ? 0xffu : 0u} : parse_page(o.page, 0x3f);
    Bytes data = response(c, [&](Device& d) {
        try {
            return log_sense(d, o.pc, p);
        } catch (const camx::Error& e) {
            // Subpage list unsupported: the plain supported-pages list.
            if (p.page != 0 || p.subpage != 0xff || e.category() != camx::Category::illegal_request) throw;
            return log_sense(d, o.pc, PageSpec{0, 0});
        }
    });
    if (print_bytes(out, c, data)) return;
    auto log = scsi::Log::decode(data);
    if (out.json()) {
        out.doc()["log"] = log;
        return;
    }
    for (const auto& page : log.pages) {
        out.text() << fmt::format("Log page 0x{:02x},0x{:02x}: {}\n", page.page_code,
                                  page.subpage_code, page.name());
        nlohmann::json j = page;
        j.erase("page_code");
        j.erase("subpage_code");
        j.erase("page_name");
        print_fields(out.text(), j, c.verbose, 2);
    }
    for (const auto& w : log.warnings) out.text() << "warning: " << w << '\n';
}

}  // namespace

void register_pages(Registry& r, CLI::App& app) {
    {
        auto& cmd = add_command(r, app, "modepage", "Show or change mode pages (MODE SENSE/SELECT)");
        auto o = std::make_shared<ModeOpts>();
        add_common(*cmd.app, cmd.common, true, true);
        cmd.app->add_option("page", o->page, "Page[,subpage], e.g. 8 or 0x0a,1; none lists pages");
        cmd.app->add_flag("-l,--list", o->list, "List the pages the device has");
        cmd.app->add_option("-P,--pc", o->pc, "Page control: current, changeable, default, saved");
        cmd.app->add_flag("-6", o->six, "Use MODE SENSE/SELECT(6)");
        cmd.app->add_flag("-d,--dbd", o->dbd, "Ask for no block descriptors");
        cmd.app->add_option("-e,--edit", o->edits, "Set field=value through MODE SELECT (repeatable)");
        cmd.app->add_flag("--save", o->save, "With -e: also save the page (SP=1)");
        cmd.run = [&c = cmd.common, o](Output& out) { run_modepage(out, c, *o); };
    }
    {
        auto& cmd = add_command(r, app, "logpage", "Show log pages (LOG SENSE)");
        auto o = std::make_shared<LogOpts>();
        add_common(*cmd.app, cmd.common, true, true);
        cmd.app->add_option("page", o->page, "Page[,subpage]; none lists the supported pages");
        cmd.app->add_flag("-l,--list", o->list, "List supported pages and subpages");
        cmd.app->add_option("--pc", o->pc, "Page control: 0 threshold, 1 cumulative (default), 2 default threshold, 3 default cumulative")
            ->check(CLI::Range(0u, 3u));
        cmd.run = [&c = cmd.common, o](Output& out) { run_logpage(out, c, *o); };
    }
}

}  // namespace camctl
