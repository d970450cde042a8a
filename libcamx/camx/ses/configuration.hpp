// SPDX-License-Identifier: BSD-2-Clause
// SES Configuration diagnostic page (0x01) and the element index derived from it: the
// type layout every other element-bearing page (0x02, 0x05, 0x07, 0x0A) is decoded against.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "camx/bytes/bytes.hpp"
#include "camx/ses/element.hpp"

namespace camx::ses {

// One enclosure descriptor (primary or secondary subenclosure).
struct Subenclosure {
    std::uint8_t relative_es_process_id = 0;  // 3 bits
    std::uint8_t es_process_count = 0;        // 3 bits
    std::uint8_t subenclosure_id = 0;
    std::uint8_t type_header_count = 0;  // type descriptor headers this subenclosure declares
    std::uint64_t logical_identifier = 0;
    std::array<std::uint8_t, 8> vendor{};  // as sent (space or NUL padded)
    std::array<std::uint8_t, 16> product{};
    std::array<std::uint8_t, 4> revision{};
    Bytes vendor_specific;
    // Bytes of a descriptor shorter than the 36 fixed bytes, kept as sent.
    Bytes short_body;

    std::string vendor_text() const;
    std::string product_text() const;
    std::string revision_text() const;
    bool operator==(const Subenclosure&) const = default;
};

struct TypeHeader {
    ElementType type = ElementType::unspecified;
    std::uint8_t possible_elements = 0;
    std::uint8_t subenclosure_id = 0;
    Bytes text;  // type descriptor text as sent

    std::string text_string() const;
    bool operator==(const TypeHeader&) const = default;
};

struct Configuration {
    std::uint32_t generation_code = 0;
    std::vector<Subenclosure> subenclosures;  // primary first
    std::vector<TypeHeader> types;
    Bytes extra;  // bytes after the last type descriptor text, inside the page length
    std::vector<std::string> warnings;

    // Individual elements (overall elements excluded).
    std::size_t element_count() const;

    static Configuration decode(ByteView page);
    Bytes encode() const;
    bool operator==(const Configuration&) const = default;
};

void to_json(nlohmann::json& j, const Configuration& c);

// Where an element sits in the type layout.
struct ElementRef {
    std::size_t type_index = 0;  // position of its type descriptor header
    ElementType type = ElementType::unspecified;
    std::uint8_t subenclosure_id = 0;
    std::optional<std::size_t> element;  // nullopt: the overall element of the type
    bool operator==(const ElementRef&) const = default;
};

// SES element numbering computed once from the Configuration page. Status/control, threshold
// and element descriptor pages list, per type header, one overall element then the
// individual ones. An element index counts individual elements only (EIIOE=0) or every
// element including the overall ones (EIIOE=1).
class ElementIndex {
  public:
    ElementIndex() = default;
    explicit ElementIndex(const Configuration& config);

    struct Layout {
        ElementType type;
        std::uint8_t subenclosure_id;
        std::size_t count;             // individual elements
        std::size_t first_individual;  // index of element 0, overall elements excluded
        std::size_t overall_position;  // index of the overall element, overall included
    };
    const std::vector<Layout>& types() const { return types_; }
    std::size_t individual_count() const { return individual_; }
    std::size_t total_count() const { return individual_ + types_.size(); }

    // Resolves an element index; nullopt if out of range.
    std::optional<ElementRef> resolve(std::size_t index, bool includes_overall) const;
    // The index of an individual element (or of the overall element, which only exists
    // when overall elements are counted).
    std::optional<std::size_t> index_of(const ElementRef& ref, bool includes_overall) const;

  private:
    std::vector<Layout> types_;
    std::size_t individual_ = 0;
};

}  // namespace camx::ses
