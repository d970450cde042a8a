// SPDX-License-Identifier: BSD-2-Clause
#include "config_map.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "camx/ctl/lun_check.hpp"
#include "camx/error/error.hpp"

namespace camx::ctld {

namespace tc = target_config;

namespace {

std::uint64_t number(std::string_view name, std::string_view v, int base = 0) {
    std::string_view digits = v;
    if (base == 0) {
        base = 10;
        if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
            digits.remove_prefix(2);
            base = 16;
        }
    }
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n, base);
    if (ec != std::errc{} || p != digits.data() + digits.size() || digits.empty())
        throw Error(Category::usage, fmt::format("option {}: '{}' is not a number", name, v));
    return n;
}

std::uint32_t block_size(std::string_view name, std::string_view v) {
    std::uint64_t n = number(name, v, 10);
    if (n < 512 || n > 65536 || (n & (n - 1)) != 0)
        throw Error(Category::usage,
                    fmt::format("option {}: {} is not a power of two from 512 to 65536", name, v));
    return static_cast<std::uint32_t>(n);
}

bool flag(std::string_view name, std::string_view v) {
    try {
        return tc::parse_bool(v);
    } catch (const Error& e) {
        throw Error(Category::usage, fmt::format("option {}: {}", name, e.what()));
    }
}

ctl::BackendKind backend(tc::Backend b) {
    switch (b) {
        case tc::Backend::ramdisk:
            return ctl::BackendKind::ramdisk;
        case tc::Backend::file:
            return ctl::BackendKind::file;
        case tc::Backend::block:
            return ctl::BackendKind::block;
    }
    return ctl::BackendKind::ramdisk;
}

AuthType auth_type(tc::AuthType t) {
    switch (t) {
        case tc::AuthType::none:
            return AuthType::none;
        case tc::AuthType::deny:
            return AuthType::deny;
        case tc::AuthType::chap:
            return AuthType::chap;
        case tc::AuthType::chap_mutual:
            return AuthType::chap_mutual;
    }
    return AuthType::deny;
}

DiscoveryFilter discovery_filter(tc::DiscoveryFilter f) {
    switch (f) {
        case tc::DiscoveryFilter::none:
            return DiscoveryFilter::none;
        case tc::DiscoveryFilter::portal:
            return DiscoveryFilter::portal;
        case tc::DiscoveryFilter::portal_name:
            return DiscoveryFilter::portal_name;
        case tc::DiscoveryFilter::portal_name_auth:
            return DiscoveryFilter::portal_name_auth;
    }
    return DiscoveryFilter::none;
}

std::string listen_text(const tc::Listen& l) {
    if (l.address.find(':') != std::string::npos) return fmt::format("[{}]:{}", l.address, l.port);
    return fmt::format("{}:{}", l.address, l.port);
}

AuthGroup map_auth_group(const tc::AuthGroup& g) {
    AuthGroup out;
    out.name = g.name;
    out.type = auth_type(g.type);
    for (const auto& c : g.chap) {
        iscsi::ChapCredentials cred;
        cred.initiator = {c.user, c.secret};
        if (!c.mutual_user.empty()) cred.target = iscsi::ChapSecret{c.mutual_user, c.mutual_secret};
        out.chap.push_back(std::move(cred));
    }
    out.initiator_names = g.initiator_names;
    out.initiator_portals = g.initiator_portals;
    return out;
}

}  // namespace

void apply_lun_option(ctl::LunOptions& o, std::string_view name, std::string_view v) {
    if (name == "vendor")
        o.vendor = v;
    else if (name == "product")
        o.product = v;
    else if (name == "revision")
        o.revision = v;
    else if (name == "serial")
        o.serial = v;
    else if (name == "device-id")
        o.device_id = v;
    else if (name == "naa")
        o.naa = number(name, v, 16 * (v.substr(0, 2) != "0x" && v.substr(0, 2) != "0X"));
    else if (name == "eui")
        o.eui = number(name, v, 16 * (v.substr(0, 2) != "0x" && v.substr(0, 2) != "0X"));
    else if (name == "uuid")
        o.uuid = v;
    else if (name == "scsiname")
        o.scsiname = v;
    else if (name == "blocksize")
        o.blocksize = block_size(name, v);
    else if (name == "pblocksize")
        o.pblocksize = block_size(name, v);
    else if (name == "readonly")
        o.readonly = flag(name, v);
    else if (name == "removable")
        o.removable = flag(name, v);
    else if (name == "unmap")
        o.unmap = flag(name, v);
    else if (name == "writecache")
        o.write_cache = flag(name, v);
    else
        throw Error(Category::usage, fmt::format("unknown LUN option '{}'", name));
}

// What a LUN's messages start with: where ctl.conf defines it and its name. A LUN created
// with ctladm has neither, and a made-up ":0:0:" would send the reader looking for a file.
std::string lun_context(const tc::Lun& l) {
    std::string out;
    if (l.where.line > 0) out = l.where.str() + ": ";
    if (!l.name.empty()) out += fmt::format("lun '{}': ", l.name);
    return out;
}

// One more line for a LUN's problems: "FILE:LINE:COL: lun 'NAME': MESSAGE".
std::string lun_problem(const std::string& so_far, const tc::Lun& l, std::string_view message) {
    return fmt::format("{}{}{}", so_far.empty() ? "" : "\n", lun_context(l), message);
}

