// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/cdb.hpp"

#include <array>

#include <fmt/format.h>
#include <scsi/sg_lib.h>

namespace camx::scsi {

std::string opcode_name(std::uint8_t opcode, int service_action, int peripheral_type) {
    std::array<char, 128> buf{};
    if (service_action >= 0) {
        sg_get_opcode_sa_name(opcode, service_action, peripheral_type, static_cast<int>(buf.size()),
                              buf.data());
    } else {
        sg_get_opcode_name(opcode, peripheral_type, static_cast<int>(buf.size()), buf.data());
    }
    return buf.data();
}

namespace cdb {
namespace {

using bytes::be16;
using bytes::be32;
using bytes::be64;
using bytes::bit;
using bytes::bits;
using bytes::put_be16;
using bytes::put_be24;
using bytes::put_be32;
using bytes::put_be64;

std::size_t length_of(Opcode op) {
    return *cdb_length(op);
}

ByteView check(ByteView cdb, Opcode op, const char* name) {
    const auto n = length_of(op);
    if (cdb.size() < n) {
        throw Error(Category::malformed,
                    fmt::format("{} CDB has {} bytes, needs {}", name, cdb.size(), n));
    }
    if (cdb[0] != to_u8(op)) {
        throw Error(Category::malformed,
                    fmt::format("{} CDB has operation code 0x{:02x}, expected 0x{:02x}", name,
                                cdb[0], to_u8(op)));
    }
    return cdb.first(n);
}

ByteView check_sa(ByteView cdb, Opcode op, std::uint8_t sa, const char* name) {
    auto c = check(cdb, op, name);
    if ((c[1] & 0x1f) != sa) {
        throw Error(Category::malformed,
                    fmt::format("{} CDB has service action 0x{:02x}, expected 0x{:02x}", name,
                                c[1] & 0x1f, sa));
    }
    return c;
}

Bytes blank_cdb(Opcode op) {
    Bytes b(length_of(op), 0);
    b[0] = to_u8(op);
    return b;
}

Bytes start_sa(Opcode op, std::uint8_t sa) {
    auto b = blank_cdb(op);
    b[1] = sa & 0x1f;
    return b;
}

std::uint8_t flag(bool v, unsigned n) {
    return v ? static_cast<std::uint8_t>(1u << n) : 0;
}
std::uint8_t field(unsigned v, unsigned hi, unsigned lo) {
    return static_cast<std::uint8_t>((v & ((1u << (hi - lo + 1)) - 1u)) << lo);
}
std::uint8_t u8of(unsigned v) {
    return static_cast<std::uint8_t>(v);
}

// Byte 1 of the READ/WRITE/VERIFY family: protect field, DPO, FUA (or BYTCHK), RARC.
std::uint8_t rw_byte1(std::uint8_t protect, bool dpo, bool fua, bool rarc) {
    return field(protect, 7, 5) | flag(dpo, 4) | flag(fua, 3) | flag(rarc, 2);
}

// A CDB with just an operation code and a control byte.
template <typename T>
Bytes encode_plain(const T& t) {
    auto b = blank_cdb(T::opcode);
    b.back() = t.control;
    return b;
}
template <typename T>
T decode_plain(ByteView cdb, const char* name) {
    auto c = check(cdb, T::opcode, name);
    T t;
    t.control = c.back();
    return t;
}

}  // namespace

Bytes TestUnitReady::encode() const {
    return encode_plain(*this);
}
TestUnitReady TestUnitReady::decode(ByteView cdb) {
    return decode_plain<TestUnitReady>(cdb, "TEST UNIT READY");
}

Bytes RequestSense::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(desc, 0);
    b[4] = allocation_length;
    b[5] = control;
    return b;
}
RequestSense RequestSense::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "REQUEST SENSE");
    return {.desc = bit(c[1], 0), .allocation_length = c[4], .control = c[5]};
}

Bytes Inquiry::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(evpd, 0);
    b[2] = page_code;
    put_be16(b, 3, allocation_length);
    b[5] = control;
    return b;
}
Inquiry Inquiry::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "INQUIRY");
    return {
        .evpd = bit(c[1], 0), .page_code = c[2], .allocation_length = be16(c, 3), .control = c[5]};
}

Bytes ReadCapacity10::encode() const {
    auto b = blank_cdb(opcode);
    put_be32(b, 2, lba);
    b[8] = flag(pmi, 0);
    b[9] = control;
    return b;
}
ReadCapacity10 ReadCapacity10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "READ CAPACITY(10)");
    return {.lba = be32(c, 2), .pmi = bit(c[8], 0), .control = c[9]};
}

