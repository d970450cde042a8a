// SPDX-License-Identifier: BSD-2-Clause
// encctl: SES enclosures -- health, element map, slots and their disks, locate and fault
// LEDs, change watching, raw pages (sesutil for Linux).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <functional>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "camx/bytes/hex.hpp"
#include "camx/enclosure/changes.hpp"
#include "camx/enclosure/control.hpp"
#include "camx/enclosure/disks.hpp"
#include "camx/ses/page.hpp"
#include "command_line.hpp"
#include "encctl.hpp"

namespace encctl {
namespace {

namespace enc = camx::enclosure;
namespace ses = camx::ses;
using camx::Category;
using camx::Error;

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string raw4(const ses::ElementStatus& s) {
    return fmt::format("0x{:02x} 0x{:02x} 0x{:02x} 0x{:02x}", s.raw[0], s.raw[1], s.raw[2],
                       s.raw[3]);
}

bool is_unit_key(const std::string& k) {
    for (const char* u : {"_celsius", "_rpm", "_volts", "_amps"}) {
        if (k.size() > std::strlen(u) && k.ends_with(u)) return true;
    }
    return false;
}

// The decoded status fields worth a look: set flags, non-zero values, measured values.
std::string extra_status(const ses::ElementStatus& s) {
    const nlohmann::json j = s;
    std::vector<std::string> parts;
    for (const auto& [k, v] : j.items()) {
        // Raw readings are shown through their converted, unit-named values.
        if (k == "status_code" || k == "status_code_name" || k == "raw" || k == "temperature" ||
            k == "voltage" || k == "current" || k == "actual_fan_speed") {
            continue;
        }
        if (v.is_boolean()) {
            if (v.get<bool>()) parts.push_back(k);
        } else if (v.is_number_float()) {
            parts.push_back(fmt::format("{}={:.2f}", k, v.get<double>()));
        } else if (v.is_number()) {
            if (v.get<long long>() != 0 || is_unit_key(k)) {
                parts.push_back(fmt::format("{}={}", k, v.get<long long>()));
            }
        } else if (v.is_string() && is_unit_key(k)) {
            parts.push_back(fmt::format("{}={}", k, v.get<std::string>()));
        }
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

std::string human_size(std::optional<std::uint64_t> bytes) {
    if (!bytes) return "-";
    const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = static_cast<double>(*bytes);
    std::size_t u = 0;
    while (v >= 1000.0 && u + 1 < std::size(units)) {
        v /= 1000.0;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", *bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string leds(const enc::Element& el) {
    if (!el.status) return "-";
    std::string s;
    if (el.status->field("ident").value_or(0) != 0) s = "locate";
    if (el.status->field("fault_sensed").value_or(0) != 0 ||
        el.status->field("fault_reqstd").value_or(0) != 0) {
        s += s.empty() ? "fault" : ",fault";
    }
    return s.empty() ? "-" : s;
}

std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : s;
}

std::string title(const enc::Enclosure& e) {
    return fmt::format("{} {} {}", e.vendor, e.product, e.revision);
}

// ---- list ----

int run_list(Output& out, const Options& o, const std::vector<std::string>& devices) {
    std::vector<enc::Enclosure> all;
    if (!devices.empty() && o.inhex.empty()) {
        for (const auto& name : devices) {
            auto dev = open(name, o);
            all.push_back(
                enc::read(dev, {.thresholds = false, .descriptors = false, .additional = false}));
        }
    } else {
        all = load_all(o, false);
    }
    auto list = nlohmann::json::array();
    // Long names (iscsi:// URLs) widen the column instead of pushing the rest out of line.
    std::size_t width = 20;
    for (const auto& e : all) width = std::max(width, e.device.size());
    out.text() << fmt::format("{:<{}} {:<8} {:<16} {:<4}  {:<16}  {:>5}  {}\n", "DEVICE", width,
                              "VENDOR", "PRODUCT", "REV", "ID", "SLOTS", "ELEMENTS");
    for (const auto& e : all) {
        auto j = enc::summary_json(e);
        j.erase("warnings");
        list.push_back(j);
        std::string counts;
        for (const auto& c : e.counts()) {
            counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ",
                                  ses::element_type_key(c.type), c.count);
        }
        out.text() << fmt::format("{:<{}} {:<8} {:<16} {:<4}  {:016x}  {:>5}  {}\n", e.device,
                                  width, e.vendor, e.product, e.revision, e.naa, e.slots().size(),
                                  counts);
    }
    out.doc()["enclosures"] = list;
    return 0;
}

// ---- status ----

std::vector<std::string> page_flags(const enc::Enclosure& e) {
    std::vector<std::string> f;
    if (!e.status) return f;
    if (e.status->invop) f.emplace_back("INVOP");
    if (e.status->info) f.emplace_back("INFO");
    if (e.status->non_crit) f.emplace_back("NON-CRIT");
    if (e.status->crit) f.emplace_back("CRIT");
    if (e.status->unrecov) f.emplace_back("UNRECOV");
    return f;
}

bool is_problem(const enc::Element& el) {
    if (!el.status) return false;
    const auto c = el.status->status_code();
    return c == 2 || c == 3 || c == 4 || el.status->prdfail();
}

int run_status(Output& out, const Options& o) {
    const auto all = load_all(o, false);
    auto worst = enc::Health::ok;
    auto list = nlohmann::json::array();
    for (const auto& e : all) {
        const auto h = e.health();
        worst = std::max(worst, h);
        auto j = nlohmann::json::object();
        j["device"] = e.device;
        j["health"] = enc::health_name(h);
        j["element_health"] = enc::health_name(e.element_health());
        j["page_health"] = enc::health_name(e.page_health());
        auto problems = nlohmann::json::array();
        for (const auto& el : e.elements) {
            if (is_problem(el)) problems.push_back(el);
        }
        j["problems"] = problems;
        j["status_flags"] = enc::summary_json(e)["status_flags"];
        list.push_back(j);

        const auto flags = page_flags(e);
        out.text() << e.device << ": " << upper(enc::health_name(h));
        if (!flags.empty()) {
            std::string f;
            for (const auto& s : flags) f += (f.empty() ? "" : ",") + s;
            out.text() << " (status page: " << f << ")";
        }
        out.text() << '\n';
        for (const auto& el : e.elements) {
            if (!is_problem(el)) continue;
            out.text() << fmt::format("  element {} ({}{}{}): {}{}\n", el.index,
                                      ses::element_type_name(el.type),
                                      el.descriptor.empty() ? "" : ", ", el.descriptor,
                                      el.status_name(), el.status->prdfail() ? ", PRDFAIL" : "");
        }
    }
    out.doc()["health"] = enc::health_name(worst);
    out.doc()["exit_code"] = health_exit_code(worst);
    out.doc()["enclosures"] = list;
    return health_exit_code(worst);
}

// ---- map ----

void print_map(std::ostream& os, const enc::Enclosure& e, int verbose) {
    os << e.device << ":\n";
    os << "\tEnclosure Name: " << title(e) << '\n';
    os << fmt::format("\tEnclosure ID: {:016x}\n", e.naa);
    os << fmt::format("\tGeneration code: {:#x}\n", e.generation_code);
    for (const auto& el : e.elements) {
        os << fmt::format("\tElement {}, Type: {}{}\n", el.index, ses::element_type_name(el.type),
                          el.is_overall() ? ", overall" : "");
        if (el.status) {
            os << fmt::format("\t\tStatus: {} ({})\n", el.status_name(), raw4(*el.status));
        } else {
            os << "\t\tStatus: absent\n";
        }
        if (!el.descriptor.empty()) os << "\t\tDescription: " << el.descriptor << '\n';
        if (el.slot_number) os << "\t\tSlot: " << *el.slot_number << '\n';
        if (!el.sas_addresses.empty()) {
            std::string a;
            for (auto s : el.sas_addresses)
                a += (a.empty() ? "" : " ") + enc::sas_address_string(s);
            os << "\t\tSAS addresses: " << a << '\n';
        }
        if (el.disk) os << "\t\tDevice: " << el.disk->node << '\n';
        if (el.status) {
            const auto extra = extra_status(*el.status);
            if (!extra.empty()) os << "\t\tExtra status: " << extra << '\n';
        }
        if (verbose > 0 && !el.physical_path.empty()) {
            os << "\t\tPhysical path: " << el.physical_path << '\n';
        }
    }
    if (verbose > 0) {
        for (const auto& w : e.warnings) os << "\twarning: " << w << '\n';
    }
}

int run_map(Output& out, const Options& o) {
    const auto all = load_all(o, true);
    auto list = nlohmann::json::array();
    for (const auto& e : all) {
        list.push_back(e);
        print_map(out.text(), e, o.verbose);
    }
    out.doc()["enclosures"] = list;
    return 0;
}

// ---- show ----

int run_show(Output& out, const Options& o) {
    const auto all = load_all(o, true);
    auto list = nlohmann::json::array();
    for (const auto& e : all) {
        auto j = enc::summary_json(e);
        auto slots = nlohmann::json::array();
        out.text() << fmt::format("{}: <{}>; id {:016x}; health {}\n", e.device, title(e), e.naa,
                                  enc::health_name(e.health()));
        std::size_t width = 10;
        for (const auto* el : e.slots())
            if (el->disk) width = std::max(width, el->disk->node.size());
        out.text() << fmt::format("  {:>4}  {:<16} {:<{}} {:<20} {:<16} {:>9}  {:<14} {}\n", "SLOT",
                                  "DESCRIPTOR", "DEVICE", width, "MODEL", "SERIAL", "SIZE",
                                  "STATUS", "LEDS");
        for (const auto* el : e.slots()) {
            slots.push_back(*el);
            const auto* d = el->disk ? &*el->disk : nullptr;
            out.text() << fmt::format("  {:>4}  {:<16} {:<{}} {:<20} {:<16} {:>9}  {:<14} {}\n",
                                      el->slot_number ? std::to_string(*el->slot_number) : "-",
                                      or_dash(el->descriptor), d ? or_dash(d->node) : "-", width,
                                      d ? or_dash(d->model) : "-", d ? or_dash(d->serial) : "-",
                                      d ? human_size(d->size_bytes) : "-", el->status_name(),
                                      leds(*el));
        }
        j["slots"] = slots;
        list.push_back(j);
    }
    out.doc()["enclosures"] = list;
    return 0;
}

// ---- locate / fault ----

struct Hit {
    std::string name;
    enc::Enclosure enclosure;
    std::vector<std::size_t> elements;
};

nlohmann::json element_ref(const enc::Element& el) {
    return {{"index", el.index},
            {"element_type", ses::code(el.type)},
            {"element_type_name", ses::element_type_name(el.type)},
            {"descriptor", el.descriptor},
            {"slot_number", el.slot_number ? nlohmann::json(*el.slot_number) : nlohmann::json()}};
}

std::string element_text(const enc::Element& el) {
    std::string s = fmt::format("element {} ({}", el.index, ses::element_type_name(el.type));
    if (!el.descriptor.empty()) s += ", " + el.descriptor;
    if (el.slot_number) s += fmt::format(", slot {}", *el.slot_number);
    if (el.disk) s += ", " + el.disk->node;
    return s + ")";
}

int run_led(Output& out, const Options& o, enc::Led led, const std::string& target,
            const std::string& state, bool dry_run) {
    if (state != "on" && state != "off") {
        throw Error(Category::usage, fmt::format("{}: state must be on or off, not '{}'",
                                                 enc::led_name(led), state));
    }
    const bool on = state == "on";
    if (!o.inhex.empty() && !dry_run) {
        throw Error(Category::usage, "--inhex has no device to write to; add --dry-run");
    }
    std::vector<Hit> hits;
    std::vector<std::string> names;
    if (!o.inhex.empty()) {
        auto e = load_inhex(o);
        auto sel = enc::select(e, target);
        hits.push_back({e.device, std::move(e), std::move(sel)});
    } else {
        names = enclosure_names(o);
        std::optional<Error> miss;
        for (const auto& name : names) {
            auto dev = open(name, o);
            auto e = enc::read(dev, {.thresholds = false, .descriptors = true, .additional = true});
            enc::attach_disks(e, disks_for(dev, name));
            try {
                auto sel = enc::select(e, target);
                hits.push_back({name, std::move(e), std::move(sel)});
            } catch (const Error& err) {
                if (err.category() != Category::no_device) throw;
                miss = err;
            }
        }
        if (hits.empty()) throw *miss;
        if (hits.size() > 1 && target != "all") {
            std::string which;
            for (const auto& h : hits) which += (which.empty() ? "" : ", ") + h.name;
            throw Error(Category::ambiguous_device,
                        fmt::format("'{}' matches in several enclosures ({}); pick one with -e",
                                    target, which));
        }
    }
    auto list = nlohmann::json::array();
    for (auto& h : hits) {
        auto j = nlohmann::json::object();
        j["device"] = h.enclosure.device;
        if (dry_run) {
            const auto page = enc::led_control(h.enclosure, h.elements, led, on).encode();
            j["control_page"] = camx::hex::compact(page);
            out.text() << h.enclosure.device << ": control page (not sent):\n"
                       << camx::hex::dump(page);
        } else {
            auto dev = open(h.name, o);
            auto r = enc::set_led(dev, target, led, on, disks_for(dev, h.name));
            h.enclosure = std::move(r.enclosure);
            h.elements = std::move(r.elements);
        }
        auto els = nlohmann::json::array();
        for (auto i : h.elements) {
            const auto& el = h.enclosure.elements[i];
            els.push_back(element_ref(el));
            out.text() << fmt::format("{}: {} {}{}: {}\n", h.enclosure.device, enc::led_name(led),
                                      state, dry_run ? " (dry run)" : "", element_text(el));
        }
        j["elements"] = els;
        list.push_back(j);
    }
    out.doc()["led"] = enc::led_name(led);
    out.doc()["on"] = on;
    out.doc()["dry_run"] = dry_run;
    out.doc()["enclosures"] = list;
    return 0;
}

// ---- watch ----

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
    g_stop = 1;
}

std::string now_utc() {
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

struct WatchOptions {
    int interval_s = 5;
    int count = 0;      // polls; 0: no limit
    int timeout_s = 0;  // seconds; 0: no limit
};

void emit(const Options& o, const std::string& device, nlohmann::json event,
          const std::string& text) {
    if (o.json) {
        nlohmann::json line{{"version", 1}, {"time", now_utc()}, {"enclosure", device}};
        for (auto& [k, v] : event.items()) line[k] = v;
        std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
        std::cout << now_utc() << ' ' << device << ": " << text << '\n';
    }
    std::cout.flush();
}

int run_watch(Output& out, const Options& o, const WatchOptions& w) {
    if (!o.inhex.empty()) throw Error(Category::usage, "watch needs a device, not --inhex");
    out.streaming();
    const auto names = enclosure_names(o);
    std::vector<std::optional<camx::device::Device>> devs(names.size());
    std::vector<std::optional<enc::Enclosure>> last(names.size());
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::seconds(w.timeout_s);
    int polls = 0;
    while (g_stop == 0) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            try {
                if (!devs[i]) devs[i].emplace(open(names[i], o));
                auto e = enc::read(*devs[i],
                                   {.thresholds = false, .descriptors = true, .additional = false});
                if (!last[i]) {
                    emit(o, e.device,
                         {{"kind", "start"},
                          {"generation_code", e.generation_code},
                          {"health", enc::health_name(e.health())},
                          {"element_count", e.element_count()}},
                         fmt::format("watching: health {}, generation code {:#x}, {} elements",
                                     enc::health_name(e.health()), e.generation_code,
                                     e.element_count()));
                } else {
                    for (const auto& c : enc::diff(*last[i], e)) {
                        emit(o, e.device, c, enc::describe(c));
                    }
                }
                last[i] = std::move(e);
            } catch (const Error& err) {
                devs[i].reset();
                emit(o, names[i],
                     {{"kind", "error"},
                      {"category", camx::category_name(err.category())},
                      {"message", err.what()}},
                     fmt::format("error: {}", err.what()));
            }
        }
        ++polls;
        if (w.count > 0 && polls >= w.count) break;
        const auto next = std::chrono::steady_clock::now() + std::chrono::seconds(w.interval_s);
        while (g_stop == 0 && std::chrono::steady_clock::now() < next) {
            if (w.timeout_s > 0 && std::chrono::steady_clock::now() >= deadline) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (w.timeout_s > 0 && std::chrono::steady_clock::now() >= deadline) break;
    }
    return 0;
}

// ---- page ----

unsigned parse_page(const std::string& s) {
    std::size_t used = 0;
    unsigned long v = 0;
    try {
        v = std::stoul(s, &used, 0);
    } catch (const std::exception&) {
        used = 0;
    }
    if (s.empty() || used != s.size() || v > 0xff) {
        throw Error(Category::usage, fmt::format("bad page code '{}' (0..0xff)", s));
    }
    return static_cast<unsigned>(v);
}

bool needs_configuration(unsigned code) {
    return code == 0x02 || code == 0x05 || code == 0x07 || code == 0x0a;
}

int run_page(Output& out, const Options& o, const std::string& which, bool raw) {
    const auto code = static_cast<std::uint8_t>(parse_page(which));
    camx::Bytes page;
    camx::Bytes config;
    std::string device;
    if (!o.inhex.empty()) {
        auto pages = enc::Pages::split(camx::hex::read_file(o.inhex, o.binary));
        const auto p = pages.page(code);
        if (p.empty()) {
            throw Error(Category::unsupported, fmt::format("no page {:#04x} in {}", code, o.inhex));
        }
        page.assign(p.begin(), p.end());
        config = pages.configuration;
        device = "inhex:" + o.inhex;
    } else {
        const auto names = enclosure_names(o);
        if (names.size() > 1) {
            throw Error(Category::ambiguous_device,
                        fmt::format("{} enclosures found; pick one with -e", names.size()));
        }
        auto dev = open(names.front(), o);
        page = enc::receive_page(dev, code);
        if (needs_configuration(code)) config = enc::receive_page(dev, 0x01);
        device = dev.path();
    }
    if (raw) {
        std::cout.write(reinterpret_cast<const char*>(page.data()),
                        static_cast<std::streamsize>(page.size()));
        out.streaming();
        return 0;
    }
    if (out.json()) {
        std::optional<ses::Configuration> cfg;
        if (!config.empty()) cfg = ses::Configuration::decode(config);
        out.doc()["device"] = device;
        out.doc()["page_code"] = code;
        out.doc()["page_name"] = ses::page_name(code);
        out.doc()["bytes"] = camx::hex::compact(page);
        out.doc()["decoded"] = ses::decode_page(page, cfg ? &*cfg : nullptr);
    } else {
        out.text() << camx::hex::dump(page);
    }
    return 0;
}

// ---- command line ----

struct Command {
    CLI::App* app;
    std::function<int(Output&)> run;
};

}  // namespace
}  // namespace encctl

