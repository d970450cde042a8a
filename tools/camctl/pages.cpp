// SPDX-License-Identifier: BSD-2-Clause
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
    throw camx::Error(
        camx::Category::usage,
        fmt::format("bad page control '{}' (current, changeable, default, saved)", s));
}

// "modepage 8 sda" reads as well as "modepage sda 8": when the positionals only make sense
// the other way round, swap them.
void order_positionals(std::string& device, std::string& page) {
    auto is_page = [](const std::string& s) {
        try {
            parse_page(s, 0x3f);
            return true;
        } catch (const camx::Error&) {
            return false;
        }
    };
    if (!device.empty() && !page.empty() && is_page(device) && !is_page(page))
        std::swap(device, page);
}

// The page as a positional or as --page; giving both is an error.
std::string page_arg(const std::string& positional, const std::string& option) {
    if (!positional.empty() && !option.empty()) {
        throw camx::Error(camx::Category::usage, "give the page once: as PAGE or as --page");
    }
    return positional.empty() ? option : positional;
}

struct ModeOpts {
    std::string page;
    std::string page_option;
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
        return dev.data_in(cdb::ModeSense6{.dbd = dbd,
                                           .page_control = pcv,
                                           .page_code = page,
                                           .subpage_code = sub,
                                           .allocation_length = 0xff}
                               .encode(),
                           0xff);
    }
    return ask_full(4096, 0xffff, {0, 2, 2}, [&](std::size_t len) {
        return dev.data_in(cdb::ModeSense10{.dbd = dbd,
                                            .page_control = pcv,
                                            .page_code = page,
                                            .subpage_code = sub,
                                            .allocation_length = static_cast<std::uint16_t>(len)}
                               .encode(),
                           len);
    });
}

// Like sdparm: a title per page, its decoded fields, the bytes of pages that have none.
void print_mode_pages(std::ostream& os, const scsi::ModeParameters& m, int verbose) {
    nlohmann::json j = m;
    if (verbose > 0) {
        os << "Mode parameter header:\n";
        print_fields(os, j["header"], verbose, 2);
        for (const auto& d : j["block_descriptors"]) {
            os << "Block descriptor:\n";
            print_fields(os, d, verbose, 2);
        }
    }
    for (const auto& p : j["pages"]) {
        os << fmt::format("Mode page 0x{:02x},0x{:02x}: {} ({} bytes{}{})\n",
                          p.value("page_code", 0), p.value("subpage_code", 0),
                          p.value("page_name", std::string("unknown")), p.value("page_length", 0),
                          p.value("ps", false) ? ", savable" : "",
                          p.value("truncated", false) ? ", truncated" : "");
        const auto& fields = p["fields"];
        if (fields.empty() || verbose > 0)
            os << "  bytes: " << p.value("bytes", std::string()) << '\n';
        print_fields(os, fields, verbose, 2);
    }
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
        print_mode_pages(out.text(), m, c.verbose);
    }
    for (const auto& w : m.warnings) out.text() << "warning: " << w << '\n';
}

void edit_mode(Output& out, const Common& c, const ModeOpts& o, PageSpec p) {
    auto dev = open_device(out, c);
    auto fmt6 = o.six ? scsi::ModeFormat::six : scsi::ModeFormat::ten;
    auto current = scsi::ModeParameters::decode(
        mode_sense(dev, o.six, true, scsi::PageControl::current, p), fmt6);
    auto changeable = scsi::ModeParameters::decode(
        mode_sense(dev, o.six, true, scsi::PageControl::changeable, p), fmt6);
    auto* page =
        current.find(static_cast<std::uint8_t>(p.page), static_cast<std::uint8_t>(p.subpage));
    const auto* mask =
        changeable.find(static_cast<std::uint8_t>(p.page), static_cast<std::uint8_t>(p.subpage));
    if (page == nullptr) {
        throw camx::Error(camx::Category::illegal_request,
                          fmt::format("{}: mode page 0x{:02x},0x{:02x} not returned", dev.path(),
                                      p.page, p.subpage));
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
        dev.data_out(
            cdb::ModeSelect6{.pf = true,
                             .sp = o.save,
                             .parameter_list_length = static_cast<std::uint8_t>(list.size())}
                .encode(),
            list);
    } else {
        dev.data_out(
            cdb::ModeSelect10{.pf = true,
                              .sp = o.save,
                              .parameter_list_length = static_cast<std::uint16_t>(list.size())}
                .encode(),
            list);
    }
    auto after = scsi::ModeParameters::decode(
        mode_sense(dev, o.six, true, scsi::PageControl::current, p), fmt6);
    show_mode(out, c, after, false);
}

