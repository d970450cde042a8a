// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "camx/error/error.hpp"
#include "camx/topology/actions.hpp"
#include "camx/topology/hctl.hpp"
#include "camx/topology/json_text.hpp"
#include "camx/topology/resolve.hpp"
#include "camx/topology/topology.hpp"
#include "camx/topology/watch.hpp"

namespace camx::topology {
namespace {

namespace fs = std::filesystem;

// A sysfs tree under a temporary directory, laid out as the kernel does: devices under
// devices/..., relative symlinks from bus/ and class/.
class FakeSysfs {
  public:
    FakeSysfs() {
        static std::atomic<int> counter{0};
        // tmpfs when there is one: the tree is hundreds of small files and links.
        std::error_code ec;
        const fs::path base = fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                                  ? fs::path("/dev/shm")
                                  : fs::temp_directory_path();
        root_ =
            base / ("camx-sysfs-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(root_);
        fs::create_directories(root_ / "bus/scsi/devices");
    }
    ~FakeSysfs() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    FakeSysfs(const FakeSysfs&) = delete;
    FakeSysfs& operator=(const FakeSysfs&) = delete;

    Sysfs sysfs() const { return Sysfs(root_.string()); }
    fs::path root() const { return root_; }

    void file(const std::string& rel, const std::string& content) {
        const fs::path p = root_ / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p) << content;
    }
    std::string read(const std::string& rel) const {
        std::ifstream in(root_ / rel);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    void link(const std::string& rel, const std::string& target_rel) {
        const fs::path p = root_ / rel;
        fs::create_directories(p.parent_path());
        fs::create_symlink(fs::relative(root_ / target_rel, p.parent_path()), p);
    }
    void dir(const std::string& rel) { fs::create_directories(root_ / rel); }

    struct Lu {
        std::string hctl;
        std::string parent = "";  // defaults to devices/platform/hostH/targetH:C:T
        std::string vendor = "Linux   ";
        std::string model = "scsi_debug      ";
        std::string rev = "0191";
        int type = 0;
        std::string wwid{};
        std::vector<std::string> children{};  // "scsi_generic/sg0", "block/sda", "bsg/0:0:0:0"
        bool inquiry = true;  // the binary inquiry attribute, built from the fields above
    };

    // Standard INQUIRY data as the kernel keeps it: 36 bytes, fields space-padded.
    static std::string inquiry_data(const Lu& lu) {
        std::string inq(36, ' ');
        inq[0] = static_cast<char>(lu.type);
        inq[1] = inq[2] = inq[3] = '\0';
        inq[4] = 31;
        inq[5] = inq[6] = inq[7] = '\0';
        inq.replace(8, std::min<std::size_t>(lu.vendor.size(), 8), lu.vendor, 0, 8);
        inq.replace(16, std::min<std::size_t>(lu.model.size(), 16), lu.model, 0, 16);
        inq.replace(32, std::min<std::size_t>(lu.rev.size(), 4), lu.rev, 0, 4);
        return inq;
    }

    // Returns the device directory relative to the root.
    std::string add(const Lu& lu) {
        const auto h = *Hctl::parse(lu.hctl);
        const std::string parent = lu.parent.empty()
                                       ? fmt_path("devices/platform/host{}/target{}:{}:{}", h.host,
                                                  h.host, h.channel, h.target)
                                       : lu.parent;
        const std::string dev = parent + "/" + lu.hctl;
        file(dev + "/vendor", lu.vendor + "\n");
        file(dev + "/model", lu.model + "\n");
        file(dev + "/rev", lu.rev + "\n");
        file(dev + "/type", std::to_string(lu.type) + "\n");
        file(dev + "/state", "running\n");
        file(dev + "/queue_depth", "32\n");
        file(dev + "/rescan", "");
        file(dev + "/delete", "");
        if (!lu.wwid.empty()) file(dev + "/wwid", lu.wwid + "\n");
        if (lu.inquiry) file(dev + "/inquiry", inquiry_data(lu));
        link("bus/scsi/devices/" + lu.hctl, dev);
        link("class/scsi_device/" + lu.hctl + "/device", dev);
        for (const auto& c : lu.children) {
            const auto slash = c.find('/');
            const std::string cls = c.substr(0, slash);
            const std::string name = c.substr(slash + 1);
            dir(dev + "/" + c);
            link(dev + "/" + c + "/device", dev);
            link("class/" + (cls == "block" ? std::string("block") : cls) + "/" + name,
                 dev + "/" + c);
        }
        return dev;
    }

  private:
    template <typename... A>
    static std::string fmt_path(const char* f, A... a) {
        std::string out;
        std::string fmtstr(f);
        std::size_t i = 0;
        const std::string args[] = {std::to_string(a)...};
        std::size_t k = 0;
        while (i < fmtstr.size()) {
            if (fmtstr.compare(i, 2, "{}") == 0) {
                out += args[k++];
                i += 2;
            } else {
                out += fmtstr[i++];
            }
        }
        return out;
    }
    fs::path root_;
};

// ---- H:C:T:L -------------------------------------------------------------------------------

TEST(TopologyHctl, ParsesFourDecimalFields) {
    auto h = Hctl::parse("1:2:3:4");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->host, 1u);
    EXPECT_EQ(h->channel, 2u);
    EXPECT_EQ(h->target, 3u);
    EXPECT_EQ(h->lun, 4u);
    EXPECT_EQ(h->str(), "1:2:3:4");
    auto big = Hctl::parse("4294967295:0:0:18446744073709551615");
    ASSERT_TRUE(big);
    EXPECT_EQ(big->lun, 18446744073709551615ull);
}

TEST(TopologyHctl, RejectsOtherSyntax) {
    for (const char* s : {"", "0:0:0", "0:0:0:0:0", "a:0:0:0", "-1:0:0:0", " 0:0:0:0", "0:0:0:0 ",
                          "0::0:0", "4294967296:0:0:0", "0:0:0:18446744073709551616", "+1:0:0:0",
                          "host0", "target0:0:0", "0x1:0:0:0"}) {
        EXPECT_FALSE(Hctl::parse(s)) << s;
    }
}

TEST(TopologyHctl, OrdersNumerically) {
    EXPECT_LT(*Hctl::parse("2:0:0:0"), *Hctl::parse("10:0:0:0"));
    EXPECT_LT(*Hctl::parse("0:0:0:9"), *Hctl::parse("0:0:0:10"));
    EXPECT_LT(*Hctl::parse("0:0:9:10"), *Hctl::parse("0:0:10:0"));
    EXPECT_LT(*Hctl::parse("0:1:0:0"), *Hctl::parse("1:0:0:0"));
}

TEST(TopologyHctl, FromSyspath) {
    auto h =
        hctl_from_syspath("/sys/devices/pseudo_0/adapter0/host2/target2:0:1/2:0:1:3/block/sdc");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->str(), "2:0:1:3");
    EXPECT_EQ(hctl_from_syspath("/sys/devices/platform/host7/session1/target7:0:0/7:0:0:1")->lun,
              1u);
    EXPECT_FALSE(hctl_from_syspath("/sys/devices/virtual/block/loop0"));
    EXPECT_FALSE(hctl_from_syspath("/sys/devices/platform/host2/target2:0:0"));
}

// ---- names ---------------------------------------------------------------------------------

TEST(TopologyNames, NodeKinds) {
    EXPECT_EQ(node_kind_of("sg0"), NodeKind::sg);
    EXPECT_EQ(node_kind_of("sg123"), NodeKind::sg);
    EXPECT_EQ(node_kind_of("sda"), NodeKind::sd);
    EXPECT_EQ(node_kind_of("sdaa"), NodeKind::sd);
    EXPECT_EQ(node_kind_of("sr0"), NodeKind::sr);
    EXPECT_EQ(node_kind_of("st0"), NodeKind::st);
    EXPECT_EQ(node_kind_of("st0l"), NodeKind::st);
    EXPECT_EQ(node_kind_of("nst0"), NodeKind::nst);
    EXPECT_EQ(node_kind_of("nst12a"), NodeKind::nst);
    EXPECT_EQ(node_kind_of("sch0"), NodeKind::ch);
    EXPECT_EQ(node_kind_of("bsg/0:0:0:0"), NodeKind::bsg);
    for (const char* s : {"sg", "sgx", "sda1", "sd", "sdA", "sr", "st", "stx", "nst", "sch", "sg1a",
                          "bsg/0:0:0", "nvme0n1", "ses0", "st0ll"}) {
        EXPECT_FALSE(node_kind_of(s)) << s;
    }
}

TEST(TopologyNames, ParsesEveryForm) {
    auto n = parse_name("/dev/sg3");
    EXPECT_EQ(n.kind, Name::Kind::path);
    EXPECT_EQ(n.node_kind, NodeKind::sg);
    EXPECT_EQ(n.node_name, "sg3");

    n = parse_name("sg3");
    EXPECT_EQ(n.kind, Name::Kind::node);
    EXPECT_EQ(n.node_kind, NodeKind::sg);

    n = parse_name("/dev/sda");
    EXPECT_EQ(n.kind, Name::Kind::path);
    EXPECT_EQ(n.node_kind, NodeKind::sd);

    EXPECT_EQ(parse_name("sda").node_kind, NodeKind::sd);

    n = parse_name("/dev/bsg/2:0:1:3");
    EXPECT_EQ(n.kind, Name::Kind::path);
    EXPECT_EQ(n.node_kind, NodeKind::bsg);
    ASSERT_TRUE(n.hctl);
    EXPECT_EQ(n.hctl->str(), "2:0:1:3");

    n = parse_name("2:0:1:3");
    EXPECT_EQ(n.kind, Name::Kind::hctl);
    EXPECT_EQ(n.hctl->target, 1u);

    EXPECT_EQ(parse_name("/dev/sch0").node_kind, NodeKind::ch);
    EXPECT_EQ(parse_name("sch0").kind, Name::Kind::node);
    EXPECT_EQ(parse_name("st0").node_kind, NodeKind::st);
    EXPECT_EQ(parse_name("nst0").node_kind, NodeKind::nst);
    EXPECT_EQ(parse_name("sr0").node_kind, NodeKind::sr);

    EXPECT_EQ(parse_name("iscsi://127.0.0.1:3260/iqn.2024-01.org.example:t/1").kind,
              Name::Kind::iscsi);
    EXPECT_EQ(parse_name("ISCSI://h/iqn.x/0").kind, Name::Kind::iscsi);
    EXPECT_EQ(parse_name("naa.5000c500a1b2c3d4").kind, Name::Kind::wwn);
    EXPECT_EQ(parse_name("NAA.5000C500A1B2C3D4").kind, Name::Kind::wwn);
    EXPECT_EQ(parse_name("eui.0123456789abcdef").kind, Name::Kind::wwn);
    EXPECT_EQ(parse_name("t10.Linux   scsi_debug      2000").kind, Name::Kind::wwn);

    EXPECT_EQ(parse_name("/dev/disk/by-id/wwn-0x5000").kind, Name::Kind::path);
    EXPECT_FALSE(parse_name("/dev/disk/by-id/wwn-0x5000").node_kind);
    EXPECT_EQ(parse_name("./sg0").kind, Name::Kind::path);
    for (const char* s : {"", "foo", "sda1", "naa.", "0:0:0", "nvme0n1"}) {
        EXPECT_EQ(parse_name(s).kind, Name::Kind::invalid) << s;
    }
}

// ---- scan ----------------------------------------------------------------------------------

class TopologyFake : public ::testing::Test {
  protected:
    void SetUp() override {
        fake.file("class/scsi_host/host0/proc_name", "scsi_debug\n");
        fake.file("class/scsi_host/host10/proc_name", "mpt3sas\n");
        fake.file("class/scsi_host/host3/proc_name", "iscsi_tcp\n");
        fake.file("class/scsi_host/host5/proc_name", "qla2xxx\n");
        fake.dir("class/sas_host/host10");
        fake.dir("class/iscsi_host/host3");
        fake.dir("class/fc_host/host5");
        // Added out of order: the scan sorts numerically.
        fake.add({.hctl = "10:0:0:0",
                  .parent = "devices/pci0000:00/host10/port-10:0/end_device-10:0/target10:0:0",
                  .vendor = "SEAGATE ",
                  .model = "ST4000NM0023    ",
                  .rev = "0004",
                  .wwid = "naa.5000c500a1b2c3d4",
                  .children = {"block/sdc", "scsi_generic/sg2", "bsg/10:0:0:0"}});
        fake.file(
            "devices/pci0000:00/host10/port-10:0/end_device-10:0/sas_device/end_device-10:0/"
            "sas_address",
            "0x5000c500a1b2c3d5\n");
        fake.add({.hctl = "0:0:0:10",
                  .wwid = "naa.5333333000000a10",
                  .children = {"block/sdb", "scsi_generic/sg1", "bsg/0:0:0:10"}});
        fake.add({.hctl = "0:0:0:2",
                  .wwid = "naa.5333333000000002",
                  .children = {"block/sda", "scsi_generic/sg0", "bsg/0:0:0:2"}});
        fake.add({.hctl = "3:0:0:1",
                  .parent = "devices/platform/host3/session1/target3:0:0",
                  .vendor = "IET     ",
                  .model = "VIRTUAL-DISK    ",
                  .rev = "0001",
                  .type = 5,
                  .children = {"block/sr0", "scsi_generic/sg3"}});
        fake.file("devices/platform/host3/session1/iscsi_session/session1/targetname",
                  "iqn.2024-01.org.example:target\n");
        fake.add({.hctl = "5:0:1:0",
                  .parent = "devices/pci0000:00/host5/rport-5:0-2/target5:0:1",
                  .vendor = "HP      ",
                  .model = "Ultrium 6-SCSI  ",
                  .rev = "J5SW",
                  .type = 1,
                  .children = {"scsi_tape/st0", "scsi_tape/st0l", "scsi_tape/nst0",
                               "scsi_tape/nst0a", "scsi_generic/sg4"}});
        fake.file("devices/pci0000:00/host5/rport-5:0-2/fc_remote_ports/rport-5:0-2/port_name",
                  "0x50014380186b3f65\n");
        fake.add({.hctl = "5:0:2:0",
                  .parent = "devices/pci0000:00/host5/rport-5:0-2/target5:0:2",
                  .vendor = "HP      ",
                  .model = "MSL G3 Series   ",
                  .type = 8,
                  .children = {"scsi_changer/sch0", "scsi_generic/sg5"}});
        const std::string enc = fake.add({.hctl = "0:0:1:0",
                                          .vendor = "Linux   ",
                                          .model = "enclosure       ",
                                          .type = 13,
                                          .children = {"scsi_generic/sg6", "enclosure/0:0:1:0"}});
        const std::string disk = "devices/platform/host0/target0:0:0/0:0:0:2";
        fake.dir(enc + "/enclosure/0:0:1:0/Slot 01");
        fake.link(disk + "/enclosure_device:Slot 01", enc + "/enclosure/0:0:1:0/Slot 01");
        fake.link(enc + "/enclosure/0:0:1:0/Slot 01/device", disk);
        fake.dir(enc + "/enclosure/0:0:1:0/Slot 02");  // empty: no device link
        fake.file(enc + "/enclosure/0:0:1:0/components", "2\n");
        // No nodes at all (no sg driver), vendor with trailing NUL padding, no wwid, and no
        // inquiry attribute (older kernels): the text attributes are read instead.
        fake.add({.hctl = "0:0:2:0",
                  .vendor = std::string("ATA\0\0\0\0\0", 8),
                  .type = 0,
                  .inquiry = false});
        // Partitions and non-SCSI block devices in /sys/class/block are not nodes of a LU.
        fake.dir("devices/platform/host0/target0:0:0/0:0:0:2/block/sda/sda1");
        fake.link("class/block/sda1", "devices/platform/host0/target0:0:0/0:0:0:2/block/sda/sda1");
        fake.dir("devices/virtual/block/loop0");
        fake.link("class/block/loop0", "devices/virtual/block/loop0");
        // Not logical units: ignored.
        fake.dir("devices/platform/host0/target0:0:0/host_stuff");
        fake.link("bus/scsi/devices/host0", "devices/platform/host0");
        fake.link("bus/scsi/devices/target0:0:0", "devices/platform/host0/target0:0:0");
    }
    FakeSysfs fake;
};

TEST_F(TopologyFake, ScanSortsAndReadsAttributes) {
    const auto t = scan({}, fake.sysfs());
    std::vector<std::string> order;
    for (const auto& d : t.devices) order.push_back(d.hctl.str());
    EXPECT_EQ(order, (std::vector<std::string>{"0:0:0:2", "0:0:0:10", "0:0:1:0", "0:0:2:0",
                                               "3:0:0:1", "5:0:1:0", "5:0:2:0", "10:0:0:0"}));
    EXPECT_TRUE(t.hosts.empty());

    const Device* sas = t.find(*Hctl::parse("10:0:0:0"));
    ASSERT_NE(sas, nullptr);
    EXPECT_EQ(sas->vendor, "SEAGATE");
    EXPECT_EQ(sas->model, "ST4000NM0023");
    EXPECT_EQ(sas->revision, "0004");
    EXPECT_EQ(sas->peripheral_device_type, 0);
    EXPECT_EQ(sas->state, "running");
    EXPECT_EQ(sas->wwid, "naa.5000c500a1b2c3d4");
    EXPECT_FALSE(sas->queue_depth);  // only with details
    EXPECT_EQ(sas->nodes.sd, "/dev/sdc");
    EXPECT_EQ(sas->nodes.sg, "/dev/sg2");
    EXPECT_EQ(sas->nodes.bsg, "/dev/bsg/10:0:0:0");
    EXPECT_FALSE(sas->transport);  // only with details
    EXPECT_EQ(sas->pass_through_node(), "/dev/sg2");
    // The whole-scan path (class link index) and the single-device path (directory listing)
    // agree.
    for (const auto& d : t.devices) {
        const auto one = scan_device(d.hctl, {}, fake.sysfs());
        ASSERT_TRUE(one) << d.hctl.str();
        EXPECT_EQ(one->nodes, d.nodes) << d.hctl.str();
        EXPECT_EQ(one->enclosure, d.enclosure) << d.hctl.str();
        EXPECT_EQ(one->enclosure_slots, d.enclosure_slots) << d.hctl.str();
        EXPECT_EQ(one->vendor, d.vendor) << d.hctl.str();
        EXPECT_EQ(one->model, d.model) << d.hctl.str();
        EXPECT_EQ(one->revision, d.revision) << d.hctl.str();
        EXPECT_EQ(one->peripheral_device_type, d.peripheral_device_type) << d.hctl.str();
    }
    EXPECT_EQ(t.find(*Hctl::parse("0:0:0:2"))->nodes.sd, "/dev/sda");

    const Device* cd = t.find(*Hctl::parse("3:0:0:1"));
    ASSERT_NE(cd, nullptr);
    EXPECT_EQ(cd->nodes.sr, "/dev/sr0");
    EXPECT_TRUE(cd->nodes.sd.empty());
    EXPECT_EQ(cd->peripheral_device_type, 5);

    const Device* tape = t.find(*Hctl::parse("5:0:1:0"));
    ASSERT_NE(tape, nullptr);
    EXPECT_EQ(tape->nodes.st, "/dev/st0");
    EXPECT_EQ(tape->nodes.nst, "/dev/nst0");

    const Device* changer = t.find(*Hctl::parse("5:0:2:0"));
    ASSERT_NE(changer, nullptr);
    EXPECT_EQ(changer->nodes.ch, "/dev/sch0");
    EXPECT_TRUE(changer->revision.empty() || changer->revision == "0191");

    const Device* enc = t.find(*Hctl::parse("0:0:1:0"));
    ASSERT_NE(enc, nullptr);
    EXPECT_EQ(enc->enclosure, "0:0:1:0");
    const Device* disk = t.find(*Hctl::parse("0:0:0:2"));
    ASSERT_NE(disk, nullptr);
    ASSERT_EQ(disk->enclosure_slots.size(), 1u);
    EXPECT_EQ(disk->enclosure_slots[0].enclosure, "0:0:1:0");
    EXPECT_EQ(disk->enclosure_slots[0].slot, "Slot 01");

    const Device* bare = t.find(*Hctl::parse("0:0:2:0"));
    ASSERT_NE(bare, nullptr);
    EXPECT_EQ(bare->vendor, "ATA");
    EXPECT_TRUE(bare->wwid.empty());
    EXPECT_EQ(bare->nodes, Nodes{});
    EXPECT_TRUE(bare->pass_through_node().empty());
    EXPECT_EQ(t.find(*Hctl::parse("9:9:9:9")), nullptr);
}

TEST_F(TopologyFake, IdentityComesFromTheInquiryAttribute) {
    // Text attributes that disagree with the INQUIRY data: the scan uses the INQUIRY data.
    const std::string dev = "devices/platform/host0/target0:0:0/0:0:0:10";
    fake.file(dev + "/vendor", "TEXT    \n");
    fake.file(dev + "/model", "FROM TEXT FILES \n");
    fake.file(dev + "/rev", "9999\n");
    fake.file(dev + "/type", "5\n");
    FakeSysfs::Lu lu{.hctl = "0:0:0:10", .vendor = "INQ", .model = "FROM INQUIRY", .rev = "12"};
    lu.type = 0x20 | 0x0d;  // peripheral qualifier 1 is not part of the type
    fake.file(dev + "/inquiry", FakeSysfs::inquiry_data(lu) + std::string(60, 'x'));
    const auto from_inquiry = scan({}, fake.sysfs());
    const Device* d = from_inquiry.find(*Hctl::parse("0:0:0:10"));
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->vendor, "INQ");
    EXPECT_EQ(d->model, "FROM INQUIRY");
    EXPECT_EQ(d->revision, "12");
    EXPECT_EQ(d->peripheral_device_type, 0x0d);
    const auto one = scan_device(*Hctl::parse("0:0:0:10"), {}, fake.sysfs());
    ASSERT_TRUE(one);
    EXPECT_EQ(one->model, "FROM INQUIRY");

