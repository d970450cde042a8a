// SPDX-License-Identifier: BSD-2-Clause
// Engine internals: a logical unit (media, mode pages, reservations, unit attentions, queue
// and statistics), the command context handlers work on, and the sense shortcuts they throw.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "camx/ctl/backend.hpp"
#include "camx/ctl/engine.hpp"
#include "camx/ctl/persist.hpp"
#include "camx/ctl/ua.hpp"
#include "camx/scsi/mode.hpp"
#include "camx/scsi/sense.hpp"

namespace camx::ctl {

// A CHECK CONDITION a handler raises; turned into sense in the LUN's sense format.
struct CheckCondition {
    std::uint8_t key = 0, asc = 0, ascq = 0;
    std::optional<std::uint64_t> information;
    std::optional<scsi::SenseKeySpecific> sks;
};
// A status without sense (RESERVATION CONFLICT, BUSY).
struct StatusOnly {
    std::uint8_t status = 0;
};

namespace status {
constexpr std::uint8_t good = 0x00, check_condition = 0x02, condition_met = 0x04, busy = 0x08,
                       reservation_conflict = 0x18, task_set_full = 0x28, task_aborted = 0x40;
}

[[noreturn]] void check(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq,
                        std::optional<std::uint64_t> information = {},
                        std::optional<scsi::SenseKeySpecific> sks = {});
[[noreturn]] void invalid_field_in_cdb(std::uint16_t byte, std::optional<std::uint8_t> bit = {});
[[noreturn]] void invalid_field_in_parameters(std::uint16_t byte,
                                              std::optional<std::uint8_t> bit = {});
[[noreturn]] void parameter_list_length_error();
[[noreturn]] void invalid_opcode();
[[noreturn]] void lba_out_of_range();
[[noreturn]] void write_protected();
[[noreturn]] void medium_not_present();
[[noreturn]] void reservation_conflict();

// The four page controls of each mode page the engine emulates.
struct ModePages {
    std::vector<scsi::ModePage> current, changeable, defaults, saved;
    static ModePages make(const LunOptions& options);
    const std::vector<scsi::ModePage>& by_control(std::uint8_t pc) const;
    bool descriptor_sense() const;
    bool write_cache() const;
    bool software_write_protect() const;
};

// A queued task, kept so task management can find and abort it.
struct Pending {
    Task task;
    std::function<void(TaskResult)> done;
    std::chrono::steady_clock::time_point arrived;
    std::atomic<bool> aborted{false};
    std::uint64_t initiator_lun = 0;
};

class EnclosureUnit;

struct Lun {
    LunConfig config;
    // Set for an enclosure services LUN (enclosure.hpp): no media, its own command table.
    std::shared_ptr<EnclosureUnit> enclosure;
    std::uint64_t naa = 0;
    std::string serial;

    // Guards everything below but the statistics and the queue.
    mutable std::mutex mutex;
    std::shared_ptr<Backend> backend;  // null without media
    LunState state;
    std::uint64_t blocks = 0;
    std::set<ItKey> prevent_removal;  // the I_T nexuses that sent PREVENT ALLOW with PREVENT 1
    ModePages modes;
    PrState pr;
    std::optional<ItKey> spc2_holder;
    UnitAttentions ua;

    // Tasks waiting on the LUN's worker, in arrival order; guarded by queue_mutex.
    std::mutex queue_mutex;
    std::deque<std::shared_ptr<Pending>> queue;
    std::shared_ptr<Pending> running;
    // A worker or a submitting thread is serving the queue: the next task waits its turn.
    bool active = false;

    struct Counters {
        std::atomic<std::uint64_t> commands{0}, read_commands{0}, write_commands{0}, bytes_read{0},
            bytes_written{0}, errors{0}, latency_ns_sum{0}, latency_ns_max{0};
    } counters;

    std::uint32_t block_size() const { return config.options.blocksize; }
    // Opens the media from config; on failure the LUN has no media.
    void open_media();
    void close_media();
};

class EngineCore;

// What a handler sees.
struct Cmd {
    EngineCore& engine;
    std::shared_ptr<Lun> lun;  // null when the addressed LUN does not exist
    const Task& task;
    const Nexus& nexus;
    const ItKey& it;
    std::uint64_t initiator_lun = 0;
    TaskResult result;

    ByteView cdb() const { return task.cdb; }
    // The data-out bytes a command needs; too few is an error in the CDB's length field.
    ByteView data_out(std::size_t need, std::uint16_t length_field_byte);
    // The data-out bytes a block write asks for, or the whole blocks of them that arrived
    // (SAM: the command runs on the data the initiator sent; the frontend reports the rest).
    ByteView data_out_blocks(std::uint32_t want, std::uint32_t block_size);
    // The data-out length the initiator declared (the EDTL of a write): frontends collect
    // only what the CDB carries, so commands whose data must have an exact size (COMPARE
    // AND WRITE, WRITE SAME) check this, not the bytes that arrived.
    std::uint64_t data_out_declared() const;
    // Sets data_in, cut to the allocation length.
    void reply(Bytes data, std::size_t allocation_length);
    // Media and its size, checked: NOT READY without media.
    std::shared_ptr<Backend> media(std::uint64_t* blocks = nullptr) const;
    void check_range(std::uint64_t lba, std::uint64_t count) const;
    void check_writable() const;
};

ItKey it_key(const Nexus& nexus);

}  // namespace camx::ctl
