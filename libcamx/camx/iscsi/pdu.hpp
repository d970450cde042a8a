// SPDX-License-Identifier: BSD-2-Clause
// iSCSI PDUs (RFC 7143 section 11): the 48-byte Basic Header Segment of every opcode as
// one struct each, with encode and decode side by side, AHS, data segment and wire form.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/iscsi/lun.hpp"

namespace camx::iscsi {

inline constexpr std::size_t bhs_size = 48;
inline constexpr std::uint32_t reserved_tag = 0xffffffffu;  // "no task tag" / "no TTT"

enum class Opcode : std::uint8_t {
    nop_out = 0x00,
    scsi_command = 0x01,
    task_management_request = 0x02,
    login_request = 0x03,
    text_request = 0x04,
    data_out = 0x05,
    logout_request = 0x06,
    snack_request = 0x10,
    nop_in = 0x20,
    scsi_response = 0x21,
    task_management_response = 0x22,
    login_response = 0x23,
    text_response = 0x24,
    data_in = 0x25,
    logout_response = 0x26,
    r2t = 0x31,
    async_message = 0x32,
    reject = 0x3f,
};

enum class Sender : std::uint8_t { initiator, target };

// A defined (non-reserved, non-vendor) opcode sent by `from`.
bool is_defined_opcode(std::uint8_t opcode, Sender from);
// Vendor-specific opcodes: 0x1c-0x1e from initiators, 0x3c-0x3e from targets.
bool is_vendor_opcode(std::uint8_t opcode, Sender from);
std::string_view opcode_name(std::uint8_t opcode);

// Reject reasons (RFC 7143 11.17.1).
enum class RejectReason : std::uint8_t {
    none = 0x00,  // not a Reject reason: the connection must be dropped without a Reject
    data_digest_error = 0x02,
    snack_reject = 0x03,
    protocol_error = 0x04,
    command_not_supported = 0x05,
    immediate_command_reject = 0x06,
    task_in_progress = 0x07,
    invalid_data_ack = 0x08,
    invalid_pdu_field = 0x09,
    long_op_reject = 0x0a,
    waiting_for_logout = 0x0c,
};
std::string_view reject_reason_name(std::uint8_t reason);

using Bhs = std::array<std::uint8_t, bhs_size>;

// A PDU the target cannot accept; reason() is the Reject to send (none: drop the connection).
// When resumable(), the stream is still in step: skip() bytes and read the next PDU.
class ProtocolError : public Error {
  public:
    ProtocolError(RejectReason reason, const std::string& message, std::optional<Bhs> header = {},
                  bool resumable = false, std::size_t skip = 0);
    RejectReason reason() const noexcept { return reason_; }
    // The offending BHS, the data segment of the Reject PDU; absent when not yet received.
    const std::optional<Bhs>& header() const noexcept { return header_; }
    bool resumable() const noexcept { return resumable_; }
    std::size_t skip() const noexcept { return skip_; }

  private:
    RejectReason reason_;
    std::optional<Bhs> header_;
    bool resumable_;
    std::size_t skip_;
};

// Additional Header Segment (RFC 7143 11.2.2): specific holds the bytes after AHSType
// (its first byte is the reserved byte of the defined types); AHSLength == specific.size().
struct Ahs {
    enum Type : std::uint8_t { extended_cdb = 1, bidirectional_read_length = 2 };
    std::uint8_t type = 0;
    Bytes specific;
    bool operator==(const Ahs&) const = default;
};

// A PDU as framed: BHS bytes, parsed AHS chain, data segment without padding or digest.
struct Pdu {
    Bhs bhs{};
    std::vector<Ahs> ahs;
    Bytes data;

