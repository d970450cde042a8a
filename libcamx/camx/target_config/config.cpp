// SPDX-License-Identifier: BSD-2-Clause
#include "camx/target_config/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "camx/ctl/lun_check.hpp"
#include "camx/error/error.hpp"
#include "camx/transport/fd.hpp"

namespace camx::target_config {

using ucl::Entry;
using ucl::Object;
using ucl::Scalar;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Whole-string unsigned decimal (or 0x hex); nullopt on anything else or overflow.
std::optional<std::uint64_t> to_uint(std::string_view s) {
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        int d = (c >= '0' && c <= '9')                 ? c - '0'
                : (base == 16 && c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (base == 16 && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                       : -1;
        if (d < 0) return std::nullopt;
        if (v > (std::numeric_limits<std::uint64_t>::max() - static_cast<unsigned>(d)) /
                    static_cast<unsigned>(base))
            return std::nullopt;
        v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    }
    return v;
}

struct Diag {
    Category category;
    Location where;
    std::string message;
};

// Walks the UCL tree and builds the model, collecting every problem instead of stopping at
// the first, so that ctld -t reports them all.
class Builder {
  public:
    Builder(const ParseOptions& opt, Config& cfg) : opt_(opt), cfg_(cfg) {}

    void document(const Object& top);
    void finish();
    const std::vector<Diag>& diags() const { return diags_; }

  private:
    void error(const Location& at, const std::string& msg, Category c = Category::usage) {
        diags_.push_back({c, at, fmt::format("{}: {}", at.str(), msg)});
    }
    void warn(const Location& at, const std::string& msg) {
        warnings_.push_back({Category::other, at, fmt::format("{}: {}", at.str(), msg)});
    }

    // One named section: "auth-group NAME { }" or the UCL spelling "auth-group { NAME { } }".
    struct Section {
        Scalar name;
        const Object* object = nullptr;
        std::vector<Scalar> rest;  // further arguments after the name ("lun 0 NAME")
    };
    std::vector<Section> sections(const Entry& e, bool object_required);

    const Scalar* single(const Entry& e);
    std::vector<Scalar> values(const Entry& e);
    bool once(std::map<std::string, Location>& seen, const Entry& e);
    std::optional<std::uint64_t> number(const Scalar& s, std::uint64_t min, std::uint64_t max,
                                        const std::string& what);
    std::optional<std::uint64_t> size(const Scalar& s, const std::string& what);
    std::optional<bool> boolean(const Scalar& s, const std::string& what);
    void options(const Entry& e, std::map<std::string, std::string>& out,
                 std::map<std::string, Location>* where = nullptr);

    // Auth entries shared by auth-group and target (inline); true when the key was one.
    bool auth_entry(const Entry& e, AuthGroup& g, bool& type_set);
    void chap(const Entry& e, AuthGroup& g, bool mutual);
    void finish_auth(AuthGroup& g, bool type_set, const Location& at);

    void global(const Entry& e, std::map<std::string, Location>& seen);
    void auth_group(const Section& s);
    void portal_group(const Section& s);
    void lun(const Section& s, Lun& l);
    void enclosure_lun(const Lun& l, const std::map<std::string, Location>& key_at);
    void enclosure_slots(const Lun& l);
    void target(const Section& s);

    const ParseOptions& opt_;
    Config& cfg_;
    std::vector<Diag> diags_;
    std::vector<Diag> warnings_;
    std::set<std::string> redefined_;  // predefined groups already replaced once
    std::map<std::string, Location> used_luns_;
};

std::vector<Builder::Section> Builder::sections(const Entry& e, bool object_required) {
    std::vector<Section> out;
    if (e.array) {
        error(e.key.where, fmt::format("'{}' cannot be an array", e.key.text));
        return out;
    }
    if (!e.args.empty()) {
        if (object_required && !e.object) {
            error(e.key.where, fmt::format("'{}' needs a {{ }} block", e.key.text));
            return out;
        }
        Section s{e.args[0], e.object.get(), {e.args.begin() + 1, e.args.end()}};
        if (s.object && !s.rest.empty()) {
            error(s.rest[0].where, fmt::format("unexpected '{}' before '{{'", s.rest[0].text));
            return out;
        }
        out.push_back(std::move(s));
        return out;
    }
    if (!e.object) {
        error(e.key.where, fmt::format("'{}' needs a name", e.key.text));
        return out;
    }
    for (const auto& inner : e.object->entries) {
        if (inner.array || (object_required && !inner.object) ||
            (inner.object && !inner.args.empty())) {
            error(inner.key.where,
                  fmt::format("expected '{} {{ ... }}' inside '{}'", inner.key.text, e.key.text));
            continue;
        }
        out.push_back(Section{inner.key, inner.object.get(), inner.args});
    }
    return out;
}

const Scalar* Builder::single(const Entry& e) {
    if (e.object || e.array || e.args.size() != 1) {
        error(e.key.where, fmt::format("'{}' takes exactly one value", e.key.text));
        return nullptr;
    }
    return &e.args[0];
}

std::vector<Scalar> Builder::values(const Entry& e) {
    if (e.object) {
        error(e.key.where, fmt::format("'{}' takes values, not a {{ }} block", e.key.text));
        return {};
    }
    if (!e.array) return e.args;
    std::vector<Scalar> out;
    for (const auto& el : e.array->elements) {
        if (el.object) {
            error(el.scalar.where, fmt::format("'{}' elements must be strings", e.key.text));
            continue;
        }
        out.push_back(el.scalar);
    }
    return out;
}

bool Builder::once(std::map<std::string, Location>& seen, const Entry& e) {
    auto [it, fresh] = seen.emplace(e.key.text, e.key.where);
    if (!fresh)
        error(e.key.where,
              fmt::format("duplicate '{}' (first at line {})", e.key.text, it->second.line));
    return fresh;
}

std::optional<std::uint64_t> Builder::number(const Scalar& s, std::uint64_t min, std::uint64_t max,
                                             const std::string& what) {
    auto v = to_uint(s.text);
    if (!v || *v < min || *v > max) {
        error(s.where,
              fmt::format("{} must be a number from {} to {}, not '{}'", what, min, max, s.text));
        return std::nullopt;
    }
    return v;
}

std::optional<std::uint64_t> Builder::size(const Scalar& s, const std::string& what) {
    try {
        return parse_size(s.text);
    } catch (const Error& e) {
        error(s.where, fmt::format("{}: {}", what, e.what()));
        return std::nullopt;
    }
}

std::optional<bool> Builder::boolean(const Scalar& s, const std::string& what) {
    try {
        return parse_bool(s.text);
    } catch (const Error& e) {
        error(s.where, fmt::format("{}: {}", what, e.what()));
        return std::nullopt;
    }
}

void Builder::options(const Entry& e, std::map<std::string, std::string>& out,
                      std::map<std::string, Location>* where) {
    auto put = [&](const Scalar& name, const Scalar& value) {
        if (name.text.empty()) {
            error(name.where, "empty option name");
            return;
        }
        if (!out.emplace(name.text, value.text).second)
            error(name.where, fmt::format("duplicate option '{}'", name.text));
        else if (where)
            where->emplace(name.text, name.where);
    };
    if (e.object && e.args.empty()) {
        for (const auto& inner : e.object->entries) {
            if (inner.object || inner.array || inner.args.size() != 1) {
                error(inner.key.where,
                      fmt::format("option '{}' takes exactly one value", inner.key.text));
                continue;
            }
            put(inner.key, inner.args[0]);
        }
        return;
    }
    if (e.object || e.array || e.args.size() != 2) {
        error(e.key.where, "'option' takes a name and a value");
        return;
    }
    put(e.args[0], e.args[1]);
}

void Builder::chap(const Entry& e, AuthGroup& g, bool mutual) {
    std::size_t want = mutual ? 4 : 2;
    auto from_object = [&](const Object& o, const Location& at) {
        Chap c;
        std::map<std::string, Location> seen;
        for (const auto& inner : o.entries) {
            const Scalar* v = single(inner);
            if (!v || !once(seen, inner)) continue;
            if (inner.key.text == "user")
                c.user = v->text;
            else if (inner.key.text == "secret")
                c.secret = v->text;
            else if (mutual && inner.key.text == "mutual-user")
                c.mutual_user = v->text;
            else if (mutual && inner.key.text == "mutual-secret")
                c.mutual_secret = v->text;
            else
                error(inner.key.where,
                      fmt::format("unknown key '{}' in '{}'", inner.key.text, e.key.text));
        }
        if (c.user.empty() || c.secret.empty() ||
            (mutual && (c.mutual_user.empty() || c.mutual_secret.empty()))) {
            error(at, fmt::format("'{}' needs {}", e.key.text,
                                  mutual ? "user, secret, mutual-user and mutual-secret"
                                         : "user and secret"));
            return;
        }
        g.chap.push_back(std::move(c));
    };
    std::size_t before = g.chap.size();
    if (e.object && e.args.empty()) {
        from_object(*e.object, e.key.where);
    } else if (e.array) {
        for (const auto& el : e.array->elements) {
            if (!el.object) {
                error(el.scalar.where,
                      fmt::format("'{}' elements must be {{ }} blocks", e.key.text));
                continue;
            }
            from_object(*el.object, el.scalar.where);
        }
    } else if (!e.object && e.args.size() == want) {
        Chap c{e.args[0].text, e.args[1].text, "", ""};
        if (mutual) {
            c.mutual_user = e.args[2].text;
            c.mutual_secret = e.args[3].text;
        }
        g.chap.push_back(std::move(c));
    } else {
        error(e.key.where, fmt::format("'{}' takes {}", e.key.text,
                                       mutual ? "user, secret, mutual-user and mutual-secret"
                                              : "user and secret"));
        return;
    }
    for (std::size_t i = before; i < g.chap.size(); ++i) {
        for (const auto* s : {&g.chap[i].secret, &g.chap[i].mutual_secret}) {
            if (!s->empty() && (s->size() < 12 || s->size() > 16))
                warn(e.key.where, fmt::format("CHAP secret of {} characters; many initiators "
                                              "accept only 12 to 16",
                                              s->size()));
        }
    }
}

bool Builder::auth_entry(const Entry& e, AuthGroup& g, bool& type_set) {
    const std::string& k = e.key.text;
    if (k == "auth-type") {
        const Scalar* v = single(e);
        if (!v) return true;
        if (type_set) error(e.key.where, "duplicate 'auth-type'");
        type_set = true;
        if (v->text == "none")
            g.type = AuthType::none;
        else if (v->text == "deny")
            g.type = AuthType::deny;
        else if (v->text == "chap")
            g.type = AuthType::chap;
        else if (v->text == "chap-mutual")
            g.type = AuthType::chap_mutual;
        else
            error(v->where,
                  fmt::format("auth-type must be none, deny, chap or chap-mutual, not '{}'",
                              v->text));
        return true;
    }
    if (k == "chap" || k == "chap-mutual") {
        bool mutual = k == "chap-mutual";
        bool had_other = std::any_of(g.chap.begin(), g.chap.end(), [&](const Chap& c) {
            return c.mutual_user.empty() == mutual;
        });
        if (had_other) error(e.key.where, "cannot mix 'chap' and 'chap-mutual' in one auth group");
        chap(e, g, mutual);
        return true;
    }
    if (k == "initiator-name") {
        for (const auto& v : values(e)) g.initiator_names.push_back(v.text);
        return true;
    }
    if (k == "initiator-portal") {
        for (const auto& v : values(e)) {
            std::string_view t = v.text;
            auto slash = t.find('/');
            if (slash != std::string_view::npos) {
                auto bits = to_uint(t.substr(slash + 1));
                if (!bits || *bits > 128)
                    error(v.where, fmt::format("bad prefix length in '{}'", t));
            }
            if (t.empty() || slash == 0) error(v.where, "empty initiator-portal");
            g.initiator_portals.push_back(v.text);
        }
        return true;
    }
    return false;
}

void Builder::finish_auth(AuthGroup& g, bool type_set, const Location& at) {
    bool any_chap = !g.chap.empty();
    bool mutual = any_chap && !g.chap.front().mutual_user.empty();
    if (!type_set) {
        g.type = any_chap ? (mutual ? AuthType::chap_mutual : AuthType::chap)
                 : (!g.initiator_names.empty() || !g.initiator_portals.empty()) ? AuthType::none
                                                                                : AuthType::deny;
        return;
    }
    if ((g.type == AuthType::none || g.type == AuthType::deny) && any_chap)
        error(at, fmt::format("auth-type {} with chap entries", auth_type_name(g.type)));
    if (g.type == AuthType::chap && mutual) error(at, "auth-type chap with chap-mutual entries");
    if (g.type == AuthType::chap_mutual && any_chap && !mutual)
        error(at, "auth-type chap-mutual with chap entries");
    if ((g.type == AuthType::chap || g.type == AuthType::chap_mutual) && !any_chap)
        error(at, fmt::format("auth-type {} without any {} entry", auth_type_name(g.type),
                              g.type == AuthType::chap ? "chap" : "chap-mutual"));
}

void Builder::global(const Entry& e, std::map<std::string, Location>& seen) {
    const std::string& k = e.key.text;
    if (k == "isns-server" || k == "isns-period" || k == "isns-timeout") {
        error(e.key.where,
              fmt::format("'{}' is not supported: ctld does not register with iSNS", k));
        return;
    }
    auto int_key = [&](int& out, std::uint64_t min, std::uint64_t max) {
        if (const Scalar* v = single(e); v && once(seen, e)) {
            if (auto n = number(*v, min, max, k)) out = static_cast<int>(*n);
        }
    };
    auto path_key = [&](std::string& out) {
        if (const Scalar* v = single(e); v && once(seen, e)) {
            if (v->text.empty() || v->text[0] != '/')
                error(v->where, fmt::format("{} must be an absolute path", k));
            else
                out = v->text;
        }
    };
    if (k == "debug")
        int_key(cfg_.global.debug, 0, 10);
    else if (k == "timeout")
        int_key(cfg_.global.timeout_seconds, 0, max_timeout_seconds);
    else if (k == "maxproc")
        int_key(cfg_.global.maxproc, 0, max_connections);
    else if (k == "pidfile")
        path_key(cfg_.global.pidfile);
    else if (k == "state-dir")
        path_key(cfg_.global.state_dir);
    else if (k == "control-socket")
        path_key(cfg_.global.control_socket);
    else if (k == "session-buffer-limit" || k == "buffer-limit") {
        if (const Scalar* v = single(e); v && once(seen, e)) {
            auto n = size(*v, k);
            if (n && *n < (1u << 20))
                error(v->where, fmt::format("{} must be at least 1M", k));
            else if (n)
                (k == "buffer-limit" ? cfg_.global.buffer_limit
                                     : cfg_.global.session_buffer_limit) = *n;
        }
    } else if (k == "control-group") {
        if (const Scalar* v = single(e); v && once(seen, e)) cfg_.global.control_group = v->text;
    } else
        error(e.key.where, fmt::format("unknown key '{}'", k));
}

bool predefined_auth(const std::string& n) {
    return n == "default" || n == "no-authentication" || n == "no-access";
}

void Builder::auth_group(const Section& s) {
    const std::string& name = s.name.text;
    if (!s.object) {
        error(s.name.where, fmt::format("auth-group '{}' needs a {{ }} block", name));
        return;
    }
    if (name.empty()) {
        error(s.name.where, "empty auth-group name");
        return;
    }
    if (auto it = cfg_.auth_groups.find(name); it != cfg_.auth_groups.end()) {
        if (!predefined_auth(name) || !redefined_.insert("auth:" + name).second) {
            error(s.name.where, fmt::format("duplicate auth-group '{}' (first at line {})", name,
                                            it->second.where.line));
            return;
        }
        if (name != "default") {
            error(s.name.where, fmt::format("auth-group '{}' is predefined", name));
            return;
        }
    }
    AuthGroup g;
    g.name = name;
    g.where = s.name.where;
    bool type_set = false;
    for (const auto& e : s.object->entries) {
        if (!auth_entry(e, g, type_set))
            error(e.key.where,
                  fmt::format("unknown key '{}' in auth-group '{}'", e.key.text, name));
    }
    finish_auth(g, type_set, g.where);
    cfg_.auth_groups[name] = std::move(g);
}

void Builder::portal_group(const Section& s) {
    const std::string& name = s.name.text;
    if (!s.object) {
        error(s.name.where, fmt::format("portal-group '{}' needs a {{ }} block", name));
        return;
    }
    if (auto it = cfg_.portal_groups.find(name); it != cfg_.portal_groups.end()) {
        if (name != "default" || !redefined_.insert("portal:" + name).second) {
            error(s.name.where, fmt::format("duplicate portal-group '{}' (first at line {})", name,
                                            it->second.where.line));
            return;
        }
    }
    PortalGroup p;
    p.name = name;
    p.where = s.name.where;
    std::map<std::string, Location> seen;
    for (const auto& e : s.object->entries) {
        const std::string& k = e.key.text;
        if (k == "listen") {
            for (const auto& v : values(e)) {
                try {
                    Listen l = parse_listen(v.text);
                    if (std::find(p.listen.begin(), p.listen.end(), l) != p.listen.end())
                        error(v.where, fmt::format("duplicate listen '{}'", v.text));
                    p.listen.push_back(l);
                } catch (const Error& err) {
                    error(v.where, err.what());
                }
            }
        } else if (k == "listen-iser" || k == "offload" || k == "redirect") {
            error(e.key.where, fmt::format("'{}' is not supported", k));
        } else if (k == "option") {
            error(e.key.where, "'option' is not supported: ctld's portal groups take no options");
        } else if (k == "foreign") {
            if (e.args.empty() && !e.object && !e.array) continue;
            if (const Scalar* v = single(e); v && once(seen, e)) {
                if (auto b = boolean(*v, k)) p.foreign = *b;
            }
        } else {
            const Scalar* v = single(e);
            if (!v || !once(seen, e)) continue;
            if (k == "discovery-auth-group") {
                p.discovery_auth_group = v->text;
            } else if (k == "discovery-filter") {
                if (v->text == "none")
                    p.discovery_filter = DiscoveryFilter::none;
                else if (v->text == "portal")
                    p.discovery_filter = DiscoveryFilter::portal;
                else if (v->text == "portal-name")
                    p.discovery_filter = DiscoveryFilter::portal_name;
                else if (v->text == "portal-name-auth")
                    p.discovery_filter = DiscoveryFilter::portal_name_auth;
                else
                    error(v->where, fmt::format("discovery-filter must be none, portal, "
                                                "portal-name or portal-name-auth, not '{}'",
                                                v->text));
            } else if (k == "tag") {
                if (auto n = number(*v, 1, 65535, "tag")) p.tag = static_cast<std::uint16_t>(*n);
            } else if (k == "connection-limit") {
                if (auto n = number(*v, 0, max_connections, "connection-limit"))
                    p.connection_limit = static_cast<std::uint32_t>(*n);
            } else if (k == "dscp") {
                if (auto n = number(*v, 0, 63, "dscp")) p.dscp = static_cast<std::uint8_t>(*n);
            } else if (k == "pcp") {
                if (auto n = number(*v, 0, 7, "pcp")) p.pcp = static_cast<std::uint8_t>(*n);
            } else {
                error(e.key.where, fmt::format("unknown key '{}' in portal-group '{}'", k, name));
            }
        }
    }
    if (p.listen.empty() && !p.foreign)
        warn(p.where, fmt::format("portal-group '{}' has no listen address", name));
    cfg_.portal_groups[name] = std::move(p);
}

void Builder::lun(const Section& s, Lun& l) {
    l.where = s.name.where;
    std::map<std::string, Location> seen;
    std::map<std::string, Location> value_at;
    std::map<std::string, Location> key_at;
    for (const auto& e : s.object->entries) {
        const std::string& k = e.key.text;
        if (k == "option") {
            options(e, l.options, &l.option_where);
            continue;
        }
        const Scalar* v = single(e);
        if (!v || !once(seen, e)) continue;
        value_at[k] = v->where;
        key_at[k] = e.key.where;
        if (k == "backend") {
            try {
                l.backend = parse_backend(v->text);
            } catch (const Error& err) {
                error(v->where, err.what());
            }
        } else if (k == "path") {
            l.path = v->text;
        } else if (k == "size") {
            l.size_bytes = size(*v, "size");
        } else if (k == "blocksize") {
            if (auto n = number(*v, 512, 65536, "blocksize")) {
                if ((*n & (*n - 1)) != 0)
                    error(v->where, fmt::format("blocksize {} is not a power of two", *n));
                else
                    l.blocksize_bytes = static_cast<std::uint32_t>(*n);
            }
        } else if (k == "serial") {
            if (v->text.empty() || v->text.size() > 64)
                error(v->where, "serial must be 1 to 64 characters");
            else if (auto p = ctl::ascii_problem("serial", v->text, 64))
                error(v->where, *p);
            l.serial = v->text;
        } else if (k == "device-id") {
            if (v->text.empty() || v->text.size() > 128)
                error(v->where, "device-id must be 1 to 128 characters");
            else if (auto p = ctl::ascii_problem("device-id", v->text, 128))
                error(v->where, *p);
            l.device_id = v->text;
        } else if (k == "device-type") {
            std::string t = lower(v->text);
            if (t == "disk" || t == "direct" || t == "0")
                l.device_type = DeviceType::disk;
            else if (t == "enclosure" || t == "ses" || t == "13")
                l.device_type = DeviceType::enclosure;
            else
                error(v->where,
                      fmt::format("device-type must be disk or enclosure, not '{}'", v->text));
        } else if (k == "ctl-lun") {
            if (auto n = number(*v, 0, ctl::max_lun_id, "ctl-lun"))
                l.ctl_lun = static_cast<std::uint32_t>(*n);
        } else {
            error(e.key.where, fmt::format("unknown key '{}' in lun '{}'", k, l.name));
        }
    }
    if (l.device_type == DeviceType::enclosure) {
        l.backend = Backend::ramdisk;
        enclosure_lun(l, key_at);
        return;
    }
    if (l.backend == Backend::ramdisk) {
        if (!l.size_bytes && l.device_type == DeviceType::disk && !seen.count("size"))
            error(l.where, fmt::format("lun '{}': backend ramdisk needs 'size'", l.name));
        if (!l.path.empty())
            error(value_at["path"],
                  fmt::format("lun '{}': backend ramdisk takes no 'path'", l.name));
    } else if (l.path.empty()) {
        error(l.where,
              fmt::format("lun '{}': backend {} needs 'path'", l.name, backend_name(l.backend)));
    } else if (opt_.check_files) {
        struct stat st {};
        const Location& at = value_at["path"];
        if (::stat(l.path.c_str(), &st) != 0) {
            // A file LUN with a size creates its missing file, in a directory that exists.
            int e = errno;
            std::error_code ec;
            bool creates =
                e == ENOENT && l.backend == Backend::file && l.size_bytes.value_or(0) != 0 &&
                std::filesystem::is_directory(std::filesystem::path(l.path).parent_path(), ec);
            if (!creates)
                error(at, fmt::format("lun '{}': {}: {}", l.name, l.path, std::strerror(e)),
                      Category::file);
        } else if (l.backend == Backend::file && !S_ISREG(st.st_mode)) {
            error(at, fmt::format("lun '{}': {} is not a regular file", l.name, l.path),
                  Category::file);
        } else if (l.backend == Backend::block && !S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
            error(at, fmt::format("lun '{}': {} is not a block device or file", l.name, l.path),
                  Category::file);
        }
    }
    if (l.size_bytes) {
        if (auto p = ctl::size_problem(*l.size_bytes, l.blocksize_bytes))
            error(value_at["size"], fmt::format("lun '{}': {}", l.name, *p));
    }
    // INQUIRY strings go out as they are written: SPC wants printable ASCII.
    static constexpr std::pair<const char*, std::size_t> inquiry[] = {
        {"vendor", 8}, {"product", 16}, {"revision", 4}};
    for (auto [name, max] : inquiry) {
        auto o = l.options.find(name);
        if (o == l.options.end()) continue;
        if (auto p = ctl::ascii_problem(name, o->second, max)) {
            auto at = l.option_where.find(name);
            error(at == l.option_where.end() ? l.where : at->second,
                  fmt::format("lun '{}': {}", l.name, *p));
        }
    }
}

// An enclosure has no media: keys about media are mistakes, and its options are its own.
void Builder::enclosure_lun(const Lun& l, const std::map<std::string, Location>& key_at) {
    for (const char* k : {"backend", "path", "size", "blocksize", "device-id"}) {
        if (auto it = key_at.find(k); it != key_at.end())
            error(it->second,
                  fmt::format("lun '{}': '{}' makes no sense for an enclosure", l.name, k));
    }
    EnclosureSpec spec;
    for (const auto& [name, value] : l.options) {
        try {
            spec.apply(name, value);
        } catch (const Error& e) {
            auto at = l.option_where.find(name);
            error(at == l.option_where.end() ? l.where : at->second,
                  fmt::format("lun '{}': {}", l.name, e.what()));
        }
    }
    try {
        spec.check();
    } catch (const Error& e) {
        error(l.where, fmt::format("lun '{}': {}", l.name, e.what()));
    }
}

// slot-luns names luns of the file (or engine LUN numbers): each a disk, at most one slot.
void Builder::enclosure_slots(const Lun& l) {
    auto opt = l.options.find("slot-luns");
    if (opt == l.options.end()) return;
    auto w = l.option_where.find("slot-luns");
    const Location& at = w == l.option_where.end() ? l.where : w->second;
    EnclosureSpec spec;
    try {
        spec.apply("slot-luns", opt->second);
    } catch (const Error&) {
        return;  // reported by enclosure_lun
    }
    std::map<std::string, std::size_t> taken;
    for (std::size_t slot = 0; slot < spec.slot_luns.size(); ++slot) {
        const std::string& ref = spec.slot_luns[slot];
        if (ref.empty()) continue;
        const Lun* target = nullptr;
        if (auto it = cfg_.luns.find(ref); it != cfg_.luns.end()) {
            target = &it->second;
        } else if (ref.find_first_not_of("0123456789") == std::string::npos) {
            // An engine LUN number: a lun of the file with that ctl-lun, or one made later.
            const auto n = to_uint(ref);
            for (const auto& [name, other] : cfg_.luns)
                if (n && other.ctl_lun && *other.ctl_lun == *n) target = &other;
        } else {
            error(at, fmt::format("lun '{}': slot-luns: no lun '{}'", l.name, ref));
            continue;
        }
        if (target && target->name == l.name) {
            error(at, fmt::format("lun '{}': slot-luns: an enclosure cannot sit in its own slot",
                                  l.name));
            continue;
        }
        if (target && target->device_type == DeviceType::enclosure) {
            error(at, fmt::format("lun '{}': slot-luns: lun '{}' is an enclosure, not a disk",
                                  l.name, target->name));
            continue;
        }
        std::string key = target ? target->name : ref;
        if (auto [it, fresh] = taken.emplace(key, slot); !fresh)
            error(at, fmt::format("lun '{}': slot-luns: lun '{}' is in slots {} and {}", l.name,
                                  key, it->second, slot));
    }
}

void Builder::target(const Section& s) {
    if (!s.object) {
        error(s.name.where, fmt::format("target '{}' needs a {{ }} block", s.name.text));
        return;
    }
    Target t;
    t.name = s.name.text;
    t.where = s.name.where;
    std::string lname = lower(t.name);
    for (const auto& other : cfg_.targets) {
        if (lower(other.name) == lname) {
            error(t.where, fmt::format("duplicate target '{}' (first at line {})", t.name,
                                       other.where.line));
            return;
        }
    }
    if (!(lname.starts_with("iqn.") || lname.starts_with("eui.") || lname.starts_with("naa.")))
        warn(t.where,
             fmt::format("target name '{}' does not start with iqn., eui. or naa.", t.name));
    AuthGroup inline_auth;
    inline_auth.name = t.name + ",auth";
    inline_auth.where = t.where;
    bool type_set = false;
    bool has_inline = false;
    std::optional<Location> named_auth;
    std::map<std::string, Location> seen;
    std::map<std::uint64_t, Location> ids;
    for (const auto& e : s.object->entries) {
        const std::string& k = e.key.text;
        if (auth_entry(e, inline_auth, type_set)) {
            has_inline = true;
            continue;
        }
        if (k == "lun") {
            for (const auto& sec : sections(e, false)) {
                auto id = number(sec.name, 0, ctl::max_lun_id, "LUN number");
                if (!id) continue;
                if (auto [it, fresh] = ids.emplace(*id, sec.name.where); !fresh) {
                    error(sec.name.where,
                          fmt::format("target '{}': duplicate LUN {} (first at line {})", t.name,
                                      *id, it->second.line));
                    continue;
                }
                TargetLun tl{*id, "", sec.name.where};
                if (sec.object) {
                    Lun l;
                    l.name = fmt::format("{},lun,{}", t.name, *id);
                    lun(Section{sec.name, sec.object, {}}, l);
                    tl.lun = l.name;
                    cfg_.luns[l.name] = std::move(l);
                } else if (sec.rest.size() == 1) {
                    tl.lun = sec.rest[0].text;
                    used_luns_.emplace(tl.lun, sec.rest[0].where);
                } else {
                    error(sec.name.where, "'lun N' needs a { } block or the name of a lun");
                    continue;
                }
                t.luns.push_back(std::move(tl));
            }
            continue;
        }
        if (k == "portal-group") {
            if (e.object || e.array || e.args.empty() || e.args.size() > 2) {
                error(e.key.where, "'portal-group' takes a name and an optional auth-group");
                continue;
            }
            PortalGroupRef r{e.args[0].text, e.args.size() == 2 ? e.args[1].text : ""};
            for (const auto& have : t.portal_groups) {
                if (have.portal_group == r.portal_group)
                    error(e.args[0].where,
                          fmt::format("duplicate portal-group '{}'", r.portal_group));
            }
            for (std::size_t i = 0; i < e.args.size(); ++i) {
                bool pg = i == 0;
                const std::string& n = e.args[i].text;
                if (pg ? !cfg_.portal_groups.count(n) : !cfg_.auth_groups.count(n))
                    error(e.args[i].where,
                          fmt::format("unknown {} '{}'", pg ? "portal-group" : "auth-group", n));
            }
            t.portal_groups.push_back(std::move(r));
            continue;
        }
        if (k == "port") {
            for (const auto& v : values(e)) t.ports.push_back(v.text);
            continue;
        }
        const Scalar* v = single(e);
        if (!v || !once(seen, e)) continue;
        if (k == "alias") {
            t.alias = v->text;
        } else if (k == "auth-group") {
            named_auth = v->where;
            if (!cfg_.auth_groups.count(v->text))
                error(v->where, fmt::format("unknown auth-group '{}'", v->text));
            t.auth_group = v->text;
        } else if (k == "redirect") {
            error(e.key.where, "'redirect' is not supported");
        } else {
            error(e.key.where, fmt::format("unknown key '{}' in target '{}'", k, t.name));
        }
    }
    if (has_inline) {
        if (named_auth)
            error(*named_auth,
                  "'auth-group' cannot be combined with auth-type, chap, chap-mutual, "
                  "initiator-name or initiator-portal");
        finish_auth(inline_auth, type_set, t.where);
        t.auth_group = inline_auth.name;
        cfg_.auth_groups[inline_auth.name] = std::move(inline_auth);
    }
    if (t.portal_groups.empty() && t.ports.empty()) t.portal_groups.push_back({"default", ""});
    std::sort(t.luns.begin(), t.luns.end(),
              [](const TargetLun& a, const TargetLun& b) { return a.id < b.id; });
    if (t.luns.empty()) warn(t.where, fmt::format("target '{}' has no LUNs", t.name));
    cfg_.targets.push_back(std::move(t));
}

void Builder::document(const Object& top) {
    std::map<std::string, Location> seen;
    // Groups first so that targets may name groups defined after them.
    for (const auto& e : top.entries) {
        if (e.key.text == "auth-group")
            for (const auto& s : sections(e, true)) auth_group(s);
        else if (e.key.text == "portal-group")
            for (const auto& s : sections(e, true)) portal_group(s);
        else if (e.key.text == "lun") {
            for (const auto& s : sections(e, true)) {
                if (cfg_.luns.count(s.name.text)) {
                    error(s.name.where,
                          fmt::format("duplicate lun '{}' (first at line {})", s.name.text,
                                      cfg_.luns[s.name.text].where.line));
                    continue;
                }
                Lun l;
                l.name = s.name.text;
                lun(s, l);
                cfg_.luns[l.name] = std::move(l);
            }
        }
    }
    for (const auto& e : top.entries) {
        const std::string& k = e.key.text;
        if (k == "auth-group" || k == "portal-group" || k == "lun") continue;
        if (k == "target")
            for (const auto& s : sections(e, true)) target(s);
        else
            global(e, seen);
    }
}

void Builder::finish() {
    for (const auto& [name, p] : cfg_.portal_groups) {
        if (!cfg_.auth_groups.count(p.discovery_auth_group))
            error(p.where, fmt::format("portal-group '{}': unknown discovery-auth-group '{}'", name,
                                       p.discovery_auth_group));
    }
    std::map<std::uint16_t, std::string> tags;
    for (const auto& [name, p] : cfg_.portal_groups) {
        if (!p.tag) continue;
        if (auto [it, fresh] = tags.emplace(*p.tag, name); !fresh)
            error(p.where, fmt::format("portal-group '{}': tag {} already used by '{}'", name,
                                       *p.tag, it->second));
    }
    for (const auto& [name, at] : used_luns_) {
        if (!cfg_.luns.count(name)) error(at, fmt::format("unknown lun '{}'", name));
    }
    for (const auto& [name, l] : cfg_.luns)
        if (l.device_type == DeviceType::enclosure) enclosure_slots(l);
    std::map<std::uint32_t, std::string> ctl;
    for (const auto& [name, l] : cfg_.luns) {
        bool global = name.find(",lun,") == std::string::npos;
        if (global && !used_luns_.count(name))
            warn(l.where, fmt::format("lun '{}' is not used by any target", name));
        if (!l.ctl_lun) continue;
        if (auto [it, fresh] = ctl.emplace(*l.ctl_lun, name); !fresh)
            error(l.where, fmt::format("lun '{}': ctl-lun {} already used by lun '{}'", name,
                                       *l.ctl_lun, it->second));
    }
    auto by_place = [](const Diag& a, const Diag& b) {
        return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    };
    std::stable_sort(diags_.begin(), diags_.end(), by_place);
    std::stable_sort(warnings_.begin(), warnings_.end(), by_place);
    for (const auto& w : warnings_) cfg_.warnings.push_back(w.message);
}

void add_predefined(Config& c) {
    c.auth_groups["default"] = AuthGroup{"default", AuthType::deny, {}, {}, {}, {c.file, 0, 0}};
    c.auth_groups["no-authentication"] =
        AuthGroup{"no-authentication", AuthType::none, {}, {}, {}, {c.file, 0, 0}};
    c.auth_groups["no-access"] = AuthGroup{"no-access", AuthType::deny, {}, {}, {}, {c.file, 0, 0}};
    PortalGroup p;
    p.name = "default";
    p.listen = {{"0.0.0.0", 3260}, {"::", 3260}};
    p.discovery_auth_group = "no-authentication";
    p.where = {c.file, 0, 0};
    c.portal_groups["default"] = std::move(p);
}

}  // namespace

std::string_view auth_type_name(AuthType t) {
    switch (t) {
        case AuthType::none:
            return "none";
        case AuthType::deny:
            return "deny";
        case AuthType::chap:
            return "chap";
        case AuthType::chap_mutual:
            return "chap-mutual";
    }
    return "deny";
}

std::string_view discovery_filter_name(DiscoveryFilter f) {
    switch (f) {
        case DiscoveryFilter::none:
            return "none";
        case DiscoveryFilter::portal:
            return "portal";
        case DiscoveryFilter::portal_name:
            return "portal-name";
        case DiscoveryFilter::portal_name_auth:
            return "portal-name-auth";
    }
    return "none";
}

std::string_view backend_name(Backend b) {
    switch (b) {
        case Backend::ramdisk:
            return "ramdisk";
        case Backend::file:
            return "file";
        case Backend::block:
            return "block";
    }
    return "block";
}

Backend parse_backend(std::string_view text) {
    if (text == "ramdisk") return Backend::ramdisk;
    if (text == "file") return Backend::file;
    if (text == "block") return Backend::block;
    throw Error(Category::usage,
                fmt::format("backend must be ramdisk, file or block, not '{}'", text));
}

std::string_view device_type_name(DeviceType t) {
    return t == DeviceType::enclosure ? "enclosure" : "disk";
}

bool Lun::operator==(const Lun& o) const {
    auto tie = [](const Lun& l) {
        return std::tie(l.name, l.backend, l.path, l.size_bytes, l.blocksize_bytes, l.serial,
                        l.device_id, l.device_type, l.ctl_lun, l.options);
    };
    return tie(*this) == tie(o);
}

Listen parse_listen(std::string_view text) {
    Listen l;
    std::string_view host = text;
    std::string_view port;
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string_view::npos || close == 1)
            throw Error(Category::usage, fmt::format("bad listen address '{}'", text));
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':')
                throw Error(Category::usage, fmt::format("bad listen address '{}'", text));
            port = rest.substr(1);
            if (port.empty())
                throw Error(Category::usage, fmt::format("bad listen address '{}'", text));
        }
    } else {
        auto colon = text.rfind(':');
        if (colon != std::string_view::npos && text.find(':') == colon) {
            host = text.substr(0, colon);
            port = text.substr(colon + 1);
            if (port.empty())
                throw Error(Category::usage, fmt::format("bad listen address '{}'", text));
        }
    }
    if (host.empty()) throw Error(Category::usage, fmt::format("bad listen address '{}'", text));
    l.address = std::string(host);
    if (!port.empty()) {
        auto n = to_uint(port);
        if (!n || *n == 0 || *n > 65535)
            throw Error(Category::usage, fmt::format("bad port in listen address '{}'", text));
        l.port = static_cast<std::uint16_t>(*n);
    }
    return l;
}