    // Shorter than the fields: the text attributes.
    fake.file(dev + "/inquiry", FakeSysfs::inquiry_data(lu).substr(0, 35));
    const auto t = scan({}, fake.sysfs());
    d = t.find(*Hctl::parse("0:0:0:10"));
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->vendor, "TEXT");
    EXPECT_EQ(d->model, "FROM TEXT FILES");
    EXPECT_EQ(d->revision, "9999");
    EXPECT_EQ(d->peripheral_device_type, 5);
}

TEST_F(TopologyFake, WithoutStatusNoStateOrWwid) {
    const auto t = scan({.status = false}, fake.sysfs());
    ASSERT_EQ(t.devices.size(), 8u);
    for (const auto& d : t.devices) {
        EXPECT_TRUE(d.state.empty()) << d.hctl.str();
        EXPECT_TRUE(d.wwid.empty()) << d.hctl.str();
    }
    EXPECT_EQ(t.devices[0].model, "scsi_debug");
    EXPECT_EQ(t.devices[0].nodes.sd, "/dev/sda");
}

TEST_F(TopologyFake, DirectoryLayoutInClassIsListedPerDevice) {
    // A class directory with directories instead of links: the index cannot be trusted,
    // so each device's own directory is listed; the result is the same.
    const auto before = scan({}, fake.sysfs());
    fake.dir("class/scsi_generic/sg99");
    const auto after = scan({}, fake.sysfs());
    ASSERT_EQ(after.devices.size(), before.devices.size());
    for (std::size_t i = 0; i < before.devices.size(); ++i) {
        EXPECT_EQ(after.devices[i].nodes, before.devices[i].nodes) << i;
        EXPECT_EQ(after.devices[i].enclosure, before.devices[i].enclosure) << i;
        EXPECT_EQ(after.devices[i].enclosure_slots, before.devices[i].enclosure_slots) << i;
    }
}

