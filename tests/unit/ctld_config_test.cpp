// SPDX-License-Identifier: BSD-2-Clause
// ctl.conf: the UCL subset parser, the model built from it and its semantic checks.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "camx/error/error.hpp"
#include "camx/target_config/config.hpp"
#include "camx/target_config/ucl.hpp"

using namespace camx;
using namespace camx::target_config;

namespace {

// The message of the Error that parsing text throws; fails the test when it parses.
std::string parse_error(const std::string& text, Category want = Category::usage) {
    try {
        parse(text, "t.conf", ParseOptions{false});
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), want) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "parsed without error:\n" << text;
    return {};
}

Config ok(const std::string& text) {
    return parse(text, "t.conf", ParseOptions{false});
}

}  // namespace

TEST(CtldUcl, FormsOfEntries) {
    auto o = ucl::parse(R"(a = 1; b: "two"
c three
d "x" y { e = [1, "2", { f = 3 }] }
// comment
/* multi
   line */ g 'single \' quote' # trailing
h { })",
                        "u");
    ASSERT_EQ(o.entries.size(), 6u);
    EXPECT_TRUE(o.entries[0].assigned);
    EXPECT_EQ(o.entries[0].args[0].text, "1");
    EXPECT_EQ(o.entries[1].key.text, "b");
    EXPECT_TRUE(o.entries[1].args[0].quoted);
    EXPECT_EQ(o.entries[1].args[0].text, "two");
    EXPECT_EQ(o.entries[2].args[0].text, "three");
    ASSERT_EQ(o.entries[3].args.size(), 2u);
    ASSERT_TRUE(o.entries[3].object);
    const auto& e = o.entries[3].object->entries.at(0);
    ASSERT_TRUE(e.array);
    ASSERT_EQ(e.array->elements.size(), 3u);
    EXPECT_TRUE(e.array->elements[2].object);
    EXPECT_EQ(o.entries[4].key.text, "g");
    EXPECT_EQ(o.entries[4].args[0].text, "single ' quote");
    EXPECT_EQ(o.entries[4].key.where.line, 6);
    EXPECT_EQ(o.entries[4].key.where.column, 12);
    EXPECT_TRUE(o.entries[5].object);
    EXPECT_TRUE(o.entries[5].object->entries.empty());
}

TEST(CtldUcl, EscapesAndBareWords) {
    auto o = ucl::parse("s \"a\\tb\\u00e9\\\"\"\nn iqn.2012-06.com.example:t0\np /a//b\n", "u");
    EXPECT_EQ(o.entries[0].args[0].text, "a\tb\xc3\xa9\"");
    EXPECT_EQ(o.entries[1].args[0].text, "iqn.2012-06.com.example:t0");
    EXPECT_EQ(o.entries[2].args[0].text, "/a//b");
}

TEST(CtldUcl, SyntaxErrorsCarryLineAndColumn) {
    auto msg = [](const char* text) {
        try {
            ucl::parse(text, "f.conf");
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), Category::usage);
            return std::string(e.what());
        }
        return std::string("parsed");
    };
    EXPECT_EQ(msg("a {\n  b 1\n"), "f.conf:1:3: unterminated '{'");
    EXPECT_EQ(msg("a \"x\n"), "f.conf:1:3: unterminated string");
    EXPECT_EQ(msg("}"), "f.conf:1:1: unexpected '}'");
    EXPECT_EQ(msg("a;\n"), "f.conf:1:1: 'a' has no value");
    EXPECT_EQ(msg("x = ;"), "f.conf:1:5: expected a value for 'x', found ';'");
    EXPECT_EQ(msg("a [1 2]"), "f.conf:1:6: expected ',' or ']', found '2'");
    EXPECT_EQ(msg("/* open"), "f.conf:1:1: unterminated comment");
    EXPECT_EQ(msg("a \"\\q\""), "f.conf:1:5: unknown escape '\\q'");
    EXPECT_EQ(msg("a { b [ 1 }"), "f.conf:1:11: expected ',' or ']', found '}'");
    EXPECT_EQ(msg("a 1 = 2"), "f.conf:1:5: expected ';' or a new line after 'a', found '='");
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += "a { ";
    EXPECT_NE(msg(deep.c_str()).find("nesting too deep"), std::string::npos);
    EXPECT_EQ(msg("a \x01"), "f.conf:1:3: control character 0x01");
}

