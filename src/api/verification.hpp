#pragma once
// Completion's proof that the stored object is what the upload declared, before anything is
// recorded: it exists; its size and Content-Type are the declared ones; its SHA-256 matches when
// one was declared (the storage's own checksum when it kept one, else the object is read and
// hashed); its first bytes are the declared image format, whose width and height are read from
// the header.

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <string>

#include "api/errors.hpp"
#include "api/metrics.hpp"
#include "db/repository.hpp"
#include "s3client/client.hpp"

namespace onehop::api {

struct verified_object {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::string etag;
};

struct verification_failure {
  api_error error;
  // True when the object is wrong (delete it, forget the upload); false when the upload may still
  // succeed (the object is not there yet, or the storage did not answer).
  bool discard = false;
};

boost::asio::awaitable<boost::system::result<verified_object, verification_failure>>
verify_stored_object(s3client::client& storage, const db::pending_upload& upload);

// What the storage holds for a pending upload goes: the multipart upload is aborted, the object
// deleted. Errors only when the storage could not be reached.
boost::asio::awaitable<result<void>> remove_stored(s3client::client& storage,
                                                   const db::pending_upload& upload);

// The storage client's error as the API answers it: 503 storage_unavailable when it did not
// answer, 500 otherwise.
api_error storage_error(const s3client::s3_error& e);

}  // namespace onehop::api
