// Every line of tests/data/presign/botocore-presign.jsonl, signed by our presigner, must give
// botocore's canonical request, string to sign, signature and URL byte for byte.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "sigv4/signer.hpp"
#include "sigv4/time.hpp"

namespace onehop::sigv4 {
namespace {

namespace json = boost::json;

std::vector<json::object> load_cases() {
  std::ifstream in(std::string(ONEHOP_TEST_DATA) + "/presign/botocore-presign.jsonl");
  std::vector<json::object> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      cases.push_back(json::parse(line).as_object());
    }
  }
  return cases;
}

std::string_view str(const json::value& v) {
  const json::string& s = v.as_string();
  return {s.data(), s.size()};
}

struct prepared_case {
  signer_config config;
  std::vector<query_param> query;
  std::vector<header_field> headers;
  presign_request request;
  std::chrono::sys_seconds now;
};

prepared_case prepare(const json::object& c) {
  prepared_case p;
  const json::object& creds = c.at("credentials").as_object();
  p.config.creds.access_key_id = str(creds.at("access_key_id"));
  p.config.creds.secret_access_key = str(creds.at("secret_access_key"));
  if (!creds.at("session_token").is_null()) {
    p.config.creds.session_token = str(creds.at("session_token"));
  }
  p.config.region = str(c.at("region"));
  p.config.service = str(c.at("service"));
  if (c.at("endpoint_url").is_null()) {
    p.config.endpoint = aws_endpoint(p.config.region);
  } else {
    auto ep = parse_endpoint(str(c.at("endpoint_url")));
    EXPECT_TRUE(ep.has_value());
    p.config.endpoint = ep.value();
  }
  p.config.style = str(c.at("addressing_style")) == "virtual" ? addressing_style::virtual_hosted
                                                              : addressing_style::path;
  // The jsonl was written with sorted keys, so `extra_query` lost botocore's URL order of the
  // operation parameters (uploadId before partNumber). That order is an input of the presigner
  // ("in the order given"): take the names' order from the expected URL, the values from
  // `extra_query`.
  const json::object& extra = c.at("extra_query").as_object();
  const std::string_view url = str(c.at("expected").as_object().at("url"));
  std::string_view rest = url.substr(url.find('?') + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view segment = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const std::string_view name = segment.substr(0, segment.find('='));
    if (name == "X-Amz-Algorithm") {
      break;
    }
    const auto it = extra.find(name);
    EXPECT_NE(it, extra.end()) << name;
    if (it != extra.end()) {
      p.query.push_back({std::string_view(it->key().data(), it->key().size()), str(it->value())});
    }
  }
  EXPECT_EQ(p.query.size(), extra.size());
  for (const auto& kv : c.at("signed_headers").as_object()) {
    p.headers.push_back({std::string_view(kv.key().data(), kv.key().size()), str(kv.value())});
  }
  p.request.method = str(c.at("method"));
  p.request.bucket = str(c.at("bucket"));
  p.request.key = str(c.at("key"));
  p.request.query = p.query;
  p.request.headers = p.headers;
  p.request.expires = std::chrono::seconds(c.at("expires").to_number<std::int64_t>());
  p.now = parse_amz_date(str(c.at("timestamp"))).value();
  return p;
}

TEST(BotocorePresign, EveryVectorMatchesByteForByte) {
  const std::vector<json::object> cases = load_cases();
  ASSERT_EQ(cases.size(), 205u);
  std::size_t matched = 0;
  for (const json::object& c : cases) {
    SCOPED_TRACE(std::string(str(c.at("id"))));
    prepared_case p = prepare(c);
    const json::object& expected = c.at("expected").as_object();
    // The endpoint we resolve must be the one botocore used.
    if (p.config.style == addressing_style::path) {
      EXPECT_EQ(p.config.endpoint.scheme + "://" + p.config.endpoint.authority(),
                str(c.at("effective_endpoint")));
    }
    presigner signer(p.config);
    std::string url;
    auto r = signer.presign(url, p.request, p.now);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(signer.canonical_request(), str(expected.at("canonical_request")));
    EXPECT_EQ(signer.string_to_sign(), str(expected.at("string_to_sign")));
    EXPECT_EQ(signer.signature(), str(expected.at("signature")));
    EXPECT_EQ(url, str(expected.at("url")));
    if (url == str(expected.at("url"))) {
      ++matched;
    }
  }
  EXPECT_EQ(matched, cases.size());
}

// A presigner reused across many requests and days (the fast path keeps buffers and the day's
// key) gives the same URLs as a fresh one per request.
TEST(BotocorePresign, ReusedPresignerMatchesFreshOnes) {
  const std::vector<json::object> cases = load_cases();
  // Group by configuration: the same credentials/endpoint/region/style, different keys and times.
  std::size_t reused = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    prepared_case first = prepare(cases[i]);
    presigner signer(first.config);
    for (std::size_t j = 0; j < cases.size(); ++j) {
      prepared_case p = prepare(cases[j]);
      if (p.config.creds.access_key_id != first.config.creds.access_key_id ||
          p.config.creds.session_token != first.config.creds.session_token ||
          p.config.region != first.config.region || p.config.style != first.config.style ||
          p.config.endpoint.authority() != first.config.endpoint.authority() ||
          p.config.endpoint.scheme != first.config.endpoint.scheme) {
        continue;
      }
      std::string url;
      ASSERT_TRUE(signer.presign(url, p.request, p.now).has_value());
      EXPECT_EQ(url, str(cases[j].at("expected").as_object().at("url"))) << str(cases[j].at("id"));
      ++reused;
    }
    if (i >= 20) {
      break;  // enough configurations to cover every addressing style and token kind
    }
  }
  EXPECT_GT(reused, 100u);
}

TEST(BotocorePresign, OneShotHelperMatchesTheFirstVector) {
  const std::vector<json::object> cases = load_cases();
  ASSERT_FALSE(cases.empty());
  prepared_case p = prepare(cases.front());
  auto r = presign_url(p.config, p.request, p.now);
  ASSERT_TRUE(r.has_value());
  const json::object& expected = cases.front().at("expected").as_object();
  EXPECT_EQ(r->url, str(expected.at("url")));
  EXPECT_EQ(r->canonical_request, str(expected.at("canonical_request")));
  EXPECT_EQ(r->string_to_sign, str(expected.at("string_to_sign")));
  EXPECT_EQ(r->signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

}  // namespace
}  // namespace onehop::sigv4