TEST(CtldConfig, FullExample) {
    Config c = ok(R"(
debug 2
timeout = 30
maxproc 50
pidfile /run/ctld-test.pid
state-dir /var/lib/ctld-test

auth-group ag0 {
    chap-mutual "u1" "secret123456" "mu1" "msecret12345"
    initiator-name iqn.1994-09.org.freebsd:a
    initiator-portal 192.168.1.0/24
}

auth-group ag1 {
    chap { user = u2; secret = "s2s2s2s2s2s2s2" }
}

portal-group pg0 {
    discovery-auth-group ag1
    discovery-filter portal-name
    listen 0.0.0.0:3261
    listen "[::1]:3262"
    tag 7
    connection-limit 8
    dscp 46
    pcp 5
}

lun shared {
    backend ramdisk
    size 1g
    blocksize 4096
    ctl-lun 10
}

target iqn.2012-06.com.example:target0 {
    alias "Example target"
    auth-group ag0
    portal-group pg0
    lun 0 {
        backend ramdisk
        size 64M
        serial "0012"
        device-id "my disk"
        option vendor CAMX
        option { product = "a disk" }
    }
    lun 1 shared
}

target iqn.2012-06.com.example:target1 {
    chap user3 secret345678901
    portal-group pg0 ag1
    lun 5 shared
}
)");
    EXPECT_EQ(c.global.debug, 2);
    EXPECT_EQ(c.global.timeout_seconds, 30);
    EXPECT_EQ(c.global.maxproc, 50);
    EXPECT_EQ(c.global.pidfile, "/run/ctld-test.pid");
    EXPECT_EQ(c.global.state_dir, "/var/lib/ctld-test");

    const auto& ag0 = c.auth_groups.at("ag0");
    EXPECT_EQ(ag0.type, AuthType::chap_mutual);
    ASSERT_EQ(ag0.chap.size(), 1u);
    EXPECT_EQ(ag0.chap[0].mutual_user, "mu1");
    EXPECT_EQ(ag0.initiator_portals[0], "192.168.1.0/24");
    EXPECT_EQ(c.auth_groups.at("ag1").type, AuthType::chap);
    EXPECT_EQ(c.auth_groups.at("ag1").chap[0].user, "u2");
    EXPECT_EQ(c.auth_groups.at("default").type, AuthType::deny);

    const auto& pg = c.portal_groups.at("pg0");
    ASSERT_EQ(pg.listen.size(), 2u);
    EXPECT_EQ(pg.listen[0], (Listen{"0.0.0.0", 3261}));
    EXPECT_EQ(pg.listen[1], (Listen{"::1", 3262}));
    EXPECT_EQ(pg.tag, 7);
    EXPECT_EQ(pg.discovery_filter, DiscoveryFilter::portal_name);
    EXPECT_EQ(pg.connection_limit, 8u);
    EXPECT_EQ(pg.dscp, 46);
    EXPECT_EQ(pg.pcp, 5);

    ASSERT_EQ(c.targets.size(), 2u);
    const auto& t0 = c.targets[0];
    EXPECT_EQ(t0.alias, "Example target");
    EXPECT_EQ(t0.auth_group, "ag0");
    ASSERT_EQ(t0.luns.size(), 2u);
    EXPECT_EQ(t0.luns[1].lun, "shared");
    const auto& l0 = c.luns.at(t0.luns[0].lun);
    EXPECT_EQ(l0.name, "iqn.2012-06.com.example:target0,lun,0");
    EXPECT_EQ(l0.backend, Backend::ramdisk);
    EXPECT_EQ(l0.size_bytes, 64u << 20);
    EXPECT_EQ(l0.serial, "0012");
    EXPECT_EQ(l0.device_id, "my disk");
    EXPECT_EQ(l0.options.at("vendor"), "CAMX");
    EXPECT_EQ(l0.options.at("product"), "a disk");
    EXPECT_EQ(c.luns.at("shared").blocksize_bytes, 4096u);
    EXPECT_EQ(c.luns.at("shared").ctl_lun, 10u);

    const auto& t1 = c.targets[1];
    EXPECT_EQ(t1.auth_group, "iqn.2012-06.com.example:target1,auth");
    EXPECT_EQ(c.auth_groups.at(t1.auth_group).type, AuthType::chap);
    EXPECT_EQ(t1.portal_groups[0].auth_group, "ag1");

    nlohmann::json j = c;
    EXPECT_EQ(j["targets"][0]["luns"][0]["lun"], 0);
    EXPECT_EQ(j.dump().find("secret123456"), std::string::npos);  // secrets never shown
}

