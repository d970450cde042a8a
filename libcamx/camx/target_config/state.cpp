// SPDX-License-Identifier: BSD-2-Clause
#include "camx/target_config/state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "camx/bytes/hex.hpp"
#include "camx/error/error.hpp"
#include "camx/transport/fd.hpp"

namespace camx::target_config {

namespace fs = std::filesystem;
using transport::UniqueFd;

namespace {

constexpr int kStateVersion = 1;
constexpr std::string_view kTempMarker = ".tmp.";

[[noreturn]] void fail(const fs::path& p, const char* what, int err) {
    throw Error(Category::file, fmt::format("{}: {}: {}", p.string(), what, std::strerror(err)));
}

void fsync_dir(const fs::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) fail(dir, "open", errno);
    if (::fsync(fd.get()) != 0) fail(dir, "fsync", errno);
}

void make_dir(const fs::path& p) {
    if (::mkdir(p.c_str(), 0700) != 0 && errno != EEXIST) fail(p, "mkdir", errno);
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) fail(p, "stat", errno);
    if (!S_ISDIR(st.st_mode))
        throw Error(Category::file, fmt::format("{}: not a directory", p.string()));
}

std::optional<std::string> read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return std::nullopt;
        fail(p, "open", errno);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

nlohmann::json read_json(const fs::path& p, const std::string& text) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw Error(Category::malformed, fmt::format("{}: not a JSON object", p.string()));
    if (!j.contains("version") || j["version"] != kStateVersion)
        throw Error(Category::malformed, fmt::format("{}: unsupported state version (want {})",
                                                     p.string(), kStateVersion));
    return j;
}

void remove_file(const fs::path& p) {
    if (::unlink(p.c_str()) != 0) {
        if (errno == ENOENT) return;
        fail(p, "unlink", errno);
    }
    fsync_dir(p.parent_path());
}

std::string dump(const nlohmann::json& j) {
    try {
        return j.dump(2, ' ', false, nlohmann::json::error_handler_t::strict) + "\n";
    } catch (const nlohmann::json::exception& e) {
        throw Error(Category::usage, fmt::format("cannot store state: {}", e.what()));
    }
}

}  // namespace

void write_atomic(const fs::path& path, std::string_view data, unsigned mode) {
    fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::string tmpl =
        (dir / (std::string(kTempMarker) + path.filename().string() + ".XXXXXX")).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
    if (!fd) fail(path, "create temp file", errno);
    fs::path tmp(name.data());
    auto cleanup_fail = [&](const char* what) {
        int err = errno;
        ::unlink(tmp.c_str());
        fail(path, what, err);
    };
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) cleanup_fail("fchmod");
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) cleanup_fail("write");
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) cleanup_fail("fsync");
    if (::close(fd.release()) != 0) cleanup_fail("close");
    if (::rename(tmp.c_str(), path.c_str()) != 0) cleanup_fail("rename");
    fsync_dir(dir);
}

void to_json(nlohmann::json& j, const PrRegistration& r) {
    j = {{"key", r.key},
         {"transport_id", hex::compact(r.transport_id)},
         {"relative_target_port", r.relative_target_port},
         {"all_target_ports", r.all_target_ports}};
}

void from_json(const nlohmann::json& j, PrRegistration& r) {
    try {
        r.key = j.at("key").get<std::uint64_t>();
        std::string tid = j.at("transport_id").get<std::string>();
        r.transport_id = tid.empty() ? Bytes{} : hex::parse(tid);
        r.relative_target_port = j.at("relative_target_port").get<std::uint16_t>();
        r.all_target_ports = j.at("all_target_ports").get<bool>();
    } catch (const nlohmann::json::exception& e) {
        throw Error(Category::malformed, fmt::format("registration: {}", e.what()));
    } catch (const Error& e) {
        throw Error(Category::malformed, fmt::format("registration: {}", e.what()));
    }
}

void to_json(nlohmann::json& j, const PrState& s) {
    j = {{"generation", s.generation},
         {"aptpl", s.aptpl},
         {"registrations", s.registrations},
         {"reserved", s.reserved},
         {"type", s.type},
         {"scope", s.scope},
         {"holder", s.holder ? nlohmann::json(*s.holder) : nlohmann::json(nullptr)}};
}

void from_json(const nlohmann::json& j, PrState& s) {
    try {
        s.generation = j.at("generation").get<std::uint32_t>();
        s.aptpl = j.at("aptpl").get<bool>();
        s.registrations = j.at("registrations").get<std::vector<PrRegistration>>();
        s.reserved = j.at("reserved").get<bool>();
        s.type = j.at("type").get<std::uint8_t>();
        s.scope = j.at("scope").get<std::uint8_t>();
        s.holder.reset();
        if (!j.at("holder").is_null()) s.holder = j["holder"].get<std::uint32_t>();
    } catch (const nlohmann::json::exception& e) {
        throw Error(Category::malformed, fmt::format("reservation state: {}", e.what()));
    }
    if (s.holder && *s.holder >= s.registrations.size())
        throw Error(Category::malformed, "reservation state: holder is not a registration");
    if (s.reserved && !s.holder && s.type != 7 && s.type != 8)
        throw Error(Category::malformed, "reservation state: reserved without a holder");
}

