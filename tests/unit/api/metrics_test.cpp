#include "api/metrics.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace onehop::api {
namespace {

using namespace std::chrono_literals;

// A small parser of the Prometheus text format (0.0.4), strict enough to catch what a scraper
// would refuse: every sample belongs to a family declared by # TYPE before it, label syntax,
// numeric values, and for histograms cumulative buckets ending in +Inf equal to _count.
struct sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct exposition {
  std::map<std::string, std::string> types;  // family -> counter | histogram | ...
  std::set<std::string> helps;
  std::vector<sample> samples;

  // The value of the one sample with this name and these labels; -1 when absent.
  double value(const std::string& name,
               const std::map<std::string, std::string>& labels = {}) const {
    double found = -1;
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) {
        EXPECT_EQ(found, -1) << "duplicate sample " << name;
        found = s.value;
      }
    }
    return found;
  }
};

bool metric_name_char(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      if (auto it = types.find(base); it != types.end() && it->second == "histogram") {
        return base;
      }
    }
  }
  return name;
}

exposition parse(const std::string& text) {
  exposition out;
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    SCOPED_TRACE(line);
    EXPECT_FALSE(line.empty());
    if (line.rfind("# HELP ", 0) == 0) {
      const std::string rest = line.substr(7);
      const auto space = rest.find(' ');
      EXPECT_NE(space, std::string::npos);
      EXPECT_TRUE(out.helps.insert(rest.substr(0, space)).second) << "HELP twice";
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, type, extra;
      words >> name >> type;
      EXPECT_FALSE(words >> extra);
      EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << type;
      EXPECT_TRUE(out.types.emplace(name, type).second) << "TYPE twice";
      continue;
    }
    EXPECT_NE(line[0], '#');
    sample s;
    std::size_t i = 0;
    while (i < line.size() && metric_name_char(line[i], i == 0)) {
      ++i;
    }
    s.name = line.substr(0, i);
    EXPECT_FALSE(s.name.empty());
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const auto eq = line.find('=', i);
        EXPECT_NE(eq, std::string::npos);
        const std::string label = line.substr(i, eq - i);
        for (std::size_t k = 0; k < label.size(); ++k) {
          EXPECT_TRUE(metric_name_char(label[k], k == 0) && label[k] != ':') << label;
        }
        EXPECT_EQ(line[eq + 1], '"');
        const auto close = line.find('"', eq + 2);  // our values contain no escapes
        EXPECT_NE(close, std::string::npos);
        EXPECT_TRUE(s.labels.emplace(label, line.substr(eq + 2, close - eq - 2)).second);
        i = close + 1;
        if (line[i] == ',') {
          ++i;
        }
      }
      EXPECT_EQ(line[i], '}');
      ++i;
    }
    EXPECT_EQ(line[i], ' ');
    const std::string number = line.substr(i + 1);
    char* end = nullptr;
    s.value = std::strtod(number.c_str(), &end);
    EXPECT_TRUE(!number.empty() && *end == '\0') << "bad value " << number;
    const std::string family = family_of(s.name, out.types);
    EXPECT_TRUE(out.types.count(family)) << "sample before its # TYPE: " << s.name;
    EXPECT_TRUE(out.helps.count(family)) << "no # HELP for " << family;
    out.samples.push_back(std::move(s));
  }
  // Histograms: per label set, le ascending, counts cumulative, last +Inf == _count.
  for (const auto& [family, type] : out.types) {
    if (type != "histogram") {
      continue;
    }
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> series;
    for (const auto& s : out.samples) {
      if (s.name == family + "_bucket") {
        auto labels = s.labels;
        const std::string le = labels.at("le");
        labels.erase("le");
        series[labels].emplace_back(le == "+Inf" ? INFINITY : std::stod(le), s.value);
      }
    }
    for (const auto& [labels, buckets] : series) {
      EXPECT_FALSE(buckets.empty());
      for (std::size_t k = 1; k < buckets.size(); ++k) {
        EXPECT_LT(buckets[k - 1].first, buckets[k].first) << family;
        EXPECT_LE(buckets[k - 1].second, buckets[k].second) << family << " not cumulative";
      }
      EXPECT_EQ(buckets.back().first, INFINITY);
      EXPECT_EQ(buckets.back().second, out.value(family + "_count", labels));
      EXPECT_GE(out.value(family + "_sum", labels), 0);
    }
  }
  return out;
}

