// SPDX-License-Identifier: BSD-2-Clause
// Unit attention queues per I_T nexus.
#include "camx/ctl/ua.hpp"

#include <algorithm>

namespace camx::ctl {

std::deque<UaCode>& UnitAttentions::queue(const ItKey& it) {
    auto [pos, inserted] = queues_.try_emplace(it);
    if (inserted) pos->second.push_back(ua::power_on);
    return pos->second;
}

void UnitAttentions::establish(const ItKey& it, UaCode code) {
    auto& q = queue(it);
    if (code.asc == 0x29) {
        q.clear();
    } else if (!q.empty() && q.front().asc == 0x29) {
        return;  // a pending reset condition already tells the initiator to re-read everything
    }
    if (std::find(q.begin(), q.end(), code) == q.end()) q.push_back(code);
}

void UnitAttentions::establish_all(UaCode code, const ItKey* except) {
    for (auto& [it, q] : queues_) {
        if (except && it == *except) continue;
        establish(it, code);
    }
}

std::optional<UaCode> UnitAttentions::peek(const ItKey& it) {
    auto& q = queue(it);
    if (q.empty()) return std::nullopt;
    return q.front();
}

std::optional<UaCode> UnitAttentions::take(const ItKey& it) {
    auto& q = queue(it);
    if (q.empty()) return std::nullopt;
    UaCode c = q.front();
    q.pop_front();
    return c;
}

void UnitAttentions::clear(const ItKey& it) {
    queue(it).clear();
}

}  // namespace camx::ctl
