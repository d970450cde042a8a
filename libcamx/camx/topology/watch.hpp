// SPDX-License-Identifier: BSD-2-Clause
// SCSI hot-plug events (add, remove, change, bind...) from a udev monitor, for a bounded
// time or until stopped.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "camx/topology/hctl.hpp"

namespace camx::topology {

struct Event {
    std::string action;     // "add", "remove", "change", "bind", "unbind", "offline"...
    std::string subsystem;  // "scsi", "block", "scsi_generic", "bsg"
    std::string devtype;    // "scsi_device", "scsi_host", "scsi_target", "disk"...; may be empty
    std::string sysname;    // "0:0:0:0", "sda", "sg0"
    std::string syspath;
    std::string devnode;  // "/dev/sda"; empty when the device has no node
    std::optional<Hctl> hctl;
    std::uint64_t seqnum = 0;
    std::chrono::system_clock::time_point time;  // when camx received it
};

void to_json(nlohmann::json& j, const Event& e);

enum class EventSource : std::uint8_t {
    automatic,  // udev when udevd runs (/run/udev/control exists), else kernel
    udev,       // after udev rules ran: device nodes exist
    kernel,     // raw uevents: works without udevd (initramfs, minimal VMs)
};

class Watch {
  public:
    explicit Watch(EventSource source = EventSource::automatic);
    ~Watch();
    Watch(Watch&&) noexcept;
    Watch& operator=(Watch&&) noexcept;
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

    // The next SCSI event, nullopt when timeout passes first. Events of block, scsi_generic
    // and bsg devices that are not SCSI logical units are skipped.
    std::optional<Event> next(std::chrono::milliseconds timeout);
    int fd() const noexcept;  // for callers with their own poll loop

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Calls on_event for each event until duration passes, *stop becomes true, or on_event
// returns false. Returns the number of events delivered.
std::size_t watch(const std::function<bool(const Event&)>& on_event,
                  std::chrono::milliseconds duration, const std::atomic<bool>* stop = nullptr,
                  EventSource source = EventSource::automatic);

}  // namespace camx::topology
