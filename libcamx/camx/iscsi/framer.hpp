// SPDX-License-Identifier: BSD-2-Clause
// Cuts a received byte stream into iSCSI PDUs: says how many bytes the next PDU needs,
// checks digests and negotiated limits, and names the Reject to send for what it refuses.
#pragma once

#include <cstdint>
#include <optional>

#include "camx/iscsi/pdu.hpp"

namespace camx::iscsi {

struct FramerSettings {
    Digests digests;  // as negotiated; in force from the first PDU after the Login Phase
    // Our declared MaxRecvDataSegmentLength (8192 during login, RFC 7143 13.12).
    std::uint32_t max_recv_data_segment_length = 8192;
    Sender peer = Sender::initiator;  // whose opcodes are acceptable
};

struct Frame {
    Pdu pdu;
    std::size_t size = 0;  // bytes the PDU took on the wire, to drop from the buffer
};

class Framer {
  public:
    explicit Framer(FramerSettings settings = {}) : settings_(settings) {}
    void set(FramerSettings settings) { settings_ = settings; }
    const FramerSettings& settings() const { return settings_; }

    // The wire size of the next PDU as far as buf tells: 48 until the BHS is complete, then
    // up to the header digest while it is unchecked, then the whole PDU. Throws
    // ProtocolError for a header that cannot be accepted.
    std::size_t needed(ByteView buf) const;

    // The next PDU once buf holds all of it, nullopt while more bytes are needed.
    // Throws ProtocolError: header digest error (drop the connection, no Reject), bad
    // opcode (protocol_error, or command_not_supported for vendor opcodes), data segment
    // over MaxRecvDataSegmentLength (protocol_error, not resumable), AHS chain not tiling
    // TotalAHSLength (invalid_pdu_field), data digest error (data_digest_error, resumable).
    std::optional<Frame> next(ByteView buf) const;

  private:
    std::size_t header_size(ByteView bhs) const;
    std::size_t total_size(ByteView bhs) const;
    void check_header(const Bhs& bhs, std::size_t total) const;
    FramerSettings settings_;
};

}  // namespace camx::iscsi