Bytes ReadCapacity16::encode() const {
    auto b = start_sa(opcode, service_action);
    put_be64(b, 2, lba);
    put_be32(b, 10, allocation_length);
    b[14] = flag(pmi, 0);
    b[15] = control;
    return b;
}
ReadCapacity16 ReadCapacity16::decode(ByteView cdb) {
    auto c = check_sa(cdb, opcode, service_action, "READ CAPACITY(16)");
    return {.lba = be64(c, 2),
            .allocation_length = be32(c, 10),
            .pmi = bit(c[14], 0),
            .control = c[15]};
}

Bytes GetLbaStatus::encode() const {
    auto b = start_sa(opcode, service_action);
    put_be64(b, 2, starting_lba);
    put_be32(b, 10, allocation_length);
    b[14] = report_type;
    b[15] = control;
    return b;
}
GetLbaStatus GetLbaStatus::decode(ByteView cdb) {
    auto c = check_sa(cdb, opcode, service_action, "GET LBA STATUS");
    return {.starting_lba = be64(c, 2),
            .allocation_length = be32(c, 10),
            .report_type = c[14],
            .control = c[15]};
}

Bytes ReportLuns::encode() const {
    auto b = blank_cdb(opcode);
    b[2] = select_report;
    put_be32(b, 6, allocation_length);
    b[11] = control;
    return b;
}
ReportLuns ReportLuns::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "REPORT LUNS");
    return {.select_report = c[2], .allocation_length = be32(c, 6), .control = c[11]};
}

Bytes ModeSense6::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(dbd, 3);
    b[2] = field(page_control, 7, 6) | field(page_code, 5, 0);
    b[3] = subpage_code;
    b[4] = allocation_length;
    b[5] = control;
    return b;
}
ModeSense6 ModeSense6::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "MODE SENSE(6)");
    return {.dbd = bit(c[1], 3),
            .page_control = u8of(bits(c[2], 7, 6)),
            .page_code = u8of(bits(c[2], 5, 0)),
            .subpage_code = c[3],
            .allocation_length = c[4],
            .control = c[5]};
}

Bytes ModeSense10::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(llbaa, 4) | flag(dbd, 3);
    b[2] = field(page_control, 7, 6) | field(page_code, 5, 0);
    b[3] = subpage_code;
    put_be16(b, 7, allocation_length);
    b[9] = control;
    return b;
}
ModeSense10 ModeSense10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "MODE SENSE(10)");
    return {.llbaa = bit(c[1], 4),
            .dbd = bit(c[1], 3),
            .page_control = u8of(bits(c[2], 7, 6)),
            .page_code = u8of(bits(c[2], 5, 0)),
            .subpage_code = c[3],
            .allocation_length = be16(c, 7),
            .control = c[9]};
}

Bytes ModeSelect6::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(pf, 4) | flag(sp, 0);
    b[4] = parameter_list_length;
    b[5] = control;
    return b;
}
ModeSelect6 ModeSelect6::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "MODE SELECT(6)");
    return {.pf = bit(c[1], 4), .sp = bit(c[1], 0), .parameter_list_length = c[4], .control = c[5]};
}

Bytes ModeSelect10::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(pf, 4) | flag(sp, 0);
    put_be16(b, 7, parameter_list_length);
    b[9] = control;
    return b;
}
ModeSelect10 ModeSelect10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "MODE SELECT(10)");
    return {.pf = bit(c[1], 4),
            .sp = bit(c[1], 0),
            .parameter_list_length = be16(c, 7),
            .control = c[9]};
}

Bytes LogSelect::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(pcr, 1) | flag(sp, 0);
    b[2] = field(page_control, 7, 6) | field(page_code, 5, 0);
    b[3] = subpage_code;
    put_be16(b, 7, parameter_list_length);
    b[9] = control;
    return b;
}
LogSelect LogSelect::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "LOG SELECT");
    return {.pcr = bit(c[1], 1),
            .sp = bit(c[1], 0),
            .page_control = u8of(bits(c[2], 7, 6)),
            .page_code = u8of(bits(c[2], 5, 0)),
            .subpage_code = c[3],
            .parameter_list_length = be16(c, 7),
            .control = c[9]};
}

Bytes LogSense::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(ppc, 1) | flag(sp, 0);
    b[2] = field(page_control, 7, 6) | field(page_code, 5, 0);
    b[3] = subpage_code;
    put_be16(b, 5, parameter_pointer);
    put_be16(b, 7, allocation_length);
    b[9] = control;
    return b;
}
LogSense LogSense::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "LOG SENSE");
    return {.ppc = bit(c[1], 1),
            .sp = bit(c[1], 0),
            .page_control = u8of(bits(c[2], 7, 6)),
            .page_code = u8of(bits(c[2], 5, 0)),
            .subpage_code = c[3],
            .parameter_pointer = be16(c, 5),
            .allocation_length = be16(c, 7),
            .control = c[9]};
}

