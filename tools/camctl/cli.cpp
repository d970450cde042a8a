// SPDX-License-Identifier: BSD-2-Clause
#include "cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/sense.hpp"

namespace camctl {

void Output::flush() {
    if (!json_ || streaming_) return;
    std::cout << doc_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void add_common(CLI::App& app, Common& c, bool with_device, bool decodes) {
    app.add_flag("-j,--json", c.json, "Print one JSON document");
    app.add_flag("-v,--verbose", c.verbose, "More detail (repeat for more)");
    if (with_device) {
        auto* dev = app.add_option("device", c.device,
                                   "sg3, /dev/sda, H:C:T:L, /dev/bsg/H:C:T:L, naa.<wwn> or "
                                   "iscsi://host[:port]/iqn/lun");
        if (decodes) {
            auto* inhex = app.add_option("--inhex", c.inhex,
                                         "Decode this captured response (hex, '#' comments) "
                                         "instead of asking a device");
            dev->excludes(inhex);
            app.add_flag("--binary", c.binary, "The --inhex file holds raw bytes, not hex");
        } else {
            dev->required();
        }
        app.add_option("-t,--timeout", c.timeout_s, "Command timeout in seconds")
            ->check(CLI::Range(1, 86400));
    }
    if (decodes) {
        app.add_flag("-x,--hex", c.hex, "Print the response as hex instead of decoding it");
        app.add_flag("-r,--raw", c.raw, "Write the response bytes to stdout unchanged");
    }
}

namespace {

// libiscsi and others end messages with newlines or spread them over lines; one line reads
// better on a terminal and in a JSON string.
std::string one_line(std::string_view s) {
    std::string out;
    bool space = false;
    for (char ch : s) {
        if (ch == '\n' || ch == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += "; ";
        space = false;
        out += ch;
    }
    return out;
}

}  // namespace

int report(const camx::Error& e, bool json) {
    std::string message = one_line(e.what());
    nlohmann::json err{{"category", camx::category_name(e.category())},
                       {"message", message},
                       {"exit_code", e.exit_code()}};
    std::string summary;
    if (!e.sense().empty()) {
        try {
            auto sense = camx::scsi::Sense::decode(e.sense());
            err["sense"] = sense;
            summary = sense.summary();
        } catch (const camx::Error&) {
            err["sense_bytes"] = camx::hex::compact(e.sense());
        }
    }
    if (e.scsi_status() != 0) err["scsi_status"] = e.scsi_status();
    if (json) {
        nlohmann::json doc{{"version", 1}, {"error", err}};
        std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
        std::cerr << "camctl: " << message << '\n';
        if (!summary.empty()) std::cerr << "camctl: sense: " << summary << '\n';
    }
    return e.exit_code();
}

Command& add_command(Registry& r, CLI::App& parent, const std::string& name,
                     const std::string& help) {
    auto cmd = std::make_unique<Command>();
    cmd->app = parent.add_subcommand(name, help);
    r.push_back(std::move(cmd));
    return *r.back();
}

}  // namespace camctl

namespace camctl {

camx::device::Device open_device(Output& out, const Common& c) {
    if (c.device.empty()) {
        throw camx::Error(camx::Category::usage, "a device is required (or --inhex FILE)");
    }
    auto dev = camx::device::open_device(c.device);
    dev.set_timeout(std::chrono::seconds(c.timeout_s));
    out.opened(dev.path());
    return dev;
}

camx::Bytes response(Output& out, const Common& c,
                     const std::function<camx::Bytes(camx::device::Device&)>& ask) {
    if (!c.inhex.empty()) {
        out.doc()["inhex"] = c.inhex;
        return camx::hex::read_file(c.inhex, c.binary);
    }
    auto dev = open_device(out, c);
    return ask(dev);
}

camx::Bytes ask_full(std::size_t first, std::size_t max, LengthField length,
                     const std::function<camx::Bytes(std::size_t)>& ask) {
    camx::Bytes b = ask(first);
    if (b.size() < first || b.size() < length.offset + length.width) return b;
    std::size_t declared = 0;
    for (std::size_t i = 0; i < length.width; ++i) declared = declared << 8 | b[length.offset + i];
    std::size_t want = std::min(declared + length.extra, max);
    return want > b.size() ? ask(want) : b;
}

bool print_bytes(Output& out, const Common& c, camx::ByteView b) {
    if (c.raw) {
        std::cout.write(reinterpret_cast<const char*>(b.data()),
                        static_cast<std::streamsize>(b.size()));
        return true;
    }
    if (!c.hex) return false;
    if (out.json()) {
        out.doc()["bytes"] = camx::hex::compact(b);
    } else {
        std::cout << camx::hex::dump(b);
    }
    return true;
}

namespace {

std::string scalar(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "-";
    return v.dump();
}

bool empty_value(const nlohmann::json& v) {
    if (v.is_string()) return v.get_ref<const std::string&>().empty();
    return v.is_null() || ((v.is_array() || v.is_object()) && v.empty());
}

bool simple_array(const nlohmann::json& a) {
    for (const auto& e : a) {
        if (e.is_object() || e.is_array()) return false;
    }
    return true;
}

}  // namespace

void print_fields(std::ostream& os, const nlohmann::json& j, int verbose, int indent) {
    std::string pad(static_cast<std::size_t>(indent), ' ');
    for (const auto& [key, v] : j.items()) {
        if (key == "bytes" && verbose == 0) continue;
        if (key == "version" && indent == 0) continue;
        if (verbose == 0 && empty_value(v)) continue;
        if (v.is_object()) {
            os << pad << key << ":\n";
            print_fields(os, v, verbose, indent + 2);
        } else if (v.is_array() && simple_array(v)) {
            os << pad << key << ":";
            for (const auto& e : v) os << ' ' << scalar(e);
            os << '\n';
        } else if (v.is_array()) {
            os << pad << key << ":\n";
            int n = 0;
            for (const auto& e : v) {
                os << pad << "  [" << n++ << "]\n";
                print_fields(os, e, verbose, indent + 4);
            }
        } else {
            os << pad << key << ": " << scalar(v) << '\n';
        }
    }
}

unsigned parse_number(const std::string& s, unsigned max, const std::string& what) {
    std::size_t used = 0;
    unsigned long v = 0;
    try {
        v = std::stoul(s, &used, 0);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != s.size() || s.empty() || v > max) {
        throw camx::Error(camx::Category::usage,
                          fmt::format("bad {} '{}' (0..{:#x})", what, s, max));
    }
    return static_cast<unsigned>(v);
}

}  // namespace camctl
