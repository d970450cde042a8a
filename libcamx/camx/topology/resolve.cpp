// SPDX-License-Identifier: BSD-2-Clause
#include "camx/topology/resolve.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "camx/error/error.hpp"
#include "camx/transport/iscsi.hpp"

namespace camx::topology {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.substr(0, prefix.size()) == prefix;
}

bool digits(std::string_view s) noexcept {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

char lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

// stN / nstN with an optional mode letter (l, m, a) selecting the density mode.
bool tape_name(std::string_view s, std::string_view prefix) noexcept {
    if (!starts_with(s, prefix)) return false;
    s.remove_prefix(prefix.size());
    if (!s.empty() && (s.back() == 'l' || s.back() == 'm' || s.back() == 'a')) s.remove_suffix(1);
    return digits(s);
}

bool wwn_name(std::string_view s) noexcept {
    if (s.size() <= 4) return false;
    const auto prefix = s.substr(0, 4);
    return iequals(prefix, "naa.") || iequals(prefix, "eui.") || iequals(prefix, "t10.");
}

constexpr const char* kForms =
    "a /dev path, H:C:T:L, an sgN, sdX, srN, stN, nstN or schN name, an iscsi:// URL, "
    "or a naa./eui./t10. WWN";

[[noreturn]] void no_match(std::string_view name, const std::string& tried) {
    throw Error(Category::no_device, fmt::format("no device matches '{}' (tried {})", name, tried));
}

std::string class_link(NodeKind kind, const std::string& node, const Sysfs& sysfs) {
    switch (kind) {
        case NodeKind::sg:
            return sysfs.path("class/scsi_generic/" + node + "/device");
        case NodeKind::sd:
        case NodeKind::sr:
            return sysfs.path("class/block/" + node + "/device");
        case NodeKind::st:
        case NodeKind::nst:
            return sysfs.path("class/scsi_tape/" + node + "/device");
        case NodeKind::ch:
            return sysfs.path("class/scsi_changer/" + node + "/device");
        case NodeKind::bsg:
            return sysfs.path("class/bsg/" + node.substr(4) + "/device");
    }
    return {};
}

// The device owning a kernel node; `tried` names what was looked at.
std::optional<Device> device_of_node(NodeKind kind, const std::string& node, const Sysfs& sysfs,
                                     std::string& tried) {
    std::optional<Hctl> hctl;
    if (kind == NodeKind::bsg) {
        hctl = Hctl::parse(std::string_view(node).substr(4));
        tried = sysfs.path("bus/scsi/devices/" + node.substr(4));
    } else {
        tried = class_link(kind, node, sysfs);
        std::error_code ec;
        const auto target = std::filesystem::canonical(tried, ec);
        if (!ec) hctl = Hctl::parse(target.filename().string());
    }
    if (!hctl) return std::nullopt;
    return scan_device(*hctl, {}, sysfs);
}

std::string node_to_open(const Device& d) {
    auto node = d.pass_through_node();
    if (node.empty())
        throw Error(Category::no_device,
                    fmt::format("{} ({} {}) has no sg, bsg or upper-level device node to open "
                                "(is the sg module loaded?)",
                                d.hctl.str(), d.vendor, d.model));
    return node;
}

Resolved resolve_path(const Name& n, const Sysfs& sysfs) {
    std::error_code ec;
    const auto canonical = std::filesystem::canonical(n.text, ec);
    if (ec) no_match(n.text, fmt::format("{}: {}", n.text, ec.message()));
    Resolved r{n.text, std::nullopt};
    const std::string c = canonical.string();
    if (starts_with(c, "/dev/")) {
        const std::string node = c.substr(5);
        if (auto kind = node_kind_of(node)) {
            std::string tried;
            r.device = device_of_node(*kind, node, sysfs, tried);
        }
    }
    return r;
}

Resolved resolve_wwn(const Name& n, const Sysfs& sysfs) {
    const auto t = scan({}, sysfs);
    std::vector<const Device*> hits;
    for (const auto& d : t.devices) {
        if (iequals(d.wwid, n.text)) hits.push_back(&d);
    }
    if (hits.empty())
        no_match(n.text,
                 fmt::format("the wwid of {} SCSI device{} under {}", t.devices.size(),
                             t.devices.size() == 1 ? "" : "s", sysfs.path("bus/scsi/devices")));
    if (hits.size() > 1) {
        std::string list;
        for (const Device* d : hits) {
            if (!list.empty()) list += ", ";
            const auto node = d->pass_through_node();
            list += node.empty() ? d->hctl.str() : fmt::format("{} ({})", d->hctl.str(), node);
        }
        throw Error(
            Category::ambiguous_device,
            fmt::format("'{}' matches {} devices (paths to one logical unit?): {}; name one "
                        "by H:C:T:L or node",
                        n.text, hits.size(), list));
    }
    return {node_to_open(*hits.front()), *hits.front()};
}

}  // namespace

