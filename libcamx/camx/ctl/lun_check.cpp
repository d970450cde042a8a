// SPDX-License-Identifier: BSD-2-Clause
// LUN configuration limits (lun_check.hpp).
#include "camx/ctl/lun_check.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "camx/error/error.hpp"

namespace camx::ctl {

// Here rather than in engine.cpp: the checks name backends in their messages, and ctl.conf's
// parser (and its fuzzer) use the checks without the engine.
std::string_view backend_kind_name(BackendKind k) noexcept {
    switch (k) {
        case BackendKind::ramdisk:
            return "ramdisk";
        case BackendKind::file:
            return "file";
        case BackendKind::block:
            return "block";
    }
    return "";
}

namespace {

bool power_of_two(std::uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

// "16 PiB", "512 MiB", "1000 bytes": what an administrator wrote, near enough.
std::string human(std::uint64_t bytes) {
    static constexpr const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    std::size_t u = 0;
    double v = static_cast<double>(bytes);
    while (v >= 1024 && u + 1 < std::size(units)) v /= 1024, ++u;
    if (u == 0) return fmt::format("{} bytes", bytes);
    return fmt::format("{:.4g} {}", v, units[u]);
}

}  // namespace

std::uint64_t physical_memory() {
    long pages = ::sysconf(_SC_PHYS_PAGES);
    long page = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return 0;
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

std::optional<std::string> lun_id_problem(std::uint64_t id) {
    if (id <= max_lun_id) return std::nullopt;
    return fmt::format("LUN number {} is above {}", id, max_lun_id);
}

std::optional<std::string> blocksize_problem(std::uint32_t blocksize) {
    if (power_of_two(blocksize) && blocksize >= 512 && blocksize <= 65536) return std::nullopt;
    return fmt::format("blocksize {} is not a power of two in 512..65536", blocksize);
}

std::optional<std::string> size_problem(std::uint64_t size, std::uint32_t blocksize) {
    if (size > max_lun_bytes)
        return fmt::format("size {} ({}) is above the largest LUN, {}", size, human(size),
                           human(max_lun_bytes));
    if (blocksize != 0 && size % blocksize != 0)
        return fmt::format("size {} is not a multiple of blocksize {}", size, blocksize);
    return std::nullopt;
}

std::optional<std::string> ascii_problem(std::string_view what, std::string_view text,
                                         std::size_t max_length) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c > 0x7e)
            return fmt::format(
                "{} '{}' has a byte 0x{:02x} at {} that is not printable ASCII "
                "(SPC allows 0x20..0x7e)",
                what, text.substr(0, i), c, i);
    }
    if (text.size() > max_length)
        return fmt::format("{} is {} characters, more than {}", what, text.size(), max_length);
    return std::nullopt;
}

std::optional<std::string> ramdisk_memory_problem(std::uint64_t size,
                                                  std::optional<std::uint64_t> capacity,
                                                  std::uint64_t memory) {
    if (memory == 0) return std::nullopt;  // unknown: nothing to compare with
    if (capacity) {
        if (*capacity <= memory) return std::nullopt;
        return fmt::format("ramdisk capacity {} is larger than this host's memory ({})",
                           human(*capacity), human(memory));
    }
    if (size <= memory) return std::nullopt;
    return fmt::format(
        "ramdisk size {} is larger than this host's memory ({}); a thin ramdisk needs option "
        "capacity (the memory it may use)",
        human(size), human(memory));
}

std::vector<LunProblem> lun_problems(const LunConfig& c, std::uint64_t memory) {
    std::vector<LunProblem> out;
    auto add = [&](std::string_view field, std::optional<std::string> problem) {
        if (problem) out.push_back({field, std::move(*problem)});
    };
    const LunOptions& o = c.options;
    add("lun", lun_id_problem(c.id));
    add("blocksize", blocksize_problem(o.blocksize));
    if (o.pblocksize != 0 && (!power_of_two(o.pblocksize) || o.pblocksize < o.blocksize))
        add("pblocksize",
            fmt::format("pblocksize {} is not a power-of-two multiple of the blocksize",
                        o.pblocksize));
    add("size", size_problem(c.size_bytes, o.blocksize));
    if (c.backend == BackendKind::ramdisk) {
        if (c.size_bytes < o.blocksize)
            add("size", std::string("a ramdisk LUN needs a size of at least one block"));
        if (c.capacity_bytes != std::optional<std::uint64_t>(0))
            add("capacity", ramdisk_memory_problem(c.size_bytes, c.capacity_bytes, memory));
    } else {
        if (c.path.empty())
            add("path", fmt::format("a {} LUN needs a path", backend_kind_name(c.backend)));
        if (c.capacity_bytes)
            add("capacity", std::string("option capacity is for ramdisk LUNs only"));
    }
    add("vendor", ascii_problem("vendor", o.vendor, 8));
    add("product", ascii_problem("product", o.product, 16));
    add("revision", ascii_problem("revision", o.revision, 4));
    add("serial", ascii_problem("serial", o.serial, 64));
    add("device-id", ascii_problem("device-id", o.device_id, 128));
    if (!o.uuid.empty() && o.uuid.size() != 36)
        add("uuid", std::string("uuid must be 36 characters"));
    return out;
}

void check_lun(const LunConfig& config, std::uint64_t memory) {
    auto problems = lun_problems(config, memory);
    if (problems.empty()) return;
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p.message;
    throw Error(Category::usage, msg);
}

}  // namespace camx::ctl
