// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include "camx/iscsi/digest.hpp"
#include "camx/iscsi/framer.hpp"
#include "camx/iscsi/lun.hpp"
#include "camx/iscsi/pdu.hpp"
#include "camx/iscsi/serial.hpp"

namespace camx::iscsi {
namespace {

Bytes seq(std::size_t n, std::uint8_t start, int step) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(start + step * int(i));
    return b;
}

std::array<std::uint8_t, 4> wire(std::uint32_t crc) {
    return digest_bytes(crc);
}
using D4 = std::array<std::uint8_t, 4>;

// RFC 3720 appendix B.4 (carried over by RFC 7143): digests as transmitted.
TEST(IscsiCrc32c, Rfc3720Vectors) {
    EXPECT_EQ(wire(crc32c(Bytes(32, 0x00))), (D4{0xaa, 0x36, 0x91, 0x8a}));
    EXPECT_EQ(wire(crc32c(Bytes(32, 0xff))), (D4{0x43, 0xab, 0xa8, 0x62}));
    EXPECT_EQ(wire(crc32c(seq(32, 0, 1))), (D4{0x4e, 0x79, 0xdd, 0x46}));
    EXPECT_EQ(wire(crc32c(seq(32, 31, -1))), (D4{0x5c, 0xdb, 0x3f, 0x11}));
    Bytes read10{0x01, 0xc0, 0, 0, 0, 0, 0,    0, 0,    0, 0, 0,    0, 0, 0, 0,
                 0x14, 0,    0, 0, 0, 0, 0x04, 0, 0,    0, 0, 0x14, 0, 0, 0, 0x18,
                 0x28, 0,    0, 0, 0, 0, 0,    0, 0x02, 0, 0, 0,    0, 0, 0, 0};
    EXPECT_EQ(wire(crc32c(read10)), (D4{0x56, 0x3a, 0x96, 0xd9}));
}

TEST(IscsiCrc32c, CheckValueAndChaining) {
    std::string s = "123456789";
    Bytes b(s.begin(), s.end());
    EXPECT_EQ(crc32c(b), 0xe3069283u);  // the CRC-32C catalogue check value
    EXPECT_EQ(crc32c_extend(crc32c(ByteView(b).first(4)), ByteView(b).subspan(4)), crc32c(b));
    EXPECT_EQ(crc32c({}), 0u);
    auto d = digest_bytes(0x11223344);
    EXPECT_EQ(read_digest(d, 0), 0x11223344u);
    EXPECT_THROW(read_digest(d, 1), Error);
}

TEST(IscsiSerial, Rfc1982Comparisons) {
    using namespace serial;
    EXPECT_TRUE(lt(1, 2));
    EXPECT_TRUE(lt(0xffffffffu, 0));  // wraps
    EXPECT_TRUE(gt(5, 0xfffffff0u));
    EXPECT_FALSE(lt(0, 0x80000000u));  // exactly 2^31 apart: undefined, neither
    EXPECT_FALSE(gt(0, 0x80000000u));
    EXPECT_TRUE(lt(0, 0x7fffffffu));
    EXPECT_TRUE(gt(0, 0x80000001u));
    EXPECT_TRUE(le(7, 7));
    EXPECT_TRUE(in_window(0xfffffffeu, 0xfffffffdu, 3));
    EXPECT_TRUE(in_window(2, 0xfffffffdu, 3));
    EXPECT_FALSE(in_window(4, 0xfffffffdu, 3));
    EXPECT_TRUE(window_closed(0, 0xffffffffu));
    EXPECT_EQ(add(0xffffffffu, 2), 1u);
}

TEST(IscsiLun, PeripheralAndFlat) {
    EXPECT_EQ(Lun::from_number(5).raw, (std::array<std::uint8_t, 8>{0, 5, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(Lun::from_number(0x1234).raw,
              (std::array<std::uint8_t, 8>{0x52, 0x34, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(Lun::from_number(0x1234).number(), 0x1234u);
    EXPECT_EQ(Lun::from_number(255).number(), 255u);
    EXPECT_THROW(Lun::from_number(16384), Error);
    Lun bus1;
    bus1.raw = {0x01, 0x02, 0, 0, 0, 0, 0, 0};
    EXPECT_FALSE(bus1.number());
    Lun two_level;
    two_level.raw = {0x00, 0x01, 0x00, 0x02, 0, 0, 0, 0};
    EXPECT_FALSE(two_level.number());
    Lun extended;
    extended.raw = {0xd2, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(extended.address_method(), 3u);
    EXPECT_FALSE(extended.number());
}

std::vector<AnyPdu> samples() {
    Lun lun = Lun::from_number(3);
    std::vector<AnyPdu> v;
    v.push_back(NopOut{true, lun, 0x11, 0x22, 0x33, 0x44, Bytes{1, 2, 3}});
    ScsiCommand cmd;
    cmd.immediate = true;
    cmd.read = true;
    cmd.attribute = 2;
    cmd.lun = Lun::from_number(300);
    cmd.initiator_task_tag = 0xabcdef01;
    cmd.expected_data_transfer_length = 4096;
    cmd.cmd_sn = 7;
    cmd.exp_stat_sn = 9;
    cmd.cdb = seq(32, 0x88, 1);
    cmd.bidirectional_read_length = 0x10000;
    cmd.other_ahs.push_back(Ahs{60, Bytes{0, 9, 8}});
    cmd.immediate_data = Bytes(513, 0x5a);
    v.push_back(cmd);
    v.push_back(TaskManagementRequest{false, 1, lun, 5, 6, 7, 8, 9, 10});
    LoginRequest login;
    login.transit = true;
    login.csg = 1;
    login.nsg = 3;
    login.isid = {0x80, 1, 2, 3, 4, 5};
    login.tsih = 0x1234;
    login.initiator_task_tag = 77;
    login.cid = 2;
    login.cmd_sn = 1;
    login.exp_stat_sn = 2;
    std::string kv = std::string("InitiatorName=iqn.2024-01.org.example:i1") + '\0';
    login.data = Bytes(kv.begin(), kv.end());
    v.push_back(login);
    v.push_back(TextRequest{false, false, true, lun, 12, 13, 14, 15, Bytes{'a', '=', 'b', 0}});
    v.push_back(DataOut{true, lun, 1, 2, 3, 4, 8192, Bytes(1000, 0xee)});
    v.push_back(LogoutRequest{true, 1, 99, 4, 5, 6});
    v.push_back(SnackRequest{2, lun, 1, 2, 3, 4, 5});
    v.push_back(NopIn{lun, 1, reserved_tag, 2, 3, 4, Bytes{9}});
    ScsiResponse rsp;
    rsp.underflow = true;
    rsp.bidi_read_overflow = true;
    rsp.status = 0x02;
    rsp.initiator_task_tag = 3;
    rsp.snack_tag = 4;
    rsp.stat_sn = 5;
    rsp.exp_cmd_sn = 6;
    rsp.max_cmd_sn = 7;
    rsp.exp_data_sn = 8;
    rsp.bidi_read_residual_count = 9;
    rsp.residual_count = 10;
    rsp.sense = Bytes{0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0};
    rsp.response_data = Bytes{1, 2};
    v.push_back(rsp);
    v.push_back(TaskManagementResponse{5, 1, 2, 3, 4});
    LoginResponse lr;
    lr.transit = true;
    lr.csg = 0;
    lr.nsg = 1;
    lr.isid = login.isid;
    lr.tsih = 9;
    lr.initiator_task_tag = 77;
    lr.stat_sn = 100;
    lr.exp_cmd_sn = 1;
    lr.max_cmd_sn = 32;
    lr.set_status(LoginStatus::authentication_failure);
    v.push_back(lr);
    v.push_back(TextResponse{true, false, lun, 1, 2, 3, 4, 5, Bytes{'x', '=', 'y', 0}});
    DataIn din;
    din.final_bit = true;
    din.acknowledge = true;
    din.underflow = true;
    din.status_present = true;
    din.lun = lun;
    din.initiator_task_tag = 1;
    din.stat_sn = 3;
    din.exp_cmd_sn = 4;
    din.max_cmd_sn = 5;
    din.data_sn = 6;
    din.buffer_offset = 7;
    din.residual_count = 8;
    din.data = Bytes(7, 1);
    v.push_back(din);
    v.push_back(LogoutResponse{0, 1, 2, 3, 4, 2, 20});
    v.push_back(R2t{lun, 1, 2, 3, 4, 5, 6, 7, 8});
    AsyncMessage am;
    am.lun = lun;
    am.stat_sn = 1;
    am.exp_cmd_sn = 2;
    am.max_cmd_sn = 3;
    am.async_event = 1;
    am.parameter3 = 10;
    am.sense = Bytes{0x70, 0, 6};
    am.event_data = Bytes{0xaa};
    v.push_back(am);
    Reject rj;
    rj.reason = 0x09;
    rj.stat_sn = 1;
    rj.header = Bytes(48, 0x21);
    v.push_back(rj);
    return v;
}

Sender sender_of(const Pdu& p) {
    return p.opcode() >= 0x20 ? Sender::target : Sender::initiator;
}

TEST(IscsiPdu, EveryPduRoundTripsThroughTheFramer) {
    auto all = samples();
    ASSERT_EQ(all.size(), 18u);
    for (Digests d : {Digests{false, false}, Digests{true, false}, Digests{true, true}}) {
        for (const auto& x : all) {
            Pdu p = encode_pdu(x);
            Bytes w = serialize(p, d);
            EXPECT_EQ(w.size() % 4, 0u);
            Framer f({d, 1 << 20, sender_of(p)});
            EXPECT_EQ(f.needed(w), w.size());
            auto fr = f.next(w);
            ASSERT_TRUE(fr) << opcode_name(p.opcode());
            EXPECT_EQ(fr->size, w.size());
            EXPECT_EQ(fr->pdu, p) << opcode_name(p.opcode());
            EXPECT_EQ(decode_pdu(fr->pdu), x) << opcode_name(p.opcode());
        }
    }
}

TEST(IscsiPdu, LoginRequestMatchesRfcLayout) {
    std::string kv = std::string("InitiatorName=iqn.a") + '\0' + "SessionType=Normal" + '\0';
    Bytes w{0x43, 0x87, 0x00, 0x00, 0x00, 0x00, 0x00, static_cast<std::uint8_t>(kv.size()),
            0x40, 0x00, 0x01, 0x37, 0x00, 0x00, 0x00, 0x00,  // ISID, TSIH 0
            0x00, 0x00, 0x00, 0x01,                          // ITT
            0x00, 0x01, 0x00, 0x00,                          // CID 1
            0x00, 0x00, 0x00, 0x05,                          // CmdSN
            0x00, 0x00, 0x00, 0x09};                         // ExpStatSN
    w.resize(48, 0);
    w.insert(w.end(), kv.begin(), kv.end());
    w.resize(48 + padded(kv.size()), 0);
    auto fr = Framer().next(w);
    ASSERT_TRUE(fr);
    auto r = LoginRequest::decode(fr->pdu);
    EXPECT_TRUE(r.transit);
    EXPECT_FALSE(r.continue_bit);
    EXPECT_EQ(r.csg, 1);
    EXPECT_EQ(r.nsg, 3);
    EXPECT_EQ(r.isid, (Isid{0x40, 0x00, 0x01, 0x37, 0x00, 0x00}));
    EXPECT_EQ(r.tsih, 0);
    EXPECT_EQ(r.initiator_task_tag, 1u);
    EXPECT_EQ(r.cid, 1);
    EXPECT_EQ(r.cmd_sn, 5u);
    EXPECT_EQ(r.exp_stat_sn, 9u);
    EXPECT_EQ(std::string(r.data.begin(), r.data.end()), kv);
    EXPECT_EQ(serialize(r.encode()), w);
}

TEST(IscsiPdu, ScsiCommandRead10FromRfc3720) {
    Bytes w{0x01, 0xc0, 0, 0, 0,    0, 0, 0, 0, 0,    0, 0, 0,    0,    0,    0,   0x14, 0,
            0,    0,    0, 0, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0,    0x18, 0x28, 0,   0,    0,
            0,    0,    0, 0, 0x02, 0, 0, 0, 0, 0,    0, 0, 0x56, 0x3a, 0x96, 0xd9};
    auto fr = Framer(FramerSettings{{true, false}}).next(w);
    ASSERT_TRUE(fr);
    auto c = ScsiCommand::decode(fr->pdu);
    EXPECT_FALSE(c.immediate);
    EXPECT_TRUE(c.final_bit);
    EXPECT_TRUE(c.read);
    EXPECT_FALSE(c.write);
    EXPECT_EQ(c.attribute, 0);
    EXPECT_EQ(c.lun.number(), 0u);
    EXPECT_EQ(c.initiator_task_tag, 0x14000000u);
    EXPECT_EQ(c.expected_data_transfer_length, 1024u);
    EXPECT_EQ(c.cmd_sn, 0x14u);
    EXPECT_EQ(c.exp_stat_sn, 0x18u);
    ASSERT_EQ(c.cdb.size(), 16u);
    EXPECT_EQ(c.cdb[0], 0x28);
    EXPECT_EQ(c.cdb[8], 0x02);
    EXPECT_FALSE(c.bidirectional_read_length);
    EXPECT_EQ(serialize(c.encode(), {true, false}), w);
}

TEST(IscsiPdu, ExtendedCdbAndBidirectionalAhsLayout) {
    ScsiCommand c;
    c.cdb = seq(20, 1, 1);
    c.bidirectional_read_length = 0x01020304;
    Pdu p = c.encode();
    EXPECT_EQ(p.total_ahs_length(), 4);  // 8 bytes ext CDB + 8 bytes bidi, in words
    Bytes w = serialize(p);
    // Extended CDB AHS: AHSLength = CDB length - 15, type 1, reserved, CDB bytes 16..19.
    EXPECT_EQ(Bytes(w.begin() + 48, w.begin() + 56), (Bytes{0, 5, 1, 0, 17, 18, 19, 20}));
    EXPECT_EQ(Bytes(w.begin() + 56, w.begin() + 64), (Bytes{0, 5, 2, 0, 1, 2, 3, 4}));
    auto back = ScsiCommand::decode(Framer().next(w)->pdu);
    EXPECT_EQ(back.cdb, c.cdb);
    EXPECT_EQ(back.bidirectional_read_length, 0x01020304u);
}

TEST(IscsiPdu, ExtendedCdbAhsWithoutCdbBytesIsKeptAsIs) {
    // An extended-CDB AHS carrying only its reserved byte adds nothing to the CDB; it is kept
    // with the other AHS so that a second extended-CDB AHS behind it is not promoted on re-encode.
    Pdu p = ScsiCommand{}.encode();
    p.ahs = {Ahs{Ahs::extended_cdb, {0xfc}}, Ahs{Ahs::extended_cdb, {0, 0xaa}}};
    auto c = ScsiCommand::decode(p);
    EXPECT_EQ(c.cdb.size(), 17u);
    EXPECT_EQ(c.cdb[16], 0xaa);
    ASSERT_EQ(c.other_ahs.size(), 1u);
    EXPECT_EQ(c.other_ahs[0].specific, Bytes{0xfc});
    auto again = ScsiCommand::decode(Framer().next(serialize(c.encode()))->pdu);
    EXPECT_EQ(again, c);
}

TEST(IscsiPdu, ScsiResponseShortSenseLengthIsAWarning) {
    ScsiResponse r;
    Pdu p = r.encode();
    p.data = Bytes{0, 10, 1, 2};
    auto d = ScsiResponse::decode(p);
    EXPECT_EQ(d.sense, (Bytes{1, 2}));
    EXPECT_EQ(d.warnings.size(), 1u);
    p.data = Bytes{7};
    d = ScsiResponse::decode(p);
    EXPECT_EQ(d.response_data, Bytes{7});
    EXPECT_EQ(d.warnings.size(), 1u);
}

TEST(IscsiPdu, WrongOpcodeAndUnknownOpcodes) {
    Pdu p = NopIn{}.encode();
    EXPECT_THROW(NopOut::decode(p), Error);
    p.bhs[0] = 0x1d;
    try {
        decode_pdu(p);
        FAIL();
    } catch (const ProtocolError& e) {
        EXPECT_EQ(e.reason(), RejectReason::command_not_supported);
    }
    p.bhs[0] = 0x15;
    try {
        decode_pdu(p);
        FAIL();
    } catch (const ProtocolError& e) {
        EXPECT_EQ(e.reason(), RejectReason::protocol_error);
    }
}

RejectReason reason_of(const Framer& f, ByteView w, bool* resumable = nullptr,
                       std::size_t* skip = nullptr) {
    try {
        f.next(w);
    } catch (const ProtocolError& e) {
        if (resumable) *resumable = e.resumable();
        if (skip) *skip = e.skip();
        return e.reason();
    }
    ADD_FAILURE() << "no ProtocolError";
    return RejectReason::none;
}

TEST(IscsiFramer, SplitAndConcatenatedBuffers) {
    Digests d{true, true};
    Framer f({d, 8192, Sender::initiator});
    Bytes a = serialize(NopOut{true, {}, 1, reserved_tag, 1, 1, Bytes{1, 2, 3, 4, 5}}.encode(), d);
    Bytes b = serialize(std::get<ScsiCommand>(samples()[1]).encode(), d);
    Bytes stream = a;
    stream.insert(stream.end(), b.begin(), b.end());
    // Split: the size is known once the BHS and header digest are in.
    EXPECT_EQ(f.needed(ByteView(stream).first(10)), 48u);
    EXPECT_EQ(f.needed(ByteView(stream).first(48)), 52u);
    EXPECT_EQ(f.needed(ByteView(stream).first(52)), a.size());
    EXPECT_FALSE(f.next(ByteView(stream).first(a.size() - 1)));
    // Concatenated: one PDU at a time.
    std::size_t off = 0;
    std::vector<std::uint8_t> ops;
    while (off < stream.size()) {
        auto fr = f.next(ByteView(stream).subspan(off));
        ASSERT_TRUE(fr);
        ops.push_back(fr->pdu.opcode());
        off += fr->size;
    }
    EXPECT_EQ(ops, (std::vector<std::uint8_t>{0x00, 0x01}));
    EXPECT_EQ(off, stream.size());
}

TEST(IscsiFramer, OversizedDataSegmentIsAProtocolError) {
    Framer f({{}, 8192, Sender::initiator});
    DataOut d;
    d.data = Bytes(8193, 0);
    Bytes w = serialize(d.encode());
    bool resumable = true;
    EXPECT_EQ(reason_of(f, ByteView(w).first(48), &resumable), RejectReason::protocol_error);
    EXPECT_FALSE(resumable);
    d.data.resize(8192);
    EXPECT_TRUE(f.next(serialize(d.encode())));
}

TEST(IscsiFramer, HeaderDigestErrorDropsTheConnection) {
    Digests d{true, false};
    Framer f({d, 8192, Sender::initiator});
    Bytes w = serialize(NopOut{}.encode(), d);
    w[50] ^= 1;
    bool resumable = true;
    EXPECT_EQ(reason_of(f, w, &resumable), RejectReason::none);
    EXPECT_FALSE(resumable);
    w[50] ^= 1;
    w[20] ^= 1;  // a corrupted header field
    EXPECT_EQ(reason_of(f, w), RejectReason::none);
}

TEST(IscsiFramer, DataDigestErrorIsResumable) {
    Digests d{false, true};
    Framer f({d, 8192, Sender::initiator});
    Bytes w = serialize(TextRequest{false,
                                    true,
                                    false,
                                    {},
                                    1,
                                    reserved_tag,
                                    1,
                                    1,
                                    Bytes{'a', '=', '1', 0, 'b', '=', '2', 0, 0}}
                            .encode(),
                        d);
    w[49] ^= 0x80;
    bool resumable = false;
    std::size_t skip = 0;
    EXPECT_EQ(reason_of(f, w, &resumable, &skip), RejectReason::data_digest_error);
    EXPECT_TRUE(resumable);
    EXPECT_EQ(skip, w.size());
    try {
        f.next(w);
    } catch (const ProtocolError& e) {
        ASSERT_TRUE(e.header());
        EXPECT_EQ((*e.header())[0], 0x04);  // the Reject data is the offending BHS
    }
}

TEST(IscsiFramer, OpcodesNotFromThePeer) {
    Framer f;
    Bytes w = serialize(NopIn{}.encode());
    EXPECT_EQ(reason_of(f, w), RejectReason::protocol_error);  // target opcode at a target
    w[0] = 0x1c;
    EXPECT_EQ(reason_of(f, w), RejectReason::command_not_supported);
    w[0] = 0x07;
    bool resumable = false;
    EXPECT_EQ(reason_of(f, w, &resumable), RejectReason::protocol_error);
    EXPECT_TRUE(resumable);
    Framer initiator_side({{}, 8192, Sender::target});
    EXPECT_EQ(reason_of(initiator_side, serialize(NopOut{}.encode())),
              RejectReason::protocol_error);
}

TEST(IscsiFramer, AhsThatDoesNotTile) {
    Bytes w = serialize(NopOut{}.encode());
    w[4] = 1;  // one AHS word claiming 8 bytes of specific data
    Bytes ahs{0, 8, 60, 0};
    w.insert(w.begin() + 48, ahs.begin(), ahs.end());
    EXPECT_EQ(reason_of(Framer(), w), RejectReason::invalid_pdu_field);
}

// Every prefix of every encoded PDU, with and without digests: "need more" or a
// ProtocolError, never a crash or a read past the buffer.
TEST(IscsiFramer, EveryPrefixNeedsMoreOrFails) {
    for (Digests d : {Digests{false, false}, Digests{true, true}}) {
        for (const auto& x : samples()) {
            Pdu p = encode_pdu(x);
            Bytes w = serialize(p, d);
            Framer f({d, 1 << 20, sender_of(p)});
            for (std::size_t n = 0; n < w.size(); ++n) {
                Bytes prefix(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(n));
                try {
                    EXPECT_FALSE(f.next(prefix));
                    EXPECT_GT(f.needed(prefix), n);
                } catch (const ProtocolError&) {
                }
            }
        }
    }
}

// A Data-In sent as header, payload in place and trailer is byte for byte the serialized PDU,
// for every padding length and digest combination.
TEST(IscsiPdu, FramedDataInEqualsSerialized) {
    for (Digests d :
         {Digests{false, false}, Digests{true, false}, Digests{false, true}, Digests{true, true}}) {
        for (std::size_t n : {0, 1, 2, 3, 4, 5, 4096, 65535}) {
            DataIn din;
            din.final_bit = true;
            din.status_present = n % 2 == 1;
            din.lun = Lun::from_number(3);
            din.initiator_task_tag = 0x1234;
            din.stat_sn = 9;
            din.data_sn = 2;
            din.buffer_offset = 8192;
            din.data = seq(n, 7, 3);
            Bytes want = serialize(din.encode(), d);
            Framing f = frame(din.header(static_cast<std::uint32_t>(n)), din.data, d);
            Bytes got(f.head_bytes().begin(), f.head_bytes().end());
            got.insert(got.end(), din.data.begin(), din.data.end());
            got.insert(got.end(), f.tail_bytes().begin(), f.tail_bytes().end());
            EXPECT_EQ(got, want) << "length " << n << " digests " << d.header << d.data;
            EXPECT_EQ(f.tail_size, n == 0 ? 0 : padded(n) - n + (d.data ? 4 : 0));
        }
    }
}

TEST(IscsiPdu, FrameRefusesAhsAndOversizedData) {
    Bhs h = DataIn{}.header(0);
    h[4] = 1;
    EXPECT_THROW(frame(h, {}, {}), Error);
    EXPECT_THROW(DataIn{}.header(1u << 24), Error);
}

}  // namespace
}  // namespace camx::iscsi