TEST(CtldConfig, UclSectionSpelling) {
    Config c = ok(R"(
auth-group { ag { auth-type none } }
target { "iqn.2000-01.x:y" { auth-group = ag; lun { 3 { backend = ramdisk; size = 0 } } } }
)");
    EXPECT_EQ(c.auth_groups.at("ag").type, AuthType::none);
    ASSERT_EQ(c.targets.size(), 1u);
    EXPECT_EQ(c.targets[0].luns.at(0).id, 3u);
    EXPECT_EQ(c.luns.at("iqn.2000-01.x:y,lun,3").size_bytes, 0u);
    EXPECT_EQ(c.targets[0].portal_groups.at(0).portal_group, "default");
}

TEST(CtldConfig, SemanticErrorsNameTheirLocation) {
    EXPECT_EQ(parse_error("target iqn.2000-01.x:y {\n  lun 0 { backend ramdisk; sizee 1m }\n}"),
              "t.conf:2:7: lun 'iqn.2000-01.x:y,lun,0': backend ramdisk needs 'size'\n"
              "t.conf:2:28: unknown key 'sizee' in lun 'iqn.2000-01.x:y,lun,0'");
    EXPECT_EQ(parse_error("target iqn.2000-01.x:y {\n lun 0 { backend ramdisk; size 1m }\n"
                          " lun 0 { backend ramdisk; size 1m }\n}"),
              "t.conf:3:6: target 'iqn.2000-01.x:y': duplicate LUN 0 (first at line 2)");
    EXPECT_EQ(parse_error("target iqn.2000-01.x:y { auth-group nope; lun 0 missing }"),
              "t.conf:1:37: unknown auth-group 'nope'\nt.conf:1:49: unknown lun 'missing'");
    EXPECT_EQ(parse_error("bogus 1"), "t.conf:1:1: unknown key 'bogus'");
    EXPECT_EQ(parse_error("portal-group p { listen 1.2.3.4:99999 }"),
              "t.conf:1:25: bad port in listen address '1.2.3.4:99999'");
    EXPECT_EQ(parse_error("portal-group p { discovery-auth-group x; listen a }"),
              "t.conf:1:14: portal-group 'p': unknown discovery-auth-group 'x'");
    EXPECT_EQ(parse_error("auth-group a { chap u s; chap-mutual u s m n }"),
              "t.conf:1:26: cannot mix 'chap' and 'chap-mutual' in one auth group");
    EXPECT_EQ(parse_error("auth-group a { auth-type none; chap u s }"),
              "t.conf:1:12: auth-type none with chap entries");
    EXPECT_EQ(parse_error("auth-group a { auth-type chap }"),
              "t.conf:1:12: auth-type chap without any chap entry");
    EXPECT_EQ(parse_error("auth-group a { auth-type none }\nauth-group a { auth-type none }"),
              "t.conf:2:12: duplicate auth-group 'a' (first at line 1)");
    EXPECT_EQ(parse_error("target iqn.2000-01.x:y { auth-group no-authentication; chap u s;"
                          " lun 0 { backend ramdisk; size 1m } }"),
              "t.conf:1:37: 'auth-group' cannot be combined with auth-type, chap, chap-mutual, "
              "initiator-name or initiator-portal");
    EXPECT_EQ(parse_error("lun a { backend file }\nlun b { backend ramdisk; size 1000 }"),
              "t.conf:1:5: lun 'a': backend file needs 'path'\n"
              "t.conf:2:31: lun 'b': size 1000 is not a multiple of blocksize 512");
    EXPECT_EQ(parse_error("lun a { backend ramdisk; size 1m; ctl-lun 1 }\n"
                          "lun b { backend ramdisk; size 1m; ctl-lun 1 }"),
              "t.conf:2:5: lun 'b': ctl-lun 1 already used by lun 'a'");
    EXPECT_EQ(parse_error("lun a { backend tape }"),
              "t.conf:1:5: lun 'a': backend block needs 'path'\n"
              "t.conf:1:17: backend must be ramdisk, file or block, not 'tape'");
    EXPECT_EQ(parse_error("lun a { blocksize 1000; backend ramdisk; size 1m }"),
              "t.conf:1:19: blocksize 1000 is not a power of two");
    EXPECT_EQ(parse_error("timeout 1\ntimeout 2"),
              "t.conf:2:1: duplicate 'timeout' (first at line 1)");
    EXPECT_EQ(parse_error("state-dir relative"), "t.conf:1:11: state-dir must be an absolute path");
}

