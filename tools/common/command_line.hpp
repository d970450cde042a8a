// SPDX-License-Identifier: BSD-2-Clause
// The command-line conventions of every camx tool (camctl, encctl, ctladm, ctld) in one
// place: --version, and argument errors as one line naming what was wrong, exit 1.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "camx/error/error.hpp"

namespace camx::cli {

// "TOOL 0.1.0": what --version prints.
std::string version_line(std::string_view tool);

// --version, and no help dump after an error: the tool prints one line and a hint.
void configure(CLI::App& app, std::string_view tool);

// A parse error as Error(usage) whose message names the unknown command or option (with the
// commands to choose from) instead of CLI11's "A subcommand is required".
Error usage_error(const CLI::App& app, const CLI::ParseError& e);

// -j or --json anywhere before "--": a parse error then still prints one JSON document.
bool wants_json(int argc, const char* const* argv);

// Prints an error the tool's way (text or JSON) and returns the exit code.
using Reporter = std::function<int(const Error&)>;

// Parses argv. Returns an exit code when the tool is done: 0 after --help or --version, 1 after
// an argument error (given to report, then a hint on stderr), 1 with the help on stderr for
// a tool that needs a command and got nothing. nullopt: run the parsed command.
std::optional<int> parse(CLI::App& app, int argc, char** argv, const Reporter& report);

// An option whose value is one of a few words: "unknown WHAT 'x' (valid: a, b, c)".
CLI::Validator one_of(std::string what, std::vector<std::string> valid);

}  // namespace camx::cli