Bytes StartStopUnit::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(immed, 0);
    b[3] = field(power_condition_modifier, 3, 0);
    b[4] = field(power_condition, 7, 4) | flag(no_flush, 2) | flag(loej, 1) | flag(start, 0);
    b[5] = control;
    return b;
}
StartStopUnit StartStopUnit::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "START STOP UNIT");
    return {.immed = bit(c[1], 0),
            .power_condition_modifier = u8of(bits(c[3], 3, 0)),
            .power_condition = u8of(bits(c[4], 7, 4)),
            .no_flush = bit(c[4], 2),
            .loej = bit(c[4], 1),
            .start = bit(c[4], 0),
            .control = c[5]};
}

Bytes SynchronizeCache10::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(immed, 1);
    put_be32(b, 2, lba);
    b[6] = field(group, 4, 0);
    put_be16(b, 7, blocks);
    b[9] = control;
    return b;
}
SynchronizeCache10 SynchronizeCache10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "SYNCHRONIZE CACHE(10)");
    return {.immed = bit(c[1], 1),
            .lba = be32(c, 2),
            .group = u8of(bits(c[6], 4, 0)),
            .blocks = be16(c, 7),
            .control = c[9]};
}

Bytes SynchronizeCache16::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(immed, 1);
    put_be64(b, 2, lba);
    put_be32(b, 10, blocks);
    b[14] = field(group, 5, 0);
    b[15] = control;
    return b;
}
SynchronizeCache16 SynchronizeCache16::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "SYNCHRONIZE CACHE(16)");
    return {.immed = bit(c[1], 1),
            .lba = be64(c, 2),
            .blocks = be32(c, 10),
            .group = u8of(bits(c[14], 5, 0)),
            .control = c[15]};
}

Bytes PersistentReserveIn::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = field(service_action, 4, 0);
    put_be16(b, 7, allocation_length);
    b[9] = control;
    return b;
}
PersistentReserveIn PersistentReserveIn::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "PERSISTENT RESERVE IN");
    return {
        .service_action = u8of(bits(c[1], 4, 0)), .allocation_length = be16(c, 7), .control = c[9]};
}

Bytes PersistentReserveOut::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = field(service_action, 4, 0);
    b[2] = field(scope, 7, 4) | field(type, 3, 0);
    put_be32(b, 5, parameter_list_length);
    b[9] = control;
    return b;
}
PersistentReserveOut PersistentReserveOut::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "PERSISTENT RESERVE OUT");
    return {.service_action = u8of(bits(c[1], 4, 0)),
            .scope = u8of(bits(c[2], 7, 4)),
            .type = u8of(bits(c[2], 3, 0)),
            .parameter_list_length = be32(c, 5),
            .control = c[9]};
}

Bytes ReportTargetPortGroups::encode() const {
    auto b = start_sa(opcode, service_action);
    b[1] |= field(extended ? 1 : 0, 7, 5);
    put_be32(b, 6, allocation_length);
    b[11] = control;
    return b;
}
ReportTargetPortGroups ReportTargetPortGroups::decode(ByteView cdb) {
    auto c = check_sa(cdb, opcode, service_action, "REPORT TARGET PORT GROUPS");
    return {.extended = bits(c[1], 7, 5) == 1, .allocation_length = be32(c, 6), .control = c[11]};
}

Bytes SetTargetPortGroups::encode() const {
    auto b = start_sa(opcode, service_action);
    put_be32(b, 6, parameter_list_length);
    b[11] = control;
    return b;
}
SetTargetPortGroups SetTargetPortGroups::decode(ByteView cdb) {
    auto c = check_sa(cdb, opcode, service_action, "SET TARGET PORT GROUPS");
    return {.parameter_list_length = be32(c, 6), .control = c[11]};
}

Bytes ReportSupportedOpcodes::encode() const {
    auto b = start_sa(opcode, service_action);
    b[2] = flag(rctd, 7) | field(reporting_options, 2, 0);
    b[3] = requested_opcode;
    put_be16(b, 4, requested_service_action);
    put_be32(b, 6, allocation_length);
    b[11] = control;
    return b;
}
ReportSupportedOpcodes ReportSupportedOpcodes::decode(ByteView cdb) {
    auto c = check_sa(cdb, opcode, service_action, "REPORT SUPPORTED OPERATION CODES");
    return {.rctd = bit(c[2], 7),
            .reporting_options = u8of(bits(c[2], 2, 0)),
            .requested_opcode = c[3],
            .requested_service_action = be16(c, 4),
            .allocation_length = be32(c, 6),
            .control = c[11]};
}

