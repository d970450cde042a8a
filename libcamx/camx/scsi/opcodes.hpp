// SPDX-License-Identifier: BSD-2-Clause
// REPORT SUPPORTED OPERATION CODES (all-commands and one-command formats) and REPORT SUPPORTED
// TASK MANAGEMENT FUNCTIONS parameter data (SPC-6 6.36, 6.37).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"

namespace camx::scsi {

// Command name from libsgutils2 ("Inquiry", "Read capacity(16)"); the service action is used
// when given. pdt is the peripheral device type (names differ per device type).
std::string command_name(std::uint8_t opcode, std::optional<std::uint16_t> service_action = {},
                         int pdt = 0);

// Command timeouts descriptor: present when CTDP is set.
struct CommandTimeouts {
    std::uint8_t command_specific = 0;
    std::uint32_t nominal_seconds = 0;      // 0: none reported
    std::uint32_t recommended_seconds = 0;  // 0: none reported
    bool operator==(const CommandTimeouts&) const = default;
};

struct CommandDescriptor {
    std::uint8_t opcode = 0;
    std::uint16_t service_action = 0;
    bool servactv = false;
    bool rwcdlp = false;
    std::uint8_t mlu = 0;   // multiple logical units (2 bits)
    std::uint8_t cdlp = 0;  // command duration limit page (2 bits)
    std::uint16_t cdb_length = 0;
    std::optional<CommandTimeouts> timeouts;  // CTDP
    bool operator==(const CommandDescriptor&) const = default;
};

// REPORTING OPTIONS 000b.
struct SupportedOpcodes {
    std::vector<CommandDescriptor> commands;
    std::vector<std::string> warnings;

    static SupportedOpcodes decode(ByteView b);
    Bytes encode() const;
    bool operator==(const SupportedOpcodes&) const = default;
};

// REPORTING OPTIONS 001b..011b: one command.
struct OneCommand {
    bool rwcdlp = false;
    std::uint8_t mlu = 0;
    std::uint8_t cdlp = 0;
    std::uint8_t support = 0;  // 0 not available, 1 not supported, 3 standard, 5 vendor specific
    Bytes cdb_usage;           // CDB USAGE DATA: bit map of the CDB bits the server looks at
    std::optional<CommandTimeouts> timeouts;  // CTDP
    std::vector<std::string> warnings;

    bool supported() const { return support == 3 || support == 5; }
    static OneCommand decode(ByteView b);
    Bytes encode() const;
    bool operator==(const OneCommand&) const = default;
};
std::string_view support_name(std::uint8_t support);

// REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS: basic (4 bytes) or, with REPD, extended (16 bytes).
struct SupportedTmfs {
    bool ats = false, atss = false, cacas = false, ctss = false, lurs = false, qts = false,
         trs = false, ws = false;
    bool qaes = false, qtss = false, itnrs = false;
    struct Extended {
        bool tmftmov = false;
        bool atts = false, atsts = false, cacats = false, ctsts = false, lurts = false,
             qtts = false;
        bool qaets = false, qtsts = false, itnrts = false;
        std::uint32_t long_timeout_100ms = 0;
        std::uint32_t short_timeout_100ms = 0;
        bool operator==(const Extended&) const = default;
    };
    std::optional<Extended> extended;
    std::vector<std::string> warnings;

    static SupportedTmfs decode(ByteView b);
    Bytes encode() const;
    bool operator==(const SupportedTmfs&) const = default;
};

void to_json(nlohmann::json& j, const CommandTimeouts& t);
void to_json(nlohmann::json& j, const CommandDescriptor& d);
void to_json(nlohmann::json& j, const SupportedOpcodes& s);
void to_json(nlohmann::json& j, const OneCommand& c);
void to_json(nlohmann::json& j, const SupportedTmfs& t);

}  // namespace camx::scsi
