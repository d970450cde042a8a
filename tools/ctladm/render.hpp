// SPDX-License-Identifier: BSD-2-Clause
// ctladm's text renderers: one per result of the control protocol. JSON output needs none;
// it is the result object as ctld sent it.
#pragma once

#include <iosfwd>
#include <vector>

#include "camx/target_config/control.hpp"

namespace ctladm {

namespace ctl = camx::target_config::control;

void print_luns(std::ostream& os, const std::vector<ctl::LunInfo>& luns, bool verbose);
struct PortListing {
    bool verbose = false;
    bool initiators = false;
    bool lun_maps = false;
};
void print_ports(std::ostream& os, const std::vector<ctl::PortInfo>& ports, const PortListing& how);
void print_sessions(std::ostream& os, const std::vector<ctl::SessionInfo>& sessions, bool verbose);
void print_stats(std::ostream& os, const std::vector<ctl::LunStats>& stats);

}  // namespace ctladm
