// SPDX-License-Identifier: BSD-2-Clause
// Finishes the writes a socket did not take at once. Connections write without blocking;
// what is left waits here for the socket to drain, so no engine or reader thread ever
// blocks on an initiator that does not read. One thread for the whole frontend.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "camx/transport/fd.hpp"

namespace camx::ctld {

class Sender {
  public:
    Sender();
    ~Sender();
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    // Calls writable() once fd can take more (on the sender's thread, no lock held). A
    // connection calls forget() before it closes fd.
    void want(int fd, std::function<void()> writable);
    void forget(int fd);

  private:
    void run();

    transport::UniqueFd epoll_;
    transport::UniqueFd wake_;  // eventfd: stop
    std::mutex mu_;
    std::unordered_map<int, std::function<void()>> waiting_;
    std::unordered_map<int, bool> added_;  // fds in the epoll set
    std::thread thread_;
};

}  // namespace camx::ctld
