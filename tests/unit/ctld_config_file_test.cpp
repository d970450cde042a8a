// SPDX-License-Identifier: BSD-2-Clause
// target_config::load: only a regular file is a configuration; a directory (which reads as
// an empty, valid one), a FIFO (which would block) or a device is Error(file).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include <gtest/gtest.h>

#include "camx/error/error.hpp"
#include "camx/target_config/config.hpp"

using namespace camx;
using namespace camx::target_config;

namespace {

class CtldConfigFile : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = std::filesystem::temp_directory_path() /
              ("camx-config-file-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    // The message of the Error(file) that loading path throws, in at most 5 s.
    std::string load_error(const std::string& path) {
        auto f = std::async(std::launch::async, [path]() -> std::string {
            try {
                load(path, ParseOptions{false});
            } catch (const Error& e) {
                EXPECT_EQ(e.category(), Category::file) << e.what();
                EXPECT_EQ(e.exit_code(), 15);
                return e.what();
            }
            return "loaded";
        });
        if (f.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
            // Unblock a reader stuck on the FIFO so that the test ends.
            std::ofstream{path};
            ADD_FAILURE() << path << ": load blocked";
        }
        return f.get();
    }
    std::filesystem::path dir;
};

TEST_F(CtldConfigFile, ARegularFileLoads) {
    auto path = (dir / "ctl.conf").string();
    std::ofstream(path) << "lun a { backend ramdisk; size 1m }\n";
    EXPECT_EQ(load(path, ParseOptions{false}).luns.size(), 1u);
}

TEST_F(CtldConfigFile, ADirectoryIsNoConfiguration) {
    auto m = load_error(dir.string());
    EXPECT_NE(m.find("a directory"), std::string::npos) << m;
    EXPECT_NE(m.find(dir.string()), std::string::npos) << m;
}

TEST_F(CtldConfigFile, AFifoIsRefusedWithoutWaiting) {
    auto path = (dir / "fifo").string();
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
    auto m = load_error(path);
    EXPECT_NE(m.find("a FIFO"), std::string::npos) << m;
}

TEST_F(CtldConfigFile, ADeviceIsNoConfiguration) {
    auto m = load_error("/dev/null");
    EXPECT_NE(m.find("a character device"), std::string::npos) << m;
}

TEST_F(CtldConfigFile, AMissingFileNamesTheReason) {
    auto m = load_error((dir / "none.conf").string());
    EXPECT_NE(m.find("No such file"), std::string::npos) << m;
}

}  // namespace
