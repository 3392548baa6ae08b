// The client against a real embedded store, in-process on 127.0.0.1:0.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "s3client/client.hpp"
#include "sigv4/encoding.hpp"
#include "test_support.hpp"

namespace onehop::s3client {
namespace {

using testing::local_store;
using testing::run;

class client_store : public ::testing::Test {
 protected:
  local_store store_;
  asio::io_context ioc_;
  client client_{store_.config()};

  template <class T>
  T call(asio::awaitable<T> aw) {
    return run(ioc_, std::move(aw));
  }
};

std::string pattern(std::size_t size, char seed) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[i] = static_cast<char>(seed + static_cast<char>(i * 7 % 61));
  }
  return out;
}

TEST_F(client_store, put_head_get_range_delete_round_trip) {
  const std::string body = "0123456789abcdef";
  ASSERT_TRUE(call(client_.put_object("dir/a.txt", body, "text/plain")));

  auto info = call(client_.head_object("dir/a.txt"));
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_EQ(info->size, body.size());
  EXPECT_EQ(info->content_type, "text/plain");
  EXPECT_EQ(info->checksum_sha256, sigv4::base64_encode(sigv4::sha256(body)));
  EXPECT_EQ(info->etag.front(), '"');
  EXPECT_GT(info->last_modified.time_since_epoch().count(), 0);

  auto range = call(client_.get_range("dir/a.txt", 2, 5));
  ASSERT_TRUE(range) << describe(range.error());
  EXPECT_EQ(*range, "2345");
  // A range past the end is cut at the end of the object, as S3 does.
  auto tail = call(client_.get_range("dir/a.txt", 14, 4000));
  ASSERT_TRUE(tail);
  EXPECT_EQ(*tail, "ef");

  ASSERT_TRUE(call(client_.delete_object("dir/a.txt")));
  auto gone = call(client_.head_object("dir/a.txt"));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, errc::not_found);
  EXPECT_EQ(gone.error().http_status, 404u);
}

TEST_F(client_store, keys_with_reserved_bytes_round_trip) {
  const std::string key = "odd/a b+c%20d?e=f&g#h ü.txt";
  ASSERT_TRUE(call(client_.put_object(key, "x", "")));
  auto info = call(client_.head_object(key));
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_EQ(info->size, 1u);
  auto page = call(client_.list_objects("odd/", ""));
  ASSERT_TRUE(page) << describe(page.error());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, key);
}

TEST_F(client_store, missing_objects_map_to_not_found) {
  auto head = call(client_.head_object("missing"));
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().code, errc::not_found);
  EXPECT_EQ(head.error().s3_code, "NotFound");  // HEAD has no body to name the code

  auto range = call(client_.get_range("missing", 0, 10));
  ASSERT_FALSE(range);
  EXPECT_EQ(range.error().code, errc::not_found);
  EXPECT_EQ(range.error().s3_code, "NoSuchKey");

  auto digest = call(client_.sha256_of("missing", 100));
  ASSERT_FALSE(digest);
  EXPECT_EQ(digest.error().code, errc::not_found);

  // Deleting what is not there is success (the goal state holds).
  EXPECT_TRUE(call(client_.delete_object("missing")));
  EXPECT_TRUE(call(client_.abort_multipart("missing", "no-such-upload")));

  auto parts = call(client_.list_parts("missing", "no-such-upload"));
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().code, errc::not_found);
  EXPECT_EQ(parts.error().s3_code, "NoSuchUpload");
}

TEST_F(client_store, range_errors) {
  ASSERT_TRUE(call(client_.put_object("small", "abc", "")));
  auto beyond = call(client_.get_range("small", 10, 20));
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().code, errc::bad_request);
  EXPECT_EQ(beyond.error().http_status, 416u);
  EXPECT_EQ(beyond.error().s3_code, "InvalidRange");

  // At the cap and one past it.
  EXPECT_TRUE(call(client_.get_range("small", 0, max_range_size - 1)));
  auto too_big = call(client_.get_range("small", 0, max_range_size));
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, errc::bad_request);
  auto reversed = call(client_.get_range("small", 2, 1));
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().code, errc::bad_request);
}

TEST_F(client_store, sha256_of_streams_and_honours_max_bytes) {
  const std::string body = pattern(300 * 1024 + 17, 'a');  // several read chunks
  ASSERT_TRUE(call(client_.put_object("big.bin", body, "application/octet-stream")));
  auto digest = call(client_.sha256_of("big.bin", body.size()));
  ASSERT_TRUE(digest) << describe(digest.error());
  EXPECT_EQ(*digest, sigv4::sha256(body));

  auto over = call(client_.sha256_of("big.bin", body.size() - 1));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, errc::too_large);

  ASSERT_TRUE(call(client_.put_object("empty", "", "")));
  auto empty = call(client_.sha256_of("empty", 0));
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, sigv4::sha256(""));
}

