#pragma once
// Running blocking work (fsync, SQLite, libpq) off the I/O threads.
//
// `co_await asio::post(pool, use_awaitable)` does NOT move a coroutine onto the pool: the
// coroutine always resumes on its own executor, so the "blocking" code after it would still run
// on the I/O thread. run_blocking instead posts the function itself to the pool and, once it has
// returned, posts the completion back to the awaiting coroutine's executor, so the coroutine
// resumes on its own io_context thread. A work guard keeps that io_context alive meanwhile.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace onehop::http {

namespace detail {

inline boost::asio::awaitable<void> run_on_pool(boost::asio::thread_pool& pool,
                                                std::function<void()> work) {
  namespace asio = boost::asio;
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr)>(
      [&pool](auto handler, std::function<void()> fn) {
        auto guard = asio::make_work_guard(asio::get_associated_executor(handler));
        asio::post(pool, [handler = std::move(handler), fn = std::move(fn),
                          guard = std::move(guard)]() mutable {
          std::exception_ptr failure;
          try {
            fn();
          } catch (...) {
            failure = std::current_exception();
          }
          auto home = guard.get_executor();
          asio::post(home, [handler = std::move(handler), failure]() mutable {
            std::move(handler)(failure);
          });
          guard.reset();
        });
      },
      asio::use_awaitable, std::move(work));
}

}  // namespace detail

// Runs `f()` on `pool` and returns its result to the calling coroutine, which resumes on its
// own executor. An exception thrown by `f` is rethrown in the coroutine (a bug, per house rules:
// report expected failures as values).
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> run_blocking(boost::asio::thread_pool& pool, F f) {
  using value_type = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<value_type>) {
    co_await detail::run_on_pool(pool, [&f] { f(); });
  } else {
    std::optional<value_type> out;
    co_await detail::run_on_pool(pool, [&f, &out] { out.emplace(f()); });
    co_return std::move(*out);
  }
}

}  // namespace onehop::http
