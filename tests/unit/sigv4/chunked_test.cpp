// The aws-chunked decoder against tests/data/sigv4-streaming/aws-chunked-signed.jsonl (signed
// chunks), the S3 documentation's signed-trailer example, and hand-built unsigned-trailer bodies
// whose checksums are published check values. No body here is produced by a signer of ours.

#include "sigv4/chunked.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "sigv4/signing_key.hpp"

namespace onehop::sigv4 {
namespace {

namespace json = boost::json;

std::string_view str(const json::value& v) {
  const json::string& s = v.as_string();
  return {s.data(), s.size()};
}

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t nl = s.find('\n', start);
    out.push_back(s.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (nl == std::string_view::npos) {
      return out;
    }
    start = nl + 1;
  }
}

struct expected_chunk {
  std::string string_to_sign;
  std::string signature;
  std::string header_line;
  std::string data;
};

// One line of aws-chunked-signed.jsonl, with the encoded body rebuilt from it.
struct signed_case {
  std::string id;
  std::string secret;
  std::string amz_date;
  std::string date;
  std::string region;
  std::string service;
  std::string scope;
  std::string seed;
  std::uint64_t decoded_length = 0;
  std::vector<expected_chunk> chunks;  // including the final empty one
  std::string body;
  std::string decoded;
  std::vector<std::size_t> chunk_offsets;  // where each chunk's header line starts in body

  chunked_params params() const {
    chunked_params p;
    p.mode = chunked_mode::signed_payload;
    p.signing.emplace(
        chunk_signing_params{hmac_sha256_key(derive_signing_key(secret, {date, region, service})),
                             amz_date, scope, seed});
    p.decoded_content_length = decoded_length;
    return p;
  }
};

std::vector<signed_case> load_signed_cases() {
  std::ifstream in(std::string(ONEHOP_TEST_DATA) + "/sigv4-streaming/aws-chunked-signed.jsonl");
  std::vector<signed_case> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    const json::object c = json::parse(line).as_object();
    const json::object& expected = c.at("expected").as_object();
    signed_case k;
    k.id = str(c.at("id"));
    k.secret = str(c.at("credentials").at("secret_access_key"));
    k.region = str(c.at("region"));
    k.service = str(c.at("service"));
    k.seed = str(expected.at("seed_signature"));
    k.decoded_length =
        std::stoull(std::string(str(c.at("request_headers").at("x-amz-decoded-content-length"))));
    const std::vector<std::string_view> sts = split_lines(str(expected.at("string_to_sign")));
    k.amz_date = sts.at(1);
    k.scope = sts.at(2);
    k.date = k.scope.substr(0, 8);
    const json::array& data_chunks = c.at("chunks").as_array();
    const json::array& chunks = expected.at("chunks").as_array();
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      const json::object& ch = chunks[i].as_object();
      expected_chunk e;
      e.string_to_sign = str(ch.at("string_to_sign"));
      e.signature = str(ch.at("signature"));
      e.header_line = str(ch.at("header_line"));
      if (i < data_chunks.size()) {
        const json::object& d = data_chunks[i].as_object();
        e.data.assign(static_cast<std::size_t>(d.at("size").as_int64()), str(d.at("fill_byte"))[0]);
      }
      k.chunk_offsets.push_back(k.body.size());
      k.body.append(e.header_line).append("\r\n").append(e.data).append("\r\n");
      k.decoded.append(e.data);
      k.chunks.push_back(std::move(e));
    }
    // The rebuilt body must be the one the vectors describe.
    EXPECT_EQ(k.body.size(), expected.at("encoded_length").as_int64()) << k.id;
    EXPECT_EQ(to_hex(sha256(k.body)), str(expected.at("encoded_body_sha256"))) << k.id;
    cases.push_back(std::move(k));
  }
  EXPECT_EQ(cases.size(), 6u);
  return cases;
}

const std::vector<signed_case>& signed_cases() {
  static const std::vector<signed_case> cases = load_signed_cases();
  return cases;
}

chunked_decoder make(const chunked_params& p) {
  result<chunked_decoder> d = chunked_decoder::create(p);
  EXPECT_TRUE(d);
  return std::move(*d);
}

struct outcome {
  std::string decoded;
  result<chunked_summary> summary = errc::invalid_request;
  bool feed_failed = false;
};

// Feeds `body` in pieces of the given sizes (the rest in one piece), then finishes.
outcome run(chunked_decoder& d, std::string_view body,
            const std::vector<std::size_t>& pieces = {}) {
  outcome o;
  std::size_t pos = 0;
  auto sink = [&](std::span<const std::uint8_t> s) {
    o.decoded.append(reinterpret_cast<const char*>(s.data()), s.size());
  };
  for (std::size_t n : pieces) {
    n = std::min(n, body.size() - pos);
    if (result<void> r = d.feed(body.substr(pos, n), sink); !r) {
      o.feed_failed = true;
      o.summary = r.error();
      return o;
    }
    pos += n;
  }
  if (result<void> r = d.feed(body.substr(pos), sink); !r) {
    o.feed_failed = true;
    o.summary = r.error();
    return o;
  }
  o.summary = d.finish();
  return o;
}