Bytes ReportSupportedTmfs::encode() const {
    auto b = start_sa(opcode, service_action);
    b[2] = flag(repd, 7);
    put_be32(b, 6, allocation_length);
    b[11] = control;
    return b;
}
ReportSupportedTmfs ReportSupportedTmfs::decode(ByteView cdb) {
    auto c = check_sa(cdb, opcode, service_action, "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS");
    return {.repd = bit(c[2], 7), .allocation_length = be32(c, 6), .control = c[11]};
}

Bytes ReceiveDiagnostic::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(pcv, 0);
    b[2] = page_code;
    put_be16(b, 3, allocation_length);
    b[5] = control;
    return b;
}
ReceiveDiagnostic ReceiveDiagnostic::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "RECEIVE DIAGNOSTIC RESULTS");
    return {
        .pcv = bit(c[1], 0), .page_code = c[2], .allocation_length = be16(c, 3), .control = c[5]};
}

Bytes SendDiagnostic::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = field(self_test_code, 7, 5) | flag(pf, 4) | flag(self_test, 2) | flag(devoffl, 1) |
           flag(unitoffl, 0);
    put_be16(b, 3, parameter_list_length);
    b[5] = control;
    return b;
}
SendDiagnostic SendDiagnostic::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "SEND DIAGNOSTIC");
    return {.self_test_code = u8of(bits(c[1], 7, 5)),
            .pf = bit(c[1], 4),
            .self_test = bit(c[1], 2),
            .devoffl = bit(c[1], 1),
            .unitoffl = bit(c[1], 0),
            .parameter_list_length = be16(c, 3),
            .control = c[5]};
}

namespace {

template <typename T>
Bytes encode_rw6(const T& t) {
    auto b = blank_cdb(T::opcode);
    put_be24(b, 1, t.lba & 0x1fffff);
    b[4] = static_cast<std::uint8_t>(t.transfer_length & 0xff);  // 256 travels as 0
    b[5] = t.control;
    return b;
}
template <typename T>
T decode_rw6(ByteView cdb, const char* name) {
    auto c = check(cdb, T::opcode, name);
    T t;
    t.lba = bytes::be24(c, 1) & 0x1fffff;
    t.transfer_length = c[4] == 0 ? 256 : c[4];
    t.control = c[5];
    return t;
}

}  // namespace

Bytes Read6::encode() const {
    return encode_rw6(*this);
}
Read6 Read6::decode(ByteView cdb) {
    return decode_rw6<Read6>(cdb, "READ(6)");
}
Bytes Write6::encode() const {
    return encode_rw6(*this);
}
Write6 Write6::decode(ByteView cdb) {
    return decode_rw6<Write6>(cdb, "WRITE(6)");
}

Bytes Read10::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = rw_byte1(rdprotect, dpo, fua, rarc);
    put_be32(b, 2, lba);
    b[6] = field(group, 4, 0);
    put_be16(b, 7, transfer_length);
    b[9] = control;
    return b;
}
Read10 Read10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "READ(10)");
    return {.rdprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .fua = bit(c[1], 3),
            .rarc = bit(c[1], 2),
            .lba = be32(c, 2),
            .group = u8of(bits(c[6], 4, 0)),
            .transfer_length = be16(c, 7),
            .control = c[9]};
}

Bytes Write10::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = rw_byte1(wrprotect, dpo, fua, false);
    put_be32(b, 2, lba);
    b[6] = field(group, 4, 0);
    put_be16(b, 7, transfer_length);
    b[9] = control;
    return b;
}
Write10 Write10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "WRITE(10)");
    return {.wrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .fua = bit(c[1], 3),
            .lba = be32(c, 2),
            .group = u8of(bits(c[6], 4, 0)),
            .transfer_length = be16(c, 7),
            .control = c[9]};
}

Bytes Read12::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = rw_byte1(rdprotect, dpo, fua, rarc);
    put_be32(b, 2, lba);
    put_be32(b, 6, transfer_length);
    b[10] = field(group, 4, 0);
    b[11] = control;
    return b;
}
Read12 Read12::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "READ(12)");
    return {.rdprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .fua = bit(c[1], 3),
            .rarc = bit(c[1], 2),
            .lba = be32(c, 2),
            .transfer_length = be32(c, 6),
            .group = u8of(bits(c[10], 4, 0)),
            .control = c[11]};
}

