// SPDX-License-Identifier: BSD-2-Clause
// From a device name as users type it (/dev/sg3, sg3, sda, H:C:T:L, /dev/bsg/H:C:T:L,
// sch0, nst0, iscsi://..., naa.5000...) to the node to open and the device behind it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "camx/topology/hctl.hpp"
#include "camx/topology/sysfs.hpp"
#include "camx/topology/topology.hpp"

namespace camx::topology {

enum class NodeKind : std::uint8_t { sg, sd, sr, st, nst, ch, bsg };
std::string_view node_kind_name(NodeKind k) noexcept;

// The syntax of a name, decided without touching the system.
struct Name {
    enum class Kind : std::uint8_t {
        iscsi,  // iscsi:// URL, passed to the transport as is
        path,   // a path given explicitly (contains '/'): opened as given
        hctl,   // 0:0:0:0
        node,   // a kernel node name: sg3, sda, sr0, st0, nst0, sch0 (also after /dev/)
        wwn,    // naa./eui./t10. identifier
        invalid,
    };
    Kind kind = Kind::invalid;
    std::string text;                   // the name as given
    std::optional<Hctl> hctl;           // for hctl, and for /dev/bsg/H:C:T:L paths
    std::optional<NodeKind> node_kind;  // for node, and for /dev/<node> paths
    std::string node_name;              // "sg3", "sda", "bsg/0:0:0:0"
};

Name parse_name(std::string_view name);

// A kernel node name ("sg3", "sda", "nst0", "bsg/0:0:0:0") and its kind; nullopt if the
// name is not one (partitions such as sda1 are not SCSI devices).
std::optional<NodeKind> node_kind_of(std::string_view node_name) noexcept;

struct Resolved {
    std::string path;              // what to open
    std::optional<Device> device;  // the SCSI device behind it, when sysfs knows it
};

// Throws Error(no_device, "no device matches 'X' (tried ...)") or
// Error(ambiguous_device, ...) listing the candidates.
Resolved resolve(std::string_view name, const Sysfs& sysfs = Sysfs::system());

}  // namespace camx::topology
