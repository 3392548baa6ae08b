#include "store/cors.hpp"

#include <gtest/gtest.h>

#include <string>

namespace onehop::store {
namespace {

constexpr std::string_view sample =
    R"(<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <CORSRule>
    <ID>app</ID>
    <AllowedOrigin>https://app.example.com</AllowedOrigin>
    <AllowedOrigin>https://*.preview.example.com</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedHeader>Content-Type</AllowedHeader>
    <AllowedHeader>x-amz-*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
  </CORSRule>
</CORSConfiguration>)";

cors_configuration parsed_sample() {
  auto config = parse_cors_configuration(sample);
  EXPECT_TRUE(config);
  return config ? *config : cors_configuration{};
}

const std::string* find(const std::vector<http_header>& headers, std::string_view name) {
  for (const http_header& h : headers) {
    if (h.name == name) {
      return &h.value;
    }
  }
  return nullptr;
}

TEST(CorsParse, Sample) {
  const cors_configuration config = parsed_sample();
  ASSERT_EQ(config.rules.size(), 2u);
  const cors_rule& r = config.rules[0];
  EXPECT_EQ(r.id, "app");
  EXPECT_EQ(r.allowed_origins.size(), 2u);
  EXPECT_EQ(r.allowed_methods, (std::vector<std::string>{"PUT", "POST"}));
  EXPECT_EQ(r.allowed_headers, (std::vector<std::string>{"content-type", "x-amz-*"}));
  EXPECT_EQ(r.expose_headers, (std::vector<std::string>{"ETag"}));
  EXPECT_EQ(r.max_age_seconds, 3000u);
  EXPECT_FALSE(config.rules[1].max_age_seconds);
}

TEST(CorsParse, RenderRoundTrips) {
  const cors_configuration config = parsed_sample();
  const std::string rendered = render_cors_configuration(config);
  EXPECT_TRUE(rendered.starts_with(
      R"(<?xml version="1.0" encoding="UTF-8"?><CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>app</ID><AllowedHeader>content-type</AllowedHeader>)"))
      << rendered;
  auto again = parse_cors_configuration(rendered);
  ASSERT_TRUE(again);
  EXPECT_EQ(render_cors_configuration(*again), rendered);
}

TEST(CorsParse, Rejections) {
  struct {
    const char* xml;
    parse_errc error;
  } cases[] = {
      {"", parse_errc::malformed_xml},
      {"<CORSConfiguration/>", parse_errc::malformed_xml},
      {"<Cors><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
       "</CORSRule></Cors>",
       parse_errc::malformed_xml},
      {"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>"
       "</CORSConfiguration>",
       parse_errc::malformed_xml},
      {"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule>"
       "</CORSConfiguration>",
       parse_errc::malformed_xml},
      {"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET"
       "</AllowedMethod><Bogus/></CORSRule></CORSConfiguration>",
       parse_errc::malformed_xml},
      {"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH"
       "</AllowedMethod></CORSRule></CORSConfiguration>",
       parse_errc::invalid_request},
      {"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>get"
       "</AllowedMethod></CORSRule></CORSConfiguration>",
       parse_errc::invalid_request},
      {"<CORSConfiguration><CORSRule><AllowedOrigin>https://*.*.com</AllowedOrigin>"
       "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
       parse_errc::invalid_request},
      {"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET"
       "</AllowedMethod><AllowedHeader>**</AllowedHeader></CORSRule></CORSConfiguration>",
       parse_errc::invalid_request},
      {"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET"
       "</AllowedMethod><ExposeHeader>*</ExposeHeader></CORSRule></CORSConfiguration>",
       parse_errc::invalid_request},
      {"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET"
       "</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule></CORSConfiguration>",
       parse_errc::invalid_request},
  };
  for (const auto& c : cases) {
    auto r = parse_cors_configuration(c.xml);
    ASSERT_FALSE(r) << c.xml;
    EXPECT_EQ(r.error(), c.error) << c.xml;
  }
}

std::string rules(std::size_t n) {
  std::string xml = "<CORSConfiguration>";
  for (std::size_t i = 0; i < n; ++i) {
    xml +=
        "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
        "</CORSRule>";
  }
  return xml + "</CORSConfiguration>";
}

TEST(CorsParse, RuleCountAtNAndNPlusOne) {
  auto ok = parse_cors_configuration(rules(max_cors_rules));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->rules.size(), max_cors_rules);
  EXPECT_EQ(parse_cors_configuration(rules(max_cors_rules + 1)).error(),
            parse_errc::invalid_request);
}

TEST(CorsParse, SizeAndIdLimitsAtNAndNPlusOne) {
  std::string xml = rules(1);
  xml.append(max_cors_configuration_bytes - xml.size(), ' ');
  EXPECT_TRUE(parse_cors_configuration(xml));
  xml.push_back(' ');
  EXPECT_EQ(parse_cors_configuration(xml).error(), parse_errc::max_message_length_exceeded);

  auto with_id = [](std::size_t n) {
    return "<CORSConfiguration><CORSRule><ID>" + std::string(n, 'i') +
           "</ID><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>"
           "</CORSConfiguration>";
  };
  EXPECT_TRUE(parse_cors_configuration(with_id(max_cors_rule_id_bytes)));
  EXPECT_EQ(parse_cors_configuration(with_id(max_cors_rule_id_bytes + 1)).error(),
            parse_errc::invalid_request);
}

