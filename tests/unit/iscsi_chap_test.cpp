// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include "camx/bytes/hex.hpp"
#include "camx/iscsi/chap.hpp"
#include "camx/iscsi/negotiate.hpp"

namespace camx::iscsi {
namespace {

Bytes seq(std::size_t n, std::uint8_t start) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(start + i);
    return b;
}

TEST(IscsiChap, BinaryEncodings) {
    EXPECT_EQ(encode_binary(Bytes{0xde, 0xad, 0x01}), "0xdead01");
    EXPECT_EQ(decode_binary("0xDEAD01"), (Bytes{0xde, 0xad, 0x01}));
    EXPECT_EQ(decode_binary("0X123"), (Bytes{0x01, 0x23}));  // odd: implied leading zero
    EXPECT_EQ(encode_binary(Bytes{'h', 'e', 'l', 'l', 'o'}, BinaryEncoding::base64), "0baGVsbG8=");
    EXPECT_EQ(decode_binary("0baGVsbG8="), (Bytes{'h', 'e', 'l', 'l', 'o'}));
    EXPECT_EQ(decode_binary("0BAQI="), (Bytes{1, 2}));
    for (std::size_t n = 1; n < 8; ++n) {
        Bytes b = seq(n, 0xf0);
        EXPECT_EQ(decode_binary(encode_binary(b, BinaryEncoding::base64)), b);
        EXPECT_EQ(decode_binary(encode_binary(b)), b);
    }
    EXPECT_THROW(decode_binary("0x"), Error);
    EXPECT_THROW(decode_binary("0xzz"), Error);
    EXPECT_THROW(decode_binary("dead"), Error);
    EXPECT_THROW(decode_binary("0bAQI"), Error);    // not a multiple of 4
    EXPECT_THROW(decode_binary("0bA QI="), Error);  // whitespace
    EXPECT_THROW(decode_binary("0b"), Error);
}

// Expected digests from `printf '\x2asecretsecret\x00...\x0f' | md5sum`.
TEST(IscsiChap, Md5ResponseKnownVector) {
    EXPECT_EQ(hex::compact(chap::md5_response(0x2a, "secretsecret", seq(16, 0))),
              "54d49338a27b0c1dd5e935c21ab005a3");
    EXPECT_TRUE(chap::equal_constant_time(Bytes{1, 2}, Bytes{1, 2}));
    EXPECT_FALSE(chap::equal_constant_time(Bytes{1, 2}, Bytes{1, 3}));
    EXPECT_FALSE(chap::equal_constant_time(Bytes{1, 2}, Bytes{1}));
}

ChapLookup users(bool mutual) {
    return [mutual](std::string_view name) -> std::optional<ChapCredentials> {
        if (name != "alice") return std::nullopt;
        ChapCredentials c{{"alice", "secretsecret"}, std::nullopt};
        if (mutual) c.target = ChapSecret{"iqn.target", "targetsecret1"};
        return c;
    };
}

TextList answer_for(const ChapTarget& t, std::string_view secret, std::string_view name = "alice") {
    return {{"CHAP_N", std::string(name)},
            {"CHAP_R", encode_binary(chap::md5_response(t.id(), secret, t.challenge_bytes()))}};
}

TEST(IscsiChap, ChallengeAndVerify) {
    ChapTarget t;
    TextList c = t.challenge("7,5");
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0], (KeyValue{"CHAP_A", "5"}));
    EXPECT_EQ(c[1].value, std::to_string(t.id()));
    EXPECT_EQ(decode_binary(c[2].value), t.challenge_bytes());
    EXPECT_EQ(t.challenge_bytes().size(), 16u);
    EXPECT_TRUE(t.verify(answer_for(t, "secretsecret"), users(false)).empty());
    EXPECT_TRUE(t.authenticated());
    EXPECT_EQ(t.user(), "alice");
    // Base64 responses are as good as hex.
    ChapTarget b(32);
    b.challenge("5");
    EXPECT_EQ(b.challenge_bytes().size(), 32u);
    TextList r{
        {"CHAP_N", "alice"},
        {"CHAP_R", encode_binary(chap::md5_response(b.id(), "secretsecret", b.challenge_bytes()),
                                 BinaryEncoding::base64)}};
    EXPECT_NO_THROW(b.verify(r, users(false)));
    // Two challenges differ.
    ChapTarget t2;
    t2.challenge("5");
    EXPECT_NE(t2.challenge_bytes(), t.challenge_bytes());
}

