// SPDX-License-Identifier: BSD-2-Clause
#include "camx/iscsi/pdu.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "camx/bytes/hex.hpp"
#include "camx/iscsi/digest.hpp"

namespace camx::iscsi {

namespace {

using bytes::be16;
using bytes::be32;

// Builds a BHS field by field; the framer's view of lengths is set by finish().
class Header {
  public:
    Header(Opcode op, bool immediate = false) {
        b_[0] = static_cast<std::uint8_t>(static_cast<std::uint8_t>(op) | (immediate ? 0x40 : 0));
    }
    Header& u8(std::size_t off, std::uint8_t v) {
        b_[off] = v;
        return *this;
    }
    Header& be16(std::size_t off, std::uint16_t v) {
        bytes::put_be16(b_, off, v);
        return *this;
    }
    Header& be32(std::size_t off, std::uint32_t v) {
        bytes::put_be32(b_, off, v);
        return *this;
    }
    Header& lun(const Lun& l) {
        l.encode_to(MutableByteView(b_).subspan(8, 8));
        return *this;
    }
    Header& isid(const Isid& id) {
        std::copy(id.begin(), id.end(), b_.begin() + 8);
        return *this;
    }
    // The bare header of a PDU without AHS whose data segment is data_length bytes.
    Bhs bhs(std::uint32_t data_length) const {
        if (data_length > 0xffffff)
            throw Error(Category::usage,
                        fmt::format("data segment of {} bytes exceeds 2^24-1", data_length));
        Bhs h = b_;
        bytes::put_be24(h, 5, data_length);
        return h;
    }
    Pdu finish(Bytes data = {}, std::vector<Ahs> ahs = {}) const {
        Pdu p{b_, std::move(ahs), std::move(data)};
        std::size_t ahs_len = encode_ahs(p.ahs).size();
        if (ahs_len / 4 > 0xff)
            throw Error(Category::usage, fmt::format("AHS of {} bytes exceeds 1020", ahs_len));
        if (p.data.size() > 0xffffff)
            throw Error(Category::usage,
                        fmt::format("data segment of {} bytes exceeds 2^24-1", p.data.size()));
        p.bhs[4] = static_cast<std::uint8_t>(ahs_len / 4);
        bytes::put_be24(p.bhs, 5, static_cast<std::uint32_t>(p.data.size()));
        return p;
    }

