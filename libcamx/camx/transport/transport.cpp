// SPDX-License-Identifier: BSD-2-Clause
#include "camx/transport/transport.hpp"

#include "camx/transport/iscsi.hpp"
#include "camx/transport/sg.hpp"

namespace camx::transport {

std::unique_ptr<Transport> open(const std::string& path, bool read_only) {
    if (is_iscsi_url(path)) return open_iscsi(path);
    return open_sg(path, read_only);
}

}  // namespace camx::transport
