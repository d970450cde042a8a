// SPDX-License-Identifier: BSD-2-Clause
// A logical unit to send commands to: a transport plus the rule that a status other than
// GOOD is a camx::Error carrying the status and sense.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "camx/bytes/bytes.hpp"
#include "camx/topology/topology.hpp"
#include "camx/transport/transport.hpp"

namespace camx::device {

class Device {
  public:
    explicit Device(std::unique_ptr<transport::Transport> transport,
                    std::optional<topology::Device> info = std::nullopt);

    // Sends cdb expecting up to allocation_length bytes; returns the bytes actually
    // transferred (residual applied).
    Bytes data_in(ByteView cdb, std::size_t allocation_length);
    // Sends data; the result tells how much the device took (residual, overflow).
    transport::Result data_out(ByteView cdb, ByteView data);
    void no_data(ByteView cdb);
    // No status check: for callers that interpret CHECK CONDITION themselves.
    transport::Result execute_raw(const transport::Command& cmd);

    std::string path() const { return transport_->path(); }
    // What sysfs says about the device; empty for iSCSI URLs and unknown nodes.
    const std::optional<topology::Device>& info() const noexcept { return info_; }
    std::chrono::milliseconds timeout() const noexcept { return timeout_; }
    void set_timeout(std::chrono::milliseconds t) noexcept { timeout_ = t; }

  private:
    transport::Result run(transport::Command cmd);

    std::unique_ptr<transport::Transport> transport_;
    std::optional<topology::Device> info_;
    std::chrono::milliseconds timeout_{60'000};
};

// Throws Error(category_of(status, sense), message, status, sense) unless status is GOOD or
// CONDITION MET. The message names the command, the device, the status and the sense.
void check(const transport::Result& r, ByteView cdb, const std::string& path, int pdt = -1);

// Resolves any device name (see topology::resolve) and opens it.
Device open_device(const std::string& name, bool read_only = false);

}  // namespace camx::device