Bytes Write12::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = rw_byte1(wrprotect, dpo, fua, false);
    put_be32(b, 2, lba);
    put_be32(b, 6, transfer_length);
    b[10] = field(group, 4, 0);
    b[11] = control;
    return b;
}
Write12 Write12::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "WRITE(12)");
    return {.wrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .fua = bit(c[1], 3),
            .lba = be32(c, 2),
            .transfer_length = be32(c, 6),
            .group = u8of(bits(c[10], 4, 0)),
            .control = c[11]};
}

Bytes Read16::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = rw_byte1(rdprotect, dpo, fua, rarc);
    put_be64(b, 2, lba);
    put_be32(b, 10, transfer_length);
    b[14] = field(group, 5, 0);
    b[15] = control;
    return b;
}
Read16 Read16::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "READ(16)");
    return {.rdprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .fua = bit(c[1], 3),
            .rarc = bit(c[1], 2),
            .lba = be64(c, 2),
            .transfer_length = be32(c, 10),
            .group = u8of(bits(c[14], 5, 0)),
            .control = c[15]};
}

Bytes Write16::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = rw_byte1(wrprotect, dpo, fua, false);
    put_be64(b, 2, lba);
    put_be32(b, 10, transfer_length);
    b[14] = field(group, 5, 0);
    b[15] = control;
    return b;
}
Write16 Write16::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "WRITE(16)");
    return {.wrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .fua = bit(c[1], 3),
            .lba = be64(c, 2),
            .transfer_length = be32(c, 10),
            .group = u8of(bits(c[14], 5, 0)),
            .control = c[15]};
}

namespace {

// VERIFY and WRITE AND VERIFY byte 1: protect field, DPO, BYTCHK in bits 2..1.
std::uint8_t verify_byte1(std::uint8_t protect, bool dpo, std::uint8_t bytchk) {
    return field(protect, 7, 5) | flag(dpo, 4) | field(bytchk, 2, 1);
}

}  // namespace

Bytes Verify10::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = verify_byte1(vrprotect, dpo, bytchk);
    put_be32(b, 2, lba);
    b[6] = field(group, 4, 0);
    put_be16(b, 7, verification_length);
    b[9] = control;
    return b;
}
Verify10 Verify10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "VERIFY(10)");
    return {.vrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .bytchk = u8of(bits(c[1], 2, 1)),
            .lba = be32(c, 2),
            .group = u8of(bits(c[6], 4, 0)),
            .verification_length = be16(c, 7),
            .control = c[9]};
}

Bytes Verify12::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = verify_byte1(vrprotect, dpo, bytchk);
    put_be32(b, 2, lba);
    put_be32(b, 6, verification_length);
    b[10] = field(group, 4, 0);
    b[11] = control;
    return b;
}
Verify12 Verify12::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "VERIFY(12)");
    return {.vrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .bytchk = u8of(bits(c[1], 2, 1)),
            .lba = be32(c, 2),
            .verification_length = be32(c, 6),
            .group = u8of(bits(c[10], 4, 0)),
            .control = c[11]};
}

Bytes Verify16::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = verify_byte1(vrprotect, dpo, bytchk);
    put_be64(b, 2, lba);
    put_be32(b, 10, verification_length);
    b[14] = field(group, 5, 0);
    b[15] = control;
    return b;
}
Verify16 Verify16::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "VERIFY(16)");
    return {.vrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .bytchk = u8of(bits(c[1], 2, 1)),
            .lba = be64(c, 2),
            .verification_length = be32(c, 10),
            .group = u8of(bits(c[14], 5, 0)),
            .control = c[15]};
}

Bytes WriteAndVerify10::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = verify_byte1(wrprotect, dpo, bytchk);
    put_be32(b, 2, lba);
    b[6] = field(group, 4, 0);
    put_be16(b, 7, transfer_length);
    b[9] = control;
    return b;
}
WriteAndVerify10 WriteAndVerify10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "WRITE AND VERIFY(10)");
    return {.wrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .bytchk = u8of(bits(c[1], 2, 1)),
            .lba = be32(c, 2),
            .group = u8of(bits(c[6], 4, 0)),
            .transfer_length = be16(c, 7),
            .control = c[9]};
}

Bytes WriteAndVerify12::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = verify_byte1(wrprotect, dpo, bytchk);
    put_be32(b, 2, lba);
    put_be32(b, 6, transfer_length);
    b[10] = field(group, 4, 0);
    b[11] = control;
    return b;
}
WriteAndVerify12 WriteAndVerify12::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "WRITE AND VERIFY(12)");
    return {.wrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .bytchk = u8of(bits(c[1], 2, 1)),
            .lba = be32(c, 2),
            .transfer_length = be32(c, 6),
            .group = u8of(bits(c[10], 4, 0)),
            .control = c[11]};
}

