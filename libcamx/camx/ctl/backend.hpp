// SPDX-License-Identifier: BSD-2-Clause
// Storage behind a LUN: a sparse ramdisk, a regular file or a block device. Byte addressed;
// the LUN turns blocks into offsets. Every method is safe to call from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "camx/bytes/bytes.hpp"
#include "camx/ctl/engine.hpp"

namespace camx::ctl {

class Backend {
  public:
    virtual ~Backend() = default;
    virtual std::uint64_t size_bytes() const = 0;
    virtual bool read_only() const = 0;
    // I/O errors throw Error(medium_hardware); a full ramdisk throws Error(data_protect).
    virtual void read(std::uint64_t offset, MutableByteView out) = 0;
    virtual void write(std::uint64_t offset, ByteView data) = 0;
    virtual void flush() = 0;
    // Deallocates; the range reads back as zeros afterwards.
    virtual void unmap(std::uint64_t offset, std::uint64_t length) = 0;
    // Whether the byte at offset is backed by storage, and how far that stays so (bytes).
    struct Extent {
        bool mapped = true;
        std::uint64_t length = 0;
    };
    virtual Extent extent(std::uint64_t offset) const = 0;
    // A ramdisk takes the new size and a file is extended or cut to it; cutting off written
    // data needs force (Error(usage) otherwise). A block device reads its size again, which
    // must then be size_bytes (Error(usage)). For a file or device, 0 only reads the size again.
    virtual void resize(std::uint64_t size_bytes, bool force) = 0;
};

std::unique_ptr<Backend> make_ramdisk(std::uint64_t size_bytes,
                                      std::optional<std::uint64_t> capacity_bytes);
// Opens read-write unless read_only or the file only opens read-only. Throws Error(file).
// block_device: a block device, or a regular file served the same way. size_bytes (not 0):
// the size to give a regular file, created if missing; as resize without force.
std::unique_ptr<Backend> open_file_backend(const std::string& path, bool block_device,
                                           bool read_only, std::uint64_t size_bytes = 0);
std::unique_ptr<Backend> open_backend(const LunConfig& config);

}  // namespace camx::ctl
