// SPDX-License-Identifier: BSD-2-Clause
// Engine internals of an enclosure services LUN (peripheral type 0x0D): the element state
// behind the SES pages it answers with (encoded by camx/ses), the control pages it honours,
// and its command table (INQUIRY, TEST UNIT READY, REPORT LUNS, REQUEST SENSE, RECEIVE
// DIAGNOSTIC RESULTS, SEND DIAGNOSTIC).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/ctl/enclosure_config.hpp"
#include "camx/ses/configuration.hpp"

namespace camx::ctl {

struct CommandSpec;
struct Cmd;
struct Lun;
class EngineCore;

class EnclosureUnit {
  public:
    // Throws Error(usage) for a configuration the pages cannot carry.
    EnclosureUnit(EnclosureConfig config, std::uint64_t lun_id);

    EnclosureConfig config() const;
    std::uint64_t naa() const;  // the logical identifier
    const std::string& serial() const { return serial_; }
    std::uint32_t generation_code() const;

    // A new configuration: the generation code moves on; elements that remain keep their
    // state.
    void reconfigure(EnclosureConfig config);
    void simulate(const EnclosureCondition& condition);

    // A status-direction page. bound[n] is the NAA of the LUN in slot n when it exists.
    // Unsupported pages raise ILLEGAL REQUEST, INVALID FIELD IN CDB.
    Bytes page(std::uint8_t code, const std::vector<std::optional<std::uint64_t>>& bound) const;
    // A control-direction page (SEND DIAGNOSTIC PF=1): Enclosure Control, String Out,
    // Threshold Out. A wrong generation code or malformed page raises ILLEGAL REQUEST,
    // INVALID FIELD IN PARAMETER LIST.
    void control(ByteView page);
    // The page RECEIVE DIAGNOSTIC RESULTS with PCV=0 returns: the last one sent.
    std::uint8_t last_sent_page() const;

    // Element state as JSON, for ctladm.
    nlohmann::json state_json() const;

  private:
    struct Common {
        bool ident = false, prdfail = false, disabled = false;
    };
    struct SlotState : Common {
        bool fault = false, device_off = false, do_not_remove = false, insert = false,
             remove = false, active = false, missing = false, bypass_a = false, bypass_b = false;
    };
    struct PsuState : Common {
        bool do_not_remove = false, rqst_fail = false, on = true, failed = false;
    };
    struct FanState : Common {
        bool do_not_remove = false, rqst_fail = false, on = true;
        std::uint8_t requested_code = 0;
        std::optional<unsigned> simulated_rpm;
    };
    struct SensorState : Common {
        bool rqst_fail = false;
        std::optional<double> simulated;
        SensorThresholds thresholds;
    };
    struct EnclosureState : Common {
        bool request_failure = false, request_warning = false;
    };

    void rebuild();  // configuration_ and the state vectors from config_
    unsigned fan_rpm(std::size_t n) const;
    Bytes status_page(const std::vector<std::optional<std::uint64_t>>& bound) const;
    Bytes threshold_page() const;
    Bytes descriptor_page() const;
    Bytes additional_page(const std::vector<std::optional<std::uint64_t>>& bound) const;
    void enclosure_control(ByteView page);
    void threshold_out(ByteView page);
    void check_generation(ByteView page) const;

    mutable std::mutex mutex_;
    std::uint64_t lun_id_ = 0;
    std::string serial_;
    EnclosureConfig config_;
    std::uint32_t generation_ = 0;
    ses::Configuration configuration_;
    std::vector<SlotState> slots_;
    std::vector<PsuState> psus_;
    std::vector<FanState> fans_;
    std::vector<SensorState> temps_, volts_;
    EnclosureState enclosure_;
    // The control page's INFO/NON-CRIT/CRIT/UNRECOV indicator requests (state_json only).
    bool rq_info_ = false, rq_non_crit_ = false, rq_crit_ = false, rq_unrecov_ = false;
    Bytes string_out_;
    std::uint8_t last_sent_ = 0x00;
};

// The enclosure LUN's command table (replaces the disk table for such a LUN).
const CommandSpec* find_enclosure_command(std::uint8_t opcode, std::uint8_t service_action);

// The SAS address of the slot a LUN is bound to in any enclosure of the engine, if any.
std::optional<std::uint64_t> bound_sas_address(const EngineCore& engine, const Lun& lun);

// Validates, and makes the LUN object of an enclosure (no media, unit attentions and modes
// as any LUN).
std::shared_ptr<Lun> make_enclosure_lun(std::uint64_t id, const EnclosureConfig& config);

}  // namespace camx::ctl
