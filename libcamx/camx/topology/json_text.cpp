// SPDX-License-Identifier: BSD-2-Clause
#include "camx/topology/json_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include <nlohmann/json.hpp>

namespace camx::topology {
namespace {

// A JSON string as nlohmann prints it: plain printable ASCII is copied between quotes, and
// anything else (escapes, control characters, non-ASCII) is left to nlohmann.
void append_string(std::string& out, std::string_view s) {
    const bool plain = std::all_of(
        s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
    if (plain) {
        out += '"';
        out += s;
        out += '"';
        return;
    }
    out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Members of one object, in the order given (the callers give them sorted, as std::map
// keeps them).
class Object {
  public:
    Object(std::string& out, int depth) : out_(out), depth_(depth) {}
    ~Object() {
        if (first_) {
            out_ += "{}";
            return;
        }
        out_ += '\n';
        out_.append(static_cast<std::size_t>(depth_) * 2, ' ');
        out_ += '}';
    }
    Object(const Object&) = delete;
    Object& operator=(const Object&) = delete;

    // Starts a member and returns the output for its value.
    std::string& key(std::string_view k) {
        out_ += first_ ? "{\n" : ",\n";
        first_ = false;
        out_.append(static_cast<std::size_t>(depth_ + 1) * 2, ' ');
        out_ += '"';
        out_ += k;
        out_ += "\": ";
        return out_;
    }
    void string(std::string_view k, std::string_view v) { append_string(key(k), v); }
    template <typename N>
    void number(std::string_view k, N v) {
        fmt::format_to(std::back_inserter(key(k)), "{}", v);
    }
    int depth() const noexcept { return depth_; }

  private:
    std::string& out_;
    int depth_;
    bool first_ = true;
};

void append_nodes(std::string& out, const Nodes& n, int depth) {
    Object o(out, depth);
    // Sorted by key.
    const std::pair<const char*, const std::string*> kinds[] = {
        {"bsg", &n.bsg}, {"ch", &n.ch}, {"nst", &n.nst}, {"sd", &n.sd},
        {"sg", &n.sg},   {"sr", &n.sr}, {"st", &n.st}};
    for (const auto& [k, v] : kinds) {
        if (!v->empty()) o.string(k, *v);
    }
}

void append_slots(std::string& out, const std::vector<EnclosureSlot>& slots, int depth) {
    if (slots.empty()) {
        out += "[]";
        return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (i > 0) out += ",\n";
        out.append(static_cast<std::size_t>(depth + 1) * 2, ' ');
        Object o(out, depth + 1);
        o.string("enclosure", slots[i].enclosure);
        o.string("slot", slots[i].slot);
    }
    out += '\n';
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += ']';
}

void append_transport(std::string& out, const TransportId& t, int depth) {
    Object o(out, depth);
    if (!t.port_name.empty()) o.string("port_name", t.port_name);
    if (!t.sas_address.empty()) o.string("sas_address", t.sas_address);
    if (!t.target_name.empty()) o.string("target_name", t.target_name);
    o.string("type", transport_type_name(t.type));
}

}  // namespace

void append_json(std::string& out, const Device& d, int depth) {
    Object o(out, depth);
    o.number("channel", d.hctl.channel);
    if (!d.enclosure.empty()) o.string("enclosure", d.enclosure);
    append_slots(o.key("enclosure_slots"), d.enclosure_slots, depth + 1);
    o.string("hctl", d.hctl.str());
    o.number("host", d.hctl.host);
    o.number("lun", d.hctl.lun);
    o.string("model", d.model);
    append_nodes(o.key("nodes"), d.nodes, depth + 1);
    o.number("peripheral_device_type", d.peripheral_device_type);
    o.string("peripheral_device_type_name", peripheral_type_name(d.peripheral_device_type));
    if (d.queue_depth) o.number("queue_depth", *d.queue_depth);
    o.string("revision", d.revision);
    o.string("state", d.state);
    o.number("target", d.hctl.target);
    if (d.transport) append_transport(o.key("transport"), *d.transport, depth + 1);
    o.string("vendor", d.vendor);
    if (!d.wwid.empty()) o.string("wwid", d.wwid);
}

void append_json(std::string& out, const Host& h, int depth) {
    Object o(out, depth);
    o.number("host", h.host);
    o.string("proc_name", h.proc_name);
    o.string("transport", transport_type_name(h.transport));
}

std::string devlist_json(const Topology& t) {
    std::string s;
    s.reserve(t.devices.size() * 512 + 64);
    auto array = [&s](const auto& items) {
        if (items.empty()) {
            s += "[]";
            return;
        }
        s += "[\n";
        for (std::size_t i = 0; i < items.size(); ++i) {
            s += i == 0 ? "    " : ",\n    ";
            append_json(s, items[i], 2);
        }
        s += "\n  ]";
    };
    s += "{\n  \"devices\": ";
    array(t.devices);
    s += ",\n  \"hosts\": ";
    array(t.hosts);
    s += ",\n  \"version\": 1\n}\n";
    return s;
}

}  // namespace camx::topology
