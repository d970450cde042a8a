// SPDX-License-Identifier: BSD-2-Clause
// Socket plumbing for the iSCSI frontend: listen addresses ("host:port"), listening sockets,
// peer and local addresses of accepted connections, and initiator-portal ACL matching.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "camx/transport/fd.hpp"

namespace camx::ctld {

inline constexpr std::uint16_t default_iscsi_port = 3260;

struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    int family() const { return storage.ss_family; }
    std::uint16_t port() const;
    // "127.0.0.1" or "::1", without the port.
    std::string host() const;
    // "127.0.0.1:3260" or "[::1]:3260", as TargetAddress and logs write it.
    std::string text() const;
    bool wildcard() const;
};

// Parses "host", "host:port", "[v6]", "[v6]:port" (numeric addresses only, as ctl.conf's
// listen takes them; "0.0.0.0" and "[::]" listen on every address). Throws Error(usage).
SocketAddress parse_listen_address(std::string_view text);

// A bound, listening, non-blocking TCP socket (SO_REUSEADDR, IPV6_V6ONLY for v6). Throws
// Error(file).
transport::UniqueFd listen_on(const SocketAddress& address);
SocketAddress local_address(int fd);
// Raises the soft RLIMIT_NOFILE to the hard one: every connection holds a descriptor.
void raise_descriptor_limit();
SocketAddress peer_address(int fd);

// An initiator-portal ACL entry, "192.0.2.7", "192.0.2.0/24", "[2001:db8::]/32"; true when
// the peer lies inside it. Throws Error(usage) for an entry that is not an address.
bool portal_matches(std::string_view entry, const SocketAddress& peer);

}  // namespace camx::ctld