LoginStatus status_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const NegotiationError& e) {
        return e.status();
    }
    ADD_FAILURE() << "no NegotiationError";
    return LoginStatus::success;
}

TEST(IscsiChap, Failures) {
    EXPECT_EQ(status_of([] { ChapTarget().challenge("6,7"); }),
              LoginStatus::authentication_failure);
    EXPECT_THROW(ChapTarget(8), Error);
    EXPECT_EQ(status_of([] {
                  ChapTarget t;
                  t.challenge("5");
                  t.verify(answer_for(t, "wrongsecret!"), users(false));
              }),
              LoginStatus::authentication_failure);
    EXPECT_EQ(status_of([] {
                  ChapTarget t;
                  t.challenge("5");
                  t.verify(answer_for(t, "secretsecret", "mallory"), users(false));
              }),
              LoginStatus::authentication_failure);
    EXPECT_EQ(status_of([] { ChapTarget().verify({}, users(false)); }),
              LoginStatus::initiator_error);
    EXPECT_EQ(status_of([] {
                  ChapTarget t;
                  t.challenge("5");
                  t.verify({{"CHAP_N", "alice"}}, users(false));
              }),
              LoginStatus::initiator_error);
    EXPECT_EQ(status_of([] {
                  ChapTarget t;
                  t.challenge("5");
                  t.verify({{"CHAP_N", "alice"}, {"CHAP_R", "0xnothex"}}, users(false));
              }),
              LoginStatus::initiator_error);
    // One answer per challenge: a replay after a failure is refused.
    ChapTarget t;
    t.challenge("5");
    TextList good = answer_for(t, "secretsecret");
    EXPECT_THROW(t.verify(answer_for(t, "bad-secret!!"), users(false)), NegotiationError);
    EXPECT_EQ(status_of([&] { t.verify(good, users(false)); }), LoginStatus::initiator_error);
}

TEST(IscsiChap, MutualChap) {
    ChapTarget t;
    t.challenge("5");
    TextList keys = answer_for(t, "secretsecret");
    Bytes theirs{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    keys.push_back({"CHAP_I", "7"});
    keys.push_back({"CHAP_C", encode_binary(theirs)});
    TextList reply = t.verify(keys, users(true));
    ASSERT_EQ(reply.size(), 2u);
    EXPECT_EQ(reply[0], (KeyValue{"CHAP_N", "iqn.target"}));
    // From `printf '\x07targetsecret1\xde\xad\xbe\xef\x01...\x0c' | md5sum`.
    EXPECT_EQ(reply[1].value, "0x9698b9838b84b8171e5f806bda8e23c8");

    // No target secret configured: mutual CHAP cannot succeed.
    ChapTarget n;
    n.challenge("5");
    TextList k2 = answer_for(n, "secretsecret");
    k2.push_back({"CHAP_I", "7"});
    k2.push_back({"CHAP_C", encode_binary(theirs)});
    EXPECT_EQ(status_of([&] { n.verify(k2, users(false)); }), LoginStatus::authentication_failure);

    // A reflected challenge is refused.
    ChapTarget r;
    r.challenge("5");
    TextList k3 = answer_for(r, "secretsecret");
    k3.push_back({"CHAP_I", "7"});
    k3.push_back({"CHAP_C", encode_binary(r.challenge_bytes())});
    EXPECT_EQ(status_of([&] { r.verify(k3, users(true)); }), LoginStatus::authentication_failure);

    // Half a mutual challenge, or a bad CHAP_I.
    ChapTarget h;
    h.challenge("5");
    TextList k4 = answer_for(h, "secretsecret");
    k4.push_back({"CHAP_I", "256"});
    k4.push_back({"CHAP_C", "0x01"});
    EXPECT_EQ(status_of([&] { h.verify(k4, users(true)); }), LoginStatus::initiator_error);
    ChapTarget h2;
    h2.challenge("5");
    TextList k5 = answer_for(h2, "secretsecret");
    k5.push_back({"CHAP_C", "0x01"});
    EXPECT_EQ(status_of([&] { h2.verify(k5, users(true)); }), LoginStatus::initiator_error);
}

}  // namespace
}  // namespace camx::iscsi
