// `onehop presign`: the I/O edge of presigning. Reads the flags, the environment and the clock,
// turns them into typed values once (presign_input.hpp), signs with the sigv4 library and prints.

#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/presign_input.hpp"
#include "sigv4/post_policy.hpp"
#include "sigv4/signer.hpp"

namespace onehop::cli {
namespace {

constexpr std::string_view command_name = "presign";

// Large reads and writes: a few hundred system calls for millions of URLs.
constexpr std::size_t read_chunk_bytes = std::size_t{1} << 20;
constexpr std::size_t write_flush_bytes = std::size_t{1} << 20;

// The flags as CLI11 stores them, before they are checked.
struct presign_flags {
  std::string method = "PUT";
  std::string bucket;
  std::optional<std::string> key;
  bool from_stdin = false;
  std::optional<std::string> endpoint;
  std::optional<std::string> region;
  bool path_style = false;
  bool virtual_hosted = false;
  std::int64_t expires = 3600;
  std::vector<std::string> headers;
  std::vector<std::string> queries;
  std::optional<std::string> date;
  bool post = false;
  std::optional<std::uint64_t> max_size;
  std::optional<std::string> content_type;
};

// Everything signing needs, checked.
struct presign_plan {
  sigv4::signer_config config;
  std::string method;
  std::string bucket;
  std::vector<header_arg> headers;
  std::vector<query_arg> queries;
  std::chrono::seconds expires{};
  std::chrono::sys_seconds now{};
};

[[noreturn]] void usage_error(std::string_view message) {
  fail(command_name, message, exit_usage);
}

template <class T>
T checked(input_result<T> r) {
  if (!r) {
    usage_error(r.error().message);
  }
  return std::move(*r);
}

void checked(input_result<void> r) {
  if (!r) {
    usage_error(r.error().message);
  }
}

// An unset and an empty variable both mean "not given", as in the AWS CLI.
std::optional<std::string_view> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::string_view{value};
}

std::string quoted_prefix(std::string_view text) {
  constexpr std::size_t shown = 120;
  std::string out = "'";
  out += text.substr(0, shown);
  out += text.size() > shown ? "...'" : "'";
  return out;
}

bool is_ip_literal(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    return true;
  }
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

sigv4::credentials credentials_from_env() {
  const auto id = env("AWS_ACCESS_KEY_ID");
  const auto secret = env("AWS_SECRET_ACCESS_KEY");
  if (!id) {
    usage_error(
        "AWS_ACCESS_KEY_ID is not set: export it and AWS_SECRET_ACCESS_KEY (and "
        "AWS_SESSION_TOKEN for temporary credentials)");
  }
  if (!secret) {
    usage_error("AWS_SECRET_ACCESS_KEY is not set: export it with AWS_ACCESS_KEY_ID");
  }
  sigv4::credentials creds;
  creds.access_key_id = *id;
  creds.secret_access_key = *secret;
  creds.session_token = env("AWS_SESSION_TOKEN").value_or(std::string_view{});
  return creds;
}

std::string region_from(const presign_flags& flags) {
  std::string region;
  if (flags.region) {
    region = *flags.region;
  } else if (auto r = env("AWS_REGION")) {
    region = *r;
  } else if (auto d = env("AWS_DEFAULT_REGION")) {
    region = *d;
  } else {
    region = "us-east-1";
  }
  checked(check_region(region));
  return region;
}

sigv4::s3_endpoint endpoint_from(const presign_flags& flags, std::string_view region) {
  std::string_view source;
  std::string_view url;
  if (flags.endpoint) {
    source = "--endpoint";
    url = *flags.endpoint;
  } else if (auto s3 = env("AWS_ENDPOINT_URL_S3")) {
    source = "AWS_ENDPOINT_URL_S3";
    url = *s3;
  } else if (auto any = env("AWS_ENDPOINT_URL")) {
    source = "AWS_ENDPOINT_URL";
    url = *any;
  } else {
    return sigv4::aws_endpoint(region);
  }
  auto parsed = sigv4::parse_endpoint(url);
  if (!parsed) {
    usage_error(std::string{source} + " " + quoted_prefix(url) +
                " is not an endpoint URL: expected http(s)://host[:port] with no path, "
                "user or query");
  }
  return std::move(*parsed);
}

sigv4::addressing_style addressing_from(const presign_flags& flags,
                                        const sigv4::s3_endpoint& endpoint) {
  using sigv4::addressing_style;
  if (!sigv4::validate_bucket(flags.bucket, addressing_style::path)) {
    usage_error("bucket name " + quoted_prefix(flags.bucket) +
                " is not valid: 3..63 lower-case letters, digits, '.' or '-', starting and "
                "ending with a letter or digit");
  }
  if (flags.path_style) {
    return addressing_style::path;
  }
  if (flags.virtual_hosted) {
    if (!sigv4::validate_bucket(flags.bucket, addressing_style::virtual_hosted)) {
      usage_error("--virtual-hosted needs a bucket name without '.' (use --path-style)");
    }
    if (is_ip_literal(endpoint.host)) {
      usage_error("--virtual-hosted needs an endpoint with a host name, not an IP address");
    }
    return addressing_style::virtual_hosted;
  }
  return default_addressing(endpoint, flags.bucket);
}

presign_plan make_plan(const presign_flags& flags) {
  if (flags.key && flags.from_stdin) {
    usage_error("give either --key or --stdin, not both");
  }
  if (!flags.key && !flags.from_stdin) {
    usage_error("give the object key with --key KEY, or keys on stdin with --stdin");
  }
  if (flags.bucket.empty()) {
    usage_error("--bucket is required");
  }
  if (flags.key) {
    checked(check_key(*flags.key));
  }
  checked(check_expires(flags.expires));
  if (flags.max_size) {
    checked(check_max_size(*flags.max_size));
  }

  presign_plan plan;
  plan.method = flags.method;
  plan.bucket = flags.bucket;
  plan.expires = std::chrono::seconds{flags.expires};
  for (const auto& text : flags.headers) {
    plan.headers.push_back(checked(parse_header_arg(text)));
  }
  checked(check_unique_headers(plan.headers));
  for (const auto& text : flags.queries) {
    plan.queries.push_back(checked(parse_query_arg(text)));
  }
  checked(check_unique_queries(plan.queries));
  if (flags.content_type) {
    checked(parse_header_arg("Content-Type: " + *flags.content_type));
  }
  // The CLI is where the clock is read, once: every URL of a run carries the same X-Amz-Date.
  plan.now = flags.date
                 ? checked(parse_date_arg(*flags.date))
                 : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

  plan.config.creds = credentials_from_env();
  plan.config.region = region_from(flags);
  plan.config.endpoint = endpoint_from(flags, plan.config.region);
  plan.config.style = addressing_from(flags, plan.config.endpoint);
  return plan;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      fail(command_name, std::string{"cannot write to stdout: "} + std::strerror(errno),
           exit_failure);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Views into the plan, in the shapes the signer takes.
struct request_views {
  std::vector<sigv4::header_field> headers;
  std::vector<sigv4::query_param> queries;

  explicit request_views(const presign_plan& plan) {
    for (const auto& h : plan.headers) {
      headers.push_back({h.name, h.value});
    }
    for (const auto& q : plan.queries) {
      queries.push_back({q.name, q.value});
    }
  }

  sigv4::presign_request request(const presign_plan& plan, std::string_view key) const {
    sigv4::presign_request r;
    r.method = plan.method;
    r.bucket = plan.bucket;
    r.key = key;
    r.query = queries;
    r.headers = headers;
    r.expires = plan.expires;
    return r;
  }
};

void presign_one(const presign_plan& plan, std::string_view key) {
  sigv4::presigner signer{plan.config};
  const request_views views{plan};
  std::string url;
  // Every input was checked above, so a refusal here is a gap in those checks: still report it.
  if (!signer.presign(url, views.request(plan, key), plan.now)) {
    usage_error("the signer refused these inputs");
  }
  url += '\n';
  write_all(STDOUT_FILENO, url);
}

// Keys from stdin, one per line ('\n'; a last line without one counts too). Each line is checked
// as it arrives; on a bad line the URLs of the lines before it have been printed, and nothing
// after. A line can never make the buffer grow: past max_key_bytes it is refused unread.
void presign_stdin(const presign_plan& plan) {
  sigv4::presigner signer{plan.config};
  const request_views views{plan};
  sigv4::presign_request request = views.request(plan, {});

  const std::size_t capacity = read_chunk_bytes + max_key_bytes + 1;
  const auto in = std::make_unique<char[]>(capacity);
  std::size_t begin = 0;  // start of the unconsumed bytes in `in`
  std::size_t end = 0;    // end of the bytes read
  std::string out;
  out.reserve(write_flush_bytes + 4096);
  std::string url;
  std::uint64_t line_number = 0;
  bool eof = false;

  const auto reject_line = [&](std::string_view message) {
    write_all(STDOUT_FILENO, out);
    fail(command_name, "stdin line " + std::to_string(line_number) + ": " + std::string{message},
         exit_failure);
  };
  const auto sign_line = [&](std::string_view key) {
    ++line_number;
    if (auto ok = check_key(key); !ok) {
      reject_line(ok.error().message);
    }
    request.key = key;
    if (!signer.presign(url, request, plan.now)) {
      reject_line("the signer refused this key");
    }
    out += url;
    out += '\n';
    if (out.size() >= write_flush_bytes) {
      write_all(STDOUT_FILENO, out);
      out.clear();
    }
  };

  while (!eof) {
    // Keep the partial last line, then fill the rest of the buffer.
    if (begin > 0) {
      std::memmove(in.get(), in.get() + begin, end - begin);
      end -= begin;
      begin = 0;
    }
    const ssize_t n = ::read(STDIN_FILENO, in.get() + end, capacity - end);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      fail(command_name, std::string{"cannot read stdin: "} + std::strerror(errno), exit_failure);
    }
    if (n == 0) {
      eof = true;
    }
    end += static_cast<std::size_t>(n);
    for (;;) {
      const char* start = in.get() + begin;
      const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end - begin));
      if (newline == nullptr) {
        break;
      }
      sign_line(std::string_view(start, static_cast<std::size_t>(newline - start)));
      begin += static_cast<std::size_t>(newline - start) + 1;
    }
    if (end - begin > max_key_bytes) {
      ++line_number;
      reject_line("the key is longer than S3's " + std::to_string(max_key_bytes) + "-byte limit");
    }
    if (eof && end > begin) {
      sign_line(std::string_view(in.get() + begin, end - begin));
    }
  }
  write_all(STDOUT_FILENO, out);
}