TEST(CorsWildcard, Match) {
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_TRUE(wildcard_match("*", "anything"));
  EXPECT_TRUE(wildcard_match("https://*.example.com", "https://a.b.example.com"));
  EXPECT_FALSE(wildcard_match("https://*.example.com", "https://example.com"));
  EXPECT_FALSE(wildcard_match("https://*.example.com", "http://a.example.com"));
  EXPECT_FALSE(wildcard_match("ab*ba", "aba"));  // prefix and suffix must not overlap
  EXPECT_TRUE(wildcard_match("ab*ba", "abba"));
  EXPECT_TRUE(wildcard_match("exact", "exact"));
  EXPECT_FALSE(wildcard_match("exact", "exactly"));
}

TEST(CorsPreflight, AllowedWithEchoedOrigin) {
  const cors_configuration config = parsed_sample();
  const preflight_result r = evaluate_preflight(
      &config, {"https://app.example.com", "PUT", "Content-Type, X-Amz-Date,x-amz-content-sha256"});
  ASSERT_EQ(r.outcome, preflight_outcome::allowed);
  const std::vector<http_header> expected{
      {"Access-Control-Allow-Origin", "https://app.example.com"},
      {"Access-Control-Allow-Credentials", "true"},
      {"Access-Control-Allow-Methods", "PUT, POST"},
      {"Access-Control-Expose-Headers", "ETag"},
      {"Access-Control-Max-Age", "3000"},
      {"Access-Control-Allow-Headers", "content-type, x-amz-date, x-amz-content-sha256"},
      {"Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"},
  };
  EXPECT_EQ(r.headers, expected);
}

TEST(CorsPreflight, WildcardOriginAnswersStar) {
  const cors_configuration config = parsed_sample();
  const preflight_result r = evaluate_preflight(&config, {"https://evil.test", "GET", ""});
  ASSERT_EQ(r.outcome, preflight_outcome::allowed);
  EXPECT_EQ(*find(r.headers, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(find(r.headers, "Access-Control-Allow-Credentials"), nullptr);
  EXPECT_EQ(*find(r.headers, "Access-Control-Allow-Methods"), "GET, HEAD");
  EXPECT_EQ(find(r.headers, "Access-Control-Allow-Headers"), nullptr);
}

TEST(CorsPreflight, SubdomainWildcard) {
  const cors_configuration config = parsed_sample();
  EXPECT_EQ(evaluate_preflight(&config, {"https://pr-1.preview.example.com", "POST", ""}).outcome,
            preflight_outcome::allowed);
}

TEST(CorsPreflight, Forbidden) {
  const cors_configuration config = parsed_sample();
  // Origin not listed for PUT, method not listed, header not allowed, no configuration at all.
  for (const preflight_request& req :
       {preflight_request{"https://evil.test", "PUT", ""},
        preflight_request{"https://app.example.com", "DELETE", ""},
        preflight_request{"https://app.example.com", "PUT", "content-type, authorization"}}) {
    const preflight_result r = evaluate_preflight(&config, req);
    EXPECT_EQ(r.outcome, preflight_outcome::forbidden);
    EXPECT_TRUE(r.message.starts_with("CORSResponse: This CORS request is not allowed."));
    EXPECT_TRUE(r.headers.empty());
  }
  EXPECT_EQ(evaluate_preflight(nullptr, {"https://app.example.com", "PUT", ""}).outcome,
            preflight_outcome::forbidden);
}

TEST(CorsPreflight, BadRequest) {
  const cors_configuration config = parsed_sample();
  EXPECT_EQ(evaluate_preflight(&config, {std::nullopt, "PUT", ""}).outcome,
            preflight_outcome::bad_request);
  EXPECT_EQ(evaluate_preflight(&config, {"https://app.example.com", std::nullopt, ""}).outcome,
            preflight_outcome::bad_request);
  EXPECT_EQ(evaluate_preflight(&config, {"https://app.example.com", "PATCH", ""}).outcome,
            preflight_outcome::bad_request);
}

TEST(CorsActual, ExposesHeadersForMatchingOrigin) {
  const cors_configuration config = parsed_sample();
  const auto headers = actual_request_headers(&config, "https://app.example.com", "PUT");
  EXPECT_EQ(*find(headers, "Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(*find(headers, "Access-Control-Expose-Headers"), "ETag");
  EXPECT_NE(find(headers, "Vary"), nullptr);

  const auto other = actual_request_headers(&config, "https://evil.test", "PUT");
  EXPECT_EQ(find(other, "Access-Control-Allow-Origin"), nullptr);
  EXPECT_NE(find(other, "Vary"), nullptr);

  EXPECT_TRUE(actual_request_headers(&config, std::nullopt, "GET").empty());
  EXPECT_TRUE(actual_request_headers(nullptr, "https://app.example.com", "GET").empty());
}

}  // namespace
}  // namespace onehop::store
