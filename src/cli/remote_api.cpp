#include "cli/remote_api.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "base/secret_file.hpp"
#include "cli/api_stream.hpp"
#include "net/asio.hpp"

namespace baton::cli {
namespace http = boost::beast::http;
namespace {
constexpr std::size_t kChunkBytes = 1 << 20;

struct Connection {
  asio::io_context context;
  tcp::socket socket{context};
  beast::flat_buffer buffer;
};

std::expected<void, ApiError> connect(Connection& c, const RemoteUrl& url) {
  error_code ec;
  tcp::resolver resolver(c.context);
  auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (!ec) asio::connect(c.socket, endpoints, ec);
  if (ec) return std::unexpected(ApiError{true, fmt::format("no daemon answers at {}:{} ({})", url.host, url.port, ec.message())});
  return {};
}

http::request<http::string_body> head(const Remote& remote, const std::string& method, const std::string& path) {
  http::request<http::string_body> request(http::string_to_verb(method), path, 11);
  request.set(http::field::host, remote.url.host);
  request.set(http::field::authorization, "Bearer " + remote.token);
  return request;
}

std::expected<ApiReply, ApiError> read_reply(Connection& c) {
  for (;;) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    error_code ec;
    http::read(c.socket, c.buffer, parser, ec);
    if (ec) return std::unexpected(ApiError{false, "the daemon did not answer: " + ec.message()});
    if (parser.get().result_int() == 100) continue;
    return ApiReply{static_cast<unsigned>(parser.get().result_int()), std::move(parser.get().body())};
  }
}

// Collects the body into chunks of up to kChunkBytes, each written as one HTTP chunk.
struct ChunkWriter {
  tcp::socket& socket;
  std::vector<char> pending;
  bool broken = false;  // the daemon stopped reading (and may have said why)
  std::expected<void, std::string> flush() {
    if (pending.empty()) return {};
    auto size = fmt::format("{:x}\r\n", pending.size());
    std::array<asio::const_buffer, 3> parts{asio::buffer(size), asio::buffer(pending), asio::buffer("\r\n", 2)};
    error_code ec;
    asio::write(socket, parts, ec);
    pending.clear();
    broken = static_cast<bool>(ec);
    if (ec) return std::unexpected("the daemon stopped taking the upload: " + ec.message());
    return {};
  }
  std::expected<void, std::string> add(std::span<const char> bytes) {
    pending.insert(pending.end(), bytes.begin(), bytes.end());
    return pending.size() >= kChunkBytes ? flush() : std::expected<void, std::string>{};
  }
};
}  // namespace

std::string percent_encoded(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::expected<RemoteUrl, std::string> parse_remote_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.starts_with("https://"))
    return std::unexpected("https is not supported: reach the admin listener through a TLS proxy or an SSH tunnel");
  if (!url.starts_with(kScheme)) return std::unexpected(fmt::format("'{}' is not an http://HOST:PORT URL", url));
  auto rest = url.substr(kScheme.size());
  rest = rest.substr(0, rest.find('/'));
  RemoteUrl out{std::string(rest), "80"};
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return std::unexpected(fmt::format("'{}': unclosed '['", url));
    out.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::unexpected(fmt::format("'{}': bad host", url));
    if (!rest.empty()) out.port = std::string(rest.substr(1));
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    out.host = std::string(rest.substr(0, colon));
    out.port = std::string(rest.substr(colon + 1));
  }
  unsigned port = 0;
  auto [end, error] = std::from_chars(out.port.data(), out.port.data() + out.port.size(), port);
  if (out.host.empty() || error != std::errc() || end != out.port.data() + out.port.size() || port == 0 || port > 65535)
    return std::unexpected(fmt::format("'{}' is not an http://HOST:PORT URL", url));
  return out;
}

namespace {
std::optional<Remote>& chosen_remote() {
  static std::optional<Remote> remote;
  return remote;
}

std::expected<Remote, std::string> remote_from(const std::string& url, const std::string& token_file,
                                               std::string_view source) {
  auto parsed = parse_remote_url(url);
  if (!parsed) return std::unexpected(fmt::format("{}: {}", source, parsed.error()));
  if (token_file.empty()) return std::unexpected(fmt::format("{}: a remote daemon needs its token (--token FILE)", source));
  auto token = read_secret_file(token_file);
  if (!token) return std::unexpected(fmt::format("{}: token: {}", source, token.error()));
  return Remote{std::move(*parsed), std::move(*token)};
}
}  // namespace

void use_remote(std::optional<Remote> remote) { chosen_remote() = std::move(remote); }

