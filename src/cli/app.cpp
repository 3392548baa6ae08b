#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.hpp"

namespace onehop::cli {
namespace {

// Everything CLI11 reports must fit on one line: a newline inside a message (CLI11 joins some
// lists with one) becomes "; ".
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      if (!out.empty() && out.back() != ' ') {
        out += "; ";
      }
      continue;
    }
    out += c;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) {
    out.pop_back();
  }
  return out;
}

std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  const CLI::App* current = &app;
  // The deepest subcommand that was selected names the command in the message.
  for (;;) {
    auto selected = current->get_subcommands();
    if (selected.empty()) {
      break;
    }
    current = selected.front();
    path += ' ';
    path += current->get_name();
  }
  return path;
}

}  // namespace

void configure_app(CLI::App& app) {
  app.require_subcommand(1);
  app.footer(
      "Run `onehop <command> --help` for a command's options.\n"
      "Exit status: 0 on success, 1 when the work failed, 2 for bad usage or input.\n");
  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    return command_path(*failed) + ": " + one_line(e.what()) + " (see --help)\n";
  });
}

int run_app(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    // A command already printed its one line.
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == exit_ok ? exit_ok : exit_usage;
  }
  return exit_ok;
}

void fail(std::string_view command, std::string_view message, int exit_code) {
  std::string line = "onehop ";
  line += command;
  line += ": ";
  line += one_line(message);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  throw CLI::RuntimeError(exit_code);
}

}  // namespace onehop::cli
