// SPDX-License-Identifier: BSD-2-Clause
// The enclosure model against a scripted enclosure behind the transport interface: what
// read() asks for, the generation-code retry, allocation growth, and the control page set_led
// sends.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "camx/enclosure/control.hpp"
#include "camx/enclosure/enclosure.hpp"
#include "camx/error/error.hpp"
#include "camx/scsi/cdb.hpp"
#include "capture.hpp"

namespace camx::enclosure {
namespace {

// Serves the Areca pages: RECEIVE DIAGNOSTIC RESULTS by page code, INQUIRY VPD 0x83, and
// SEND DIAGNOSTIC (recorded).
class FakeEnclosure : public transport::Transport {
  public:
    struct Log {
        std::vector<Bytes> cdbs;
        std::vector<Bytes> sent;
        int config_reads = 0;
        // Generation code of the configuration page for its first reads (the others stay 0).
        std::vector<std::uint32_t> config_generations;
    };

    explicit FakeEnclosure(Log* log) : log_(log) {
        const auto all = test::capture("ses", "sg3inhex_ses_areca_all");
        for (const auto& s : ses::split_pages(all)) {
            pages_[s.page_code] = Bytes(s.bytes.begin(), s.bytes.end());
        }
        Bytes big{0x04, 0x00, 0x07, 0xcc};  // String In of 2000 bytes
        big.resize(2000, 'x');
        pages_[0x04] = big;
    }

    transport::Result execute(const transport::Command& cmd) override {
        log_->cdbs.emplace_back(cmd.cdb.begin(), cmd.cdb.end());
        transport::Result r;
        Bytes answer;
        switch (cmd.cdb[0]) {
            case 0x1c: {
                const auto c = scsi::cdb::ReceiveDiagnostic::decode(cmd.cdb);
                const auto it = pages_.find(c.page_code);
                if (it == pages_.end()) return illegal_request();
                answer = it->second;
                if (c.page_code == 0x01) {
                    const auto n = static_cast<std::size_t>(log_->config_reads++);
                    if (n < log_->config_generations.size())
                        answer[7] = log_->config_generations[n];
                }
                break;
            }
            case 0x12:
                // NAA 5 logical unit designator 5001b4d516ecc03e.
                answer = {0x0d, 0x83, 0x00, 0x0c, 0x01, 0x03, 0x00, 0x08,
                          0x50, 0x01, 0xb4, 0xd5, 0x16, 0xec, 0xc0, 0x3e};
                break;
            case 0x1d:
                log_->sent.emplace_back(cmd.data_out.begin(), cmd.data_out.end());
                r.requested = cmd.data_out.size();
                return r;
            default:
                return illegal_request();
        }
        const auto n = std::min(answer.size(), cmd.data_in.size());
        std::copy_n(answer.begin(), n, cmd.data_in.begin());
        r.requested = cmd.data_in.size();
        r.residual = cmd.data_in.size() - n;
        return r;
    }
    std::string path() const override { return "/dev/sg-enc"; }