const Remote* remote_in_use() { return chosen_remote() ? &*chosen_remote() : nullptr; }

std::string contexts_file(const std::function<const char*(const char*)>& env) {
  auto set = [&](const char* name) -> std::optional<std::string> {
    const char* value = env(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
  };
  if (auto config = set("XDG_CONFIG_HOME")) return *config + "/baton/contexts.toml";
  return set("HOME").value_or("") + "/.config/baton/contexts.toml";
}

std::expected<std::optional<Remote>, std::string> resolve_remote(const RemoteFlags& flags,
                                                                 const std::function<const char*(const char*)>& env,
                                                                 const ContextLookup& lookup) {
  auto from_env = [&](const char* name) { return std::string(env(name) ? env(name) : ""); };
  if (!flags.remote.empty()) return remote_from(flags.remote, flags.token_file, "--remote");
  if (!flags.token_file.empty()) return std::unexpected("--token goes with --remote URL");
  auto context = flags.context.empty() ? from_env("BATON_CONTEXT") : flags.context;
  if (!context.empty()) {
    auto found = lookup(contexts_file(env), context);
    if (!found) return std::unexpected(found.error());
    return remote_from(found->remote, found->token_file, fmt::format("context {}", context));
  }
  auto url = from_env("BATON_REMOTE");
  if (url.empty()) return std::nullopt;
  return remote_from(url, from_env("BATON_TOKEN_FILE"), "BATON_REMOTE");
}

namespace {
// Connects and sends a request with a JSON body; the answer is for the caller to read.
std::expected<void, ApiError> send_json(Connection& c, const Remote& remote, const std::string& method,
                                        const std::string& path, const std::string& body) {
  if (auto connected = connect(c, remote.url); !connected) return std::unexpected(connected.error());
  auto request = head(remote, method, path);
  request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  error_code ec;
  http::write(c.socket, request, ec);
  if (ec) return std::unexpected(ApiError{false, "the daemon did not take the request: " + ec.message()});
  return {};
}
}  // namespace

std::expected<ApiReply, ApiError> stream_remote(const Remote& remote, const std::string& method, const std::string& path,
                                                const std::string& body,
                                                const std::function<void(std::string_view line)>& on_line) {
  Connection c;
  if (auto sent = send_json(c, remote, method, path, body); !sent) return std::unexpected(sent.error());
  return read_streamed_reply(c.socket, c.buffer, on_line);
}

std::expected<ApiReply, ApiError> call_remote(const Remote& remote, const std::string& method, const std::string& path,
                                              const std::string& body) {
  Connection c;
  if (auto sent = send_json(c, remote, method, path, body); !sent) return std::unexpected(sent.error());
  return read_reply(c);
}

std::expected<ApiReply, ApiError> upload_remote(const Remote& remote, const std::string& path,
                                                std::string_view content_type,
                                                const std::function<std::expected<void, std::string>(const BodySink&)>& produce) {
  Connection c;
  if (auto connected = connect(c, remote.url); !connected) return std::unexpected(connected.error());
  auto request = head(remote, "POST", path);
  request.set(http::field::content_type, content_type);
  request.set(http::field::transfer_encoding, "chunked");
  request.set(http::field::expect, "100-continue");
  http::request_serializer<http::string_body> serializer(request);
  error_code ec;
  http::write_header(c.socket, serializer, ec);
  if (ec) return std::unexpected(ApiError{false, "the daemon did not take the request: " + ec.message()});
  http::response_parser<http::string_body> first;
  http::read_header(c.socket, c.buffer, first, ec);
  if (ec) return std::unexpected(ApiError{false, "the daemon did not answer: " + ec.message()});
  if (first.get().result_int() != 100) {  // refused before the body: the answer is complete
    http::read(c.socket, c.buffer, first, ec);
    return ApiReply{static_cast<unsigned>(first.get().result_int()), std::move(first.get().body())};
  }
  ChunkWriter writer{c.socket, {}};
  auto produced = produce([&](std::span<const char> bytes) { return writer.add(bytes); });
  if (produced) produced = writer.flush();
  if (!produced && writer.broken) {
    auto reply = read_reply(c);
    if (reply && reply->status >= 400) return reply;
  }
  // Without the last chunk the daemon sees a cut-off upload and publishes nothing.
  if (!produced) return std::unexpected(ApiError{false, produced.error()});
  asio::write(c.socket, asio::buffer("0\r\n\r\n", 5), ec);
  if (ec) return std::unexpected(ApiError{false, "the daemon stopped taking the upload: " + ec.message()});
  return read_reply(c);
}
}  // namespace baton::cli