outcome run(const chunked_params& p, std::string_view body,
            const std::vector<std::size_t>& pieces = {}) {
  chunked_decoder d = make(p);
  return run(d, body, pieces);
}

errc error_of(const outcome& o) {
  EXPECT_FALSE(o.summary) << "decoding unexpectedly succeeded";
  return o.summary ? errc{} : static_cast<errc>(o.summary.error().value());
}

// --- signed chunks: the vector file ----------------------------------------------------------

TEST(ChunkedSigned, EveryStringToSignAndSignatureOfTheVectors) {
  for (const signed_case& c : signed_cases()) {
    chunked_decoder d = make(c.params());
    EXPECT_EQ(d.last_signature(), c.seed);
    std::span<const std::uint8_t> input(reinterpret_cast<const std::uint8_t*>(c.body.data()),
                                        c.body.size());
    std::string decoded;
    std::size_t chunk = 0;
    while (!input.empty()) {
      result<chunked_step> step = d.decode_some(input);
      ASSERT_TRUE(step) << c.id << ": " << d.failure_reason();
      ASSERT_GT(step->consumed, 0u);
      decoded.append(reinterpret_cast<const char*>(step->data.data()), step->data.size());
      if (step->chunk_ended) {
        ASSERT_LT(chunk, c.chunks.size()) << c.id;
        EXPECT_EQ(d.last_string_to_sign(), c.chunks[chunk].string_to_sign) << c.id << " " << chunk;
        EXPECT_EQ(d.last_signature(), c.chunks[chunk].signature) << c.id << " " << chunk;
        ++chunk;
      }
      input = input.subspan(step->consumed);
    }
    EXPECT_EQ(chunk, c.chunks.size()) << c.id;
    EXPECT_TRUE(d.done());
    const result<chunked_summary> summary = d.finish();
    ASSERT_TRUE(summary) << c.id;
    EXPECT_EQ(summary->decoded_length, c.decoded_length);
    EXPECT_FALSE(summary->checksum);
    EXPECT_EQ(decoded, c.decoded) << c.id;
  }
}

TEST(ChunkedSigned, WholeByteByByteAndRandomSplits) {
  std::mt19937 rng(20240229);
  for (const signed_case& c : signed_cases()) {
    {
      const outcome o = run(c.params(), c.body);
      ASSERT_TRUE(o.summary) << c.id;
      EXPECT_EQ(o.decoded, c.decoded);
    }
    {
      const outcome o = run(c.params(), c.body, std::vector<std::size_t>(c.body.size(), 1));
      ASSERT_TRUE(o.summary) << c.id;
      EXPECT_EQ(o.decoded, c.decoded);
    }
    for (int round = 0; round < 20; ++round) {
      std::vector<std::size_t> pieces;
      for (std::size_t total = 0; total < c.body.size();) {
        // Mostly small pieces so that every boundary is hit, sometimes large ones.
        const std::size_t n = (rng() % 4 == 0) ? rng() % 70000 : rng() % 100;
        pieces.push_back(n);
        total += n;
      }
      const outcome o = run(c.params(), c.body, pieces);
      ASSERT_TRUE(o.summary) << c.id << " round " << round;
      EXPECT_EQ(o.decoded, c.decoded);
    }
  }
}

TEST(ChunkedSigned, CorruptedDataByteFailsWithSignatureDoesNotMatch) {
  for (const signed_case& c : signed_cases()) {
    std::size_t released = 0;
    for (std::size_t i = 0; i < c.chunks.size(); released += c.chunks[i].data.size(), ++i) {
      const std::size_t size = c.chunks[i].data.size();
      const std::size_t start = c.chunk_offsets[i] + c.chunks[i].header_line.size() + 2;
      std::vector<std::size_t> positions;
      for (std::size_t k = 0; k < size; k += (size <= 64 ? 1 : size / 13)) {
        positions.push_back(k);
      }
      if (size > 0) {
        positions.push_back(size - 1);
      }
      for (std::size_t k : positions) {
        std::string body = c.body;
        body[start + k] ^= 0x01;
        const outcome o = run(c.params(), body);
        EXPECT_EQ(error_of(o), errc::signature_does_not_match)
            << c.id << " chunk " << i << " @" << k;
        // Fed whole, the chunks before the corrupted one were released, and none of it.
        EXPECT_EQ(o.decoded, c.decoded.substr(0, released)) << c.id << " chunk " << i;
      }
    }
  }
}

