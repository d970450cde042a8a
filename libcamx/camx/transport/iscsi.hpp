// SPDX-License-Identifier: BSD-2-Clause
// iSCSI initiator transport through libiscsi: iscsi://[user[%password]@]host[:port]/iqn/lun.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "camx/bytes/bytes.hpp"
#include "camx/transport/transport.hpp"

namespace camx::transport {

inline constexpr std::string_view kDefaultInitiatorName = "iqn.2024-01.org.camx:camctl";

bool is_iscsi_url(std::string_view s) noexcept;

// The URL without its CHAP credentials, for messages and Transport::path().
std::string redact_iscsi_url(std::string_view url);

// Where an iscsi:// URL points: its host (without IPv6 brackets) and TCP port (3260 when the
// URL has none). A port that is not a number from 1 to 65535 is Error(usage): libiscsi
// would take it and fail later with a message about something else.
struct Portal {
    std::string host;
    std::uint16_t port = 3260;
    std::string str() const;  // "host:port", "[v6]:port"
};
Portal iscsi_portal(std::string_view url);

// CAMX_INITIATOR_NAME when set and not empty, else kDefaultInitiatorName.
std::string initiator_name();

// The sense bytes of an iSCSI SCSI Response data segment (RFC 7143 11.4.7.2: a two-byte
// SenseLength, then the sense data), clamped to what the segment holds.
Bytes sense_from_segment(ByteView segment);

// Logs in (CHAP from the URL or libiscsi's LIBISCSI_CHAP_* variables) and checks the LUN.
// A malformed URL gives Error(usage); a refused or failed connection or login
// Error(transport) naming the portal; a target or LUN the portal does not have
// Error(no_device).
std::unique_ptr<Transport> open_iscsi(const std::string& url);

}  // namespace camx::transport
