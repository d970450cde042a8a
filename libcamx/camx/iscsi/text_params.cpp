// SPDX-License-Identifier: BSD-2-Clause
#include "camx/iscsi/text_params.hpp"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "camx/text/text.hpp"

namespace camx::iscsi {

bool valid_key_name(std::string_view key) {
    if (key.empty()) return false;
    return std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '+' || c == '@' || c == '_';
    });
}

TextList decode_text(ByteView data, const TextLimits& limits) {
    if (data.size() > limits.max_total_bytes)
        throw Error(Category::malformed, fmt::format("text of {} bytes exceeds the {} byte limit",
                                                     data.size(), limits.max_total_bytes));
    TextList out;
    std::unordered_set<std::string> seen;
    std::size_t off = 0;
    while (off < data.size()) {
        auto end = std::find(data.begin() + static_cast<std::ptrdiff_t>(off), data.end(), 0);
        if (end == data.end())
            throw Error(Category::malformed,
                        fmt::format("text pair at offset {} is not NUL terminated", off));
        std::string_view pair(reinterpret_cast<const char*>(data.data()) + off,
                              static_cast<std::size_t>(end - data.begin()) - off);
        std::size_t at = off;
        off += pair.size() + 1;
        if (pair.empty()) continue;
        std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos)
            throw Error(Category::malformed,
                        fmt::format("text pair at offset {} has no '=': \"{}\"", at,
                                    text::escaped(ByteView(data).subspan(at, pair.size()))));
        std::string_view key = pair.substr(0, eq);
        std::string_view value = pair.substr(eq + 1);
        if (key.size() > limits.max_key_bytes || !valid_key_name(key))
            throw Error(Category::malformed,
                        fmt::format("invalid key name \"{}\" at offset {}",
                                    text::escaped(ByteView(data).subspan(at, eq)), at));
        if (value.size() > limits.max_value_bytes)
            throw Error(Category::malformed,
                        fmt::format("value of {} is {} bytes, over the {} byte limit", key,
                                    value.size(), limits.max_value_bytes));
        if (!limits.allow_duplicates && !seen.emplace(key).second)
            throw Error(Category::malformed, fmt::format("key {} appears more than once", key));
        if (out.size() == limits.max_pairs)
            throw Error(Category::malformed,
                        fmt::format("more than {} key=value pairs", limits.max_pairs));
        out.push_back({std::string(key), std::string(value)});
    }
    return out;
}

Bytes encode_text(const TextList& pairs) {
    Bytes out;
    for (const auto& kv : pairs) {
        if (!valid_key_name(kv.key))
            throw Error(Category::usage, fmt::format("invalid key name \"{}\"", kv.key));
        if (kv.value.find('\0') != std::string::npos)
            throw Error(Category::usage, fmt::format("value of {} contains a NUL", kv.key));
        out.insert(out.end(), kv.key.begin(), kv.key.end());
        out.push_back('=');
        out.insert(out.end(), kv.value.begin(), kv.value.end());
        out.push_back(0);
    }
    return out;
}

const std::string* find_value(const TextList& pairs, std::string_view key) {
    for (const auto& kv : pairs)
        if (kv.key == key) return &kv.value;
    return nullptr;
}

}  // namespace camx::iscsi
