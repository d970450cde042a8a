// SPDX-License-Identifier: BSD-2-Clause
// CDB builders and parsers: one struct per command with encode() and decode() side by side.
// The initiator encodes them; the target engine decodes the same structs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "camx/bytes/bytes.hpp"
#include "camx/scsi/opcode.hpp"

// Every decode() throws Error(malformed) when the CDB is shorter than the command's length
// or carries another operation code (or service action); bytes past the length are ignored.
namespace camx::scsi::cdb {

struct TestUnitReady {
    static constexpr Opcode opcode = Opcode::test_unit_ready;
    std::uint8_t control = 0;
    Bytes encode() const;
    static TestUnitReady decode(ByteView cdb);
    bool operator==(const TestUnitReady&) const = default;
};

struct RequestSense {
    static constexpr Opcode opcode = Opcode::request_sense;
    bool desc = false;
    std::uint8_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static RequestSense decode(ByteView cdb);
    bool operator==(const RequestSense&) const = default;
};

struct Inquiry {
    static constexpr Opcode opcode = Opcode::inquiry;
    bool evpd = false;
    std::uint8_t page_code = 0;
    std::uint16_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Inquiry decode(ByteView cdb);
    bool operator==(const Inquiry&) const = default;
};

struct ReadCapacity10 {
    static constexpr Opcode opcode = Opcode::read_capacity_10;
    std::uint32_t lba = 0;  // obsolete with pmi; kept so a target can reject it
    bool pmi = false;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ReadCapacity10 decode(ByteView cdb);
    bool operator==(const ReadCapacity10&) const = default;
};

struct ReadCapacity16 {
    static constexpr Opcode opcode = Opcode::service_action_in_16;
    static constexpr std::uint8_t service_action = 0x10;
    std::uint64_t lba = 0;
    std::uint32_t allocation_length = 32;
    bool pmi = false;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ReadCapacity16 decode(ByteView cdb);
    bool operator==(const ReadCapacity16&) const = default;
};

struct GetLbaStatus {
    static constexpr Opcode opcode = Opcode::service_action_in_16;
    static constexpr std::uint8_t service_action = 0x12;
    std::uint64_t starting_lba = 0;
    std::uint32_t allocation_length = 0;
    std::uint8_t report_type = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static GetLbaStatus decode(ByteView cdb);
    bool operator==(const GetLbaStatus&) const = default;
};

struct ReportLuns {
    static constexpr Opcode opcode = Opcode::report_luns;
    std::uint8_t select_report = 0;
    std::uint32_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ReportLuns decode(ByteView cdb);
    bool operator==(const ReportLuns&) const = default;
};

struct ModeSense6 {
    static constexpr Opcode opcode = Opcode::mode_sense_6;
    bool dbd = false;
    std::uint8_t page_control = 0;  // 0 current, 1 changeable, 2 default, 3 saved
    std::uint8_t page_code = 0;
    std::uint8_t subpage_code = 0;
    std::uint8_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ModeSense6 decode(ByteView cdb);
    bool operator==(const ModeSense6&) const = default;
};

struct ModeSense10 {
    static constexpr Opcode opcode = Opcode::mode_sense_10;
    bool llbaa = false;
    bool dbd = false;
    std::uint8_t page_control = 0;
    std::uint8_t page_code = 0;
    std::uint8_t subpage_code = 0;
    std::uint16_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ModeSense10 decode(ByteView cdb);
    bool operator==(const ModeSense10&) const = default;
};

struct ModeSelect6 {
    static constexpr Opcode opcode = Opcode::mode_select_6;
    bool pf = false;
    bool sp = false;
    std::uint8_t parameter_list_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ModeSelect6 decode(ByteView cdb);
    bool operator==(const ModeSelect6&) const = default;
};

struct ModeSelect10 {
    static constexpr Opcode opcode = Opcode::mode_select_10;
    bool pf = false;
    bool sp = false;
    std::uint16_t parameter_list_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ModeSelect10 decode(ByteView cdb);
    bool operator==(const ModeSelect10&) const = default;
};

struct LogSelect {
    static constexpr Opcode opcode = Opcode::log_select;
    bool pcr = false;
    bool sp = false;
    std::uint8_t page_control = 0;
    std::uint8_t page_code = 0;
    std::uint8_t subpage_code = 0;
    std::uint16_t parameter_list_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static LogSelect decode(ByteView cdb);
    bool operator==(const LogSelect&) const = default;
};

struct LogSense {
    static constexpr Opcode opcode = Opcode::log_sense;
    bool ppc = false;
    bool sp = false;
    std::uint8_t page_control = 1;  // cumulative values
    std::uint8_t page_code = 0;
    std::uint8_t subpage_code = 0;
    std::uint16_t parameter_pointer = 0;
    std::uint16_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static LogSense decode(ByteView cdb);
    bool operator==(const LogSense&) const = default;
};

struct StartStopUnit {
    static constexpr Opcode opcode = Opcode::start_stop_unit;
    bool immed = false;
    std::uint8_t power_condition_modifier = 0;
    std::uint8_t power_condition = 0;
    bool no_flush = false;
    bool loej = false;
    bool start = false;
    std::uint8_t control = 0;
    Bytes encode() const;
    static StartStopUnit decode(ByteView cdb);
    bool operator==(const StartStopUnit&) const = default;
};

struct SynchronizeCache10 {
    static constexpr Opcode opcode = Opcode::synchronize_cache_10;
    bool immed = false;
    std::uint32_t lba = 0;
    std::uint8_t group = 0;
    std::uint16_t blocks = 0;  // 0: to the end of the medium
    std::uint8_t control = 0;
    Bytes encode() const;
    static SynchronizeCache10 decode(ByteView cdb);
    bool operator==(const SynchronizeCache10&) const = default;
};

struct SynchronizeCache16 {
    static constexpr Opcode opcode = Opcode::synchronize_cache_16;
    bool immed = false;
    std::uint64_t lba = 0;
    std::uint32_t blocks = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static SynchronizeCache16 decode(ByteView cdb);
    bool operator==(const SynchronizeCache16&) const = default;
};

struct PersistentReserveIn {
    static constexpr Opcode opcode = Opcode::persistent_reserve_in;
    std::uint8_t service_action = 0;  // 0 READ KEYS .. 3 READ FULL STATUS
    std::uint16_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static PersistentReserveIn decode(ByteView cdb);
    bool operator==(const PersistentReserveIn&) const = default;
};

struct PersistentReserveOut {
    static constexpr Opcode opcode = Opcode::persistent_reserve_out;
    std::uint8_t service_action = 0;
    std::uint8_t scope = 0;
    std::uint8_t type = 0;
    std::uint32_t parameter_list_length = 24;
    std::uint8_t control = 0;
    Bytes encode() const;
    static PersistentReserveOut decode(ByteView cdb);
    bool operator==(const PersistentReserveOut&) const = default;
};

struct ReportTargetPortGroups {
    static constexpr Opcode opcode = Opcode::maintenance_in;
    static constexpr std::uint8_t service_action = 0x0a;
    bool extended = false;  // PARAMETER DATA FORMAT 001b
    std::uint32_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ReportTargetPortGroups decode(ByteView cdb);
    bool operator==(const ReportTargetPortGroups&) const = default;
};

struct SetTargetPortGroups {
    static constexpr Opcode opcode = Opcode::maintenance_out;
    static constexpr std::uint8_t service_action = 0x0a;
    std::uint32_t parameter_list_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static SetTargetPortGroups decode(ByteView cdb);
    bool operator==(const SetTargetPortGroups&) const = default;
};

struct ReportSupportedOpcodes {
    static constexpr Opcode opcode = Opcode::maintenance_in;
    static constexpr std::uint8_t service_action = 0x0c;
    bool rctd = false;
    std::uint8_t reporting_options = 0;
    std::uint8_t requested_opcode = 0;
    std::uint16_t requested_service_action = 0;
    std::uint32_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ReportSupportedOpcodes decode(ByteView cdb);
    bool operator==(const ReportSupportedOpcodes&) const = default;
};

struct ReportSupportedTmfs {
    static constexpr Opcode opcode = Opcode::maintenance_in;
    static constexpr std::uint8_t service_action = 0x0d;
    bool repd = false;
    std::uint32_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ReportSupportedTmfs decode(ByteView cdb);
    bool operator==(const ReportSupportedTmfs&) const = default;
};

struct ReceiveDiagnostic {
    static constexpr Opcode opcode = Opcode::receive_diagnostic_results;
    bool pcv = false;
    std::uint8_t page_code = 0;
    std::uint16_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ReceiveDiagnostic decode(ByteView cdb);
    bool operator==(const ReceiveDiagnostic&) const = default;
};

struct SendDiagnostic {
    static constexpr Opcode opcode = Opcode::send_diagnostic;
    std::uint8_t self_test_code = 0;
    bool pf = false;
    bool self_test = false;
    bool devoffl = false;
    bool unitoffl = false;
    std::uint16_t parameter_list_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static SendDiagnostic decode(ByteView cdb);
    bool operator==(const SendDiagnostic&) const = default;
};

// READ(6)/WRITE(6): 21-bit LBA; a transfer length of 0 means 256 blocks on the wire, and
// transfer_length holds the real count (1..256).
struct Read6 {
    static constexpr Opcode opcode = Opcode::read_6;
    std::uint32_t lba = 0;
    std::uint16_t transfer_length = 1;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Read6 decode(ByteView cdb);
    bool operator==(const Read6&) const = default;
};

struct Write6 {
    static constexpr Opcode opcode = Opcode::write_6;
    std::uint32_t lba = 0;
    std::uint16_t transfer_length = 1;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Write6 decode(ByteView cdb);
    bool operator==(const Write6&) const = default;
};

struct Read10 {
    static constexpr Opcode opcode = Opcode::read_10;
    std::uint8_t rdprotect = 0;
    bool dpo = false;
    bool fua = false;
    bool rarc = false;
    std::uint32_t lba = 0;
    std::uint8_t group = 0;
    std::uint16_t transfer_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Read10 decode(ByteView cdb);
    bool operator==(const Read10&) const = default;
};

struct Write10 {
    static constexpr Opcode opcode = Opcode::write_10;
    std::uint8_t wrprotect = 0;
    bool dpo = false;
    bool fua = false;
    std::uint32_t lba = 0;
    std::uint8_t group = 0;
    std::uint16_t transfer_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Write10 decode(ByteView cdb);
    bool operator==(const Write10&) const = default;
};

struct Read12 {
    static constexpr Opcode opcode = Opcode::read_12;
    std::uint8_t rdprotect = 0;
    bool dpo = false;
    bool fua = false;
    bool rarc = false;
    std::uint32_t lba = 0;
    std::uint32_t transfer_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Read12 decode(ByteView cdb);
    bool operator==(const Read12&) const = default;
};

struct Write12 {
    static constexpr Opcode opcode = Opcode::write_12;
    std::uint8_t wrprotect = 0;
    bool dpo = false;
    bool fua = false;
    std::uint32_t lba = 0;
    std::uint32_t transfer_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Write12 decode(ByteView cdb);
    bool operator==(const Write12&) const = default;
};

struct Read16 {
    static constexpr Opcode opcode = Opcode::read_16;
    std::uint8_t rdprotect = 0;
    bool dpo = false;
    bool fua = false;
    bool rarc = false;
    std::uint64_t lba = 0;
    std::uint32_t transfer_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Read16 decode(ByteView cdb);
    bool operator==(const Read16&) const = default;
};

struct Write16 {
    static constexpr Opcode opcode = Opcode::write_16;
    std::uint8_t wrprotect = 0;
    bool dpo = false;
    bool fua = false;
    std::uint64_t lba = 0;
    std::uint32_t transfer_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Write16 decode(ByteView cdb);
    bool operator==(const Write16&) const = default;
};

struct Verify10 {
    static constexpr Opcode opcode = Opcode::verify_10;
    std::uint8_t vrprotect = 0;
    bool dpo = false;
    std::uint8_t bytchk = 0;
    std::uint32_t lba = 0;
    std::uint8_t group = 0;
    std::uint16_t verification_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Verify10 decode(ByteView cdb);
    bool operator==(const Verify10&) const = default;
};

struct Verify12 {
    static constexpr Opcode opcode = Opcode::verify_12;
    std::uint8_t vrprotect = 0;
    bool dpo = false;
    std::uint8_t bytchk = 0;
    std::uint32_t lba = 0;
    std::uint32_t verification_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Verify12 decode(ByteView cdb);
    bool operator==(const Verify12&) const = default;
};

struct Verify16 {
    static constexpr Opcode opcode = Opcode::verify_16;
    std::uint8_t vrprotect = 0;
    bool dpo = false;
    std::uint8_t bytchk = 0;
    std::uint64_t lba = 0;
    std::uint32_t verification_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Verify16 decode(ByteView cdb);
    bool operator==(const Verify16&) const = default;
};

struct WriteAndVerify10 {
    static constexpr Opcode opcode = Opcode::write_and_verify_10;
    std::uint8_t wrprotect = 0;
    bool dpo = false;
    std::uint8_t bytchk = 0;
    std::uint32_t lba = 0;
    std::uint8_t group = 0;
    std::uint16_t transfer_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static WriteAndVerify10 decode(ByteView cdb);
    bool operator==(const WriteAndVerify10&) const = default;
};

struct WriteAndVerify12 {
    static constexpr Opcode opcode = Opcode::write_and_verify_12;
    std::uint8_t wrprotect = 0;
    bool dpo = false;
    std::uint8_t bytchk = 0;
    std::uint32_t lba = 0;
    std::uint32_t transfer_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static WriteAndVerify12 decode(ByteView cdb);
    bool operator==(const WriteAndVerify12&) const = default;
};

struct WriteAndVerify16 {
    static constexpr Opcode opcode = Opcode::write_and_verify_16;
    std::uint8_t wrprotect = 0;
    bool dpo = false;
    std::uint8_t bytchk = 0;
    std::uint64_t lba = 0;
    std::uint32_t transfer_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static WriteAndVerify16 decode(ByteView cdb);
    bool operator==(const WriteAndVerify16&) const = default;
};

struct WriteSame10 {
    static constexpr Opcode opcode = Opcode::write_same_10;
    std::uint8_t wrprotect = 0;
    bool anchor = false;
    bool unmap = false;
    std::uint32_t lba = 0;
    std::uint8_t group = 0;
    std::uint16_t blocks = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static WriteSame10 decode(ByteView cdb);
    bool operator==(const WriteSame10&) const = default;
};

struct WriteSame16 {
    static constexpr Opcode opcode = Opcode::write_same_16;
    std::uint8_t wrprotect = 0;
    bool anchor = false;
    bool unmap = false;
    bool ndob = false;
    std::uint64_t lba = 0;
    std::uint32_t blocks = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static WriteSame16 decode(ByteView cdb);
    bool operator==(const WriteSame16&) const = default;
};

struct Unmap {
    static constexpr Opcode opcode = Opcode::unmap;
    bool anchor = false;
    std::uint8_t group = 0;
    std::uint16_t parameter_list_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Unmap decode(ByteView cdb);
    bool operator==(const Unmap&) const = default;
};

// The UNMAP parameter list (data-out of UNMAP).
struct UnmapBlockDescriptor {
    std::uint64_t lba = 0;
    std::uint32_t blocks = 0;
    bool operator==(const UnmapBlockDescriptor&) const = default;
};

struct UnmapParameterList {
    std::vector<UnmapBlockDescriptor> descriptors;
    std::vector<std::string> warnings;
    Bytes encode() const;
    // Tolerant: a list shorter than its header declares yields the whole descriptors present
    // and a warning; throws Error(malformed) below the 8-byte header (except an empty list,
    // which SBC allows and which decodes to no descriptors).
    static UnmapParameterList decode(ByteView data);
    bool operator==(const UnmapParameterList&) const = default;
};

struct CompareAndWrite {
    static constexpr Opcode opcode = Opcode::compare_and_write;
    std::uint8_t wrprotect = 0;
    bool dpo = false;
    bool fua = false;
    std::uint64_t lba = 0;
    std::uint8_t blocks = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static CompareAndWrite decode(ByteView cdb);
    bool operator==(const CompareAndWrite&) const = default;
};

struct PreventAllowMediumRemoval {
    static constexpr Opcode opcode = Opcode::prevent_allow_medium_removal;
    std::uint8_t prevent = 0;  // 0 allow, 1 prevent (2, 3 obsolete)
    std::uint8_t control = 0;
    Bytes encode() const;
    static PreventAllowMediumRemoval decode(ByteView cdb);
    bool operator==(const PreventAllowMediumRemoval&) const = default;
};

struct Reserve6 {
    static constexpr Opcode opcode = Opcode::reserve_6;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Reserve6 decode(ByteView cdb);
    bool operator==(const Reserve6&) const = default;
};

struct Release6 {
    static constexpr Opcode opcode = Opcode::release_6;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Release6 decode(ByteView cdb);
    bool operator==(const Release6&) const = default;
};

struct Reserve10 {
    static constexpr Opcode opcode = Opcode::reserve_10;
    bool third_party = false;
    bool longid = false;
    std::uint8_t third_party_device_id = 0;
    std::uint16_t parameter_list_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Reserve10 decode(ByteView cdb);
    bool operator==(const Reserve10&) const = default;
};

struct Release10 {
    static constexpr Opcode opcode = Opcode::release_10;
    bool third_party = false;
    bool longid = false;
    std::uint8_t third_party_device_id = 0;
    std::uint16_t parameter_list_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Release10 decode(ByteView cdb);
    bool operator==(const Release10&) const = default;
};

// SANITIZE (SBC-4 5.30). Byte 1 bit 6 (ZNR) applies to zoned devices only and is kept in
// `reserved_bits` with the other bits a decoder does not model; bytes 2-6 are reserved.
struct Sanitize {
    static constexpr Opcode opcode = Opcode::sanitize;
    bool immed = false;
    bool ause = false;
    std::uint8_t service_action = 0;     // SanitizeSa
    std::uint8_t reserved_bits = 0;      // byte 1 bit 6 as it came (0x40)
    Bytes reserved_bytes = Bytes(5, 0);  // bytes 2-6 as they came
    std::uint16_t parameter_list_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static Sanitize decode(ByteView cdb);
    bool operator==(const Sanitize&) const = default;
};

// The SANITIZE OVERWRITE parameter list.
struct SanitizeOverwriteParameters {
    bool invert = false;
    std::uint8_t test = 0;
    std::uint8_t overwrite_count = 0;  // 5 bits
    Bytes initialization_pattern;      // its length is the INITIALIZATION PATTERN LENGTH field
    std::vector<std::string> warnings;
    Bytes encode() const;
    // Throws Error(malformed) below the 4-byte header; a pattern shorter than its declared
    // length is kept as far as it goes, with a warning.
    static SanitizeOverwriteParameters decode(ByteView data);
    bool operator==(const SanitizeOverwriteParameters&) const = default;
};

struct WriteAtomic16 {
    static constexpr Opcode opcode = Opcode::write_atomic_16;
    std::uint8_t wrprotect = 0;
    bool dpo = false;
    bool fua = false;
    std::uint64_t lba = 0;
    std::uint16_t atomic_boundary = 0;
    std::uint16_t transfer_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static WriteAtomic16 decode(ByteView cdb);
    bool operator==(const WriteAtomic16&) const = default;
};

struct OrWrite16 {
    static constexpr Opcode opcode = Opcode::orwrite_16;
    std::uint8_t orprotect = 0;
    bool dpo = false;
    bool fua = false;
    std::uint64_t lba = 0;
    std::uint32_t transfer_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static OrWrite16 decode(ByteView cdb);
    bool operator==(const OrWrite16&) const = default;
};

struct PreFetch10 {
    static constexpr Opcode opcode = Opcode::pre_fetch_10;
    bool immed = false;
    std::uint32_t lba = 0;
    std::uint16_t prefetch_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static PreFetch10 decode(ByteView cdb);
    bool operator==(const PreFetch10&) const = default;
};

struct PreFetch16 {
    static constexpr Opcode opcode = Opcode::pre_fetch_16;
    bool immed = false;
    std::uint64_t lba = 0;
    std::uint32_t prefetch_length = 0;
    std::uint8_t group = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static PreFetch16 decode(ByteView cdb);
    bool operator==(const PreFetch16&) const = default;
};

// EXTENDED COPY (LID1, SPC-4 6.3): the list follows as data-out.
struct ExtendedCopy {
    static constexpr Opcode opcode = Opcode::extended_copy;
    static constexpr std::uint8_t service_action = 0x00;
    std::uint32_t parameter_list_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ExtendedCopy decode(ByteView cdb);
    bool operator==(const ExtendedCopy&) const = default;
};

// RECEIVE COPY RESULTS (LID1): COPY STATUS (0x00), RECEIVE DATA (0x01), OPERATING
// PARAMETERS (0x03), FAILED SEGMENT DETAILS (0x04).
struct ReceiveCopyResults {
    static constexpr Opcode opcode = Opcode::receive_copy_results;
    std::uint8_t service_action = 0;
    std::uint8_t list_identifier = 0;
    std::uint32_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ReceiveCopyResults decode(ByteView cdb);
    bool operator==(const ReceiveCopyResults&) const = default;
};

struct ReadDefectData10 {
    static constexpr Opcode opcode = Opcode::read_defect_data_10;
    bool req_plist = false;
    bool req_glist = false;
    std::uint8_t defect_list_format = 0;
    std::uint16_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ReadDefectData10 decode(ByteView cdb);
    bool operator==(const ReadDefectData10&) const = default;
};

struct ReadDefectData12 {
    static constexpr Opcode opcode = Opcode::read_defect_data_12;
    bool req_plist = false;
    bool req_glist = false;
    std::uint8_t defect_list_format = 0;
    std::uint32_t address_descriptor_index = 0;
    std::uint32_t allocation_length = 0;
    std::uint8_t control = 0;
    Bytes encode() const;
    static ReadDefectData12 decode(ByteView cdb);
    bool operator==(const ReadDefectData12&) const = default;
};

}  // namespace camx::scsi::cdb
