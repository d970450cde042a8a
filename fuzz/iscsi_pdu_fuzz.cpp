// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target for the iSCSI receive path: framer, typed PDU decoders, text parameters.
// The first byte picks the framer settings; the rest is the byte stream from the peer.
#include <cstddef>
#include <cstdint>

#include "camx/iscsi/chap.hpp"
#include "camx/iscsi/framer.hpp"
#include "camx/iscsi/pdu.hpp"
#include "camx/iscsi/text_params.hpp"

using namespace camx;
using namespace camx::iscsi;

namespace {

bool has_warnings(const AnyPdu& p) {
    if (auto r = std::get_if<ScsiResponse>(&p)) return !r->warnings.empty();
    if (auto a = std::get_if<AsyncMessage>(&p)) return !a->warnings.empty();
    return false;
}

void check_round_trip(const Pdu& pdu, const FramerSettings& settings) {
    AnyPdu typed = decode_pdu(pdu);
    // A model decoded with warnings is re-encoded in normal form; nothing to compare.
    if (has_warnings(typed)) return;
    Pdu again = encode_pdu(typed);
    // Reserved bits are dropped by the typed model, so compare model to model.
    Framer any(
        {settings.digests, 1u << 24, again.opcode() >= 0x20 ? Sender::target : Sender::initiator});
    Bytes wire = serialize(again, settings.digests);
    auto frame = any.next(wire);
    if (!frame || frame->size != wire.size() || !(decode_pdu(frame->pdu) == typed))
        __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    FramerSettings s;
    s.digests.header = (data[0] & 1) != 0;
    s.digests.data = (data[0] & 2) != 0;
    s.peer = (data[0] & 4) != 0 ? Sender::target : Sender::initiator;
    s.max_recv_data_segment_length = (data[0] & 8) != 0 ? 512 : 65536;
    Framer framer(s);
    ByteView stream(data + 1, size - 1);
    while (!stream.empty()) {
        try {
            std::size_t need = framer.needed(stream);
            auto frame = framer.next(stream);
            if (!frame) {
                if (need <= stream.size()) __builtin_trap();
                break;
            }
            if (frame->size == 0 || frame->size > stream.size()) __builtin_trap();
            stream = stream.subspan(frame->size);
            check_round_trip(frame->pdu, s);
            std::uint8_t op = frame->pdu.opcode();
            if (op == 0x03 || op == 0x04 || op == 0x23 || op == 0x24) {
                TextList t = decode_text(frame->pdu.data);
                if (decode_text(encode_text(t)) != t) __builtin_trap();
                for (const auto& kv : t) {
                    try {
                        decode_binary(kv.value);
                    } catch (const Error&) {
                    }
                }
            }
        } catch (const ProtocolError& e) {
            if (!e.resumable() || e.skip() == 0 || e.skip() > stream.size()) break;
            stream = stream.subspan(e.skip());
        } catch (const Error&) {
            break;
        }
    }
    return 0;
}
