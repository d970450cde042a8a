// SPDX-License-Identifier: BSD-2-Clause
// The contract between target frontends (iSCSI, the local kernel port) and the SCSI target
// engine: an I_T nexus, a task with its CDB and data, its result, and task management.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "camx/bytes/bytes.hpp"

namespace camx::ctl {

// The largest data transfer of one task, either way: what the Block Limits VPD page
// advertises and the most a frontend buffers for one command.
constexpr std::uint32_t max_transfer_bytes = 8u << 20;

enum class TaskAttribute : std::uint8_t { simple, ordered, head_of_queue, aca };
enum class DataDirection : std::uint8_t { none, in, out, bidirectional };

// Who talks to which target port. Frontends create one per login (I_T nexus) and keep it
// alive while tasks of that nexus are in flight.
struct Nexus {
    std::uint64_t id = 0;          // unique for the engine's lifetime
    std::string initiator_name;    // iqn.1993-08.org.debian:01:abcd
    Bytes initiator_transport_id;  // SPC TransportID (iSCSI: format 1, name,i,0xISID)
    std::string target_name;       // the target the initiator logged into
    std::string port;              // the engine port the nexus arrived on (LUN map owner)
    std::uint16_t relative_target_port = 1;
};

struct Task {
    std::shared_ptr<const Nexus> nexus;
    std::uint64_t lun = 0;  // as the initiator addressed it (Linux int form)
    Bytes cdb;
    std::uint32_t tag = 0;  // initiator task tag
    TaskAttribute attribute = TaskAttribute::simple;
    DataDirection direction = DataDirection::none;
    std::uint32_t expected_transfer_length = 0;  // from the frontend (iSCSI EDTL)
    Bytes data_out;  // the whole data-out buffer, gathered by the frontend
};

struct TaskResult {
    std::uint8_t status = 0;  // SAM status
    Bytes sense;              // with CHECK CONDITION
    // Everything the command produced (already cut to its allocation length), which may be
    // more than expected_transfer_length: the frontend sends at most that much and reports
    // the rest as an overflow residual.
    Bytes data_in;
    // The engine reports how many data-out bytes it used when fewer than were sent.
    std::uint32_t data_out_used = 0;
    // The data-out bytes the CDB itself asked for (a WRITE's blocks times the block size), when
    // the command has such a length. Frontends compare it with expected_transfer_length for
    // the overflow/underflow residual; a write that received less ran on the whole blocks
    // that arrived.
    std::optional<std::uint32_t> data_out_requested;
    // The task was aborted by task management or a reset (status TASK ABORTED, 0x40). SAM:
    // without TAS the frontend sends no response for it; `done` still runs so it can free
    // what it holds.
    bool aborted = false;
};

enum class TmfFunction : std::uint8_t {
    abort_task,
    abort_task_set,
    clear_aca,
    clear_task_set,
    lun_reset,
    target_reset,
    it_nexus_reset,
    query_task,
};

enum class TmfResponse : std::uint8_t {
    complete,
    no_such_task,
    no_such_lun,
    not_supported,
    rejected,
    failed,
};

// What a frontend feeds. Implemented by the engine. `done` runs on an engine thread, or on
// the submitting thread before submit() returns (a short READ or WRITE on an idle LUN), so
// the caller must not hold a lock `done` takes. Tasks of one LUN complete in the order SAM
// requires for their attributes.
class TaskSink {
  public:
    virtual ~TaskSink() = default;
    virtual void submit(Task task, std::function<void(TaskResult)> done) = 0;
    // The Data-Out bytes the command carries as its CDB says (a WRITE's blocks times the
    // LUN's block size, a parameter list length), at most max_transfer_bytes; 0 when it
    // carries none or the engine refuses it without looking at data (unknown LUN or
    // opcode, blocks outside the LUN, a transfer longer than max_transfer_bytes). Frontends
    // collect at most this much, whatever the initiator declares, and submit() then
    // answers (with its CHECK CONDITION for a refused command).
    virtual std::uint32_t data_out_length(const Nexus& nexus, std::uint64_t lun, ByteView cdb) = 0;
    virtual TmfResponse task_management(const Nexus& nexus, TmfFunction fn, std::uint64_t lun,
                                        std::uint32_t referenced_tag) = 0;
    // The nexus is gone (logout, connection lost): drop its tasks, keep its registrations.
    virtual void nexus_lost(const Nexus& nexus) = 0;
};

}  // namespace camx::ctl
