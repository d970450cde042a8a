// SPDX-License-Identifier: BSD-2-Clause
// The limits a LUN's configuration must respect, in one place: ctl.conf's parser, ctld's
// mapping of a ctl.conf or ctladm LUN and the engine itself ask the same questions and get
// the same answers, so no path rounds or accepts what another refuses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "camx/ctl/engine.hpp"

namespace camx::ctl {

// Engine LUN ids (ctl-lun, ctladm -l) and the LUN numbers of a target: 0..16383, as in CTL
// and SAM's flat addressing.
inline constexpr std::uint64_t max_lun_id = 16383;
// The largest LUN (4 EiB): a round limit below off_t's 2^63 - 1, so that an offset plus a
// length never overflows in the file and block backends.
inline constexpr std::uint64_t max_lun_bytes = std::uint64_t{1} << 62;

// This host's physical memory in bytes.
std::uint64_t physical_memory();

// Each returns what is wrong, as one line without a location, or nullopt.
std::optional<std::string> lun_id_problem(std::uint64_t id);
std::optional<std::string> blocksize_problem(std::uint32_t blocksize);
// A size that is not a multiple of the blocksize or that is above max_lun_bytes.
std::optional<std::string> size_problem(std::uint64_t size, std::uint32_t blocksize);
// SPC ASCII data fields (INQUIRY strings, VPD 0x80, the T10 vendor ID designator): printable
// ASCII (0x20..0x7e), at most max_length bytes.
std::optional<std::string> ascii_problem(std::string_view what, std::string_view text,
                                         std::size_t max_length);
// A ramdisk larger than memory must say how much memory it may take (capacity), and that
// may not exceed memory either.
std::optional<std::string> ramdisk_memory_problem(std::uint64_t size,
                                                  std::optional<std::uint64_t> capacity,
                                                  std::uint64_t memory);

struct LunProblem {
    std::string_view field;  // "lun", "blocksize", "size", "capacity", "serial", "vendor", ...
    std::string message;
};
// Every problem of one LUN configuration, in field order.
std::vector<LunProblem> lun_problems(const LunConfig& config,
                                     std::uint64_t memory = physical_memory());
// Error(usage) with every problem, one per line.
void check_lun(const LunConfig& config, std::uint64_t memory = physical_memory());

}  // namespace camx::ctl
