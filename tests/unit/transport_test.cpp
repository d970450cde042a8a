// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "camx/error/error.hpp"
#include "camx/transport/iscsi.hpp"
#include "camx/transport/sg.hpp"
#include "camx/transport/transport.hpp"

namespace camx::transport {
namespace {

Category category_of_open(const std::string& path) {
    try {
        open(path);
    } catch (const Error& e) {
        return e.category();
    }
    return Category::other;
}

TEST(TransportIscsi, RecognisesUrls) {
    EXPECT_TRUE(is_iscsi_url("iscsi://127.0.0.1/iqn.2024-01.org.example:t/0"));
    EXPECT_TRUE(is_iscsi_url("ISCSI://host:3261/iqn.x/1"));
    EXPECT_FALSE(is_iscsi_url("iscsi:/host/iqn/0"));
    EXPECT_FALSE(is_iscsi_url("/dev/sg0"));
    EXPECT_FALSE(is_iscsi_url("iscsi"));
}

TEST(TransportIscsi, PortalOfUrl) {
    auto p = iscsi_portal("iscsi://127.0.0.1/iqn.x/0");
    EXPECT_EQ(p.host, "127.0.0.1");
    EXPECT_EQ(p.port, 3260);
    EXPECT_EQ(iscsi_portal("iscsi://alice%s3cret@host:3261/iqn.x/1").str(), "host:3261");
    EXPECT_EQ(iscsi_portal("iscsi://[::1]:65535/iqn.x/1").str(), "[::1]:65535");
    EXPECT_EQ(iscsi_portal("iscsi://[fe80::1]/iqn.x/1").host, "fe80::1");
}

TEST(TransportIscsi, PortOutOfRangeIsUsage) {
    for (const char* url :
         {"iscsi://127.0.0.1:0/iqn.x/0", "iscsi://127.0.0.1:65536/iqn.x/0",
          "iscsi://127.0.0.1:99999999999/iqn.x/0", "iscsi://127.0.0.1:/iqn.x/0",
          "iscsi://127.0.0.1:32a/iqn.x/0", "iscsi://[::1]x/iqn.x/0", "iscsi://:3260/iqn.x/0"}) {
        SCOPED_TRACE(url);
        EXPECT_EQ(category_of_open(url), Category::usage);
    }
    try {
        iscsi_portal("iscsi://alice%s3cret@127.0.0.1:70000/iqn.x/0");
        FAIL() << "accepted port 70000";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "invalid iSCSI URL 'iscsi://alice@127.0.0.1:70000/iqn.x/0': port '70000' is "
                     "not a number from 1 to 65535");
    }
}

TEST(TransportIscsi, RedactsPasswords) {
    EXPECT_EQ(redact_iscsi_url("iscsi://alice%s3cret@10.0.0.1:3260/iqn.2024-01.org.example:t/1"),
              "iscsi://alice@10.0.0.1:3260/iqn.2024-01.org.example:t/1");
    EXPECT_EQ(redact_iscsi_url("iscsi://alice@10.0.0.1/iqn.x/1"), "iscsi://alice@10.0.0.1/iqn.x/1");
    EXPECT_EQ(redact_iscsi_url("iscsi://10.0.0.1/iqn.x/1"), "iscsi://10.0.0.1/iqn.x/1");
    // An '@' in the path is not user information.
    EXPECT_EQ(redact_iscsi_url("iscsi://10.0.0.1/iqn.x@y/1"), "iscsi://10.0.0.1/iqn.x@y/1");
}

TEST(TransportIscsi, SenseFromResponseSegment) {
    const Bytes seg{0x00, 0x12, 0x70, 0x00, 0x05, 0,    0, 0, 0, 0x0a,
                    0,    0,    0,    0,    0x20, 0x00, 0, 0, 0, 0};
    const Bytes sense = sense_from_segment(seg);
    ASSERT_EQ(sense.size(), 18u);
    EXPECT_EQ(sense[0], 0x70);
    EXPECT_EQ(sense[2], 0x05);
    EXPECT_EQ(sense[12], 0x20);
    // A SenseLength larger than the segment is clamped, never read past.
    const Bytes short_seg{0x00, 0xfc, 0x72, 0x05, 0x20};
    EXPECT_EQ(sense_from_segment(short_seg), (Bytes{0x72, 0x05, 0x20}));
    EXPECT_TRUE(sense_from_segment(Bytes{0x00}).empty());
    EXPECT_TRUE(sense_from_segment(Bytes{}).empty());
    EXPECT_TRUE(sense_from_segment(Bytes{0x00, 0x00, 0x70}).empty());
}

TEST(TransportIscsi, InitiatorNameFromEnvironment) {
    ::unsetenv("CAMX_INITIATOR_NAME");
    EXPECT_EQ(initiator_name(), "iqn.2024-01.org.camx:camctl");
    ::setenv("CAMX_INITIATOR_NAME", "iqn.2024-02.org.example:host1", 1);
    EXPECT_EQ(initiator_name(), "iqn.2024-02.org.example:host1");
    ::setenv("CAMX_INITIATOR_NAME", "", 1);
    EXPECT_EQ(initiator_name(), "iqn.2024-01.org.camx:camctl");
    ::unsetenv("CAMX_INITIATOR_NAME");
}

TEST(TransportIscsi, MalformedUrlIsUsage) {
    EXPECT_EQ(category_of_open("iscsi://127.0.0.1"), Category::usage);
    EXPECT_EQ(category_of_open("iscsi://"), Category::usage);
}

TEST(TransportIscsi, RefusedConnectionIsTransportAndHidesThePassword) {
    try {
        open("iscsi://bob%hunter2@127.0.0.1:1/iqn.2024-01.org.example:none/0");
        FAIL() << "connected to port 1";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::transport);
        const std::string msg = e.what();
        EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
        EXPECT_NE(msg.find("iscsi://bob@127.0.0.1:1/"), std::string::npos) << msg;
        // What happened, not the state libiscsi ended in.
        EXPECT_NE(msg.find(": connection refused by 127.0.0.1:1"), std::string::npos) << msg;
        EXPECT_EQ(msg.find("reconnect"), std::string::npos) << msg;
    }
}