std::string post_url(const sigv4::signer_config& config, std::string_view bucket) {
  std::string url = config.endpoint.scheme + "://";
  if (config.style == sigv4::addressing_style::virtual_hosted) {
    url += bucket;
    url += '.';
    url += config.endpoint.authority();
    url += '/';
  } else {
    url += config.endpoint.authority();
    url += '/';
    url += bucket;
  }
  return url;
}

void presign_post_form(const presign_plan& plan, const presign_flags& flags) {
  std::vector<sigv4::form_field> fields;
  std::vector<sigv4::policy_condition> conditions;
  if (flags.max_size) {
    conditions.emplace_back(sigv4::content_length_range{0, *flags.max_size});
  }
  if (flags.content_type) {
    fields.push_back({"Content-Type", *flags.content_type});
    conditions.emplace_back(
        sigv4::field_condition{sigv4::condition_op::eq, "Content-Type", *flags.content_type, true});
  }
  sigv4::post_form_request request;
  request.bucket = plan.bucket;
  request.key = *flags.key;
  request.region = plan.config.region;
  request.credentials = {plan.config.creds.access_key_id, plan.config.creds.secret_access_key,
                         plan.config.creds.session_token};
  request.now = plan.now;
  request.expires = plan.expires;
  request.fields = fields;
  request.conditions = conditions;
  auto form = sigv4::presign_post(request);
  if (!form) {
    usage_error("the signer refused these inputs");
  }
  boost::json::object field_object;
  for (const auto& field : form->fields) {
    field_object[field.name] = field.value;
  }
  boost::json::object document;
  document["url"] = post_url(plan.config, plan.bucket);
  document["fields"] = std::move(field_object);
  std::string text = boost::json::serialize(document);
  text += '\n';
  write_all(STDOUT_FILENO, text);
}