TEST_F(TopologyFake, DetailsGiveHostsAndTransportIdentifiers) {
    const auto t = scan({.details = true}, fake.sysfs());
    ASSERT_EQ(t.hosts.size(), 4u);
    EXPECT_EQ(t.hosts[0], (Host{0, "scsi_debug", TransportType::unknown}));
    EXPECT_EQ(t.hosts[1], (Host{3, "iscsi_tcp", TransportType::iscsi}));
    EXPECT_EQ(t.hosts[2], (Host{5, "qla2xxx", TransportType::fc}));
    EXPECT_EQ(t.hosts[3], (Host{10, "mpt3sas", TransportType::sas}));

    auto id = [&](const char* h) { return t.find(*Hctl::parse(h))->transport.value(); };
    EXPECT_EQ(id("10:0:0:0"), (TransportId{TransportType::sas, "0x5000c500a1b2c3d5", "", ""}));
    EXPECT_EQ(id("3:0:0:1"),
              (TransportId{TransportType::iscsi, "", "iqn.2024-01.org.example:target", ""}));
    EXPECT_EQ(id("5:0:1:0"), (TransportId{TransportType::fc, "", "", "0x50014380186b3f65"}));
    EXPECT_EQ(id("0:0:0:2"), (TransportId{}));
    EXPECT_EQ(t.find(*Hctl::parse("0:0:0:2"))->queue_depth, 32u);
}

