// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "camx/enclosure/control.hpp"
#include "camx/enclosure/disks.hpp"
#include "camx/enclosure/enclosure.hpp"
#include "camx/error/error.hpp"
#include "capture.hpp"

namespace camx::enclosure {
namespace {

namespace fs = std::filesystem;
constexpr const char* kAreca = "sg3inhex_ses_areca_all";

Pages areca_pages() {
    return Pages::split(test::capture("ses", kAreca));
}
Enclosure areca() {
    return Enclosure::from_pages(areca_pages(), "inhex:areca");
}

// Offset of element position i (overall included) in an Enclosure Status/Control page.
std::size_t at(std::size_t i) {
    return 8 + 4 * i;
}

Category category_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.category();
    }
    return Category::other;
}

TEST(EnclosureSelect, Targets) {
    const auto e = areca();
    EXPECT_EQ(select(e, "all").size(), 24u);
    EXPECT_EQ(select(e, "all").front(), 1u);
    EXPECT_EQ(select(e, "19"), std::vector<std::size_t>{20});  // slot number 19 is SLOT 20
    EXPECT_EQ(select(e, "0"), std::vector<std::size_t>{1});
    EXPECT_EQ(select(e, "element:26"), std::vector<std::size_t>{26});
    EXPECT_EQ(select(e, "element:0"), std::vector<std::size_t>{0});
    EXPECT_EQ(select(e, "slot 05"), std::vector<std::size_t>{5});
    EXPECT_EQ(select(e, "Fan 01"), std::vector<std::size_t>{30});
    EXPECT_EQ(category_of([&] { select(e, "element:50"); }), Category::no_device);
    EXPECT_EQ(category_of([&] { select(e, "24"); }), Category::no_device);
    EXPECT_EQ(category_of([&] { select(e, "sdz"); }), Category::no_device);
}

TEST(EnclosureControlPage, LocateOnOneSlotByteByByte) {
    const auto e = areca();
    const auto control = led_control(e, select(e, "19"), Led::locate, true);
    const auto page = control.encode();
    // Header: page 0x02, no summary bits, length 4 + 50 elements * 4, generation code 0.
    ASSERT_EQ(page.size(), 8u + 4u * 50u);
    EXPECT_EQ(page[0], 0x02);
    EXPECT_EQ(page[1], 0x00);
    EXPECT_EQ(page[2], 0x00);
    EXPECT_EQ(page[3], 4 + 4 * 50);
    EXPECT_EQ(page[4] | page[5] | page[6] | page[7], 0);
    // Element 20 (slot number 19): SELECT, RQST IDENT (byte 2 bit 1), nothing else.
    EXPECT_EQ(page[at(20)], 0x80);
    EXPECT_EQ(page[at(20) + 1], 0x00);
    EXPECT_EQ(page[at(20) + 2], 0x02);
    EXPECT_EQ(page[at(20) + 3], 0x00);
    // Every other element: SELECT clear.
    for (std::size_t i = 0; i < 50; ++i) {
        if (i != 20) {
            EXPECT_EQ(page[at(i)] & 0x80, 0) << i;
        }
    }
    // And the page reads back with the request in place.
    const auto back = ses::EnclosureControl::decode(page, e.configuration);
    EXPECT_TRUE(back.types[0].elements[19].select());
    EXPECT_EQ(back.types[0].elements[19].field("rqst_ident"), 1);
    EXPECT_EQ(back.types[0].elements[19].field("rqst_fault"), 0);
}

TEST(EnclosureControlPage, FaultOnAndOff) {
    const auto e = areca();
    auto page = led_control(e, {5}, Led::fault, true).encode();
    EXPECT_EQ(page[at(5)], 0x80);
    EXPECT_EQ(page[at(5) + 2], 0x00);
    EXPECT_EQ(page[at(5) + 3], 0x20);  // RQST FAULT: byte 3 bit 5
    page = led_control(e, {5}, Led::fault, false).encode();
    EXPECT_EQ(page[at(5)], 0x80);
    EXPECT_EQ(page[at(5) + 3], 0x00);
}

