// SPDX-License-Identifier: BSD-2-Clause
// EXTENDED COPY (LID1) between LUNs of the engine, and RECEIVE COPY RESULTS.
#include "camx/ctl/xcopy.hpp"

#include <algorithm>

#include "camx/ctl/core.hpp"
#include "camx/scsi/cdb.hpp"

namespace camx::ctl {
namespace xcopy {

namespace {
constexpr std::uint8_t cscd_identification = 0xe4;
constexpr std::uint8_t segment_block_to_block = 0x02;
constexpr std::size_t cscd_size = 32;
constexpr std::size_t segment_size = 28;
}  // namespace

Bytes ParameterList::encode() const {
    bytes::Writer w;
    w.u8(list_id);
    w.u8(static_cast<std::uint8_t>((str ? 0x20 : 0) | ((list_id_usage & 3) << 3) | (priority & 7)));
    w.be16(static_cast<std::uint16_t>(cscds.size() * cscd_size));
    w.zeros(4);
    w.be32(static_cast<std::uint32_t>(segments.size() * segment_size));
    w.be32(0);  // inline data length
    for (const auto& c : cscds) {
        w.u8(cscd_identification);
        w.u8(0x00);  // LU ID TYPE 0 (LUN), PDT 0 (direct access)
        w.be16(0);   // relative initiator port
        w.u8(0x01);  // code set binary
        w.u8(0x03);  // association LU, designator type NAA
        w.u8(0);
        w.u8(8);
        w.be64(c.naa);
        w.zeros(8);  // rest of the 20-byte designator field
        w.zeros(5);
        w.be24(c.block_length);  // disk block length (device type specific)
    }
    for (const auto& s : segments) {
        w.u8(segment_block_to_block);
        w.u8(0);
        w.be16(0x18);
        w.be16(s.source);
        w.be16(s.destination);
        w.zeros(2);
        w.be16(s.blocks);
        w.be64(s.source_lba);
        w.be64(s.destination_lba);
    }
    return w.take();
}

Bytes extended_copy_cdb(std::uint32_t parameter_list_length) {
    Bytes c(16, 0);
    c[0] = 0x83;
    bytes::put_be32(c, 10, parameter_list_length);
    return c;
}

Bytes receive_copy_results_cdb(std::uint8_t service_action, std::uint8_t list_id,
                               std::uint32_t allocation_length) {
    Bytes c(16, 0);
    c[0] = 0x84;
    c[1] = service_action & 0x1f;
    c[2] = list_id;
    bytes::put_be32(c, 10, allocation_length);
    return c;
}

CopyStatusData CopyStatusData::decode(ByteView b) {
    CopyStatusData d;
    d.status = bytes::u8(b, 4) & 0x7f;
    d.segments_processed = bytes::be16(b, 5);
    d.transfer_count_units = bytes::u8(b, 7);
    d.transfer_count = bytes::be32(b, 8);
    return d;
}

Bytes CopyStatusData::encode() const {
    bytes::Writer w;
    w.be32(8);
    w.u8(status & 0x7f);
    w.be16(segments_processed);
    w.u8(transfer_count_units);
    w.be32(transfer_count);
    return w.take();
}

OperatingParameters OperatingParameters::decode(ByteView b) {
    OperatingParameters p;
    p.max_cscd_descriptors = bytes::be16(b, 8);
    p.max_segment_descriptors = bytes::be16(b, 10);
    p.max_descriptor_list_length = bytes::be32(b, 12);
    p.max_segment_length = bytes::be32(b, 16);
    p.total_concurrent_copies = bytes::be16(b, 34);
    p.max_concurrent_copies = bytes::u8(b, 36);
    p.data_segment_granularity_log2 = bytes::u8(b, 37);
    std::uint8_t n = bytes::u8(b, 43);
    ByteView list = bytes::clamp(b, 44, n);
    p.descriptor_types.assign(list.begin(), list.end());
    return p;
}

Bytes OperatingParameters::encode() const {
    bytes::Writer w;
    w.be32(0);
    w.u8(0x01);  // SNLID: the copy manager supports no list id
    w.zeros(3);
    w.be16(max_cscd_descriptors);
    w.be16(max_segment_descriptors);
    w.be32(max_descriptor_list_length);
    w.be32(max_segment_length);
    w.be32(0);  // maximum inline data length
    w.be32(0);  // held data limit
    w.be32(0);  // maximum stream device transfer size
    w.zeros(2);
    w.be16(total_concurrent_copies);
    w.u8(max_concurrent_copies);
    w.u8(data_segment_granularity_log2);
    w.u8(0);  // inline data granularity
    w.u8(0);  // held data granularity
    w.zeros(3);
    w.u8(static_cast<std::uint8_t>(descriptor_types.size()));
    for (auto t : descriptor_types) w.u8(t);
    Bytes out = w.take();
    bytes::put_be32(out, 0, static_cast<std::uint32_t>(out.size() - 4));
    return out;
}

}  // namespace xcopy

namespace {

constexpr std::uint16_t max_cscds = 16;
constexpr std::uint16_t max_segments = 64;
constexpr std::uint32_t max_descriptor_list_length = max_cscds * 32u + max_segments * 28u;

std::shared_ptr<Backend> media_of(const std::shared_ptr<Lun>& lun, std::uint64_t* blocks,
                                  bool write) {
    std::lock_guard lock(lun->mutex);
    if (!lun->backend) check(0x0a, 0x0d, 0x02);  // COPY TARGET DEVICE NOT REACHABLE
    if (write && (lun->state.read_only || lun->modes.software_write_protect()))
        check(0x0a, 0x27, 0x00);
    *blocks = lun->blocks;
    return lun->backend;
}

void run_copy(Cmd& c, ByteView p, CopyStatus& st) {
    if (p.size() < 16) parameter_list_length_error();
    if (bytes::u8(p, 1) & 0x20) invalid_field_in_parameters(1, 5);  // STR: no streams here
    std::size_t cscd_len = bytes::be16(p, 2);
    std::size_t seg_len = bytes::be32(p, 8);
    if (bytes::be32(p, 12) != 0) invalid_field_in_parameters(12);  // inline data
    if (16 + cscd_len + seg_len != p.size()) parameter_list_length_error();
    if (cscd_len + seg_len > max_descriptor_list_length) parameter_list_length_error();
    if (cscd_len % 32 != 0) parameter_list_length_error();
    if (cscd_len / 32 > max_cscds) check(0x05, 0x26, 0x06);  // TOO MANY TARGET DESCRIPTORS
    std::vector<std::shared_ptr<Lun>> cscds;
    for (std::size_t off = 16; off < 16 + cscd_len; off += 32) {
        std::uint8_t type = p[off];
        if (type != 0xe4)
            check(0x05, 0x26, 0x07, {},
                  scsi::SenseKeySpecific::field_pointer(false, static_cast<std::uint16_t>(off)));
        if ((p[off + 1] & 0x1f) != 0)
            invalid_field_in_parameters(static_cast<std::uint16_t>(off + 1));
        std::uint8_t desig_type = p[off + 5] & 0x0f;
        std::uint8_t desig_len = p[off + 7];
        if (desig_type != 3 || desig_len != 8)
            invalid_field_in_parameters(static_cast<std::uint16_t>(off + 5));
        auto lun = c.engine.lun_by_naa(bytes::be64(p, off + 8));
        if (!lun) check(0x0a, 0x0d, 0x02);
        cscds.push_back(lun);
    }
    std::size_t nseg = 0;
    for (std::size_t off = 16 + cscd_len; off < p.size(); ++nseg) {
        if (nseg >= max_segments) check(0x05, 0x26, 0x08);  // TOO MANY SEGMENT DESCRIPTORS
        if (p.size() - off < 4) parameter_list_length_error();
        std::uint8_t type = p[off];
        std::size_t len = 4u + bytes::be16(p, off + 2);
        if (type != 0x02) {
            check(0x05, 0x26, 0x09, {},
                  scsi::SenseKeySpecific::field_pointer(false, static_cast<std::uint16_t>(off)));
        }
        if (len != 28 || off + len > p.size()) parameter_list_length_error();
        bool dc = (p[off + 1] & 0x02) != 0;
        std::uint16_t si = bytes::be16(p, off + 4), di = bytes::be16(p, off + 6);
        // An index naming no CSCD is a copy target the copy manager cannot reach.
        if (si >= cscds.size() || di >= cscds.size()) check(0x0a, 0x0d, 0x02);
        std::uint64_t count = bytes::be16(p, off + 10);
        std::uint64_t slba = bytes::be64(p, off + 12), dlba = bytes::be64(p, off + 20);
        auto& src = cscds[si];
        auto& dst = cscds[di];
        std::uint32_t sbs = src->block_size(), dbs = dst->block_size();
        std::uint64_t bytes_total = count * (dc ? dbs : sbs);
        if (bytes_total % sbs != 0 || bytes_total % dbs != 0)
            check(0x0a, 0x26, 0x0a);  // UNEXPECTED INEXACT SEGMENT
        std::uint64_t sblocks = 0, dblocks = 0;
        auto sm = media_of(src, &sblocks, false);
        auto dm = media_of(dst, &dblocks, true);
        if (slba > sblocks || bytes_total / sbs > sblocks - slba || dlba > dblocks ||
            bytes_total / dbs > dblocks - dlba) {
            // Blocks past a CSCD's capacity are unreachable on that copy target.
            check(0x0a, 0x0d, 0x02);
        }
        Bytes buf(std::min<std::uint64_t>(bytes_total, 1u << 20));
        for (std::uint64_t done = 0; done < bytes_total;) {
            std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), bytes_total - done));
            sm->read(slba * sbs + done, MutableByteView(buf).first(n));
            dm->write(dlba * dbs + done, ByteView(buf).first(n));
            done += n;
        }
        st.segments_processed = static_cast<std::uint16_t>(nseg + 1);
        st.bytes_transferred += bytes_total;
        off += len;
    }
}

}  // namespace