TEST_F(TopologyFake, SasAddressAttributeOnTheDeviceWins) {
    fake.file(
        "devices/pci0000:00/host10/port-10:0/end_device-10:0/target10:0:0/10:0:0:0/sas_address",
        "0x5000c500a1b2c3d6\n");
    const auto d = scan_device(*Hctl::parse("10:0:0:0"), {.details = true}, fake.sysfs());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->transport->sas_address, "0x5000c500a1b2c3d6");
    EXPECT_FALSE(scan_device(*Hctl::parse("10:0:0:1"), {}, fake.sysfs()));
}

TEST_F(TopologyFake, JsonIsTheDevlistDocument) {
    const auto t = scan({.details = true}, fake.sysfs());
    const nlohmann::json j = t;
    ASSERT_TRUE(j["devices"].is_array());
    ASSERT_EQ(j["devices"].size(), 8u);
    const auto& d = j["devices"][0];
    EXPECT_EQ(d["hctl"], "0:0:0:2");
    EXPECT_EQ(d["host"], 0);
    EXPECT_EQ(d["channel"], 0);
    EXPECT_EQ(d["target"], 0);
    EXPECT_EQ(d["lun"], 2);
    EXPECT_EQ(d["vendor"], "Linux");
    EXPECT_EQ(d["model"], "scsi_debug");
    EXPECT_EQ(d["revision"], "0191");
    EXPECT_EQ(d["peripheral_device_type"], 0);
    EXPECT_EQ(d["peripheral_device_type_name"], "disk");
    EXPECT_EQ(d["state"], "running");
    EXPECT_EQ(d["wwid"], "naa.5333333000000002");
    EXPECT_EQ(
        d["nodes"],
        (nlohmann::json{{"sd", "/dev/sda"}, {"sg", "/dev/sg0"}, {"bsg", "/dev/bsg/0:0:0:2"}}));
    EXPECT_EQ(d["transport"], (nlohmann::json{{"type", "unknown"}}));
    EXPECT_EQ(d["enclosure_slots"][0]["slot"], "Slot 01");
    const auto& bare = j["devices"][3];
    EXPECT_EQ(bare["hctl"], "0:0:2:0");
    EXPECT_FALSE(bare.contains("wwid"));
    EXPECT_EQ(bare["nodes"], nlohmann::json::object());
    EXPECT_TRUE(bare["enclosure_slots"].is_array());
    EXPECT_EQ(j["devices"][7]["transport"]["sas_address"], "0x5000c500a1b2c3d5");
    EXPECT_EQ(j["devices"][7]["transport"]["type"], "sas");
    EXPECT_EQ(j["devices"][4]["peripheral_device_type_name"], "cd/dvd");
    EXPECT_EQ(j["hosts"][1],
              (nlohmann::json{{"host", 3}, {"proc_name", "iscsi_tcp"}, {"transport", "iscsi"}}));

    const nlohmann::json plain = scan({}, fake.sysfs());
    EXPECT_TRUE(plain["hosts"].is_array());
    EXPECT_TRUE(plain["hosts"].empty());
    EXPECT_FALSE(plain["devices"][0].contains("transport"));
}

