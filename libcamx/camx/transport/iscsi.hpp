// iSCSI initiator transport through libiscsi: iscsi://[user[%password]@]host[:port]/iqn/lun.
#pragma once

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

// CAMX_INITIATOR_NAME when set and not empty, else kDefaultInitiatorName.
std::string initiator_name();

// The sense bytes of an iSCSI SCSI Response data segment (RFC 7143 11.4.7.2: a two-byte
// SenseLength, then the sense data), clamped to what the segment holds.
Bytes sense_from_segment(ByteView segment);

// Logs in (CHAP from the URL or libiscsi's LIBISCSI_CHAP_* variables) and checks the LUN.
// A malformed URL gives Error(usage); a failed connection or login Error(transport).
std::unique_ptr<Transport> open_iscsi(const std::string& url);

}  // namespace camx::transport
