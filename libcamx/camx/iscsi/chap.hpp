// SPDX-License-Identifier: BSD-2-Clause
// CHAP authentication for iSCSI logins (RFC 1994 with MD5, RFC 7143 12.1.3), target side:
// challenge, constant-time verification, and the answer to an initiator's mutual challenge.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "camx/bytes/bytes.hpp"
#include "camx/iscsi/text_params.hpp"

namespace camx::iscsi {

// Binary values in text keys (RFC 7143 6.1): "0x" hex (an odd digit count implies a leading
// zero nibble) or "0b" base64. decode_binary throws Error(malformed).
enum class BinaryEncoding : std::uint8_t { hex, base64 };
std::string encode_binary(ByteView b, BinaryEncoding encoding = BinaryEncoding::hex);
Bytes decode_binary(std::string_view text);

namespace chap {

inline constexpr std::uint8_t algorithm_md5 = 5;  // CHAP_A value
inline constexpr std::size_t max_challenge_bytes = 1024;

// MD5(id || secret || challenge), the CHAP response (RFC 1994 4.1).
Bytes md5_response(std::uint8_t id, std::string_view secret, ByteView challenge);
// Equal lengths and contents, in time independent of where they differ.
bool equal_constant_time(ByteView a, ByteView b);

}  // namespace chap

struct ChapSecret {
    std::string name;
    std::string secret;
};

// What an auth group holds for one initiator user: its secret and, for mutual CHAP, the
// name and secret the target answers with.
struct ChapCredentials {
    ChapSecret initiator;
    std::optional<ChapSecret> target;
};

// Finds the credentials for a CHAP_N; nullopt for an unknown user.
using ChapLookup = std::function<std::optional<ChapCredentials>(std::string_view name)>;

class ChapTarget {
  public:
    // challenge_bytes: at least 16 (and at most 1024) random bytes per challenge.
    explicit ChapTarget(std::size_t challenge_bytes = 16);

    // The initiator's CHAP_A list: answers CHAP_A=5, CHAP_I and CHAP_C. Throws
    // NegotiationError(authentication_failure) when MD5 is not offered.
    TextList challenge(std::string_view chap_a);

    // The initiator's CHAP_N and CHAP_R (with CHAP_I and CHAP_C for mutual CHAP): checks
    // the response and returns the keys to send (CHAP_N, CHAP_R for mutual, else none).
    // Throws NegotiationError(authentication_failure) for an unknown user, a wrong
    // response, a mutual challenge the target cannot or must not answer (no target
    // secret, a reflected challenge), and NegotiationError(initiator_error) for keys out
    // of order or badly formed.
    TextList verify(const TextList& keys, const ChapLookup& lookup);

    bool authenticated() const { return authenticated_; }
    const std::string& user() const { return user_; }
    std::uint8_t id() const { return id_; }
    const Bytes& challenge_bytes() const { return challenge_; }

  private:
    std::size_t challenge_size_;
    std::uint8_t id_ = 0;
    Bytes challenge_;
    bool challenged_ = false;
    bool authenticated_ = false;
    std::string user_;
};

}  // namespace camx::iscsi