    std::uint8_t opcode() const { return bhs[0] & 0x3f; }
    bool immediate() const { return (bhs[0] & 0x40) != 0; }
    bool final_bit() const { return (bhs[1] & 0x80) != 0; }
    std::uint8_t total_ahs_length() const { return bhs[4]; }  // in 4-byte words
    std::uint32_t data_segment_length() const { return bytes::be24(bhs, 5); }
    std::uint32_t initiator_task_tag() const { return bytes::be32(bhs, 16); }
    bool operator==(const Pdu&) const = default;
};

struct Digests {
    bool header = false;
    bool data = false;
    bool operator==(const Digests&) const = default;
};

// AHS chain codec; decode throws ProtocolError(invalid_pdu_field) when the chain does not
// tile the area exactly.
std::vector<Ahs> decode_ahs(ByteView area);
Bytes encode_ahs(const std::vector<Ahs>& ahs);

// The PDU on the wire: BHS (lengths recomputed from ahs and data), AHS, header digest,
// data padded to 4 bytes, data digest (only when there is data).
Bytes serialize(const Pdu& pdu, Digests digests = {});
std::size_t padded(std::size_t n);

// The wire bytes around a data segment that stays in its own buffer (a Data-In payload
// where the engine read it): the BHS with its header digest before it, the padding and data
// digest after it. head, the data and tail in a row equal serialize() of the same PDU.
struct Framing {
    std::array<std::uint8_t, bhs_size + 4> head{};
    std::uint8_t head_size = 0;
    std::array<std::uint8_t, 3 + 4> tail{};
    std::uint8_t tail_size = 0;
    ByteView head_bytes() const { return ByteView(head).first(head_size); }
    ByteView tail_bytes() const { return ByteView(tail).first(tail_size); }
};
// bhs: a header without AHS; its DataSegmentLength is set from data.
Framing frame(Bhs bhs, ByteView data, Digests digests = {});

// ---- Initiator PDUs ----

struct NopOut {
    bool immediate = false;
    Lun lun;
    std::uint32_t initiator_task_tag = reserved_tag;
    std::uint32_t target_transfer_tag = reserved_tag;
    std::uint32_t cmd_sn = 0;
    std::uint32_t exp_stat_sn = 0;
    Bytes ping_data;
    static NopOut decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const NopOut&) const = default;
};

enum class TaskAttribute : std::uint8_t {
    untagged = 0,
    simple = 1,
    ordered = 2,
    head_of_queue = 3,
    aca = 4,
};

struct ScsiCommand {
    bool immediate = false;
    bool final_bit = true;
    bool read = false;
    bool write = false;
    std::uint8_t attribute = static_cast<std::uint8_t>(TaskAttribute::simple);  // 3 bits
    Lun lun;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t expected_data_transfer_length = 0;
    std::uint32_t cmd_sn = 0;
    std::uint32_t exp_stat_sn = 0;
    // The whole CDB: the first 16 bytes ride in the BHS (zero padded), the rest in an
    // Extended CDB AHS. decode trims nothing: a short CDB comes back as 16 bytes.
    Bytes cdb;
    std::optional<std::uint32_t> bidirectional_read_length;  // Bidirectional AHS
    std::vector<Ahs> other_ahs;                              // AHS of other types, kept raw
    Bytes immediate_data;
    static ScsiCommand decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const ScsiCommand&) const = default;
};

enum class TmfFunction : std::uint8_t {
    abort_task = 1,
    abort_task_set = 2,
    clear_aca = 3,
    clear_task_set = 4,
    logical_unit_reset = 5,
    target_warm_reset = 6,
    target_cold_reset = 7,
    task_reassign = 8,
};
std::string_view tmf_function_name(std::uint8_t function);

struct TaskManagementRequest {
    bool immediate = false;
    std::uint8_t function = 0;  // TmfFunction, 7 bits
    Lun lun;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t referenced_task_tag = reserved_tag;
    std::uint32_t cmd_sn = 0;
    std::uint32_t exp_stat_sn = 0;
    std::uint32_t ref_cmd_sn = 0;
    std::uint32_t exp_data_sn = 0;
    static TaskManagementRequest decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const TaskManagementRequest&) const = default;
};

// Login stages (CSG/NSG).
enum class Stage : std::uint8_t {
    security = 0,
    operational = 1,
    full_feature = 3,
};
std::string_view stage_name(std::uint8_t stage);

using Isid = std::array<std::uint8_t, 6>;

struct LoginRequest {
    bool transit = false;
    bool continue_bit = false;
    std::uint8_t csg = 0;  // Stage
    std::uint8_t nsg = 0;
    std::uint8_t version_max = 0;
    std::uint8_t version_min = 0;
    Isid isid{};
    std::uint16_t tsih = 0;
    std::uint32_t initiator_task_tag = 0;
    std::uint16_t cid = 0;
    std::uint32_t cmd_sn = 0;
    std::uint32_t exp_stat_sn = 0;
    Bytes data;  // text key=value pairs
    static LoginRequest decode(const Pdu& pdu);
    Pdu encode() const;  // always Immediate, as RFC 7143 11.12 requires
    bool operator==(const LoginRequest&) const = default;
};

struct TextRequest {
    bool immediate = false;
    bool final_bit = true;
    bool continue_bit = false;
    Lun lun;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t target_transfer_tag = reserved_tag;
    std::uint32_t cmd_sn = 0;
    std::uint32_t exp_stat_sn = 0;
    Bytes data;
    static TextRequest decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const TextRequest&) const = default;
};

struct DataOut {
    bool final_bit = false;
    Lun lun;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t target_transfer_tag = reserved_tag;
    std::uint32_t exp_stat_sn = 0;
    std::uint32_t data_sn = 0;
    std::uint32_t buffer_offset = 0;
    Bytes data;
    static DataOut decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const DataOut&) const = default;
};

