// SPDX-License-Identifier: BSD-2-Clause
#include <fmt/format.h>

#include "camx/bytes/hex.hpp"
#include "camx/enclosure/disks.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/inquiry.hpp"
#include "camx/scsi/sense.hpp"
#include "camx/topology/topology.hpp"
#include "camx/transport/iscsi.hpp"
#include "encctl.hpp"

namespace encctl {

namespace enc = camx::enclosure;

int health_exit_code(enc::Health h) noexcept {
    switch (h) {
        case enc::Health::ok:
            return kExitOk;
        case enc::Health::noncritical:
            return kExitNoncritical;
        case enc::Health::critical:
            return kExitCritical;
        case enc::Health::unrecoverable:
            return kExitUnrecoverable;
    }
    return kExitOk;
}

void Output::flush() {
    if (!json_ || streaming_) return;
    std::cout << doc_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

int report(const camx::Error& e, const Options& o) {
    nlohmann::json err{{"category", camx::category_name(e.category())},
                       {"message", e.what()},
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
    if (o.json) {
        nlohmann::json doc{{"version", 1}, {"error", err}};
        std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
        std::cerr << "encctl: " << e.what() << '\n';
        if (!summary.empty()) std::cerr << "  sense: " << summary << '\n';
    }
    return e.exit_code();
}

std::vector<std::string> enclosure_names(const Options& o) {
    if (!o.enclosure.empty()) return {o.enclosure};
    std::vector<std::string> names;
    for (const auto& d : camx::topology::scan().devices) {
        if (d.peripheral_device_type != 0x0d) continue;
        names.push_back(d.nodes.sg.empty() ? d.hctl.str() : d.nodes.sg);
    }
    if (names.empty()) {
        throw camx::Error(camx::Category::no_device,
                          "no enclosure found (no SCSI device of type 0x0d in sysfs); name one "
                          "with -e DEVICE or decode a capture with --inhex FILE");
    }
    return names;
}

// A device named with -e may be anything: say plainly when it is no enclosure instead of
// letting RECEIVE DIAGNOSTIC RESULTS fail with a sense code. A disk with EncServ set reaches
// its enclosure's pages through itself and passes.
void require_enclosure(camx::device::Device& dev, const std::string& name) {
    camx::scsi::cdb::Inquiry cdb;
    cdb.allocation_length = 96;
    const auto inq = camx::scsi::Inquiry::decode(dev.data_in(cdb.encode(), 96));
    if (inq.peripheral_device_type == 0x0d || inq.encserv) return;
    throw camx::Error(
        camx::Category::unsupported,
        fmt::format("{} is not an enclosure: peripheral device type 0x{:02x} ({}) "
                    "without enclosure services",
                    camx::transport::redact_iscsi_url(name), inq.peripheral_device_type,
                    camx::scsi::peripheral_device_type_name(inq.peripheral_device_type)));
}

camx::device::Device open(const std::string& name, const Options& o) {
    auto dev = camx::device::open_device(name);
    dev.set_timeout(std::chrono::seconds(o.timeout_s));
    if (!o.enclosure.empty()) require_enclosure(dev, name);
    return dev;
}

enc::Enclosure load_inhex(const Options& o) {
    const auto bytes = camx::hex::read_file(o.inhex, o.binary);
    return enc::Enclosure::from_pages(enc::Pages::split(bytes), "inhex:" + o.inhex);
}

std::vector<enc::Disk> disks_for(camx::device::Device& dev, const std::string& name) {
    if (camx::transport::is_iscsi_url(name)) {
        try {
            return enc::iscsi_disks(dev, name);
        } catch (const camx::Error&) {
            return {};  // no REPORT LUNS: no disks to show, the map still stands
        }
    }
    return enc::local_disks();
}

std::vector<enc::Enclosure> load_all(const Options& o, bool with_disks) {
    std::vector<enc::Enclosure> out;
    if (!o.inhex.empty()) {
        out.push_back(load_inhex(o));
        return out;
    }
    for (const auto& name : enclosure_names(o)) {
        auto dev = open(name, o);
        auto e = enc::read(dev);
        if (with_disks) enc::attach_disks(e, disks_for(dev, name));
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace encctl