// The frontend's limits are range-checked; what ctld documents but does not do is refused,
// never accepted and ignored.
TEST(CtldConfig, LimitsAndUnsupportedKeys) {
    Config d = ok("");
    EXPECT_EQ(d.global.timeout_seconds, 60);
    EXPECT_EQ(d.global.maxproc, 30);
    EXPECT_EQ(d.global.pidfile, "");
    Config c = ok("timeout 0\nmaxproc 0\nportal-group p { listen 127.0.0.1; connection-limit 0 }");
    EXPECT_EQ(c.global.timeout_seconds, 0);
    EXPECT_EQ(c.global.maxproc, 0);
    EXPECT_EQ(c.portal_groups.at("p").connection_limit, 0u);
    EXPECT_EQ(parse_error("maxproc 65537"),
              "t.conf:1:9: maxproc must be a number from 0 to 65536, not '65537'");
    EXPECT_EQ(parse_error("maxproc -1"),
              "t.conf:1:9: maxproc must be a number from 0 to 65536, not '-1'");
    EXPECT_EQ(parse_error("timeout 86401"),
              "t.conf:1:9: timeout must be a number from 0 to 86400, not '86401'");
    EXPECT_EQ(parse_error("timeout 1m"),
              "t.conf:1:9: timeout must be a number from 0 to 86400, not '1m'");
    EXPECT_EQ(parse_error("portal-group p {\n  listen 127.0.0.1\n  connection-limit 70000\n}"),
              "t.conf:3:20: connection-limit must be a number from 0 to 65536, not '70000'");
    EXPECT_EQ(parse_error("isns-server 10.0.0.1\nisns-period 60\nisns-timeout 5"),
              "t.conf:1:1: 'isns-server' is not supported: ctld does not register with iSNS\n"
              "t.conf:2:1: 'isns-period' is not supported: ctld does not register with iSNS\n"
              "t.conf:3:1: 'isns-timeout' is not supported: ctld does not register with iSNS");
    EXPECT_EQ(parse_error("portal-group p { listen 127.0.0.1; redirect 192.0.2.1 }"),
              "t.conf:1:36: 'redirect' is not supported");
    EXPECT_EQ(parse_error("portal-group p { listen 127.0.0.1; option foo bar }"),
              "t.conf:1:36: 'option' is not supported: ctld's portal groups take no options");
    EXPECT_EQ(parse_error("target iqn.2000-01.x:y { redirect 192.0.2.1 }"),
              "t.conf:1:26: 'redirect' is not supported");
    EXPECT_EQ(parse_error("pidfile run/ctld.pid"), "t.conf:1:9: pidfile must be an absolute path");
}

// SPC's ASCII fields, sizes and LUN numbers: the limits of camx/ctl/lun_check.hpp, each at
// the place it is written.
TEST(CtldConfig, LunLimits) {
    EXPECT_EQ(parse_error("lun a { backend ramdisk; size 1m; serial \"caf\xc3\xa9\" }"),
              "t.conf:1:42: serial 'caf' has a byte 0xc3 at 3 that is not printable ASCII (SPC "
              "allows 0x20..0x7e)");
    EXPECT_EQ(parse_error("lun a { backend ramdisk; size 1m; device-id \"id\xc2\xb5\" }"),
              "t.conf:1:45: device-id 'id' has a byte 0xc2 at 2 that is not printable ASCII "
              "(SPC allows 0x20..0x7e)");
    EXPECT_EQ(parse_error("lun a { backend ramdisk; size 1m; option product \"\xe2\x82\xac\" }"),
              "t.conf:1:42: lun 'a': product '' has a byte 0xe2 at 0 that is not printable "
              "ASCII (SPC allows 0x20..0x7e)");
    EXPECT_EQ(parse_error("lun a { backend ramdisk; size 16e }"),
              "t.conf:1:31: size: bad size '16e' (a number with an optional k, m, g, t or p)");
    EXPECT_EQ(parse_error("lun a { backend ramdisk; size 18446744073709551104 }"),
              "t.conf:1:31: lun 'a': size 18446744073709551104 (16 EiB) is above the largest "
              "LUN, 4 EiB");
    EXPECT_EQ(parse_error("lun a { backend ramdisk; size 1m; ctl-lun 20000 }"),
              "t.conf:1:43: ctl-lun must be a number from 0 to 16383, not '20000'");
    // A thin ramdisk's capacity is an option; the size is then not bounded by memory.
    auto c = ok("lun a { backend ramdisk; size 16p; option capacity 64m }");
    EXPECT_EQ(c.luns.at("a").options.at("capacity"), "64m");
}

