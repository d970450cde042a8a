// SPDX-License-Identifier: BSD-2-Clause
// The field tables of the mode pages camx decodes; one table per page serves the decoder,
// the JSON mapping and MODE SELECT field editing.
#pragma once

#include <cstdint>
#include <span>

#include "camx/scsi/mode.hpp"

namespace camx::scsi::mode_tables {

// Empty for pages without a table.
std::span<const ModeField> fields_for(std::uint8_t page_code, std::uint8_t subpage_code, bool spf);

}  // namespace camx::scsi::mode_tables
