// SPDX-License-Identifier: BSD-2-Clause
#include "camx/target_config/control.hpp"

#include <array>
#include <limits>
#include <set>

#include <fmt/format.h>

namespace camx::target_config::control {

using nlohmann::json;

namespace {

template <class... F>
struct Overload : F... {
    using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

// Reads a command's "args" strictly: every key must be known and of the right type.
class Args {
  public:
    Args(const json& j, std::string_view command) : j_(j), command_(command) {
        if (!j_.is_object())
            throw Error(Category::usage, fmt::format("{}: \"args\" must be an object", command_));
    }

    template <class T>
    std::optional<T> opt(const char* key) {
        used_.insert(key);
        auto it = j_.find(key);
        if (it == j_.end() || it->is_null()) return std::nullopt;
        return convert<T>(*it, key);
    }

    template <class T>
    T need(const char* key) {
        auto v = opt<T>(key);
        if (!v) throw Error(Category::usage, fmt::format("{}: missing \"{}\"", command_, key));
        return *v;
    }

    template <class T>
    T or_default(const char* key) {
        return opt<T>(key).value_or(T{});
    }

    void finish() const {
        for (const auto& [k, _] : j_.items()) {
            if (!used_.count(k))
                throw Error(Category::usage,
                            fmt::format("{}: unknown argument \"{}\"", command_, k));
        }
    }

  private:
    template <class T>
    T convert(const json& v, const char* key) const {
        auto bad = [&](const char* what) {
            return Error(Category::usage,
                         fmt::format("{}: \"{}\" must be {}", command_, key, what));
        };
        if constexpr (std::is_same_v<T, std::string>) {
            if (!v.is_string()) throw bad("a string");
            return v.get<std::string>();
        } else if constexpr (std::is_same_v<T, bool>) {
            if (!v.is_boolean()) throw bad("a boolean");
            return v.get<bool>();
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            if (!v.is_array()) throw bad("an array of strings");
            std::vector<std::string> out;
            for (const auto& e : v) {
                if (!e.is_string()) throw bad("an array of strings");
                out.push_back(e.get<std::string>());
            }
            return out;
        } else if constexpr (std::is_same_v<T, Options>) {
            if (!v.is_object()) throw bad("an object of strings");
            Options o;
            for (auto it = v.begin(); it != v.end(); ++it) {
                if (!it.value().is_string()) throw bad("an object of strings");
                o[it.key()] = it.value().template get<std::string>();
            }
            return o;
        } else {
            static_assert(std::is_unsigned_v<T>);
            if (!v.is_number_unsigned() || v.get<std::uint64_t>() > std::numeric_limits<T>::max())
                throw bad(fmt::format("an unsigned integer up to {}", std::numeric_limits<T>::max())
                              .c_str());
            return static_cast<T>(v.get<std::uint64_t>());
        }
    }

