// SPDX-License-Identifier: BSD-2-Clause
// Driving an enclosure's LEDs: which elements a user means (a disk, a slot number, an element
// index, a descriptor, or every slot), the Enclosure Control page that changes only those
// (every other element kept as it is, SELECT set only on the changed ones), and the write.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "camx/device/device.hpp"
#include "camx/enclosure/enclosure.hpp"
#include "camx/ses/enclosure_page.hpp"

namespace camx::enclosure {

enum class Led : std::uint8_t { locate, fault };
std::string_view led_name(Led l) noexcept;  // "locate", "fault"

// The elements (positions in Enclosure::elements) a target names, tried in this order:
//   "all"                   every individual slot element;
//   "element:N"             the element of map index N (overall elements counted);
//   a number N              the slot with slot number N;
//   a disk                  the slot holding it: its node (/dev/sda or sda), sg node,
//                           H:C:T:L, or an identifier (naa.5000...);
//   anything else           the elements whose descriptor equals it (case-insensitive).
// Throws Error(no_device) naming what was tried when nothing matches.
std::vector<std::size_t> select(const Enclosure& e, std::string_view target);

// The control page for turning led on or off on the given elements, built from the status
// page with EnclosureControl::keeping. Throws Error(unsupported) for an element type without
// that LED, Error(unsupported) without a status page.
ses::EnclosureControl led_control(const Enclosure& e, const std::vector<std::size_t>& elements,
                                  Led led, bool on);

// SEND DIAGNOSTIC (PF=1) with the control page.
void send_control(device::Device& dev, const ses::EnclosureControl& control);

// Reads the enclosure, selects target, writes the control page. When the write fails and the
// generation code has changed meanwhile, reads again and writes once more. Returns the
// enclosure as read before the (last) write, with the selected positions.
struct LedResult {
    Enclosure enclosure;
    std::vector<std::size_t> elements;
};
LedResult set_led(device::Device& dev, std::string_view target, Led led, bool on,
                  const std::vector<Disk>& disks);

}  // namespace camx::enclosure
