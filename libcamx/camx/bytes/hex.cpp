#include "camx/bytes/hex.hpp"

#include <scsi/sg_lib.h>

#include <cctype>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

namespace camx::hex {
namespace {

constexpr int kMaxInhex = 4 << 20;  // larger than any SCSI data-in transfer we decode

int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

Bytes read_file(const std::string& path, bool binary) {
    if (path != "-") {
        std::ifstream probe(path);
        if (!probe) throw Error(Category::file, fmt::format("cannot open {}", path));
    }
    Bytes buf(kMaxInhex);
    int len = 0;
    // sg_f2hex_arr is sg3_utils' own reader for this format, so we accept exactly what
    // sg_inq --inhex accepts.
    int rc = sg_f2hex_arr(path.c_str(), binary, false, buf.data(), &len, kMaxInhex);
    if (rc == SG_LIB_FILE_ERROR) throw Error(Category::file, fmt::format("cannot read {}", path));
    if (rc != 0) throw Error(Category::usage, fmt::format("{}: not a hex byte file", path));
    buf.resize(static_cast<std::size_t>(len));
    return buf;
}

Bytes parse(std::string_view text) {
    Bytes out;
    int hi = -1;
    for (char c : text) {
        if (c == ' ' || c == ',' || c == ':' || c == '\t' || c == '\n') {
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
