// SPDX-License-Identifier: BSD-2-Clause
// SBC commands: READ/WRITE/VERIFY/WRITE AND VERIFY, WRITE SAME, UNMAP, GET LBA STATUS,
// COMPARE AND WRITE, SYNCHRONIZE CACHE, READ CAPACITY, START STOP UNIT, PREVENT ALLOW.
#include <algorithm>
#include <bit>
#include <cstring>

#include "camx/ctl/core.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/lba_status.hpp"
#include "camx/scsi/readcap.hpp"

namespace camx::ctl {
namespace {

namespace cdb = scsi::cdb;

std::uint64_t checked_bytes(const Cmd& c, std::uint64_t blocks, std::uint16_t length_byte) {
    std::uint64_t n = blocks * c.lun->block_size();
    if (n > max_transfer_bytes) invalid_field_in_cdb(length_byte);
    return n;
}

void read_blocks(Cmd& c, std::uint8_t rdprotect, std::uint64_t lba, std::uint64_t blocks,
                 std::uint16_t length_byte) {
    if (rdprotect != 0) invalid_field_in_cdb(1, 7);
    c.check_range(lba, blocks);
    std::uint64_t n = checked_bytes(c, blocks, length_byte);
    auto media = c.media();
    Bytes data(n);
    if (n) media->read(lba * c.lun->block_size(), data);
    c.lun->counters.read_commands.fetch_add(1, std::memory_order_relaxed);
    c.lun->counters.bytes_read.fetch_add(n, std::memory_order_relaxed);
    c.result.data_in = std::move(data);
}

void write_blocks(Cmd& c, std::uint8_t wrprotect, bool fua, std::uint64_t lba, std::uint64_t blocks,
                  std::uint16_t length_byte) {
    if (wrprotect != 0) invalid_field_in_cdb(1, 7);
    c.check_writable();
    c.check_range(lba, blocks);
    std::uint64_t n = checked_bytes(c, blocks, length_byte);
    ByteView data = c.data_out_blocks(static_cast<std::uint32_t>(n), c.lun->block_size());
    auto media = c.media();
    n = data.size();
    if (n) media->write(lba * c.lun->block_size(), data);
    bool wce;
    {
        std::lock_guard lock(c.lun->mutex);
        wce = c.lun->modes.write_cache();
    }
    if (n && (fua || !wce)) media->flush();
    c.lun->counters.write_commands.fetch_add(1, std::memory_order_relaxed);
    c.lun->counters.bytes_written.fetch_add(n, std::memory_order_relaxed);
}

[[noreturn]] void miscompare(std::uint64_t offset) {
    check(0x0e, 0x1d, 0x00, offset);
}

void verify(Cmd& c, std::uint8_t vrprotect, std::uint8_t bytchk, std::uint64_t lba,
            std::uint64_t blocks, std::uint16_t length_byte) {
    if (vrprotect != 0) invalid_field_in_cdb(1, 7);
    if (bytchk == 2) invalid_field_in_cdb(1, 2);
    c.check_range(lba, blocks);
    std::uint64_t n = checked_bytes(c, blocks, length_byte);
    auto media = c.media();
    if (bytchk == 0 || n == 0) return;
    std::uint32_t bs = c.lun->block_size();
    ByteView expect = c.data_out(bytchk == 3 ? bs : n, length_byte);
    Bytes have(n);
    media->read(lba * bs, have);
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint8_t want = bytchk == 3 ? expect[i % bs] : expect[i];
        if (have[i] != want) miscompare(i);
    }
}

void write_same(Cmd& c, std::uint8_t wrprotect, bool anchor, bool unmap, bool ndob,
                std::uint64_t lba, std::uint64_t blocks, std::uint16_t length_byte) {
    if (wrprotect != 0) invalid_field_in_cdb(1, 7);
    if (anchor) invalid_field_in_cdb(1, 4);
    if (unmap && !c.lun->config.options.unmap) invalid_field_in_cdb(1, 3);
    c.check_writable();
    std::uint64_t total = 0;
    auto media = c.media(&total);
    if (blocks == 0) {
        if (lba > total) lba_out_of_range();
        blocks = total - lba;
    }
    c.check_range(lba, blocks);
    if (blocks > max_transfer_bytes / c.lun->block_size()) invalid_field_in_cdb(length_byte);
    std::uint32_t bs = c.lun->block_size();
    Bytes block(bs, 0);
    if (!ndob) {
        // The data-out is exactly one logical block: more is not a residual to ignore but a
        // block of another size (like COMPARE AND WRITE's two halves).
        if (c.data_out_declared() > bs) invalid_field_in_cdb(length_byte);
        ByteView d = c.data_out(bs, length_byte);
        std::copy(d.begin(), d.end(), block.begin());
    }
    // UNMAP set: the range is deallocated whatever the block holds (reads then return
    // zeros, LBPRZ), as initiators that use it to discard expect.
    if (unmap) {
        media->unmap(lba * bs, blocks * bs);
        return;
    }
    std::uint64_t per = std::max<std::uint64_t>(1, (1u << 20) / bs);
    Bytes buffer;
    for (std::uint64_t i = 0; i < std::min(per, blocks); ++i)
        buffer.insert(buffer.end(), block.begin(), block.end());
    for (std::uint64_t done = 0; done < blocks;) {
        std::uint64_t n = std::min(per, blocks - done);
        media->write((lba + done) * bs, ByteView(buffer).first(n * bs));
        done += n;
    }
    c.lun->counters.write_commands.fetch_add(1, std::memory_order_relaxed);
    c.lun->counters.bytes_written.fetch_add(blocks * bs, std::memory_order_relaxed);
}

void sync_cache(Cmd& c, std::uint64_t lba, std::uint64_t blocks) {
    std::uint64_t total = 0;
    auto media = c.media(&total);
    if (lba > total || (blocks != 0 && blocks > total - lba)) lba_out_of_range();
    media->flush();
}

}  // namespace

