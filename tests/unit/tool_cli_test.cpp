// SPDX-License-Identifier: BSD-2-Clause
// The command-line conventions of the four tools, run as built: --version, usage errors
// exit 1 with one line naming what was wrong (never CLI11's own exit codes or a help dump),
// and JSON error documents for camctl. Skipped for a tool that has not been built.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tool_run.hpp"

namespace {

namespace fs = std::filesystem;

fs::path tool(const std::string& name) {
    const auto exe = fs::read_symlink("/proc/self/exe");
    return exe.parent_path().parent_path() / "tools" / name / name;
}

using Run = camx::test::ToolRun;

std::string slurp(const fs::path& p) {
    std::string s;
    if (FILE* f = std::fopen(p.c_str(), "r")) {
        std::array<char, 4096> buf{};
        std::size_t n = 0;
        while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) s.append(buf.data(), n);
        std::fclose(f);
    }
    return s;
}

// Runs NAME ARGS with stdin closed off, a control socket nobody listens on and ENV set.
Run run(const std::string& name, const std::string& args, const std::string& env = "") {
    const fs::path err = fs::temp_directory_path() / ("tool_cli_err." + std::to_string(::getpid()));
    const std::string cmd = "CTLD_SOCKET=/nonexistent/ctld.sock " + env + " " +
                            tool(name).string() + " " + args + " </dev/null 2>" + err.string();
    Run r = camx::test::run_command(cmd);
    r.err = slurp(err);
    fs::remove(err);
    return r;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class ToolCli : public ::testing::TestWithParam<const char*> {
  protected:
    void SetUp() override {
        if (!fs::exists(tool(GetParam()))) GTEST_SKIP() << GetParam() << " not built";
    }
};

TEST_P(ToolCli, Version) {
    const std::string name = GetParam();
    auto r = run(name, "--version");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, name + " 0.1.0\n");
}

TEST_P(ToolCli, UnknownOptionIsUsageNamingIt) {
    const std::string name = GetParam();
    auto r = run(name, "--bogus");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, name + ": unknown option '--bogus'\n")) << r.err;
    EXPECT_TRUE(has(r.err, "run '" + name + " --help' for usage")) << r.err;
    EXPECT_FALSE(has(r.err, "subcommand")) << r.err;
    EXPECT_FALSE(has(r.err, "Usage:")) << "no help dump: " << r.err;
}

TEST_P(ToolCli, HelpExitsZero) {
    auto r = run(GetParam(), "--help");
    EXPECT_EQ(r.status, 0);
    EXPECT_TRUE(has(r.out, "--version")) << r.out;
}

INSTANTIATE_TEST_SUITE_P(AllTools, ToolCli,
                         ::testing::Values("camctl", "encctl", "ctladm", "ctld"));

class CommandTool : public ToolCli {};

TEST_P(CommandTool, UnknownCommandNamesItAndTheChoices) {
    const std::string name = GetParam();
    auto r = run(name, "nope");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, name + ": unknown command 'nope' (commands: ")) << r.err;
    EXPECT_FALSE(has(r.err, "A subcommand is required")) << r.err;
}

TEST_P(CommandTool, NoCommandPrintsHelpAndExitsOne) {
    auto r = run(GetParam(), "");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, "Usage:")) << r.err;
}

TEST_P(CommandTool, UnknownOptionOfACommandNamesTheCommand) {
    const std::string name = GetParam();
    const std::string command = name == "ctladm"   ? "devlist"
                                : name == "camctl" ? "inquiry"
                                                   : "status";
    auto r = run(name, command + " --bogus");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, name + ": " + command + ": unknown option '--bogus'\n")) << r.err;
    EXPECT_TRUE(has(r.err, "run '" + name + " " + command + " --help' for usage")) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Tools, CommandTool, ::testing::Values("camctl", "encctl", "ctladm"));

class Ctld : public ToolCli {};

// CLI11's own codes were 109 (extras), 114 (missing value), 105 (validation).
TEST_P(Ctld, UsageErrorsExitOne) {
    auto r = run("ctld", "--workers 0");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, "ctld: --workers: Value 0 not in range 1 to 256")) << r.err;
    r = run("ctld", "-f");
    EXPECT_EQ(r.status, 1) << r.err;
    r = run("ctld", "extra words");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, "ctld: unexpected argument 'extra'")) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Daemon, Ctld, ::testing::Values("ctld"));

class Ctladm : public ToolCli {};

TEST_P(Ctladm, UnknownBackendListsTheValidOnes) {
    auto r = run("ctladm", "create -b nope -s 1m");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, "unknown backend 'nope' (valid: ramdisk, file, block)")) << r.err;
    EXPECT_FALSE(has(r.err, "ValidationError")) << r.err;
    EXPECT_FALSE(has(r.err, "Usage:")) << r.err;
}

TEST_P(Ctladm, ParseErrorWithJsonIsOneDocument) {
    auto r = run("ctladm", "create -j -b nope");
    EXPECT_EQ(r.status, 1);
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(j["error"]["category"], "usage");
    EXPECT_EQ(j["error"]["exit_code"], 1);
}

INSTANTIATE_TEST_SUITE_P(Admin, Ctladm, ::testing::Values("ctladm"));

class Camctl : public ToolCli {};

TEST_P(Camctl, ParseErrorWithJsonIsOneDocument) {
    auto r = run("camctl", "inquiry --json --bogus");
    EXPECT_EQ(r.status, 1);
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["error"]["category"], "usage");
    EXPECT_EQ(j["error"]["message"], "inquiry: unknown option '--bogus'");
    EXPECT_EQ(j["error"]["exit_code"], 1);
}

TEST_P(Camctl, CmdWithoutTheDataTheCdbTransfersIsRefused) {
    // WRITE(10) of 8 blocks without -o: refused before any device is opened.
    auto r = run("camctl", "cmd -c '2a 00 00 00 00 00 00 00 08 00' /dev/null");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, "the CDB (Write(10)) sends 8 blocks of data: give them with -o FILE"))
        << r.err;
}

TEST_P(Camctl, IscsiPortOutOfRangeIsUsage) {
    auto r = run("camctl", "inquiry iscsi://127.0.0.1:70000/iqn.2024-01.org.camx:demo/0");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, "port '70000' is not a number from 1 to 65535")) << r.err;
}

TEST_P(Camctl, DevlistWithoutDevicesSaysSo) {
    const fs::path root =
        fs::temp_directory_path() / ("tool_cli_sysfs." + std::to_string(::getpid()));
    fs::create_directories(root / "bus" / "scsi" / "devices");
    auto r = run("camctl", "devlist", "CAMX_SYSFS=" + root.string());
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "camctl: no SCSI devices under " + root.string() + "/bus/scsi/devices\n");
    r = run("camctl", "devlist --json", "CAMX_SYSFS=" + root.string());
    EXPECT_EQ(r.status, 0);
    EXPECT_TRUE(nlohmann::json::parse(r.out)["devices"].empty()) << r.out;
    fs::remove_all(root);
}

INSTANTIATE_TEST_SUITE_P(Initiator, Camctl, ::testing::Values("camctl"));

}  // namespace
