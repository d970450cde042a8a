// SPDX-License-Identifier: BSD-2-Clause
// Runs a shell command line for the tests that run the built tools: its stdout and exit status.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace camx::test {

struct ToolRun {
    int status = -1;  // the exit status, -1 when it did not exit normally
    std::string out;  // stdout
    std::string err;  // stderr, for callers that redirect it to a file and read it back
};

inline ToolRun run_command(const std::string& cmd) {
    ToolRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

}  // namespace camx::test