void handle_extended_copy(Cmd& c) {
    std::uint32_t length = scsi::cdb::ExtendedCopy::decode(c.cdb()).parameter_list_length;
    ByteView p = c.data_out(length, 10);
    if (length == 0) return;
    std::uint8_t list_id = p.empty() ? 0 : p[0];
    auto key = std::make_pair(c.it, list_id);
    CopyStatus st;
    try {
        run_copy(c, p, st);
        st.status = 1;
    } catch (...) {
        st.status = 2;
        std::lock_guard lock(c.engine.copy_mutex);
        c.engine.copies[key] = st;
        throw;
    }
    std::lock_guard lock(c.engine.copy_mutex);
    c.engine.copies[key] = st;
}

void handle_receive_copy_results(Cmd& c) {
    auto q = scsi::cdb::ReceiveCopyResults::decode(c.cdb());
    std::uint32_t alloc = q.allocation_length;
    if (q.service_action == 0x03) {
        xcopy::OperatingParameters op;
        op.max_cscd_descriptors = max_cscds;
        op.max_segment_descriptors = max_segments;
        op.max_descriptor_list_length = max_descriptor_list_length;
        op.max_segment_length = 0xffffu * 512u;
        op.total_concurrent_copies = 1;
        op.max_concurrent_copies = 1;
        op.descriptor_types = {0x02, 0xe4};
        c.reply(op.encode(), alloc);
        return;
    }
    CopyStatus st;
    {
        std::lock_guard lock(c.engine.copy_mutex);
        auto it = c.engine.copies.find({c.it, q.list_identifier});
        if (it == c.engine.copies.end()) invalid_field_in_cdb(2);
        st = it->second;
    }
    xcopy::CopyStatusData d;
    d.status = st.status;
    d.segments_processed = st.segments_processed;
    d.transfer_count_units = 0;  // bytes
    d.transfer_count =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(st.bytes_transferred, 0xffffffffu));
    c.reply(d.encode(), alloc);
}

}  // namespace camx::ctl
