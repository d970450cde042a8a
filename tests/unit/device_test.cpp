// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

#include "camx/device/device.hpp"
#include "camx/error/error.hpp"

namespace camx::device {
namespace {

// Replays scripted results and records what it was asked to send.
class ScriptedTransport : public transport::Transport {
  public:
    struct Step {
        transport::Result result;
        Bytes data;  // copied into the data-in buffer
    };
    struct Sent {
        Bytes cdb;
        transport::Direction direction;
        std::size_t data_in_size;
        Bytes data_out;
        std::chrono::milliseconds timeout;
    };

    explicit ScriptedTransport(std::deque<Step> steps, std::vector<Sent>* log)
        : steps_(std::move(steps)), log_(log) {}

    transport::Result execute(const transport::Command& cmd) override {
        log_->push_back({Bytes(cmd.cdb.begin(), cmd.cdb.end()), cmd.direction, cmd.data_in.size(),
                         Bytes(cmd.data_out.begin(), cmd.data_out.end()), cmd.timeout});
        if (steps_.empty()) throw Error(Category::transport, "script exhausted");
        Step s = std::move(steps_.front());
        steps_.pop_front();
        const auto n = std::min(s.data.size(), cmd.data_in.size());
        std::copy_n(s.data.begin(), n, cmd.data_in.begin());
        s.result.requested = cmd.direction == transport::Direction::in    ? cmd.data_in.size()
                             : cmd.direction == transport::Direction::out ? cmd.data_out.size()
                                                                          : 0;
        return s.result;
    }
    std::string path() const override { return "/dev/sg-test"; }

  private:
    std::deque<Step> steps_;
    std::vector<Sent>* log_;
};

const Bytes kInquiry{0x12, 0, 0, 0, 96, 0};
const Bytes kInvalidOpcodeSense{0x70, 0, 0x05, 0,    0,    0, 0, 0x0a, 0,
                                0,    0, 0,    0x20, 0x00, 0, 0, 0,    0};

transport::Result good(std::size_t residual = 0) {
    transport::Result r;
    r.residual = residual;
    return r;
}

Device make(std::deque<ScriptedTransport::Step> steps, std::vector<ScriptedTransport::Sent>& log) {
    return Device(std::make_unique<ScriptedTransport>(std::move(steps), &log));
}

TEST(DeviceCommands, DataInAppliesTheResidual) {
    std::vector<ScriptedTransport::Sent> log;
    Bytes reply(36);
    for (std::size_t i = 0; i < reply.size(); ++i) reply[i] = static_cast<std::uint8_t>(i + 1);
    auto dev = make({{good(96 - 36), reply}}, log);
    const Bytes got = dev.data_in(kInquiry, 96);
    EXPECT_EQ(got, reply);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].cdb, kInquiry);
    EXPECT_EQ(log[0].direction, transport::Direction::in);
    EXPECT_EQ(log[0].data_in_size, 96u);
    EXPECT_EQ(log[0].timeout, std::chrono::milliseconds(60'000));
    EXPECT_EQ(dev.path(), "/dev/sg-test");
    EXPECT_FALSE(dev.info());
}

TEST(DeviceCommands, DataOutAndNoDataCarryDirectionAndTimeout) {
    std::vector<ScriptedTransport::Sent> log;
    auto dev = make({{good(), {}}, {good(), {}}}, log);
    dev.set_timeout(std::chrono::milliseconds(5000));
    const Bytes param{1, 2, 3, 4};
    const Bytes mode_select{0x55, 0x10, 0, 0, 0, 0, 0, 0, 4, 0};
    dev.data_out(mode_select, param);
    dev.no_data(Bytes{0, 0, 0, 0, 0, 0});
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].direction, transport::Direction::out);
    EXPECT_EQ(log[0].data_out, param);
    EXPECT_EQ(log[0].timeout, std::chrono::milliseconds(5000));
    EXPECT_EQ(log[1].direction, transport::Direction::none);
    EXPECT_EQ(log[1].cdb, (Bytes{0, 0, 0, 0, 0, 0}));
}

TEST(DeviceCommands, CheckConditionThrowsWithCategoryStatusAndSense) {
    std::vector<ScriptedTransport::Sent> log;
    transport::Result cc;
    cc.status = 0x02;
    cc.sense = kInvalidOpcodeSense;
    auto dev = make({{cc, {}}}, log);
    try {
        dev.no_data(Bytes{0xff, 0, 0, 0, 0, 0});
        FAIL() << "no exception";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::invalid_opcode);
        EXPECT_EQ(e.exit_code(), 9);
        EXPECT_EQ(e.scsi_status(), 0x02);
        EXPECT_EQ(Bytes(e.sense().begin(), e.sense().end()), kInvalidOpcodeSense);
        const std::string msg = e.what();
        EXPECT_NE(msg.find("/dev/sg-test"), std::string::npos) << msg;
        EXPECT_NE(msg.find("Check Condition"), std::string::npos) << msg;
        EXPECT_NE(msg.find("Illegal Request"), std::string::npos) << msg;
        EXPECT_NE(msg.find("Invalid command operation code"), std::string::npos) << msg;
    }
}

TEST(DeviceCommands, StatusOnlyFailures) {
    std::vector<ScriptedTransport::Sent> log;
    transport::Result conflict;
    conflict.status = 0x18;
    transport::Result busy;
    busy.status = 0x08;
    transport::Result met;
    met.status = 0x04;  // CONDITION MET is success
    auto dev = make({{conflict, {}}, {busy, {}}, {met, {}}}, log);
    const Bytes tur{0, 0, 0, 0, 0, 0};
    try {
        dev.no_data(tur);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::reservation_conflict);
        EXPECT_NE(std::string(e.what()).find("Reservation Conflict"), std::string::npos)
            << e.what();
    }
    try {
        dev.no_data(tur);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::busy);
    }
    EXPECT_NO_THROW(dev.no_data(tur));
}

TEST(DeviceCommands, ExecuteRawReturnsFailuresAsResults) {
    std::vector<ScriptedTransport::Sent> log;
    transport::Result cc;
    cc.status = 0x02;
    cc.sense = kInvalidOpcodeSense;
    auto dev = make({{cc, {}}}, log);
    transport::Command cmd;
    const Bytes cdb{0xff, 0, 0, 0, 0, 0};
    cmd.cdb = cdb;
    const auto r = dev.execute_raw(cmd);
    EXPECT_EQ(r.status, 0x02);
    EXPECT_EQ(r.sense, kInvalidOpcodeSense);
}

TEST(DeviceCommands, TransportErrorsPropagate) {
    std::vector<ScriptedTransport::Sent> log;
    auto dev = make({}, log);
    try {
        dev.no_data(Bytes{0, 0, 0, 0, 0, 0});
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::transport);
    }
    EXPECT_THROW(Device(nullptr), Error);
}

TEST(DeviceOpen, ResolvesBeforeOpening) {
    try {
        open_device("no-such-device-name");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::no_device);
    }
    try {
        open_device("iscsi://127.0.0.1:1/iqn.2024-01.org.example:none/0");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::transport);
    }
}

}  // namespace
}  // namespace camx::device