void handle_read_6(Cmd& c) {
    auto q = cdb::Read6::decode(c.cdb());
    read_blocks(c, 0, q.lba, q.transfer_length, 4);
}
void handle_read_10(Cmd& c) {
    auto q = cdb::Read10::decode(c.cdb());
    read_blocks(c, q.rdprotect, q.lba, q.transfer_length, 7);
}
void handle_read_12(Cmd& c) {
    auto q = cdb::Read12::decode(c.cdb());
    read_blocks(c, q.rdprotect, q.lba, q.transfer_length, 6);
}
void handle_read_16(Cmd& c) {
    auto q = cdb::Read16::decode(c.cdb());
    read_blocks(c, q.rdprotect, q.lba, q.transfer_length, 10);
}
void handle_write_6(Cmd& c) {
    auto q = cdb::Write6::decode(c.cdb());
    write_blocks(c, 0, false, q.lba, q.transfer_length, 4);
}
void handle_write_10(Cmd& c) {
    auto q = cdb::Write10::decode(c.cdb());
    write_blocks(c, q.wrprotect, q.fua, q.lba, q.transfer_length, 7);
}
void handle_write_12(Cmd& c) {
    auto q = cdb::Write12::decode(c.cdb());
    write_blocks(c, q.wrprotect, q.fua, q.lba, q.transfer_length, 6);
}
void handle_write_16(Cmd& c) {
    auto q = cdb::Write16::decode(c.cdb());
    write_blocks(c, q.wrprotect, q.fua, q.lba, q.transfer_length, 10);
}
void handle_verify_10(Cmd& c) {
    auto q = cdb::Verify10::decode(c.cdb());
    verify(c, q.vrprotect, q.bytchk, q.lba, q.verification_length, 7);
}
void handle_verify_12(Cmd& c) {
    auto q = cdb::Verify12::decode(c.cdb());
    verify(c, q.vrprotect, q.bytchk, q.lba, q.verification_length, 6);
}
void handle_verify_16(Cmd& c) {
    auto q = cdb::Verify16::decode(c.cdb());
    verify(c, q.vrprotect, q.bytchk, q.lba, q.verification_length, 10);
}
// The data written is the data-out buffer itself, so the byte-by-byte check cannot fail.
void handle_write_verify_10(Cmd& c) {
    auto q = cdb::WriteAndVerify10::decode(c.cdb());
    if (q.bytchk > 1) invalid_field_in_cdb(1, 2);
    write_blocks(c, q.wrprotect, true, q.lba, q.transfer_length, 7);
}
void handle_write_verify_12(Cmd& c) {
    auto q = cdb::WriteAndVerify12::decode(c.cdb());
    if (q.bytchk > 1) invalid_field_in_cdb(1, 2);
    write_blocks(c, q.wrprotect, true, q.lba, q.transfer_length, 6);
}
void handle_write_verify_16(Cmd& c) {
    auto q = cdb::WriteAndVerify16::decode(c.cdb());
    if (q.bytchk > 1) invalid_field_in_cdb(1, 2);
    write_blocks(c, q.wrprotect, true, q.lba, q.transfer_length, 10);
}
void handle_write_same_10(Cmd& c) {
    auto q = cdb::WriteSame10::decode(c.cdb());
    write_same(c, q.wrprotect, q.anchor, q.unmap, false, q.lba, q.blocks, 7);
}
void handle_write_same_16(Cmd& c) {
    auto q = cdb::WriteSame16::decode(c.cdb());
    write_same(c, q.wrprotect, q.anchor, q.unmap, q.ndob, q.lba, q.blocks, 10);
}

