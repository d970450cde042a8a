// SPDX-License-Identifier: BSD-2-Clause
// ctld's answers to ctladm: the control protocol's requests carried out on the daemon (its
// engine, LUN maps and iSCSI frontend).
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "camx/target_config/control.hpp"
#include "daemon.hpp"

namespace camx::ctld {

class ControlHandler : public target_config::control::ControlHandler {
  public:
    // `load` reads the configuration again, for the reload request; `debug` logs every
    // request on stderr.
    ControlHandler(Daemon& daemon, std::function<DaemonConfig()> load, bool debug = false);
    nlohmann::json handle(const target_config::control::Request& request) override;

  private:
    nlohmann::json answer(const target_config::control::Request& request);
    nlohmann::json port_create(const target_config::control::Request& request,
                               const target_config::control::PortCreate& c);

    Daemon& daemon_;
    std::function<DaemonConfig()> load_;
    bool debug_ = false;
};

}  // namespace camx::ctld