std::uint64_t parse_size(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    auto bad = [&]() {
        return Error(
            Category::usage,
            fmt::format("bad size '{}' (a number with an optional k, m, g, t or p)", text));
    };
    if (digits == 0) throw bad();
    auto n = to_uint(text.substr(0, digits));
    if (!n) throw bad();
    std::string suffix = lower(text.substr(digits));
    if (suffix.ends_with("ib"))
        suffix.resize(suffix.size() - 2);
    else if (suffix.size() == 2 && suffix.back() == 'b')
        suffix.pop_back();
    int shift = 0;
    if (suffix.empty() || suffix == "b")
        shift = 0;
    else if (suffix == "k")
        shift = 10;
    else if (suffix == "m")
        shift = 20;
    else if (suffix == "g")
        shift = 30;
    else if (suffix == "t")
        shift = 40;
    else if (suffix == "p")
        shift = 50;
    else
        throw bad();
    if (shift && *n > (std::numeric_limits<std::uint64_t>::max() >> shift))
        throw Error(Category::usage, fmt::format("size '{}' is too large", text));
    return *n << shift;
}

bool parse_bool(std::string_view text) {
    std::string t = lower(text);
    if (t == "yes" || t == "true" || t == "on" || t == "1") return true;
    if (t == "no" || t == "false" || t == "off" || t == "0") return false;
    throw Error(Category::usage,
                fmt::format("expected yes, no, true, false, on or off, not '{}'", text));
}

