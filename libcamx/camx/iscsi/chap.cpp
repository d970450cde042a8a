// SPDX-License-Identifier: BSD-2-Clause
#include "camx/iscsi/chap.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <memory>

#include <fmt/format.h>

#include "camx/iscsi/negotiate.hpp"

namespace camx::iscsi {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Bytes decode_hex(std::string_view digits) {
    if (digits.empty()) throw Error(Category::malformed, "hex value without digits");
    Bytes out((digits.size() + 1) / 2);
    std::size_t odd = digits.size() % 2;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        int v = hex_digit(digits[i]);
        if (v < 0)
            throw Error(Category::malformed, fmt::format("'{}' is not a hex digit", digits[i]));
        std::size_t pos = i + odd;
        out[pos / 2] = static_cast<std::uint8_t>(out[pos / 2] | (pos % 2 ? v : v << 4));
    }
    return out;
}

bool base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

Bytes decode_base64(std::string_view text) {
    // EVP_DecodeBlock skips whitespace and ignores padding: check the shape first.
    if (text.empty() || text.size() % 4 != 0)
        throw Error(Category::malformed,
                    "base64 value is not a whole number of 4-character groups");
    std::size_t pad = 0;
    while (pad < 2 && text[text.size() - 1 - pad] == '=') ++pad;
    for (std::size_t i = 0; i < text.size() - pad; ++i)
        if (!base64_char(text[i]))
            throw Error(Category::malformed,
                        fmt::format("'{}' is not a base64 character", text[i]));
    Bytes out(text.size() / 4 * 3);
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) throw Error(Category::malformed, "invalid base64 value");
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

void fail(LoginStatus status, const std::string& message) {
    throw NegotiationError(status, message);
}

}  // namespace

std::string encode_binary(ByteView b, BinaryEncoding encoding) {
    if (encoding == BinaryEncoding::hex) {
        std::string s = "0x";
        for (std::uint8_t v : b) s += fmt::format("{:02x}", v);
        return s;
    }
    std::string s(4 * ((b.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(s.data()), b.data(),
                            static_cast<int>(b.size()));
    s.resize(static_cast<std::size_t>(n));
    return "0b" + s;
}

Bytes decode_binary(std::string_view text) {
    if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        return decode_hex(text.substr(2));
    if (text.size() >= 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B'))
        return decode_base64(text.substr(2));
    throw Error(Category::malformed, "binary value must start with 0x or 0b");
}

namespace chap {

Bytes md5_response(std::uint8_t id, std::string_view secret, ByteView challenge) {
    MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    Bytes out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), &id, 1) != 1 ||
        EVP_DigestUpdate(ctx.get(), secret.data(), secret.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), challenge.data(), challenge.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1)
        throw Error(Category::other, "MD5 digest failed in OpenSSL");
    out.resize(len);
    return out;
}

bool equal_constant_time(ByteView a, ByteView b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace chap

ChapTarget::ChapTarget(std::size_t challenge_bytes) : challenge_size_(challenge_bytes) {
    if (challenge_bytes < 16 || challenge_bytes > chap::max_challenge_bytes)
        throw Error(Category::usage,
                    fmt::format("CHAP challenge of {} bytes (16 to 1024)", challenge_bytes));
}

TextList ChapTarget::challenge(std::string_view chap_a) {
    bool md5 = false;
    std::string_view rest = chap_a;
    while (!md5) {
        std::size_t comma = rest.find(',');
        md5 = rest.substr(0, comma) == "5";
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (!md5)
        fail(LoginStatus::authentication_failure, fmt::format("CHAP_A={} offers no MD5", chap_a));
    challenge_.resize(challenge_size_);
    if (RAND_bytes(&id_, 1) != 1 ||
        RAND_bytes(challenge_.data(), static_cast<int>(challenge_.size())) != 1)
        throw Error(Category::other, "OpenSSL RAND_bytes failed");
    challenged_ = true;
    return {
        {"CHAP_A", "5"}, {"CHAP_I", std::to_string(id_)}, {"CHAP_C", encode_binary(challenge_)}};
}

TextList ChapTarget::verify(const TextList& keys, const ChapLookup& lookup) {
    if (!challenged_ || authenticated_)
        fail(LoginStatus::initiator_error, "CHAP response without an outstanding challenge");
    challenged_ = false;  // one answer per challenge
    const std::string* name = find_value(keys, "CHAP_N");
    const std::string* response = find_value(keys, "CHAP_R");
    if (!name || !response) fail(LoginStatus::initiator_error, "CHAP_N or CHAP_R missing");
    Bytes got;
    try {
        got = decode_binary(*response);
    } catch (const Error& e) {
        fail(LoginStatus::initiator_error, fmt::format("CHAP_R: {}", e.what()));
    }
    auto creds = lookup(*name);
    // The digest is computed even for an unknown user so both failures take the same time.
    Bytes want =
        chap::md5_response(id_, creds ? creds->initiator.secret : std::string_view{}, challenge_);
    if (!creds || !chap::equal_constant_time(got, want))
        fail(LoginStatus::authentication_failure,
             fmt::format("CHAP authentication failed for user \"{}\"", *name));

    const std::string* mutual_id = find_value(keys, "CHAP_I");
    const std::string* mutual_challenge = find_value(keys, "CHAP_C");
    TextList reply;
    if (mutual_id || mutual_challenge) {
        if (!mutual_id || !mutual_challenge)
            fail(LoginStatus::initiator_error, "mutual CHAP needs both CHAP_I and CHAP_C");
        unsigned id = 0;
        auto [end, ec] =
            std::from_chars(mutual_id->data(), mutual_id->data() + mutual_id->size(), id);
        if (ec != std::errc{} || end != mutual_id->data() + mutual_id->size() || id > 255)
            fail(LoginStatus::initiator_error, fmt::format("CHAP_I={} is not 0..255", *mutual_id));
        Bytes c;
        try {
            c = decode_binary(*mutual_challenge);
        } catch (const Error& e) {
            fail(LoginStatus::initiator_error, fmt::format("CHAP_C: {}", e.what()));
        }
        if (c.empty() || c.size() > chap::max_challenge_bytes)
            fail(LoginStatus::initiator_error, fmt::format("CHAP_C of {} bytes", c.size()));
        if (!creds->target)
            fail(LoginStatus::authentication_failure,
                 fmt::format("mutual CHAP asked by \"{}\" but no target secret is set", *name));
        // RFC 7143 12.1.3: an initiator reflecting our own challenge is an attack.
        if (chap::equal_constant_time(c, challenge_))
            fail(LoginStatus::authentication_failure, "mutual CHAP challenge reflects ours");
        if (creds->target->secret == creds->initiator.secret)
            fail(LoginStatus::authentication_failure,
                 "mutual CHAP secret equals the initiator's secret");
        reply.push_back({"CHAP_N", creds->target->name});
        reply.push_back({"CHAP_R", encode_binary(chap::md5_response(static_cast<std::uint8_t>(id),
                                                                    creds->target->secret, c))});
    }
    authenticated_ = true;
    user_ = *name;
    return reply;
}

}  // namespace camx::iscsi