// The text writer prints exactly what nlohmann prints for the same model.
TEST_F(TopologyFake, JsonTextIsNlohmannsDump) {
    // Characters that need escaping, and bytes that are not UTF-8, in device-supplied text.
    fake.file("devices/platform/host0/target0:0:0/0:0:0:10/wwid", "t10.A\"B\\C\x01\xff\n");
    fake.file("class/scsi_host/host0/proc_name",
              "scsi_d\xc3\xa9"
              "bug\n");
    for (const bool details : {false, true}) {
        const auto t = scan({.details = details}, fake.sysfs());
        for (const auto& d : t.devices) {
            std::string text;
            append_json(text, d, 0);
            EXPECT_EQ(text, nlohmann::json(d).dump(2, ' ', false,
                                                   nlohmann::json::error_handler_t::replace))
                << d.hctl.str();
        }
        const nlohmann::json doc{{"devices", nlohmann::json(t)["devices"]},
                                 {"hosts", nlohmann::json(t)["hosts"]},
                                 {"version", 1}};
        EXPECT_EQ(devlist_json(t),
                  doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    }
    const Topology empty;
    EXPECT_EQ(devlist_json(empty),
              "{\n  \"devices\": [],\n  \"hosts\": [],\n  \"version\": 1\n}\n");
}

TEST(TopologyScan, NoScsiStackIsEmptyNotAnError) {
    FakeSysfs fake;
    fs::remove_all(fake.root() / "bus");
    const auto t = scan({.details = true}, fake.sysfs());
    EXPECT_TRUE(t.devices.empty());
    EXPECT_TRUE(t.hosts.empty());
    const nlohmann::json j = t;
    EXPECT_EQ(j, (nlohmann::json{{"devices", nlohmann::json::array()},
                                 {"hosts", nlohmann::json::array()}}));
}

// ---- resolve -------------------------------------------------------------------------------

TEST_F(TopologyFake, ResolvesNamesToThePassThroughNode) {
    const auto s = fake.sysfs();
    auto r = resolve("sg1", s);
    EXPECT_EQ(r.path, "/dev/sg1");
    ASSERT_TRUE(r.device);
    EXPECT_EQ(r.device->hctl.str(), "0:0:0:10");

    r = resolve("sdc", s);  // a block name resolves to the same device's sg node
    EXPECT_EQ(r.path, "/dev/sg2");
    EXPECT_EQ(r.device->hctl.str(), "10:0:0:0");

    EXPECT_EQ(resolve("10:0:0:0", s).path, "/dev/sg2");
    EXPECT_EQ(resolve("sr0", s).path, "/dev/sg3");
    EXPECT_EQ(resolve("nst0", s).device->hctl.str(), "5:0:1:0");
    EXPECT_EQ(resolve("st0", s).path, "/dev/sg4");
    EXPECT_EQ(resolve("sch0", s).path, "/dev/sg5");

    r = resolve("NAA.5000C500A1B2C3D4", s);
    EXPECT_EQ(r.path, "/dev/sg2");
    EXPECT_EQ(r.device->hctl.str(), "10:0:0:0");

    r = resolve("iscsi://127.0.0.1:3260/iqn.2024-01.org.example:t/1", s);
    EXPECT_EQ(r.path, "iscsi://127.0.0.1:3260/iqn.2024-01.org.example:t/1");
    EXPECT_FALSE(r.device);
}

TEST_F(TopologyFake, ExplicitPathsAreOpenedAsGiven) {
    const auto s = fake.sysfs();
    const auto r = resolve("/dev/null", s);
    EXPECT_EQ(r.path, "/dev/null");
    EXPECT_FALSE(r.device);
    try {
        resolve("/dev/camx-no-such-node", s);
        FAIL() << "expected no_device";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::no_device);
        EXPECT_NE(std::string(e.what()).find("tried /dev/camx-no-such-node"), std::string::npos)
            << e.what();
    }
}

