// SPDX-License-Identifier: BSD-2-Clause
// encctl's plumbing shared by its commands: the options, how enclosures are found and read,
// and how results, health exit codes and errors reach stdout.
#pragma once

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "camx/device/device.hpp"
#include "camx/enclosure/enclosure.hpp"
#include "camx/error/error.hpp"

namespace encctl {

// Exit codes of `status` (and of every command on success): the enclosure health.
inline constexpr int kExitOk = 0;
inline constexpr int kExitNoncritical = 110;
inline constexpr int kExitCritical = 111;
inline constexpr int kExitUnrecoverable = 112;
int health_exit_code(camx::enclosure::Health h) noexcept;

struct Options {
    bool json = false;
    int verbose = 0;
    std::string enclosure;  // -e: one enclosure by any device name
    std::string inhex;      // decode captured pages instead of asking a device
    bool binary = false;    // the --inhex file holds raw bytes
    int timeout_s = 60;     // per command
};

// Collects a command's output: one JSON document for --json, text otherwise.
class Output {
  public:
    explicit Output(const Options& o) : json_(o.json) {}
    bool json() const { return json_; }
    nlohmann::json& doc() { return doc_; }
    std::ostream& text() { return json_ ? null_ : std::cout; }
    void streaming() { streaming_ = true; }
    void flush();

  private:
    bool json_;
    bool streaming_ = false;
    nlohmann::json doc_ = nlohmann::json{{"version", 1}};
    std::ostream null_{nullptr};
};

// Prints e in the mode the command ran in; returns its exit code.
int report(const camx::Error& e, const Options& o);

// The enclosures a command works on: -e, else every device of peripheral type 0x0d that
// sysfs knows (by its sg node, else its H:C:T:L). Throws Error(no_device) when there is none.
std::vector<std::string> enclosure_names(const Options& o);

camx::device::Device open(const std::string& name, const Options& o);

// One enclosure read from a device, or from the --inhex capture.
camx::enclosure::Enclosure load_inhex(const Options& o);

// The disks that can sit in the enclosure's slots: the other LUNs of its iSCSI target for an
// iscsi:// enclosure, the local disks otherwise.
std::vector<camx::enclosure::Disk> disks_for(camx::device::Device& dev, const std::string& name);

// Every enclosure the options name, read (with disks attached when with_disks).
std::vector<camx::enclosure::Enclosure> load_all(const Options& o, bool with_disks);

}  // namespace encctl
