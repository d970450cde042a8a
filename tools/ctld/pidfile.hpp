// SPDX-License-Identifier: BSD-2-Clause
// ctld's pid file (ctl.conf's pidfile): written at start and locked while ctld runs, so a
// second ctld on the same file refuses to start; removed at exit.
#pragma once

#include <string>

#include "camx/transport/fd.hpp"

namespace camx::ctld {

class PidFile {
  public:
    // Error(busy) when a running process holds the file, Error(file) when it cannot be
    // written.
    explicit PidFile(std::string path);
    ~PidFile();
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;

  private:
    std::string path_;
    transport::UniqueFd fd_;
};

}  // namespace camx::ctld