TEST(ChunkedSigned, CorruptedSignatureDigitFailsWithSignatureDoesNotMatch) {
  for (const signed_case& c : signed_cases()) {
    for (std::size_t i = 0; i < c.chunks.size(); ++i) {
      const std::size_t sig_start = c.chunk_offsets[i] + c.chunks[i].header_line.size() - 64;
      for (std::size_t k = 0; k < 64; ++k) {
        std::string body = c.body;
        char& digit = body[sig_start + k];
        digit = digit == '0' ? '1' : '0';
        EXPECT_EQ(error_of(run(c.params(), body)), errc::signature_does_not_match)
            << c.id << " chunk " << i << " digit " << k;
      }
      // Upper-case hex is a different string, as for AWS.
      std::string upper = c.body;
      for (std::size_t k = 0; k < 64; ++k) {
        char& ch = upper[sig_start + k];
        if (ch >= 'a' && ch <= 'f') {
          ch = static_cast<char>(ch - 'a' + 'A');
        }
      }
      if (upper != c.body) {
        EXPECT_EQ(error_of(run(c.params(), upper)), errc::signature_does_not_match);
      }
      // A signature one digit short or long.
      std::string shorter = c.body;
      shorter.erase(sig_start, 1);
      EXPECT_EQ(error_of(run(c.params(), shorter)), errc::signature_does_not_match);
      std::string longer = c.body;
      longer.insert(sig_start, "0");
      EXPECT_EQ(error_of(run(c.params(), longer)), errc::signature_does_not_match);
      // No signature at all.
      std::string missing = c.body;
      missing.erase(sig_start - 17, 17 + 64);
      EXPECT_EQ(error_of(run(c.params(), missing)), errc::signature_does_not_match);
    }
  }
}

TEST(ChunkedSigned, WrongSeedOrKeyFailsOnTheFirstChunk) {
  for (const signed_case& c : signed_cases()) {
    chunked_params p = c.params();
    std::string seed = c.seed;
    seed[10] = seed[10] == 'a' ? 'b' : 'a';
    p.signing->seed_signature = seed;
    EXPECT_EQ(error_of(run(p, c.body)), errc::signature_does_not_match);

    chunked_params q = c.params();
    q.signing->key =
        hmac_sha256_key(derive_signing_key("another secret", {c.date, c.region, c.service}));
    EXPECT_EQ(error_of(run(q, c.body)), errc::signature_does_not_match);

    chunked_params r = c.params();
    const std::string other_date = "20000101T000000Z";
    r.signing->amz_date = other_date;
    EXPECT_EQ(error_of(run(r, c.body)), errc::signature_does_not_match);
  }
}

TEST(ChunkedSigned, EveryTruncationFails) {
  for (const signed_case& c : signed_cases()) {
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n < c.body.size(); ++n) {
      const bool near_boundary = [&] {
        for (std::size_t off : c.chunk_offsets) {
          if (n + 100 > off && n < off + 100) {
            return true;
          }
        }
        return n + 100 > c.body.size();
      }();
      if (c.body.size() < 2000 || near_boundary || n % 4999 == 0) {
        lengths.push_back(n);
      }
    }
    for (std::size_t n : lengths) {
      chunked_decoder d = make(c.params());
      const outcome o = run(d, std::string_view(c.body).substr(0, n));
      EXPECT_FALSE(o.feed_failed) << c.id << " prefix " << n << ": " << d.failure_reason();
      EXPECT_EQ(error_of(o), errc::incomplete_body) << c.id << " prefix " << n;
    }
  }
}

TEST(ChunkedSigned, BytesAfterTheEndAreRejected) {
  for (const signed_case& c : signed_cases()) {
    EXPECT_EQ(error_of(run(c.params(), c.body + "\r\n")), errc::invalid_request);
    EXPECT_EQ(error_of(run(c.params(), c.body + "x")), errc::invalid_request);
  }
}

TEST(ChunkedSigned, DecodedContentLengthMustMatch) {
  for (const signed_case& c : signed_cases()) {
    chunked_params more = c.params();
    more.decoded_content_length = c.decoded_length + 1;
    EXPECT_EQ(error_of(run(more, c.body)), errc::incomplete_body) << c.id;
    if (c.decoded_length > 0) {
      chunked_params less = c.params();
      less.decoded_content_length = c.decoded_length - 1;
      const outcome o = run(less, c.body);
      EXPECT_EQ(error_of(o), errc::incomplete_body) << c.id;
      EXPECT_TRUE(o.feed_failed);  // detected at the chunk header, before its data
    }
    chunked_params unknown = c.params();
    unknown.decoded_content_length.reset();
    EXPECT_TRUE(run(unknown, c.body).summary);
  }
}

