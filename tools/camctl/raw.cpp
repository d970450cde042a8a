// SPDX-License-Identifier: BSD-2-Clause
// cmd and sense: any CDB by hand, and sense bytes decoded.
#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/cdb.hpp"
#include "camx/scsi/data_out.hpp"
#include "camx/scsi/opcode.hpp"
#include "camx/scsi/readcap.hpp"
#include "camx/scsi/sense.hpp"
#include "cli.hpp"

namespace camctl {
namespace {

using camx::Bytes;

struct CmdOpts {
    std::string cdb;
    std::size_t in_len = 0;
    std::string out_file;
    bool force = false;  // send a data-out length that differs from the CDB's
};

Bytes read_binary(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw camx::Error(camx::Category::file, fmt::format("cannot open {}", path));
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string command_name(camx::ByteView cdb) {
    return camx::scsi::opcode_name(cdb[0]);
}

// The device's logical block length, for a CDB that counts its transfer in blocks.
std::uint32_t block_length(camx::device::Device& dev) {
    const Bytes cdb = camx::scsi::cdb::ReadCapacity10{}.encode();
    Bytes b;
    try {
        b = dev.data_in(cdb, 8);
    } catch (const camx::Error& e) {
        // A new I_T nexus may first hear of a reset: that is not the command's business.
        if (e.category() != camx::Category::unit_attention) throw;
        b = dev.data_in(cdb, 8);
    }
    return camx::scsi::ReadCapacity10Data::decode(b).block_length;
}

// The CDB's data-out transfer in bytes; nullopt when camx does not know the command (or,
// with --force, cannot learn the device's block length).
std::optional<std::uint64_t> cdb_data_out(camx::device::Device& dev, camx::ByteView cdb,
                                          bool force) {
    auto len = camx::scsi::data_out_length(cdb);
    if (!len) return std::nullopt;
    if (!len->in_blocks || len->count == 0) return len->bytes(0);
    try {
        return len->bytes(block_length(dev));
    } catch (const camx::Error& e) {
        if (force) return std::nullopt;
        throw camx::Error(e.category(),
                          fmt::format("the CDB ({}) transfers {} blocks and READ CAPACITY(10), "
                                      "asked for the block length, failed: {}; --force sends "
                                      "without checking",
                                      command_name(cdb), len->count, e.what()));
    }
}

// The data-out the user gives must be what the CDB transfers: a shorter file leaves the
// device waiting for data or writing less than the command says, a longer one is cut off.
void check_data_out(camx::ByteView cdb, std::size_t given, std::optional<std::uint64_t> wanted,
                    const std::string& file) {
    if (!wanted || *wanted == given) return;
    if (*wanted == 0)
        throw camx::Error(camx::Category::usage,
                          fmt::format("the CDB ({}) sends no data but {} has {} bytes; --force "
                                      "sends them anyway",
                                      command_name(cdb), file, given));
    throw camx::Error(camx::Category::usage,
                      fmt::format("{} has {} bytes but the CDB ({}) transfers {}: give a file "
                                  "of that length, or --force to send it anyway",
                                  file, given, command_name(cdb), *wanted));
}

// Without -o nothing is sent: a CDB that transfers data would wait for it.
void check_no_data(camx::ByteView cdb) {
    auto len = camx::scsi::data_out_length(cdb);
    if (!len || len->count == 0) return;
    throw camx::Error(
        camx::Category::usage,
        fmt::format("the CDB ({}) sends {} {} of data: give them with -o FILE, or "
                    "--force to send the CDB without data",
                    command_name(cdb), len->count, len->in_blocks ? "blocks" : "bytes"));
}

// What the device did with the data: the bytes it took, and the residual it reported
// (overflow: the CDB wanted more than was sent; underflow: it took less).
void show_data_out(Output& out, std::size_t sent, std::optional<std::uint64_t> wanted,
                   const camx::transport::Result& r) {
    const std::size_t residual = r.overflow != 0 ? r.overflow : r.residual;
    const char* kind = r.overflow != 0 ? "overflow" : r.residual != 0 ? "underflow" : "none";
    if (out.json()) {
        out.doc()["data_out"] = {
            {"length_bytes", sent},
            {"cdb_length_bytes", wanted ? nlohmann::json(*wanted) : nlohmann::json(nullptr)},
            {"transferred_bytes", r.transferred()},
            {"residual_bytes", residual},
            {"residual", kind}};
        return;
    }
    out.text() << fmt::format("data out: {} bytes sent, {} taken", sent, r.transferred());
    if (wanted) out.text() << fmt::format(", the CDB transfers {}", *wanted);
    if (residual != 0) out.text() << fmt::format(", residual {} bytes ({})", residual, kind);
    out.text() << '\n';
}

void run_cmd(Output& out, const Common& c, const CmdOpts& o) {
    Bytes cdb = camx::hex::parse(o.cdb);
    if (cdb.size() < 6 || cdb.size() > 260) {
        throw camx::Error(camx::Category::usage,
                          fmt::format("a CDB is 6 to 260 bytes; got {}", cdb.size()));
    }
    if (o.in_len > 0 && !o.out_file.empty()) {
        throw camx::Error(camx::Category::usage, "give -i LEN or -o FILE, not both");
    }
    if (o.out_file.empty() && !o.force) check_no_data(cdb);
    Bytes payload;
    if (!o.out_file.empty()) payload = read_binary(o.out_file);
    auto dev = open_device(out, c);
    Bytes data;
    if (o.in_len > 0) {
        data = dev.data_in(cdb, o.in_len);
    } else if (!o.out_file.empty()) {
        const auto wanted = cdb_data_out(dev, cdb, o.force);
        if (!o.force) check_data_out(cdb, payload.size(), wanted, o.out_file);
        auto r = dev.data_out(cdb, payload);
        out.doc()["cdb"] = camx::hex::compact(cdb);
        out.doc()["status"] = 0;
        show_data_out(out, payload.size(), wanted, r);
        return;
    } else {
        dev.no_data(cdb);
    }
    if (c.raw) {
        std::cout.write(reinterpret_cast<const char*>(data.data()),
                        static_cast<std::streamsize>(data.size()));
        return;
    }
    if (out.json()) {
        out.doc()["cdb"] = camx::hex::compact(cdb);
        out.doc()["data_in"] = camx::hex::compact(data);
        out.doc()["data_in_length"] = data.size();
        out.doc()["status"] = 0;
        return;
    }
    if (!data.empty()) out.text() << camx::hex::dump(data, false);
}

void run_sense(Output& out, const Common& c, const std::vector<std::string>& words) {
    Bytes bytes;
    if (!c.inhex.empty()) {
        bytes = camx::hex::read_file(c.inhex, c.binary);
    } else {
        std::string joined;
        for (const auto& w : words) joined += w + ' ';
        bytes = camx::hex::parse(joined);
    }
    if (bytes.empty()) throw camx::Error(camx::Category::usage, "no sense bytes given");
    auto s = camx::scsi::Sense::decode(bytes);
    if (out.json()) {
        out.doc()["sense"] = s;
        return;
    }
    out.text() << s.summary() << '\n';
    print_fields(out.text(), nlohmann::json(s), c.verbose, 2);
}

}  // namespace

void register_raw(Registry& r, CLI::App& app) {
    {
        auto& cmd = add_command(r, app, "cmd", "Send a CDB given in hex");
        auto o = std::make_shared<CmdOpts>();
        add_common(*cmd.app, cmd.common, true, false);
        cmd.app->add_option("-c,--cdb", o->cdb, "CDB bytes in hex, e.g. \"12 00 00 00 24 00\"")
            ->required();
        cmd.app->add_option("-i,--in", o->in_len, "Data-in: read up to LEN bytes")
            ->check(CLI::Range(1, 16 << 20));
        cmd.app->add_option("-o,--out", o->out_file,
                            "Data-out: send the bytes of FILE (as many as the CDB transfers)");
        cmd.app->add_flag("-f,--force", o->force,
                          "Send a data-out length other than the CDB's transfer length");
        cmd.app->add_flag("-r,--raw", cmd.common.raw, "Write data-in bytes to stdout unchanged");
        cmd.run = [&c = cmd.common, o](Output& out) { run_cmd(out, c, *o); };
    }
    {
        auto& cmd = add_command(r, app, "sense", "Decode sense data given in hex");
        auto words = std::make_shared<std::vector<std::string>>();
        add_common(*cmd.app, cmd.common, false, false);
        cmd.app->add_option("bytes", *words, "Sense bytes in hex: 70 00 05 ... or 700005...");
        cmd.app->add_option("--inhex", cmd.common.inhex, "Read the sense bytes from a hex file");
        cmd.run = [&c = cmd.common, words](Output& out) { run_sense(out, c, *words); };
    }
}

}  // namespace camctl
