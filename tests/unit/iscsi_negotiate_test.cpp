// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include "camx/iscsi/keys.hpp"
#include "camx/iscsi/negotiate.hpp"
#include "camx/iscsi/text_params.hpp"

namespace camx::iscsi {
namespace {

Bytes raw(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

TEST(IscsiText, DecodeAndEncode) {
    using namespace std::string_literals;
    Bytes b = raw("InitiatorName=iqn.a\0HeaderDigest=CRC32C,None\0X-vendor.foo=\0"s);
    TextList t = decode_text(b);
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t[0], (KeyValue{"InitiatorName", "iqn.a"}));
    EXPECT_EQ(t[1], (KeyValue{"HeaderDigest", "CRC32C,None"}));
    EXPECT_EQ(t[2], (KeyValue{"X-vendor.foo", ""}));
    EXPECT_EQ(encode_text(t), b);
    EXPECT_EQ(*find_value(t, "HeaderDigest"), "CRC32C,None");
    EXPECT_EQ(find_value(t, "DataDigest"), nullptr);
    // Stray NULs (padding some initiators leave in the length) are skipped.
    EXPECT_EQ(decode_text(raw("a=1\0\0\0"s)).size(), 1u);
    EXPECT_TRUE(decode_text({}).empty());
    // Values may hold '='.
    EXPECT_EQ(decode_text(raw("CHAP_C=0bYQ==\0"s))[0].value, "0bYQ==");
}

TEST(IscsiText, RejectsMalformedAndOverLimit) {
    using namespace std::string_literals;
    EXPECT_THROW(decode_text(raw("a=1")), Error);          // no NUL
    EXPECT_THROW(decode_text(raw("novalue\0"s)), Error);   // no '='
    EXPECT_THROW(decode_text(raw("=1\0"s)), Error);        // empty key
    EXPECT_THROW(decode_text(raw("a b=1\0"s)), Error);     // invalid key character
    EXPECT_THROW(decode_text(raw("a=1\0a=2\0"s)), Error);  // duplicate
    TextLimits dup;
    dup.allow_duplicates = true;
    EXPECT_EQ(decode_text(raw("TargetAddress=a\0TargetAddress=b\0"s), dup).size(), 2u);
    TextLimits small;
    small.max_key_bytes = 3;
    small.max_value_bytes = 4;
    small.max_total_bytes = 32;
    small.max_pairs = 2;
    EXPECT_THROW(decode_text(raw("abcd=1\0"s), small), Error);
    EXPECT_THROW(decode_text(raw("abc=12345\0"s), small), Error);
    EXPECT_NO_THROW(decode_text(raw("abc=1234\0"s), small));
    EXPECT_THROW(decode_text(Bytes(33, 'a'), small), Error);
    EXPECT_THROW(decode_text(raw("a=1\0b=2\0c=3\0"s), small), Error);
    EXPECT_THROW(decode_text(Bytes(64, 'k')), Error);  // 63-byte key limit, no '='
    EXPECT_THROW(encode_text({{"bad key", "x"}}), Error);
    EXPECT_THROW(encode_text({{"k", std::string("a\0b", 3)}}), Error);
}

TEST(IscsiText, EveryPrefixDecodesOrThrows) {
    using namespace std::string_literals;
    Bytes b = raw("InitiatorName=iqn.a\0MaxBurstLength=262144\0X#x=y\0"s);
    for (std::size_t n = 0; n <= b.size(); ++n) {
        try {
            decode_text(ByteView(b).first(n));
        } catch (const Error&) {
        }
    }
}

TEST(IscsiKeys, TableMatchesRfc7143) {
    const KeyInfo* k = find_key("MaxBurstLength");
    ASSERT_TRUE(k);
    EXPECT_EQ(k->kind, KeyKind::numeric_min);
    EXPECT_EQ(k->default_value, "262144");
    EXPECT_EQ(k->min, 512u);
    EXPECT_EQ(k->max, 16777215u);
    EXPECT_EQ(k->use, KeyUse::leading_only);
    EXPECT_EQ(find_key("DefaultTime2Wait")->kind, KeyKind::numeric_max);
    EXPECT_EQ(find_key("InitialR2T")->kind, KeyKind::boolean_or);
    EXPECT_EQ(find_key("ImmediateData")->kind, KeyKind::boolean_and);
    EXPECT_EQ(find_key("MaxRecvDataSegmentLength")->scope, KeyScope::connection);
    EXPECT_EQ(find_key("MaxRecvDataSegmentLength")->kind, KeyKind::declarative);
    EXPECT_EQ(find_key("HeaderDigest")->values.size(), 2u);
    EXPECT_EQ(find_key("AuthMethod")->stage, KeyStage::security);
    EXPECT_EQ(find_key("ErrorRecoveryLevel")->max, 2u);
    EXPECT_EQ(find_key("SendTargets")->use, KeyUse::full_feature_only);
    EXPECT_EQ(find_key("X-foo"), nullptr);
    EXPECT_TRUE(is_extension_key("X-com.example.foo"));
    EXPECT_TRUE(is_extension_key("X#bar"));
    EXPECT_FALSE(is_extension_key("Xfoo"));
    for (const auto& info : key_table()) {
        if (info.kind == KeyKind::numeric_min || info.kind == KeyKind::numeric_max) {
            std::uint64_t def = std::stoull(std::string(info.default_value));
            EXPECT_GE(def, info.min) << info.name;
            EXPECT_LE(def, info.max) << info.name;
        }
    }
}

std::string answer(const NegotiationResult& r, std::string_view key) {
    const std::string* v = find_value(r.response, key);
    return v ? *v : "<none>";
}

TEST(IscsiNegotiate, DefaultsWhenNothingIsOffered) {
    Negotiator n(TargetConfig{});
    auto r = n.respond({{"InitiatorName", "iqn.i"}, {"TargetName", "iqn.t"}}, Stage::operational);
    SessionParams defaults;
    defaults.initiator_name = "iqn.i";
    defaults.target_name = "iqn.t";
    EXPECT_EQ(n.session(), defaults);
    EXPECT_EQ(n.connection().max_send_data_segment_length, 8192u);
    EXPECT_FALSE(n.connection().digests.header);
    // Declarations: portal group tag and our receive limit, once.
    EXPECT_EQ(answer(r, "TargetPortalGroupTag"), "1");
    EXPECT_EQ(answer(r, "MaxRecvDataSegmentLength"), "262144");
    EXPECT_EQ(answer(r, "InitiatorName"), "<none>");
    EXPECT_EQ(r.response.size(), 2u);
    EXPECT_TRUE(n.respond({}, Stage::operational).response.empty());
    EXPECT_NO_THROW(n.check_complete());
}

TEST(IscsiNegotiate, NumericMinMaxAndBooleanAndOr) {
    TargetConfig cfg;
    cfg.max_burst_length = 131072;
    cfg.default_time2wait = 5;
    cfg.default_time2retain = 0;
    cfg.initial_r2t = false;
    cfg.immediate_data = true;
    cfg.data_pdu_in_order = true;
    cfg.error_recovery_level = 0;
    Negotiator n(cfg);
    auto r = n.respond({{"MaxBurstLength", "262144"},
                        {"DefaultTime2Wait", "2"},
                        {"DefaultTime2Retain", "20"},
                        {"InitialR2T", "No"},
                        {"ImmediateData", "No"},
                        {"DataPDUInOrder", "No"},
                        {"ErrorRecoveryLevel", "2"},
                        {"MaxOutstandingR2T", "0x10"},
                        {"MaxRecvDataSegmentLength", "65536"}},
                       Stage::operational);
    EXPECT_EQ(answer(r, "MaxBurstLength"), "131072");  // min
    EXPECT_EQ(answer(r, "DefaultTime2Wait"), "5");     // max
    EXPECT_EQ(answer(r, "DefaultTime2Retain"), "0");   // min
    EXPECT_EQ(answer(r, "InitialR2T"), "No");          // No OR No
    EXPECT_EQ(answer(r, "ImmediateData"), "No");       // No AND Yes
    EXPECT_EQ(answer(r, "DataPDUInOrder"), "Yes");     // No OR Yes
    EXPECT_EQ(answer(r, "ErrorRecoveryLevel"), "0");
    EXPECT_EQ(answer(r, "MaxOutstandingR2T"), "1");  // hex offer, min with 1
    EXPECT_EQ(n.session().max_burst_length, 131072u);
    EXPECT_EQ(n.session().default_time2wait, 5u);
    EXPECT_FALSE(n.session().initial_r2t);
    EXPECT_FALSE(n.session().immediate_data);
    EXPECT_TRUE(n.session().data_pdu_in_order);
    EXPECT_EQ(n.connection().max_send_data_segment_length, 65536u);
    // The response keeps the offer order, declarations after.
    EXPECT_EQ(r.response.front().key, "MaxBurstLength");

    Negotiator yes(cfg);
    r = yes.respond({{"InitialR2T", "Yes"}, {"ImmediateData", "Yes"}}, Stage::operational);
    EXPECT_EQ(answer(r, "InitialR2T"), "Yes");
    EXPECT_EQ(answer(r, "ImmediateData"), "Yes");
}

TEST(IscsiNegotiate, FirstBurstLengthNeverExceedsMaxBurstLength) {
    TargetConfig cfg;
    cfg.first_burst_length = 1 << 20;
    cfg.max_burst_length = 1 << 20;
    Negotiator n(cfg);
    auto r = n.respond({{"FirstBurstLength", "524288"}, {"MaxBurstLength", "262144"}},
                       Stage::operational);
    EXPECT_EQ(answer(r, "MaxBurstLength"), "262144");
    EXPECT_EQ(answer(r, "FirstBurstLength"), "262144");
    EXPECT_EQ(n.session().first_burst_length, 262144u);
    EXPECT_EQ(r.response[0].key, "FirstBurstLength");  // answered in place

    // Irrelevant with InitialR2T=Yes and ImmediateData=No.
    Negotiator m(TargetConfig{});
    r = m.respond({{"FirstBurstLength", "65536"}, {"ImmediateData", "No"}}, Stage::operational);
    EXPECT_EQ(answer(r, "FirstBurstLength"), "Irrelevant");
}

TEST(IscsiNegotiate, ListsUnknownAndExtensionKeys) {
    TargetConfig cfg;
    cfg.header_digest = {"CRC32C", "None"};
    cfg.data_digest = {"None"};
    Negotiator n(cfg);
    auto r = n.respond({{"HeaderDigest", "CRC32C,None"},
                        {"DataDigest", "CRC32C"},
                        {"X-com.example.knob", "1"},
                        {"X#registered", "2"},
                        {"NoSuchKey", "3"},
                        {"IFMarker", "No"},
                        {"OFMarkInt", "1~65535"},
                        {"MaxConnections", "0"},
                        {"InitialR2T", "maybe"},
                        {"MaxRecvDataSegmentLength", "100"},
                        {"TargetAlias", "from-initiator"},
                        {"SendTargets", "All"}},
                       Stage::operational);
    EXPECT_EQ(answer(r, "HeaderDigest"), "CRC32C");
    EXPECT_EQ(answer(r, "DataDigest"), "Reject");  // no offered value acceptable
    EXPECT_EQ(answer(r, "X-com.example.knob"), "NotUnderstood");
    EXPECT_EQ(answer(r, "X#registered"), "NotUnderstood");
    EXPECT_EQ(answer(r, "NoSuchKey"), "NotUnderstood");
    EXPECT_EQ(answer(r, "IFMarker"), "Reject");  // obsolete: never NotUnderstood
    EXPECT_EQ(answer(r, "OFMarkInt"), "Reject");
    EXPECT_EQ(answer(r, "MaxConnections"), "Reject");  // below 1
    EXPECT_EQ(answer(r, "InitialR2T"), "Reject");
    EXPECT_EQ(answer(r, "MaxRecvDataSegmentLength"), "Reject");
    EXPECT_EQ(answer(r, "TargetAlias"), "Reject");      // only targets send it
    EXPECT_EQ(answer(r, "SendTargets"), "Irrelevant");  // full feature phase only
    EXPECT_TRUE(n.connection().digests.header);
    EXPECT_FALSE(n.connection().digests.data);
    EXPECT_EQ(n.session().max_connections, 1u);
}

TEST(IscsiNegotiate, DiscoveryAndNonLeadingIrrelevance) {
    Negotiator d(TargetConfig{});
    auto r = d.respond({{"MaxBurstLength", "4096"},
                        {"SessionType", "Discovery"},
                        {"InitiatorName", "iqn.i"},
                        {"HeaderDigest", "None"}},
                       Stage::security);
    EXPECT_EQ(answer(r, "MaxBurstLength"), "Irrelevant");  // SessionType decided first
    EXPECT_EQ(answer(r, "HeaderDigest"), "None");
    EXPECT_EQ(answer(r, "TargetPortalGroupTag"), "<none>");  // only for Normal sessions
    EXPECT_NO_THROW(d.check_complete());                     // Discovery needs no TargetName

    Negotiator second(TargetConfig{}, false);
    r = second.respond({{"MaxBurstLength", "4096"}, {"HeaderDigest", "None"}}, Stage::operational);
    EXPECT_EQ(answer(r, "MaxBurstLength"), "Irrelevant");
    EXPECT_EQ(answer(r, "HeaderDigest"), "None");
}

TEST(IscsiNegotiate, ProtocolViolationsFailTheLogin) {
    Negotiator n(TargetConfig{});
    n.respond({{"MaxBurstLength", "4096"}}, Stage::operational);
    try {
        n.respond({{"MaxBurstLength", "8192"}}, Stage::operational);
        FAIL();
    } catch (const NegotiationError& e) {
        EXPECT_EQ(e.status(), LoginStatus::initiator_error);
    }
    try {
        Negotiator(TargetConfig{}).respond({{"AuthMethod", "None"}}, Stage::operational);
        FAIL();
    } catch (const NegotiationError& e) {
        EXPECT_EQ(e.status(), LoginStatus::initiator_error);
    }
    try {
        Negotiator(TargetConfig{}).respond({{"SessionType", "Other"}}, Stage::security);
        FAIL();
    } catch (const NegotiationError& e) {
        EXPECT_EQ(e.status(), LoginStatus::session_type_not_supported);
    }
    try {
        Negotiator m(TargetConfig{});
        m.respond({{"InitiatorName", "iqn.i"}}, Stage::security);
        m.check_complete();
        FAIL();
    } catch (const NegotiationError& e) {
        EXPECT_EQ(e.status(), LoginStatus::missing_parameter);
    }
    EXPECT_THROW(Negotiator(TargetConfig{}).respond({{"CHAP_A", "5"}}, Stage::operational),
                 NegotiationError);
}

TEST(IscsiNegotiate, SecurityStageDefersChapAndPicksAuthMethod) {
    TargetConfig cfg;
    cfg.auth_methods = {"CHAP"};
    Negotiator n(cfg);
    auto r = n.respond({{"AuthMethod", "None,CHAP"}, {"CHAP_A", "5"}}, Stage::security);
    EXPECT_EQ(answer(r, "AuthMethod"), "CHAP");
    ASSERT_EQ(r.deferred.size(), 1u);
    EXPECT_EQ(r.deferred[0].key, "CHAP_A");
    EXPECT_EQ(n.connection().auth_method, "CHAP");
    Negotiator none(cfg);
    EXPECT_EQ(answer(none.respond({{"AuthMethod", "None"}}, Stage::security), "AuthMethod"),
              "Reject");
}

TEST(IscsiNegotiate, FullFeatureTextNegotiation) {
    Negotiator n(TargetConfig{});
    n.respond({{"InitiatorName", "iqn.i"}, {"TargetName", "iqn.t"}}, Stage::operational);
    n.begin_text_negotiation();
    auto r = n.respond(
        {{"MaxRecvDataSegmentLength", "16384"}, {"MaxBurstLength", "4096"}, {"SendTargets", "All"}},
        Stage::full_feature);
    EXPECT_EQ(answer(r, "MaxBurstLength"), "Reject");  // LO keys are login only
    EXPECT_EQ(answer(r, "MaxRecvDataSegmentLength"), "<none>");
    EXPECT_EQ(n.connection().max_send_data_segment_length, 16384u);
    ASSERT_EQ(r.deferred.size(), 1u);
    EXPECT_EQ(r.deferred[0].key, "SendTargets");
}

TEST(IscsiNegotiate, ParamsToJson) {
    nlohmann::json j = Negotiator(TargetConfig{}).session();
    EXPECT_EQ(j["max_burst_length_bytes"], 262144);
    EXPECT_EQ(j["session_type"], "normal");
    nlohmann::json c = ConnectionParams{};
    EXPECT_EQ(c["header_digest"], "None");
}

}  // namespace
}  // namespace camx::iscsi
