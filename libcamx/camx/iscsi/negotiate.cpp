// SPDX-License-Identifier: BSD-2-Clause
#include "camx/iscsi/negotiate.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace camx::iscsi {

namespace {

constexpr std::size_t max_name_bytes = 223;  // iSCSI names (RFC 7143 4.2.7.1)

struct NumericBinding {
    std::string_view key;
    std::uint32_t SessionParams::*result;
    std::uint32_t TargetConfig::*ours;
};
constexpr NumericBinding numeric_bindings[] = {
    {"MaxConnections", &SessionParams::max_connections, &TargetConfig::max_connections},
    {"MaxBurstLength", &SessionParams::max_burst_length, &TargetConfig::max_burst_length},
    {"FirstBurstLength", &SessionParams::first_burst_length, &TargetConfig::first_burst_length},
    {"DefaultTime2Wait", &SessionParams::default_time2wait, &TargetConfig::default_time2wait},
    {"DefaultTime2Retain", &SessionParams::default_time2retain, &TargetConfig::default_time2retain},
    {"MaxOutstandingR2T", &SessionParams::max_outstanding_r2t, &TargetConfig::max_outstanding_r2t},
    {"ErrorRecoveryLevel", &SessionParams::error_recovery_level,
     &TargetConfig::error_recovery_level},
    {"iSCSIProtocolLevel", &SessionParams::protocol_level, &TargetConfig::protocol_level},
};

struct BooleanBinding {
    std::string_view key;
    bool SessionParams::*result;
    bool TargetConfig::*ours;
};
constexpr BooleanBinding boolean_bindings[] = {
    {"InitialR2T", &SessionParams::initial_r2t, &TargetConfig::initial_r2t},
    {"ImmediateData", &SessionParams::immediate_data, &TargetConfig::immediate_data},
    {"DataPDUInOrder", &SessionParams::data_pdu_in_order, &TargetConfig::data_pdu_in_order},
    {"DataSequenceInOrder", &SessionParams::data_sequence_in_order,
     &TargetConfig::data_sequence_in_order},
};

// decimal-constant or hex-constant (RFC 7143 6.1 numerical-value).
std::optional<std::uint64_t> parse_number(std::string_view v) {
    int base = 10;
    if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        v.remove_prefix(2);
        base = 16;
    }
    if (v.empty()) return std::nullopt;
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n, base);
    if (ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
    return n;
}

std::vector<std::string_view> split_list(std::string_view v) {
    std::vector<std::string_view> out;
    while (true) {
        std::size_t comma = v.find(',');
        out.push_back(v.substr(0, comma));
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
    }
    return out;
}

bool is_answer_value(std::string_view v) {
    return v == "NotUnderstood" || v == "Irrelevant" || v == "Reject";
}

std::string yes_no(bool b) {
    return b ? "Yes" : "No";
}

}  // namespace

NegotiationError::NegotiationError(LoginStatus status, const std::string& message)
    : Error(Category::transport, message), status_(status) {}

Negotiator::Negotiator(TargetConfig config, bool leading)
    : config_(std::move(config)), leading_(leading) {}

NegotiationResult Negotiator::respond(const TextList& offers, Stage stage) {
    NegotiationResult r;
    for (const auto& kv : offers) {
        if (!seen_.insert(kv.key).second)
            throw NegotiationError(LoginStatus::initiator_error,
                                   fmt::format("key {} negotiated more than once", kv.key));
    }
    // SessionType first: it decides which other keys are relevant. FirstBurstLength last:
    // its relevance and bound depend on InitialR2T, ImmediateData and MaxBurstLength.
    auto rank = [](const KeyValue& kv) {
        return kv.key == "SessionType" ? 0 : kv.key == "FirstBurstLength" ? 2 : 1;
    };
    std::vector<std::size_t> order(offers.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return rank(offers[a]) < rank(offers[b]);
    });
    std::vector<std::optional<std::string>> answers(offers.size());
    for (std::size_t i : order) {
        const KeyValue& kv = offers[i];
        const KeyInfo* info = find_key(kv.key);
        if (info && info->kind == KeyKind::security) {
            if (stage != Stage::security)
                throw NegotiationError(LoginStatus::initiator_error,
                                       fmt::format("{} outside the security stage", kv.key));
            r.deferred.push_back(kv);
        } else if (info && info->kind == KeyKind::request && stage == Stage::full_feature) {
            r.deferred.push_back(kv);
        } else {
            answers[i] = answer(kv, stage);
        }
    }
    for (std::size_t i = 0; i < offers.size(); ++i)
        if (answers[i]) r.response.push_back({offers[i].key, *answers[i]});
    declare(r.response, stage);
    return r;
}