  private:
    static transport::Result illegal_request() {
        transport::Result r;
        r.status = 0x02;
        r.sense = {0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0, 0, 0, 0};
        return r;
    }
    std::map<std::uint8_t, Bytes> pages_;
    Log* log_;
};

device::Device make(FakeEnclosure::Log& log) {
    return device::Device(std::make_unique<FakeEnclosure>(&log));
}

std::vector<int> diagnostic_pages_asked(const FakeEnclosure::Log& log) {
    std::vector<int> out;
    for (const auto& c : log.cdbs) {
        if (c[0] == 0x1c) out.push_back(c[2]);
    }
    return out;
}

TEST(EnclosureDevice, ReadsThePagesAndTheNaa) {
    FakeEnclosure::Log log;
    auto dev = make(log);
    const auto e = read(dev);
    EXPECT_EQ(diagnostic_pages_asked(log), (std::vector<int>{0x00, 0x01, 0x02, 0x05, 0x07, 0x0a}));
    for (const auto& c : log.cdbs) {
        if (c[0] == 0x1c) {
            EXPECT_EQ(c[1] & 0x01, 0x01);  // PCV
        }
    }
    EXPECT_EQ(e.device, "/dev/sg-enc");
    EXPECT_EQ(e.naa, 0x5001b4d516ecc03eu);
    EXPECT_EQ(e.logical_identifier, 0xd5b401503fc0ec16u);
    EXPECT_EQ(e.elements.size(), 50u);
    EXPECT_EQ(e.slots()[18]->physical_path,
              "id1,enc@n5001b4d516ecc03e/type@0/slot@12/elmdesc@SLOT_19_");
    // The Areca's own quirks (a short Threshold In page, an expander descriptor with index 0)
    // are the same as when its capture is decoded; nothing about the reading itself.
    EXPECT_EQ(e.warnings,
              Enclosure::from_pages(Pages::split(test::capture("ses", "sg3inhex_ses_areca_all")))
                  .warnings);

    log = {};
    const auto lean = read(dev, {.thresholds = false, .descriptors = true, .additional = false});
    EXPECT_EQ(diagnostic_pages_asked(log), (std::vector<int>{0x00, 0x01, 0x02, 0x07}));
    EXPECT_FALSE(lean.additional);
    EXPECT_EQ(lean.slots()[5]->slot_number_source, "position");
}

TEST(EnclosureDevice, ReadsAgainWhenGenerationCodesDisagree) {
    FakeEnclosure::Log log;
    log.config_generations = {1};  // first configuration read: 1; status page says 0
    auto dev = make(log);
    const auto e = read(dev);
    EXPECT_EQ(log.config_reads, 2);
    EXPECT_EQ(e.generation_code, 0u);
    EXPECT_TRUE(std::none_of(e.warnings.begin(), e.warnings.end(), [](const std::string& w) {
        return w.find("generation") != std::string::npos;
    }));

    FakeEnclosure::Log log2;
    log2.config_generations = {1, 1};  // still disagreeing: kept, with a warning
    auto dev2 = make(log2);
    const auto e2 = read(dev2);
    EXPECT_EQ(log2.config_reads, 2);
    EXPECT_EQ(e2.generation_code, 1u);
    EXPECT_TRUE(std::any_of(e2.warnings.begin(), e2.warnings.end(), [](const std::string& w) {
        return w.find("still disagree") != std::string::npos;
    }));
}

TEST(EnclosureDevice, AllocationGrowsToThePageLength) {
    FakeEnclosure::Log log;
    auto dev = make(log);
    const auto page = receive_page(dev, 0x04);
    EXPECT_EQ(page.size(), 2000u);
    ASSERT_EQ(log.cdbs.size(), 2u);
    EXPECT_EQ(scsi::cdb::ReceiveDiagnostic::decode(log.cdbs[0]).allocation_length, 1024);
    EXPECT_EQ(scsi::cdb::ReceiveDiagnostic::decode(log.cdbs[1]).allocation_length, 2000);
    EXPECT_THROW(receive_page(dev, 0x0e + 0x10), Error);  // not served: ILLEGAL REQUEST
}

TEST(EnclosureDevice, SetLedSendsTheControlPage) {
    FakeEnclosure::Log log;
    auto dev = make(log);
    const auto r = set_led(dev, "SLOT 07", Led::fault, true, {});
    ASSERT_EQ(r.elements, std::vector<std::size_t>{7});
    ASSERT_EQ(log.sent.size(), 1u);
    const auto& cdb = log.cdbs.back();
    EXPECT_EQ(cdb[0], 0x1d);
    EXPECT_EQ(cdb[1], 0x10);  // PF
    EXPECT_EQ((cdb[3] << 8) | cdb[4], 208);
    const auto& page = log.sent[0];
    ASSERT_EQ(page.size(), 208u);
    EXPECT_EQ(page[0], 0x02);
    EXPECT_EQ(page[8 + 4 * 7], 0x80);
    EXPECT_EQ(page[8 + 4 * 7 + 3], 0x20);
    std::size_t selected = 0;
    for (std::size_t i = 8; i < page.size(); i += 4) selected += (page[i] & 0x80) ? 1 : 0;
    EXPECT_EQ(selected, 1u);
}

}  // namespace
}  // namespace camx::enclosure
