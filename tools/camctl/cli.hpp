// SPDX-License-Identifier: BSD-2-Clause
// camctl's shared command-line plumbing: the options every command takes, how a command
// is registered, and how its results and errors reach stdout in text or JSON.
#pragma once

#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/device/device.hpp"
#include "camx/error/error.hpp"

namespace camctl {

// Options shared by every command; each command adds its own.
struct Common {
    bool json = false;
    int verbose = 0;
    std::string device;   // as the user typed it
    std::string inhex;    // decode this capture instead of asking a device
    bool binary = false;  // --inhex file is raw binary
    bool hex = false;     // print the response bytes as hex instead of decoding
    bool raw = false;     // write the response bytes to stdout unchanged
    int timeout_s = 60;
};

// Collects a command's output: one JSON document for --json, text otherwise.
class Output {
  public:
    explicit Output(const Common& c) : json_(c.json) {}
    bool json() const { return json_; }
    nlohmann::json& doc() { return doc_; }
    // Records the device as opened ("device" in the JSON document).
    void opened(const std::string& path) { doc_["device"] = path; }
    // Text goes straight out; in JSON mode it is dropped (the model carries the same facts).
    std::ostream& text() { return json_ ? null_ : std::cout; }
    // A command that streams its own JSON lines (watch) leaves no document to print.
    void streaming() { streaming_ = true; }
    void flush();

  private:
    bool json_;
    bool streaming_ = false;
    nlohmann::json doc_ = nlohmann::json{{"version", 1}};
    std::ostream null_{nullptr};
};

using Handler = std::function<void(Output&)>;

// A subcommand: its CLI11 app and the function that runs it.
struct Command {
    CLI::App* app = nullptr;
    Common common;
    Handler run;
};

// Adds --json and -v to a subcommand; with_device adds the DEVICE positional; decoding
// commands also get --inhex/--binary/--hex/--raw.
void add_common(CLI::App& app, Common& c, bool with_device, bool decodes);

// Opens the device the command names, with its timeout, and records it in out.
camx::device::Device open_device(Output& out, const Common& c);

// The response to decode: the --inhex capture when given, otherwise ask(device).
camx::Bytes response(Output& out, const Common& c,
                     const std::function<camx::Bytes(camx::device::Device&)>& ask);

// Where a response declares its own length: a big-endian field of `width` bytes at `offset`;
// the whole response is that value plus `extra` bytes.
struct LengthField {
    std::size_t offset;
    std::size_t width;
    std::size_t extra;
};

// Asks with `first` bytes of allocation length; when the response fills them and declares
// more, asks once more for the declared length (at most `max`, the CDB field's limit).
camx::Bytes ask_full(std::size_t first, std::size_t max, LengthField length,
                     const std::function<camx::Bytes(std::size_t)>& ask);

// --hex / --raw: prints the bytes as asked and returns true; false means "decode them".
bool print_bytes(Output& out, const Common& c, camx::ByteView b);

// Text for a decoded model: nested "name: value" lines from its JSON mapping, so text and
// JSON never disagree. Keys named "bytes", empty strings, arrays, objects and nulls are shown
// only with -v.
void print_fields(std::ostream& os, const nlohmann::json& j, int verbose, int indent = 0);

// Parses "0x83", "131" or a name from names (case-insensitive); Error(usage) otherwise.
unsigned parse_number(const std::string& s, unsigned max, const std::string& what);

// Prints an error in the mode the command was run in and returns its exit code.
int report(const camx::Error& e, bool json);

// Registration: each command file defines one of these and main() calls them all.
using Registry = std::vector<std::unique_ptr<Command>>;
Command& add_command(Registry& r, CLI::App& parent, const std::string& name,
                     const std::string& help);

void register_devices(Registry& r, CLI::App& app);   // devlist, rescan, delete, reset, watch
void register_identify(Registry& r, CLI::App& app);  // inquiry, readcap, reportluns, tur
void register_pages(Registry& r, CLI::App& app);     // modepage, logpage
void register_opcodes(Registry& r, CLI::App& app);   // opcodes
void register_reserve(Registry& r, CLI::App& app);   // persist, rtpg, stpg
void register_media(Registry& r, CLI::App& app);     // start, stop, load, eject, synccache
void register_raw(Registry& r, CLI::App& app);       // cmd, sense

}  // namespace camctl
