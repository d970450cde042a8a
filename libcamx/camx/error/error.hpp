// SPDX-License-Identifier: BSD-2-Clause
// camx::Error: the one error type of libcamx and its tools, and the one table
// that maps its categories to process exit codes (sg3_utils' numbers where they apply).
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace camx {

enum class Category : std::uint8_t {
    usage,                 // bad arguments
    not_ready,             // sense key NOT READY
    medium_hardware,       // sense key MEDIUM ERROR / HARDWARE ERROR
    illegal_request,       // sense key ILLEGAL REQUEST
    unit_attention,        // sense key UNIT ATTENTION
    data_protect,          // sense key DATA PROTECT
    invalid_opcode,        // ILLEGAL REQUEST with INVALID COMMAND OPERATION CODE
    aborted_command,       // sense key ABORTED COMMAND
    miscompare,            // sense key MISCOMPARE
    file,                  // a file or device node could not be opened, read or written
    no_sense,              // CHECK CONDITION with sense key NO SENSE
    recovered,             // sense key RECOVERED ERROR
    lba_out_of_range,      // ILLEGAL REQUEST with LBA OUT OF RANGE
    reservation_conflict,  // SCSI status RESERVATION CONFLICT
    busy,                  // SCSI status BUSY or TASK SET FULL
    timeout,               // the command timed out
    transport,             // host, driver or iSCSI transport failure
    malformed,             // the response could not be decoded
    sense,                 // other sense data
    other,                 // anything else
    no_device,             // a device name matched nothing
    ambiguous_device,      // a device name matched more than one device
    device_gone,           // the device went away while open
    unsupported,           // the device or transport cannot do what was asked
};

// The process exit code for a category; documented in every man page.
int exit_code(Category c) noexcept;
// snake_case name used in JSON error objects.
std::string_view category_name(Category c) noexcept;

class Error : public std::runtime_error {
public:
    Error(Category category, const std::string& message);
    // A failed SCSI command: keeps the raw sense and status so renderers can decode them.
    Error(Category category, const std::string& message, std::uint8_t scsi_status,
          std::span<const std::uint8_t> sense);

    Category category() const noexcept { return category_; }
    int exit_code() const noexcept { return camx::exit_code(category_); }
    std::uint8_t scsi_status() const noexcept { return scsi_status_; }
    std::span<const std::uint8_t> sense() const noexcept { return sense_; }

private:
    Category category_;
    std::uint8_t scsi_status_ = 0;
    std::vector<std::uint8_t> sense_;
};

}  // namespace camx