void run_presign(const presign_flags& flags) {
  const presign_plan plan = make_plan(flags);
  if (flags.post) {
    presign_post_form(plan, flags);
  } else if (flags.from_stdin) {
    presign_stdin(plan);
  } else {
    presign_one(plan, *flags.key);
  }
}

constexpr const char* presign_footer = R"(Credentials and defaults come from the environment:
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   required
  AWS_SESSION_TOKEN                          temporary credentials (adds X-Amz-Security-Token)
  AWS_REGION, then AWS_DEFAULT_REGION        region when --region is not given (else us-east-1)
  AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL endpoint when --endpoint is not given
                                             (else AWS: https://s3.amazonaws.com for us-east-1,
                                             https://s3.REGION.amazonaws.com otherwise)

Addressing: virtual-hosted (https://BUCKET.s3...) for AWS endpoints when the bucket name has no
'.', path style (ENDPOINT/BUCKET/KEY) otherwise, as botocore does; --path-style and
--virtual-hosted override.

--header values are signed: the uploader must send exactly these headers with these values
(for example --header 'Content-Type: image/png' --header 'Content-Length: 1234').
--query parameters are signed and appear in the URL before the X-Amz-* ones, in the order given.

With --stdin, keys are read one per line ('\n'; a '\r' is part of the key) and one URL is
printed per line, in order, all signed at the same time. A bad line stops the run with exit
status 1, naming the line; the URLs of the lines before it have been printed.

With --post, prints {"url":...,"fields":{...}}: the form's action and the fields to send before
the file. --max-size adds the condition ["content-length-range", 0, BYTES]; --content-type adds
the field Content-Type and a condition requiring exactly that value.

Examples:
  onehop presign --bucket photos --key cat.jpg --header 'Content-Type: image/jpeg'
  onehop presign --method GET --bucket photos --key cat.jpg --expires 300
  onehop presign --endpoint http://127.0.0.1:9000 --bucket photos --stdin < keys.txt
  onehop presign --post --bucket photos --key cat.jpg --max-size 10485760 --content-type image/jpeg

Exit status: 0 on success, 1 when the run failed (a bad --stdin line, an I/O error),
2 for bad flags, values or environment (nothing was printed).
)";

}  // namespace

