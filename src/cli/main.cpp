#include <signal.h>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  // A peer that hangs up mid-response must fail that write (EPIPE), not kill the process.
  ::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"onehop: direct-to-storage uploads for web apps", "onehop"};
  onehop::cli::configure_app(app);

  onehop::cli::add_presign_command(app);
  onehop::cli::add_store_command(app);
  onehop::cli::add_serve_command(app);
  onehop::cli::add_dev_command(app);
  onehop::cli::add_upload_command(app);

  return onehop::cli::run_app(app, argc, argv);
}
