// SPDX-License-Identifier: BSD-2-Clause
#include "camx/error/error.hpp"

#include <array>
#include <utility>

namespace camx {
namespace {

struct Row {
    Category category;
    int exit_code;
    std::string_view name;
};

// The exit-code table. Numbers below 100 are sg3_utils' (sg_lib.h); 100 and up are camx's own.
constexpr std::array kTable{
    Row{Category::usage, 1, "usage"},
    Row{Category::not_ready, 2, "not_ready"},
    Row{Category::medium_hardware, 3, "medium_hardware"},
    Row{Category::illegal_request, 5, "illegal_request"},
    Row{Category::unit_attention, 6, "unit_attention"},
    Row{Category::data_protect, 7, "data_protect"},
    Row{Category::invalid_opcode, 9, "invalid_opcode"},
    Row{Category::aborted_command, 11, "aborted_command"},
    Row{Category::miscompare, 14, "miscompare"},
    Row{Category::file, 15, "file"},
    Row{Category::no_sense, 20, "no_sense"},
    Row{Category::recovered, 21, "recovered"},
    Row{Category::lba_out_of_range, 22, "lba_out_of_range"},
    Row{Category::reservation_conflict, 24, "reservation_conflict"},
    Row{Category::busy, 26, "busy"},
    Row{Category::timeout, 33, "timeout"},
    Row{Category::transport, 35, "transport"},
    Row{Category::malformed, 97, "malformed"},
    Row{Category::sense, 98, "sense"},
    Row{Category::other, 99, "other"},
    Row{Category::no_device, 100, "no_device"},
    Row{Category::ambiguous_device, 101, "ambiguous_device"},
    Row{Category::device_gone, 102, "device_gone"},
    Row{Category::unsupported, 103, "unsupported"},
};

const Row& row(Category c) noexcept {
    for (const auto& r : kTable) {
        if (r.category == c) return r;
    }
    return kTable[19];  // other
}

}  // namespace

int exit_code(Category c) noexcept { return row(c).exit_code; }
std::string_view category_name(Category c) noexcept { return row(c).name; }

Error::Error(Category category, const std::string& message)
    : std::runtime_error(message), category_(category) {}

Error::Error(Category category, const std::string& message, std::uint8_t scsi_status,
             std::span<const std::uint8_t> sense)
    : std::runtime_error(message),
      category_(category),
      scsi_status_(scsi_status),
      sense_(sense.begin(), sense.end()) {}

}  // namespace camx
