// SPDX-License-Identifier: BSD-2-Clause
// encctl --inhex on the Areca capture: the command's text, JSON and exit status. Runs the
// encctl binary built beside the test (skipped when it has not been built).
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "capture.hpp"
#include "tool_run.hpp"

namespace {

namespace fs = std::filesystem;

fs::path encctl_path() {
    const auto exe = fs::read_symlink("/proc/self/exe");
    return exe.parent_path().parent_path() / "tools" / "encctl" / "encctl";
}

using Run = camx::test::ToolRun;

Run run(const std::string& args) {
    return camx::test::run_command(encctl_path().string() + " " + args + " 2>/dev/null");
}

class Encctl : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!fs::exists(encctl_path())) GTEST_SKIP() << "encctl not built";
        inhex_ = "--inhex " +
                 (camx::test::capture_dir() / "ses" / "sg3inhex_ses_areca_all.hex").string();
    }
    std::string inhex_;
};

TEST_F(Encctl, Status) {
    auto r = run(inhex_ + " status");
    EXPECT_EQ(r.status, 111);  // the Areca's status page sets CRIT
    EXPECT_NE(r.out.find(": CRITICAL (status page: CRIT)"), std::string::npos) << r.out;
    r = run(inhex_ + " --json status");
    EXPECT_EQ(r.status, 111);
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(j["health"], "critical");
    EXPECT_EQ(j["exit_code"], 111);
    ASSERT_EQ(j["enclosures"].size(), 1u);
    EXPECT_EQ(j["enclosures"][0]["page_health"], "critical");
    EXPECT_EQ(j["enclosures"][0]["element_health"], "ok");
    EXPECT_TRUE(j["enclosures"][0]["problems"].empty());
}

TEST_F(Encctl, List) {
    auto r = run(inhex_ + " list");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("Areca    ARC-802801.33.63 0133  d5b401503fc0ec16     24  "
                         "array_device_slot 24, enclosure 1, sas_expander 1, cooling 5, "
                         "temperature_sensor 2, voltage_sensor 2, sas_connector 3, "
                         "power_supply 2, audible_alarm 1"),
              std::string::npos)
        << r.out;
    r = run(inhex_ + " list -j");  // options after the command work too
    EXPECT_EQ(r.status, 0);
    const auto j = nlohmann::json::parse(r.out);
    const auto& e = j["enclosures"][0];
    EXPECT_EQ(e["vendor"], "Areca");
    EXPECT_EQ(e["product"], "ARC-802801.33.63");
    EXPECT_EQ(e["id"], "d5b401503fc0ec16");
    EXPECT_EQ(e["slot_count"], 24);
    EXPECT_EQ(e["element_count"], 41);
    EXPECT_EQ(e["element_counts"].size(), 9u);
    EXPECT_EQ(e["element_counts"][3]["element_type_name"], "Cooling");
    EXPECT_EQ(e["element_counts"][3]["count"], 5);
}

TEST_F(Encctl, Map) {
    auto r = run(inhex_ + " map");
    EXPECT_EQ(r.status, 0);
    for (const char* want : {
             "\tEnclosure Name: Areca ARC-802801.33.63 0133\n",
             "\tEnclosure ID: d5b401503fc0ec16\n",
             "\tElement 0, Type: Array device slot, overall\n"
             "\t\tStatus: Unsupported (0x00 0x00 0x00 0x00)\n"
             "\t\tDescription: ArrayDevicesInSubEnclsr0\n",
             "\tElement 19, Type: Array device slot\n"
             "\t\tStatus: OK (0x01 0x00 0x00 0x00)\n"
             "\t\tDescription: SLOT 19\n"
             "\t\tSlot: 18\n"
             "\t\tSAS addresses: 0x5000c5003011cb29\n",
             "\t\tDescription: ENC. Temp\n",
             "temperature_celsius=49",
             "fan_speed_rpm=7500",
             "voltage_volts=0.94",
         }) {
        EXPECT_NE(r.out.find(want), std::string::npos) << want;
    }
    r = run(inhex_ + " -v map");
    EXPECT_NE(r.out.find(
                  "\t\tPhysical path: id1,enc@nd5b401503fc0ec16/type@0/slot@12/elmdesc@SLOT_19_\n"),
              std::string::npos);
    r = run(inhex_ + " -j map");
    const auto j = nlohmann::json::parse(r.out);
    const auto& els = j["enclosures"][0]["elements"];
    ASSERT_EQ(els.size(), 50u);
    EXPECT_EQ(els[19]["descriptor"], "SLOT 19");
    EXPECT_EQ(els[19]["status"]["status_code_name"], "OK");
    EXPECT_EQ(els[36]["status"]["temperature_celsius"], 49);
}

TEST_F(Encctl, Show) {
    const auto r = run(inhex_ + " show");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("<Areca ARC-802801.33.63 0133>; id d5b401503fc0ec16; health critical"),
              std::string::npos);
    EXPECT_NE(r.out.find("    18  SLOT 19          -"), std::string::npos) << r.out;
}

TEST_F(Encctl, LocateDryRun) {
    auto r = run(inhex_ + " -j locate 19 on -n");
    EXPECT_EQ(r.status, 0);
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["led"], "locate");
    EXPECT_EQ(j["dry_run"], true);
    const auto& e = j["enclosures"][0];
    EXPECT_EQ(e["elements"][0]["index"], 20);
    EXPECT_EQ(e["elements"][0]["descriptor"], "SLOT 20");
    const std::string page = e["control_page"];
    ASSERT_EQ(page.size(), 2u * (8 + 4 * 50));
    EXPECT_EQ(page.substr(0, 16), "020000cc00000000");
    EXPECT_EQ(page.substr(2 * (8 + 4 * 20), 8), "80000200");
    // Without --dry-run there is nothing to write to.
    r = run(inhex_ + " locate 19 on");
    EXPECT_EQ(r.status, 1);
    r = run(inhex_ + " fault nosuchslot on -n");
    EXPECT_EQ(r.status, 100);
}

TEST_F(Encctl, Page) {
    auto r = run(inhex_ + " page 0x07 -j");
    EXPECT_EQ(r.status, 0);
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["page_code"], 7);
    EXPECT_EQ(j["bytes"].get<std::string>().substr(0, 4), "0700");
    EXPECT_TRUE(j["decoded"].is_object());
    r = run(inhex_ + " page 1 -r");
    EXPECT_EQ(r.out.size(), 300u);
    r = run(inhex_ + " page 0x03");
    EXPECT_EQ(r.status, 103);
    r = run(inhex_ + " page 300");
    EXPECT_EQ(r.status, 1);
}

TEST_F(Encctl, Errors) {
    auto r = run("--inhex /nonexistent/file status -j");
    EXPECT_EQ(r.status, 15);
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["error"]["category"], "file");
    r = run(inhex_ + " watch -c 1");
    EXPECT_EQ(r.status, 1);
}

}  // namespace
