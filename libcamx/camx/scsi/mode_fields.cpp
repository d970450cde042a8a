// SPDX-License-Identifier: BSD-2-Clause
#include "camx/scsi/mode_fields.hpp"

#include <array>

namespace camx::scsi::mode_tables {
namespace {

// SBC-4 6.5.8 Read-Write Error Recovery mode page.
constexpr std::array kReadWriteErrorRecovery{
    ModeField{"awre", 2, 7, 1, "Automatic write reallocation enabled"},
    ModeField{"arre", 2, 6, 1, "Automatic read reallocation enabled"},
    ModeField{"tb", 2, 5, 1, "Transfer block"},
    ModeField{"rc", 2, 4, 1, "Read continuous"},
    ModeField{"eer", 2, 3, 1, "Enable early recovery (obsolete)"},
    ModeField{"per", 2, 2, 1, "Post error"},
    ModeField{"dte", 2, 1, 1, "Data terminate on error"},
    ModeField{"dcr", 2, 0, 1, "Disable correction (obsolete)"},
    ModeField{"rrc", 3, 7, 8, "Read retry count"},
    ModeField{"cor_s", 4, 7, 8, "Correction span (obsolete)"},
    ModeField{"hoc", 5, 7, 8, "Head offset count (obsolete)"},
    ModeField{"dsoc", 6, 7, 8, "Data strobe offset count (obsolete)"},
    ModeField{"lbpere", 7, 7, 1, "Logical block provisioning error reporting enabled"},
    ModeField{"mwr", 7, 6, 2, "Misaligned write reporting"},
    ModeField{"emcdr", 7, 1, 2, "Enhanced media certification and defect reporting"},
    ModeField{"wrc", 8, 7, 8, "Write retry count"},
    ModeField{"rtl", 10, 7, 16, "Recovery time limit (ms)"},
};

// SBC-4 6.5.5 Caching mode page.
constexpr std::array kCaching{
    ModeField{"ic", 2, 7, 1, "Initiator control"},
    ModeField{"abpf", 2, 6, 1, "Abort pre-fetch"},
    ModeField{"cap", 2, 5, 1, "Caching analysis permitted"},
    ModeField{"disc", 2, 4, 1, "Discontinuity"},
    ModeField{"size", 2, 3, 1, "Size enable"},
    ModeField{"wce", 2, 2, 1, "Write cache enable"},
    ModeField{"mf", 2, 1, 1, "Multiplication factor"},
    ModeField{"rcd", 2, 0, 1, "Read cache disable"},
    ModeField{"drrp", 3, 7, 4, "Demand read retention priority"},
    ModeField{"wrp", 3, 3, 4, "Write retention priority"},
    ModeField{"dptl", 4, 7, 16, "Disable pre-fetch transfer length"},
    ModeField{"mipf", 6, 7, 16, "Minimum pre-fetch"},
    ModeField{"mapf", 8, 7, 16, "Maximum pre-fetch"},
    ModeField{"mapfc", 10, 7, 16, "Maximum pre-fetch ceiling"},
    ModeField{"fsw", 12, 7, 1, "Force sequential write"},
    ModeField{"lbcss", 12, 6, 1, "Logical block cache segment size"},
    ModeField{"dra", 12, 5, 1, "Disable read ahead"},
    ModeField{"sync_prog", 12, 2, 2, "Synchronous cache progress indication"},
    ModeField{"nv_dis", 12, 0, 1, "Non-volatile cache disable"},
    ModeField{"ncs", 13, 7, 8, "Number of cache segments"},
    ModeField{"css", 14, 7, 16, "Cache segment size"},
};

// SPC-5 7.5.10 Control mode page.
constexpr std::array kControl{
    ModeField{"tst", 2, 7, 3, "Task set type"},
    ModeField{"tmf_only", 2, 4, 1, "Task management functions only"},
    ModeField{"dpicz", 2, 3, 1, "Disable protection information check if protect field zero"},
    ModeField{"d_sense", 2, 2, 1, "Descriptor format sense data"},
    ModeField{"gltsd", 2, 1, 1, "Global logging target save disable"},
    ModeField{"rlec", 2, 0, 1, "Report log exception condition"},
    ModeField{"qam", 3, 7, 4, "Queue algorithm modifier"},
    ModeField{"nuar", 3, 3, 1, "No unit attention on release"},
    ModeField{"qerr", 3, 2, 2, "Queue error management"},
    ModeField{"vs_ctl", 4, 7, 1, "Vendor specific"},
    ModeField{"rac", 4, 6, 1, "Report a check"},
    ModeField{"ua_intlck", 4, 5, 2, "Unit attention interlocks control"},
    ModeField{"swp", 4, 3, 1, "Software write protect"},
    ModeField{"ato", 5, 7, 1, "Application tag owner"},
    ModeField{"tas", 5, 6, 1, "Task aborted status"},
    ModeField{"atmpe", 5, 5, 1, "Application tag mode page enabled"},
    ModeField{"rwwp", 5, 4, 1, "Reject write without protection"},
    ModeField{"sblp", 5, 3, 1, "Supported block lengths and protection information"},
    ModeField{"autoload", 5, 2, 3, "Autoload mode"},
    ModeField{"btp", 8, 7, 16, "Busy timeout period (100 us)"},
    ModeField{"estct", 10, 7, 16, "Extended self-test completion time (s)"},
};

// SPC-5 7.5.11 Control Extension mode page (0x0a/0x01).
constexpr std::array kControlExtension{
    ModeField{"dlc", 4, 3, 1, "Device life control"},
    ModeField{"tcmos", 4, 2, 1, "Timestamp changeable by methods outside this standard"},
    ModeField{"scsip", 4, 1, 1, "SCSI precedence"},
    ModeField{"ialuae", 4, 0, 1, "Implicit asymmetric logical unit access enabled"},
    ModeField{"init_pr", 5, 3, 4, "Initial command priority"},
    ModeField{"msdl", 6, 7, 8, "Maximum sense data length"},
};

// SPC-5 7.5.14 Informational Exceptions Control mode page.
constexpr std::array kInformationalExceptions{
    ModeField{"perf", 2, 7, 1, "Performance"},
    ModeField{"ebf", 2, 5, 1, "Enable background function"},
    ModeField{"ewasc", 2, 4, 1, "Enable warning"},
    ModeField{"dexcpt", 2, 3, 1, "Disable exception control"},
    ModeField{"test", 2, 2, 1, "Test"},
    ModeField{"ebackerr", 2, 1, 1, "Enable background error reporting"},
    ModeField{"logerr", 2, 0, 1, "Log errors"},
    ModeField{"mrie", 3, 3, 4, "Method of reporting informational exceptions"},
    ModeField{"intt", 4, 7, 32, "Interval timer (100 ms)"},
    ModeField{"repc", 8, 7, 32, "Report count"},
};

}  // namespace

std::span<const ModeField> fields_for(std::uint8_t page_code, std::uint8_t subpage_code, bool spf) {
    if (!spf) {
        switch (page_code) {
            case 0x01:
                return kReadWriteErrorRecovery;
            case 0x08:
                return kCaching;
            case 0x0a:
                return kControl;
            case 0x1c:
                return kInformationalExceptions;
            default:
                return {};
        }
    }
    if (page_code == 0x0a && subpage_code == 0x01) return kControlExtension;
    return {};
}

}  // namespace camx::scsi::mode_tables
