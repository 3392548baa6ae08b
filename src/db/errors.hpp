#pragma once
// Errors of the record store. Every failure is one `db_error`: a code from the fixed list below
// (what the caller can act on) and a message for the log (SQLite's own text, never user data the
// API would echo). The API maps not_found to 404, conflict to 409 and the rest to 500/503.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace onehop::db {

enum class errc {
  not_found,       // no such record for this user (another user's record is "not found" too)
  conflict,        // a unique column is taken (id or key), or the state does not allow it
  busy,            // the database stayed locked past the busy timeout, or the write queue is full
  io_error,        // the file system failed (disk full, I/O error, cannot open)
  corrupt,         // the file is not a database we understand (damaged, or a newer schema)
  invalid_cursor,  // a paging cursor that this store did not produce
};

struct db_error {
  errc code = errc::io_error;
  std::string message;
};

inline db_error make_error(errc code, std::string message) {
  return db_error{code, std::move(message)};
}

// result<T>::value() on an error is a bug (callers check first); boost::system::result finds
// this by argument-dependent lookup.
[[noreturn]] inline void throw_exception_from_error(const db_error& e,
                                                    const boost::source_location&) {
  throw std::logic_error("db_error: " + e.message);
}

template <class T>
using result = boost::system::result<T, db_error>;

}  // namespace onehop::db
