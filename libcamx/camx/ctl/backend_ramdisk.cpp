// SPDX-License-Identifier: BSD-2-Clause
// The ramdisk backend: memory allocated in chunks on first write, zeros where nothing was
// written, an optional cap on the memory used, and a discard-everything mode (capacity 0).
// Only written chunks take memory: a LUN that was never written costs a few hundred bytes
// whatever its size.
#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "camx/ctl/backend.hpp"

namespace camx::ctl {
namespace {

constexpr std::uint64_t chunk_size = 1u << 20;

class Ramdisk final : public Backend {
  public:
    Ramdisk(std::uint64_t size, std::optional<std::uint64_t> capacity)
        : size_(size), capacity_(capacity.value_or(size)) {}

    std::uint64_t size_bytes() const override {
        std::lock_guard lock(mutex_);
        return size_;
    }
    bool read_only() const override { return false; }

    void read(std::uint64_t offset, MutableByteView out) override {
        std::lock_guard lock(mutex_);
        check(offset, out.size());
        walk(offset, out.size(),
             [&](std::uint64_t idx, std::uint64_t in_chunk, std::size_t pos, std::size_t n) {
                 auto c = chunks_.find(idx);
                 if (c != chunks_.end()) {
                     std::memcpy(out.data() + pos, c->second.get() + in_chunk, n);
                 } else {
                     std::memset(out.data() + pos, 0, n);
                 }
             });
    }

    void write(std::uint64_t offset, ByteView data) override {
        std::lock_guard lock(mutex_);
        check(offset, data.size());
        if (capacity_ == 0) return;
        walk(offset, data.size(),
             [&](std::uint64_t idx, std::uint64_t in_chunk, std::size_t pos, std::size_t n) {
                 auto c = chunks_.find(idx);
                 if (c == chunks_.end()) {
                     if (allocated_ + chunk_size > round_up(capacity_)) {
                         throw Error(Category::data_protect, "ramdisk capacity exhausted");
                     }
                     c = chunks_.emplace(idx, std::make_unique<std::uint8_t[]>(chunk_size)).first;
                     allocated_ += chunk_size;
                 }
                 std::memcpy(c->second.get() + in_chunk, data.data() + pos, n);
             });
    }

    void flush() override {}

    void unmap(std::uint64_t offset, std::uint64_t length) override {
        std::lock_guard lock(mutex_);
        check(offset, length);
        walk(offset, length,
             [&](std::uint64_t idx, std::uint64_t in_chunk, std::size_t, std::size_t n) {
                 auto c = chunks_.find(idx);
                 if (c == chunks_.end()) return;
                 if (n == chunk_size) {
                     chunks_.erase(c);
                     allocated_ -= chunk_size;
                 } else {
                     std::memset(c->second.get() + in_chunk, 0, n);
                 }
             });
    }

    Extent extent(std::uint64_t offset) const override {
        std::lock_guard lock(mutex_);
        if (offset >= size_) return {false, 0};
        std::uint64_t idx = offset / chunk_size;
        auto c = chunks_.lower_bound(idx);
        bool mapped = c != chunks_.end() && c->first == idx;
        std::uint64_t end = idx;
        if (mapped) {
            while (c != chunks_.end() && c->first == end) ++c, ++end;
        } else {
            end = c == chunks_.end() ? chunk_count(size_) : c->first;
        }
        return {mapped, std::min(end * chunk_size, size_) - offset};
    }

    void resize(std::uint64_t size, bool force) override {
        std::lock_guard lock(mutex_);
        if (size < size_ && !force && holds_data_from(size))
            throw Error(Category::usage,
                        fmt::format("shrinking the ramdisk to {} bytes would cut off written data "
                                    "(force to do it anyway)",
                                    size));
        std::uint64_t n = chunk_count(size);
        for (auto c = chunks_.lower_bound(n); c != chunks_.end();) {
            c = chunks_.erase(c);
            allocated_ -= chunk_size;
        }
        // The tail of a chunk cut short must read as zeros if the LUN grows again.
        if (size % chunk_size != 0 && n > 0) {
            auto last = chunks_.find(n - 1);
            if (last != chunks_.end())
                std::memset(last->second.get() + size % chunk_size, 0,
                            chunk_size - size % chunk_size);
        }
        size_ = size;
    }

  private:
    static std::uint64_t chunk_count(std::uint64_t size) {
        return (size + chunk_size - 1) / chunk_size;
    }
    static std::uint64_t round_up(std::uint64_t v) { return chunk_count(v) * chunk_size; }

    // Whether any byte from offset on reads other than zero.
    bool holds_data_from(std::uint64_t offset) const {
        for (auto c = chunks_.lower_bound(offset / chunk_size); c != chunks_.end(); ++c) {
            std::uint64_t from = c->first == offset / chunk_size ? offset % chunk_size : 0;
            const std::uint8_t* p = c->second.get();
            if (std::any_of(p + from, p + chunk_size, [](std::uint8_t b) { return b != 0; }))
                return true;
        }
        return false;
    }

    void check(std::uint64_t offset, std::uint64_t length) const {
        if (offset > size_ || length > size_ - offset) {
            throw Error(Category::lba_out_of_range, "ramdisk access past the end");
        }
    }

    template <typename F>
    void walk(std::uint64_t offset, std::uint64_t length, F&& f) {
        std::size_t pos = 0;
        while (length > 0) {
            std::uint64_t idx = offset / chunk_size;
            std::uint64_t in_chunk = offset % chunk_size;
            std::size_t n = static_cast<std::size_t>(std::min(length, chunk_size - in_chunk));
            f(idx, in_chunk, pos, n);
            offset += n, pos += n, length -= n;
        }
    }

    mutable std::mutex mutex_;
    std::uint64_t size_;
    std::uint64_t capacity_;
    std::uint64_t allocated_ = 0;
    std::map<std::uint64_t, std::unique_ptr<std::uint8_t[]>> chunks_;  // by chunk index
};

}  // namespace

std::unique_ptr<Backend> make_ramdisk(std::uint64_t size_bytes,
                                      std::optional<std::uint64_t> capacity_bytes) {
    return std::make_unique<Ramdisk>(size_bytes, capacity_bytes);
}

std::unique_ptr<Backend> open_backend(const LunConfig& config) {
    switch (config.backend) {
        case BackendKind::ramdisk:
            return make_ramdisk(config.size_bytes, config.capacity_bytes);
        case BackendKind::file:
            return open_file_backend(config.path, false, config.options.readonly,
                                     config.size_bytes);
        case BackendKind::block:
            return open_file_backend(config.path, true, config.options.readonly, config.size_bytes);
    }
    throw Error(Category::usage, "unknown backend");
}

}  // namespace camx::ctl
