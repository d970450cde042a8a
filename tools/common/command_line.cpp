// SPDX-License-Identifier: BSD-2-Clause
#include "command_line.hpp"

#include <fmt/format.h>

#include <iostream>

namespace camx::cli {
namespace {

// The subcommand the parse got furthest into (the app itself when none).
const CLI::App& deepest(const CLI::App& app) {
    for (const CLI::App* sub : app.get_subcommands()) return deepest(*sub);
    return app;
}

// "ctladm create": the words a user types to reach app.
std::string command_path(const CLI::App& app) {
    std::string path = app.get_name();
    for (const CLI::App* p = app.get_parent(); p != nullptr; p = p->get_parent())
        path = p->get_name() + " " + path;
    return path;
}

std::string commands_of(const CLI::App& app) {
    std::string out;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        out += (out.empty() ? "" : ", ") + sub->get_name();
    return out;
}

// An argument CLI11 could not place: an option nobody declares, or a word too many.
std::string unknown(const CLI::App& where, const std::string& arg) {
    std::string in = where.get_parent() != nullptr ? where.get_name() + ": " : "";
    if (arg.size() > 1 && arg[0] == '-') return fmt::format("{}unknown option '{}'", in, arg);
    return fmt::format("{}unexpected argument '{}'", in, arg);
}

bool wants_command(const CLI::App& app) {
    return app.get_require_subcommand_min() > 0;
}

}  // namespace

std::string version_line(std::string_view tool) {
    return fmt::format("{} {}", tool, CAMX_VERSION);
}

void configure(CLI::App& app, std::string_view tool) {
    // Messages and the usage line name the tool, not the path it was started by.
    app.name(std::string(tool));
    app.set_version_flag("--version", version_line(tool), "Print the version and exit");
    app.failure_message(CLI::FailureMessage::simple);
}

Error usage_error(const CLI::App& app, const CLI::ParseError& e) {
    const CLI::App& where = deepest(app);
    std::vector<std::string> left = app.remaining(true);
    // CLI11 checks that a command was given before it complains about words it did not
    // know, so "camctl nope" and "camctl --bogus" both read "A subcommand is required".
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && &where == &app &&
        wants_command(app) && app.get_subcommands().empty()) {
        if (left.empty())
            return Error(Category::usage,
                         fmt::format("a command is required (commands: {})", commands_of(app)));
        const std::string& first = left.front();
        if (first.size() > 1 && first[0] == '-')
            return Error(Category::usage, fmt::format("unknown option '{}'", first));
        return Error(Category::usage,
                     fmt::format("unknown command '{}' (commands: {})", first, commands_of(app)));
    }
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr && !left.empty())
        return Error(Category::usage, unknown(where, left.front()));
    std::string in = where.get_parent() != nullptr ? where.get_name() + ": " : "";
    return Error(Category::usage, in + e.what());
}

bool wants_json(int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--") break;
        if (a == "-j" || a == "--json") return true;
    }
    return false;
}

std::optional<int> parse(CLI::App& app, int argc, char** argv, const Reporter& report) {
    if (argc < 2 && wants_command(app)) {
        std::cerr << app.help();
        return exit_code(Category::usage);
    }
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help or --version, on stdout
    } catch (const CLI::ParseError& e) {
        const int rc = report(usage_error(app, e));
        if (!wants_json(argc, argv))
            std::cerr << fmt::format("{}: run '{} --help' for usage\n", app.get_name(),
                                     command_path(deepest(app)));
        return rc;
    }
}

CLI::Validator one_of(std::string what, std::vector<std::string> valid) {
    std::string list;
    for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
    return CLI::Validator(
        [what = std::move(what), valid = std::move(valid), list](std::string& value) {
            for (const auto& v : valid)
                if (value == v) return std::string();
            return fmt::format("unknown {} '{}' (valid: {})", what, value, list);
        },
        list);
}

}  // namespace camx::cli
