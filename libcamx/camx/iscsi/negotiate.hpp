// SPDX-License-Identifier: BSD-2-Clause
// Target side of iSCSI login and text negotiation (RFC 7143 6 and 13): answers the
// initiator's offers from the target's configuration and keeps the resulting parameters.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "camx/iscsi/keys.hpp"
#include "camx/iscsi/pdu.hpp"
#include "camx/iscsi/text_params.hpp"

namespace camx::iscsi {

// What the target accepts: numeric values are its side of min/max, booleans its side of
// AND/OR, lists its acceptable values in order of preference.
struct TargetConfig {
    std::vector<std::string> header_digest{"None"};
    std::vector<std::string> data_digest{"None"};
    std::vector<std::string> auth_methods{"None"};
    std::vector<std::string> task_reporting{"RFC3720"};
    std::uint32_t max_connections = 1;
    bool initial_r2t = true;
    bool immediate_data = true;
    std::uint32_t max_recv_data_segment_length = 262144;  // declared to the initiator
    std::uint32_t max_burst_length = 1048576;
    std::uint32_t first_burst_length = 65536;
    std::uint32_t default_time2wait = 2;
    std::uint32_t default_time2retain = 20;
    std::uint32_t max_outstanding_r2t = 1;
    bool data_pdu_in_order = true;
    bool data_sequence_in_order = true;
    std::uint32_t error_recovery_level = 0;
    std::uint32_t protocol_level = 1;
    std::uint16_t target_portal_group_tag = 1;
    std::string target_alias;  // declared when not empty
};

enum class SessionType : std::uint8_t { normal, discovery };

// Session-wide results; initial values are the RFC 7143 defaults.
struct SessionParams {
    SessionType session_type = SessionType::normal;
    std::string initiator_name;
    std::string initiator_alias;
    std::string target_name;
    std::uint32_t max_connections = 1;
    bool initial_r2t = true;
    bool immediate_data = true;
    std::uint32_t max_burst_length = 262144;
    std::uint32_t first_burst_length = 65536;
    std::uint32_t default_time2wait = 2;
    std::uint32_t default_time2retain = 20;
    std::uint32_t max_outstanding_r2t = 1;
    bool data_pdu_in_order = true;
    bool data_sequence_in_order = true;
    std::uint32_t error_recovery_level = 0;
    std::string task_reporting = "RFC3720";
    std::uint32_t protocol_level = 1;
    bool operator==(const SessionParams&) const = default;
};

struct ConnectionParams {
    Digests digests;
    std::string auth_method = "None";
    std::uint32_t max_recv_data_segment_length = 8192;  // ours: what the initiator may send
    std::uint32_t max_send_data_segment_length = 8192;  // the initiator's declaration
    bool operator==(const ConnectionParams&) const = default;
};

void to_json(nlohmann::json& j, const SessionParams& s);
void to_json(nlohmann::json& j, const ConnectionParams& c);

// A negotiation the target must end with a failed Login Response of this status.
class NegotiationError : public Error {
  public:
    NegotiationError(LoginStatus status, const std::string& message);
    LoginStatus status() const noexcept { return status_; }

  private:
    LoginStatus status_;
};

struct NegotiationResult {
    TextList response;  // keys to send back, in the order offered, then declarations
    TextList deferred;  // CHAP_* and SendTargets: for the authenticator or discovery
};

class Negotiator {
  public:
    // leading: the session's first connection (TSIH 0 in the Login Request).
    explicit Negotiator(TargetConfig config, bool leading = true);

    // Answers one Login or Text Request's keys in `stage`. Throws NegotiationError for a key
    // offered twice, a security key outside the security stage, or an invalid SessionType.
    NegotiationResult respond(const TextList& offers, Stage stage);

    // Starts a new Text negotiation in full feature phase: keys settled by earlier
    // sequences may be offered again.
    void begin_text_negotiation() { seen_.clear(); }

    // At the end of login: InitiatorName, and TargetName for a Normal session, were given.
    // Throws NegotiationError(missing_parameter).
    void check_complete() const;

    const SessionParams& session() const { return session_; }
    const ConnectionParams& connection() const { return connection_; }
    const TargetConfig& config() const { return config_; }

  private:
    std::optional<std::string> answer(const KeyValue& kv, Stage stage);
    std::optional<std::string> declared(const KeyValue& kv);
    std::string negotiated(const KeyInfo& info, const KeyValue& kv);
    void declare(TextList& out, Stage stage);

    TargetConfig config_;
    bool leading_;
    SessionParams session_;
    ConnectionParams connection_;
    std::set<std::string, std::less<>> seen_;
    bool declared_tpgt_ = false;
    bool declared_mrdsl_ = false;
    bool declared_alias_ = false;
};

}  // namespace camx::iscsi
