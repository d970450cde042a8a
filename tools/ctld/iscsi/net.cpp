// SPDX-License-Identifier: BSD-2-Clause
#include "iscsi/net.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "camx/error/error.hpp"

namespace camx::ctld {

namespace {

std::uint16_t parse_port(std::string_view text, std::string_view whole) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v > 65535)
        throw Error(Category::usage, fmt::format("listen address {}: bad port", whole));
    return static_cast<std::uint16_t>(v);
}

// Splits "[v6]:port" / "v4:port" / "host" into host and optional port text.
std::pair<std::string, std::string_view> split_host_port(std::string_view text) {
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos)
            throw Error(Category::usage, fmt::format("listen address {}: missing ]", text));
        std::string host(text.substr(1, close - 1));
        auto rest = text.substr(close + 1);
        if (rest.empty()) return {host, {}};
        if (rest.front() != ':')
            throw Error(Category::usage, fmt::format("listen address {}: junk after ]", text));
        return {host, rest.substr(1)};
    }
    auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos)
        return {std::string(text.substr(0, colon)), text.substr(colon + 1)};
    return {std::string(text), {}};  // a bare v4 address or an unbracketed v6 address
}

bool fill(SocketAddress& out, const std::string& host, std::uint16_t port) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        out.length = sizeof(sockaddr_in);
        return true;
    }
    out.storage = {};
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        out.length = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

}  // namespace

std::uint16_t SocketAddress::port() const {
    if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
    if (family() == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
    return 0;
}

std::string SocketAddress::host() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf,
                  sizeof buf);
    else if (family() == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf,
                  sizeof buf);
    return buf;
}

std::string SocketAddress::text() const {
    if (family() == AF_INET6) return fmt::format("[{}]:{}", host(), port());
    return fmt::format("{}:{}", host(), port());
}

bool SocketAddress::wildcard() const {
    if (family() == AF_INET)
        return reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr.s_addr == INADDR_ANY;
    if (family() == AF_INET6)
        return IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr);
    return false;
}

SocketAddress parse_listen_address(std::string_view text) {
    auto [host, port_text] = split_host_port(text);
    std::uint16_t port = port_text.empty() ? default_iscsi_port : parse_port(port_text, text);
    SocketAddress a;
    if (!fill(a, host, port))
        throw Error(Category::usage,
                    fmt::format("listen address {}: not a numeric IPv4 or IPv6 address", text));
    return a;
}

transport::UniqueFd listen_on(const SocketAddress& address) {
    transport::UniqueFd fd(
        ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) throw Error(Category::file, fmt::format("socket: {}", std::strerror(errno)));
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (address.family() == AF_INET6)
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0)
        throw Error(errno == EADDRINUSE ? Category::busy : Category::file,
                    fmt::format("cannot listen on {}: {}", address.text(), std::strerror(errno)));
    if (::listen(fd.get(), 128) != 0)
        throw Error(Category::file,
                    fmt::format("cannot listen on {}: {}", address.text(), std::strerror(errno)));
    return fd;
}

SocketAddress local_address(int fd) {
    SocketAddress a;
    a.length = sizeof a.storage;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a.storage), &a.length) != 0) a = {};
    return a;
}

void raise_descriptor_limit() {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &r);
    }
}

SocketAddress peer_address(int fd) {
    SocketAddress a;
    a.length = sizeof a.storage;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&a.storage), &a.length) != 0) a = {};
    return a;
}

bool portal_matches(std::string_view entry, const SocketAddress& peer) {
    std::string_view addr = entry;
    int prefix = -1;
    if (auto slash = entry.rfind('/'); slash != std::string_view::npos) {
        addr = entry.substr(0, slash);
        auto bits = entry.substr(slash + 1);
        int v = 0;
        auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), v);
        if (ec != std::errc{} || p != bits.data() + bits.size() || v < 0 || v > 128)
            throw Error(Category::usage, fmt::format("initiator-portal {}: bad prefix", entry));
        prefix = v;
    }
    if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']')
        addr = addr.substr(1, addr.size() - 2);
    SocketAddress want;
    if (!fill(want, std::string(addr), 0))
        throw Error(Category::usage, fmt::format("initiator-portal {}: not an address", entry));

    const std::uint8_t* a = nullptr;
    const std::uint8_t* b = nullptr;
    int width = 0;
    sockaddr_in6 mapped{};
    const sockaddr_storage* p = &peer.storage;
    // An IPv4 peer on a v6 socket arrives as ::ffff:a.b.c.d; compare it as IPv4.
    if (peer.family() == AF_INET6 && want.family() == AF_INET) {
        const auto* p6 = reinterpret_cast<const sockaddr_in6*>(p);
        if (!IN6_IS_ADDR_V4MAPPED(&p6->sin6_addr)) return false;
        mapped = *p6;
        a = reinterpret_cast<const std::uint8_t*>(
            &reinterpret_cast<const sockaddr_in*>(&want.storage)->sin_addr);
        b = mapped.sin6_addr.s6_addr + 12;
        width = 32;
    } else if (peer.family() != want.family()) {
        return false;
    } else if (want.family() == AF_INET) {
        a = reinterpret_cast<const std::uint8_t*>(
            &reinterpret_cast<const sockaddr_in*>(&want.storage)->sin_addr);
        b = reinterpret_cast<const std::uint8_t*>(
            &reinterpret_cast<const sockaddr_in*>(p)->sin_addr);
        width = 32;
    } else {
        a = reinterpret_cast<const sockaddr_in6*>(&want.storage)->sin6_addr.s6_addr;
        b = reinterpret_cast<const sockaddr_in6*>(p)->sin6_addr.s6_addr;
        width = 128;
    }
    int bits = prefix < 0 ? width : std::min(prefix, width);
    for (int i = 0; i < bits; i += 8) {
        int n = std::min(8, bits - i);
        std::uint8_t mask = static_cast<std::uint8_t>(0xff00 >> n);
        if ((a[i / 8] & mask) != (b[i / 8] & mask)) return false;
    }
    return true;
}

}  // namespace camx::ctld