TEST_F(TopologyFake, NoMatchNamesWhatWasTried) {
    const auto s = fake.sysfs();
    auto expect_no_device = [&](const char* name, const std::string& fragment) {
        try {
            resolve(name, s);
            ADD_FAILURE() << name << " resolved";
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), Category::no_device) << name;
            const std::string msg = e.what();
            EXPECT_NE(msg.find(std::string("'") + name + "'"), std::string::npos) << msg;
            EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
        }
    };
    expect_no_device("sg9", "class/scsi_generic/sg9/device");
    expect_no_device("sdz", "class/block/sdz/device");
    expect_no_device("9:0:0:0", "bus/scsi/devices/9:0:0:0");
    expect_no_device("naa.5000000000000000", "the wwid of 8 SCSI devices");
    expect_no_device("bogus", "iscsi:// URL");
    // A device sysfs knows but with nothing to open.
    try {
        resolve("0:0:2:0", s);
        ADD_FAILURE() << "resolved a device without nodes";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::no_device);
        EXPECT_NE(std::string(e.what()).find("sg module"), std::string::npos) << e.what();
    }
}

TEST_F(TopologyFake, SameWwidOnTwoPathsIsAmbiguous) {
    fake.add({.hctl = "11:0:0:0",
              .wwid = "naa.5000c500a1b2c3d4",
              .children = {"block/sdd", "scsi_generic/sg7"}});
    try {
        resolve("naa.5000c500a1b2c3d4", fake.sysfs());
        FAIL() << "expected ambiguous_device";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::ambiguous_device);
        const std::string msg = e.what();
        EXPECT_NE(msg.find("10:0:0:0 (/dev/sg2)"), std::string::npos) << msg;
        EXPECT_NE(msg.find("11:0:0:0 (/dev/sg7)"), std::string::npos) << msg;
    }
}

