// SPDX-License-Identifier: BSD-2-Clause
// PERSISTENT RESERVE IN parameter data and PERSISTENT RESERVE OUT parameter lists (SPC-6 6.16,
// 6.17), with TransportIDs (SPC-6 7.6.4): decoded by camctl, encoded by the target engine.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

enum class PrInAction : std::uint8_t {
    read_keys = 0x00,
    read_reservation = 0x01,
    report_capabilities = 0x02,
    read_full_status = 0x03,
};
enum class PrOutAction : std::uint8_t {
    register_key = 0x00,
    reserve = 0x01,
    release = 0x02,
    clear = 0x03,
    preempt = 0x04,
    preempt_and_abort = 0x05,
    register_and_ignore_existing_key = 0x06,
    register_and_move = 0x07,
    replace_lost_reservation = 0x08,
};
enum class PrType : std::uint8_t {
    write_exclusive = 0x1,
    exclusive_access = 0x3,
    write_exclusive_registrants_only = 0x5,
    exclusive_access_registrants_only = 0x6,
    write_exclusive_all_registrants = 0x7,
    exclusive_access_all_registrants = 0x8,
};

std::string_view pr_in_action_name(std::uint8_t sa);   // "READ KEYS"
std::string_view pr_out_action_name(std::uint8_t sa);  // "REGISTER AND MOVE"
std::string_view pr_type_name(std::uint8_t type);      // "Write Exclusive, registrants only"
std::string_view pr_scope_name(std::uint8_t scope);    // "LU_SCOPE"
// camcontrol's short names: "wr_ex", "ex_ac", "wr_ex_ro", "ex_ac_ro", "wr_ex_ar", "ex_ac_ar";
// "" for obsolete and reserved types.
std::string_view pr_type_short_name(std::uint8_t type);
// Protocol identifier name from libsgutils2 ("Fibre Channel Protocol for SCSI (FCP-5)").
std::string protocol_identifier_name(std::uint8_t proto);

// A TransportID. FC, SAS, iSCSI, SRP and SOP are decoded; others keep their bytes in raw.
struct TransportId {
    enum Protocol : std::uint8_t { fc = 0x0, srp = 0x4, iscsi = 0x5, sas = 0x6, sop = 0xa };
    std::uint8_t protocol = 0;
    std::uint8_t format = 0;
    std::uint64_t name = 0;  // FC N_PORT_NAME, SAS ADDRESS
    std::string iscsi_name;  // iSCSI name (before ",i,0x" in format 1)
    std::string isid;        // iSCSI format 1: the ISID as the hex text after ",i,0x"
    std::array<std::uint8_t, 16> srp_port{};  // SRP INITIATOR PORT IDENTIFIER
    std::uint16_t routing_id = 0;             // SOP
    Bytes raw;                                // the whole TransportID when not decoded

    static TransportId fibre_channel(std::uint64_t n_port_name);
    static TransportId sas_address(std::uint64_t address);
    static TransportId iscsi_initiator(std::string name, std::string isid_hex = {});
    static TransportId srp_initiator(const std::array<std::uint8_t, 16>& port);
    static TransportId sop_routing(std::uint16_t routing_id);

    // Length of the TransportID at the start of b (24, or 4 + ADDITIONAL LENGTH for iSCSI).
    static std::size_t length_at(ByteView b);
    // Decodes one TransportID occupying all of b; adds to warnings what looks wrong.
    static TransportId decode(ByteView b, std::vector<std::string>& warnings);
    Bytes encode() const;
    bool operator==(const TransportId&) const = default;
};

// Decodes back-to-back TransportIDs; a truncated one is kept raw with a warning.
std::vector<TransportId> decode_transport_ids(ByteView b, std::vector<std::string>& warnings);

struct PrKeys {  // READ KEYS
    std::uint32_t generation = 0;
    std::vector<std::uint64_t> keys;
    std::vector<std::string> warnings;
    static PrKeys decode(ByteView b);
    Bytes encode() const;
    bool operator==(const PrKeys&) const = default;
};

struct PrReservation {  // READ RESERVATION
    struct Holder {
        std::uint64_t key = 0;
        std::uint8_t scope = 0;
        std::uint8_t type = 0;
        bool operator==(const Holder&) const = default;
    };
    std::uint32_t generation = 0;
    std::optional<Holder> reservation;
    std::vector<std::string> warnings;
    static PrReservation decode(ByteView b);
    Bytes encode() const;
    bool operator==(const PrReservation&) const = default;
};

struct PrCapabilities {  // REPORT CAPABILITIES
    bool rlr_c = false;
    bool crh = false;
    bool sip_c = false;
    bool atp_c = false;
    bool ptpl_c = false;
    bool tmv = false;
    std::uint8_t allow_commands = 0;
    bool ptpl_a = false;
    std::uint16_t type_mask = 0;  // bytes 4-5 as a big-endian word
    std::vector<std::string> warnings;

    bool type_supported(std::uint8_t type) const;
    std::vector<std::uint8_t> supported_types() const;
    static std::uint16_t mask_bit(std::uint8_t type);  // 0 for types without a bit
    static PrCapabilities decode(ByteView b);
    Bytes encode() const;
    bool operator==(const PrCapabilities&) const = default;
};

struct PrStatusDescriptor {  // one READ FULL STATUS descriptor
    std::uint64_t key = 0;
    bool all_tg_pt = false;
    bool r_holder = false;
    std::uint8_t scope = 0;
    std::uint8_t type = 0;
    std::uint16_t relative_target_port = 0;
    TransportId transport_id;
    bool operator==(const PrStatusDescriptor&) const = default;
};

struct PrFullStatus {  // READ FULL STATUS
    std::uint32_t generation = 0;
    std::vector<PrStatusDescriptor> descriptors;
    std::vector<std::string> warnings;
    static PrFullStatus decode(ByteView b);
    Bytes encode() const;
    bool operator==(const PrFullStatus&) const = default;
};

// PERSISTENT RESERVE OUT parameter list, all service actions but REGISTER AND MOVE.
struct PrOutParameters {
    std::uint64_t key = 0;
    std::uint64_t service_action_key = 0;
    bool spec_i_pt = false;
    bool all_tg_pt = false;
    bool aptpl = false;
    std::vector<TransportId> transport_ids;  // with SPEC_I_PT
    std::vector<std::string> warnings;
    static PrOutParameters decode(ByteView b);
    Bytes encode() const;
    bool operator==(const PrOutParameters&) const = default;
};

// REGISTER AND MOVE parameter list.
struct PrRegisterAndMove {
    std::uint64_t key = 0;
    std::uint64_t service_action_key = 0;
    bool unreg = false;
    bool aptpl = false;
    std::uint16_t relative_target_port = 0;
    TransportId transport_id;
    std::vector<std::string> warnings;
    static PrRegisterAndMove decode(ByteView b);
    Bytes encode() const;
    bool operator==(const PrRegisterAndMove&) const = default;
};

void to_json(nlohmann::json& j, const TransportId& t);
void to_json(nlohmann::json& j, const PrKeys& k);
void to_json(nlohmann::json& j, const PrReservation& r);
void to_json(nlohmann::json& j, const PrCapabilities& c);
void to_json(nlohmann::json& j, const PrStatusDescriptor& d);
void to_json(nlohmann::json& j, const PrFullStatus& s);
void to_json(nlohmann::json& j, const PrOutParameters& p);
void to_json(nlohmann::json& j, const PrRegisterAndMove& m);

}  // namespace camx::scsi