void handle_unmap(Cmd& c) {
    auto q = cdb::Unmap::decode(c.cdb());
    if (!c.lun->config.options.unmap) invalid_opcode();
    if (q.anchor) invalid_field_in_cdb(1, 0);
    c.check_writable();
    ByteView data = c.data_out(q.parameter_list_length, 7);
    if (data.empty()) return;
    if (data.size() < 8) parameter_list_length_error();
    auto list = scsi::cdb::UnmapParameterList::decode(data);
    if (!list.warnings.empty()) parameter_list_length_error();
    if (list.descriptors.size() > max_unmap_descriptors) invalid_field_in_parameters(2);
    std::uint64_t total = 0;
    auto media = c.media(&total);
    for (const auto& d : list.descriptors) {
        if (d.lba > total || d.blocks > total - d.lba) lba_out_of_range();
    }
    std::uint32_t bs = c.lun->block_size();
    for (const auto& d : list.descriptors) {
        if (d.blocks) media->unmap(d.lba * bs, std::uint64_t{d.blocks} * bs);
    }
}

// GET LBA STATUS: one descriptor per run of mapped or deallocated blocks from the starting
// LBA, as many as the allocation length holds (at least one).
void handle_get_lba_status(Cmd& c) {
    auto q = cdb::GetLbaStatus::decode(c.cdb());
    std::uint64_t total = 0;
    auto media = c.media(&total);
    if (q.starting_lba >= total) lba_out_of_range();
    std::uint32_t bs = c.lun->block_size();
    scsi::LbaStatus out;
    std::uint64_t lba = q.starting_lba;
    std::size_t room = q.allocation_length < 8 ? 0 : (q.allocation_length - 8) / 16;
    while (lba < total && out.descriptors.size() < std::max<std::size_t>(room, 1)) {
        auto e = media->extent(lba * bs);
        std::uint64_t blocks = std::max<std::uint64_t>(1, e.length / bs);
        blocks = std::min<std::uint64_t>({blocks, total - lba, 0xffffffffu});
        scsi::LbaStatusDescriptor d;
        d.lba = lba;
        d.blocks = static_cast<std::uint32_t>(blocks);
        d.provisioning_status = e.mapped ? 0 : 1;
        out.descriptors.push_back(d);
        lba += blocks;
    }
    c.reply(out.encode(), q.allocation_length);
}

