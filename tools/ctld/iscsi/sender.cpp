// SPDX-License-Identifier: BSD-2-Clause
#include "iscsi/sender.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "camx/error/error.hpp"

namespace camx::ctld {

Sender::Sender() {
    epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!epoll_ || !wake_)
        throw Error(Category::other, fmt::format("sender: {}", std::strerror(errno)));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake_.get();
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
    thread_ = std::thread([this] { run(); });
}

Sender::~Sender() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(wake_.get(), &one, sizeof one);
    thread_.join();
}

void Sender::want(int fd, std::function<void()> writable) {
    std::lock_guard g(mu_);
    waiting_[fd] = std::move(writable);
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLONESHOT;
    ev.data.fd = fd;
    bool& added = added_[fd];
    ::epoll_ctl(epoll_.get(), added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    added = true;
}

void Sender::forget(int fd) {
    std::lock_guard g(mu_);
    waiting_.erase(fd);
    if (added_.erase(fd)) ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

void Sender::run() {
    std::vector<epoll_event> events(64);
    for (;;) {
        int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return;
        for (int i = 0; i < n; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            if (fd == wake_.get()) return;
            std::function<void()> writable;
            {
                std::lock_guard g(mu_);
                auto it = waiting_.find(fd);
                if (it == waiting_.end()) continue;
                writable = std::move(it->second);
                waiting_.erase(it);
            }
            writable();  // may call want() again for what is still left
        }
    }
}

}  // namespace camx::ctld
