// SPDX-License-Identifier: BSD-2-Clause
// Helpers for the engine tests: an initiator that builds CDBs with camx::scsi::cdb and runs
// them through Engine::execute.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "camx/ctl/engine.hpp"
#include "camx/scsi/sense.hpp"

namespace camx::ctl::test {

inline std::shared_ptr<const Nexus> nexus(std::uint64_t id,
                                          std::string name = "iqn.2024-01.org.test:init",
                                          std::string port = "p0", std::uint16_t rtp = 1) {
    auto n = std::make_shared<Nexus>();
    n->id = id;
    n->initiator_name = std::move(name);
    n->target_name = "iqn.2024-01.org.test:target";
    n->port = std::move(port);
    n->relative_target_port = rtp;
    return n;
}

struct Initiator {
    Engine& engine;
    std::shared_ptr<const Nexus> nx;
    std::uint64_t lun = 0;

    TaskResult run(Bytes cdb, Bytes data_out = {}, std::uint32_t edtl = 1u << 24) {
        Task t;
        t.nexus = nx;
        t.lun = lun;
        t.cdb = std::move(cdb);
        t.direction = data_out.empty() ? DataDirection::in : DataDirection::out;
        t.expected_transfer_length =
            data_out.empty() ? edtl : static_cast<std::uint32_t>(data_out.size());
        t.data_out = std::move(data_out);
        return engine.execute(std::move(t));
    }
    // Clears the power-on unit attention.
    void attach() {
        for (int i = 0; i < 4; ++i) {
            Bytes tur(6, 0);
            if (run(tur).status == 0) return;
        }
    }
};

inline scsi::Sense sense_of(const TaskResult& r) {
    return scsi::Sense::decode(r.sense);
}

#define EXPECT_SENSE(result, k, a, q)              \
    do {                                           \
        const camx::ctl::TaskResult r_ = (result); \
        ASSERT_EQ(r_.status, 2);                   \
        auto s_ = camx::ctl::test::sense_of(r_);   \
        EXPECT_EQ(s_.key, k);                      \
        EXPECT_EQ(s_.asc, a);                      \
        EXPECT_EQ(s_.ascq, q);                     \
    } while (0)

}  // namespace camx::ctl::test
