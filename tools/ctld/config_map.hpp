// SPDX-License-Identifier: BSD-2-Clause
// Turns a parsed ctl.conf (target_config::Config) into what the daemon runs (DaemonConfig):
// engine LUNs with their options, the iSCSI frontend's auth groups, portal groups and
// targets, and each target's LUN map.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "camx/ctl/engine.hpp"
#include "camx/target_config/config.hpp"
#include "daemon.hpp"

namespace camx::ctld {

// Applies one ctladm/ctl.conf LUN option (vendor, product, revision, serial, device-id, naa,
// eui, uuid, scsiname, blocksize, pblocksize, readonly, removable, unmap, writecache) to
// `out`. Error(usage) for an unknown name or a bad value.
void apply_lun_option(ctl::LunOptions& out, std::string_view name, std::string_view value);

// One LUN of the file (or of the state directory) as an engine LUN with engine id `id`.
// Error(usage) "FILE:LINE:COL: lun 'NAME': ..." for a bad option.
ctl::LunConfig map_lun(const target_config::Lun& lun, std::uint64_t id);

// An enclosure lun (device-type enclosure) as the engine's enclosure. `ids` maps lun names
// to engine LUN ids for its slot-luns; an entry that is no name there is an engine LUN
// number. Error(usage) "FILE:LINE:COL: lun 'NAME': ..." for a bad option or an unknown lun.
ctl::EnclosureConfig map_enclosure(const target_config::Lun& lun,
                                   const std::map<std::string, std::uint64_t>& ids);

// The whole configuration. Engine LUN ids: ctl-lun when set, else the id `previous` gave
// the same LUN name (so a reload does not renumber), else the lowest free one not in
// `reserved` (the ids of LUNs created at run time). Portal
// groups without a tag get the lowest free tag. Error(usage) with every problem, one per
// line, each with its location.
DaemonConfig map_config(const target_config::Config& config,
                        const std::map<std::string, std::uint64_t>& previous = {},
                        const std::set<std::uint64_t>& reserved = {});

}  // namespace camx::ctld