std::optional<std::string> Negotiator::answer(const KeyValue& kv, Stage stage) {
    // Answers to offers from us; the target offers nothing, so there is nothing to settle.
    if (is_answer_value(kv.value)) return std::nullopt;
    const KeyInfo* info = find_key(kv.key);
    if (!info) return "NotUnderstood";  // unknown keys, X- and X# extensions included
    if (info->kind == KeyKind::obsolete) return "Reject";
    if (info->senders == KeySenders::target) return "Reject";
    if (info->stage == KeyStage::security && stage != Stage::security)
        throw NegotiationError(LoginStatus::initiator_error,
                               fmt::format("{} outside the security stage", kv.key));
    bool login = stage != Stage::full_feature;
    if (login && info->use == KeyUse::full_feature_only) return "Irrelevant";
    if (!login && info->use != KeyUse::all && info->use != KeyUse::full_feature_only)
        return "Reject";
    if (info->use == KeyUse::leading_only && !leading_ && kv.key != "SessionType")
        return "Irrelevant";
    if (session_.session_type == SessionType::discovery && info->irrelevant_in_discovery)
        return "Irrelevant";
    if (info->kind == KeyKind::declarative) return declared(kv);
    return negotiated(*info, kv);
}

std::optional<std::string> Negotiator::declared(const KeyValue& kv) {
    auto name = [&](std::string& into) -> std::optional<std::string> {
        if (kv.value.empty() || kv.value.size() > max_name_bytes)
            throw NegotiationError(LoginStatus::initiator_error,
                                   fmt::format("{} of {} bytes", kv.key, kv.value.size()));
        into = kv.value;
        return std::nullopt;
    };
    if (kv.key == "InitiatorName") return name(session_.initiator_name);
    if (kv.key == "TargetName") return name(session_.target_name);
    if (kv.key == "InitiatorAlias") {
        session_.initiator_alias = kv.value;
        return std::nullopt;
    }
    if (kv.key == "SessionType") {
        if (kv.value == "Normal")
            session_.session_type = SessionType::normal;
        else if (kv.value == "Discovery")
            session_.session_type = SessionType::discovery;
        else
            throw NegotiationError(LoginStatus::session_type_not_supported,
                                   fmt::format("SessionType={}", kv.value));
        return std::nullopt;
    }
    if (kv.key == "MaxRecvDataSegmentLength") {
        auto n = parse_number(kv.value);
        if (!n || *n < 512 || *n > (1u << 24) - 1) return "Reject";
        connection_.max_send_data_segment_length = static_cast<std::uint32_t>(*n);
        return std::nullopt;
    }
    return "Reject";
}