void handle_compare_and_write(Cmd& c) {
    auto q = cdb::CompareAndWrite::decode(c.cdb());
    if (q.wrprotect != 0) invalid_field_in_cdb(1, 7);
    std::uint32_t bs = c.lun->block_size();
    std::uint64_t n = std::uint64_t{q.blocks} * bs;
    // The verify and write halves must arrive whole: no residual makes sense for a part.
    if (c.data_out_declared() != 2 * n) invalid_field_in_cdb(13);
    if (q.blocks == 0) return;
    c.check_writable();
    c.check_range(q.lba, q.blocks);
    ByteView data = c.data_out(2 * n, 13);
    // Atomic against every other path into the medium of this LUN (EXTENDED COPY included).
    std::lock_guard lock(c.lun->mutex);
    if (!c.lun->backend) medium_not_present();
    Bytes have(n);
    c.lun->backend->read(q.lba * bs, have);
    for (std::uint64_t i = 0; i < n; ++i) {
        if (have[i] != data[i]) miscompare(i);
    }
    c.lun->backend->write(q.lba * bs, data.subspan(n));
    if (q.fua || !c.lun->modes.write_cache()) c.lun->backend->flush();
    c.lun->counters.write_commands.fetch_add(1, std::memory_order_relaxed);
    c.lun->counters.bytes_written.fetch_add(n, std::memory_order_relaxed);
}

void handle_sync_cache_10(Cmd& c) {
    auto q = cdb::SynchronizeCache10::decode(c.cdb());
    sync_cache(c, q.lba, q.blocks);
}
void handle_sync_cache_16(Cmd& c) {
    auto q = cdb::SynchronizeCache16::decode(c.cdb());
    sync_cache(c, q.lba, q.blocks);
}

// ORWRITE(16) without a set operation: each block becomes itself OR'ed with the data-out,
// atomically against other writers of the LUN like COMPARE AND WRITE.
void handle_orwrite_16(Cmd& c) {
    auto q = cdb::OrWrite16::decode(c.cdb());
    if (q.orprotect != 0) invalid_field_in_cdb(1, 7);
    c.check_writable();
    c.check_range(q.lba, q.transfer_length);
    std::uint32_t bs = c.lun->block_size();
    std::uint64_t n = checked_bytes(c, q.transfer_length, 10);
    ByteView data = c.data_out_blocks(static_cast<std::uint32_t>(n), bs);
    if (data.empty()) return;
    std::lock_guard lock(c.lun->mutex);
    if (!c.lun->backend) medium_not_present();
    Bytes merged(data.size());
    c.lun->backend->read(q.lba * bs, merged);
    for (std::size_t i = 0; i < merged.size(); ++i) merged[i] |= data[i];
    c.lun->backend->write(q.lba * bs, merged);
    if (q.fua || !c.lun->modes.write_cache()) c.lun->backend->flush();
    c.lun->counters.write_commands.fetch_add(1, std::memory_order_relaxed);
    c.lun->counters.bytes_written.fetch_add(merged.size(), std::memory_order_relaxed);
}

// WRITE ATOMIC(16): all of the blocks or none, atomically against every other writer of the
// LUN (its mutex, as COMPARE AND WRITE). The Block Limits VPD page allows any alignment and
// granularity up to the maximum transfer length and no atomic boundary.
void handle_write_atomic_16(Cmd& c) {
    auto q = cdb::WriteAtomic16::decode(c.cdb());
    if (q.wrprotect != 0) invalid_field_in_cdb(1, 7);
    if (q.atomic_boundary != 0) invalid_field_in_cdb(10);
    c.check_writable();
    c.check_range(q.lba, q.transfer_length);
    std::uint32_t bs = c.lun->block_size();
    std::uint64_t n = checked_bytes(c, q.transfer_length, 12);
    if (n == 0) return;
    // Atomic: the whole transfer or nothing, so a short data-out is an error, not a residual.
    if (c.task.data_out.size() < n) invalid_field_in_cdb(12);
    ByteView data = c.data_out(n, 12);
    std::lock_guard lock(c.lun->mutex);
    if (!c.lun->backend) medium_not_present();
    c.lun->backend->write(q.lba * bs, data);
    if (q.fua || !c.lun->modes.write_cache()) c.lun->backend->flush();
    c.lun->counters.write_commands.fetch_add(1, std::memory_order_relaxed);
    c.lun->counters.bytes_written.fetch_add(n, std::memory_order_relaxed);
}

// READ DEFECT DATA: the media has no defects; the lists asked for are valid and empty, in the
// format asked for.
namespace {
Bytes defect_header(std::size_t size, bool plist, bool glist, std::uint8_t format) {
    Bytes d(size, 0);
    // PLISTV, GLISTV and the format, as requested.
    d[1] = static_cast<std::uint8_t>((plist ? 0x10 : 0) | (glist ? 0x08 : 0) | (format & 0x07));
    return d;
}
}  // namespace