TEST(Metrics, FreshRegistryRendersEveryFamily) {
  metrics_registry m;
  const exposition e = parse(m.render());
  EXPECT_EQ(e.types.at("onehop_http_requests_total"), "counter");
  EXPECT_EQ(e.types.at("onehop_http_request_duration_seconds"), "histogram");
  EXPECT_EQ(e.types.at("onehop_uploads_started_total"), "counter");
  EXPECT_EQ(e.types.at("onehop_uploads_completed_total"), "counter");
  EXPECT_EQ(e.types.at("onehop_uploads_rejected_total"), "counter");
  EXPECT_EQ(e.types.at("onehop_rate_limited_total"), "counter");
  EXPECT_EQ(e.types.at("onehop_pending_swept_total"), "counter");
  EXPECT_EQ(e.value("onehop_uploads_completed_total"), 0);
  EXPECT_EQ(e.value("onehop_rate_limited_total", {{"scope", "ip"}}), 0);
  EXPECT_EQ(e.value("onehop_uploads_started_total", {{"method", "multipart"}}), 0);
}

TEST(Metrics, HistogramBucketsAreCumulativeWithBoundariesInclusive) {
  metrics_registry m;
  const route r = route::create_upload;
  m.observe_request(r, http_method::post, 201, 100us);   // le 0.0001 (inclusive)
  m.observe_request(r, http_method::post, 201, 101us);   // le 0.00025
  m.observe_request(r, http_method::post, 201, 3ms);     // le 0.005
  m.observe_request(r, http_method::post, 429, 2500ms);  // le 2.5
  m.observe_request(r, http_method::post, 500, 10s);     // +Inf only
  const exposition e = parse(m.render());
  const std::string b = "onehop_http_request_duration_seconds_bucket";
  auto bucket = [&](const char* le) {
    return e.value(b, {{"route", "create_upload"}, {"le", le}});
  };
  EXPECT_EQ(bucket("0.0001"), 1);
  EXPECT_EQ(bucket("0.00025"), 2);
  EXPECT_EQ(bucket("0.0025"), 2);
  EXPECT_EQ(bucket("0.005"), 3);
  EXPECT_EQ(bucket("1"), 3);
  EXPECT_EQ(bucket("2.5"), 4);
  EXPECT_EQ(bucket("+Inf"), 5);
  EXPECT_EQ(e.value("onehop_http_request_duration_seconds_count", {{"route", "create_upload"}}), 5);
  EXPECT_NEAR(e.value("onehop_http_request_duration_seconds_sum", {{"route", "create_upload"}}),
              0.000100 + 0.000101 + 0.003 + 2.5 + 10, 1e-9);
  EXPECT_EQ(e.value("onehop_http_requests_total",
                    {{"route", "create_upload"}, {"method", "POST"}, {"status", "201"}}),
            3);
  EXPECT_EQ(e.value("onehop_http_requests_total",
                    {{"route", "create_upload"}, {"method", "POST"}, {"status", "429"}}),
            1);
  // Routes never seen have no histogram series.
  EXPECT_EQ(bucket("+Inf"), 5);
  EXPECT_EQ(e.value(b, {{"route", "get_image"}, {"le", "+Inf"}}), -1);
}

TEST(Metrics, StatusesOutsideTheSetAndMethodsFromVerbs) {
  metrics_registry m;
  m.observe_request(route::static_file, http_method::get, 418, 1ms);
  m.observe_request(route::static_file, http_method::get, 9999, 1ms);
  m.observe_request(route::get_image, boost::beast::http::verb::get, 404, 1ms);
  m.observe_request(route::delete_image, boost::beast::http::verb::delete_, 204, 1ms);
  m.observe_request(route::not_found, boost::beast::http::verb::patch, 404, 1ms);
  const exposition e = parse(m.render());
  const std::string c = "onehop_http_requests_total";
  EXPECT_EQ(e.value(c, {{"route", "static"}, {"method", "GET"}, {"status", "other"}}), 2);
  EXPECT_EQ(e.value(c, {{"route", "get_image"}, {"method", "GET"}, {"status", "404"}}), 1);
  EXPECT_EQ(e.value(c, {{"route", "delete_image"}, {"method", "DELETE"}, {"status", "204"}}), 1);
  EXPECT_EQ(e.value(c, {{"route", "not_found"}, {"method", "other"}, {"status", "404"}}), 1);
}

