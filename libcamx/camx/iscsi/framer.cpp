// SPDX-License-Identifier: BSD-2-Clause
#include "camx/iscsi/framer.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "camx/iscsi/digest.hpp"

namespace camx::iscsi {

namespace {

Bhs copy_bhs(ByteView buf) {
    Bhs h{};
    std::copy_n(buf.begin(), bhs_size, h.begin());
    return h;
}

}  // namespace

std::size_t Framer::header_size(ByteView bhs) const {
    return bhs_size + std::size_t{bhs[4]} * 4 + (settings_.digests.header ? 4 : 0);
}

std::size_t Framer::total_size(ByteView bhs) const {
    std::size_t dsl = bytes::be24(bhs, 5);
    std::size_t data = dsl == 0 ? 0 : padded(dsl) + (settings_.digests.data ? 4 : 0);
    return header_size(bhs) + data;
}

void Framer::check_header(const Bhs& bhs, std::size_t total) const {
    std::uint8_t op = bhs[0] & 0x3f;
    if (!is_defined_opcode(op, settings_.peer)) {
        bool vendor = is_vendor_opcode(op, settings_.peer);
        throw ProtocolError(
            vendor ? RejectReason::command_not_supported : RejectReason::protocol_error,
            fmt::format("opcode 0x{:02x} ({}) is not accepted from the {}", op, opcode_name(op),
                        settings_.peer == Sender::initiator ? "initiator" : "target"),
            bhs, true, total);
    }
    std::uint32_t dsl = bytes::be24(bhs, 5);
    if (dsl > settings_.max_recv_data_segment_length)
        throw ProtocolError(RejectReason::protocol_error,
                            fmt::format("DataSegmentLength {} exceeds MaxRecvDataSegmentLength {}",
                                        dsl, settings_.max_recv_data_segment_length),
                            bhs, false, total);
}

std::size_t Framer::needed(ByteView buf) const {
    if (buf.size() < bhs_size) return bhs_size;
    std::size_t hdr = header_size(buf);
    if (settings_.digests.header && buf.size() < hdr) return hdr;
    Bhs bhs = copy_bhs(buf);
    if (settings_.digests.header) {
        std::uint32_t want = read_digest(buf, hdr - 4);
        std::uint32_t got = crc32c(buf.first(hdr - 4));
        if (want != got)
            throw ProtocolError(RejectReason::none,
                                fmt::format("header digest 0x{:08x} does not match the "
                                            "computed 0x{:08x}",
                                            want, got),
                                bhs, false, 0);
    }
    std::size_t total = total_size(buf);
    check_header(bhs, total);
    return total;
}

std::optional<Frame> Framer::next(ByteView buf) const {
    std::size_t total = needed(buf);
    if (buf.size() < total) return std::nullopt;
    Frame f;
    f.size = total;
    f.pdu.bhs = copy_bhs(buf);
    std::size_t ahs_len = std::size_t{buf[4]} * 4;
    try {
        f.pdu.ahs = decode_ahs(buf.subspan(bhs_size, ahs_len));
    } catch (const ProtocolError& e) {
        throw ProtocolError(e.reason(), e.what(), f.pdu.bhs, true, total);
    }
    std::size_t dsl = bytes::be24(buf, 5);
    if (dsl > 0) {
        std::size_t off = header_size(buf);
        ByteView segment = buf.subspan(off, padded(dsl));
        if (settings_.digests.data) {
            std::uint32_t want = read_digest(buf, off + segment.size());
            std::uint32_t got = crc32c(segment);
            if (want != got)
                throw ProtocolError(RejectReason::data_digest_error,
                                    fmt::format("data digest 0x{:08x} does not match the "
                                                "computed 0x{:08x}",
                                                want, got),
                                    f.pdu.bhs, true, total);
        }
        f.pdu.data.assign(segment.begin(), segment.begin() + static_cast<std::ptrdiff_t>(dsl));
    }
    return f;
}

}  // namespace camx::iscsi