void handle_read_defect_data_10(Cmd& c) {
    auto q = cdb::ReadDefectData10::decode(c.cdb());
    c.reply(defect_header(4, q.req_plist, q.req_glist, q.defect_list_format), q.allocation_length);
}
void handle_read_defect_data_12(Cmd& c) {
    auto q = cdb::ReadDefectData12::decode(c.cdb());
    c.reply(defect_header(8, q.req_plist, q.req_glist, q.defect_list_format), q.allocation_length);
}

// PRE-FETCH: the backends keep no cache of their own to fill, so after the range checks there
// is nothing to do (GOOD: SBC-4 has CONDITION MET only for a cache that will hold the range).
void handle_prefetch_10(Cmd& c) {
    auto q = cdb::PreFetch10::decode(c.cdb());
    c.media();
    c.check_range(q.lba, q.prefetch_length);
}
void handle_prefetch_16(Cmd& c) {
    auto q = cdb::PreFetch16::decode(c.cdb());
    c.media();
    c.check_range(q.lba, q.prefetch_length);
}

namespace {

// Writes `block` over every logical block of the medium, 1 MiB at a time.
void fill_medium(Cmd& c, Backend& media, std::uint64_t total, ByteView block) {
    std::uint32_t bs = c.lun->block_size();
    std::uint64_t per = std::max<std::uint64_t>(1, (1u << 20) / bs);
    Bytes buffer;
    for (std::uint64_t i = 0; i < std::min(per, total); ++i)
        buffer.insert(buffer.end(), block.begin(), block.end());
    for (std::uint64_t done = 0; done < total;) {
        std::uint64_t n = std::min(per, total - done);
        media.write(done * bs, ByteView(buffer).first(n * bs));
        done += n;
    }
}

void sanitize_overwrite(Cmd& c, const cdb::Sanitize& q) {
    std::uint32_t bs = c.lun->block_size();
    // The list is the 4-byte header and a pattern of 1 to one block's bytes (SBC-4 5.30.2.2).
    if (q.parameter_list_length <= 4 || q.parameter_list_length > bs + 4) invalid_field_in_cdb(7);
    c.check_writable();
    auto p = cdb::SanitizeOverwriteParameters::decode(c.data_out(q.parameter_list_length, 7));
    if (p.overwrite_count == 0) invalid_field_in_parameters(0, 4);
    if (p.test != 0) invalid_field_in_parameters(0, 6);
    if (p.initialization_pattern.empty() || p.initialization_pattern.size() > bs ||
        !p.warnings.empty())
        invalid_field_in_parameters(2);
    std::uint64_t total = 0;
    auto media = c.media(&total);
    Bytes block(bs);
    for (std::uint32_t i = 0; i < bs; ++i)
        block[i] = p.initialization_pattern[i % p.initialization_pattern.size()];
    for (std::uint8_t pass = 0; pass < p.overwrite_count; ++pass) {
        // INVERT: every other pass writes the pattern's complement, the last one the pattern.
        bool inverted = p.invert && (p.overwrite_count - 1 - pass) % 2 == 1;
        Bytes b = block;
        if (inverted)
            for (auto& x : b) x = static_cast<std::uint8_t>(~x);
        fill_medium(c, *media, total, b);
    }
    media->flush();
}

// BLOCK ERASE and CRYPTO ERASE: every block is deallocated and reads as zeros afterwards
// (LBPRZ; WABEREQ and WACEREQ 1 in the Block Device Characteristics page). A LUN without
// thin provisioning gets zeros written instead.
void sanitize_erase(Cmd& c, const cdb::Sanitize& q) {
    if (q.parameter_list_length != 0) invalid_field_in_cdb(7);
    c.check_writable();
    std::uint64_t total = 0;
    auto media = c.media(&total);
    std::uint32_t bs = c.lun->block_size();
    if (c.lun->config.options.unmap)
        media->unmap(0, total * bs);
    else
        fill_medium(c, *media, total, Bytes(bs, 0));
    media->flush();
}

}  // namespace