TEST(Metrics, RejectReasons) {
  EXPECT_EQ(reject_reason_for(errc::conflict), reject_reason::quota_exceeded);
  EXPECT_EQ(reject_reason_for(errc::too_large), reject_reason::too_large);
  EXPECT_EQ(reject_reason_for(errc::unsupported_type), reject_reason::unsupported_type);
  EXPECT_EQ(reject_reason_for(errc::verification_failed), reject_reason::verification_failed);
  EXPECT_EQ(reject_reason_for(errc::invalid_request), reject_reason::invalid_request);
}

TEST(Metrics, ConcurrentUpdatesAreAllCounted) {
  metrics_registry m;
  constexpr int threads_n = 4;
  constexpr int per_thread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_n; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < per_thread; ++i) {
        m.observe_request(route::create_upload, http_method::post, i % 10 == 0 ? 429 : 201,
                          std::chrono::microseconds(i % 2000));
        m.upload_started(i % 2 == 0 ? upload_method::put : upload_method::post);
        if (i % 5 == 0) {
          m.upload_rejected(reject_reason::too_large);
          m.rate_limited(t % 2 == 0 ? rate_scope::user : rate_scope::ip);
        }
        m.upload_completed();
      }
      m.pending_swept(3);
    });
  }
  // Scrapes while the updates run must parse and be self-consistent too.
  for (int k = 0; k < 20; ++k) {
    parse(m.render());
  }
  for (auto& t : threads) {
    t.join();
  }
  const exposition e = parse(m.render());
  constexpr double total = threads_n * per_thread;
  const std::string c = "onehop_http_requests_total";
  EXPECT_EQ(e.value(c, {{"route", "create_upload"}, {"method", "POST"}, {"status", "201"}}),
            total * 9 / 10);
  EXPECT_EQ(e.value(c, {{"route", "create_upload"}, {"method", "POST"}, {"status", "429"}}),
            total / 10);
  EXPECT_EQ(e.value("onehop_http_request_duration_seconds_count", {{"route", "create_upload"}}),
            total);
  // The same durations, summed and bucketed here in plain arithmetic.
  double expected_sum = 0;
  double expected_fast = 0;  // <= 100 µs
  for (int i = 0; i < per_thread; ++i) {
    expected_sum += threads_n * (i % 2000) * 1e-6;
    expected_fast += (i % 2000) <= 100 ? threads_n : 0;
  }
  EXPECT_NEAR(e.value("onehop_http_request_duration_seconds_sum", {{"route", "create_upload"}}),
              expected_sum, 1e-6);
  EXPECT_EQ(e.value("onehop_http_request_duration_seconds_bucket",
                    {{"route", "create_upload"}, {"le", "0.0001"}}),
            expected_fast);
  EXPECT_EQ(e.value("onehop_uploads_started_total", {{"method", "put"}}), total / 2);
  EXPECT_EQ(e.value("onehop_uploads_started_total", {{"method", "post"}}), total / 2);
  EXPECT_EQ(e.value("onehop_uploads_completed_total"), total);
  EXPECT_EQ(e.value("onehop_uploads_rejected_total", {{"reason", "too_large"}}), total / 5);
  EXPECT_EQ(e.value("onehop_uploads_rejected_total", {{"reason", "quota_exceeded"}}), 0);
  EXPECT_EQ(e.value("onehop_rate_limited_total", {{"scope", "user"}}), total / 10);
  EXPECT_EQ(e.value("onehop_rate_limited_total", {{"scope", "ip"}}), total / 10);
  EXPECT_EQ(e.value("onehop_pending_swept_total"), 3 * threads_n);
}

}  // namespace
}  // namespace onehop::api
