// SPDX-License-Identifier: BSD-2-Clause
// ctld's state directory: LUNs created at run time and persistent reservations, kept across
// restarts. Every file is replaced atomically (temp file, fsync, rename, fsync directory),
// so a crash leaves either the old or the new content, never a torn file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/target_config/config.hpp"

namespace camx::target_config {

// Writes data to path atomically with the given mode. Error(file) on any failure (the temp
// file is removed).
void write_atomic(const std::filesystem::path& path, std::string_view data, unsigned mode = 0600);

// One registered I_T nexus of a persistent reservation (SPC-4 5.14).
struct PrRegistration {
    std::uint64_t key = 0;
    Bytes transport_id;  // the initiator's TransportID as the engine keeps it
    std::uint16_t relative_target_port = 0;
    bool all_target_ports = false;  // registered with ALL_TG_PT
    bool operator==(const PrRegistration&) const = default;
};

struct PrState {
    std::uint32_t generation = 0;
    bool aptpl = false;  // state is written only when the last APTPL was 1
    std::vector<PrRegistration> registrations;
    bool reserved = false;
    std::uint8_t type = 0;   // PERSISTENT RESERVATION TYPE code
    std::uint8_t scope = 0;  // 0 = LU_SCOPE
    // Index into registrations of the holder; unset for the all-registrants types (7, 8).
    std::optional<std::uint32_t> holder;
    bool operator==(const PrState&) const = default;
};

void to_json(nlohmann::json& j, const PrRegistration& r);
void from_json(const nlohmann::json& j, PrRegistration& r);
void to_json(nlohmann::json& j, const PrState& s);
void from_json(const nlohmann::json& j, PrState& s);  // Error(malformed) on bad content

// A listening portal added at run time (ctladm port create): `listen` in portal group
// `portal_group`; `target` is what a portal group created for it serves (empty: every target).
struct SavedPortal {
    std::string portal_group;
    std::string listen;
    std::string target;
    bool operator==(const SavedPortal&) const = default;
};

// Layout:  DIR/luns/<engine LUN number>.json   one runtime LUN (config::Lun as JSON, with
//                                              "version": 1 and "lun": N)
//          DIR/portals.json                    the runtime portals, in creation order:
//                                              {"version": 1, "portals": [{"portal_group",
//                                              "listen", "target"}]}
//          DIR/reservations/<key>.json         one LUN's PrState; key is the caller's stable
//                                              LUN identity (device-id, name), escaped
class StateDir {
  public:
    // Creates DIR, DIR/luns and DIR/reservations (0700) as needed and removes temp files a
    // crash left behind. Error(file) when that fails.
    explicit StateDir(std::filesystem::path dir);

    const std::filesystem::path& dir() const { return dir_; }

    struct SavedLun {
        std::uint32_t lun = 0;  // engine LUN number
        Lun spec;
        bool operator==(const SavedLun&) const = default;
    };
    void save_lun(std::uint32_t lun, const Lun& spec);
    void remove_lun(std::uint32_t lun);  // absent: nothing happens
    // Sorted by LUN number. A file that cannot be decoded is Error(malformed) naming it.
    // Options an earlier ctld saved as write-cache, write_cache or device_id come back as
    // writecache and device-id.
    std::vector<SavedLun> luns() const;

    void save_portals(const std::vector<SavedPortal>& portals);
    // None when the file is absent; Error(malformed) naming it when it cannot be decoded.
    std::vector<SavedPortal> portals() const;

    void save_reservations(std::string_view key, const PrState& s);
    void remove_reservations(std::string_view key);
    std::optional<PrState> reservations(std::string_view key) const;

    // The file name used for a reservation key: [A-Za-z0-9._-] kept, everything else %XX,
    // a leading '.' escaped too.
    static std::string escape_key(std::string_view key);

  private:
    std::filesystem::path dir_;
};

}  // namespace camx::target_config
