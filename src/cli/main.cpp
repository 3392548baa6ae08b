#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"onehop: direct-to-storage uploads for web apps", "onehop"};
  onehop::cli::configure_app(app);

  onehop::cli::add_presign_command(app);
  onehop::cli::add_store_command(app);

  return onehop::cli::run_app(app, argc, argv);
}