void add_presign_command(CLI::App& app) {
  auto flags = std::make_shared<presign_flags>();
  CLI::App* cmd = app.add_subcommand(
      "presign",
      "Print a presigned S3 URL (AWS Signature V4 query authentication), or a presigned POST "
      "form as JSON. Offline: nothing is sent to the storage.");
  cmd->footer(presign_footer);

  auto* method = cmd->add_option("--method", flags->method,
                                 "HTTP method the URL allows: PUT (default), GET, HEAD or DELETE")
                     ->type_name("METHOD")
                     ->transform(CLI::IsMember({"PUT", "GET", "HEAD", "DELETE"}, CLI::ignore_case));
  cmd->add_option("--bucket", flags->bucket, "Bucket name (required)")->type_name("NAME");
  cmd->add_option("--key", flags->key, "Object key: 1..1024 bytes of UTF-8, used as is")
      ->type_name("KEY");
  auto* from_stdin = cmd->add_flag(
      "--stdin", flags->from_stdin,
      "Read keys from stdin, one per line, and print one URL per line in the same order");
  cmd->add_option("--endpoint", flags->endpoint,
                  "Storage endpoint, http(s)://host[:port] (default: AWS's, see below)")
      ->type_name("URL");
  cmd->add_option("--region", flags->region, "Signing region (default: us-east-1, see below)")
      ->type_name("REGION");
  auto* path_style = cmd->add_flag("--path-style", flags->path_style,
                                   "Address the bucket in the path: ENDPOINT/BUCKET/KEY");
  auto* virtual_hosted = cmd->add_flag("--virtual-hosted", flags->virtual_hosted,
                                       "Address the bucket in the host name: BUCKET.HOST/KEY");
  path_style->excludes(virtual_hosted);
  cmd->add_option("--expires", flags->expires,
                  "Seconds the URL (or POST policy) stays valid: 1..604800 (default 3600)")
      ->type_name("SECONDS");
  auto* header = cmd->add_option("--header", flags->headers,
                                 "Signed header the uploader must send, 'Name: value' (repeatable)")
                     ->type_name("'NAME: VALUE'")
                     ->allow_extra_args(false);
  auto* query = cmd->add_option("--query", flags->queries,
                                "Signed query parameter, 'name=value' or 'name' (repeatable)")
                    ->type_name("'NAME=VALUE'")
                    ->allow_extra_args(false);
  cmd->add_option("--date", flags->date,
                  "Signing time in UTC, YYYYMMDDTHHMMSSZ (default: the system clock)")
      ->type_name("YYYYMMDDTHHMMSSZ");
  auto* post =
      cmd->add_flag("--post", flags->post,
                    "Print a presigned POST form (browser upload) as JSON instead of a URL");
  post->excludes(method)->excludes(from_stdin)->excludes(header)->excludes(query);
  cmd->add_option("--max-size", flags->max_size,
                  "With --post: largest file accepted, in bytes (0..5368709120)")
      ->type_name("BYTES")
      ->needs(post);
  cmd->add_option("--content-type", flags->content_type,
                  "With --post: the Content-Type the file must be sent with")
      ->type_name("TYPE")
      ->needs(post);
  cmd->callback([flags] { run_presign(*flags); });
}

}  // namespace onehop::cli