TEST(ChunkedSigned, ErrorsAreSticky) {
  const signed_case& c = signed_cases().front();
  std::string body = c.body;
  body[c.chunk_offsets[1] - 10] ^= 1;  // in the first chunk's data
  chunked_decoder d = make(c.params());
  EXPECT_EQ(error_of(run(d, body)), errc::signature_does_not_match);
  EXPECT_FALSE(d.failure_reason().empty());
  const result<chunked_step> again = d.decode_some(std::string_view(c.body).substr(0, 10));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), errc::signature_does_not_match);
  ASSERT_FALSE(d.finish());
  EXPECT_EQ(d.finish().error(), errc::signature_does_not_match);
}

// --- signed with trailer: the S3 documentation's example ---------------------------------------

// "Signature calculations for trailing headers (chunked uploads)": 65 KiB of 'a' in a 64 KiB and
// a 1 KiB chunk, trailer x-amz-checksum-crc32c, example credentials, 20130524T000000Z.
constexpr std::string_view doc_seed =
    "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
constexpr std::string_view doc_sig1 =
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2";
constexpr std::string_view doc_sig2 =
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7";
constexpr std::string_view doc_sig3 =
    "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992";
constexpr std::string_view doc_trailer_sig =
    "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

chunked_params doc_trailer_params() {
  chunked_params p;
  p.mode = chunked_mode::signed_payload_trailer;
  p.signing.emplace(chunk_signing_params{
      hmac_sha256_key(derive_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                         {"20130524", "us-east-1", "s3"})),
      "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", doc_seed});
  p.trailer = checksum_algorithm::crc32c;
  p.decoded_content_length = 66560;
  return p;
}

std::string doc_chunks() {
  return "10000;chunk-signature=" + std::string(doc_sig1) + "\r\n" + std::string(65536, 'a') +
         "\r\n400;chunk-signature=" + std::string(doc_sig2) + "\r\n" + std::string(1024, 'a') +
         "\r\n0;chunk-signature=" + std::string(doc_sig3) + "\r\n";
}

std::string doc_trailer_body(std::string_view checksum = "sOO8/Q==",
                             std::string_view signature = doc_trailer_sig) {
  return doc_chunks() + "x-amz-checksum-crc32c:" + std::string(checksum) +
         "\r\nx-amz-trailer-signature:" + std::string(signature) + "\r\n\r\n";
}

