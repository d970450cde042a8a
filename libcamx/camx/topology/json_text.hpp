// SPDX-License-Identifier: BSD-2-Clause
// camctl devlist's JSON written straight to text: the bytes nlohmann's dump(indent 2) prints
// for to_json(Device) and to_json(Host), without first building a std::map per device (the
// listing's main cost in user space when there are thousands of devices).
#pragma once

#include <string>

#include "camx/topology/topology.hpp"

namespace camx::topology {

// Appends the value as dump(2) prints it nested `depth` levels deep: the opening brace
// unindented (the caller places it), members at (depth + 1) * 2 spaces, the closing brace at
// depth * 2.
void append_json(std::string& out, const Device& d, int depth);
void append_json(std::string& out, const Host& h, int depth);
// The whole camctl devlist --json document, {"devices": [...], "hosts": [...], "version": 1},
// with its final newline.
std::string devlist_json(const Topology& t);

}  // namespace camx::topology
