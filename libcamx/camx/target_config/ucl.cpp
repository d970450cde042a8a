// SPDX-License-Identifier: BSD-2-Clause
#include "camx/target_config/ucl.hpp"

#include <fmt/format.h>

#include "camx/error/error.hpp"

namespace camx::target_config::ucl {

std::string Location::str() const {
    return fmt::format("{}:{}:{}", file, line, column);
}

namespace {

constexpr std::size_t kMaxInput = 16u << 20;
constexpr int kMaxDepth = 32;

enum class Kind { word, string, lbrace, rbrace, lbracket, rbracket, assign, semicolon, comma, end };

struct Token {
    Kind kind = Kind::end;
    std::string text;
    Location where;
    bool newline_before = false;  // a line break separates it from the previous token
};

[[noreturn]] void fail(const Location& at, const std::string& message) {
    throw Error(Category::usage, fmt::format("{}: {}", at.str(), message));
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool ends_bare_word(char c) {
    return is_space(c) || c == '{' || c == '}' || c == '[' || c == ']' || c == ';' || c == ',' ||
           c == '=' || c == '"' || c == '\'' || c == '#';
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Lexer {
  public:
    Lexer(std::string_view text, const std::string& file) : text_(text), file_(file) {}

    Token next() {
        bool newline = skip_blank();
        Token t;
        t.where = here();
        t.newline_before = newline;
        if (pos_ >= text_.size()) return t;
        char c = text_[pos_];
        switch (c) {
            case '{':
                return single(t, Kind::lbrace);
            case '}':
                return single(t, Kind::rbrace);
            case '[':
                return single(t, Kind::lbracket);
            case ']':
                return single(t, Kind::rbracket);
            case '=':
            case ':':
                return single(t, Kind::assign);
            case ';':
                return single(t, Kind::semicolon);
            case ',':
                return single(t, Kind::comma);
            case '"':
            case '\'':
                t.kind = Kind::string;
                t.text = quoted(c);
                return t;
            default:
                break;
        }
        t.kind = Kind::word;
        std::size_t start = pos_;
        while (pos_ < text_.size() && !ends_bare_word(text_[pos_])) {
            check_printable(text_[pos_]);
            advance();
        }
        t.text = std::string(text_.substr(start, pos_ - start));
        return t;
    }

  private:
    Location here() const { return Location{file_, line_, column_}; }

    void advance() {
        if (text_[pos_] == '\n') {
            ++line_;
            column_ = 1;
        } else {
            ++column_;
        }
        ++pos_;
    }

    Token single(Token& t, Kind k) {
        t.kind = k;
        t.text = std::string(1, text_[pos_]);
        advance();
        return t;
    }

    void check_printable(char c) const {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\t') fail(here(), fmt::format("control character 0x{:02x}", u));
        if (u == 0x7F) fail(here(), "control character 0x7f");
    }

    // Skips white space and comments; true when a line break was crossed.
    bool skip_blank() {
        bool newline = false;
        while (pos_ < text_.size()) {
            char c = text_[pos_];
            if (is_space(c)) {
                newline |= c == '\n';
                advance();
            } else if (c == '#' || (c == '/' && peek(1) == '/')) {
                while (pos_ < text_.size() && text_[pos_] != '\n') advance();
            } else if (c == '/' && peek(1) == '*') {
                Location start = here();
                advance();
                advance();
                while (pos_ < text_.size() && !(text_[pos_] == '*' && peek(1) == '/')) {
                    newline |= text_[pos_] == '\n';
                    advance();
                }
                if (pos_ >= text_.size()) fail(start, "unterminated comment");
                advance();
                advance();
            } else {
                break;
            }
        }
        return newline;
    }

    char peek(std::size_t ahead) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }

    std::string quoted(char quote) {
        Location start = here();
        advance();
        std::string out;
        while (true) {
            if (pos_ >= text_.size() || text_[pos_] == '\n') fail(start, "unterminated string");
            char c = text_[pos_];
            if (c == quote) {
                advance();
                return out;
            }
            if (c == '\\') {
                advance();
                if (pos_ >= text_.size()) fail(start, "unterminated string");
                out += escape(quote);
                continue;
            }
            check_printable(c);
            out += c;
            advance();
        }
    }

    // The character(s) an escape stands for; the backslash has been consumed.
    std::string escape(char quote) {
        Location at = here();
        char c = text_[pos_];
        advance();
        if (quote == '\'') {
            if (c == '\'' || c == '\\') return std::string(1, c);
            return std::string{'\\', c};
        }
        switch (c) {
            case '"':
                return "\"";
            case '\\':
                return "\\";
            case '/':
                return "/";
            case 'n':
                return "\n";
            case 't':
                return "\t";
            case 'r':
                return "\r";
            case 'b':
                return "\b";
            case 'f':
                return "\f";
            case 'u': {
                std::uint32_t cp = 0;
                for (int i = 0; i < 4; ++i) {
                    if (pos_ >= text_.size()) fail(at, "truncated \\u escape");
                    char h = text_[pos_];
                    int v = (h >= '0' && h <= '9')   ? h - '0'
                            : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                            : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                     : -1;
                    if (v < 0) fail(at, "bad \\u escape");
                    cp = cp * 16 + static_cast<std::uint32_t>(v);
                    advance();
                }
                if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                    fail(at, fmt::format("\\u{:04x} is not allowed", cp));
                std::string out;
                append_utf8(out, cp);
                return out;
            }
            default:
                fail(at, fmt::format("unknown escape '\\{}'", c));
        }
    }

    std::string_view text_;
    const std::string& file_;
    std::size_t pos_ = 0;
    int line_ = 1;
    int column_ = 1;
};

std::string describe(const Token& t) {
    switch (t.kind) {
        case Kind::end:
            return "end of input";
        case Kind::word:
            return fmt::format("'{}'", t.text);
        case Kind::string:
            return fmt::format("string \"{}\"", t.text);
        default:
            return fmt::format("'{}'", t.text);
    }
}

class Parser {
  public:
    Parser(std::string_view text, const std::string& file) : lexer_(text, file) { shift(); }

    Object document() {
        Object top;
        top.where = tok_.where;
        top.where.line = 1;
        top.where.column = 1;
        body(top, nullptr, 0);
        return top;
    }

  private:
    void shift() { tok_ = lexer_.next(); }

    static Scalar scalar(const Token& t) { return Scalar{t.text, t.kind == Kind::string, t.where}; }
    static bool is_scalar(const Token& t) { return t.kind == Kind::word || t.kind == Kind::string; }

    // Entries up to the closing brace (opened at `open`) or, at top level, the end of input.
    void body(Object& obj, const Location* open, int depth) {
        while (true) {
            if (tok_.kind == Kind::end) {
                if (open) fail(*open, "unterminated '{'");
                return;
            }
            if (tok_.kind == Kind::rbrace) {
                if (!open) fail(tok_.where, "unexpected '}'");
                shift();
                return;
            }
            if (tok_.kind == Kind::semicolon || tok_.kind == Kind::comma) {
                shift();
                continue;
            }
            if (!is_scalar(tok_))
                fail(tok_.where, fmt::format("expected a key, found {}", describe(tok_)));
            obj.entries.push_back(entry(depth));
        }
    }

    Entry entry(int depth) {
        Entry e;
        e.key = scalar(tok_);
        if (tok_.kind == Kind::word && e.key.text.size() > 1 && e.key.text.back() == ':') {
            e.key.text.pop_back();
            e.assigned = true;
        }
        shift();
        if (!e.assigned && tok_.kind == Kind::assign && !tok_.newline_before) {
            e.assigned = true;
            shift();
        }
        bool closed_block = false;
        if (e.assigned) {
            if (is_scalar(tok_)) {
                e.args.push_back(scalar(tok_));
                shift();
            } else if (tok_.kind == Kind::lbrace || tok_.kind == Kind::lbracket) {
                closed_block = true;
                block(e, depth);
            } else {
                fail(tok_.where, fmt::format("expected a value for '{}', found {}", e.key.text,
                                             describe(tok_)));
            }
        } else {
            while (is_scalar(tok_) && !tok_.newline_before) {
                e.args.push_back(scalar(tok_));
                shift();
            }
            if (tok_.kind == Kind::lbrace || tok_.kind == Kind::lbracket) {
                closed_block = true;
                block(e, depth);
            } else if (e.args.empty()) {
                fail(e.key.where, fmt::format("'{}' has no value", e.key.text));
            }
        }
        if (tok_.kind == Kind::semicolon || tok_.kind == Kind::comma) {
            shift();
        } else if (!closed_block && tok_.kind != Kind::rbrace && tok_.kind != Kind::end &&
                   !tok_.newline_before) {
            fail(tok_.where, fmt::format("expected ';' or a new line after '{}', found {}",
                                         e.key.text, describe(tok_)));
        }
        return e;
    }

    void block(Entry& e, int depth) {
        if (depth + 1 > kMaxDepth) fail(tok_.where, "nesting too deep");
        if (tok_.kind == Kind::lbrace) {
            e.object = std::make_shared<Object>(object(depth + 1));
        } else {
            e.array = std::make_shared<Array>(array(depth + 1));
        }
    }

    Object object(int depth) {
        Object o;
        o.where = tok_.where;
        shift();
        body(o, &o.where, depth);
        return o;
    }

    Array array(int depth) {
        Array a;
        a.where = tok_.where;
        shift();
        while (true) {
            if (tok_.kind == Kind::rbracket) {
                shift();
                return a;
            }
            if (tok_.kind == Kind::end) fail(a.where, "unterminated '['");
            Element el;
            if (is_scalar(tok_)) {
                el.scalar = scalar(tok_);
                shift();
            } else if (tok_.kind == Kind::lbrace) {
                if (depth + 1 > kMaxDepth) fail(tok_.where, "nesting too deep");
                el.scalar.where = tok_.where;
                el.object = std::make_shared<Object>(object(depth + 1));
            } else {
                fail(tok_.where,
                     fmt::format("expected an array element, found {}", describe(tok_)));
            }
            a.elements.push_back(std::move(el));
            if (tok_.kind == Kind::comma) {
                shift();
            } else if (tok_.kind != Kind::rbracket) {
                fail(tok_.where, fmt::format("expected ',' or ']', found {}", describe(tok_)));
            }
        }
    }

    Lexer lexer_;
    Token tok_;
};

}  // namespace

Object parse(std::string_view text, const std::string& file) {
    if (text.size() > kMaxInput)
        throw Error(Category::usage, fmt::format("{}: larger than {} bytes", file, kMaxInput));
    return Parser(text, file).document();
}

}  // namespace camx::target_config::ucl