Bytes WriteAndVerify16::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = verify_byte1(wrprotect, dpo, bytchk);
    put_be64(b, 2, lba);
    put_be32(b, 10, transfer_length);
    b[14] = field(group, 5, 0);
    b[15] = control;
    return b;
}
WriteAndVerify16 WriteAndVerify16::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "WRITE AND VERIFY(16)");
    return {.wrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .bytchk = u8of(bits(c[1], 2, 1)),
            .lba = be64(c, 2),
            .transfer_length = be32(c, 10),
            .group = u8of(bits(c[14], 5, 0)),
            .control = c[15]};
}

Bytes WriteSame10::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = field(wrprotect, 7, 5) | flag(anchor, 4) | flag(unmap, 3);
    put_be32(b, 2, lba);
    b[6] = field(group, 4, 0);
    put_be16(b, 7, blocks);
    b[9] = control;
    return b;
}
WriteSame10 WriteSame10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "WRITE SAME(10)");
    return {.wrprotect = u8of(bits(c[1], 7, 5)),
            .anchor = bit(c[1], 4),
            .unmap = bit(c[1], 3),
            .lba = be32(c, 2),
            .group = u8of(bits(c[6], 4, 0)),
            .blocks = be16(c, 7),
            .control = c[9]};
}

Bytes WriteSame16::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = field(wrprotect, 7, 5) | flag(anchor, 4) | flag(unmap, 3) | flag(ndob, 0);
    put_be64(b, 2, lba);
    put_be32(b, 10, blocks);
    b[14] = field(group, 5, 0);
    b[15] = control;
    return b;
}
WriteSame16 WriteSame16::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "WRITE SAME(16)");
    return {.wrprotect = u8of(bits(c[1], 7, 5)),
            .anchor = bit(c[1], 4),
            .unmap = bit(c[1], 3),
            .ndob = bit(c[1], 0),
            .lba = be64(c, 2),
            .blocks = be32(c, 10),
            .group = u8of(bits(c[14], 5, 0)),
            .control = c[15]};
}

Bytes Unmap::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(anchor, 0);
    b[6] = field(group, 4, 0);
    put_be16(b, 7, parameter_list_length);
    b[9] = control;
    return b;
}
Unmap Unmap::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "UNMAP");
    return {.anchor = bit(c[1], 0),
            .group = u8of(bits(c[6], 4, 0)),
            .parameter_list_length = be16(c, 7),
            .control = c[9]};
}

Bytes UnmapParameterList::encode() const {
    bytes::Writer w;
    const auto desc_len = descriptors.size() * 16;
    w.be16(static_cast<std::uint16_t>(6 + desc_len));
    w.be16(static_cast<std::uint16_t>(desc_len));
    w.zeros(4);
    for (const auto& d : descriptors) {
        w.be64(d.lba);
        w.be32(d.blocks);
        w.zeros(4);
    }
    return w.take();
}

UnmapParameterList UnmapParameterList::decode(ByteView data) {
    UnmapParameterList out;
    if (data.empty()) return out;
    if (data.size() < 8) {
        throw Error(Category::malformed,
                    fmt::format("UNMAP parameter list has {} bytes, header needs 8", data.size()));
    }
    const std::size_t data_len = be16(data, 0);
    const std::size_t desc_len = be16(data, 2);
    if (data_len != desc_len + 6) {
        out.warnings.push_back(
            fmt::format("UNMAP DATA LENGTH {} does not match BLOCK DESCRIPTOR DATA LENGTH {} + 6",
                        data_len, desc_len));
    }
    if (desc_len % 16 != 0) {
        out.warnings.push_back(
            fmt::format("BLOCK DESCRIPTOR DATA LENGTH {} is not a multiple of 16", desc_len));
    }
    auto body = bytes::clamp(data, 8, desc_len);
    if (body.size() < desc_len) {
        out.warnings.push_back(fmt::format("block descriptors truncated: {} of {} bytes present",
                                           body.size(), desc_len));
    }
    for (std::size_t off = 0; off + 16 <= body.size(); off += 16) {
        out.descriptors.push_back({.lba = be64(body, off), .blocks = be32(body, off + 8)});
    }
    if (body.size() % 16 != 0) {
        out.warnings.push_back(
            fmt::format("{} bytes of a partial block descriptor ignored", body.size() % 16));
    }
    return out;
}

Bytes CompareAndWrite::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = rw_byte1(wrprotect, dpo, fua, false);
    put_be64(b, 2, lba);
    b[13] = blocks;
    b[14] = field(group, 5, 0);
    b[15] = control;
    return b;
}
CompareAndWrite CompareAndWrite::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "COMPARE AND WRITE");
    return {.wrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .fua = bit(c[1], 3),
            .lba = be64(c, 2),
            .blocks = c[13],
            .group = u8of(bits(c[14], 5, 0)),
            .control = c[15]};
}