Config parse(std::string_view text, const std::string& name, const ParseOptions& opt) {
    Object top = ucl::parse(text, name);
    Config cfg;
    cfg.file = name;
    add_predefined(cfg);
    Builder b(opt, cfg);
    b.document(top);
    b.finish();
    if (!b.diags().empty()) {
        std::string msg;
        for (const auto& d : b.diags()) {
            if (!msg.empty()) msg += '\n';
            msg += d.message;
        }
        Category c = Category::usage;
        if (std::all_of(b.diags().begin(), b.diags().end(),
                        [](const Diag& d) { return d.category == Category::file; }))
            c = Category::file;
        throw Error(c, msg);
    }
    return cfg;
}

namespace {

std::string_view file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    return "not a regular file";
}

Error file_error(const std::string& path, std::string_view what) {
    return Error(Category::file, fmt::format("{}: {}", path, what));
}

// A directory reads as an empty, valid configuration and a FIFO blocks its reader: only a
// regular file is a configuration. Checked before opening (opening a device may do
// something) and again on the open file; O_NONBLOCK so that a FIFO swapped in between does
// not block either.
std::string read_config_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw file_error(path, std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw file_error(path, fmt::format("{}, not a configuration file", file_kind(st.st_mode)));
    transport::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd) throw file_error(path, std::strerror(errno));
    if (::fstat(fd.get(), &st) != 0) throw file_error(path, std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw file_error(path, fmt::format("{}, not a configuration file", file_kind(st.st_mode)));
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw file_error(path, fmt::format("read: {}", std::strerror(errno)));
        if (n == 0) return text;
        text.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace

Config load(const std::string& path, const ParseOptions& opt) {
    return parse(read_config_file(path), path, opt);
}

namespace {

// A comma-separated list; entries trimmed, empty ones kept (an empty slot).
std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    auto trim = [](std::string_view t) {
        while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
            t.remove_prefix(1);
        while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
        return std::string(t);
    };
    for (;;) {
        auto comma = text.find(',');
        out.push_back(trim(text.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    if (out.size() == 1 && out[0].empty()) out.clear();
    return out;
}

std::string printable(std::string_view name, std::string_view value, std::size_t max) {
    if (value.size() > max)
        throw Error(Category::usage, fmt::format("option {}: more than {} characters", name, max));
    for (char c : value)
        if (c < 0x20 || c > 0x7e)
            throw Error(Category::usage,
                        fmt::format("option {}: only printable ASCII characters", name));
    return std::string(value);
}

}  // namespace

const std::vector<std::string_view>& enclosure_option_names() {
    static const std::vector<std::string_view> names{"slots",
                                                     "psus",
                                                     "fans",
                                                     "temps",
                                                     "volts",
                                                     "slot-luns",
                                                     "slot-descriptors",
                                                     "psu-descriptors",
                                                     "fan-descriptors",
                                                     "temp-descriptors",
                                                     "volt-descriptors",
                                                     "vendor",
                                                     "product",
                                                     "revision",
                                                     "serial",
                                                     "naa",
                                                     "descriptor",
                                                     "help-text"};
    return names;
}

void EnclosureSpec::apply(std::string_view name, std::string_view value) {
    auto count = [&](std::size_t& out) {
        auto n = to_uint(value);
        if (!n || *n > 255)
            throw Error(Category::usage,
                        fmt::format("option {}: a count from 0 to 255, not '{}'", name, value));
        out = static_cast<std::size_t>(*n);
    };
    auto list = [&](std::vector<std::string>& out) {
        out = split_list(value);
        for (const auto& d : out) printable(name, d, 64);
    };
    if (name == "slots")
        count(slots);
    else if (name == "psus")
        count(psus);
    else if (name == "fans")
        count(fans);
    else if (name == "temps")
        count(temps);
    else if (name == "volts")
        count(volts);
    else if (name == "slot-luns")
        list(slot_luns);
    else if (name == "slot-descriptors")
        list(slot_descriptors);
    else if (name == "psu-descriptors")
        list(psu_descriptors);
    else if (name == "fan-descriptors")
        list(fan_descriptors);
    else if (name == "temp-descriptors")
        list(temp_descriptors);
    else if (name == "volt-descriptors")
        list(volt_descriptors);
    else if (name == "vendor")
        vendor = printable(name, value, 8);
    else if (name == "product")
        product = printable(name, value, 16);
    else if (name == "revision")
        revision = printable(name, value, 4);
    else if (name == "serial") {
        if (value.empty()) throw Error(Category::usage, "option serial: empty");
        serial = printable(name, value, 64);
    } else if (name == "naa") {
        std::string_view v = value;
        if (v.starts_with("naa.") || v.starts_with("0x") || v.starts_with("0X"))
            v.remove_prefix(v[0] == 'n' ? 4 : 2);
        auto n = to_uint(fmt::format("0x{}", v));
        if (!n || *n == 0 || v.size() > 16)
            throw Error(Category::usage,
                        fmt::format("option naa: 1 to 16 hexadecimal digits, not '{}'", value));
        naa = *n;
    } else if (name == "descriptor")
        descriptor = printable(name, value, 64);
    else if (name == "help-text")
        help_text = printable(name, value, 4096);
    else
        throw Error(Category::usage, fmt::format("unknown enclosure option '{}' (known: {})", name,
                                                 fmt::join(enclosure_option_names(), ", ")));
}

void EnclosureSpec::check() const {
    auto fits = [](const std::vector<std::string>& list, std::size_t n, std::string_view option,
                   std::string_view count) {
        if (list.size() > n)
            throw Error(Category::usage, fmt::format("{} has {} entries but {} is {}", option,
                                                     list.size(), count, n));
    };
    fits(slot_luns, slots, "slot-luns", "slots");
    fits(slot_descriptors, slots, "slot-descriptors", "slots");
    fits(psu_descriptors, psus, "psu-descriptors", "psus");
    fits(fan_descriptors, fans, "fan-descriptors", "fans");
    fits(temp_descriptors, temps, "temp-descriptors", "temps");
    fits(volt_descriptors, volts, "volt-descriptors", "volts");
}

void EnclosureSpec::fit() {
    auto cut = [](std::vector<std::string>& list, std::size_t n) {
        if (list.size() > n) list.resize(n);
    };
    cut(slot_luns, slots);
    cut(slot_descriptors, slots);
    cut(psu_descriptors, psus);
    cut(fan_descriptors, fans);
    cut(temp_descriptors, temps);
    cut(volt_descriptors, volts);
}

ctl::EnclosureConfig EnclosureSpec::config(
    const std::function<std::uint64_t(const std::string&)>& resolve) const {
    check();
    auto c = ctl::EnclosureConfig::with_counts(slots, psus, fans, temps, volts);
    c.vendor = vendor;
    c.product = product;
    c.revision = revision;
    c.serial = serial;
    c.logical_identifier = naa;
    c.descriptor = descriptor;
    c.help_text = help_text;
    for (std::size_t i = 0; i < slot_descriptors.size(); ++i)
        c.slots[i].descriptor = slot_descriptors[i];
    for (std::size_t i = 0; i < slot_luns.size(); ++i)
        if (!slot_luns[i].empty()) c.slots[i].lun = resolve(slot_luns[i]);
    for (std::size_t i = 0; i < psu_descriptors.size(); ++i)
        c.power_supplies[i].descriptor = psu_descriptors[i];
    for (std::size_t i = 0; i < fan_descriptors.size(); ++i)
        c.fans[i].descriptor = fan_descriptors[i];
    for (std::size_t i = 0; i < temp_descriptors.size(); ++i)
        c.temperature_sensors[i].descriptor = temp_descriptors[i];
    for (std::size_t i = 0; i < volt_descriptors.size(); ++i)
        c.voltage_sensors[i].descriptor = volt_descriptors[i];
    return c;
}

EnclosureSpec EnclosureSpec::of(const Lun& lun) {
    EnclosureSpec spec;
    std::string problems;
    auto note = [&](const std::string& m) { problems += (problems.empty() ? "" : "\n") + m; };
    if (!lun.serial.empty()) spec.serial = lun.serial;
    for (const auto& [name, value] : lun.options) {
        try {
            spec.apply(name, value);
        } catch (const Error& e) {
            note(e.what());
        }
    }
    try {
        spec.check();
    } catch (const Error& e) {
        note(e.what());
    }
    if (!problems.empty()) throw Error(Category::usage, problems);
    return spec;
}

EnclosureSpec EnclosureSpec::from(const ctl::EnclosureConfig& c) {
    EnclosureSpec spec;
    spec.slots = c.slots.size();
    spec.psus = c.power_supplies.size();
    spec.fans = c.fans.size();
    spec.temps = c.temperature_sensors.size();
    spec.volts = c.voltage_sensors.size();
    for (const auto& s : c.slots) {
        spec.slot_luns.push_back(s.lun ? std::to_string(*s.lun) : std::string());
        spec.slot_descriptors.push_back(s.descriptor);
    }
    for (const auto& p : c.power_supplies) spec.psu_descriptors.push_back(p.descriptor);
    for (const auto& f : c.fans) spec.fan_descriptors.push_back(f.descriptor);
    for (const auto& t : c.temperature_sensors) spec.temp_descriptors.push_back(t.descriptor);
    for (const auto& v : c.voltage_sensors) spec.volt_descriptors.push_back(v.descriptor);
    spec.vendor = c.vendor;
    spec.product = c.product;
    spec.revision = c.revision;
    spec.serial = c.serial;
    spec.naa = c.logical_identifier;
    spec.descriptor = c.descriptor;
    spec.help_text = c.help_text;
    return spec;
}

std::map<std::string, std::string> EnclosureSpec::options() const {
    std::map<std::string, std::string> o{{"slots", std::to_string(slots)},
                                         {"psus", std::to_string(psus)},
                                         {"fans", std::to_string(fans)},
                                         {"temps", std::to_string(temps)},
                                         {"volts", std::to_string(volts)},
                                         {"vendor", vendor},
                                         {"product", product},
                                         {"revision", revision}};
    auto list = [&](const char* name, const std::vector<std::string>& v) {
        std::string text = fmt::format("{}", fmt::join(v, ","));
        while (!text.empty() && text.back() == ',') text.pop_back();
        if (!text.empty()) o[name] = std::move(text);
    };
    list("slot-luns", slot_luns);
    list("slot-descriptors", slot_descriptors);
    list("psu-descriptors", psu_descriptors);
    list("fan-descriptors", fan_descriptors);
    list("temp-descriptors", temp_descriptors);
    list("volt-descriptors", volt_descriptors);
    if (!serial.empty()) o["serial"] = serial;
    if (naa) o["naa"] = fmt::format("0x{:016x}", *naa);
    if (!descriptor.empty()) o["descriptor"] = descriptor;
    if (!help_text.empty()) o["help-text"] = help_text;
    return o;
}

std::string demo_text(std::string_view listen, std::uint64_t size_bytes, std::string_view file) {
    std::string media = file.empty() ? fmt::format("backend ramdisk; size {}", size_bytes)
                                     : fmt::format("backend file; path \"{}\"", file);
    return fmt::format(
        R"(# ctld's built-in demo: a disk and an emulated enclosure whose slot 0 holds it,
# on {0}, no authentication.
portal-group demo {{
    discovery-auth-group no-authentication
    listen "{0}"
}}

lun disk0 {{
    {1}
    serial CAMXDEMO0000
}}

lun enc0 {{
    device-type enclosure
    serial CAMXDEMOENC0
    option slots 4
    option slot-luns disk0
    option slot-descriptors "Bay 0,Bay 1,Bay 2,Bay 3"
}}

target {2} {{
    alias "camx demo"
    auth-group no-authentication
    portal-group demo
    lun 0 disk0
    lun 1 enc0
}}
)",
        listen, media, demo_target);
}

Config demo(std::string_view listen, std::uint64_t size_bytes, std::string_view file) {
    return parse(demo_text(listen, size_bytes, file), "<demo>", ParseOptions{!file.empty()});
}

void to_json(nlohmann::json& j, const AuthGroup& a) {
    nlohmann::json chap = nlohmann::json::array();
    for (const auto& c : a.chap) {
        nlohmann::json e{{"user", c.user}, {"secret_set", !c.secret.empty()}};
        if (!c.mutual_user.empty()) {
            e["mutual_user"] = c.mutual_user;
            e["mutual_secret_set"] = !c.mutual_secret.empty();
        }
        chap.push_back(std::move(e));
    }
    j = {{"name", a.name},
         {"auth_type", auth_type_name(a.type)},
         {"chap", std::move(chap)},
         {"initiator_names", a.initiator_names},
         {"initiator_portals", a.initiator_portals}};
}

void to_json(nlohmann::json& j, const Listen& l) {
    j = {{"address", l.address}, {"port", l.port}};
}

void to_json(nlohmann::json& j, const PortalGroup& p) {
    j = {{"name", p.name},
         {"listen", p.listen},
         {"discovery_auth_group", p.discovery_auth_group},
         {"discovery_filter", discovery_filter_name(p.discovery_filter)},
         {"tag", p.tag ? nlohmann::json(*p.tag) : nlohmann::json(nullptr)},
         {"foreign", p.foreign},
         {"dscp", p.dscp ? nlohmann::json(*p.dscp) : nlohmann::json(nullptr)},
         {"pcp", p.pcp ? nlohmann::json(*p.pcp) : nlohmann::json(nullptr)},
         {"connection_limit", p.connection_limit}};
}

void to_json(nlohmann::json& j, const Lun& l) {
    j = {{"name", l.name},
         {"backend", backend_name(l.backend)},
         {"path", l.path},
         {"size_bytes", l.size_bytes ? nlohmann::json(*l.size_bytes) : nlohmann::json(nullptr)},
         {"blocksize_bytes", l.blocksize_bytes},
         {"serial", l.serial},
         {"device_id", l.device_id},
         {"device_type", device_type_name(l.device_type)},
         {"ctl_lun", l.ctl_lun ? nlohmann::json(*l.ctl_lun) : nlohmann::json(nullptr)},
         {"options", l.options}};
}

void from_json(const nlohmann::json& j, Lun& l) {
    try {
        l = Lun{};
        l.name = j.at("name").get<std::string>();
        l.backend = parse_backend(j.at("backend").get<std::string>());
        l.path = j.value("path", "");
        if (j.contains("size_bytes") && !j["size_bytes"].is_null())
            l.size_bytes = j["size_bytes"].get<std::uint64_t>();
        l.blocksize_bytes = j.value("blocksize_bytes", 512u);
        l.serial = j.value("serial", "");
        l.device_id = j.value("device_id", "");
        l.device_type = j.value("device_type", "disk") == "enclosure" ? DeviceType::enclosure
                                                                      : DeviceType::disk;
        if (j.contains("ctl_lun") && !j["ctl_lun"].is_null())
            l.ctl_lun = j["ctl_lun"].get<std::uint32_t>();
        if (j.contains("options"))
            l.options = j["options"].get<std::map<std::string, std::string>>();
    } catch (const nlohmann::json::exception& e) {
        throw Error(Category::malformed, fmt::format("bad LUN description: {}", e.what()));
    }
}

void to_json(nlohmann::json& j, const Target& t) {
    nlohmann::json pgs = nlohmann::json::array();
    for (const auto& r : t.portal_groups)
        pgs.push_back({{"portal_group", r.portal_group}, {"auth_group", r.auth_group}});
    nlohmann::json luns = nlohmann::json::array();
    for (const auto& l : t.luns) luns.push_back({{"lun", l.id}, {"name", l.lun}});
    j = {{"name", t.name},       {"alias", t.alias}, {"auth_group", t.auth_group},
         {"portal_groups", pgs}, {"ports", t.ports}, {"luns", std::move(luns)}};
}

void to_json(nlohmann::json& j, const Global& g) {
    j = {{"debug", g.debug},
         {"timeout_seconds", g.timeout_seconds},
         {"maxproc", g.maxproc},
         {"pidfile", g.pidfile},
         {"state_dir", g.state_dir},
         {"control_socket", g.control_socket},
         {"control_group", g.control_group},
         {"session_buffer_limit", g.session_buffer_limit},
         {"buffer_limit", g.buffer_limit}};
}

void to_json(nlohmann::json& j, const Config& c) {
    nlohmann::json ags = nlohmann::json::array();
    for (const auto& [_, a] : c.auth_groups) ags.push_back(a);
    nlohmann::json pgs = nlohmann::json::array();
    for (const auto& [_, p] : c.portal_groups) pgs.push_back(p);
    nlohmann::json luns = nlohmann::json::array();
    for (const auto& [_, l] : c.luns) luns.push_back(l);
    j = {{"file", c.file},
         {"global", c.global},
         {"auth_groups", std::move(ags)},
         {"portal_groups", std::move(pgs)},
         {"luns", std::move(luns)},
         {"targets", c.targets},
         {"warnings", c.warnings}};
}

}  // namespace camx::target_config
