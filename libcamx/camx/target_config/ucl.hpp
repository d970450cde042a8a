// SPDX-License-Identifier: BSD-2-Clause
// A strict parser for the subset of UCL that ctl.conf uses, keeping the line and column of
// every token so that configuration errors can name where they are.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace camx::target_config::ucl {

struct Location {
    std::string file;
    int line = 0;    // 1-based
    int column = 0;  // 1-based, in bytes
    // "file:line:column"
    std::string str() const;
};

// A scalar keeps its text as written (unquoted, escapes resolved); its meaning (string,
// number with suffix, boolean) depends on the key it belongs to, so "0012" stays a string
// for a serial number and becomes 12 for a size.
struct Scalar {
    std::string text;
    bool quoted = false;
    Location where;
};

struct Entry;

// An object is the ordered list of its entries; repeated keys are kept, each in place.
struct Object {
    std::vector<Entry> entries;
    Location where;  // the opening brace, or the start of the document
};

struct Array;

// What follows a key: zero or more scalars on the key's line ("chap user secret",
// "lun 0 name", "target \"iqn...\""), then optionally an object or an array.
struct Entry {
    Scalar key;
    std::vector<Scalar> args;
    std::shared_ptr<Object> object;  // set for "key [args] { ... }"
    std::shared_ptr<Array> array;    // set for "key [ ... ]"
    bool assigned = false;           // written "key = value" or "key: value"
};

// Array elements are scalars or objects.
struct Element {
    Scalar scalar;
    std::shared_ptr<Object> object;
};

struct Array {
    std::vector<Element> elements;
    Location where;
};

// Parses a whole document (an implicit top-level object). Throws camx::Error(usage) with
// "file:line:column: message" on the first syntax error. Nesting deeper than 32 levels and
// inputs over 16 MiB are rejected.
Object parse(std::string_view text, const std::string& file);

}  // namespace camx::target_config::ucl