TEST(EnclosureControlPage, OthersKeepTheirState) {
    auto pages = areca_pages();
    // Slots 3 and 4 (positions 4 and 5) identify; slot 4 also shows its fault requested.
    pages.status[at(4) + 2] |= 0x02;
    pages.status[at(5) + 2] |= 0x02;
    pages.status[at(5) + 3] |= 0x20;
    const auto e = Enclosure::from_pages(std::move(pages));
    const auto page = led_control(e, select(e, "3"), Led::locate, false).encode();
    EXPECT_EQ(page[at(4)], 0x80);
    EXPECT_EQ(page[at(4) + 2] & 0x02, 0);     // turned off
    EXPECT_EQ(page[at(5)] & 0x80, 0);         // not selected
    EXPECT_EQ(page[at(5) + 2] & 0x02, 0x02);  // keeps its identify
    EXPECT_EQ(page[at(5) + 3] & 0x20, 0x20);  // and its fault
}

TEST(EnclosureControlPage, AllSlots) {
    const auto e = areca();
    const auto page = led_control(e, select(e, "all"), Led::locate, true).encode();
    for (std::size_t i = 0; i < 50; ++i) {
        const bool slot = i >= 1 && i <= 24;
        EXPECT_EQ(page[at(i)] & 0x80, slot ? 0x80 : 0) << i;
        if (slot) {
            EXPECT_EQ(page[at(i) + 2] & 0x02, 0x02) << i;
        }
    }
}

TEST(EnclosureControlPage, OtherElementTypes) {
    const auto e = areca();
    // Cooling element Fan 01 (position 30): RQST IDENT is byte 1 bit 7; RQST FAIL byte 3 bit 6.
    auto page = led_control(e, {30}, Led::locate, true).encode();
    EXPECT_EQ(page[at(30)], 0x80);
    EXPECT_EQ(page[at(30) + 1], 0x80);
    page = led_control(e, {30}, Led::fault, true).encode();
    EXPECT_EQ(page[at(30) + 3] & 0x40, 0x40);
    // No status page: nothing to start from.
    auto pages = areca_pages();
    pages.status.clear();
    const auto nostatus = Enclosure::from_pages(std::move(pages));
    EXPECT_EQ(category_of([&] { led_control(nostatus, {1}, Led::locate, true); }),
              Category::unsupported);
}