  private:
    Bhs b_{};
};

void expect(const Pdu& p, Opcode op) {
    if (p.opcode() != static_cast<std::uint8_t>(op))
        throw Error(Category::malformed, fmt::format("expected a {} PDU, got opcode 0x{:02x} ({})",
                                                     opcode_name(static_cast<std::uint8_t>(op)),
                                                     p.opcode(), opcode_name(p.opcode())));
}

Lun lun_of(const Pdu& p) {
    return Lun::decode(ByteView(p.bhs).subspan(8, 8));
}
bool bit_of(const Pdu& p, std::size_t byte, unsigned n) {
    return bytes::bit(p.bhs[byte], n);
}
std::uint8_t flag(bool v, unsigned n) {
    return v ? static_cast<std::uint8_t>(1u << n) : 0;
}

Bytes sense_segment(const Bytes& sense, const Bytes& rest) {
    if (sense.empty() && rest.empty()) return {};
    if (sense.size() > 0xffff)
        throw Error(Category::usage, fmt::format("sense data of {} bytes", sense.size()));
    bytes::Writer w;
    w.be16(static_cast<std::uint16_t>(sense.size()));
    w.raw(sense);
    w.raw(rest);
    return w.take();
}

void split_sense_segment(ByteView data, Bytes& sense, Bytes& rest,
                         std::vector<std::string>& warnings) {
    if (data.empty()) return;
    if (data.size() < 2) {
        warnings.push_back(
            fmt::format("data segment of {} byte has no room for SenseLength; "
                        "kept as the data after the sense",
                        data.size()));
        rest.assign(data.begin(), data.end());
        return;
    }
    std::size_t len = be16(data, 0);
    ByteView s = bytes::clamp(data, 2, len);
    if (s.size() < len)
        warnings.push_back(
            fmt::format("SenseLength {} exceeds the {} bytes present", len, data.size() - 2));
    sense.assign(s.begin(), s.end());
    ByteView r = bytes::clamp(data, 2 + s.size(), data.size());
    rest.assign(r.begin(), r.end());
}

}  // namespace

ProtocolError::ProtocolError(RejectReason reason, const std::string& message,
                             std::optional<Bhs> header, bool resumable, std::size_t skip)
    : Error(Category::transport, message),
      reason_(reason),
      header_(header),
      resumable_(resumable),
      skip_(skip) {}

bool is_defined_opcode(std::uint8_t op, Sender from) {
    if (from == Sender::initiator) return op <= 0x06 || op == 0x10;
    return (op >= 0x20 && op <= 0x26) || op == 0x31 || op == 0x32 || op == 0x3f;
}

bool is_vendor_opcode(std::uint8_t op, Sender from) {
    return from == Sender::initiator ? (op >= 0x1c && op <= 0x1e) : (op >= 0x3c && op <= 0x3e);
}

std::string_view opcode_name(std::uint8_t op) {
    switch (op) {
        case 0x00:
            return "nop_out";
        case 0x01:
            return "scsi_command";
        case 0x02:
            return "task_management_request";
        case 0x03:
            return "login_request";
        case 0x04:
            return "text_request";
        case 0x05:
            return "data_out";
        case 0x06:
            return "logout_request";
        case 0x10:
            return "snack_request";
        case 0x20:
            return "nop_in";
        case 0x21:
            return "scsi_response";
        case 0x22:
            return "task_management_response";
        case 0x23:
            return "login_response";
        case 0x24:
            return "text_response";
        case 0x25:
            return "data_in";
        case 0x26:
            return "logout_response";
        case 0x31:
            return "r2t";
        case 0x32:
            return "async_message";
        case 0x3f:
            return "reject";
        case 0x1c:
        case 0x1d:
        case 0x1e:
            return "vendor_specific_initiator";
        case 0x3c:
        case 0x3d:
        case 0x3e:
            return "vendor_specific_target";
        default:
            return "reserved";
    }
}

std::string_view reject_reason_name(std::uint8_t reason) {
    switch (reason) {
        case 0x02:
            return "data_digest_error";
        case 0x03:
            return "snack_reject";
        case 0x04:
            return "protocol_error";
        case 0x05:
            return "command_not_supported";
        case 0x06:
            return "immediate_command_reject";
        case 0x07:
            return "task_in_progress";
        case 0x08:
            return "invalid_data_ack";
        case 0x09:
            return "invalid_pdu_field";
        case 0x0a:
            return "long_op_reject";
        case 0x0b:
            return "deprecated";
        case 0x0c:
            return "waiting_for_logout";
        default:
            return "reserved";
    }
}

std::string_view tmf_function_name(std::uint8_t f) {
    switch (f) {
        case 1:
            return "abort_task";
        case 2:
            return "abort_task_set";
        case 3:
            return "clear_aca";
        case 4:
            return "clear_task_set";
        case 5:
            return "logical_unit_reset";
        case 6:
            return "target_warm_reset";
        case 7:
            return "target_cold_reset";
        case 8:
            return "task_reassign";
        default:
            return "reserved";
    }
}

std::string_view tmf_response_name(std::uint8_t r) {
    switch (r) {
        case 0:
            return "function_complete";
        case 1:
            return "task_does_not_exist";
        case 2:
            return "lun_does_not_exist";
        case 3:
            return "task_still_allegiant";
        case 4:
            return "task_allegiance_reassignment_not_supported";
        case 5:
            return "task_management_function_not_supported";
        case 6:
            return "function_authorization_failed";
        case 255:
            return "function_rejected";
        default:
            return "reserved";
    }
}

std::string_view stage_name(std::uint8_t stage) {
    switch (stage) {
        case 0:
            return "security_negotiation";
        case 1:
            return "operational_negotiation";
        case 3:
            return "full_feature_phase";
        default:
            return "reserved";
    }
}

std::string_view login_status_name(std::uint16_t s) {
    switch (s) {
        case 0x0000:
            return "success";
        case 0x0101:
            return "target_moved_temporarily";
        case 0x0102:
            return "target_moved_permanently";
        case 0x0200:
            return "initiator_error";
        case 0x0201:
            return "authentication_failure";
        case 0x0202:
            return "authorization_failure";
        case 0x0203:
            return "not_found";
        case 0x0204:
            return "target_removed";
        case 0x0205:
            return "unsupported_version";
        case 0x0206:
            return "too_many_connections";
        case 0x0207:
            return "missing_parameter";
        case 0x0208:
            return "cannot_include_in_session";
        case 0x0209:
            return "session_type_not_supported";
        case 0x020a:
            return "session_does_not_exist";
        case 0x020b:
            return "invalid_during_login";
        case 0x0300:
            return "target_error";
        case 0x0301:
            return "service_unavailable";
        case 0x0302:
            return "out_of_resources";
        default:
            return "reserved";
    }
}

std::size_t padded(std::size_t n) {
    return (n + 3) & ~std::size_t{3};
}

std::vector<Ahs> decode_ahs(ByteView area) {
    std::vector<Ahs> out;
    std::size_t off = 0;
    while (off < area.size()) {
        if (area.size() - off < 4)
            throw ProtocolError(RejectReason::invalid_pdu_field,
                                fmt::format("AHS at offset {} is shorter than 4 bytes", off));
        std::size_t len = be16(area, off);
        std::size_t total = padded(3 + len);
        if (total > area.size() - off)
            throw ProtocolError(RejectReason::invalid_pdu_field,
                                fmt::format("AHSLength {} at offset {} overruns TotalAHSLength "
                                            "({} bytes)",
                                            len, off, area.size()));
        Ahs a;
        a.type = area[off + 2];
        a.specific.assign(area.begin() + static_cast<std::ptrdiff_t>(off + 3),
                          area.begin() + static_cast<std::ptrdiff_t>(off + 3 + len));
        out.push_back(std::move(a));
        off += total;
    }
    return out;
}

Bytes encode_ahs(const std::vector<Ahs>& ahs) {
    bytes::Writer w;
    for (const auto& a : ahs) {
        if (a.specific.size() > 0xffff)
            throw Error(Category::usage, fmt::format("AHS of {} bytes", a.specific.size()));
        w.be16(static_cast<std::uint16_t>(a.specific.size()));
        w.u8(a.type);
        w.raw(a.specific);
        w.zeros(padded(3 + a.specific.size()) - 3 - a.specific.size());
    }
    return w.take();
}

Bytes serialize(const Pdu& pdu, Digests digests) {
    Bytes ahs = encode_ahs(pdu.ahs);
    if (ahs.size() / 4 > 0xff || pdu.data.size() > 0xffffff)
        throw Error(Category::usage, "AHS or data segment too long for a PDU");
    Bhs h = pdu.bhs;
    h[4] = static_cast<std::uint8_t>(ahs.size() / 4);
    bytes::put_be24(h, 5, static_cast<std::uint32_t>(pdu.data.size()));
    bytes::Writer w;
    w.raw(h);
    w.raw(ahs);
    if (digests.header) w.raw(digest_bytes(crc32c(w.view())));
    if (!pdu.data.empty()) {
        std::size_t start = w.size();
        w.raw(pdu.data);
        w.zeros(padded(pdu.data.size()) - pdu.data.size());
        if (digests.data) w.raw(digest_bytes(crc32c(ByteView(w.view()).subspan(start))));
    }
    return w.take();
}

Framing frame(Bhs bhs, ByteView data, Digests digests) {
    if (bhs[4] != 0) throw Error(Category::usage, "frame() takes a header without AHS");
    if (data.size() > 0xffffff) throw Error(Category::usage, "data segment too long for a PDU");
    bytes::put_be24(bhs, 5, static_cast<std::uint32_t>(data.size()));
    Framing f;
    std::copy(bhs.begin(), bhs.end(), f.head.begin());
    f.head_size = bhs_size;
    if (digests.header) {
        auto d = digest_bytes(crc32c(bhs));
        std::copy(d.begin(), d.end(), f.head.begin() + bhs_size);
        f.head_size += 4;
    }
    if (data.empty()) return f;
    std::size_t pad = padded(data.size()) - data.size();
    f.tail_size = static_cast<std::uint8_t>(pad);  // the array starts zeroed
    if (digests.data) {
        std::uint32_t crc = crc32c(data);
        if (pad) crc = crc32c_extend(crc, ByteView(f.tail).first(pad));
        auto d = digest_bytes(crc);
        std::copy(d.begin(), d.end(), f.tail.begin() + pad);
        f.tail_size += 4;
    }
    return f;
}

// ---- NOP-Out ----
NopOut NopOut::decode(const Pdu& p) {
    expect(p, Opcode::nop_out);
    return NopOut{p.immediate(),   lun_of(p),       be32(p.bhs, 16), be32(p.bhs, 20),
                  be32(p.bhs, 24), be32(p.bhs, 28), p.data};
}
Pdu NopOut::encode() const {
    return Header(Opcode::nop_out, immediate)
        .u8(1, 0x80)
        .lun(lun)
        .be32(16, initiator_task_tag)
        .be32(20, target_transfer_tag)
        .be32(24, cmd_sn)
        .be32(28, exp_stat_sn)
        .finish(ping_data);
}

// ---- SCSI Command ----
ScsiCommand ScsiCommand::decode(const Pdu& p) {
    expect(p, Opcode::scsi_command);
    ScsiCommand c;
    c.immediate = p.immediate();
    c.final_bit = bit_of(p, 1, 7);
    c.read = bit_of(p, 1, 6);
    c.write = bit_of(p, 1, 5);
    c.attribute = p.bhs[1] & 0x07;
    c.lun = lun_of(p);
    c.initiator_task_tag = be32(p.bhs, 16);
    c.expected_data_transfer_length = be32(p.bhs, 20);
    c.cmd_sn = be32(p.bhs, 24);
    c.exp_stat_sn = be32(p.bhs, 28);
    c.cdb.assign(p.bhs.begin() + 32, p.bhs.end());
    bool have_ext = false;
    for (const auto& a : p.ahs) {
        if (a.type == Ahs::extended_cdb && !have_ext && a.specific.size() > 1) {
            c.cdb.insert(c.cdb.end(), a.specific.begin() + 1, a.specific.end());
            have_ext = true;
        } else if (a.type == Ahs::bidirectional_read_length && !c.bidirectional_read_length &&
                   a.specific.size() == 5) {
            c.bidirectional_read_length = be32(a.specific, 1);
        } else {
            c.other_ahs.push_back(a);
        }
    }
    c.immediate_data = p.data;
    return c;
}
Pdu ScsiCommand::encode() const {
    Header h(Opcode::scsi_command, immediate);
    h.u8(1, static_cast<std::uint8_t>(flag(final_bit, 7) | flag(read, 6) | flag(write, 5) |
                                      (attribute & 0x07)))
        .lun(lun)
        .be32(16, initiator_task_tag)
        .be32(20, expected_data_transfer_length)
        .be32(24, cmd_sn)
        .be32(28, exp_stat_sn);
    for (std::size_t i = 0; i < std::min<std::size_t>(cdb.size(), 16); ++i) h.u8(32 + i, cdb[i]);
    std::vector<Ahs> ahs;
    if (cdb.size() > 16) {
        Ahs ext{Ahs::extended_cdb, {0}};
        ext.specific.insert(ext.specific.end(), cdb.begin() + 16, cdb.end());
        ahs.push_back(std::move(ext));
    }
    if (bidirectional_read_length) {
        Ahs bidi{Ahs::bidirectional_read_length, Bytes(5, 0)};
        bytes::put_be32(bidi.specific, 1, *bidirectional_read_length);
        ahs.push_back(std::move(bidi));
    }
    ahs.insert(ahs.end(), other_ahs.begin(), other_ahs.end());
    return h.finish(immediate_data, std::move(ahs));
}

// ---- Task Management Function Request ----
TaskManagementRequest TaskManagementRequest::decode(const Pdu& p) {
    expect(p, Opcode::task_management_request);
    return TaskManagementRequest{p.immediate(),   static_cast<std::uint8_t>(p.bhs[1] & 0x7f),
                                 lun_of(p),       be32(p.bhs, 16),
                                 be32(p.bhs, 20), be32(p.bhs, 24),
                                 be32(p.bhs, 28), be32(p.bhs, 32),
                                 be32(p.bhs, 36)};
}
Pdu TaskManagementRequest::encode() const {
    return Header(Opcode::task_management_request, immediate)
        .u8(1, static_cast<std::uint8_t>(0x80 | (function & 0x7f)))
        .lun(lun)
        .be32(16, initiator_task_tag)
        .be32(20, referenced_task_tag)
        .be32(24, cmd_sn)
        .be32(28, exp_stat_sn)
        .be32(32, ref_cmd_sn)
        .be32(36, exp_data_sn)
        .finish();
}

// ---- Login Request ----
LoginRequest LoginRequest::decode(const Pdu& p) {
    expect(p, Opcode::login_request);
    LoginRequest r;
    r.transit = bit_of(p, 1, 7);
    r.continue_bit = bit_of(p, 1, 6);
    r.csg = static_cast<std::uint8_t>(bytes::bits(p.bhs[1], 3, 2));
    r.nsg = static_cast<std::uint8_t>(bytes::bits(p.bhs[1], 1, 0));
    r.version_max = p.bhs[2];
    r.version_min = p.bhs[3];
    std::copy_n(p.bhs.begin() + 8, 6, r.isid.begin());
    r.tsih = be16(p.bhs, 14);
    r.initiator_task_tag = be32(p.bhs, 16);
    r.cid = be16(p.bhs, 20);
    r.cmd_sn = be32(p.bhs, 24);
    r.exp_stat_sn = be32(p.bhs, 28);
    r.data = p.data;
    return r;
}
Pdu LoginRequest::encode() const {
    return Header(Opcode::login_request, true)
        .u8(1, static_cast<std::uint8_t>(flag(transit, 7) | flag(continue_bit, 6) | (csg & 3) << 2 |
                                         (nsg & 3)))
        .u8(2, version_max)
        .u8(3, version_min)
        .isid(isid)
        .be16(14, tsih)
        .be32(16, initiator_task_tag)
        .be16(20, cid)
        .be32(24, cmd_sn)
        .be32(28, exp_stat_sn)
        .finish(data);
}

// ---- Text Request ----
TextRequest TextRequest::decode(const Pdu& p) {
    expect(p, Opcode::text_request);
    return TextRequest{p.immediate(),   bit_of(p, 1, 7), bit_of(p, 1, 6),
                       lun_of(p),       be32(p.bhs, 16), be32(p.bhs, 20),
                       be32(p.bhs, 24), be32(p.bhs, 28), p.data};
}
Pdu TextRequest::encode() const {
    return Header(Opcode::text_request, immediate)
        .u8(1, static_cast<std::uint8_t>(flag(final_bit, 7) | flag(continue_bit, 6)))
        .lun(lun)
        .be32(16, initiator_task_tag)
        .be32(20, target_transfer_tag)
        .be32(24, cmd_sn)
        .be32(28, exp_stat_sn)
        .finish(data);
}

// ---- SCSI Data-Out ----
DataOut DataOut::decode(const Pdu& p) {
    expect(p, Opcode::data_out);
    return DataOut{bit_of(p, 1, 7), lun_of(p),       be32(p.bhs, 16), be32(p.bhs, 20),
                   be32(p.bhs, 28), be32(p.bhs, 36), be32(p.bhs, 40), p.data};
}
Pdu DataOut::encode() const {
    return Header(Opcode::data_out)
        .u8(1, flag(final_bit, 7))
        .lun(lun)
        .be32(16, initiator_task_tag)
        .be32(20, target_transfer_tag)
        .be32(28, exp_stat_sn)
        .be32(36, data_sn)
        .be32(40, buffer_offset)
        .finish(data);
}

// ---- Logout Request ----
LogoutRequest LogoutRequest::decode(const Pdu& p) {
    expect(p, Opcode::logout_request);
    return LogoutRequest{p.immediate(),   static_cast<std::uint8_t>(p.bhs[1] & 0x7f),
                         be32(p.bhs, 16), be16(p.bhs, 20),
                         be32(p.bhs, 24), be32(p.bhs, 28)};
}
Pdu LogoutRequest::encode() const {
    return Header(Opcode::logout_request, immediate)
        .u8(1, static_cast<std::uint8_t>(0x80 | (reason & 0x7f)))
        .be32(16, initiator_task_tag)
        .be16(20, cid)
        .be32(24, cmd_sn)
        .be32(28, exp_stat_sn)
        .finish();
}

// ---- SNACK Request ----
SnackRequest SnackRequest::decode(const Pdu& p) {
    expect(p, Opcode::snack_request);
    return SnackRequest{static_cast<std::uint8_t>(p.bhs[1] & 0x0f),
                        lun_of(p),
                        be32(p.bhs, 16),
                        be32(p.bhs, 20),
                        be32(p.bhs, 28),
                        be32(p.bhs, 40),
                        be32(p.bhs, 44)};
}
Pdu SnackRequest::encode() const {
    return Header(Opcode::snack_request)
        .u8(1, static_cast<std::uint8_t>(0x80 | (type & 0x0f)))
        .lun(lun)
        .be32(16, initiator_task_tag)
        .be32(20, target_transfer_tag)
        .be32(28, exp_stat_sn)
        .be32(40, beg_run)
        .be32(44, run_length)
        .finish();
}

// ---- NOP-In ----
NopIn NopIn::decode(const Pdu& p) {
    expect(p, Opcode::nop_in);
    return NopIn{lun_of(p),       be32(p.bhs, 16), be32(p.bhs, 20), be32(p.bhs, 24),
                 be32(p.bhs, 28), be32(p.bhs, 32), p.data};
}
Pdu NopIn::encode() const {
    return Header(Opcode::nop_in)
        .u8(1, 0x80)
        .lun(lun)
        .be32(16, initiator_task_tag)
        .be32(20, target_transfer_tag)
        .be32(24, stat_sn)
        .be32(28, exp_cmd_sn)
        .be32(32, max_cmd_sn)
        .finish(ping_data);
}

// ---- SCSI Response ----
ScsiResponse ScsiResponse::decode(const Pdu& p) {
    expect(p, Opcode::scsi_response);
    ScsiResponse r;
    r.bidi_read_overflow = bit_of(p, 1, 4);
    r.bidi_read_underflow = bit_of(p, 1, 3);
    r.overflow = bit_of(p, 1, 2);
    r.underflow = bit_of(p, 1, 1);
    r.response = p.bhs[2];
    r.status = p.bhs[3];
    r.initiator_task_tag = be32(p.bhs, 16);
    r.snack_tag = be32(p.bhs, 20);
    r.stat_sn = be32(p.bhs, 24);
    r.exp_cmd_sn = be32(p.bhs, 28);
    r.max_cmd_sn = be32(p.bhs, 32);
    r.exp_data_sn = be32(p.bhs, 36);
    r.bidi_read_residual_count = be32(p.bhs, 40);
    r.residual_count = be32(p.bhs, 44);
    split_sense_segment(p.data, r.sense, r.response_data, r.warnings);
    return r;
}
Pdu ScsiResponse::encode() const {
    return Header(Opcode::scsi_response)
        .u8(1, static_cast<std::uint8_t>(0x80 | flag(bidi_read_overflow, 4) |
                                         flag(bidi_read_underflow, 3) | flag(overflow, 2) |
                                         flag(underflow, 1)))
        .u8(2, response)
        .u8(3, status)
        .be32(16, initiator_task_tag)
        .be32(20, snack_tag)
        .be32(24, stat_sn)
        .be32(28, exp_cmd_sn)
        .be32(32, max_cmd_sn)
        .be32(36, exp_data_sn)
        .be32(40, bidi_read_residual_count)
        .be32(44, residual_count)
        .finish(sense_segment(sense, response_data));
}

// ---- Task Management Function Response ----
TaskManagementResponse TaskManagementResponse::decode(const Pdu& p) {
    expect(p, Opcode::task_management_response);
    return TaskManagementResponse{p.bhs[2], be32(p.bhs, 16), be32(p.bhs, 24), be32(p.bhs, 28),
                                  be32(p.bhs, 32)};
}
Pdu TaskManagementResponse::encode() const {
    return Header(Opcode::task_management_response)
        .u8(1, 0x80)
        .u8(2, response)
        .be32(16, initiator_task_tag)
        .be32(24, stat_sn)
        .be32(28, exp_cmd_sn)
        .be32(32, max_cmd_sn)
        .finish();
}

// ---- Login Response ----
LoginResponse LoginResponse::decode(const Pdu& p) {
    expect(p, Opcode::login_response);
    LoginResponse r;
    r.transit = bit_of(p, 1, 7);
    r.continue_bit = bit_of(p, 1, 6);
    r.csg = static_cast<std::uint8_t>(bytes::bits(p.bhs[1], 3, 2));
    r.nsg = static_cast<std::uint8_t>(bytes::bits(p.bhs[1], 1, 0));
    r.version_max = p.bhs[2];
    r.version_active = p.bhs[3];
    std::copy_n(p.bhs.begin() + 8, 6, r.isid.begin());
    r.tsih = be16(p.bhs, 14);
    r.initiator_task_tag = be32(p.bhs, 16);
    r.stat_sn = be32(p.bhs, 24);
    r.exp_cmd_sn = be32(p.bhs, 28);
    r.max_cmd_sn = be32(p.bhs, 32);
    r.status_class = p.bhs[36];
    r.status_detail = p.bhs[37];
    r.data = p.data;
    return r;
}
Pdu LoginResponse::encode() const {
    return Header(Opcode::login_response)
        .u8(1, static_cast<std::uint8_t>(flag(transit, 7) | flag(continue_bit, 6) | (csg & 3) << 2 |
                                         (nsg & 3)))
        .u8(2, version_max)
        .u8(3, version_active)
        .isid(isid)
        .be16(14, tsih)
        .be32(16, initiator_task_tag)
        .be32(24, stat_sn)
        .be32(28, exp_cmd_sn)
        .be32(32, max_cmd_sn)
        .u8(36, status_class)
        .u8(37, status_detail)
        .finish(data);
}

// ---- Text Response ----
TextResponse TextResponse::decode(const Pdu& p) {
    expect(p, Opcode::text_response);
    return TextResponse{bit_of(p, 1, 7), bit_of(p, 1, 6), lun_of(p),
                        be32(p.bhs, 16), be32(p.bhs, 20), be32(p.bhs, 24),
                        be32(p.bhs, 28), be32(p.bhs, 32), p.data};
}
Pdu TextResponse::encode() const {
    return Header(Opcode::text_response)
        .u8(1, static_cast<std::uint8_t>(flag(final_bit, 7) | flag(continue_bit, 6)))
        .lun(lun)
        .be32(16, initiator_task_tag)
        .be32(20, target_transfer_tag)
        .be32(24, stat_sn)
        .be32(28, exp_cmd_sn)
        .be32(32, max_cmd_sn)
        .finish(data);
}

// ---- SCSI Data-In ----
DataIn DataIn::decode(const Pdu& p) {
    expect(p, Opcode::data_in);
    DataIn d;
    d.final_bit = bit_of(p, 1, 7);
    d.acknowledge = bit_of(p, 1, 6);
    d.overflow = bit_of(p, 1, 2);
    d.underflow = bit_of(p, 1, 1);
    d.status_present = bit_of(p, 1, 0);
    d.status = p.bhs[3];
    d.lun = lun_of(p);
    d.initiator_task_tag = be32(p.bhs, 16);
    d.target_transfer_tag = be32(p.bhs, 20);
    d.stat_sn = be32(p.bhs, 24);
    d.exp_cmd_sn = be32(p.bhs, 28);
    d.max_cmd_sn = be32(p.bhs, 32);
    d.data_sn = be32(p.bhs, 36);
    d.buffer_offset = be32(p.bhs, 40);
    d.residual_count = be32(p.bhs, 44);
    d.data = p.data;
    return d;
}
Pdu DataIn::encode() const {
    if (data.size() > 0xffffff)
        throw Error(Category::usage,
                    fmt::format("data segment of {} bytes exceeds 2^24-1", data.size()));
    return Pdu{header(static_cast<std::uint32_t>(data.size())), {}, data};
}
Bhs DataIn::header(std::uint32_t data_length) const {
    return Header(Opcode::data_in)
        .u8(1, static_cast<std::uint8_t>(flag(final_bit, 7) | flag(acknowledge, 6) |
                                         flag(overflow, 2) | flag(underflow, 1) |
                                         flag(status_present, 0)))
        .u8(3, status)
        .lun(lun)
        .be32(16, initiator_task_tag)
        .be32(20, target_transfer_tag)
        .be32(24, stat_sn)
        .be32(28, exp_cmd_sn)
        .be32(32, max_cmd_sn)
        .be32(36, data_sn)
        .be32(40, buffer_offset)
        .be32(44, residual_count)
        .bhs(data_length);
}

// ---- Logout Response ----
LogoutResponse LogoutResponse::decode(const Pdu& p) {
    expect(p, Opcode::logout_response);
    return LogoutResponse{p.bhs[2],        be32(p.bhs, 16), be32(p.bhs, 24), be32(p.bhs, 28),
                          be32(p.bhs, 32), be16(p.bhs, 40), be16(p.bhs, 42)};
}
Pdu LogoutResponse::encode() const {
    return Header(Opcode::logout_response)
        .u8(1, 0x80)
        .u8(2, response)
        .be32(16, initiator_task_tag)
        .be32(24, stat_sn)
        .be32(28, exp_cmd_sn)
        .be32(32, max_cmd_sn)
        .be16(40, time2wait)
        .be16(42, time2retain)
        .finish();
}

// ---- Ready To Transfer ----
R2t R2t::decode(const Pdu& p) {
    expect(p, Opcode::r2t);
    return R2t{lun_of(p),       be32(p.bhs, 16), be32(p.bhs, 20), be32(p.bhs, 24), be32(p.bhs, 28),
               be32(p.bhs, 32), be32(p.bhs, 36), be32(p.bhs, 40), be32(p.bhs, 44)};
}
Pdu R2t::encode() const {
    return Header(Opcode::r2t)
        .u8(1, 0x80)
        .lun(lun)
        .be32(16, initiator_task_tag)
        .be32(20, target_transfer_tag)
        .be32(24, stat_sn)
        .be32(28, exp_cmd_sn)
        .be32(32, max_cmd_sn)
        .be32(36, r2t_sn)
        .be32(40, buffer_offset)
        .be32(44, desired_data_transfer_length)
        .finish();
}

// ---- Asynchronous Message ----
AsyncMessage AsyncMessage::decode(const Pdu& p) {
    expect(p, Opcode::async_message);
    AsyncMessage m;
    m.lun = lun_of(p);
    m.stat_sn = be32(p.bhs, 24);
    m.exp_cmd_sn = be32(p.bhs, 28);
    m.max_cmd_sn = be32(p.bhs, 32);
    m.async_event = p.bhs[36];
    m.async_vcode = p.bhs[37];
    m.parameter1 = be16(p.bhs, 38);
    m.parameter2 = be16(p.bhs, 40);
    m.parameter3 = be16(p.bhs, 42);
    split_sense_segment(p.data, m.sense, m.event_data, m.warnings);
    return m;
}
Pdu AsyncMessage::encode() const {
    return Header(Opcode::async_message)
        .u8(1, 0x80)
        .lun(lun)
        .be32(16, reserved_tag)
        .be32(24, stat_sn)
        .be32(28, exp_cmd_sn)
        .be32(32, max_cmd_sn)
        .u8(36, async_event)
        .u8(37, async_vcode)
        .be16(38, parameter1)
        .be16(40, parameter2)
        .be16(42, parameter3)
        .finish(sense_segment(sense, event_data));
}

// ---- Reject ----
Reject Reject::decode(const Pdu& p) {
    expect(p, Opcode::reject);
    return Reject{p.bhs[2],        be32(p.bhs, 24), be32(p.bhs, 28),
                  be32(p.bhs, 32), be32(p.bhs, 36), p.data};
}
Pdu Reject::encode() const {
    return Header(Opcode::reject)
        .u8(1, 0x80)
        .u8(2, reason)
        .be32(16, reserved_tag)
        .be32(24, stat_sn)
        .be32(28, exp_cmd_sn)
        .be32(32, max_cmd_sn)
        .be32(36, data_sn)
        .finish(header);
}

AnyPdu decode_pdu(const Pdu& p) {
    switch (static_cast<Opcode>(p.opcode())) {
        case Opcode::nop_out:
            return NopOut::decode(p);
        case Opcode::scsi_command:
            return ScsiCommand::decode(p);
        case Opcode::task_management_request:
            return TaskManagementRequest::decode(p);
        case Opcode::login_request:
            return LoginRequest::decode(p);
        case Opcode::text_request:
            return TextRequest::decode(p);
        case Opcode::data_out:
            return DataOut::decode(p);
        case Opcode::logout_request:
            return LogoutRequest::decode(p);
        case Opcode::snack_request:
            return SnackRequest::decode(p);
        case Opcode::nop_in:
            return NopIn::decode(p);
        case Opcode::scsi_response:
            return ScsiResponse::decode(p);
        case Opcode::task_management_response:
            return TaskManagementResponse::decode(p);
        case Opcode::login_response:
            return LoginResponse::decode(p);
        case Opcode::text_response:
            return TextResponse::decode(p);
        case Opcode::data_in:
            return DataIn::decode(p);
        case Opcode::logout_response:
            return LogoutResponse::decode(p);
        case Opcode::r2t:
            return R2t::decode(p);
        case Opcode::async_message:
            return AsyncMessage::decode(p);
        case Opcode::reject:
            return Reject::decode(p);
    }
    bool vendor = is_vendor_opcode(p.opcode(), Sender::initiator) ||
                  is_vendor_opcode(p.opcode(), Sender::target);
    throw ProtocolError(
        vendor ? RejectReason::command_not_supported : RejectReason::protocol_error,
        fmt::format("opcode 0x{:02x} ({}) is not supported", p.opcode(), opcode_name(p.opcode())),
        p.bhs, true, 0);
}

Pdu encode_pdu(const AnyPdu& pdu) {
    return std::visit([](const auto& x) { return x.encode(); }, pdu);
}

void to_json(nlohmann::json& j, const Pdu& p) {
    j = nlohmann::json{{"opcode", p.opcode()},
                       {"opcode_name", opcode_name(p.opcode())},
                       {"immediate", p.immediate()},
                       {"final", p.final_bit()},
                       {"initiator_task_tag", p.initiator_task_tag()},
                       {"total_ahs_length_bytes", p.total_ahs_length() * 4u},
                       {"data_segment_length_bytes", p.data_segment_length()},
                       {"bhs", hex::compact(p.bhs)}};
}

}  // namespace camx::iscsi
