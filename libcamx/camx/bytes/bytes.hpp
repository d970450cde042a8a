// SPDX-License-Identifier: BSD-2-Clause
// Byte views and bounds-checked big-endian access for the SCSI wire formats.
// Every read names its offset; one past the end throws camx::Error(malformed), never UB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "camx/error/error.hpp"

namespace camx {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

namespace bytes {

[[noreturn]] void throw_short(std::size_t need, std::size_t have);

inline void require(ByteView b, std::size_t off, std::size_t len) {
    if (off > b.size() || len > b.size() - off) throw_short(off + len, b.size());
}

inline std::uint64_t be(ByteView b, std::size_t off, std::size_t len) {
    require(b, off, len);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < len; ++i) v = (v << 8) | b[off + i];
    return v;
}
inline std::uint8_t u8(ByteView b, std::size_t off) { return static_cast<std::uint8_t>(be(b, off, 1)); }
inline std::uint16_t be16(ByteView b, std::size_t off) { return static_cast<std::uint16_t>(be(b, off, 2)); }
inline std::uint32_t be24(ByteView b, std::size_t off) { return static_cast<std::uint32_t>(be(b, off, 3)); }
inline std::uint32_t be32(ByteView b, std::size_t off) { return static_cast<std::uint32_t>(be(b, off, 4)); }
inline std::uint64_t be64(ByteView b, std::size_t off) { return be(b, off, 8); }

// Bit field [lo, hi] of a byte (hi >= lo, both 0..7).
inline unsigned bits(std::uint8_t byte, unsigned hi, unsigned lo) {
    return (byte >> lo) & ((1u << (hi - lo + 1)) - 1u);
}
inline bool bit(std::uint8_t byte, unsigned n) { return ((byte >> n) & 1u) != 0; }

// The part of b from off of at most len bytes: clamps instead of throwing, for decoders
// that report truncation rather than fail.
inline ByteView clamp(ByteView b, std::size_t off, std::size_t len) {
    if (off >= b.size()) return {};
    return b.subspan(off, std::min(len, b.size() - off));
}

inline void put_be(MutableByteView b, std::size_t off, std::size_t len, std::uint64_t v) {
    if (off > b.size() || len > b.size() - off) throw_short(off + len, b.size());
    for (std::size_t i = len; i-- > 0;) {
        b[off + i] = static_cast<std::uint8_t>(v & 0xff);
        v >>= 8;
    }
}
inline void put_be16(MutableByteView b, std::size_t off, std::uint16_t v) { put_be(b, off, 2, v); }
inline void put_be24(MutableByteView b, std::size_t off, std::uint32_t v) { put_be(b, off, 3, v); }
inline void put_be32(MutableByteView b, std::size_t off, std::uint32_t v) { put_be(b, off, 4, v); }
inline void put_be64(MutableByteView b, std::size_t off, std::uint64_t v) { put_be(b, off, 8, v); }

// Appending writer for encoders.
class Writer {
public:
    void u8(std::uint8_t v) { out_.push_back(v); }
    void be16(std::uint16_t v) { put(2, v); }
    void be24(std::uint32_t v) { put(3, v); }
    void be32(std::uint32_t v) { put(4, v); }
    void be64(std::uint64_t v) { put(8, v); }
    void raw(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
    // An ASCII field of exactly width bytes, space padded (SPC's left-aligned text fields).
    void ascii(const std::string& s, std::size_t width, char pad = ' ');
    std::size_t size() const { return out_.size(); }
    MutableByteView view() { return out_; }
    Bytes take() { return std::move(out_); }

private:
    void put(std::size_t len, std::uint64_t v) {
        out_.resize(out_.size() + len);
        put_be(out_, out_.size() - len, len, v);
    }
    Bytes out_;
};

}  // namespace bytes
}  // namespace camx
