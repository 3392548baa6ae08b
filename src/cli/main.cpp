#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"onehop: direct-to-storage uploads for web apps"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