TEST(CtldConfig, MissingBackingFile) {
    std::string text = "lun a { backend file; path /nonexistent/camx-test-file }";
    try {
        parse(text, "t.conf");
        FAIL() << "parsed";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::file);
        EXPECT_EQ(std::string(e.what()),
                  "t.conf:1:28: lun 'a': /nonexistent/camx-test-file: No such file or directory");
    }
    // Without file checks the same text is structurally fine.
    EXPECT_NO_THROW(parse(text, "t.conf", ParseOptions{false}));

    auto dir =
        std::filesystem::temp_directory_path() / ("camx-config-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto file = dir / "disk.img";
    std::ofstream(file) << "x";
    Config c = parse("lun a { backend file; path " + file.string() + " }", "t.conf");
    EXPECT_EQ(c.luns.at("a").path, file.string());
    try {
        parse("lun a { backend file; path " + dir.string() + " }", "t.conf");
        ADD_FAILURE() << "a directory accepted as backing file";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::file);
        EXPECT_EQ(std::string(e.what()),
                  "t.conf:1:28: lun 'a': " + dir.string() + " is not a regular file");
    }
    std::filesystem::remove_all(dir);
}

TEST(CtldConfig, LoadReportsUnreadableFile) {
    try {
        load("/nonexistent/ctl.conf");
        FAIL() << "loaded";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), Category::file);
        EXPECT_EQ(std::string(e.what()), "/nonexistent/ctl.conf: No such file or directory");
    }
}

TEST(CtldConfig, Warnings) {
    Config c =
        ok("lun unused { backend ramdisk; size 1m }\ntarget foo { auth-group no-access }\n"
           "auth-group a { chap u short }");
    ASSERT_EQ(c.warnings.size(), 4u);
    EXPECT_EQ(c.warnings[0], "t.conf:1:5: lun 'unused' is not used by any target");
    EXPECT_EQ(c.warnings[1],
              "t.conf:2:8: target name 'foo' does not start with iqn., eui. or naa.");
    EXPECT_EQ(c.warnings[2], "t.conf:2:8: target 'foo' has no LUNs");
    EXPECT_EQ(c.warnings[3],
              "t.conf:3:16: CHAP secret of 5 characters; many initiators accept only 12 to 16");
}

TEST(CtldConfig, Demo) {
    Config c = demo();
    ASSERT_EQ(c.targets.size(), 1u);
    EXPECT_EQ(c.targets[0].name, "iqn.2024-01.org.camx:demo");
    EXPECT_EQ(c.targets[0].auth_group, "no-authentication");
    EXPECT_EQ(c.portal_groups.at("demo").listen.at(0), (Listen{"127.0.0.1", 3260}));
    ASSERT_EQ(c.targets[0].luns.size(), 2u);
    const auto& l = c.luns.at(c.targets[0].luns.at(0).lun);
    EXPECT_EQ(l.backend, Backend::ramdisk);
    EXPECT_EQ(l.size_bytes, 64u << 20);
    EXPECT_EQ(l.serial, "CAMXDEMO0000");
    const auto& e = c.luns.at(c.targets[0].luns.at(1).lun);
    EXPECT_EQ(e.device_type, DeviceType::enclosure);
    auto enc = EnclosureSpec::of(e).config([](const std::string& n) {
        EXPECT_EQ(n, "disk0");
        return 0;
    });
    ASSERT_EQ(enc.slots.size(), 4u);
    EXPECT_EQ(enc.slots[0].lun, 0u);
    EXPECT_FALSE(enc.slots[1].lun);
    EXPECT_EQ(enc.slots[3].descriptor, "Bay 3");
    EXPECT_TRUE(c.warnings.empty());

    Config other = demo("[::1]:3261", 1 << 20, "");
    EXPECT_EQ(other.portal_groups.at("demo").listen.at(0), (Listen{"::1", 3261}));
    EXPECT_EQ(other.luns.at("disk0").size_bytes, 1u << 20);
    EXPECT_THROW(demo("127.0.0.1:3260", 0, "/nonexistent/disk.img"), Error);
    const std::string img = std::filesystem::temp_directory_path() /
                            ("camx-demo-" + std::to_string(::getpid()) + ".img");
    std::ofstream(img) << std::string(4096, '\0');
    Config file = demo("127.0.0.1:3260", 0, img);
    EXPECT_EQ(file.luns.at("disk0").backend, Backend::file);
    EXPECT_EQ(file.luns.at("disk0").path, img);
    std::filesystem::remove(img);
}