TEST_F(client_store, multipart_two_parts_of_5_mib) {
  const std::string part1 = pattern(5 << 20, 'A');
  const std::string part2 = pattern(5 << 20, 'k');
  auto id = call(client_.create_multipart("mp/big.bin", "image/png"));
  ASSERT_TRUE(id) << describe(id.error());
  EXPECT_FALSE(id->empty());

  auto e1 = call(client_.upload_part("mp/big.bin", *id, 1, part1));
  auto e2 = call(client_.upload_part("mp/big.bin", *id, 2, part2));
  ASSERT_TRUE(e1 && e2);

  auto parts = call(client_.list_parts("mp/big.bin", *id));
  ASSERT_TRUE(parts) << describe(parts.error());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].part_number, 1u);
  EXPECT_EQ((*parts)[0].etag, *e1);
  EXPECT_EQ((*parts)[0].size, part1.size());
  EXPECT_EQ((*parts)[1].part_number, 2u);
  EXPECT_EQ((*parts)[1].etag, *e2);

  auto uploads = call(client_.list_multipart_uploads("mp/"));
  ASSERT_TRUE(uploads) << describe(uploads.error());
  ASSERT_EQ(uploads->size(), 1u);
  EXPECT_EQ((*uploads)[0].key, "mp/big.bin");
  EXPECT_EQ((*uploads)[0].upload_id, *id);

  const std::vector<completed_part> done{{1, *e1}, {2, *e2}};
  auto etag = call(client_.complete_multipart("mp/big.bin", *id, done));
  ASSERT_TRUE(etag) << describe(etag.error());
  EXPECT_TRUE(etag->ends_with("-2\"")) << *etag;

  auto info = call(client_.head_object("mp/big.bin"));
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_EQ(info->size, part1.size() + part2.size());
  EXPECT_EQ(info->content_type, "image/png");
  auto digest = call(client_.sha256_of("mp/big.bin", 20 << 20));
  ASSERT_TRUE(digest);
  EXPECT_EQ(*digest, sigv4::sha256(part1 + part2));

  auto after = call(client_.list_multipart_uploads("mp/"));
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
}

TEST_F(client_store, complete_with_a_bad_part_is_bad_request) {
  auto id = call(client_.create_multipart("mp/bad.bin", ""));
  ASSERT_TRUE(id);
  auto e1 = call(client_.upload_part("mp/bad.bin", *id, 1, "tiny"));
  ASSERT_TRUE(e1);
  const std::vector<completed_part> wrong{{1, "\"00000000000000000000000000000000\""}};
  auto etag = call(client_.complete_multipart("mp/bad.bin", *id, wrong));
  ASSERT_FALSE(etag);
  EXPECT_EQ(etag.error().code, errc::bad_request);
  EXPECT_EQ(etag.error().s3_code, "InvalidPart");
}

TEST_F(client_store, abort_and_list_multipart_uploads) {
  std::set<std::string> ids;
  for (const char* key : {"up/a", "up/b", "up/c", "other/d"}) {
    auto id = call(client_.create_multipart(key, ""));
    ASSERT_TRUE(id);
    ids.insert(*id);
  }
  EXPECT_EQ(ids.size(), 4u);
  auto listed = call(client_.list_multipart_uploads("up/"));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].key, "up/a");
  EXPECT_GT((*listed)[0].initiated.time_since_epoch().count(), 0);

  ASSERT_TRUE(call(client_.abort_multipart((*listed)[1].key, (*listed)[1].upload_id)));
  auto after = call(client_.list_multipart_uploads("up/"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), 2u);
  auto all = call(client_.list_multipart_uploads(""));
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
}

TEST_F(client_store, list_objects_pages) {
  constexpr int count = 25;
  for (int i = 0; i < count; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "list/%03d", i);
    ASSERT_TRUE(call(client_.put_object(key, std::string(static_cast<std::size_t>(i), 'x'), "")));
  }
  ASSERT_TRUE(call(client_.put_object("listless", "x", "")));

  std::vector<listed_object> all;
  std::string token;
  int pages = 0;
  do {
    auto page = call(client_.list_objects("list/", token, 10));
    ASSERT_TRUE(page) << describe(page.error());
    EXPECT_LE(page->objects.size(), 10u);
    all.insert(all.end(), page->objects.begin(), page->objects.end());
    token = page->next_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "list/%03d", i);
    EXPECT_EQ(all[static_cast<std::size_t>(i)].key, key);
    EXPECT_EQ(all[static_cast<std::size_t>(i)].size, static_cast<std::uint64_t>(i));
  }
  // max_keys at its limits.
  EXPECT_TRUE(call(client_.list_objects("", "", 1000)));
  auto zero = call(client_.list_objects("", "", 0));
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, errc::bad_request);
  EXPECT_FALSE(call(client_.list_objects("", "", 1001)));
}