TEST(TransportSg, Timeouts) {
    using std::chrono::milliseconds;
    EXPECT_EQ(timeout_seconds(milliseconds(0)), 1);
    EXPECT_EQ(timeout_seconds(milliseconds(1)), 1);
    EXPECT_EQ(timeout_seconds(milliseconds(1000)), 1);
    EXPECT_EQ(timeout_seconds(milliseconds(1001)), 2);
    EXPECT_EQ(timeout_seconds(milliseconds(60'000)), 60);
    EXPECT_EQ(timeout_seconds(std::chrono::hours(24 * 365 * 100)), INT_MAX / 1000);
    EXPECT_TRUE(is_timeout(0x03, 0));   // DID_TIME_OUT
    EXPECT_TRUE(is_timeout(0, 0x06));   // DRIVER_TIMEOUT
    EXPECT_TRUE(is_timeout(0, 0x26));   // with an obsolete suggestion nibble
    EXPECT_FALSE(is_timeout(0x07, 0));  // DID_ERROR
    EXPECT_FALSE(is_timeout(0, 0x08));  // DRIVER_SENSE
}

TEST(TransportSg, ErrnoCategories) {
    EXPECT_EQ(category_of_errno(ENODEV), Category::device_gone);
    EXPECT_EQ(category_of_errno(ENXIO), Category::device_gone);
    EXPECT_EQ(category_of_errno(ETIMEDOUT), Category::timeout);
    EXPECT_EQ(category_of_errno(EPERM), Category::file);
    EXPECT_EQ(category_of_errno(EACCES), Category::file);
    EXPECT_EQ(category_of_errno(ENOTTY), Category::unsupported);
    EXPECT_EQ(category_of_errno(EIO), Category::transport);
    EXPECT_EQ(category_of_errno(ENOMEM), Category::transport);
}

TEST(TransportSg, OpenFailures) {
    EXPECT_EQ(category_of_open("/dev/camx-no-such-sg"), Category::no_device);
    const auto file =
        std::filesystem::temp_directory_path() / ("camx-not-a-node-" + std::to_string(::getpid()));
    std::ofstream(file) << "x";
    try {
        open(file.string());
        ADD_FAILURE() << "opened a regular file";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::file);
        EXPECT_NE(std::string(e.what()).find("not a device node"), std::string::npos) << e.what();
    }
    std::filesystem::remove(file);
    EXPECT_EQ(category_of_open("/"), Category::file);  // EISDIR
}

TEST(TransportSg, NodeWithoutSgIoIsUnsupported) {
    auto t = open("/dev/null");
    EXPECT_EQ(t->path(), "/dev/null");
    const std::uint8_t inquiry[6] = {0x12, 0, 0, 0, 36, 0};
    Bytes buf(36);
    Command cmd;
    cmd.cdb = inquiry;
    cmd.direction = Direction::in;
    cmd.data_in = buf;
    try {
        t->execute(cmd);
        FAIL() << "SG_IO on /dev/null succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::unsupported);
        const std::string msg = e.what();
        EXPECT_NE(msg.find("/dev/null"), std::string::npos) << msg;
        EXPECT_NE(msg.find("Inquiry"), std::string::npos) << msg;
    }
    // The object is reusable after a failure (the pass-through state is cleared per command).
    EXPECT_THROW(t->execute(cmd), Error);
    Command empty;
    try {
        t->execute(empty);
        FAIL() << "sent an empty CDB";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::usage);
    }
}

}  // namespace
}  // namespace camx::transport
