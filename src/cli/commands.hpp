#pragma once
// The subcommands of the `onehop` binary. Each `add_*_command` registers one subcommand, its
// options and its help on the top-level app; main() calls one per subcommand, so adding a command
// is one line there.
//
// When its subcommand is chosen, the command runs inside CLI11's parse (as the subcommand's
// callback). It reports a failure by printing one line to stderr and throwing
// CLI::RuntimeError(exit_code), which run_app() turns into the process's exit code without printing
// anything more.

#include <CLI/CLI.hpp>

namespace onehop::cli {

// Exit codes shared by every command.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;  // the work failed (I/O error, rejected input line)
inline constexpr int exit_usage = 2;    // bad flags, values or environment: nothing was done

// Sets what every command shares: one-line error messages, a required subcommand.
void configure_app(CLI::App& app);

// Parses argv and runs the chosen command; returns the process exit code.
int run_app(CLI::App& app, int argc, char** argv);

// Prints `onehop <command>: <message>` as one line on stderr and throws
// CLI::RuntimeError(exit_code). For commands' callbacks only.
[[noreturn]] void fail(std::string_view command, std::string_view message, int exit_code);

void add_presign_command(CLI::App& app);
void add_store_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_dev_command(CLI::App& app);
void add_upload_command(CLI::App& app);

}  // namespace onehop::cli