int main(int argc, char** argv) {
    using namespace encctl;
    CLI::App app{"encctl: SCSI enclosure services (SES) status, map and LEDs"};
    camx::cli::configure(app, "encctl");
    app.require_subcommand(1);
    app.fallthrough();

    Options o;
    app.add_flag("-j,--json", o.json, "Print one JSON document (watch: one per line)");
    app.add_flag("-v,--verbose", o.verbose, "More detail (physical paths, warnings)");
    app.add_option("-e,--enclosure", o.enclosure,
                   "The enclosure: sg3, /dev/sg3, H:C:T:L, /dev/bsg/H:C:T:L, naa.<wwn> or "
                   "iscsi://host[:port]/iqn/lun (default: every enclosure in sysfs)");
    app.add_option("--inhex", o.inhex,
                   "Decode captured diagnostic pages (hex, back to back) instead of asking a "
                   "device");
    app.add_flag("--binary", o.binary, "The --inhex file holds raw bytes, not hex");
    app.add_option("--cmd-timeout", o.timeout_s, "SCSI command timeout in seconds")
        ->check(CLI::Range(1, 86400));

    std::vector<Command> commands;
    std::vector<std::string> list_devices;
    auto* list = app.add_subcommand("list", "List enclosures: device, vendor, product, id, counts");
    list->add_option("devices", list_devices, "Enclosures to list (default: all)");
    commands.push_back({list, [&](Output& out) { return run_list(out, o, list_devices); }});

    auto* status = app.add_subcommand("status", "Overall health; the exit status says it too");
    commands.push_back({status, [&](Output& out) { return run_status(out, o); }});

    auto* map = app.add_subcommand("map", "Every element with its decoded status");
    commands.push_back({map, [&](Output& out) { return run_map(out, o); }});

    auto* show = app.add_subcommand("show", "Slots and their disks: node, model, serial, size");
    commands.push_back({show, [&](Output& out) { return run_show(out, o); }});

    std::string loc_target, loc_state, fault_target, fault_state;
    bool loc_dry = false, fault_dry = false;
    auto* locate = app.add_subcommand("locate", "Turn a locate (identify) LED on or off");
    locate->add_option("target", loc_target, "DEVICE, slot number, element:N, descriptor or all")
        ->required();
    locate->add_option("state", loc_state, "on or off")->required();
    locate->add_flag("-n,--dry-run", loc_dry, "Print the control page instead of sending it");
    commands.push_back({locate, [&](Output& out) {
                            return run_led(out, o, camx::enclosure::Led::locate, loc_target,
                                           loc_state, loc_dry);
                        }});
    auto* fault = app.add_subcommand("fault", "Turn a fault LED on or off");
    fault->add_option("target", fault_target, "DEVICE, slot number, element:N, descriptor or all")
        ->required();
    fault->add_option("state", fault_state, "on or off")->required();
    fault->add_flag("-n,--dry-run", fault_dry, "Print the control page instead of sending it");
    commands.push_back({fault, [&](Output& out) {
                            return run_led(out, o, camx::enclosure::Led::fault, fault_target,
                                           fault_state, fault_dry);
                        }});

    WatchOptions w;
    auto* watch = app.add_subcommand("watch", "Poll and report status and generation changes");
    watch->add_option("-i,--interval", w.interval_s, "Seconds between polls (default 5)")
        ->check(CLI::Range(1, 86400));
    watch->add_option("-c,--count", w.count, "Stop after this many polls (default: no limit)")
        ->check(CLI::Range(0, 1 << 30));
    watch
        ->add_option("-T,--timeout", w.timeout_s,
                     "Stop after this many seconds (default: no limit)")
        ->check(CLI::Range(0, 1 << 30));
    commands.push_back({watch, [&](Output& out) { return run_watch(out, o, w); }});

    std::string page_code;
    bool page_raw = false;
    auto* page = app.add_subcommand("page", "One diagnostic page as hex (or raw bytes)");
    page->add_option("page", page_code, "Page code: 0x02, 2, ...")->required();
    page->add_flag("-r,--raw", page_raw, "Write the page's bytes to stdout unchanged");
    commands.push_back({page, [&](Output& out) { return run_page(out, o, page_code, page_raw); }});

    Options parse_errors;
    parse_errors.json = camx::cli::wants_json(argc, argv);
    if (auto rc = camx::cli::parse(app, argc, argv,
                                   [&](const camx::Error& e) { return report(e, parse_errors); }))
        return *rc;
    for (auto& cmd : commands) {
        if (!cmd.app->parsed()) continue;
        try {
            Output out(o);
            const int rc = cmd.run(out);
            out.flush();
            return rc;
        } catch (const camx::Error& e) {
            return report(e, o);
        } catch (const std::exception& e) {
            return report(camx::Error(camx::Category::other, e.what()), o);
        }
    }
    return camx::exit_code(camx::Category::usage);
}
