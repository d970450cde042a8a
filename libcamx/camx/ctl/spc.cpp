// SPDX-License-Identifier: BSD-2-Clause
// SPC commands: TEST UNIT READY, INQUIRY and VPD pages, REQUEST SENSE, MODE SENSE/SELECT, LOG
// SENSE, REPORT LUNS, REPORT SUPPORTED OPERATION CODES / TMFs, REPORT TARGET PORT GROUPS.
#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "camx/bytes/hex.hpp"
#include "camx/ctl/core.hpp"
#include "camx/ctl/enclosure.hpp"
#include "camx/scsi/alua.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/inquiry.hpp"
#include "camx/scsi/log.hpp"
#include "camx/scsi/opcodes.hpp"
#include "camx/scsi/report_luns.hpp"
#include "camx/scsi/vpd.hpp"

namespace camx::ctl {
namespace {

namespace cdb = scsi::cdb;

scsi::Designator designator(std::uint8_t type, std::uint8_t code_set, std::uint8_t association,
                            Bytes value, std::uint8_t protocol = 0) {
    scsi::Designator d;
    d.designator_type = type;
    d.code_set = code_set;
    d.association = association;
    d.value = std::move(value);
    if (protocol != 0) {
        d.piv = true;
        d.protocol_identifier = protocol;
    }
    return d;
}

Bytes text_bytes(const std::string& s, std::size_t multiple) {
    Bytes b(s.begin(), s.end());
    b.push_back(0);
    while (b.size() % multiple != 0) b.push_back(0);
    return b;
}

Bytes uuid_value(const std::string& uuid) {
    Bytes v{0x10, 0x00};  // C bit: the UUID is locally assigned
    std::string digits;
    for (char c : uuid) {
        if (c != '-') digits += c;
    }
    Bytes raw = hex::parse(digits);
    raw.resize(16);
    v.insert(v.end(), raw.begin(), raw.end());
    return v;
}

scsi::VpdPage vpd_page(const Cmd& c, std::uint8_t page) {
    const Lun& lun = *c.lun;
    const auto& o = lun.config.options;
    std::uint32_t pb = o.pblocksize ? o.pblocksize : o.blocksize;
    switch (page) {
        case 0x00: {
            scsi::SupportedVpdPages p;
            p.pages = {0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2};
            return p;
        }
        case 0x80: {
            scsi::UnitSerialNumber p;
            p.serial_number = lun.serial;
            return p;
        }
        case 0x83: {
            scsi::DeviceIdentification p;
            Bytes naa(8);
            bytes::put_be64(naa, 0, lun.naa);
            p.designators.push_back(designator(3, 1, 0, naa));
            bytes::Writer t10;
            t10.ascii(o.vendor, 8);
            const std::string id = reported_device_id(o.device_id, o.product, lun.serial);
            Bytes idb(id.begin(), id.end());
            t10.raw(idb);
            p.designators.push_back(designator(1, 2, 0, t10.take()));
            if (o.eui) {
                Bytes e(8);
                bytes::put_be64(e, 0, *o.eui);
                p.designators.push_back(designator(2, 1, 0, e));
            }
            if (!o.uuid.empty()) p.designators.push_back(designator(0xa, 1, 0, uuid_value(o.uuid)));
            if (!o.scsiname.empty())
                p.designators.push_back(designator(8, 3, 0, text_bytes(o.scsiname, 4)));
            // In an enclosure slot: the SAS address the slot reports (enclosure.hpp).
            if (auto sas = bound_sas_address(c.engine, lun)) {
                Bytes v(8);
                bytes::put_be64(v, 0, *sas);
                p.designators.push_back(designator(3, 1, 1, v));
            }
            Bytes rtp(4), tpg(4);
            bytes::put_be16(rtp, 2, c.nexus.relative_target_port);
            bytes::put_be16(tpg, 2, 1);
            p.designators.push_back(designator(4, 1, 1, rtp, 5));
            p.designators.push_back(designator(5, 1, 1, tpg, 5));
            if (!c.nexus.target_name.empty()) {
                p.designators.push_back(
                    designator(8, 3, 1,
                               text_bytes(fmt::format("{},t,0x{:04x}", c.nexus.target_name,
                                                      c.nexus.relative_target_port),
                                          4),
                               5));
                p.designators.push_back(designator(8, 3, 2, text_bytes(c.nexus.target_name, 4), 5));
            }
            return p;
        }
        case 0x86: {
            scsi::ExtendedInquiry p;
            p.headsup = p.ordsup = p.simpsup = true;
            p.luiclr = true;
            return p;
        }
        case 0xb0: {
            scsi::BlockLimits p;
            p.maximum_compare_and_write_length = 255;
            p.optimal_transfer_length_granularity = static_cast<std::uint16_t>(pb / o.blocksize);
            p.maximum_transfer_length = max_transfer_bytes / o.blocksize;
            p.optimal_transfer_length = (1u << 20) / o.blocksize;
            p.maximum_write_same_length = max_transfer_bytes / o.blocksize;
            // WRITE ATOMIC(16): any length up to the maximum transfer, no alignment,
            // granularity or atomic boundary.
            p.maximum_atomic_transfer_length = max_transfer_bytes / o.blocksize;
            if (o.unmap) {
                p.maximum_unmap_lba_count = 0xffffffffu;
                p.maximum_unmap_block_descriptor_count = max_unmap_descriptors;
                p.optimal_unmap_granularity = pb / o.blocksize;
                p.ugavalid = true;
            }
            return p;
        }
        case 0xb1: {
            scsi::BlockDeviceCharacteristics p;
            p.medium_rotation_rate = 1;
            // Reads after SANITIZE BLOCK ERASE or CRYPTO ERASE succeed (and return zeros).
            p.wabereq = 1;
            p.wacereq = 1;
            return p;
        }
        case 0xb2: {
            scsi::LogicalBlockProvisioning p;
            if (o.unmap) {
                p.lbpu = p.lbpws = p.lbpws10 = true;
                p.lbprz = 1;
                p.provisioning_type = 2;  // thin
            }
            return p;
        }
        default:
            invalid_field_in_cdb(2);
    }
}

scsi::Inquiry standard_inquiry(const Cmd& c) {
    scsi::Inquiry inq;
    if (!c.lun) {
        inq.peripheral_qualifier = 3;
        inq.peripheral_device_type = 0x1f;
        inq.version = 0x06;
        inq.response_data_format = 2;
        return inq;
    }
    const auto& o = c.lun->config.options;
    inq.removable = o.removable;
    inq.version = 0x06;
    inq.hisup = true;
    inq.tpgs = 1;
    inq.tpc = true;
    inq.cmdque = true;
    inq.vendor = o.vendor;
    inq.product = o.product;
    inq.revision = o.revision;
    inq.version_descriptors = {0x00a0, 0x0960, 0x0460, 0x04c0};  // SAM-5, iSCSI, SPC-4, SBC-3
    return inq;
}

}  // namespace

void handle_test_unit_ready(Cmd& c) {
    cdb::TestUnitReady::decode(c.cdb());
}

void handle_inquiry(Cmd& c) {
    auto q = cdb::Inquiry::decode(c.cdb());
    if (!q.evpd && q.page_code != 0) invalid_field_in_cdb(2);
    if (!q.evpd) {
        c.reply(standard_inquiry(c).encode(), q.allocation_length);
        return;
    }
    if (!c.lun) check(0x05, 0x25, 0x00);
    c.reply(scsi::encode_vpd(vpd_page(c, q.page_code)), q.allocation_length);
}

void handle_request_sense(Cmd& c) {
    auto q = cdb::RequestSense::decode(c.cdb());
    scsi::Sense s;
    if (!c.lun) {
        s = scsi::Sense::build(0x05, 0x25, 0x00, q.desc);
    } else {
        std::optional<UaCode> ua;
        {
            std::lock_guard lock(c.lun->mutex);
            ua = c.lun->ua.take(c.it);
        }
        s = ua ? scsi::Sense::build(0x06, ua->asc, ua->ascq, q.desc)
               : scsi::Sense::build(0, 0, 0, q.desc);
    }
    c.reply(s.encode(), q.allocation_length);
}

namespace {

void mode_sense(Cmd& c, scsi::ModeFormat format, bool dbd, bool llbaa, std::uint8_t pc,
                std::uint8_t page, std::uint8_t subpage, std::size_t alloc) {
    scsi::ModeParameters m;
    m.format = format;
    std::lock_guard lock(c.lun->mutex);
    const auto& o = c.lun->config.options;
    bool wp = c.lun->state.read_only || c.lun->modes.software_write_protect();
    m.header.device_specific = static_cast<std::uint8_t>((wp ? 0x80 : 0) | 0x10);
    if (!dbd) {
        m.header.longlba = llbaa && format == scsi::ModeFormat::ten;
        std::uint64_t blocks = c.lun->blocks;
        if (!m.header.longlba) blocks = std::min<std::uint64_t>(blocks, 0xffffffu);
        m.block_descriptors.push_back({0, blocks, o.blocksize});
    }
    const auto& pages = c.lun->modes.by_control(pc);
    if (page == 0x3f) {
        if (subpage != 0 && subpage != 0xff) invalid_field_in_cdb(3);
        m.pages = pages;
    } else {
        if (subpage != 0) invalid_field_in_cdb(3);
        auto it = std::find_if(pages.begin(), pages.end(),
                               [&](const auto& p) { return p.page_code == page; });
        if (it == pages.end()) invalid_field_in_cdb(2, 5);
        m.pages.push_back(*it);
    }
    c.reply(m.encode(), alloc);
}

void mode_select(Cmd& c, scsi::ModeFormat format, bool sp, std::size_t length,
                 std::uint16_t length_byte) {
    ByteView data = c.data_out(length, length_byte);
    if (length == 0) return;
    std::size_t header = format == scsi::ModeFormat::six ? 4 : 8;
    if (length < header) parameter_list_length_error();
    auto m = scsi::ModeParameters::decode_select(data, format);
    if (!m.trailing.empty() || !m.block_descriptor_extra.empty()) parameter_list_length_error();
    std::lock_guard lock(c.lun->mutex);
    auto& modes = c.lun->modes;
    for (const auto& d : m.block_descriptors) {
        if (d.block_length != c.lun->block_size())
            invalid_field_in_parameters(static_cast<std::uint16_t>(header + 5));
    }
    std::size_t offset = header + m.header.block_descriptor_length;
    std::vector<scsi::ModePage> next = modes.current;
    for (const auto& p : m.pages) {
        if (p.spf || p.truncated()) invalid_field_in_parameters(static_cast<std::uint16_t>(offset));
        auto cur = std::find_if(next.begin(), next.end(),
                                [&](const auto& x) { return x.page_code == p.page_code; });
        if (cur == next.end()) invalid_field_in_parameters(static_cast<std::uint16_t>(offset), 5);
        const auto& mask = *std::find_if(modes.changeable.begin(), modes.changeable.end(),
                                         [&](const auto& x) { return x.page_code == p.page_code; });
        if (p.page_length != cur->page_length)
            invalid_field_in_parameters(static_cast<std::uint16_t>(offset + 1));
        for (std::size_t i = 2; i < p.bytes.size(); ++i) {
            if ((p.bytes[i] ^ cur->bytes[i]) & ~mask.bytes[i]) {
                invalid_field_in_parameters(static_cast<std::uint16_t>(offset + i));
            }
        }
        for (std::size_t i = 2; i < p.bytes.size(); ++i) cur->bytes[i] = p.bytes[i];
        offset += p.bytes.size();
    }
    if (next != modes.current) {
        modes.current = std::move(next);
        c.lun->ua.establish_all(ua::mode_parameters_changed, &c.it);
    }
    if (sp) modes.saved = modes.current;
}

}  // namespace

void handle_mode_sense_6(Cmd& c) {
    auto q = cdb::ModeSense6::decode(c.cdb());
    mode_sense(c, scsi::ModeFormat::six, q.dbd, false, q.page_control, q.page_code, q.subpage_code,
               q.allocation_length);
}

void handle_mode_sense_10(Cmd& c) {
    auto q = cdb::ModeSense10::decode(c.cdb());
    mode_sense(c, scsi::ModeFormat::ten, q.dbd, q.llbaa, q.page_control, q.page_code,
               q.subpage_code, q.allocation_length);
}

void handle_mode_select_6(Cmd& c) {
    auto q = cdb::ModeSelect6::decode(c.cdb());
    mode_select(c, scsi::ModeFormat::six, q.sp, q.parameter_list_length, 4);
}

void handle_mode_select_10(Cmd& c) {
    auto q = cdb::ModeSelect10::decode(c.cdb());
    mode_select(c, scsi::ModeFormat::ten, q.sp, q.parameter_list_length, 7);
}

namespace {

scsi::LogParameter counter(std::uint16_t code, std::uint64_t value) {
    scsi::LogParameter p;
    p.parameter_code = code;
    p.format_and_linking = 0;
    p.value.resize(8);
    bytes::put_be64(p.value, 0, value);
    p.parameter_length = 8;
    return p;
}

scsi::LogParameter binary(std::uint16_t code, Bytes value) {
    scsi::LogParameter p;
    p.parameter_code = code;
    p.format_and_linking = 3;
    p.parameter_length = static_cast<std::uint8_t>(value.size());
    p.value = std::move(value);
    return p;
}

}  // namespace

void handle_log_sense(Cmd& c) {
    auto q = cdb::LogSense::decode(c.cdb());
    if (q.ppc) invalid_field_in_cdb(1, 1);
    if (q.subpage_code != 0) invalid_field_in_cdb(3);
    scsi::LogPage page;
    page.page_code = q.page_code;
    const auto& k = c.lun->counters;
    switch (q.page_code) {
        case 0x00:
            for (std::uint8_t p : {0x00, 0x02, 0x03, 0x0d, 0x2f})
                page.supported_pages.push_back({p, 0});
            break;
        case 0x02:
        case 0x03:
            for (std::uint16_t code = 0; code <= 6; ++code) {
                std::uint64_t v = 0;
                if (code == 5) v = q.page_code == 2 ? k.bytes_written.load() : k.bytes_read.load();
                page.parameters.push_back(counter(code, v));
            }
            break;
        case 0x0d:
            page.parameters.push_back(binary(0x0000, {0x00, 0xff}));  // no sensor: unknown
            page.parameters.push_back(binary(0x0001, {0x00, 0xff}));
            break;
        case 0x2f:
            page.parameters.push_back(binary(0x0000, {0x00, 0x00, 0xff}));
            break;
        default:
            invalid_field_in_cdb(2, 5);
    }
    if (q.parameter_pointer != 0) {
        if (page.is_supported_list()) invalid_field_in_cdb(5);
        std::erase_if(page.parameters,
                      [&](const auto& p) { return p.parameter_code < q.parameter_pointer; });
    }
    c.reply(page.encode(), q.allocation_length);
}

void handle_report_luns(Cmd& c) {
    auto q = cdb::ReportLuns::decode(c.cdb());
    if (q.allocation_length < 16) invalid_field_in_cdb(6);
    scsi::ReportLunsData d;
    switch (q.select_report) {
        case 0x00:
        case 0x02:
        case 0x11:
            for (std::uint64_t l : c.engine.visible_luns(*c.engine.tables(), c.nexus.port)) {
                d.luns.push_back(scsi::Lun::from_int(l < 256 ? l : (0x4000 | l)));
            }
            break;
        case 0x01:
        case 0x10:
        case 0x12:
            break;
        default:
            invalid_field_in_cdb(2);
    }
    c.reply(d.encode(), q.allocation_length);
}

namespace {

Bytes cdb_usage(const CommandSpec& s) {
    Bytes u(s.cdb_length, 0xff);
    u[0] = s.opcode;
    if (s.service_action) u[1] = *s.service_action;
    u.back() = 0x00;  // CONTROL: no NACA, no linking
    return u;
}

}  // namespace

void handle_report_opcodes(Cmd& c) {
    auto q = cdb::ReportSupportedOpcodes::decode(c.cdb());
    auto timeouts = [&]() -> std::optional<scsi::CommandTimeouts> {
        if (!q.rctd) return std::nullopt;
        return scsi::CommandTimeouts{0, 0, 0};
    };
    if (q.reporting_options == 0) {
        scsi::SupportedOpcodes all;
        for (const auto& s : command_table()) {
            scsi::CommandDescriptor d;
            d.opcode = s.opcode;
            d.service_action = s.service_action.value_or(0);
            d.servactv = s.service_action.has_value();
            d.cdb_length = s.cdb_length;
            d.timeouts = timeouts();
            all.commands.push_back(d);
        }
        c.reply(all.encode(), q.allocation_length);
        return;
    }
    if (q.reporting_options > 3) invalid_field_in_cdb(2, 2);
    bool sa_op = has_service_action(q.requested_opcode);
    if (q.reporting_options == 1 && sa_op) invalid_field_in_cdb(3);
    if (q.reporting_options == 2 && !sa_op) invalid_field_in_cdb(3);
    std::uint8_t sa = static_cast<std::uint8_t>(q.requested_service_action);
    if (!sa_op && q.reporting_options == 3 && q.requested_service_action != 0) {
        invalid_field_in_cdb(4);
    }
    scsi::OneCommand one;
    const CommandSpec* s = find_command(q.requested_opcode, sa);
    if (s && sa_op && q.requested_service_action > 0xff) s = nullptr;
    one.support = s ? 3 : 1;
    if (s) {
        one.cdb_usage = cdb_usage(*s);
        one.timeouts = timeouts();
    }
    c.reply(one.encode(), q.allocation_length);
}

void handle_report_tmfs(Cmd& c) {
    auto q = cdb::ReportSupportedTmfs::decode(c.cdb());
    scsi::SupportedTmfs t;
    t.ats = t.atss = t.ctss = t.lurs = t.trs = t.itnrs = true;
    if (q.repd) t.extended = scsi::SupportedTmfs::Extended{};
    c.reply(t.encode(), q.allocation_length);
}

void handle_report_tpg(Cmd& c) {
    auto q = cdb::ReportTargetPortGroups::decode(c.cdb());
    scsi::TargetPortGroups t;
    t.extended = q.extended;
    scsi::TargetPortGroup g;
    g.state = 0;
    g.ao_sup = true;
    g.group = 1;
    auto tables = c.engine.tables();  // held: a reload may swap the tables meanwhile
    for (const auto& [name, p] : tables->ports)
        g.relative_target_ports.push_back(p.relative_target_port);
    std::sort(g.relative_target_ports.begin(), g.relative_target_ports.end());
    g.relative_target_ports.erase(
        std::unique(g.relative_target_ports.begin(), g.relative_target_ports.end()),
        g.relative_target_ports.end());
    t.groups.push_back(g);
    c.reply(t.encode(), q.allocation_length);
}

}  // namespace camx::ctl
