// SPDX-License-Identifier: BSD-2-Clause
// Limits on the data ctld holds for initiators (Data-Out being gathered, Data-In waiting
// for a socket): a pool per session inside one for the whole frontend, charged up front.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

namespace camx::ctld {

class BufferPool;

// Bytes held in a pool; given back when the charge goes away.
class Charge {
  public:
    Charge() = default;
    Charge(Charge&& o) noexcept;
    Charge& operator=(Charge&& o) noexcept;
    Charge(const Charge&) = delete;
    Charge& operator=(const Charge&) = delete;
    ~Charge() { reset(); }

    std::uint64_t bytes() const { return bytes_; }
    // Moves n of the bytes (at most all) into a charge of their own.
    Charge split(std::uint64_t n);
    void reset();

  private:
    friend class BufferPool;
    Charge(std::shared_ptr<BufferPool> pool, std::uint64_t n) : pool_(std::move(pool)), bytes_(n) {}
    std::shared_ptr<BufferPool> pool_;
    std::uint64_t bytes_ = 0;
};

class BufferPool : public std::enable_shared_from_this<BufferPool> {
  public:
    explicit BufferPool(std::uint64_t limit, std::shared_ptr<BufferPool> parent = nullptr)
        : limit_(limit), parent_(std::move(parent)) {}

    void set_limit(std::uint64_t limit) { limit_.store(limit); }
    std::uint64_t limit() const { return limit_.load(); }
    std::uint64_t used() const { return used_.load(); }

    // n bytes when they fit under this pool's limit and its parent's; a pool that holds
    // nothing takes any amount, so one command larger than a limit still runs, alone.
    // nullopt: full.
    std::optional<Charge> take(std::uint64_t n);

  private:
    friend class Charge;
    bool reserve(std::uint64_t n);
    void release(std::uint64_t n);

    std::atomic<std::uint64_t> used_{0};
    std::atomic<std::uint64_t> limit_;
    std::shared_ptr<BufferPool> parent_;
};

}  // namespace camx::ctld
