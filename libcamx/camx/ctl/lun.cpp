// SPDX-License-Identifier: BSD-2-Clause
// The logical unit: media open and close, mode pages, sense shortcuts and command helpers.
#include "camx/ctl/lun.hpp"

#include <algorithm>
#include <cctype>

#include "camx/scsi/mode.hpp"

namespace camx::ctl {

void check(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq,
           std::optional<std::uint64_t> information, std::optional<scsi::SenseKeySpecific> sks) {
    throw CheckCondition{key, asc, ascq, information, sks};
}
void invalid_field_in_cdb(std::uint16_t byte, std::optional<std::uint8_t> bit) {
    check(0x05, 0x24, 0x00, {}, scsi::SenseKeySpecific::field_pointer(true, byte, bit));
}
void invalid_field_in_parameters(std::uint16_t byte, std::optional<std::uint8_t> bit) {
    check(0x05, 0x26, 0x00, {}, scsi::SenseKeySpecific::field_pointer(false, byte, bit));
}
void parameter_list_length_error() {
    check(0x05, 0x1a, 0x00);
}
void invalid_opcode() {
    check(0x05, 0x20, 0x00, {}, scsi::SenseKeySpecific::field_pointer(true, 0, 7));
}
void lba_out_of_range() {
    check(0x05, 0x21, 0x00);
}
void write_protected() {
    check(0x07, 0x27, 0x00);
}
void medium_not_present() {
    check(0x02, 0x3a, 0x00);
}
void reservation_conflict() {
    throw StatusOnly{status::reservation_conflict};
}

ItKey it_key(const Nexus& nexus) {
    ItKey k;
    k.relative_target_port = nexus.relative_target_port;
    if (!nexus.initiator_transport_id.empty()) {
        std::vector<std::string> w;
        try {
            auto t = scsi::TransportId::decode(nexus.initiator_transport_id, w);
            if (t.protocol == scsi::TransportId::iscsi) {
                k.initiator = t.iscsi_name;
                k.isid = t.isid;
            }
        } catch (const Error&) {
        }
    }
    if (k.initiator.empty()) k.initiator = nexus.initiator_name;
    for (auto& c : k.initiator) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : k.isid) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return k;
}

namespace {

scsi::ModePage page(std::uint8_t code, std::size_t length) {
    scsi::ModePage p = scsi::ModePage::make(code, 0, false, Bytes(length, 0));
    p.ps = true;
    return p;
}

std::vector<scsi::ModePage> blank_pages() {
    return {page(0x01, 10), page(0x08, 18), page(0x0a, 10), page(0x1c, 10)};
}

const scsi::ModePage* find(const std::vector<scsi::ModePage>& pages, std::uint8_t code) {
    for (const auto& p : pages) {
        if (p.page_code == code) return &p;
    }
    return nullptr;
}

std::uint64_t field(const std::vector<scsi::ModePage>& pages, std::uint8_t code,
                    std::string_view name) {
    const auto* p = find(pages, code);
    return p ? p->field(name).value_or(0) : 0;
}

}  // namespace

ModePages ModePages::make(const LunOptions& options) {
    ModePages m;
    m.defaults = blank_pages();
    for (auto& p : m.defaults) {
        if (p.page_code == 0x01) scsi::set_field(p, "awre", 1);
        if (p.page_code == 0x08) scsi::set_field(p, "wce", options.write_cache ? 1 : 0);
        if (p.page_code == 0x0a) {
            scsi::set_field(p, "qam", 1);  // unrestricted reordering allowed
            scsi::set_field(p, "btp", 0xffff);
        }
        if (p.page_code == 0x1c) scsi::set_field(p, "dexcpt", 1);
    }
    m.changeable = blank_pages();
    for (auto& p : m.changeable) {
        if (p.page_code == 0x08) scsi::set_field(p, "wce", 1), scsi::set_field(p, "rcd", 1);
        if (p.page_code == 0x0a) scsi::set_field(p, "d_sense", 1), scsi::set_field(p, "swp", 1);
        if (p.page_code == 0x1c) {
            scsi::set_field(p, "dexcpt", 1);
            scsi::set_field(p, "mrie", 0xf);
        }
    }
    m.current = m.defaults;
    m.saved = m.defaults;
    return m;
}

const std::vector<scsi::ModePage>& ModePages::by_control(std::uint8_t pc) const {
    switch (pc) {
        case 1:
            return changeable;
        case 2:
            return defaults;
        case 3:
            return saved;
        default:
            return current;
    }
}

bool ModePages::descriptor_sense() const {
    return field(current, 0x0a, "d_sense") != 0;
}
bool ModePages::write_cache() const {
    return field(current, 0x08, "wce") != 0;
}
bool ModePages::software_write_protect() const {
    return field(current, 0x0a, "swp") != 0;
}

void Lun::open_media() {
    try {
        backend = open_backend(config);
        state.no_media = false;
        state.read_only = config.options.readonly || backend->read_only();
        blocks = backend->size_bytes() / block_size();
    } catch (const Error&) {
        backend.reset();
        state.no_media = true;
        blocks = 0;
        throw;
    }
}

void Lun::close_media() {
    if (backend) backend->flush();
    backend.reset();
    blocks = 0;
}

ByteView Cmd::data_out(std::size_t need, std::uint16_t length_field_byte) {
    if (task.data_out.size() < need) invalid_field_in_cdb(length_field_byte);
    if (need < task.data_out.size()) result.data_out_used = static_cast<std::uint32_t>(need);
    return ByteView(task.data_out).first(need);
}

std::uint64_t Cmd::data_out_declared() const {
    bool out =
        task.direction == DataDirection::out || task.direction == DataDirection::bidirectional;
    std::uint64_t edtl = out ? task.expected_transfer_length : 0;
    return std::max<std::uint64_t>(edtl, task.data_out.size());
}

ByteView Cmd::data_out_blocks(std::uint32_t want, std::uint32_t block_size) {
    result.data_out_requested = want;
    std::size_t have = std::min<std::size_t>(want, task.data_out.size());
    have -= have % block_size;
    if (have < task.data_out.size()) result.data_out_used = static_cast<std::uint32_t>(have);
    return ByteView(task.data_out).first(have);
}

void Cmd::reply(Bytes data, std::size_t allocation_length) {
    if (data.size() > allocation_length) data.resize(allocation_length);
    result.data_in = std::move(data);
}

std::shared_ptr<Backend> Cmd::media(std::uint64_t* blocks) const {
    std::lock_guard lock(lun->mutex);
    if (!lun->backend) medium_not_present();
    if (blocks) *blocks = lun->blocks;
    return lun->backend;
}

void Cmd::check_range(std::uint64_t lba, std::uint64_t count) const {
    std::uint64_t blocks = 0;
    {
        std::lock_guard lock(lun->mutex);
        blocks = lun->blocks;
    }
    if (lba > blocks || count > blocks - lba) lba_out_of_range();
}

void Cmd::check_writable() const {
    std::lock_guard lock(lun->mutex);
    if (lun->state.read_only || lun->modes.software_write_protect()) write_protected();
}

}  // namespace camx::ctl