void run_modepage(Output& out, const Common& c, const ModeOpts& o) {
    std::string page = page_arg(o.page, o.page_option);
    PageSpec p = o.list || page.empty() ? PageSpec{0x3f, 0xff} : parse_page(page, 0x3f);
    if (!o.edits.empty()) {
        if (o.list || page.empty()) throw camx::Error(camx::Category::usage, "-e needs a page");
        if (!c.inhex.empty())
            throw camx::Error(camx::Category::usage, "-e needs a device, not --inhex");
        edit_mode(out, c, o, p);
        return;
    }
    auto pc = parse_pc(o.pc);
    Bytes data = response(out, c, [&](Device& d) {
        try {
            return mode_sense(d, o.six, o.dbd, pc, p);
        } catch (const camx::Error& e) {
            // Devices without subpage support reject 0x3f,0xff; all pages without subpages then.
            if (p.page != 0x3f || p.subpage != 0xff ||
                e.category() != camx::Category::illegal_request)
                throw;
            return mode_sense(d, o.six, o.dbd, pc, PageSpec{0x3f, 0});
        }
    });
    if (print_bytes(out, c, data)) return;
    auto m =
        scsi::ModeParameters::decode(data, o.six ? scsi::ModeFormat::six : scsi::ModeFormat::ten);
    show_mode(out, c, m, o.list || page.empty());
}

struct LogOpts {
    std::string page;
    std::string page_option;
    bool list = false;
    unsigned pc = 1;
};

Bytes log_sense(Device& dev, unsigned pc, PageSpec p) {
    return ask_full(4096, 0xffff, {2, 2, 4}, [&](std::size_t len) {
        return dev.data_in(cdb::LogSense{.page_control = static_cast<std::uint8_t>(pc),
                                         .page_code = static_cast<std::uint8_t>(p.page),
                                         .subpage_code = static_cast<std::uint8_t>(p.subpage),
                                         .allocation_length = static_cast<std::uint16_t>(len)}
                               .encode(),
                           len);
    });
}

void run_logpage(Output& out, const Common& c, const LogOpts& o) {
    std::string page = page_arg(o.page, o.page_option);
    PageSpec p = page.empty() ? PageSpec{0, o.list ? 0xffu : 0u} : parse_page(page, 0x3f);
    Bytes data = response(out, c, [&](Device& d) {
        try {
            return log_sense(d, o.pc, p);
        } catch (const camx::Error& e) {
            // Subpage list unsupported: the plain supported-pages list.
            if (p.page != 0 || p.subpage != 0xff || e.category() != camx::Category::illegal_request)
                throw;
            return log_sense(d, o.pc, PageSpec{0, 0});
        }
    });
    if (print_bytes(out, c, data)) return;
    auto log = scsi::Log::decode(data);
    if (out.json()) {
        out.doc()["log"] = log;
        return;
    }
    for (const auto& lp : log.pages) {
        out.text() << fmt::format("Log page 0x{:02x},0x{:02x}: {}\n", lp.page_code, lp.subpage_code,
                                  lp.name());
        nlohmann::json j = lp;
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
        auto& cmd =
            add_command(r, app, "modepage", "Show or change mode pages (MODE SENSE/SELECT)");
        auto o = std::make_shared<ModeOpts>();
        add_common(*cmd.app, cmd.common, true, true);
        cmd.app->add_option("page", o->page, "Page[,subpage], e.g. 8 or 0x0a,1; none lists pages");
        cmd.app->add_option("-p,--page", o->page_option, "The page, as an option");
        cmd.app->add_flag("-l,--list", o->list, "List the pages the device has");
        cmd.app->add_option("-P,--pc", o->pc, "Page control: current, changeable, default, saved");
        cmd.app->add_flag("-6", o->six, "Use MODE SENSE/SELECT(6)");
        cmd.app->add_flag("-d,--dbd", o->dbd, "Ask for no block descriptors");
        cmd.app->add_option("-e,--edit", o->edits,
                            "Set field=value through MODE SELECT (repeatable)");
        cmd.app->add_flag("--save", o->save, "With -e: also save the page (SP=1)");
        cmd.run = [&c = cmd.common, o](Output& out) {
            order_positionals(c.device, o->page);
            run_modepage(out, c, *o);
        };
    }
    {
        auto& cmd = add_command(r, app, "logpage", "Show log pages (LOG SENSE)");
        auto o = std::make_shared<LogOpts>();
        add_common(*cmd.app, cmd.common, true, true);
        cmd.app->add_option("page", o->page, "Page[,subpage]; none lists the supported pages");
        cmd.app->add_option("-p,--page", o->page_option, "The page, as an option");
        cmd.app->add_flag("-l,--list", o->list, "List supported pages and subpages");
        cmd.app
            ->add_option("--pc", o->pc,
                         "Page control: 0 threshold, 1 cumulative (default), 2 default threshold, "
                         "3 default cumulative")
            ->check(CLI::Range(0u, 3u));
        cmd.run = [&c = cmd.common, o](Output& out) {
            order_positionals(c.device, o->page);
            run_logpage(out, c, *o);
        };
    }
}

}  // namespace camctl