StateDir::StateDir(fs::path dir) : dir_(std::move(dir)) {
    make_dir(dir_);
    for (const char* sub : {"luns", "reservations"}) {
        fs::path p = dir_ / sub;
        make_dir(p);
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(p, ec)) {
            if (e.path().filename().string().starts_with(kTempMarker)) fs::remove(e.path(), ec);
        }
        if (ec) throw Error(Category::file, fmt::format("{}: {}", p.string(), ec.message()));
    }
}

void StateDir::save_lun(std::uint32_t lun, const Lun& spec) {
    nlohmann::json j = spec;
    j["version"] = kStateVersion;
    j["lun"] = lun;
    write_atomic(dir_ / "luns" / fmt::format("{}.json", lun), dump(j));
}

void StateDir::remove_lun(std::uint32_t lun) {
    remove_file(dir_ / "luns" / fmt::format("{}.json", lun));
}

void StateDir::save_portals(const std::vector<SavedPortal>& portals) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& p : portals)
        a.push_back({{"portal_group", p.portal_group}, {"listen", p.listen}, {"target", p.target}});
    write_atomic(dir_ / "portals.json", dump({{"version", kStateVersion}, {"portals", a}}));
}

std::vector<SavedPortal> StateDir::portals() const {
    auto path = dir_ / "portals.json";
    auto text = read_text(path);
    if (!text) return {};
    nlohmann::json j = read_json(path, *text);
    std::vector<SavedPortal> out;
    try {
        for (const auto& p : j.at("portals")) {
            SavedPortal s{p.at("portal_group").get<std::string>(),
                          p.at("listen").get<std::string>(), p.value("target", std::string())};
            if (s.portal_group.empty() || s.listen.empty())
                throw Error(Category::malformed, "a portal without portal group or address");
            out.push_back(std::move(s));
        }
    } catch (const nlohmann::json::exception& ex) {
        throw Error(Category::malformed, fmt::format("{}: {}", path.string(), ex.what()));
    } catch (const Error& ex) {
        throw Error(Category::malformed, fmt::format("{}: {}", path.string(), ex.what()));
    }
    return out;
}

namespace {
// Option names an earlier ctld accepted from ctladm and saved as given, read under the names
// ctl.conf(5) documents, which are the only ones accepted now.
void rename_legacy_options(std::map<std::string, std::string>& options) {
    static const std::pair<const char*, const char*> kRenamed[] = {
        {"write-cache", "writecache"}, {"write_cache", "writecache"}, {"device_id", "device-id"}};
    for (const auto& [old_name, name] : kRenamed) {
        auto it = options.find(old_name);
        if (it == options.end()) continue;
        options.try_emplace(name, it->second);
        options.erase(it);
    }
}
}  // namespace

std::vector<StateDir::SavedLun> StateDir::luns() const {
    std::vector<SavedLun> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / "luns", ec)) {
        std::string name = e.path().filename().string();
        if (name.starts_with(kTempMarker) || !name.ends_with(".json")) continue;
        auto text = read_text(e.path());
        if (!text) continue;
        nlohmann::json j = read_json(e.path(), *text);
        SavedLun s;
        try {
            s.lun = j.at("lun").get<std::uint32_t>();
            j.erase("lun");
            j.erase("version");
            s.spec = j.get<Lun>();
            rename_legacy_options(s.spec.options);
        } catch (const nlohmann::json::exception& ex) {
            throw Error(Category::malformed, fmt::format("{}: {}", e.path().string(), ex.what()));
        } catch (const Error& ex) {
            throw Error(Category::malformed, fmt::format("{}: {}", e.path().string(), ex.what()));
        }
        if (name != fmt::format("{}.json", s.lun))
            throw Error(Category::malformed,
                        fmt::format("{}: holds LUN {}", e.path().string(), s.lun));
        out.push_back(std::move(s));
    }
    if (ec)
        throw Error(Category::file, fmt::format("{}: {}", (dir_ / "luns").string(), ec.message()));
    std::sort(out.begin(), out.end(),
              [](const SavedLun& a, const SavedLun& b) { return a.lun < b.lun; });
    return out;
}

std::string StateDir::escape_key(std::string_view key) {
    std::string out;
    for (std::size_t i = 0; i < key.size(); ++i) {
        auto c = static_cast<unsigned char>(key[i]);
        bool keep = std::isalnum(c) || c == '_' || c == '-' || (c == '.' && i != 0);
        if (keep)
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    if (out.empty()) out = "%";
    return out;
}

void StateDir::save_reservations(std::string_view key, const PrState& s) {
    nlohmann::json j = s;
    j["version"] = kStateVersion;
    j["key"] = std::string(key);
    write_atomic(dir_ / "reservations" / (escape_key(key) + ".json"), dump(j));
}

void StateDir::remove_reservations(std::string_view key) {
    remove_file(dir_ / "reservations" / (escape_key(key) + ".json"));
}

std::optional<PrState> StateDir::reservations(std::string_view key) const {
    fs::path p = dir_ / "reservations" / (escape_key(key) + ".json");
    auto text = read_text(p);
    if (!text) return std::nullopt;
    nlohmann::json j = read_json(p, *text);
    try {
        return j.get<PrState>();
    } catch (const Error& e) {
        throw Error(Category::malformed, fmt::format("{}: {}", p.string(), e.what()));
    }
}

}  // namespace camx::target_config