    const json& j_;
    std::string_view command_;
    std::set<std::string> used_;
};

template <class T>
void put(json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}
void put(json& j, const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
}
void put(json& j, const char* key, const Options& v) {
    if (!v.empty()) j[key] = v;
}

json args_of(const Command& c) {
    json j = json::object();
    std::visit(Overload{
                   [](const Ping&) {},
                   [&](const LunCreate& x) {
                       j["backend"] = x.backend;
                       put(j, "lun", x.lun);
                       put(j, "name", x.name);
                       put(j, "path", x.path);
                       put(j, "size_bytes", x.size_bytes);
                       put(j, "blocksize_bytes", x.blocksize_bytes);
                       put(j, "serial", x.serial);
                       put(j, "device_id", x.device_id);
                       put(j, "device_type", x.device_type);
                       put(j, "options", x.options);
                   },
                   [&](const LunRemove& x) { j["lun"] = x.lun; },
                   [&](const LunModify& x) {
                       j["lun"] = x.lun;
                       put(j, "size_bytes", x.size_bytes);
                       if (x.force) j["force"] = true;
                       put(j, "options", x.options);
                   },
                   [](const LunList&) {},
                   [&](const LunOnline& x) { put(j, "lun", x.lun); },
                   [&](const LunOffline& x) { put(j, "lun", x.lun); },
                   [&](const PortCreate& x) {
                       j["frontend"] = x.frontend;
                       j["name"] = x.name;
                       put(j, "target", x.target);
                       put(j, "options", x.options);
                       put(j, "listen", x.listen);
                   },
                   [&](const PortRemove& x) {
                       j["port"] = x.port;
                       put(j, "listen", x.listen);
                   },
                   [&](const PortOnline& x) { put(j, "port", x.port); },
                   [&](const PortOffline& x) { put(j, "port", x.port); },
                   [](const PortList&) {},
                   [&](const LunMap& x) {
                       j["port"] = x.port;
                       j["port_lun"] = x.port_lun;
                       put(j, "lun", x.lun);
                   },
                   [](const SessionList&) {},
                   [&](const SessionLogout& x) {
                       if (x.all) j["all"] = true;
                       put(j, "connection_id", x.connection_id);
                       put(j, "initiator_name", x.initiator_name);
                       put(j, "initiator_address", x.initiator_address);
                   },
                   [&](const Stats& x) { put(j, "lun", x.lun); },
                   [](const Reload&) {},
                   [&](const LunSimulate& x) {
                       j["lun"] = x.lun;
                       j["conditions"] = x.conditions;
                   },
               },
               c);
    return j;
}

Command command_of(std::string_view name, const json& args) {
    Args a(args, name);
    Command c;
    if (name == "ping") {
        c = Ping{};
    } else if (name == "lun.create") {
        LunCreate x;
        x.device_type = a.or_default<std::string>("device_type");
        if (x.device_type == "enclosure") {
            x.backend = a.or_default<std::string>("backend");
            if (!x.backend.empty())
                throw Error(Category::usage, "lun.create: an enclosure takes no backend");
        } else {
            x.backend = a.need<std::string>("backend");
            if (x.backend != "ramdisk" && x.backend != "file" && x.backend != "block")
                throw Error(
                    Category::usage,
                    fmt::format("backend must be ramdisk, file or block, not '{}'", x.backend));
        }
        x.lun = a.opt<std::uint32_t>("lun");
        x.name = a.or_default<std::string>("name");
        x.path = a.or_default<std::string>("path");
        x.size_bytes = a.opt<std::uint64_t>("size_bytes");
        x.blocksize_bytes = a.opt<std::uint32_t>("blocksize_bytes");
        x.serial = a.or_default<std::string>("serial");
        x.device_id = a.or_default<std::string>("device_id");
        if (!x.device_type.empty() && x.device_type != "disk" && x.device_type != "enclosure")
            throw Error(
                Category::usage,
                fmt::format("device_type must be disk or enclosure, not '{}'", x.device_type));
        x.options = a.or_default<Options>("options");
        c = std::move(x);
    } else if (name == "lun.remove") {
        c = LunRemove{a.need<std::uint32_t>("lun")};
    } else if (name == "lun.modify") {
        LunModify x;
        x.lun = a.need<std::uint32_t>("lun");
        x.size_bytes = a.opt<std::uint64_t>("size_bytes");
        x.force = a.or_default<bool>("force");
        x.options = a.or_default<Options>("options");
        if (!x.size_bytes && x.options.empty())
            throw Error(Category::usage, "lun.modify: nothing to change");
        c = std::move(x);
    } else if (name == "lun.list") {
        c = LunList{};
    } else if (name == "lun.online") {
        c = LunOnline{a.opt<std::uint32_t>("lun")};
    } else if (name == "lun.offline") {
        c = LunOffline{a.opt<std::uint32_t>("lun")};
    } else if (name == "port.create") {
        PortCreate x;
        x.frontend = a.need<std::string>("frontend");
        if (x.frontend != "iscsi" && x.frontend != "local")
            throw Error(Category::usage,
                        fmt::format("frontend must be iscsi or local, not '{}'", x.frontend));
        x.name = a.need<std::string>("name");
        x.target = a.or_default<std::string>("target");
        x.options = a.or_default<Options>("options");
        x.listen = a.or_default<std::string>("listen");
        c = std::move(x);
    } else if (name == "port.remove") {
        PortRemove x;
        x.port = a.need<std::string>("port");
        x.listen = a.or_default<std::string>("listen");
        c = std::move(x);
    } else if (name == "port.online") {
        c = PortOnline{a.opt<std::string>("port")};
    } else if (name == "port.offline") {
        c = PortOffline{a.opt<std::string>("port")};
    } else if (name == "port.list") {
        c = PortList{};
    } else if (name == "lunmap") {
        LunMap x;
        x.port = a.need<std::string>("port");
        x.port_lun = a.need<std::uint64_t>("port_lun");
        x.lun = a.opt<std::uint32_t>("lun");
        c = std::move(x);
    } else if (name == "session.list") {
        c = SessionList{};
    } else if (name == "session.logout") {
        SessionLogout x;
        x.all = a.or_default<bool>("all");
        x.connection_id = a.opt<std::uint64_t>("connection_id");
        x.initiator_name = a.or_default<std::string>("initiator_name");
        x.initiator_address = a.or_default<std::string>("initiator_address");
        int selectors = int(x.all) + int(x.connection_id.has_value()) +
                        int(!x.initiator_name.empty()) + int(!x.initiator_address.empty());
        if (selectors != 1)
            throw Error(Category::usage,
                        "session.logout: give exactly one of all, connection_id, initiator_name, "
                        "initiator_address");
        c = std::move(x);
    } else if (name == "stats") {
        c = Stats{a.opt<std::uint32_t>("lun")};
    } else if (name == "reload") {
        c = Reload{};
    } else if (name == "lun.simulate") {
        LunSimulate x;
        x.lun = a.need<std::uint32_t>("lun");
        x.conditions = a.need<std::vector<std::string>>("conditions");
        if (x.conditions.empty())
            throw Error(Category::usage, "lun.simulate: \"conditions\" is empty");
        c = std::move(x);
    } else {
        throw Error(Category::usage, fmt::format("unknown command '{}'", name));
    }
    a.finish();
    return c;
}

// Typed access for result models; a missing or mistyped key is Error(malformed).
template <class T>
T field(const json& j, const char* key) {
    try {
        return j.at(key).get<T>();
    } catch (const json::exception& e) {
        throw Error(Category::malformed, fmt::format("response: \"{}\": {}", key, e.what()));
    }
}

// A string member that is left out when empty.
template <class T>
std::optional<T> optional_field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    return field<T>(j, key);
}

std::string optional_string(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    return field<std::string>(j, key);
}

}  // namespace

std::string_view command_name(const Command& c) {
    static constexpr std::array<std::string_view, std::variant_size_v<Command>> kNames{
        "ping",         "lun.create",  "lun.remove",  "lun.modify",   "lun.list",
        "lun.online",   "lun.offline", "port.create", "port.remove",  "port.online",
        "port.offline", "port.list",   "lunmap",      "session.list", "session.logout",
        "stats",        "reload",      "lun.simulate"};
    return kNames[c.index()];
}

Category category_from_name(std::string_view name) {
    for (int i = 0; i <= static_cast<int>(Category::unsupported); ++i) {
        auto c = static_cast<Category>(i);
        if (category_name(c) == name) return c;
    }
    return Category::other;
}

Request decode_request(std::string_view line, std::uint64_t* id) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw Error(Category::malformed, "request is not a JSON object");
    Request r;
    if (auto it = j.find("id"); it != j.end()) {
        if (!it->is_number_unsigned())
            throw Error(Category::usage, "\"id\" must be an unsigned integer");
        r.id = it->get<std::uint64_t>();
        if (id) *id = r.id;
    }
    auto v = j.find("version");
    if (v == j.end() || !v->is_number_integer() || v->get<std::int64_t>() != kProtocolVersion)
        throw Error(Category::unsupported,
                    fmt::format("protocol version must be {}", kProtocolVersion));
    auto cmd = j.find("command");
    if (cmd == j.end() || !cmd->is_string())
        throw Error(Category::usage, "\"command\" must be a string");
    for (const auto& [k, _] : j.items()) {
        if (k != "id" && k != "version" && k != "command" && k != "args")
            throw Error(Category::usage, fmt::format("unknown request key \"{}\"", k));
    }
    static const json kEmpty = json::object();
    auto args = j.find("args");
    r.command = command_of(cmd->get<std::string>(), args == j.end() ? kEmpty : *args);
    return r;
}

