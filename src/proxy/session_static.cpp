// A request routed to a static site: look the file up beneath the live release, answer with a
// head Baton writes, then the bytes. Small bodies go out with the head in one write; larger ones
// with sendfile(2), so they never pass through user space.
#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>

#include "http/conditional.hpp"
#include "http/path_normalizer.hpp"
#include "proxy/session.hpp"
#include "proxy/static_reply.hpp"
#include "proxy/worker.hpp"

namespace baton::proxy {
namespace {
// Below this a body is read into the head's buffer: one write instead of a write and a sendfile.
constexpr std::uint64_t kInlineBodyBytes = 32 * 1024;
constexpr std::size_t kSendfileChunk = 1 << 20;

std::string_view strip_prefix(std::string_view path, std::string_view prefix, std::string& scratch) {
  if (prefix.size() <= 1) return path;
  auto rest = path.substr(std::min(prefix.size(), path.size()));
  if (rest.starts_with('/')) return rest;
  scratch = "/";
  scratch += rest;
  return scratch;
}

StaticRequestInfo request_info(const http::RequestHead& request, bool keep_alive) {
  StaticRequestInfo info;
  info.head_method = request.method == http::Verb::head;
  info.keep_alive = keep_alive;
  info.version = request.version;
  info.path = request.path;
  for (const auto& field : request.fields) {
    switch (field.id) {
      case http::Field::if_none_match: info.if_none_match = field.value; break;
      case http::Field::if_modified_since: info.if_modified_since = field.value; break;
      case http::Field::range: info.range = field.value; break;
      case http::Field::if_range: info.if_range = field.value; break;
      default: break;
    }
  }
  return info;
}

LookupRequest lookup_request(const http::FilePath& path, const http::RequestHead& request) {
  LookupRequest lookup;
  lookup.relative = path.relative;
  lookup.trailing_slash = path.trailing_slash;
  for (const auto& field : request.fields) {
    if (field.id != http::Field::accept_encoding) continue;
    lookup.accepts_br = lookup.accepts_br || http::accepts_coding(field.value, "br");
    lookup.accepts_gzip = lookup.accepts_gzip || http::accepts_coding(field.value, "gzip");
  }
  return lookup;
}

StaticReply method_not_allowed(bool keep_alive) {
  auto reply = static_error(405, "method_not_allowed", keep_alive);
  reply.head.insert(reply.head.find("\r\n") + 2, "Allow: GET, HEAD\r\n");
  return reply;
}

StaticReply answer(const StaticSite& site, const http::RequestHead& request, bool keep_alive,
                   ReleaseDirCache& releases, std::string buffer) {
  if (request.method != http::Verb::get && request.method != http::Verb::head) return method_not_allowed(keep_alive);
  std::string scratch;
  auto path = http::normalize_file_path(strip_prefix(request.path, site.prefix, scratch));
  if (!path) {
    bool bad = path.error() == http::PathRejection::bad_request;
    return static_error(bad ? 400 : 404, bad ? "bad_path" : "not_found", keep_alive);
  }
  auto found = look_up_static(site, lookup_request(*path, request), releases);
  auto info = request_info(request, keep_alive);
  switch (found.outcome) {
    case LookupOutcome::found: return make_static_reply(std::move(found), info, std::move(buffer));
    case LookupOutcome::redirect_slash: return static_redirect(info);
    case LookupOutcome::not_published: return static_error(503, "not_published", keep_alive);
    case LookupOutcome::not_found: break;
  }
  return static_error(404, "not_found", keep_alive);
}

// pread until `length` bytes are in `out`; false when the file ended early (truncated under us).
bool read_body_into(std::string& out, int file, std::uint64_t offset, std::uint64_t length) {
  auto start = out.size();
  out.resize(start + length);
  for (std::uint64_t done = 0; done < length;) {
    auto n = ::pread(file, out.data() + start + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::uint64_t>(n);
  }
  return true;
}
}  // namespace

awaitable<void> Session::serve_static(Exchange& exchange) {
  // The body of a request to a static site is never read, so the connection cannot carry another.
  exchange.client_keep_alive = exchange.client_keep_alive && !request_.has_body();
  auto reply = answer(*exchange.service->site, request_, exchange.client_keep_alive, worker_.release_dirs(),
                      std::move(head_out_));
  exchange.status = reply.status;
  exchange.error = reply.error;
  head_out_ = std::move(reply.head);
  bool inline_body = reply.file && reply.length <= kInlineBodyBytes;
  if (inline_body && !read_body_into(head_out_, reply.file.get(), reply.offset, reply.length)) {
    exchange.client_keep_alive = false;
    co_return;
  }
  bool sent_by_file = reply.file && !inline_body;
  exchange.response_bytes = inline_body ? reply.length : 0;
  if (!sent_by_file) count_exchange();  // before the last write, as every response
  bool ok = co_await write_client(head_out_);
  if (ok && sent_by_file) {
    exchange.response_bytes = reply.length;
    count_exchange();
    ok = co_await send_file_range(reply.file.get(), reply.offset, reply.length);
    if (!ok) exchange.response_bytes = 0;
  }
  if (!ok) exchange.client_keep_alive = false;
}

// sendfile on the non-blocking client socket; when the socket buffer is full, wait for it to
// drain under the send deadline (each wait re-armed: only a client that stops reading times out).
awaitable<bool> Session::send_file_range(int file, std::uint64_t offset, std::uint64_t length) {
  error_code ec;
  client_.native_non_blocking(true, ec);
  if (ec) co_return false;
  auto position = static_cast<off_t>(offset);
  while (length > 0) {
    arm(Phase::send, worker_.shared().settings.timeouts.send);
    auto n = ::sendfile(client_.native_handle(), file, &position, std::min<std::uint64_t>(length, kSendfileChunk));
    if (n > 0) {
      length -= static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) co_return false;
    auto [wait_error] = co_await client_.async_wait(Socket::wait_write, use_nothrow);
    if (wait_error || expired_ || cut_) co_return false;
  }
  co_return true;
}
}  // namespace baton::proxy