TEST(ChunkedSignedTrailer, DocumentationExample) {
  const std::string body = doc_trailer_body();
  for (std::size_t piece : {body.size(), std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
    const outcome o = run(doc_trailer_params(), body, std::vector<std::size_t>(body.size(), piece));
    ASSERT_TRUE(o.summary) << piece;
    EXPECT_EQ(o.decoded, std::string(66560, 'a'));
    ASSERT_TRUE(o.summary->checksum);
    EXPECT_EQ(o.summary->checksum->algorithm, checksum_algorithm::crc32c);
    EXPECT_EQ(o.summary->checksum->to_base64(), "sOO8/Q==");
  }
  chunked_decoder d = make(doc_trailer_params());
  ASSERT_TRUE(run(d, body).summary);
  EXPECT_EQ(d.last_signature(), doc_trailer_sig);
  const std::vector<std::string_view> sts = split_lines(d.last_string_to_sign());
  ASSERT_EQ(sts.size(), 5u);
  EXPECT_EQ(sts[0], "AWS4-HMAC-SHA256-TRAILER");
  EXPECT_EQ(sts[1], "20130524T000000Z");
  EXPECT_EQ(sts[2], "20130524/us-east-1/s3/aws4_request");
  EXPECT_EQ(sts[3], doc_sig3);
}

TEST(ChunkedSignedTrailer, BlankLineBeforeTrailersAndMissingFinalCrlfAreAccepted) {
  const std::string body = doc_trailer_body();
  std::string with_blank = body;
  with_blank.insert(doc_chunks().size(), "\r\n");
  EXPECT_TRUE(run(doc_trailer_params(), with_blank).summary);
  const std::string without_end = body.substr(0, body.size() - 2);
  EXPECT_TRUE(run(doc_trailer_params(), without_end).summary);
  // ...but not both blank lines around nothing: then the trailers are missing.
  EXPECT_EQ(error_of(run(doc_trailer_params(), doc_chunks() + "\r\n\r\n")), errc::invalid_request);
  EXPECT_EQ(error_of(run(doc_trailer_params(), doc_chunks() + "\r\n")), errc::incomplete_body);
  EXPECT_EQ(error_of(run(doc_trailer_params(), doc_chunks())), errc::incomplete_body);
}

TEST(ChunkedSignedTrailer, TamperedTrailerFails) {
  std::string sig(doc_trailer_sig);
  for (std::size_t k = 0; k < 64; k += 9) {
    std::string bad = sig;
    bad[k] = bad[k] == '0' ? '1' : '0';
    EXPECT_EQ(error_of(run(doc_trailer_params(), doc_trailer_body("sOO8/Q==", bad))),
              errc::signature_does_not_match);
  }
  // A different (valid) checksum value is caught by the signature that covers it.
  EXPECT_EQ(error_of(run(doc_trailer_params(), doc_trailer_body("AAAAAA=="))),
            errc::signature_does_not_match);
  // Signature line missing.
  EXPECT_EQ(
      error_of(run(doc_trailer_params(), doc_chunks() + "x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n")),
      errc::signature_does_not_match);
  // Signature before the checksum.
  EXPECT_EQ(error_of(run(doc_trailer_params(),
                         doc_chunks() + "x-amz-trailer-signature:" + std::string(doc_trailer_sig) +
                             "\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n\r\n")),
            errc::invalid_request);
  // A trailer after the signature.
  EXPECT_EQ(error_of(run(doc_trailer_params(),
                         doc_trailer_body().substr(0, doc_trailer_body().size() - 2) +
                             "x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n")),
            errc::invalid_request);
  // Tampered data is caught by the chunk signature first.
  std::string body = doc_trailer_body();
  body[200] = 'b';
  EXPECT_EQ(error_of(run(doc_trailer_params(), body)), errc::signature_does_not_match);
}

// --- unsigned with trailer: hand-built bodies, published checksum values ------------------------

chunked_params unsigned_params(std::optional<checksum_algorithm> trailer,
                               std::optional<std::uint64_t> length = std::nullopt) {
  chunked_params p;
  p.mode = chunked_mode::unsigned_payload_trailer;
  p.trailer = trailer;
  p.decoded_content_length = length;
  return p;
}

// "123456789" as chunks of 4 and 5 bytes.
std::string unsigned_body(std::string_view trailer_lines) {
  return "4\r\n1234\r\n5\r\n56789\r\n0\r\n" + std::string(trailer_lines) + "\r\n";
}

TEST(ChunkedUnsignedTrailer, VerifiesPublishedChecksums) {
  struct known {
    checksum_algorithm algorithm;
    std::string_view line;
  };
  for (const known& k : std::initializer_list<known>{
           {checksum_algorithm::crc32, "x-amz-checksum-crc32:y/Q5Jg==\r\n"},
           {checksum_algorithm::crc32c, "x-amz-checksum-crc32c:4waSgw==\r\n"},
           {checksum_algorithm::crc64nvme, "x-amz-checksum-crc64nvme:rosUhgp5mIg=\r\n"},
       }) {
    const std::string body = unsigned_body(k.line);
    for (std::size_t piece : {body.size(), std::size_t{1}, std::size_t{3}}) {
      const outcome o =
          run(unsigned_params(k.algorithm, 9), body, std::vector<std::size_t>(body.size(), piece));
      ASSERT_TRUE(o.summary) << k.line;
      EXPECT_EQ(o.decoded, "123456789");
      ASSERT_TRUE(o.summary->checksum);
      EXPECT_EQ(o.summary->checksum->algorithm, k.algorithm);
      EXPECT_EQ(o.summary->decoded_length, 9u);
    }
  }
  // FIPS 180 "abc" digests, in one chunk.
  const outcome sha1 =
      run(unsigned_params(checksum_algorithm::sha1),
          "3\r\nabc\r\n0\r\nx-amz-checksum-sha1:qZk+NkcGgWq6PiVxeFDCbJzQ2J0=\r\n\r\n");
  ASSERT_TRUE(sha1.summary);
  EXPECT_EQ(sha1.summary->checksum->to_base64(), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
  const outcome sha256 = run(unsigned_params(checksum_algorithm::sha256),
                             "3\r\nabc\r\n0\r\nx-amz-checksum-sha256:ungWv48Bz+"
                             "pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\r\n\r\n");
  ASSERT_TRUE(sha256.summary);
  // The S3 documentation's body, unsigned: 66560 x 'a' has CRC32C sOO8/Q==.
  const outcome doc =
      run(unsigned_params(checksum_algorithm::crc32c, 66560),
          "10000\r\n" + std::string(65536, 'a') + "\r\n400\r\n" + std::string(1024, 'a') +
              "\r\n0\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n\r\n");
  ASSERT_TRUE(doc.summary);
  // Empty object (what aws-sdk-go-v2 sends for a zero-length body).
  const outcome empty = run(unsigned_params(checksum_algorithm::crc32, 0),
                            "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
  ASSERT_TRUE(empty.summary);
  EXPECT_EQ(empty.summary->decoded_length, 0u);
}

TEST(ChunkedUnsignedTrailer, TolerantSpellings) {
  const auto p = unsigned_params(checksum_algorithm::crc32);
  EXPECT_TRUE(run(p, unsigned_body("X-Amz-Checksum-CRC32:y/Q5Jg==\r\n")).summary);
  EXPECT_TRUE(run(p, unsigned_body("x-amz-checksum-crc32: y/Q5Jg== \r\n")).summary);
  EXPECT_TRUE(run(p, unsigned_body("\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n")).summary);
  EXPECT_TRUE(run(p, "4\r\n1234\r\n5\r\n56789\r\n0\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n").summary);
  EXPECT_TRUE(run(p, "00004\r\n1234\r\n5\r\n56789\r\n000\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n\r\n")
                  .summary);
}

TEST(ChunkedUnsignedTrailer, ChecksumMismatchAndBadValues) {
  const auto p = unsigned_params(checksum_algorithm::crc32);
  EXPECT_EQ(error_of(run(p, unsigned_body("x-amz-checksum-crc32:AAAAAA==\r\n"))), errc::bad_digest);
  EXPECT_EQ(error_of(run(p, unsigned_body("x-amz-checksum-crc32:4waSgw==\r\n"))), errc::bad_digest);
  EXPECT_EQ(error_of(run(p, unsigned_body("x-amz-checksum-crc32:y/Q5Jg=\r\n"))),
            errc::invalid_digest);
  EXPECT_EQ(error_of(run(p, unsigned_body("x-amz-checksum-crc32:not base64\r\n"))),
            errc::invalid_digest);
  EXPECT_EQ(error_of(run(p, unsigned_body("x-amz-checksum-crc32:\r\n"))), errc::invalid_digest);
  // The data changed, the checksum did not.
  EXPECT_EQ(
      error_of(run(p, "4\r\n1234\r\n5\r\n56780\r\n0\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n\r\n")),
      errc::bad_digest);
}

TEST(ChunkedUnsignedTrailer, OnlyTheDeclaredTrailerOnce) {
  const auto p = unsigned_params(checksum_algorithm::crc32);
  // Another checksum than declared.
  EXPECT_EQ(error_of(run(p, unsigned_body("x-amz-checksum-crc32c:4waSgw==\r\n"))),
            errc::invalid_request);
  // An unknown trailer, before or after the declared one.
  EXPECT_EQ(error_of(run(p, unsigned_body("x-amz-meta-a:b\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n"))),
            errc::invalid_request);
  EXPECT_EQ(error_of(run(p, unsigned_body("x-amz-checksum-crc32:y/Q5Jg==\r\nx-amz-meta-a:b\r\n"))),
            errc::invalid_request);
  // The declared trailer twice (the trailer count limit is one: N = 1 passes above, N + 1 here).
  EXPECT_EQ(
      error_of(run(
          p, unsigned_body("x-amz-checksum-crc32:y/Q5Jg==\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n"))),
      errc::invalid_request);
  // Missing.
  EXPECT_EQ(error_of(run(p, unsigned_body(""))), errc::incomplete_body);
  EXPECT_EQ(error_of(run(p, unsigned_body("\r\n"))), errc::invalid_request);
  // A trailer signature has no place in an unsigned body.
  EXPECT_EQ(
      error_of(run(p, unsigned_body("x-amz-checksum-crc32:y/Q5Jg==\r\nx-amz-trailer-signature:" +
                                    std::string(64, '0') + "\r\n"))),
      errc::invalid_request);
  // Malformed trailer lines.
  EXPECT_EQ(error_of(run(p, unsigned_body("x-amz-checksum-crc32 y/Q5Jg==\r\n"))),
            errc::invalid_request);
  EXPECT_EQ(error_of(run(p, unsigned_body(":y/Q5Jg==\r\n"))), errc::invalid_request);

  // No trailer declared: none accepted, and the empty trailer section is fine.
  const auto none = unsigned_params(std::nullopt, 9);
  const outcome ok = run(none, unsigned_body(""));
  ASSERT_TRUE(ok.summary);
  EXPECT_FALSE(ok.summary->checksum);
  EXPECT_EQ(error_of(run(none, unsigned_body("x-amz-checksum-crc32:y/Q5Jg==\r\n"))),
            errc::invalid_request);
  EXPECT_EQ(error_of(run(none, "4\r\n1234\r\n5\r\n56789\r\n0\r\n")), errc::incomplete_body);
}

TEST(ChunkedUnsignedTrailer, MalformedFraming) {
  const auto p = unsigned_params(checksum_algorithm::crc32);
  const std::string trailer = "0\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n\r\n";
  for (std::string_view bad : {
           "4\n1234\r\n",          // bare LF
           "4\r\n1234\n",          // data not followed by CRLF
           "4\r\n1234\r5",         //
           "4\r\n12345\r\n",       // data longer than declared
           "g\r\n",                // not hex
           "\r\n",                 // no size
           " 4\r\n1234\r\n",       // leading space
           "4 \r\n1234\r\n",       // trailing space
           "-4\r\n1234\r\n",       //
           "4;ext=1\r\n1234\r\n",  // extensions are not part of unsigned aws-chunked
           "4;chunk-signature=0000000000000000000000000000000000000000000000000000000000000000\r\n"
           "1234\r\n",
       }) {
    const outcome o = run(p, std::string(bad) + trailer);
    EXPECT_EQ(error_of(o), errc::invalid_request) << bad;
  }
  // Truncations of a valid body: never a success, never a crash.
  const std::string body = unsigned_body("x-amz-checksum-crc32:y/Q5Jg==\r\n");
  for (std::size_t n = 0; n + 2 < body.size(); ++n) {
    const outcome o = run(p, body.substr(0, n));
    EXPECT_EQ(error_of(o), errc::incomplete_body) << n;
  }
}

TEST(ChunkedUnsignedTrailer, DecodedContentLength) {
  const std::string body = unsigned_body("x-amz-checksum-crc32:y/Q5Jg==\r\n");
  EXPECT_TRUE(run(unsigned_params(checksum_algorithm::crc32, 9), body).summary);
  const outcome shorter = run(unsigned_params(checksum_algorithm::crc32, 8), body);
  EXPECT_EQ(error_of(shorter), errc::incomplete_body);
  EXPECT_EQ(shorter.decoded, "1234");  // stopped at the header of the chunk that overflows
  EXPECT_EQ(error_of(run(unsigned_params(checksum_algorithm::crc32, 10), body)),
            errc::incomplete_body);
}

// --- limits, each at N and N + 1 ----------------------------------------------------------------

TEST(ChunkedLimits, LineLength) {
  for (std::size_t limit : {std::size_t{4096}, std::size_t{16}}) {
    chunked_params p = unsigned_params(std::nullopt);
    p.limits.max_line_bytes = limit;
    // A chunk line of exactly `limit` bytes with its CRLF: leading zeros, then "9".
    const std::string at_limit = std::string(limit - 3, '0') + "9\r\n123456789\r\n0\r\n\r\n";
    EXPECT_TRUE(run(p, at_limit).summary) << limit;
    EXPECT_TRUE(run(p, at_limit, std::vector<std::size_t>(at_limit.size(), 1)).summary);
    const std::string over = "0" + at_limit;
    EXPECT_EQ(error_of(run(p, over)), errc::max_message_length_exceeded) << limit;
    EXPECT_EQ(error_of(run(p, over, std::vector<std::size_t>(over.size(), 1))),
              errc::max_message_length_exceeded);
    // A line with no LF at all is cut off at the limit, whatever the piece size.
    EXPECT_EQ(error_of(run(p, std::string(limit + 1, '0'))), errc::max_message_length_exceeded);
    // The same for a trailer line (padded with spaces around the value).
    chunked_params t = unsigned_params(checksum_algorithm::crc32);
    t.limits.max_line_bytes = limit + 40;
    t.limits.max_trailer_bytes = 100000;
    const std::string name = "x-amz-checksum-crc32:";
    const std::string value = "y/Q5Jg==";
    const std::string pad(limit + 40 - name.size() - value.size() - 2, ' ');
    EXPECT_TRUE(run(t, unsigned_body(name + pad + value + "\r\n")).summary);
    EXPECT_EQ(error_of(run(t, unsigned_body(name + pad + " " + value + "\r\n"))),
              errc::max_message_length_exceeded);
  }
}

TEST(ChunkedLimits, ChunkSize) {
  chunked_params p = unsigned_params(std::nullopt);
  p.limits.max_chunk_size = 100;
  EXPECT_TRUE(run(p, "64\r\n" + std::string(100, 'x') + "\r\n0\r\n\r\n").summary);
  EXPECT_EQ(error_of(run(p, "65\r\n" + std::string(101, 'x') + "\r\n0\r\n\r\n")),
            errc::max_message_length_exceeded);

  // The default (5 GiB): only the header is fed, the decoder then waits for data.
  const chunked_params d = unsigned_params(std::nullopt);
  {
    chunked_decoder dec = make(d);
    EXPECT_TRUE(dec.decode_some("140000000\r\n"));
    EXPECT_EQ(dec.finish().error(), errc::incomplete_body);
  }
  {
    chunked_decoder dec = make(d);
    const auto r = dec.decode_some("140000001\r\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), errc::max_message_length_exceeded);
  }
  // Sizes that would overflow 64 bits.
  chunked_params huge = unsigned_params(std::nullopt);
  huge.limits.max_chunk_size = ~std::uint64_t{0};
  EXPECT_EQ(error_of(run(huge, "10000000000000000\r\n")), errc::max_message_length_exceeded);
  EXPECT_EQ(error_of(run(huge, "FFFFFFFFFFFFFFFF\r\nab")), errc::incomplete_body);
}

TEST(ChunkedLimits, MinimumChunkSize) {
  chunked_params p = unsigned_params(std::nullopt);
  p.limits.min_chunk_size = 8192;
  const std::string at = "2000\r\n" + std::string(8192, 'x') + "\r\n1\r\ny\r\n0\r\n\r\n";
  EXPECT_TRUE(run(p, at).summary);
  const std::string under = "1fff\r\n" + std::string(8191, 'x') + "\r\n1\r\ny\r\n0\r\n\r\n";
  EXPECT_EQ(error_of(run(p, under)), errc::invalid_request);
  // The last data chunk may be short.
  EXPECT_TRUE(run(p, "1\r\ny\r\n0\r\n\r\n").summary);
  // Disabled by default: the vectors' 1000-byte first chunk is accepted (see ChunkedSigned).
  EXPECT_TRUE(run(unsigned_params(std::nullopt), under).summary);
}

TEST(ChunkedLimits, TrailerBytes) {
  const std::string line = "x-amz-checksum-crc32:y/Q5Jg==\r\n";  // 31 bytes
  chunked_params p = unsigned_params(checksum_algorithm::crc32);
  p.limits.max_trailer_bytes = line.size();
  EXPECT_TRUE(run(p, unsigned_body(line)).summary);
  const std::string longer = "x-amz-checksum-crc32: y/Q5Jg==\r\n";
  EXPECT_EQ(error_of(run(p, unsigned_body(longer))), errc::max_message_length_exceeded);
  // Default 1024 at N and N + 1.
  chunked_params d = unsigned_params(checksum_algorithm::crc32);
  const std::string name = "x-amz-checksum-crc32:";
  const std::string fill(1024 - name.size() - 8 - 2, ' ');
  EXPECT_TRUE(run(d, unsigned_body(name + fill + "y/Q5Jg==\r\n")).summary);
  EXPECT_EQ(error_of(run(d, unsigned_body(name + fill + " y/Q5Jg==\r\n"))),
            errc::max_message_length_exceeded);
}

// --- parameters -------------------------------------------------------------------------------

TEST(ChunkedParams, Create) {
  const hmac_sha256_key key(std::string_view("k"));
  const std::string seed(64, 'a');
  chunked_params p;
  p.mode = chunked_mode::signed_payload;
  EXPECT_EQ(chunked_decoder::create(p).error(), errc::invalid_argument);  // no signing inputs
  p.signing.emplace(chunk_signing_params{key, "20130524T000000Z", "scope", "abc"});
  EXPECT_EQ(chunked_decoder::create(p).error(), errc::invalid_argument);  // short seed
  p.signing->seed_signature = seed;
  EXPECT_TRUE(chunked_decoder::create(p));
  p.trailer = checksum_algorithm::crc32;
  EXPECT_EQ(chunked_decoder::create(p).error(), errc::invalid_argument);  // trailer w/o -TRAILER
  p.mode = chunked_mode::signed_payload_trailer;
  EXPECT_TRUE(chunked_decoder::create(p));
  p.trailer.reset();
  EXPECT_EQ(chunked_decoder::create(p).error(), errc::invalid_argument);  // -TRAILER w/o trailer
  p.mode = chunked_mode::unsigned_payload_trailer;
  p.signing.reset();
  EXPECT_TRUE(chunked_decoder::create(p));
}

TEST(ChunkedParams, ParseMode) {
  EXPECT_EQ(parse_chunked_mode("STREAMING-AWS4-HMAC-SHA256-PAYLOAD").value(),
            chunked_mode::signed_payload);
  EXPECT_EQ(parse_chunked_mode("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER").value(),
            chunked_mode::signed_payload_trailer);
  EXPECT_EQ(parse_chunked_mode("STREAMING-UNSIGNED-PAYLOAD-TRAILER").value(),
            chunked_mode::unsigned_payload_trailer);
  EXPECT_EQ(parse_chunked_mode("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD").error(),
            errc::unsupported_algorithm);
  EXPECT_EQ(parse_chunked_mode("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER").error(),
            errc::unsupported_algorithm);
  for (std::string_view bad : {std::string_view("UNSIGNED-PAYLOAD"), std::string_view(""),
                               std::string_view("streaming-aws4-hmac-sha256-payload"),
                               std::string_view(empty_sha256_hex)}) {
    EXPECT_EQ(parse_chunked_mode(bad).error(), errc::invalid_argument) << bad;
  }
  for (chunked_mode m : {chunked_mode::signed_payload, chunked_mode::signed_payload_trailer,
                         chunked_mode::unsigned_payload_trailer}) {
    EXPECT_EQ(parse_chunked_mode(chunked_mode_name(m)).value(), m);
  }
}

}  // namespace
}  // namespace onehop::sigv4