std::string Negotiator::negotiated(const KeyInfo& info, const KeyValue& kv) {
    if (info.kind == KeyKind::list) {
        const std::vector<std::string>* ours = nullptr;
        if (kv.key == "HeaderDigest") ours = &config_.header_digest;
        if (kv.key == "DataDigest") ours = &config_.data_digest;
        if (kv.key == "AuthMethod") ours = &config_.auth_methods;
        if (kv.key == "TaskReporting") ours = &config_.task_reporting;
        if (!ours) return "Reject";
        for (std::string_view offered : split_list(kv.value)) {
            if (std::find(ours->begin(), ours->end(), offered) == ours->end()) continue;
            std::string v(offered);
            if (kv.key == "HeaderDigest") connection_.digests.header = v == "CRC32C";
            if (kv.key == "DataDigest") connection_.digests.data = v == "CRC32C";
            if (kv.key == "AuthMethod") connection_.auth_method = v;
            if (kv.key == "TaskReporting") session_.task_reporting = v;
            return v;
        }
        return "Reject";
    }
    if (info.kind == KeyKind::boolean_and || info.kind == KeyKind::boolean_or) {
        if (kv.value != "Yes" && kv.value != "No") return "Reject";
        bool offer = kv.value == "Yes";
        for (const auto& b : boolean_bindings) {
            if (b.key != kv.key) continue;
            bool ours = config_.*b.ours;
            bool v = info.kind == KeyKind::boolean_and ? (offer && ours) : (offer || ours);
            session_.*b.result = v;
            return yes_no(v);
        }
        return "Reject";
    }
    auto n = parse_number(kv.value);
    if (!n || *n < info.min || *n > info.max) return "Reject";
    for (const auto& b : numeric_bindings) {
        if (b.key != kv.key) continue;
        std::uint64_t ours = config_.*b.ours;
        std::uint64_t v =
            info.kind == KeyKind::numeric_min ? std::min(*n, ours) : std::max(*n, ours);
        if (kv.key == "FirstBurstLength") {
            if (session_.initial_r2t && !session_.immediate_data) return "Irrelevant";
            v = std::min<std::uint64_t>(v, session_.max_burst_length);  // RFC 7143 13.14
        }
        session_.*b.result = static_cast<std::uint32_t>(v);
        if (kv.key == "MaxBurstLength")
            session_.first_burst_length =
                std::min(session_.first_burst_length, session_.max_burst_length);
        return std::to_string(v);
    }
    return "Reject";
}

void Negotiator::declare(TextList& out, Stage stage) {
    if (stage == Stage::full_feature) return;
    bool normal = session_.session_type == SessionType::normal;
    if (normal && !declared_tpgt_) {
        out.push_back({"TargetPortalGroupTag", std::to_string(config_.target_portal_group_tag)});
        declared_tpgt_ = true;
    }
    if (normal && !declared_alias_ && !config_.target_alias.empty()) {
        out.push_back({"TargetAlias", config_.target_alias});
        declared_alias_ = true;
    }
    if (stage == Stage::operational && !declared_mrdsl_) {
        out.push_back(
            {"MaxRecvDataSegmentLength", std::to_string(config_.max_recv_data_segment_length)});
        connection_.max_recv_data_segment_length = config_.max_recv_data_segment_length;
        declared_mrdsl_ = true;
    }
}

void Negotiator::check_complete() const {
    if (session_.initiator_name.empty())
        throw NegotiationError(LoginStatus::missing_parameter, "no InitiatorName was given");
    if (session_.session_type == SessionType::normal && session_.target_name.empty())
        throw NegotiationError(LoginStatus::missing_parameter,
                               "no TargetName was given for a Normal session");
}

void to_json(nlohmann::json& j, const SessionParams& s) {
    j = nlohmann::json{
        {"session_type", s.session_type == SessionType::normal ? "normal" : "discovery"},
        {"initiator_name", s.initiator_name},
        {"initiator_alias", s.initiator_alias},
        {"target_name", s.target_name},
        {"max_connections", s.max_connections},
        {"initial_r2t", s.initial_r2t},
        {"immediate_data", s.immediate_data},
        {"max_burst_length_bytes", s.max_burst_length},
        {"first_burst_length_bytes", s.first_burst_length},
        {"default_time2wait_seconds", s.default_time2wait},
        {"default_time2retain_seconds", s.default_time2retain},
        {"max_outstanding_r2t", s.max_outstanding_r2t},
        {"data_pdu_in_order", s.data_pdu_in_order},
        {"data_sequence_in_order", s.data_sequence_in_order},
        {"error_recovery_level", s.error_recovery_level},
        {"task_reporting", s.task_reporting},
        {"protocol_level", s.protocol_level},
    };
}

void to_json(nlohmann::json& j, const ConnectionParams& c) {
    j = nlohmann::json{
        {"header_digest", c.digests.header ? "CRC32C" : "None"},
        {"data_digest", c.digests.data ? "CRC32C" : "None"},
        {"auth_method", c.auth_method},
        {"max_recv_data_segment_length_bytes", c.max_recv_data_segment_length},
        {"max_send_data_segment_length_bytes", c.max_send_data_segment_length},
    };
}

}  // namespace camx::iscsi
