// SPDX-License-Identifier: BSD-2-Clause
// EXTENDED COPY (LID1) parameter lists and RECEIVE COPY RESULTS data (SPC-4 6.3, 6.18): the
// subset the engine implements (identification CSCD descriptors by NAA, block to block
// segments), with encoders so initiator-side tests build what the engine decodes.
#pragma once

#include <cstdint>
#include <vector>

#include "camx/bytes/bytes.hpp"

namespace camx::ctl::xcopy {

struct CscdId {  // CSCD descriptor 0xE4 with an NAA designator
    std::uint64_t naa = 0;
    std::uint32_t block_length = 512;
    bool operator==(const CscdId&) const = default;
};

struct BlockSegment {               // segment descriptor 0x02, block device to block device
    std::uint16_t source = 0;       // CSCD index
    std::uint16_t destination = 0;  // CSCD index
    std::uint16_t blocks = 0;       // in source blocks
    std::uint64_t source_lba = 0;
    std::uint64_t destination_lba = 0;
    bool operator==(const BlockSegment&) const = default;
};

struct ParameterList {
    std::uint8_t list_id = 0;
    bool str = false;
    std::uint8_t list_id_usage = 0;
    std::uint8_t priority = 0;
    std::vector<CscdId> cscds;
    std::vector<BlockSegment> segments;
    Bytes encode() const;
    bool operator==(const ParameterList&) const = default;
};

// The CDB of EXTENDED COPY (LID1) and RECEIVE COPY RESULTS.
Bytes extended_copy_cdb(std::uint32_t parameter_list_length);
Bytes receive_copy_results_cdb(std::uint8_t service_action, std::uint8_t list_id,
                               std::uint32_t allocation_length);

struct CopyStatusData {       // RECEIVE COPY RESULTS, COPY STATUS
    std::uint8_t status = 0;  // 0 in progress, 1 completed good, 2 completed with error
    std::uint16_t segments_processed = 0;
    std::uint8_t transfer_count_units = 0;
    std::uint32_t transfer_count = 0;
    static CopyStatusData decode(ByteView b);
    Bytes encode() const;
};

struct OperatingParameters {  // RECEIVE COPY RESULTS, OPERATING PARAMETERS
    std::uint16_t max_cscd_descriptors = 0;
    std::uint16_t max_segment_descriptors = 0;
    std::uint32_t max_descriptor_list_length = 0;
    std::uint32_t max_segment_length = 0;
    std::uint16_t total_concurrent_copies = 0;
    std::uint8_t max_concurrent_copies = 0;
    std::uint8_t data_segment_granularity_log2 = 0;
    std::vector<std::uint8_t> descriptor_types;
    static OperatingParameters decode(ByteView b);
    Bytes encode() const;
};

}  // namespace camx::ctl::xcopy