TEST(CtldConfig, ParseSize) {
    EXPECT_EQ(parse_size("0"), 0u);
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_EQ(parse_size("4k"), 4096u);
    EXPECT_EQ(parse_size("10G"), 10ull << 30);
    EXPECT_EQ(parse_size("2TB"), 2ull << 40);
    EXPECT_EQ(parse_size("3MiB"), 3ull << 20);
    EXPECT_EQ(parse_size("1p"), 1ull << 50);
    for (const char* bad :
         {"", "k", "1.5g", "-1", "10x", "1kk", "16385p", "99999999999999999999"}) {
        EXPECT_THROW(parse_size(bad), Error) << bad;
    }
}

TEST(CtldConfig, ParseListenAndBool) {
    EXPECT_EQ(parse_listen("127.0.0.1"), (Listen{"127.0.0.1", 3260}));
    EXPECT_EQ(parse_listen("[::]:3261"), (Listen{"::", 3261}));
    EXPECT_EQ(parse_listen("::1"), (Listen{"::1", 3260}));
    EXPECT_EQ(parse_listen("host.example:1"), (Listen{"host.example", 1}));
    for (const char* bad : {"", ":3260", "[::1", "[]:1", "[::1]x", "a:0", "a:", "[::1]:"})
        EXPECT_THROW(parse_listen(bad), Error) << bad;
    EXPECT_TRUE(parse_bool("Yes"));
    EXPECT_FALSE(parse_bool("off"));
    EXPECT_THROW(parse_bool("maybe"), Error);
}

TEST(CtldConfig, LunJsonRoundTrip) {
    Lun l;
    l.name = "x";
    l.backend = Backend::file;
    l.path = "/tmp/x";
    l.size_bytes = 1 << 20;
    l.blocksize_bytes = 4096;
    l.serial = "S";
    l.ctl_lun = 3;
    l.options = {{"vendor", "V"}};
    nlohmann::json j = l;
    EXPECT_EQ(j.get<Lun>(), l);
    j["backend"] = "tape";
    EXPECT_THROW(j.get<Lun>(), Error);
}

// Every prefix of a real configuration parses or throws camx::Error; never anything else.
TEST(CtldConfig, EveryPrefixParsesOrThrows) {
    std::string text(demo_text());
    text += "auth-group a { chap-mutual \"u\" 's' m \"n\\u00e9\" } /* c */ x = [1, {y 2}]\n";
    for (std::size_t n = 0; n <= text.size(); ++n) {
        try {
            parse(text.substr(0, n), "p", ParseOptions{false});
        } catch (const Error&) {
        }
    }
}

// The example in ctl.conf(5) is a valid configuration.
TEST(CtldConfig, ManPageExampleParses) {
    std::filesystem::path man =
        std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "man" /
        "ctl.conf.5";
    std::ifstream in(man);
    if (!in) GTEST_SKIP() << man << " not found";
    std::string line, text;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line == ".Bd -literal") {
            inside = true;
        } else if (line == ".Ed") {
            break;
        } else if (inside) {
            for (std::size_t p; (p = line.find("\\e")) != std::string::npos;)
                line.replace(p, 2, "\\");
            text += line + "\n";
        }
    }
    ASSERT_FALSE(text.empty());
    Config c = parse(text, "ctl.conf.5", ParseOptions{false});
    EXPECT_EQ(c.targets.size(), 3u);
    EXPECT_EQ(c.auth_groups.at("ag0").type, AuthType::chap_mutual);
    EXPECT_EQ(EnclosureSpec::of(c.luns.at("enc0")).slot_luns,
              (std::vector<std::string>{"disk0", "disk1"}));
    EXPECT_EQ(c.luns.at("shared").blocksize_bytes, 4096u);
    EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

namespace {

const char* kEnclosureConf =
    R"(portal-group pg0 { listen 127.0.0.1:3260; discovery-auth-group no-authentication }
lun disk0 { backend ramdisk; size 64m; }
lun disk1 { backend ramdisk; size 64m; }
lun enc0 {
    device-type enclosure
    option slots 4                 # device slots (default 4)
    option psus 2
    option fans 3
    option temps 2
    option volts 1
    option slot-luns "disk0, ,disk1"
    option slot-descriptors "Bay 0,Bay 1,Bay 2,Bay 3"
    option vendor CAMX; option product "EMU ENCLOSURE"
}
target iqn.2024-01.org.camx:t { auth-group no-authentication; portal-group pg0; lun 0 disk0; lun 1 disk1; lun 2 enc0; }
)";

}  // namespace

