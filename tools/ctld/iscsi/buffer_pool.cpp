// SPDX-License-Identifier: BSD-2-Clause
#include "iscsi/buffer_pool.hpp"

#include <utility>

namespace camx::ctld {

Charge::Charge(Charge&& o) noexcept
    : pool_(std::move(o.pool_)), bytes_(std::exchange(o.bytes_, 0)) {}

Charge& Charge::operator=(Charge&& o) noexcept {
    if (this != &o) {
        reset();
        pool_ = std::move(o.pool_);
        bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
}

Charge Charge::split(std::uint64_t n) {
    if (n > bytes_) n = bytes_;
    bytes_ -= n;
    return Charge(pool_, n);
}

void Charge::reset() {
    if (pool_ && bytes_) pool_->release(bytes_);
    bytes_ = 0;
    pool_.reset();
}

std::optional<Charge> BufferPool::take(std::uint64_t n) {
    if (n == 0) return Charge();
    if (!reserve(n)) return std::nullopt;
    return Charge(shared_from_this(), n);
}

bool BufferPool::reserve(std::uint64_t n) {
    std::uint64_t cur = used_.load();
    do {
        if (cur != 0 && cur + n > limit_.load()) return false;
    } while (!used_.compare_exchange_weak(cur, cur + n));
    if (parent_ && !parent_->reserve(n)) {
        used_.fetch_sub(n);
        return false;
    }
    return true;
}

void BufferPool::release(std::uint64_t n) {
    used_.fetch_sub(n);
    if (parent_) parent_->release(n);
}

}  // namespace camx::ctld