// SANITIZE (SBC-4 5.30). The operation ends before the command's status is returned, so no
// other command ever finds it in progress; a failure to write the medium is reported as
// MEDIUM ERROR, SANITIZE COMMAND FAILED, and EXIT FAILURE MODE has nothing to leave.
void handle_sanitize(Cmd& c) {
    auto q = cdb::Sanitize::decode(c.cdb());
    if (q.reserved_bits) invalid_field_in_cdb(1, 6);
    for (std::size_t i = 0; i < q.reserved_bytes.size(); ++i)
        if (q.reserved_bytes[i]) invalid_field_in_cdb(static_cast<std::uint16_t>(2 + i));
    using Sa = scsi::SanitizeSa;
    try {
        switch (static_cast<Sa>(q.service_action)) {
            case Sa::overwrite:
                sanitize_overwrite(c, q);
                return;
            case Sa::block_erase:
            case Sa::crypto_erase:
                sanitize_erase(c, q);
                return;
            case Sa::exit_failure_mode:
                if (q.parameter_list_length != 0) invalid_field_in_cdb(7);
                return;
        }
    } catch (const Error& e) {
        if (e.category() == Category::malformed) invalid_field_in_parameters(0);
        check(0x03, 0x31, 0x03);  // SANITIZE COMMAND FAILED
    }
    invalid_field_in_cdb(1, 4);
}

void handle_read_capacity_10(Cmd& c) {
    auto q = cdb::ReadCapacity10::decode(c.cdb());
    if (!q.pmi && q.lba != 0) invalid_field_in_cdb(2);
    std::uint64_t total = 0;
    c.media(&total);
    scsi::ReadCapacity10Data d;
    d.returned_lba =
        total == 0 ? 0
                   : static_cast<std::uint32_t>(std::min<std::uint64_t>(total - 1, 0xffffffffu));
    d.block_length = c.lun->block_size();
    c.result.data_in = d.encode();
}

void handle_read_capacity_16(Cmd& c) {
    auto q = cdb::ReadCapacity16::decode(c.cdb());
    if (!q.pmi && q.lba != 0) invalid_field_in_cdb(2);
    std::uint64_t total = 0;
    c.media(&total);
    const auto& o = c.lun->config.options;
    scsi::ReadCapacity16Data d;
    d.returned_lba = total == 0 ? 0 : total - 1;
    d.block_length = o.blocksize;
    std::uint32_t pb = o.pblocksize ? o.pblocksize : o.blocksize;
    d.lbppbe = static_cast<std::uint8_t>(std::countr_zero(pb / o.blocksize));
    d.lbpme = o.unmap;
    d.lbprz = o.unmap;
    c.reply(d.encode(), q.allocation_length);
}

void handle_start_stop(Cmd& c) {
    auto q = cdb::StartStopUnit::decode(c.cdb());
    if (!q.loej || q.power_condition != 0) return;
    std::lock_guard lock(c.lun->mutex);
    if (!c.lun->config.options.removable) invalid_field_in_cdb(4, 1);
    // Any I_T nexus's prevention holds the medium where it is, in or out (SBC-4 5.12,
    // 5.25): loading is refused like ejecting.
    if (!c.lun->prevent_removal.empty()) check(0x05, 0x53, 0x02);  // MEDIUM REMOVAL PREVENTED
    if (q.start) {
        if (c.lun->backend) return;
        try {
            c.lun->open_media();
        } catch (const Error&) {
            medium_not_present();
        }
        c.lun->state.ejected = false;
        c.lun->ua.establish_all(ua::medium_changed, &c.it);
        return;
    }
    c.lun->close_media();
    c.lun->state.ejected = true;
}

void handle_prevent_allow(Cmd& c) {
    auto q = cdb::PreventAllowMediumRemoval::decode(c.cdb());
    if (q.prevent > 1) invalid_field_in_cdb(4, 1);
    std::lock_guard lock(c.lun->mutex);
    if (q.prevent == 1)
        c.lun->prevent_removal.insert(c.it);
    else
        c.lun->prevent_removal.erase(c.it);
}

}  // namespace camx::ctl