TEST(CtldConfig, EnclosureLun) {
    Config c = ok(kEnclosureConf);
    EXPECT_TRUE(c.warnings.empty());
    const Lun& l = c.luns.at("enc0");
    EXPECT_EQ(l.device_type, DeviceType::enclosure);
    EXPECT_EQ(l.options.at("slot-luns"), "disk0, ,disk1");
    EXPECT_EQ(l.option_where.at("slot-luns").line, 11);
    EnclosureSpec spec = EnclosureSpec::of(l);
    EXPECT_EQ(spec.slots, 4u);
    EXPECT_EQ(spec.fans, 3u);
    EXPECT_EQ(spec.temps, 2u);
    EXPECT_EQ(spec.slot_luns, (std::vector<std::string>{"disk0", "", "disk1"}));
    EXPECT_EQ(spec.product, "EMU ENCLOSURE");
    std::map<std::string, std::uint64_t> ids{{"disk0", 7}, {"disk1", 9}};
    auto cfg = spec.config([&](const std::string& n) { return ids.at(n); });
    ASSERT_EQ(cfg.slots.size(), 4u);
    EXPECT_EQ(cfg.slots[0].lun, 7u);
    EXPECT_FALSE(cfg.slots[1].lun);
    EXPECT_EQ(cfg.slots[2].lun, 9u);
    EXPECT_FALSE(cfg.slots[3].lun);
    EXPECT_EQ(cfg.slots[3].descriptor, "Bay 3");
    EXPECT_EQ(cfg.power_supplies.size(), 2u);
    EXPECT_EQ(cfg.fans.size(), 3u);
    EXPECT_EQ(cfg.temperature_sensors.size(), 2u);
    EXPECT_EQ(cfg.voltage_sensors.size(), 1u);
    EXPECT_EQ(cfg.vendor, "CAMX");
    EXPECT_EQ(cfg.product, "EMU ENCLOSURE");
}

TEST(CtldConfig, EnclosureDefaultsAndNumbers) {
    Config c =
        ok("lun d { backend ramdisk; size 1m; ctl-lun 5 }\n"
           "lun e { device-type enclosure; serial ENC1; option slot-luns \"5,12\";"
           " option naa 0x5000000000000001 }\n"
           "target iqn.2000-01.x:y { lun 0 d; lun 1 e }");
    EnclosureSpec spec = EnclosureSpec::of(c.luns.at("e"));
    EXPECT_EQ(spec.slots, 4u);
    EXPECT_EQ(spec.psus, 2u);
    EXPECT_EQ(spec.fans, 2u);
    EXPECT_EQ(spec.temps, 1u);
    EXPECT_EQ(spec.volts, 1u);
    EXPECT_EQ(spec.serial, "ENC1");
    EXPECT_EQ(spec.naa, 0x5000000000000001u);
    auto cfg = spec.config([](const std::string& n) { return std::stoull(n); });
    EXPECT_EQ(cfg.slots[0].lun, 5u);
    EXPECT_EQ(cfg.slots[1].lun, 12u);  // an engine LUN ctladm may create later
    EXPECT_EQ(cfg.serial, "ENC1");
    EXPECT_EQ(cfg.slots[0].descriptor, "");  // the engine's "Slot 00"
}