// A sysfs tree with disks, laid out as the kernel does (see topology_test.cpp).
class FakeSysfs {
  public:
    FakeSysfs() {
        static std::atomic<int> counter{0};
        root_ = fs::temp_directory_path() /
                ("camx-enc-sysfs-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(root_);
        fs::create_directories(root_ / "bus/scsi/devices");
    }
    ~FakeSysfs() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    topology::Sysfs sysfs() const { return topology::Sysfs(root_.string()); }

    void file(const std::string& rel, const std::string& content) {
        const fs::path p = root_ / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << content;
    }
    void link(const std::string& rel, const std::string& target_rel) {
        const fs::path p = root_ / rel;
        fs::create_directories(p.parent_path());
        fs::create_symlink(fs::relative(root_ / target_rel, p.parent_path()), p);
    }
    void disk(const std::string& hctl, const std::string& target, const std::string& sd,
              const std::string& sg, const std::string& wwid, const std::string& vpd80,
              const std::string& vpd83, const std::string& sectors) {
        const std::string dev = "devices/platform/host0/target" + target + "/" + hctl;
        file(dev + "/vendor", "SEAGATE \n");
        file(dev + "/model", "ST4000NM0023    \n");
        file(dev + "/rev", "0003\n");
        file(dev + "/type", "0\n");
        file(dev + "/state", "running\n");
        if (!wwid.empty()) file(dev + "/wwid", wwid + "\n");
        if (!vpd80.empty()) file(dev + "/vpd_pg80", vpd80);
        if (!vpd83.empty()) file(dev + "/vpd_pg83", vpd83);
        link("bus/scsi/devices/" + hctl, dev);
        link("class/scsi_device/" + hctl + "/device", dev);
        for (const auto& [cls, name] :
             {std::pair{std::string("block"), sd}, std::pair{std::string("scsi_generic"), sg}}) {
            fs::create_directories(root_ / (dev + "/" + cls + "/" + name));
            link(dev + "/" + cls + "/" + name + "/device", dev);
            link("class/" + cls + "/" + name, dev + "/" + cls + "/" + name);
        }
        file(dev + "/block/" + sd + "/size", sectors + "\n");
    }

  private:
    fs::path root_;
};

std::string bytes_of(std::initializer_list<int> v) {
    std::string s;
    for (int b : v) s.push_back(static_cast<char>(b));
    return s;
}

// VPD 0x83: the LU's NAA 5000c5003011cb2b and its SAS target port 5000c5003011cb29.
const std::string kVpd83 =
    bytes_of({0x00, 0x83, 0x00, 0x18, 0x01, 0x03, 0x00, 0x08, 0x50, 0x00, 0xc5, 0x00, 0x30, 0x11,
              0xcb, 0x2b, 0x61, 0x93, 0x00, 0x08, 0x50, 0x00, 0xc5, 0x00, 0x30, 0x11, 0xcb, 0x29});
const std::string kVpd80 = bytes_of({0x00, 0x80, 0x00, 0x08}) + "Z1Z0ABCD";

TEST(EnclosureDisks, Identifiers) {
    const Bytes vpd(kVpd83.begin(), kVpd83.end());
    EXPECT_EQ(naa_identifiers(vpd),
              (std::vector<std::uint64_t>{0x5000c5003011cb2bu, 0x5000c5003011cb29u}));
    for (std::size_t n = 0; n < vpd.size(); ++n) naa_identifiers(ByteView(vpd).first(n));
    EXPECT_EQ(parse_identifier("naa.5000c5003011cb2b"), 0x5000c5003011cb2bu);
    EXPECT_EQ(parse_identifier("naa.6001405abcdef0123456789abcdef012"), 0x6001405abcdef012u);
    EXPECT_EQ(parse_identifier("0x5000c5003011cb29"), 0x5000c5003011cb29u);
    EXPECT_FALSE(parse_identifier("t10.ATA foo"));
    EXPECT_FALSE(parse_identifier("naa.xyz"));
    EXPECT_FALSE(parse_identifier(""));
    EXPECT_EQ(iscsi_lun_url("iscsi://127.0.0.1:3260/iqn.2024-01.org.camx:enc/3", 1),
              "iscsi://127.0.0.1:3260/iqn.2024-01.org.camx:enc/1");
}

TEST(EnclosureDisks, SlotsMatchedThroughSysfs) {
    FakeSysfs f;
    f.disk("0:0:5:0", "0:0:5", "sda", "sg1", "naa.5000c5003011cb2b", kVpd80, kVpd83, "7814037168");
    // A disk known only by its wwid.
    f.disk("0:0:6:0", "0:0:6", "sdb", "sg2", "naa.5001517e85c3efff", "", "", "1000");
    const auto disks = local_disks(f.sysfs());
    ASSERT_EQ(disks.size(), 2u);
    const auto& a = disks[0];
    EXPECT_EQ(a.node, "/dev/sda");
    EXPECT_EQ(a.sg, "/dev/sg1");
    EXPECT_EQ(a.hctl, "0:0:5:0");
    EXPECT_EQ(a.vendor, "SEAGATE");
    EXPECT_EQ(a.model, "ST4000NM0023");
    EXPECT_EQ(a.serial, "Z1Z0ABCD");
    EXPECT_EQ(a.size_bytes, 7814037168ull * 512);
    EXPECT_EQ(a.identifiers,
              (std::vector<std::uint64_t>{0x5000c5003011cb2bu, 0x5000c5003011cb29u}));
    EXPECT_EQ(disks[1].identifiers, std::vector<std::uint64_t>{0x5001517e85c3efffu});

    auto e = areca();
    // The Areca reports 0x5001517e85c3efff for slots 12 to 15 and 0x5000c5003011cb29 for 18.
    EXPECT_EQ(attach_disks(e, disks), 5u);
    const auto slots = e.slots();
    ASSERT_TRUE(slots[18]->disk);
    EXPECT_EQ(slots[18]->disk->node, "/dev/sda");
    ASSERT_TRUE(slots[12]->disk);
    EXPECT_EQ(slots[12]->disk->node, "/dev/sdb");
    EXPECT_FALSE(slots[0]->disk);  // SAS address 0 matches nothing
    EXPECT_FALSE(slots[17]->disk);

    EXPECT_EQ(select(e, "sda"), std::vector<std::size_t>{19});
    EXPECT_EQ(select(e, "/dev/sda"), std::vector<std::size_t>{19});
    EXPECT_EQ(select(e, "sg1"), std::vector<std::size_t>{19});
    EXPECT_EQ(select(e, "0:0:5:0"), std::vector<std::size_t>{19});
    EXPECT_EQ(select(e, "naa.5000c5003011cb2b"), std::vector<std::size_t>{19});
    EXPECT_EQ(select(e, "sdb").size(), 4u);
}

TEST(EnclosureDisks, EmptySysfs) {
    FakeSysfs f;
    EXPECT_TRUE(local_disks(f.sysfs()).empty());
    auto e = areca();
    EXPECT_EQ(attach_disks(e, {}), 0u);
}

}  // namespace
}  // namespace camx::enclosure