std::string_view node_kind_name(NodeKind k) noexcept {
    switch (k) {
        case NodeKind::sg:
            return "sg";
        case NodeKind::sd:
            return "sd";
        case NodeKind::sr:
            return "sr";
        case NodeKind::st:
            return "st";
        case NodeKind::nst:
            return "nst";
        case NodeKind::ch:
            return "ch";
        case NodeKind::bsg:
            return "bsg";
    }
    return "sg";
}

std::optional<NodeKind> node_kind_of(std::string_view s) noexcept {
    if (starts_with(s, "bsg/")) {
        if (Hctl::parse(s.substr(4))) return NodeKind::bsg;
        return std::nullopt;
    }
    if (starts_with(s, "sg") && digits(s.substr(2))) return NodeKind::sg;
    if (starts_with(s, "sd") && s.size() > 2 &&
        std::all_of(s.begin() + 2, s.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
        return NodeKind::sd;
    if (starts_with(s, "sr") && digits(s.substr(2))) return NodeKind::sr;
    if (tape_name(s, "nst")) return NodeKind::nst;
    if (tape_name(s, "st")) return NodeKind::st;
    if (starts_with(s, "sch") && digits(s.substr(3))) return NodeKind::ch;
    return std::nullopt;
}

Name parse_name(std::string_view name) {
    Name n;
    n.text = std::string(name);
    if (transport::is_iscsi_url(name)) {
        n.kind = Name::Kind::iscsi;
    } else if (name.find('/') != std::string_view::npos) {
        n.kind = Name::Kind::path;
        if (starts_with(name, "/dev/")) {
            const auto node = name.substr(5);
            if ((n.node_kind = node_kind_of(node))) {
                n.node_name = std::string(node);
                if (*n.node_kind == NodeKind::bsg) n.hctl = Hctl::parse(node.substr(4));
            }
        }
    } else if ((n.hctl = Hctl::parse(name))) {
        n.kind = Name::Kind::hctl;
    } else if ((n.node_kind = node_kind_of(name))) {
        n.kind = Name::Kind::node;
        n.node_name = n.text;
    } else if (wwn_name(name)) {
        n.kind = Name::Kind::wwn;
    }
    return n;
}

Resolved resolve(std::string_view name, const Sysfs& sysfs) {
    const Name n = parse_name(name);
    switch (n.kind) {
        case Name::Kind::iscsi:
            return {n.text, std::nullopt};
        case Name::Kind::path:
            return resolve_path(n, sysfs);
        case Name::Kind::hctl: {
            auto d = scan_device(*n.hctl, {}, sysfs);
            if (!d) no_match(n.text, sysfs.path("bus/scsi/devices/" + n.hctl->str()));
            return {node_to_open(*d), std::move(d)};
        }
        case Name::Kind::node: {
            std::string tried;
            auto d = device_of_node(*n.node_kind, n.node_name, sysfs, tried);
            if (!d) no_match(n.text, tried);
            return {node_to_open(*d), std::move(d)};
        }
        case Name::Kind::wwn:
            return resolve_wwn(n, sysfs);
        case Name::Kind::invalid:
            break;
    }
    throw Error(Category::no_device,
                fmt::format("no device matches '{}' (it is none of: {})", n.text, kForms));
}

}  // namespace camx::topology
