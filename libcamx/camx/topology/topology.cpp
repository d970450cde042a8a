// SPDX-License-Identifier: BSD-2-Clause
#include "camx/topology/topology.hpp"

#include <scsi/sg_lib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/text/text.hpp"

namespace camx::topology {
namespace {

constexpr const char* kBusDevices = "bus/scsi/devices";

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.substr(0, prefix.size()) == prefix;
}

// "st3" or "nst3" with only digits after the prefix: the tape's default-mode nodes.
bool tape_node(std::string_view name, std::string_view prefix) noexcept {
    if (!starts_with(name, prefix) || name.size() == prefix.size()) return false;
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

std::string clean(const std::optional<std::string>& v) {
    if (!v) return {};
    return text::ascii_field(ByteView(reinterpret_cast<const std::uint8_t*>(v->data()), v->size()));
}

template <typename T>
std::optional<T> number(const std::optional<std::string>& v) {
    if (!v) return std::nullopt;
    const std::string s = text::trim(*v);
    T out{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return out;
}

std::vector<std::string> children(const Dir& dev, const char* name) {
    auto d = dev.open_child(name);
    if (!d) return {};
    auto e = d->entries();
    std::sort(e.begin(), e.end());
    return e;
}

void add_block(Device& d, const std::string& name) {
    std::string& slot = starts_with(name, "sr") ? d.nodes.sr : d.nodes.sd;
    if (slot.empty()) slot = "/dev/" + name;
}

void add_tape(Device& d, const std::string& name) {
    if (tape_node(name, "st") && d.nodes.st.empty()) d.nodes.st = "/dev/" + name;
    if (tape_node(name, "nst") && d.nodes.nst.empty()) d.nodes.nst = "/dev/" + name;
}

// The last component of a path and the path without it (string views into the link text).
std::string_view last_component(std::string_view p) noexcept {
    const auto slash = p.rfind('/');
    return slash == std::string_view::npos ? p : p.substr(slash + 1);
}
std::string_view parent_of(std::string_view p) noexcept {
    const auto slash = p.rfind('/');
    return slash == std::string_view::npos ? std::string_view{} : p.substr(0, slash);
}

// enclosure_device:<slot> links to .../<enclosure>/enclosure/<enclosure>/<slot>.
std::optional<EnclosureSlot> enclosure_slot(const Dir& dev, const std::string& entry) {
    constexpr std::string_view prefix = "enclosure_device:";
    EnclosureSlot s;
    s.slot = entry.substr(prefix.size());
    const auto link = dev.read_link(entry.c_str());
    if (!link) return std::nullopt;
    s.enclosure = std::string(last_component(parent_of(*link)));
    return s;
}

// What a scan learns about each logical unit from the class directories, so that it never
// has to list a device's own directory (four system calls per device, each one expensive
// when there are thousands of them).
struct Related {
    Nodes nodes;
    std::string enclosure;
    std::vector<EnclosureSlot> slots;
    std::string parent;  // the real directory holding H:C:T:L, relative to the sysfs root
};

// Device nodes and enclosure bindings of every SCSI device, from one pass over each class
// directory: a readlink per node instead of a listing per device. Links look like
// ../../devices/.../<H:C:T:L>/block/sda; partitions (.../block/sda/sda1) and non-SCSI
// devices do not have that shape and are skipped.
class NodeIndex {
  public:
    explicit NodeIndex(const Sysfs& sysfs) {
        // Without class/block, or with directories instead of links in a class directory,
        // this is a layout the index cannot read: devices list their own directories.
        if (!index_class(sysfs, "block", [](Related& r, const std::string& n) {
                std::string& slot = starts_with(n, "sr") ? r.nodes.sr : r.nodes.sd;
                if (slot.empty()) slot = "/dev/" + n;
            })) {
            complete_ = false;
        }
        index_class(sysfs, "scsi_generic", [](Related& r, const std::string& n) {
            if (r.nodes.sg.empty()) r.nodes.sg = "/dev/" + n;
        });
        index_class(sysfs, "scsi_tape", [](Related& r, const std::string& n) {
            if (tape_node(n, "st") && r.nodes.st.empty()) r.nodes.st = "/dev/" + n;
            if (tape_node(n, "nst") && r.nodes.nst.empty()) r.nodes.nst = "/dev/" + n;
        });
        index_class(sysfs, "scsi_changer", [](Related& r, const std::string& n) {
            if (r.nodes.ch.empty()) r.nodes.ch = "/dev/" + n;
        });
        index_class(sysfs, "enclosure", [](Related& r, const std::string& n) {
            if (r.enclosure.empty()) r.enclosure = n;
        });
        index_bsg(sysfs);
        index_slots(sysfs);
    }

    bool complete() const noexcept { return complete_; }

    // The directory that really holds the device's H:C:T:L directory (relative to the sysfs
    // root), empty when no node link named it. Attributes opened from there skip resolving
    // the bus symlink and the deep path behind it, once per attribute.
    const std::string& parent(const Hctl& h) const {
        static const std::string none;
        const auto it = by_hctl_.find(h);
        return it == by_hctl_.end() ? none : it->second.parent;
    }

    // Moves what is known about d's H:C:T:L into d (each device is read once).
    void apply(Device& d) {
        const auto it = by_hctl_.find(d.hctl);
        if (it == by_hctl_.end()) return;
        d.nodes = std::move(it->second.nodes);
        d.enclosure = std::move(it->second.enclosure);
        d.enclosure_slots = std::move(it->second.slots);
        std::sort(d.enclosure_slots.begin(), d.enclosure_slots.end(),
                  [](const EnclosureSlot& a, const EnclosureSlot& b) {
                      return std::tie(a.enclosure, a.slot) < std::tie(b.enclosure, b.slot);
                  });
    }

  private:
    // false when the directory is missing or holds something other than links.
    template <typename Add>
    bool index_class(const Sysfs& sysfs, const char* cls, Add add) {
        auto dir = Dir::open(sysfs.path(std::string("class/") + cls));
        if (!dir) return false;
        bool links = true;
        for (const auto& name : dir->entries()) {
            const auto link = dir->read_link(name.c_str());
            if (!link) {
                links = false;
                complete_ = false;
                continue;
            }
            const std::string_view parent = parent_of(*link);
            if (last_component(parent) != cls) continue;
            const std::string_view device = parent_of(parent);
            if (auto h = Hctl::parse(last_component(device))) {
                Related& r = by_hctl_[*h];
                add(r, name);
                // class/<cls>/<name> -> ../../devices/.../<H:C:T:L>/<cls>/<name>
                constexpr std::string_view up = "../../";
                const std::string_view real = parent_of(device);
                if (r.parent.empty() && real.substr(0, up.size()) == up &&
                    real.find("/..") == std::string_view::npos)
                    r.parent = std::string(real.substr(up.size()));
            }
        }
        return links;
    }

    // bsg names a SCSI device's node after its H:C:T:L (other bsg nodes, such as SAS
    // hosts', have other names): no link to read.
    void index_bsg(const Sysfs& sysfs) {
        auto dir = Dir::open(sysfs.path("class/bsg"));
        if (!dir) return;
        for (const auto& name : dir->entries()) {
            if (auto h = Hctl::parse(name)) by_hctl_[*h].nodes.bsg = "/dev/bsg/" + name;
        }
    }

    // Each enclosure component that has a disk in it links to the disk's scsi_device as
    // <component>/device; the disk's enclosure_device:<component> link is the reverse.
    void index_slots(const Sysfs& sysfs) {
        auto dir = Dir::open(sysfs.path("class/enclosure"));
        if (!dir) return;
        for (const auto& enclosure : dir->entries()) {
            auto e = dir->open_child(enclosure.c_str());
            if (!e) continue;
            for (const auto& component : e->entries()) {
                const auto link = e->read_link((component + "/device").c_str());
                if (!link) continue;
                if (auto h = Hctl::parse(last_component(*link)))
                    by_hctl_[*h].slots.push_back({enclosure, component});
            }
        }
    }

    std::map<Hctl, Related> by_hctl_;
    bool complete_ = true;
};

// Children of the scsi_device directory: nodes and enclosure bindings, for a single device
// or a layout the index cannot read. Supports both the subdirectory layout (block/sda) and
// the deprecated link layout (block:sda).
void add_children(const Dir& dev, Device& d) {
    for (const auto& e : dev.entries()) {
        if (e == "block") {
            for (const auto& c : children(dev, "block")) add_block(d, c);
        } else if (starts_with(e, "block:")) {
            add_block(d, e.substr(6));
        } else if (e == "scsi_generic") {
            if (auto c = children(dev, "scsi_generic"); !c.empty())
                d.nodes.sg = "/dev/" + c.front();
        } else if (starts_with(e, "scsi_generic:")) {
            d.nodes.sg = "/dev/" + e.substr(13);
        } else if (e == "bsg") {
            // bsg names a SCSI device's node after its H:C:T:L; no need to list the directory.
            d.nodes.bsg = "/dev/bsg/" + d.hctl.str();
        } else if (e == "scsi_tape") {
            for (const auto& c : children(dev, "scsi_tape")) add_tape(d, c);
        } else if (starts_with(e, "scsi_tape:")) {
            add_tape(d, e.substr(10));
        } else if (e == "scsi_changer") {
            if (auto c = children(dev, "scsi_changer"); !c.empty())
                d.nodes.ch = "/dev/" + c.front();
        } else if (starts_with(e, "scsi_changer:")) {
            d.nodes.ch = "/dev/" + e.substr(13);
        } else if (e == "enclosure") {
            if (auto c = children(dev, "enclosure"); !c.empty()) d.enclosure = c.front();
        } else if (starts_with(e, "enclosure_device:")) {
            if (auto s = enclosure_slot(dev, e)) d.enclosure_slots.push_back(std::move(*s));
        }
    }
    std::sort(d.enclosure_slots.begin(), d.enclosure_slots.end(),
              [](const EnclosureSlot& a, const EnclosureSlot& b) {
                  return std::tie(a.enclosure, a.slot) < std::tie(b.enclosure, b.slot);
              });
}

// Vendor, model, revision and peripheral type from the binary inquiry attribute: the
// INQUIRY data the kernel's vendor/model/rev/type attributes are cut from, in one read
// instead of four. false when it is absent or shorter than the 36 bytes those fields need.
bool read_identity(const Dir& dir, const std::string& attr, Device& d) {
    std::array<char, 256> buf;
    const long n = dir.read_bytes(attr.c_str(), buf);
    if (n < 36) return false;
    const ByteView inq(reinterpret_cast<const std::uint8_t*>(buf.data()),
                       static_cast<std::size_t>(n));
    d.peripheral_device_type = inq[0] & 0x1f;
    d.vendor = text::ascii_field(inq.subspan(8, 8));
    d.model = text::ascii_field(inq.subspan(16, 16));
    d.revision = text::ascii_field(inq.subspan(32, 4));
    return true;
}

TransportId transport_of(const Sysfs& sysfs, const Dir& bus, const std::string& name,
                         const Dir& dev, TransportType host_type) {
    namespace fs = std::filesystem;
    TransportId t;
    t.type = host_type;
    // mpt3sas and others put the end device's address on the scsi_device itself.
    if (auto sas = dev.read("sas_address")) {
        t.type = TransportType::sas;
        t.sas_address = text::trim(*sas);
    }
    const auto link = bus.read_link(name.c_str());
    if (!link) return t;
    // .../<transport object>/target<h:c:t>/<h:c:t:l>
    const fs::path real = (fs::path(sysfs.path(kBusDevices)) / *link).lexically_normal();
    const fs::path owner = real.parent_path().parent_path();
    const std::string owner_name = owner.filename().string();
    auto attr = [&](const char* cls, const char* file) {
        return read_file((owner / cls / owner_name / file).string());
    };
    if (starts_with(owner_name, "end_device-")) {
        t.type = TransportType::sas;
        if (t.sas_address.empty()) {
            if (auto v = attr("sas_device", "sas_address")) t.sas_address = text::trim(*v);
        }
    } else if (starts_with(owner_name, "session")) {
        t.type = TransportType::iscsi;
        if (auto v = attr("iscsi_session", "targetname")) t.target_name = text::trim(*v);
    } else if (starts_with(owner_name, "rport-")) {
        t.type = TransportType::fc;
        if (auto v = attr("fc_remote_ports", "port_name")) t.port_name = text::trim(*v);
    }
    return t;
}

// A logical unit's attributes are read through the bus directory ("H:C:T:L/state"): its
// own directory is opened only when something needs listing or a fallback.
std::optional<Device> read_device(const Sysfs& sysfs, const Dir& bus, const std::string& name,
                                  const Hctl& hctl, const ScanOptions& options,
                                  TransportType host_type, NodeIndex* index,
                                  const Dir* parent = nullptr) {
    // Attributes are opened relative to the device's real parent when known, else through
    // the bus directory's link.
    const Dir& base_dir = parent != nullptr ? *parent : bus;
    Device d;
    d.hctl = hctl;
    d.sysfs_path = sysfs.path(kBusDevices) + "/" + name;
    std::string attr = name + "/";
    const std::size_t base = attr.size();
    auto at = [&](const char* file) -> const std::string& {
        attr.replace(base, std::string::npos, file);
        return attr;
    };
    std::optional<Dir> dev;
    if (!read_identity(base_dir, at("inquiry"), d)) {
        dev = bus.open_child(name.c_str());
        if (!dev) return std::nullopt;  // removed since the directory was listed
        d.vendor = clean(dev->read("vendor"));
        d.model = clean(dev->read("model"));
        d.revision = clean(dev->read("rev"));
        d.peripheral_device_type = number<int>(dev->read("type")).value_or(0x1f);
    }
    if (options.status) {
        d.state = clean(base_dir.read(at("state").c_str()));
        d.wwid = clean(base_dir.read(at("wwid").c_str()));
    }
    if (index == nullptr || options.details) {
        if (!dev) dev = bus.open_child(name.c_str());
        if (!dev) return std::nullopt;
    }
    if (index != nullptr) {
        index->apply(d);
    } else {
        add_children(*dev, d);
    }
    if (options.details) {
        d.queue_depth = number<unsigned>(dev->read("queue_depth"));
        d.transport = transport_of(sysfs, bus, name, *dev, host_type);
    }
    return d;
}

TransportType host_transport(const std::array<std::optional<Dir>, 4>& classes,
                             const std::string& host_name) {
    constexpr std::array types{TransportType::iscsi, TransportType::fc, TransportType::sas,
                               TransportType::spi};
    for (std::size_t i = 0; i < classes.size(); ++i) {
        if (classes[i] && classes[i]->exists(host_name.c_str())) return types[i];
    }
    return TransportType::unknown;
}

std::vector<Host> scan_hosts(const Sysfs& sysfs) {
    std::vector<Host> hosts;
    auto dir = Dir::open(sysfs.path("class/scsi_host"));
    if (!dir) return hosts;
    const std::array<std::optional<Dir>, 4> classes{
        Dir::open(sysfs.path("class/iscsi_host")), Dir::open(sysfs.path("class/fc_host")),
        Dir::open(sysfs.path("class/sas_host")), Dir::open(sysfs.path("class/spi_host"))};
    for (const auto& e : dir->entries()) {
        if (!starts_with(e, "host")) continue;
        const auto n = number<std::uint32_t>(std::optional<std::string>(e.substr(4)));
        if (!n) continue;
        Host h;
        h.host = *n;
        if (auto hd = dir->open_child(e.c_str())) h.proc_name = clean(hd->read("proc_name"));
        h.transport = host_transport(classes, e);
        hosts.push_back(std::move(h));
    }
    std::sort(hosts.begin(), hosts.end(),
              [](const Host& a, const Host& b) { return a.host < b.host; });
    return hosts;
}

}  // namespace

std::string_view transport_type_name(TransportType t) noexcept {
    switch (t) {
        case TransportType::sas:
            return "sas";
        case TransportType::iscsi:
            return "iscsi";
        case TransportType::fc:
            return "fc";
        case TransportType::spi:
            return "spi";
        case TransportType::unknown:
            break;
    }
    return "unknown";
}

std::string Device::pass_through_node() const {
    for (const std::string* n :
         {&nodes.sg, &nodes.bsg, &nodes.sd, &nodes.sr, &nodes.nst, &nodes.st, &nodes.ch}) {
        if (!n->empty()) return *n;
    }
    return {};
}

const Device* Topology::find(const Hctl& hctl) const noexcept {
    auto it = std::lower_bound(devices.begin(), devices.end(), hctl,
                               [](const Device& d, const Hctl& h) { return d.hctl < h; });
    return it != devices.end() && it->hctl == hctl ? &*it : nullptr;
}

Topology scan(const ScanOptions& options, const Sysfs& sysfs) {
    Topology t;
    if (options.details) t.hosts = scan_hosts(sysfs);
    auto bus = Dir::open(sysfs.path(kBusDevices));
    if (!bus) return t;
    std::vector<std::pair<Hctl, std::string>> names;
    for (auto& e : bus->entries()) {
        if (auto h = Hctl::parse(e)) names.emplace_back(*h, std::move(e));
    }
    std::sort(names.begin(), names.end());
    std::map<std::uint32_t, TransportType> host_types;
    for (const auto& h : t.hosts) host_types[h.host] = h.transport;
    NodeIndex index(sysfs);
    // Target directories, opened once for all their logical units.
    std::map<std::string, std::optional<Dir>, std::less<>> parents;
    t.devices.reserve(names.size());
    for (const auto& [hctl, name] : names) {
        const auto ht = host_types.find(hctl.host);
        const Dir* parent = nullptr;
        if (const std::string& p = index.parent(hctl); !p.empty()) {
            auto it = parents.find(p);
            if (it == parents.end()) it = parents.emplace(p, Dir::open(sysfs.path(p))).first;
            if (it->second) parent = &*it->second;
        }
        auto d = read_device(sysfs, *bus, name, hctl, options,
                             ht == host_types.end() ? TransportType::unknown : ht->second,
                             index.complete() ? &index : nullptr, parent);
        if (d) t.devices.push_back(std::move(*d));
    }
    return t;
}

std::optional<Device> scan_device(const Hctl& hctl, const ScanOptions& options,
                                  const Sysfs& sysfs) {
    auto bus = Dir::open(sysfs.path(kBusDevices));
    if (!bus) return std::nullopt;
    TransportType host_type = TransportType::unknown;
    if (options.details) {
        for (const auto& h : scan_hosts(sysfs)) {
            if (h.host == hctl.host) host_type = h.transport;
        }
    }
    return read_device(sysfs, *bus, hctl.str(), hctl, options, host_type, nullptr);
}

std::string peripheral_type_name(int pdt) {
    std::array<char, 64> buf{};
    sg_get_pdt_str(pdt, static_cast<int>(buf.size()), buf.data());
    return buf.data();
}

void to_json(nlohmann::json& j, const TransportId& t) {
    j = nlohmann::json{{"type", transport_type_name(t.type)}};
    if (!t.sas_address.empty()) j["sas_address"] = t.sas_address;
    if (!t.target_name.empty()) j["target_name"] = t.target_name;
    if (!t.port_name.empty()) j["port_name"] = t.port_name;
}

void to_json(nlohmann::json& j, const Nodes& n) {
    j = nlohmann::json::object();
    const std::pair<const char*, const std::string*> kinds[] = {
        {"sd", &n.sd}, {"sr", &n.sr}, {"st", &n.st},  {"nst", &n.nst},
        {"ch", &n.ch}, {"sg", &n.sg}, {"bsg", &n.bsg}};
    for (const auto& [key, value] : kinds) {
        if (!value->empty()) j[key] = *value;
    }
}

void to_json(nlohmann::json& j, const Device& d) {
    j = nlohmann::json{
        {"hctl", d.hctl.str()},
        {"host", d.hctl.host},
        {"channel", d.hctl.channel},
        {"target", d.hctl.target},
        {"lun", d.hctl.lun},
        {"vendor", d.vendor},
        {"model", d.model},
        {"revision", d.revision},
        {"peripheral_device_type", d.peripheral_device_type},
        {"peripheral_device_type_name", peripheral_type_name(d.peripheral_device_type)},
        {"state", d.state},
        {"nodes", d.nodes}};
    if (!d.wwid.empty()) j["wwid"] = d.wwid;
    if (d.queue_depth) j["queue_depth"] = *d.queue_depth;
    if (!d.enclosure.empty()) j["enclosure"] = d.enclosure;
    auto slots = nlohmann::json::array();
    for (const auto& s : d.enclosure_slots)
        slots.push_back({{"enclosure", s.enclosure}, {"slot", s.slot}});
    j["enclosure_slots"] = std::move(slots);
    if (d.transport) j["transport"] = *d.transport;
}

void to_json(nlohmann::json& j, const Host& h) {
    j = nlohmann::json{{"host", h.host},
                       {"proc_name", h.proc_name},
                       {"transport", transport_type_name(h.transport)}};
}

void to_json(nlohmann::json& j, const Topology& t) {
    auto devices = nlohmann::json::array();
    for (const auto& d : t.devices) devices.push_back(d);
    auto hosts = nlohmann::json::array();
    for (const auto& h : t.hosts) hosts.push_back(h);
    j = nlohmann::json{{"devices", std::move(devices)}, {"hosts", std::move(hosts)}};
}

}  // namespace camx::topology