ctl::LunConfig map_lun(const tc::Lun& l, std::uint64_t id) {
    ctl::LunConfig c;
    c.id = id;
    c.backend = backend(l.backend);
    c.path = l.path;
    c.size_bytes = l.size_bytes.value_or(0);
    c.options.blocksize = l.blocksize_bytes;
    c.options.serial = l.serial;
    c.options.device_id = l.device_id;
    std::string problems;
    for (const auto& [name, value] : l.options) {
        try {
            if (name == "capacity")
                c.capacity_bytes = tc::parse_size(value);
            else
                apply_lun_option(c.options, name, value);
        } catch (const Error& e) {
            problems += lun_problem(problems, l, e.what());
        }
    }
    // The engine's own checks, here so that ctld -t, a reload and ctladm create report them
    // alike and all at once.
    for (const auto& p : ctl::lun_problems(c)) problems += lun_problem(problems, l, p.message);
    if (!problems.empty()) throw Error(Category::usage, problems);
    return c;
}

ctl::EnclosureConfig map_enclosure(const tc::Lun& l,
                                   const std::map<std::string, std::uint64_t>& ids) {
    try {
        return tc::EnclosureSpec::of(l).config([&](const std::string& ref) -> std::uint64_t {
            if (auto it = ids.find(ref); it != ids.end()) return it->second;
            std::uint64_t n = 0;
            auto [p, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), n);
            if (ec != std::errc{} || p != ref.data() + ref.size() || ref.empty())
                throw Error(Category::usage, fmt::format("slot-luns: no lun '{}'", ref));
            return n;
        });
    } catch (const Error& e) {
        std::string msg;
        std::string_view rest = e.what();
        while (!rest.empty()) {
            auto nl = rest.find('\n');
            msg +=
                fmt::format("{}{}{}", msg.empty() ? "" : "\n", lun_context(l), rest.substr(0, nl));
            if (nl == std::string_view::npos) break;
            rest.remove_prefix(nl + 1);
        }
        throw Error(Category::usage, msg);
    }
}

DaemonConfig map_config(const tc::Config& config,
                        const std::map<std::string, std::uint64_t>& previous,
                        const std::set<std::uint64_t>& reserved) {
    DaemonConfig out;
    std::vector<std::string> problems;
    out.iscsi.login_timeout_seconds = static_cast<std::uint32_t>(config.global.timeout_seconds);
    out.iscsi.max_connections = static_cast<std::uint32_t>(config.global.maxproc);
    out.iscsi.session_buffer_bytes = config.global.session_buffer_limit;
    out.iscsi.buffer_bytes = config.global.buffer_limit;

    for (const auto& [name, g] : config.auth_groups)
        out.iscsi.auth_groups.push_back(map_auth_group(g));

    std::set<std::uint16_t> tags;
    for (const auto& [name, p] : config.portal_groups)
        if (p.tag) tags.insert(*p.tag);
    // As FreeBSD's ctld: a portal group no target uses does not listen (the predefined
    // "default" one would otherwise take 0.0.0.0:3260 and [::]:3260).
    std::set<std::string> used_groups;
    for (const auto& t : config.targets)
        for (const auto& ref : t.portal_groups) used_groups.insert(ref.portal_group);
    for (const auto& [name, p] : config.portal_groups) {
        if (!used_groups.count(name)) continue;
        PortalGroup pg;
        pg.name = name;
        if (p.tag) {
            pg.tag = *p.tag;
        } else {
            std::uint16_t t = 1;
            while (tags.count(t)) ++t;
            tags.insert(t);
            pg.tag = t;
        }
        for (const auto& l : p.listen) pg.listen.push_back(listen_text(l));
        pg.foreign = p.foreign;
        pg.discovery_auth_group = p.discovery_auth_group;
        pg.discovery_filter = discovery_filter(p.discovery_filter);
        pg.connection_limit = p.connection_limit;
        pg.dscp = p.dscp;
        pg.pcp = p.pcp;
        out.iscsi.portal_groups.push_back(std::move(pg));
    }

    // Engine ids: explicit ctl-lun first, then the previous run's, then the lowest free.
    std::map<std::string, std::uint64_t> ids;
    std::set<std::uint64_t> used = reserved;
    for (const auto& [name, l] : config.luns)
        if (l.ctl_lun) used.insert(ids[name] = *l.ctl_lun);
    for (const auto& [name, l] : config.luns) {
        if (ids.count(name)) continue;
        auto p = previous.find(name);
        if (p != previous.end() && !used.count(p->second)) used.insert(ids[name] = p->second);
    }
    for (const auto& [name, l] : config.luns) {
        if (ids.count(name)) continue;
        std::uint64_t id = 0;
        while (used.count(id)) ++id;
        used.insert(ids[name] = id);
    }
    for (const auto& [name, l] : config.luns) {
        try {
            if (l.device_type == tc::DeviceType::enclosure)
                out.enclosures[ids[name]] = map_enclosure(l, ids);
            else
                out.luns.push_back(map_lun(l, ids[name]));
            out.lun_names[ids[name]] = name;
        } catch (const Error& e) {
            problems.push_back(e.what());
        }
    }

    for (const auto& t : config.targets) {
        IscsiTarget it;
        it.name = t.name;
        it.alias = t.alias;
        it.auth_group = t.auth_group;
        for (const auto& ref : t.portal_groups)
            it.portals.push_back({ref.portal_group, ref.auth_group, "", 0});
        if (!t.ports.empty())
            problems.push_back(
                fmt::format("{}: target '{}': local ports ('port') are not served by ctld",
                            t.where.str(), t.name));
        auto& map = out.lun_maps[t.name];
        for (const auto& tl : t.luns) map[tl.id] = ids.at(tl.lun);
        out.iscsi.targets.push_back(std::move(it));
    }

    if (!problems.empty()) {
        std::string msg;
        for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
        throw Error(Category::usage, msg);
    }
    return out;
}

}  // namespace camx::ctld