Bytes PreventAllowMediumRemoval::encode() const {
    auto b = blank_cdb(opcode);
    b[4] = field(prevent, 1, 0);
    b[5] = control;
    return b;
}
PreventAllowMediumRemoval PreventAllowMediumRemoval::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "PREVENT ALLOW MEDIUM REMOVAL");
    return {.prevent = u8of(bits(c[4], 1, 0)), .control = c[5]};
}

Bytes Reserve6::encode() const {
    return encode_plain(*this);
}
Reserve6 Reserve6::decode(ByteView cdb) {
    return decode_plain<Reserve6>(cdb, "RESERVE(6)");
}
Bytes Release6::encode() const {
    return encode_plain(*this);
}
Release6 Release6::decode(ByteView cdb) {
    return decode_plain<Release6>(cdb, "RELEASE(6)");
}

namespace {

template <typename T>
Bytes encode_resrel10(const T& t) {
    auto b = blank_cdb(T::opcode);
    b[1] = flag(t.third_party, 4) | flag(t.longid, 1);
    b[3] = t.third_party_device_id;
    put_be16(b, 7, t.parameter_list_length);
    b[9] = t.control;
    return b;
}
template <typename T>
T decode_resrel10(ByteView cdb, const char* name) {
    auto c = check(cdb, T::opcode, name);
    T t;
    t.third_party = bit(c[1], 4);
    t.longid = bit(c[1], 1);
    t.third_party_device_id = c[3];
    t.parameter_list_length = be16(c, 7);
    t.control = c[9];
    return t;
}

}  // namespace

Bytes Reserve10::encode() const {
    return encode_resrel10(*this);
}
Reserve10 Reserve10::decode(ByteView cdb) {
    return decode_resrel10<Reserve10>(cdb, "RESERVE(10)");
}
Bytes Release10::encode() const {
    return encode_resrel10(*this);
}
Release10 Release10::decode(ByteView cdb) {
    return decode_resrel10<Release10>(cdb, "RELEASE(10)");
}

Bytes Sanitize::encode() const {
    auto b = start_sa(opcode, service_action);
    b[1] |= flag(immed, 7) | flag(ause, 5) | (reserved_bits & 0x40);
    for (std::size_t i = 0; i < 5 && i < reserved_bytes.size(); ++i) b[2 + i] = reserved_bytes[i];
    put_be16(b, 7, parameter_list_length);
    b[9] = control;
    return b;
}
Sanitize Sanitize::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "SANITIZE");
    return {.immed = bit(c[1], 7),
            .ause = bit(c[1], 5),
            .service_action = u8of(bits(c[1], 4, 0)),
            .reserved_bits = u8of(c[1] & 0x40),
            .reserved_bytes = Bytes(c.begin() + 2, c.begin() + 7),
            .parameter_list_length = be16(c, 7),
            .control = c[9]};
}

Bytes SanitizeOverwriteParameters::encode() const {
    Bytes b;
    b.reserve(4 + initialization_pattern.size());
    b.resize(4);
    b[0] = flag(invert, 7) | field(test, 6, 5) | field(overwrite_count, 4, 0);
    put_be16(b, 2, static_cast<std::uint16_t>(initialization_pattern.size()));
    b.insert(b.end(), initialization_pattern.begin(), initialization_pattern.end());
    return b;
}
SanitizeOverwriteParameters SanitizeOverwriteParameters::decode(ByteView data) {
    if (data.size() < 4) {
        throw Error(Category::malformed,
                    fmt::format("SANITIZE OVERWRITE parameter list has {} bytes, header needs 4",
                                data.size()));
    }
    SanitizeOverwriteParameters out;
    out.invert = bit(data[0], 7);
    out.test = u8of(bits(data[0], 6, 5));
    out.overwrite_count = u8of(bits(data[0], 4, 0));
    const std::size_t length = be16(data, 2);
    auto pattern = bytes::clamp(data, 4, length);
    out.initialization_pattern.assign(pattern.begin(), pattern.end());
    if (pattern.size() < length) {
        out.warnings.push_back(fmt::format("initialization pattern truncated: {} of {} bytes",
                                           pattern.size(), length));
    }
    if (data.size() > 4 + length) {
        out.warnings.push_back(
            fmt::format("{} bytes after the initialization pattern", data.size() - 4 - length));
    }
    return out;
}

