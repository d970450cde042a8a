// SPDX-License-Identifier: BSD-2-Clause
// SCSI operation codes and service actions (SPC/SBC) shared by the initiator and the target
// engine, and the CDB length implied by an operation code's group.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace camx::scsi {

enum class Opcode : std::uint8_t {
    test_unit_ready = 0x00,
    request_sense = 0x03,
    read_6 = 0x08,
    write_6 = 0x0a,
    inquiry = 0x12,
    mode_select_6 = 0x15,
    reserve_6 = 0x16,
    release_6 = 0x17,
    mode_sense_6 = 0x1a,
    start_stop_unit = 0x1b,
    receive_diagnostic_results = 0x1c,
    send_diagnostic = 0x1d,
    prevent_allow_medium_removal = 0x1e,
    read_capacity_10 = 0x25,
    read_10 = 0x28,
    write_10 = 0x2a,
    write_and_verify_10 = 0x2e,
    verify_10 = 0x2f,
    pre_fetch_10 = 0x34,
    read_defect_data_10 = 0x37,
    synchronize_cache_10 = 0x35,
    write_same_10 = 0x41,
    unmap = 0x42,
    sanitize = 0x48,
    log_select = 0x4c,
    log_sense = 0x4d,
    mode_select_10 = 0x55,
    reserve_10 = 0x56,
    release_10 = 0x57,
    mode_sense_10 = 0x5a,
    persistent_reserve_in = 0x5e,
    persistent_reserve_out = 0x5f,
    extended_copy = 0x83,
    receive_copy_results = 0x84,
    read_16 = 0x88,
    compare_and_write = 0x89,
    write_16 = 0x8a,
    orwrite_16 = 0x8b,
    write_and_verify_16 = 0x8e,
    verify_16 = 0x8f,
    pre_fetch_16 = 0x90,
    synchronize_cache_16 = 0x91,
    write_same_16 = 0x93,
    write_atomic_16 = 0x9c,
    service_action_in_16 = 0x9e,
    report_luns = 0xa0,
    maintenance_in = 0xa3,
    maintenance_out = 0xa4,
    read_12 = 0xa8,
    write_12 = 0xaa,
    write_and_verify_12 = 0xae,
    verify_12 = 0xaf,
    read_defect_data_12 = 0xb7,
};

// Service actions of SANITIZE (0x48).
enum class SanitizeSa : std::uint8_t {
    overwrite = 0x01,
    block_erase = 0x02,
    crypto_erase = 0x03,
    exit_failure_mode = 0x1f,
};

// Service actions of MAINTENANCE IN (0xa3).
enum class MaintenanceInSa : std::uint8_t {
    report_target_port_groups = 0x0a,
    report_supported_operation_codes = 0x0c,
    report_supported_task_management_functions = 0x0d,
};

// Service actions of MAINTENANCE OUT (0xa4).
enum class MaintenanceOutSa : std::uint8_t {
    set_target_port_groups = 0x0a,
};

// Service actions of SERVICE ACTION IN(16) (0x9e).
enum class ServiceActionIn16Sa : std::uint8_t {
    read_capacity_16 = 0x10,
    get_lba_status = 0x12,
};

constexpr std::uint8_t to_u8(Opcode op) {
    return static_cast<std::uint8_t>(op);
}

// CDB length implied by the group code (top three bits) of an operation code: 6, 10, 12 or
// 16 bytes; nullopt for group 3 (variable length and reserved) and the vendor groups 6 and 7.
constexpr std::optional<std::size_t> cdb_length(std::uint8_t opcode) {
    switch (opcode >> 5) {
        case 0:
            return 6;
        case 1:
        case 2:
            return 10;
        case 4:
            return 16;
        case 5:
            return 12;
        default:
            return std::nullopt;
    }
}
constexpr std::optional<std::size_t> cdb_length(Opcode op) {
    return cdb_length(to_u8(op));
}

// Command name from libsgutils2 ("Inquiry", "Read capacity(16)"...); service_action < 0
// when the command has none. peripheral_type selects device-type specific names.
std::string opcode_name(std::uint8_t opcode, int service_action = -1, int peripheral_type = 0);

}  // namespace camx::scsi
