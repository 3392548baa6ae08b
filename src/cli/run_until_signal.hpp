#pragma once
// Waiting for SIGINT/SIGTERM in long-running commands. Construct before any thread starts: the
// signals are blocked so every thread inherits the mask and only wait() receives them.

#include <pthread.h>
#include <signal.h>

namespace onehop::cli {

class stop_signals {
 public:
  stop_signals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  // Blocks until one arrives; returns it.
  int wait() const {
    int received = 0;
    sigwait(&set_, &received);
    return received;
  }

 private:
  sigset_t set_{};
};

}  // namespace onehop::cli
