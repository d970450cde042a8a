// SPDX-License-Identifier: BSD-2-Clause
// SG_IO pass-through on Linux device nodes (sg, bsg, sd, sr, st, ch, ses) through
// libsgutils2's sg_pt layer, and the mapping of its failures to camx::Error.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "camx/error/error.hpp"
#include "camx/transport/transport.hpp"

namespace camx::transport {

// Opens a device node for SG_IO. ENOENT gives Error(no_device), other open failures
// Error(file); a path that is not a character or block device gives Error(file).
std::unique_ptr<Transport> open_sg(const std::string& path, bool read_only = false);

// The category for an errno returned by open() or the SG_IO ioctl.
Category category_of_errno(int err) noexcept;

// sg_pt takes whole seconds; rounds up so a command never gets less than asked, minimum 1.
int timeout_seconds(std::chrono::milliseconds timeout) noexcept;

// Linux host_status (DID_*) and driver_status (DRIVER_*) values that mean the command
// timed out rather than failed.
bool is_timeout(int host_status, int driver_status) noexcept;

}  // namespace camx::transport
