// SPDX-License-Identifier: BSD-2-Clause
// Engine internals shared by the handlers: the dispatch table, the LUN and port tables
// (copy-on-write snapshots, read without a lock on the I/O path) and the worker pool.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "camx/ctl/data_out.hpp"
#include "camx/ctl/engine.hpp"
#include "camx/ctl/lun.hpp"

namespace camx::ctl {

using Handler = void (*)(Cmd&);

// Limits the engine reports in the Block Limits VPD page and enforces (max_transfer_bytes,
// in task.hpp, too).
constexpr std::uint32_t max_unmap_descriptors = 256;

struct CommandSpec {
    std::uint8_t opcode = 0;
    std::optional<std::uint8_t> service_action;  // for opcodes whose byte 1 selects the command
    std::uint8_t cdb_length = 0;
    Access access = Access::none;  // for the persistent reservation conflict table
    bool needs_media = false;      // NOT READY, MEDIUM NOT PRESENT without media
    bool spc2_allowed = false;     // runs under another nexus's RESERVE
    bool ua_exempt = false;        // never reports a pending unit attention
    bool without_lun = false;      // runs for a LUN that does not exist
    Handler handler = nullptr;
    DataOutLength data_out = nullptr;  // commands that carry Data-Out: how much (data_out.hpp)
};

// Every command the engine implements; REPORT SUPPORTED OPERATION CODES reads this table.
std::span<const CommandSpec> command_table();
const CommandSpec* find_command(std::uint8_t opcode, std::uint8_t service_action);
bool has_service_action(std::uint8_t opcode);

struct Tables {
    std::map<std::uint64_t, std::shared_ptr<Lun>> luns;
    std::map<std::string, PortConfig> ports;
};

// State of EXTENDED COPY commands for RECEIVE COPY RESULTS, per initiator port and list id.
struct CopyStatus {
    std::uint8_t status = 0;  // 0 in progress, 1 completed good, 2 completed with error
    std::uint16_t segments_processed = 0;
    std::uint64_t bytes_transferred = 0;
    Bytes sense;
};

class EngineCore {
  public:
    explicit EngineCore(Engine::Options options);
    ~EngineCore();

    std::shared_ptr<const Tables> tables() const { return tables_.load(); }
    // The engine LUN an initiator reaches at initiator_lun through a port; null if none.
    std::shared_ptr<Lun> resolve(const Tables& t, const std::string& port,
                                 std::uint64_t initiator_lun) const;
    // Initiator-visible LUNs of a port, sorted.
    std::vector<std::uint64_t> visible_luns(const Tables& t, const std::string& port) const;
    std::shared_ptr<Lun> lun_by_naa(std::uint64_t naa) const;

    void enqueue(const std::shared_ptr<Lun>& lun, std::shared_ptr<Pending> pending);
    // Runs the task on the calling thread if the LUN is idle and the command is a plain
    // READ or WRITE on memory or a file; false: the caller enqueues it.
    bool run_inline(const std::shared_ptr<Lun>& lun, const std::shared_ptr<Pending>& pending);
    // Marks queued tasks aborted; returns how many.
    std::size_t abort_where(Lun& lun, const std::function<bool(const Pending&)>& pred);
    void reservation_changed(const Lun& lun);

    Engine::Options options;
    std::mutex admin_mutex;  // serialises table changes (not taken on the I/O path)
    std::atomic<std::shared_ptr<const Tables>> tables_;
    std::shared_ptr<Lun> no_lun;  // the queue of commands to LUNs that do not exist

    std::mutex copy_mutex;
    std::map<std::pair<ItKey, std::uint8_t>, CopyStatus> copies;

  private:
    struct Worker {
        std::mutex mutex;
        std::condition_variable cv;
        std::deque<std::shared_ptr<Lun>> ready;
        bool stop = false;
        std::thread thread;
    };
    void run_worker(Worker& w);
    void wake(const std::shared_ptr<Lun>& lun);
    void drain(const std::shared_ptr<Lun>& lun);
    // Dispatches (or reports aborted), counts and completes one task.
    void run_task(const std::shared_ptr<Lun>& lun, Pending& p);
    std::vector<std::unique_ptr<Worker>> workers_;
};

// Task management and nexus loss (tmf.cpp).
TmfResponse task_management(EngineCore& engine, const Nexus& nexus, TmfFunction fn,
                            std::uint64_t lun, std::uint32_t referenced_tag);
void nexus_lost(EngineCore& engine, const Nexus& nexus);

// Runs one task to completion on the calling thread (the LUN's worker).
TaskResult dispatch(EngineCore& engine, const std::shared_ptr<Lun>& lun, const Pending& p);

// Handlers, one per command (spc.cpp, sbc.cpp, persist_cmd.cpp, xcopy.cpp).
void handle_test_unit_ready(Cmd&);
void handle_inquiry(Cmd&);
void handle_request_sense(Cmd&);
void handle_mode_sense_6(Cmd&);
void handle_mode_sense_10(Cmd&);
void handle_mode_select_6(Cmd&);
void handle_mode_select_10(Cmd&);
void handle_log_sense(Cmd&);
void handle_report_luns(Cmd&);
void handle_report_opcodes(Cmd&);
void handle_report_tmfs(Cmd&);
void handle_report_tpg(Cmd&);
void handle_reserve_6(Cmd&);
void handle_reserve_10(Cmd&);
void handle_release_6(Cmd&);
void handle_release_10(Cmd&);
void handle_pr_in(Cmd&);
void handle_pr_out(Cmd&);
void handle_prevent_allow(Cmd&);
void handle_start_stop(Cmd&);
void handle_read_capacity_10(Cmd&);
void handle_read_capacity_16(Cmd&);
void handle_get_lba_status(Cmd&);
void handle_read_6(Cmd&);
void handle_read_10(Cmd&);
void handle_read_12(Cmd&);
void handle_read_16(Cmd&);
void handle_write_6(Cmd&);
void handle_write_10(Cmd&);
void handle_write_12(Cmd&);
void handle_write_16(Cmd&);
void handle_verify_10(Cmd&);
void handle_verify_12(Cmd&);
void handle_verify_16(Cmd&);
void handle_write_verify_10(Cmd&);
void handle_write_verify_12(Cmd&);
void handle_write_verify_16(Cmd&);
void handle_write_same_10(Cmd&);
void handle_write_same_16(Cmd&);
void handle_unmap(Cmd&);
void handle_compare_and_write(Cmd&);
void handle_sync_cache_10(Cmd&);
void handle_sync_cache_16(Cmd&);
void handle_orwrite_16(Cmd&);
void handle_read_defect_data_10(Cmd&);
void handle_read_defect_data_12(Cmd&);
void handle_prefetch_10(Cmd&);
void handle_prefetch_16(Cmd&);
void handle_sanitize(Cmd&);
void handle_write_atomic_16(Cmd&);
void handle_extended_copy(Cmd&);
void handle_receive_copy_results(Cmd&);

}  // namespace camx::ctl