Bytes WriteAtomic16::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = rw_byte1(wrprotect, dpo, fua, false);
    put_be64(b, 2, lba);
    put_be16(b, 10, atomic_boundary);
    put_be16(b, 12, transfer_length);
    b[14] = field(group, 5, 0);
    b[15] = control;
    return b;
}
WriteAtomic16 WriteAtomic16::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "WRITE ATOMIC(16)");
    return {.wrprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .fua = bit(c[1], 3),
            .lba = be64(c, 2),
            .atomic_boundary = be16(c, 10),
            .transfer_length = be16(c, 12),
            .group = u8of(bits(c[14], 5, 0)),
            .control = c[15]};
}

Bytes OrWrite16::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = rw_byte1(orprotect, dpo, fua, false);
    put_be64(b, 2, lba);
    put_be32(b, 10, transfer_length);
    b[14] = field(group, 5, 0);
    b[15] = control;
    return b;
}
OrWrite16 OrWrite16::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "ORWRITE(16)");
    return {.orprotect = u8of(bits(c[1], 7, 5)),
            .dpo = bit(c[1], 4),
            .fua = bit(c[1], 3),
            .lba = be64(c, 2),
            .transfer_length = be32(c, 10),
            .group = u8of(bits(c[14], 5, 0)),
            .control = c[15]};
}

Bytes PreFetch10::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(immed, 1);
    put_be32(b, 2, lba);
    b[6] = field(group, 5, 0);
    put_be16(b, 7, prefetch_length);
    b[9] = control;
    return b;
}
PreFetch10 PreFetch10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "PRE-FETCH(10)");
    return {.immed = bit(c[1], 1),
            .lba = be32(c, 2),
            .prefetch_length = be16(c, 7),
            .group = u8of(bits(c[6], 5, 0)),
            .control = c[9]};
}

Bytes PreFetch16::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(immed, 1);
    put_be64(b, 2, lba);
    put_be32(b, 10, prefetch_length);
    b[14] = field(group, 5, 0);
    b[15] = control;
    return b;
}
PreFetch16 PreFetch16::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "PRE-FETCH(16)");
    return {.immed = bit(c[1], 1),
            .lba = be64(c, 2),
            .prefetch_length = be32(c, 10),
            .group = u8of(bits(c[14], 5, 0)),
            .control = c[15]};
}

Bytes ExtendedCopy::encode() const {
    auto b = start_sa(opcode, service_action);
    put_be32(b, 10, parameter_list_length);
    b[15] = control;
    return b;
}
ExtendedCopy ExtendedCopy::decode(ByteView cdb) {
    auto c = check_sa(cdb, opcode, service_action, "EXTENDED COPY");
    return {.parameter_list_length = be32(c, 10), .control = c[15]};
}

Bytes ReceiveCopyResults::encode() const {
    auto b = start_sa(opcode, service_action);
    b[2] = list_identifier;
    put_be32(b, 10, allocation_length);
    b[15] = control;
    return b;
}
ReceiveCopyResults ReceiveCopyResults::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "RECEIVE COPY RESULTS");
    return {.service_action = u8of(bits(c[1], 4, 0)),
            .list_identifier = c[2],
            .allocation_length = be32(c, 10),
            .control = c[15]};
}

Bytes ReadDefectData10::encode() const {
    auto b = blank_cdb(opcode);
    b[2] = flag(req_plist, 4) | flag(req_glist, 3) | field(defect_list_format, 2, 0);
    put_be16(b, 7, allocation_length);
    b[9] = control;
    return b;
}
ReadDefectData10 ReadDefectData10::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "READ DEFECT DATA(10)");
    return {.req_plist = bit(c[2], 4),
            .req_glist = bit(c[2], 3),
            .defect_list_format = u8of(bits(c[2], 2, 0)),
            .allocation_length = be16(c, 7),
            .control = c[9]};
}

Bytes ReadDefectData12::encode() const {
    auto b = blank_cdb(opcode);
    b[1] = flag(req_plist, 4) | flag(req_glist, 3) | field(defect_list_format, 2, 0);
    put_be32(b, 2, address_descriptor_index);
    put_be32(b, 6, allocation_length);
    b[11] = control;
    return b;
}
ReadDefectData12 ReadDefectData12::decode(ByteView cdb) {
    auto c = check(cdb, opcode, "READ DEFECT DATA(12)");
    return {.req_plist = bit(c[1], 4),
            .req_glist = bit(c[1], 3),
            .defect_list_format = u8of(bits(c[1], 2, 0)),
            .address_descriptor_index = be32(c, 2),
            .allocation_length = be32(c, 6),
            .control = c[11]};
}

}  // namespace cdb
}  // namespace camx::scsi