enum class LogoutReason : std::uint8_t {
    close_session = 0,
    close_connection = 1,
    remove_connection_for_recovery = 2,
};

struct LogoutRequest {
    bool immediate = false;
    std::uint8_t reason = 0;  // LogoutReason, 7 bits
    std::uint32_t initiator_task_tag = 0;
    std::uint16_t cid = 0;
    std::uint32_t cmd_sn = 0;
    std::uint32_t exp_stat_sn = 0;
    static LogoutRequest decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const LogoutRequest&) const = default;
};

enum class SnackType : std::uint8_t { data_r2t = 0, status = 1, data_ack = 2, r_data = 3 };

struct SnackRequest {
    std::uint8_t type = 0;  // SnackType, 4 bits
    Lun lun;
    std::uint32_t initiator_task_tag = reserved_tag;
    std::uint32_t target_transfer_tag = reserved_tag;  // or SNACK Tag
    std::uint32_t exp_stat_sn = 0;
    std::uint32_t beg_run = 0;
    std::uint32_t run_length = 0;
    static SnackRequest decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const SnackRequest&) const = default;
};

// ---- Target PDUs ----

struct NopIn {
    Lun lun;
    std::uint32_t initiator_task_tag = reserved_tag;
    std::uint32_t target_transfer_tag = reserved_tag;
    std::uint32_t stat_sn = 0;
    std::uint32_t exp_cmd_sn = 0;
    std::uint32_t max_cmd_sn = 0;
    Bytes ping_data;
    static NopIn decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const NopIn&) const = default;
};

// iSCSI Response codes of the SCSI Response PDU.
enum class ScsiResponseCode : std::uint8_t { command_completed = 0x00, target_failure = 0x01 };

struct ScsiResponse {
    bool bidi_read_overflow = false;   // o
    bool bidi_read_underflow = false;  // u
    bool overflow = false;             // O
    bool underflow = false;            // U
    std::uint8_t response = 0;
    std::uint8_t status = 0;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t snack_tag = 0;
    std::uint32_t stat_sn = 0;
    std::uint32_t exp_cmd_sn = 0;
    std::uint32_t max_cmd_sn = 0;
    std::uint32_t exp_data_sn = 0;
    std::uint32_t bidi_read_residual_count = 0;
    std::uint32_t residual_count = 0;
    // Data segment: SenseLength, sense data, then response data.
    Bytes sense;
    Bytes response_data;
    std::vector<std::string> warnings;
    static ScsiResponse decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const ScsiResponse&) const = default;
};

enum class TmfResponse : std::uint8_t {
    function_complete = 0,
    task_does_not_exist = 1,
    lun_does_not_exist = 2,
    task_still_allegiant = 3,
    reassignment_not_supported = 4,
    function_not_supported = 5,
    authorization_failed = 6,
    function_rejected = 255,
};
std::string_view tmf_response_name(std::uint8_t response);

struct TaskManagementResponse {
    std::uint8_t response = 0;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t stat_sn = 0;
    std::uint32_t exp_cmd_sn = 0;
    std::uint32_t max_cmd_sn = 0;
    static TaskManagementResponse decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const TaskManagementResponse&) const = default;
};

// Login Status-Class and Status-Detail as one 16-bit value (RFC 7143 11.13.5).
enum class LoginStatus : std::uint16_t {
    success = 0x0000,
    target_moved_temporarily = 0x0101,
    target_moved_permanently = 0x0102,
    initiator_error = 0x0200,
    authentication_failure = 0x0201,
    authorization_failure = 0x0202,
    not_found = 0x0203,
    target_removed = 0x0204,
    unsupported_version = 0x0205,
    too_many_connections = 0x0206,
    missing_parameter = 0x0207,
    cannot_include_in_session = 0x0208,
    session_type_not_supported = 0x0209,
    session_does_not_exist = 0x020a,
    invalid_during_login = 0x020b,
    target_error = 0x0300,
    service_unavailable = 0x0301,
    out_of_resources = 0x0302,
};
std::string_view login_status_name(std::uint16_t status);

struct LoginResponse {
    bool transit = false;
    bool continue_bit = false;
    std::uint8_t csg = 0;
    std::uint8_t nsg = 0;
    std::uint8_t version_max = 0;
    std::uint8_t version_active = 0;
    Isid isid{};
    std::uint16_t tsih = 0;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t stat_sn = 0;
    std::uint32_t exp_cmd_sn = 0;
    std::uint32_t max_cmd_sn = 0;
    std::uint8_t status_class = 0;
    std::uint8_t status_detail = 0;
    Bytes data;
    void set_status(LoginStatus s) {
        status_class = static_cast<std::uint8_t>(static_cast<std::uint16_t>(s) >> 8);
        status_detail = static_cast<std::uint8_t>(static_cast<std::uint16_t>(s) & 0xff);
    }
    static LoginResponse decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const LoginResponse&) const = default;
};