std::string encode_request(std::uint64_t id, const Command& c) {
    json j{{"version", kProtocolVersion}, {"id", id}, {"command", command_name(c)}};
    json a = args_of(c);
    if (!a.empty()) j["args"] = std::move(a);
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string encode_result(std::uint64_t id, const json& result) {
    json j{{"version", kProtocolVersion}, {"id", id}, {"result", result}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string encode_error(std::uint64_t id, const Error& e) {
    json j{{"version", kProtocolVersion},
           {"id", id},
           {"error", {{"category", category_name(e.category())}, {"message", e.what()}}}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

json decode_response(std::string_view line, std::uint64_t id) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw Error(Category::malformed, "response from ctld is not a JSON object");
    if (auto e = j.find("error"); e != j.end()) {
        if (!e->is_object() || !e->contains("category") || !e->contains("message") ||
            !(*e)["category"].is_string() || !(*e)["message"].is_string())
            throw Error(Category::malformed, "malformed error object from ctld");
        throw Error(category_from_name((*e)["category"].get<std::string>()),
                    (*e)["message"].get<std::string>());
    }
    auto got = j.find("id");
    if (got == j.end() || !got->is_number_unsigned() || got->get<std::uint64_t>() != id)
        throw Error(Category::malformed,
                    fmt::format("response from ctld is not for request {}", id));
    auto r = j.find("result");
    if (r == j.end() || !r->is_object())
        throw Error(Category::malformed, "response from ctld has no result object");
    return *r;
}

void to_json(json& j, const LunMapping& m) {
    j = {{"port_lun", m.port_lun}, {"lun", m.lun}};
}
void from_json(const json& j, LunMapping& m) {
    m.port_lun = field<std::uint64_t>(j, "port_lun");
    m.lun = field<std::uint32_t>(j, "lun");
}

void to_json(json& j, const PrRegistrationInfo& r) {
    j = {{"key", r.key},
         {"initiator", r.initiator},
         {"isid", r.isid},
         {"relative_target_port", r.relative_target_port},
         {"all_tg_pt", r.all_tg_pt}};
}
void from_json(const json& j, PrRegistrationInfo& r) {
    r.key = field<std::uint64_t>(j, "key");
    r.initiator = field<std::string>(j, "initiator");
    r.isid = field<std::string>(j, "isid");
    r.relative_target_port = field<std::uint16_t>(j, "relative_target_port");
    r.all_tg_pt = field<bool>(j, "all_tg_pt");
}

void to_json(json& j, const PrReservationInfo& r) {
    j = {{"key", r.key},     {"type", r.type},     {"type_name", r.type_name},
         {"scope", r.scope}, {"holder", r.holder}, {"holder_isid", r.holder_isid}};
}
void from_json(const json& j, PrReservationInfo& r) {
    r.key = field<std::uint64_t>(j, "key");
    r.type = field<std::uint8_t>(j, "type");
    r.type_name = field<std::string>(j, "type_name");
    r.scope = field<std::uint8_t>(j, "scope");
    r.holder = field<std::string>(j, "holder");
    r.holder_isid = field<std::string>(j, "holder_isid");
}

void to_json(json& j, const PrInfo& p) {
    j = {{"generation", p.generation},
         {"aptpl", p.aptpl},
         {"registrations", p.registrations},
         {"reservation", nullptr}};
    if (p.reservation) j["reservation"] = *p.reservation;
}
void from_json(const json& j, PrInfo& p) {
    p.generation = field<std::uint32_t>(j, "generation");
    p.aptpl = field<bool>(j, "aptpl");
    p.registrations = field<std::vector<PrRegistrationInfo>>(j, "registrations");
    const json& r = field<json>(j, "reservation");
    p.reservation.reset();
    if (!r.is_null()) p.reservation = r.get<PrReservationInfo>();
}

void to_json(json& j, const LunOptionsInfo& o) {
    j = {{"vendor", o.vendor}, {"product", o.product}, {"revision", o.revision}};
    put(j, "pblocksize", o.pblocksize);
    put(j, "readonly", o.readonly);
    put(j, "removable", o.removable);
    put(j, "unmap", o.unmap);
    put(j, "writecache", o.writecache);
}
void from_json(const json& j, LunOptionsInfo& o) {
    o.vendor = field<std::string>(j, "vendor");
    o.product = field<std::string>(j, "product");
    o.revision = field<std::string>(j, "revision");
    o.pblocksize = optional_field<std::uint32_t>(j, "pblocksize");
    o.readonly = optional_field<bool>(j, "readonly");
    o.removable = optional_field<bool>(j, "removable");
    o.unmap = optional_field<bool>(j, "unmap");
    o.writecache = optional_field<bool>(j, "writecache");
}

void to_json(json& j, const LunInfo& l) {
    j = {{"lun", l.lun},
         {"name", l.name},
         {"backend", l.backend},
         {"path", l.path},
         {"size_bytes", l.size_bytes},
         {"blocksize_bytes", l.blocksize_bytes},
         {"blocks", l.blocks},
         {"serial", l.serial},
         {"device_id", l.device_id},
         {"naa", l.naa},
         {"device_type", l.device_type},
         {"online", l.online},
         {"readonly", l.readonly},
         {"options", l.options},
         {"persistent_reservation", l.persistent_reservation}};
    if (!l.eui.empty()) j["eui"] = l.eui;
    if (!l.uuid.empty()) j["uuid"] = l.uuid;
    if (!l.scsiname.empty()) j["scsiname"] = l.scsiname;
    if (l.enclosure) j["enclosure"] = *l.enclosure;
}
void from_json(const json& j, LunInfo& l) {
    l.lun = field<std::uint32_t>(j, "lun");
    l.name = field<std::string>(j, "name");
    l.backend = field<std::string>(j, "backend");
    l.path = field<std::string>(j, "path");
    l.size_bytes = field<std::uint64_t>(j, "size_bytes");
    l.blocksize_bytes = field<std::uint32_t>(j, "blocksize_bytes");
    l.blocks = field<std::uint64_t>(j, "blocks");
    l.serial = field<std::string>(j, "serial");
    l.device_id = field<std::string>(j, "device_id");
    l.naa = field<std::string>(j, "naa");
    l.eui = optional_string(j, "eui");
    l.uuid = optional_string(j, "uuid");
    l.scsiname = optional_string(j, "scsiname");
    l.device_type = field<std::string>(j, "device_type");
    l.online = field<bool>(j, "online");
    l.readonly = field<bool>(j, "readonly");
    l.options = field<LunOptionsInfo>(j, "options");
    l.persistent_reservation = field<PrInfo>(j, "persistent_reservation");
    if (auto it = j.find("enclosure"); it != j.end() && !it->is_null())
        l.enclosure = it->get<EnclosureInfo>();
}

void to_json(json& j, const EnclosureInfo& e) {
    json slots = json::array();
    for (const auto& s : e.slot_luns) slots.push_back(s ? json(*s) : json(nullptr));
    j = {{"slots", e.slots},
         {"power_supplies", e.power_supplies},
         {"fans", e.fans},
         {"temperature_sensors", e.temperature_sensors},
         {"voltage_sensors", e.voltage_sensors},
         {"slot_luns", std::move(slots)},
         {"generation_code", e.generation_code}};
}
void from_json(const json& j, EnclosureInfo& e) {
    e.slots = field<std::uint32_t>(j, "slots");
    e.power_supplies = field<std::uint32_t>(j, "power_supplies");
    e.fans = field<std::uint32_t>(j, "fans");
    e.temperature_sensors = field<std::uint32_t>(j, "temperature_sensors");
    e.voltage_sensors = field<std::uint32_t>(j, "voltage_sensors");
    e.generation_code = field<std::uint32_t>(j, "generation_code");
    e.slot_luns.clear();
    for (const auto& s : field<json>(j, "slot_luns")) {
        if (s.is_null())
            e.slot_luns.push_back(std::nullopt);
        else if (s.is_number_unsigned())
            e.slot_luns.push_back(s.get<std::uint32_t>());
        else
            throw Error(Category::malformed, "response: \"slot_luns\": not a LUN number");
    }
}

void to_json(json& j, const PortInfo& p) {
    j = {{"id", p.id},
         {"name", p.name},
         {"frontend", p.frontend},
         {"target", p.target},
         {"online", p.online},
         {"portal_group_tag", p.portal_group_tag},
         {"lun_map", p.lun_map},
         {"initiators", p.initiators},
         {"portal_group", p.portal_group},
         {"portals", p.portals}};
}
void from_json(const json& j, PortInfo& p) {
    p.id = field<std::uint32_t>(j, "id");
    p.name = field<std::string>(j, "name");
    p.frontend = field<std::string>(j, "frontend");
    p.target = field<std::string>(j, "target");
    p.online = field<bool>(j, "online");
    p.portal_group_tag = field<std::uint16_t>(j, "portal_group_tag");
    p.lun_map = field<std::vector<LunMapping>>(j, "lun_map");
    p.initiators = field<std::vector<std::string>>(j, "initiators");
    // Absent from older daemons' answers.
    if (j.contains("portal_group")) p.portal_group = field<std::string>(j, "portal_group");
    if (j.contains("portals")) p.portals = field<std::vector<std::string>>(j, "portals");
}

void to_json(json& j, const PortalInfo& p) {
    j = {{"portal_group", p.portal_group},
         {"portal_group_tag", p.portal_group_tag},
         {"listen", p.listen},
         {"ports", p.ports}};
}
void from_json(const json& j, PortalInfo& p) {
    p.portal_group = field<std::string>(j, "portal_group");
    p.portal_group_tag = field<std::uint16_t>(j, "portal_group_tag");
    p.listen = field<std::string>(j, "listen");
    p.ports = field<std::vector<PortInfo>>(j, "ports");
}

void to_json(json& j, const SessionInfo& s) {
    j = {{"connection_id", s.connection_id},
         {"session_id", s.session_id},
         {"initiator_name", s.initiator_name},
         {"initiator_alias", s.initiator_alias},
         {"initiator_address", s.initiator_address},
         {"target_name", s.target_name},
         {"target_portal", s.target_portal},
         {"port", s.port},
         {"auth_method", s.auth_method},
         {"header_digest", s.header_digest},
         {"data_digest", s.data_digest},
         {"max_recv_data_segment_length_bytes", s.max_recv_data_segment_length_bytes},
         {"max_burst_length_bytes", s.max_burst_length_bytes},
         {"first_burst_length_bytes", s.first_burst_length_bytes},
         {"immediate_data", s.immediate_data},
         {"initial_r2t", s.initial_r2t}};
}
void from_json(const json& j, SessionInfo& s) {
    s.connection_id = field<std::uint64_t>(j, "connection_id");
    s.session_id = field<std::uint64_t>(j, "session_id");
    s.initiator_name = field<std::string>(j, "initiator_name");
    s.initiator_alias = field<std::string>(j, "initiator_alias");
    s.initiator_address = field<std::string>(j, "initiator_address");
    s.target_name = field<std::string>(j, "target_name");
    s.target_portal = field<std::string>(j, "target_portal");
    s.port = field<std::string>(j, "port");
    s.auth_method = field<std::string>(j, "auth_method");
    s.header_digest = field<std::string>(j, "header_digest");
    s.data_digest = field<std::string>(j, "data_digest");
    s.max_recv_data_segment_length_bytes =
        field<std::uint32_t>(j, "max_recv_data_segment_length_bytes");
    s.max_burst_length_bytes = field<std::uint32_t>(j, "max_burst_length_bytes");
    s.first_burst_length_bytes = field<std::uint32_t>(j, "first_burst_length_bytes");
    s.immediate_data = field<bool>(j, "immediate_data");
    s.initial_r2t = field<bool>(j, "initial_r2t");
}

void to_json(json& j, const LunStats& s) {
    j = {{"lun", s.lun},
         {"read_commands", s.read_commands},
         {"write_commands", s.write_commands},
         {"other_commands", s.other_commands},
         {"read_bytes", s.read_bytes},
         {"write_bytes", s.write_bytes},
         {"read_time_ns", s.read_time_ns},
         {"write_time_ns", s.write_time_ns},
         {"other_time_ns", s.other_time_ns}};
}
void from_json(const json& j, LunStats& s) {
    s.lun = field<std::uint32_t>(j, "lun");
    s.read_commands = field<std::uint64_t>(j, "read_commands");
    s.write_commands = field<std::uint64_t>(j, "write_commands");
    s.other_commands = field<std::uint64_t>(j, "other_commands");
    s.read_bytes = field<std::uint64_t>(j, "read_bytes");
    s.write_bytes = field<std::uint64_t>(j, "write_bytes");
    s.read_time_ns = field<std::uint64_t>(j, "read_time_ns");
    s.write_time_ns = field<std::uint64_t>(j, "write_time_ns");
    s.other_time_ns = field<std::uint64_t>(j, "other_time_ns");
}

}  // namespace camx::target_config::control
