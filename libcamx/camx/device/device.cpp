// SPDX-License-Identifier: BSD-2-Clause
#include "camx/device/device.hpp"

#include <scsi/sg_lib.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "camx/error/error.hpp"
#include "camx/scsi/sense_category.hpp"
#include "camx/topology/resolve.hpp"

namespace camx::device {
namespace {

constexpr std::uint8_t kGood = 0x00;
constexpr std::uint8_t kConditionMet = 0x04;

std::string command_name(ByteView cdb, int pdt) {
    if (cdb.empty()) return "command";
    // sg_get_command_name reads service-action bytes past byte 0 whatever the CDB's length.
    std::array<std::uint8_t, 32> padded{};
    std::copy_n(cdb.begin(), std::min(cdb.size(), padded.size()), padded.begin());
    std::array<char, 128> buf{};
    sg_get_command_name(padded.data(), pdt, static_cast<int>(buf.size()), buf.data());
    return buf.data();
}

std::string status_text(std::uint8_t status) {
    std::array<char, 64> buf{};
    sg_get_scsi_status_str(status, static_cast<int>(buf.size()), buf.data());
    return buf.data();
}

std::string sense_text(ByteView sense) {
    const auto k = scsi::sense_key(sense);
    if (!k.valid) return sense.empty() ? "no sense data" : "unrecognised sense data";
    std::array<char, 64> key{};
    std::array<char, 160> asc{};
    sg_get_sense_key_str(k.key, static_cast<int>(key.size()), key.data());
    sg_get_asc_ascq_str(k.asc, k.ascq, static_cast<int>(asc.size()), asc.data());
    return fmt::format("{}: {} (asc 0x{:02x}, ascq 0x{:02x})", key.data(), asc.data(), k.asc,
                       k.ascq);
}

}  // namespace

void check(const transport::Result& r, ByteView cdb, const std::string& path, int pdt) {
    if (r.status == kGood || r.status == kConditionMet) return;
    const Category c = scsi::category_of(r.status, r.sense);
    std::string msg =
        fmt::format("{} on {}: {}", command_name(cdb, pdt), path, status_text(r.status));
    if (!r.sense.empty() || r.status == 0x02) msg += ", " + sense_text(r.sense);
    throw Error(c, msg, r.status, r.sense);
}

Device::Device(std::unique_ptr<transport::Transport> transport,
               std::optional<topology::Device> info)
    : transport_(std::move(transport)), info_(std::move(info)) {
    if (!transport_) throw Error(Category::other, "device::Device needs a transport");
}

transport::Result Device::run(transport::Command cmd) {
    cmd.timeout = timeout_;
    auto r = transport_->execute(cmd);
    check(r, cmd.cdb, transport_->path(), info_ ? info_->peripheral_device_type : -1);
    return r;
}

Bytes Device::data_in(ByteView cdb, std::size_t allocation_length) {
    Bytes buf(allocation_length);
    transport::Command cmd;
    cmd.cdb = cdb;
    cmd.direction = transport::Direction::in;
    cmd.data_in = buf;
    const auto r = run(cmd);
    buf.resize(std::min(r.transferred(), buf.size()));
    return buf;
}

transport::Result Device::data_out(ByteView cdb, ByteView data) {
    transport::Command cmd;
    cmd.cdb = cdb;
    cmd.direction = transport::Direction::out;
    cmd.data_out = data;
    return run(cmd);
}

void Device::no_data(ByteView cdb) {
    transport::Command cmd;
    cmd.cdb = cdb;
    run(cmd);
}

transport::Result Device::execute_raw(const transport::Command& cmd) {
    return transport_->execute(cmd);
}

Device open_device(const std::string& name, bool read_only) {
    auto resolved = topology::resolve(name);
    return Device(transport::open(resolved.path, read_only), std::move(resolved.device));
}

}  // namespace camx::device