struct TextResponse {
    bool final_bit = true;
    bool continue_bit = false;
    Lun lun;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t target_transfer_tag = reserved_tag;
    std::uint32_t stat_sn = 0;
    std::uint32_t exp_cmd_sn = 0;
    std::uint32_t max_cmd_sn = 0;
    Bytes data;
    static TextResponse decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const TextResponse&) const = default;
};

struct DataIn {
    bool final_bit = false;
    bool acknowledge = false;     // A
    bool overflow = false;        // O
    bool underflow = false;       // U
    bool status_present = false;  // S: status, StatSN and residual are valid
    std::uint8_t status = 0;
    Lun lun;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t target_transfer_tag = reserved_tag;
    std::uint32_t stat_sn = 0;
    std::uint32_t exp_cmd_sn = 0;
    std::uint32_t max_cmd_sn = 0;
    std::uint32_t data_sn = 0;
    std::uint32_t buffer_offset = 0;
    std::uint32_t residual_count = 0;
    Bytes data;
    static DataIn decode(const Pdu& pdu);
    Pdu encode() const;
    // The BHS of encode() for a data segment of data_length bytes kept elsewhere (data is
    // not looked at): what frame() wants.
    Bhs header(std::uint32_t data_length) const;
    bool operator==(const DataIn&) const = default;
};

enum class LogoutResponseCode : std::uint8_t {
    success = 0,
    cid_not_found = 1,
    recovery_not_supported = 2,
    cleanup_failed = 3,
};

struct LogoutResponse {
    std::uint8_t response = 0;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t stat_sn = 0;
    std::uint32_t exp_cmd_sn = 0;
    std::uint32_t max_cmd_sn = 0;
    std::uint16_t time2wait = 0;
    std::uint16_t time2retain = 0;
    static LogoutResponse decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const LogoutResponse&) const = default;
};

struct R2t {
    Lun lun;
    std::uint32_t initiator_task_tag = 0;
    std::uint32_t target_transfer_tag = 0;
    std::uint32_t stat_sn = 0;
    std::uint32_t exp_cmd_sn = 0;
    std::uint32_t max_cmd_sn = 0;
    std::uint32_t r2t_sn = 0;
    std::uint32_t buffer_offset = 0;
    std::uint32_t desired_data_transfer_length = 0;
    static R2t decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const R2t&) const = default;
};

enum class AsyncEvent : std::uint8_t {
    scsi_event = 0,
    logout_request = 1,
    drop_connection = 2,
    drop_all_connections = 3,
    request_negotiation = 4,
    vendor_specific = 255,
};

struct AsyncMessage {
    Lun lun;
    std::uint32_t stat_sn = 0;
    std::uint32_t exp_cmd_sn = 0;
    std::uint32_t max_cmd_sn = 0;
    std::uint8_t async_event = 0;
    std::uint8_t async_vcode = 0;
    std::uint16_t parameter1 = 0;
    std::uint16_t parameter2 = 0;
    std::uint16_t parameter3 = 0;
    // Data segment: SenseLength, sense data, then iSCSI event data.
    Bytes sense;
    Bytes event_data;
    std::vector<std::string> warnings;
    static AsyncMessage decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const AsyncMessage&) const = default;
};

struct Reject {
    std::uint8_t reason = 0;  // RejectReason
    std::uint32_t stat_sn = 0;
    std::uint32_t exp_cmd_sn = 0;
    std::uint32_t max_cmd_sn = 0;
    std::uint32_t data_sn = 0;  // DataSN/R2TSN, for SNACK rejects
    Bytes header;               // the rejected PDU's BHS
    static Reject decode(const Pdu& pdu);
    Pdu encode() const;
    bool operator==(const Reject&) const = default;
};

using AnyPdu =
    std::variant<NopOut, ScsiCommand, TaskManagementRequest, LoginRequest, TextRequest, DataOut,
                 LogoutRequest, SnackRequest, NopIn, ScsiResponse, TaskManagementResponse,
                 LoginResponse, TextResponse, DataIn, LogoutResponse, R2t, AsyncMessage, Reject>;

// The typed PDU for pdu's opcode; throws ProtocolError (command_not_supported for vendor
// opcodes, protocol_error for reserved ones).
AnyPdu decode_pdu(const Pdu& pdu);
Pdu encode_pdu(const AnyPdu& pdu);

// A summary of any framed PDU: opcode and name, flags, tag, lengths, BHS as hex.
void to_json(nlohmann::json& j, const Pdu& pdu);

}  // namespace camx::iscsi
