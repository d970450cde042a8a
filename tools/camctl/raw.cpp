// cmd and sense: any CDB by hand, and sense bytes decoded.
#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "camx/bytes/hex.hpp"
#include "camx/scsi/sense.hpp"
#include "cli.hpp"

namespace camctl {
namespace {

using camx::Bytes;

struct CmdOpts {
    std::string cdb;
    std::size_t in_len = 0;
    std::string out_file;
};

Bytes read_binary(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw camx::Error(camx::Category::file, fmt::format("cannot open {}", path));
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
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
    auto dev = open_device(out, c);
    Bytes data;
    if (o.in_len > 0) {
        data = dev.data_in(cdb, o.in_len);
    } else if (!o.out_file.empty()) {
        dev.data_out(cdb, read_binary(o.out_file));
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
        cmd.app->add_option("-o,--out", o->out_file, "Data-out: send the bytes of FILE");
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
