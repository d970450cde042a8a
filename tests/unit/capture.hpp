// SPDX-License-Identifier: BSD-2-Clause
// Test access to the published captures in tests/data/scsi.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "camx/bytes/hex.hpp"

namespace camx::test {

inline std::filesystem::path capture_dir() { return CAMX_SCSI_DATA; }

// Bytes of <category>/<name>.hex
inline Bytes capture(const std::string& category, const std::string& name) {
    return hex::read_file((capture_dir() / category / (name + ".hex")).string());
}

// Text of <category>/<name>.<suffix> (suffix "expect.txt" or "sg3.txt").
inline std::string capture_text(const std::string& category, const std::string& name,
                                const std::string& suffix) {
    std::ifstream in(capture_dir() / category / (name + "." + suffix));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Every capture name (without .hex) in a category.
inline std::vector<std::string> captures(const std::string& category) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(capture_dir() / category)) {
        if (e.path().extension() == ".hex") out.push_back(e.path().stem().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace camx::test
