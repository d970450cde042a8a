// SPDX-License-Identifier: BSD-2-Clause
// One interface for sending a CDB to a logical unit, whatever carries it:
// SG_IO on sg/bsg/sd nodes (libsgutils2 sg_pt) or iSCSI (libiscsi).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "camx/bytes/bytes.hpp"

namespace camx::transport {

enum class Direction : std::uint8_t { none, in, out };

struct Command {
    ByteView cdb;
    Direction direction = Direction::none;
    MutableByteView data_in;  // for Direction::in
    ByteView data_out;        // for Direction::out
    std::chrono::milliseconds timeout{60'000};
};

// What came back. A transport throws Error(transport/timeout/device_gone/file) only when
// the command could not be delivered or completed; a SCSI status other than GOOD is a Result.
struct Result {
    std::uint8_t status =
        0;        // SAM status (0 GOOD, 2 CHECK CONDITION, 0x18 RESERVATION CONFLICT...)
    Bytes sense;  // sense data as returned, possibly empty
    std::size_t residual = 0;  // bytes requested but not transferred
    // Bytes the command wanted beyond those requested (iSCSI's residual overflow: a CDB that
    // transfers more than the initiator's buffer); 0 where the transport cannot tell.
    std::size_t overflow = 0;
    int host_status = 0;    // SG_IO host_status (DID_*), 0 for iSCSI
    int driver_status = 0;  // SG_IO driver_status (DRIVER_*), 0 for iSCSI
    std::size_t transferred() const noexcept { return requested - residual; }
    std::size_t requested = 0;
};

class Transport {
  public:
    virtual ~Transport() = default;
    virtual Result execute(const Command& cmd) = 0;
    // How the device was opened: "/dev/sg3", "iscsi://127.0.0.1:3260/iqn.../0".
    virtual std::string path() const = 0;
};

// Opens a device node (sg, bsg, sd, sr, st, ch, ses) through sg_pt, or an iscsi:// URL
// through libiscsi. Node names must already be resolved (see topology::resolve).
std::unique_ptr<Transport> open(const std::string& path, bool read_only = false);

}  // namespace camx::transport