TEST(CtldConfig, EnclosureErrorsNameTheirLocation) {
    const std::string disks =
        "lun d0 { backend ramdisk; size 1m }\n"
        "lun d1 { backend ramdisk; size 1m }\n";
    EXPECT_EQ(parse_error(disks + "lun e { device-type enclosure; option lamps 3 }"),
              "t.conf:3:39: lun 'e': unknown enclosure option 'lamps' (known: slots, psus, fans, "
              "temps, volts, slot-luns, slot-descriptors, psu-descriptors, fan-descriptors, "
              "temp-descriptors, volt-descriptors, vendor, product, revision, serial, naa, "
              "descriptor, help-text)");
    EXPECT_EQ(parse_error(disks + "lun e { device-type enclosure; option slot-luns \"0x1\" }"),
              "t.conf:3:39: lun 'e': slot-luns: no lun '0x1'");
    EXPECT_EQ(parse_error(disks + "lun e { device-type enclosure; option slot-luns \"d0,nope\" }"),
              "t.conf:3:39: lun 'e': slot-luns: no lun 'nope'");
    EXPECT_EQ(parse_error(disks + "lun e { device-type enclosure; option slot-luns f }\n"
                                  "lun f { device-type enclosure }"),
              "t.conf:3:39: lun 'e': slot-luns: lun 'f' is an enclosure, not a disk");
    EXPECT_EQ(parse_error(disks + "lun e { device-type enclosure; option slot-luns \"e\" }"),
              "t.conf:3:39: lun 'e': slot-luns: an enclosure cannot sit in its own slot");
    EXPECT_EQ(parse_error(disks + "lun e { device-type enclosure; option slot-luns \"d0,d0\" }"),
              "t.conf:3:39: lun 'e': slot-luns: lun 'd0' is in slots 0 and 1");
    EXPECT_EQ(parse_error(disks + "lun e { device-type enclosure; option slots 256 }"),
              "t.conf:3:39: lun 'e': option slots: a count from 0 to 255, not '256'");
    EXPECT_EQ(parse_error(disks + "lun e { device-type enclosure; option fans -1 }"),
              "t.conf:3:39: lun 'e': option fans: a count from 0 to 255, not '-1'");
    EXPECT_EQ(parse_error(disks + "lun e {\n  device-type enclosure\n  option slots 1\n"
                                  "  option slot-luns \"d0,d1\"\n}"),
              "t.conf:3:5: lun 'e': slot-luns has 2 entries but slots is 1");
    EXPECT_EQ(parse_error(disks + "lun e {\n  size 1m\n  device-type enclosure\n  path /x\n"
                                  "  blocksize 4096\n}"),
              "t.conf:4:3: lun 'e': 'size' makes no sense for an enclosure\n"
              "t.conf:6:3: lun 'e': 'path' makes no sense for an enclosure\n"
              "t.conf:7:3: lun 'e': 'blocksize' makes no sense for an enclosure");
    EXPECT_EQ(parse_error(disks + "lun e { device-type enclosure; option vendor TOOLONGVENDOR }"),
              "t.conf:3:39: lun 'e': option vendor: more than 8 characters");
    EXPECT_EQ(parse_error(disks + "lun e { device-type enclosure; backend ramdisk }"),
              "t.conf:3:32: lun 'e': 'backend' makes no sense for an enclosure");
}

TEST(CtldConfig, EnclosureSpecRoundTrip) {
    EnclosureSpec spec;
    spec.apply("slots", "3");
    spec.apply("fans", "1");
    spec.apply("slot-luns", "4,,6");
    spec.apply("psu-descriptors", "Left,Right");
    spec.apply("naa", "naa.5000c50000000001");
    spec.apply("help-text", "call 555");
    auto numbers = [](const std::string& n) { return std::stoull(n); };
    const auto cfg = spec.config(numbers);
    EXPECT_EQ(cfg.logical_identifier, 0x5000c50000000001u);
    EXPECT_EQ(cfg.power_supplies[1].descriptor, "Right");
    auto opts = EnclosureSpec::from(cfg).options();
    EXPECT_EQ(opts.at("slot-luns"), "4,,6");
    EXPECT_EQ(opts.at("psu-descriptors"), "Left,Right");
    EXPECT_FALSE(opts.count("slot-descriptors"));
    Lun l;
    l.device_type = DeviceType::enclosure;
    l.options = opts;
    EXPECT_EQ(EnclosureSpec::of(l).config(numbers), cfg);
    // A lowered count drops what lies beyond it; check() refuses it until then.
    auto lowered = EnclosureSpec::from(cfg);
    lowered.apply("slots", "1");
    EXPECT_THROW(lowered.check(), Error);
    lowered.fit();
    EXPECT_EQ(lowered.config(numbers).slots.size(), 1u);
    EXPECT_EQ(lowered.slot_luns, (std::vector<std::string>{"4"}));
    EXPECT_THROW(spec.apply("naa", "xyz"), Error);
    EXPECT_THROW(spec.apply("product", "seventeen chars!!"), Error);
}

TEST(CtldConfig, BufferLimits) {
    Config d = ok("");
    EXPECT_EQ(d.global.session_buffer_limit, 64u << 20);
    EXPECT_EQ(d.global.buffer_limit, 256u << 20);
    Config c = ok("session-buffer-limit 16M\nbuffer-limit 1g\n");
    EXPECT_EQ(c.global.session_buffer_limit, 16u << 20);
    EXPECT_EQ(c.global.buffer_limit, 1u << 30);
    EXPECT_NE(parse_error("buffer-limit 4k").find("t.conf:1:14: buffer-limit must be at least 1M"),
              std::string::npos);
    EXPECT_NE(parse_error("session-buffer-limit lots").find("bad size"), std::string::npos);
}
