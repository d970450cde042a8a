// SPDX-License-Identifier: BSD-2-Clause
#include "camx/bytes/hex.hpp"

#include <scsi/sg_lib.h>

#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

namespace camx::hex {
namespace {

int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string slurp(std::istream& in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

// Not sg3_utils' sg_f2hex_arr: the Debian 12 version stops after 8160 bytes, and real
// log pages are larger. Same format: hex pairs, '#' to end of line is a comment.
Bytes read_file(const std::string& path, bool binary) {
    std::string content;
    if (path == "-") {
        content = slurp(std::cin);
    } else {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw Error(Category::file, fmt::format("cannot open {}", path));
        content = slurp(in);
        if (in.bad()) throw Error(Category::file, fmt::format("cannot read {}", path));
    }
    if (binary) return Bytes(content.begin(), content.end());
    std::string hexonly;
    hexonly.reserve(content.size());
    std::istringstream lines(content);
    for (std::string line; std::getline(lines, line);) {
        hexonly += line.substr(0, line.find('#'));
        hexonly += '\n';
    }
    try {
        return parse(hexonly);
    } catch (const Error& e) {
        throw Error(Category::usage, fmt::format("{}: not a hex byte file ({})", path, e.what()));
    }
}

Bytes parse(std::string_view text) {
    Bytes out;
    int hi = -1;
    for (char c : text) {
        if (c == ' ' || c == ',' || c == ':' || c == '\t' || c == '\n' || c == '\r') {
            if (hi >= 0) {  // a lone digit between separators is a byte: "0 1 2"
                out.push_back(static_cast<std::uint8_t>(hi));
                hi = -1;
            }
            continue;
        }
        int n = nibble(c);
        if (n < 0) throw Error(Category::usage, fmt::format("'{}' is not a hex digit", c));
        if (hi < 0) {
            hi = n;
        } else {
            out.push_back(static_cast<std::uint8_t>(hi << 4 | n));
            hi = -1;
        }
    }
    if (hi >= 0) out.push_back(static_cast<std::uint8_t>(hi));
    return out;
}

std::string dump(ByteView b, bool bare) {
    if (b.empty()) return {};
    // hex2str writes at most ~80 characters per 16 input bytes.
    std::string out(b.size() / 16 * 96 + 128, '\0');
    int n = hex2str(b.data(), static_cast<int>(b.size()), nullptr, bare ? 1 : 0,
                    static_cast<int>(out.size()), out.data());
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string compact(ByteView b) {
    std::string s;
    s.reserve(b.size() * 2);
    for (auto v : b) s += fmt::format("{:02x}", v);
    return s;
}

}  // namespace camx::hex