// ---- actions -------------------------------------------------------------------------------

TEST_F(TopologyFake, ActionsWriteTheSysfsFiles) {
    const auto s = fake.sysfs();
    fake.file("class/scsi_host/host0/scan", "");
    rescan_host(0, {}, s);
    EXPECT_EQ(fake.read("class/scsi_host/host0/scan"), "- - -");
    rescan_host(0, {.channel = 0, .target = 1}, s);
    EXPECT_EQ(fake.read("class/scsi_host/host0/scan"), "0 1 -");
    rescan_host(0, {.lun = 7}, s);
    EXPECT_EQ(fake.read("class/scsi_host/host0/scan"), "- - 7");

    rescan_device(*Hctl::parse("0:0:0:2"), s);
    EXPECT_EQ(fake.read("devices/platform/host0/target0:0:0/0:0:0:2/rescan"), "1");
    delete_device(*Hctl::parse("0:0:0:10"), s);
    EXPECT_EQ(fake.read("devices/platform/host0/target0:0:0/0:0:0:10/delete"), "1");

    try {
        rescan_host(42, {}, s);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::no_device);
        EXPECT_NE(std::string(e.what()).find("class/scsi_host/host42/scan"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(delete_device(*Hctl::parse("7:0:0:0"), s), Error);
    EXPECT_EQ(ScanFilter{}.str(), "- - -");
}

TEST(TopologyActions, ResetErrorsNameTheNode) {
    try {
        reset("/dev/null", ResetLevel::target);
        FAIL() << "SG_SCSI_RESET on /dev/null succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::unsupported);
        const std::string msg = e.what();
        EXPECT_NE(msg.find("/dev/null"), std::string::npos) << msg;
        EXPECT_NE(msg.find("target reset"), std::string::npos) << msg;
    }
    try {
        reset("/dev/camx-no-such-sg", ResetLevel::device);
        FAIL() << "opened a missing node";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::no_device);
        EXPECT_NE(std::string(e.what()).find("/dev/camx-no-such-sg"), std::string::npos);
    }
    EXPECT_EQ(reset_level_name(ResetLevel::bus), "bus");
    EXPECT_EQ(reset_level_name(ResetLevel::host), "host");
}

// ---- watch ---------------------------------------------------------------------------------

TEST(TopologyWatch, EventJson) {
    Event e;
    e.action = "add";
    e.subsystem = "block";
    e.devtype = "disk";
    e.sysname = "sda";
    e.syspath = "/sys/devices/platform/host0/target0:0:0/0:0:0:0/block/sda";
    e.devnode = "/dev/sda";
    e.hctl = hctl_from_syspath(e.syspath);
    e.seqnum = 42;
    e.time = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    const nlohmann::json j = e;
    EXPECT_EQ(j["action"], "add");
    EXPECT_EQ(j["hctl"], "0:0:0:0");
    EXPECT_EQ(j["devnode"], "/dev/sda");
    EXPECT_EQ(j["seqnum"], 42);
    EXPECT_EQ(j["timestamp_us"], 1700000000000000LL);
    EXPECT_EQ(j["time"], "2023-11-14T22:13:20Z");
    e.hctl.reset();
    EXPECT_TRUE(nlohmann::json(e)["hctl"].is_null());
}

TEST(TopologyWatch, BoundedWaitReturns) {
    std::optional<Watch> w;
    try {
        w.emplace(EventSource::kernel);
    } catch (const Error& e) {
        GTEST_SKIP() << "no uevent netlink socket here: " << e.what();
    }
    const auto start = std::chrono::steady_clock::now();
    while (w->next(std::chrono::milliseconds(50))) {
        if (std::chrono::steady_clock::now() - start > std::chrono::seconds(2)) break;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
    std::atomic<bool> stop{true};
    EXPECT_EQ(watch([](const Event&) { return true; }, std::chrono::seconds(5), &stop,
                    EventSource::kernel),
              0u);
}

}  // namespace
}  // namespace camx::topology