TEST_F(client_store, buckets_and_cors) {
  EXPECT_TRUE(call(client_.head_bucket()));
  EXPECT_TRUE(call(client_.create_bucket()));  // already ours: success

  auto config = store_.config();
  config.bucket = "fresh-bucket";
  client other(config);
  auto missing = run(ioc_, other.head_bucket());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::not_found);
  ASSERT_TRUE(run(ioc_, other.create_bucket()));
  EXPECT_TRUE(run(ioc_, other.head_bucket()));
  EXPECT_TRUE(run(ioc_, other.put_object("k", "v", "")));

  const std::string cors =
      "<CORSConfiguration><CORSRule><AllowedOrigin>http://localhost:5173</AllowedOrigin>"
      "<AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader></CORSRule>"
      "</CORSConfiguration>";
  auto put = call(client_.put_bucket_cors(cors));
  EXPECT_TRUE(put) << describe(put.error());
  auto bad = call(client_.put_bucket_cors("<CORSConfiguration><Oops>"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, errc::bad_request);
  EXPECT_EQ(bad.error().s3_code, "MalformedXML");
}

TEST_F(client_store, wrong_secret_is_access_denied_with_s3_code) {
  auto config = store_.config();
  config.signer.creds.secret_access_key = "not-the-secret";
  client wrong(config);
  auto head = run(ioc_, wrong.head_bucket());
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().code, errc::access_denied);
  auto put = run(ioc_, wrong.put_object("k", "v", ""));
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, errc::access_denied);
  EXPECT_EQ(put.error().http_status, 403u);
  EXPECT_EQ(put.error().s3_code, "SignatureDoesNotMatch");
  // Secrets never end up in the error text.
  EXPECT_EQ(describe(put.error()).find("not-the-secret"), std::string::npos);

  config.signer.creds.access_key_id = "AKIDUNKNOWN";
  client unknown(config);
  auto list = run(ioc_, unknown.list_objects("", ""));
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, errc::access_denied);
  EXPECT_EQ(list.error().s3_code, "InvalidAccessKeyId");
}

TEST_F(client_store, sequential_calls_reuse_one_connection) {
  for (int i = 0; i < 20; ++i) {
    const std::string key = "reuse/" + std::to_string(i);
    ASSERT_TRUE(call(client_.put_object(key, "v", "")));
    ASSERT_TRUE(call(client_.head_object(key)));
    ASSERT_TRUE(call(client_.get_range(key, 0, 0)));
  }
  ASSERT_TRUE(call(client_.list_objects("reuse/", "")));
  EXPECT_EQ(store_.server().stats().connections_accepted, 1u);
  EXPECT_EQ(store_.server().stats().requests, 61u);
}

TEST_F(client_store, a_body_left_unread_does_not_poison_the_pool) {
  ASSERT_TRUE(call(client_.put_object("big", pattern(200 * 1024, 'q'), "")));
  auto over = call(client_.sha256_of("big", 10));  // refused from Content-Length, body unread
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, errc::too_large);
  auto next = call(client_.get_range("big", 0, 3));
  ASSERT_TRUE(next) << describe(next.error());
  EXPECT_EQ(*next, pattern(4, 'q'));
  EXPECT_EQ(store_.server().stats().connections_accepted, 2u);
}

TEST(client_store_threads, concurrent_calls_from_two_io_contexts) {
  local_store store(2);
  client shared(store.config());
  constexpr int per_thread = 25;
  std::atomic<int> failures{0};
  auto work = [&](int thread_index) {
    asio::io_context ioc;
    // Several coroutines at once on this io_context, each a sequence of calls.
    for (int lane = 0; lane < 3; ++lane) {
      asio::co_spawn(
          ioc,
          [&, lane]() -> asio::awaitable<void> {
            for (int i = 0; i < per_thread; ++i) {
              const std::string key = "t" + std::to_string(thread_index) + "/" +
                                      std::to_string(lane) + "/" + std::to_string(i);
              const std::string body = key + key;
              if (!co_await shared.put_object(key, body, "")) {
                ++failures;
              }
              auto got = co_await shared.get_range(key, 0, 1000);
              if (!got || *got != body) {
                ++failures;
              }
            }
          },
          asio::detached);
    }
    ioc.run();
  };
  std::thread a(work, 0);
  std::thread b(work, 1);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  asio::io_context ioc;
  auto page = run(ioc, shared.list_objects("t", "", 1000));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->objects.size(), 2u * 3u * per_thread);
  // At most one connection per concurrent coroutine: pooled, not one per call.
  EXPECT_LE(store.server().stats().connections_accepted, 7u);
}

}  // namespace
}  // namespace onehop::s3client
