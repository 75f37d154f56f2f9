#pragma once
// Validators, conditional requests and byte ranges for static files (RFC 9110 §8.8, §13, §14).
// Pure functions over header values.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baton::http {
// A strong validator from size and modification time: copies of one file in different releases
// keep their time (publish preserves it), so a client's cached copy stays valid across them.
std::string make_etag(std::uint64_t size, std::int64_t mtime_seconds, long mtime_nanoseconds,
                      std::string_view coding = "");
// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(std::int64_t unix_seconds);
void append_http_date(std::string& out, std::int64_t unix_seconds);
// IMF-fixdate only; the obsolete formats are answered as if the header were absent.
std::optional<std::int64_t> parse_http_date(std::string_view text);
// If-None-Match: "*" or a list of entity tags, compared weakly.
bool none_match_hits(std::string_view if_none_match, std::string_view etag);

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};
enum class RangeKind { whole, partial, unsatisfiable };
struct RangeDecision {
  RangeKind kind = RangeKind::whole;
  ByteRange range;
};
// One range of "bytes=" is served as 206; a malformed header, another unit or several ranges get
// the whole file (which RFC 9110 allows); a range past the end gets 416.
RangeDecision decide_range(std::string_view range, std::uint64_t size);
// Whether Accept-Encoding lists `coding` (or "*") with a q-value above zero.
bool accepts_coding(std::string_view accept_encoding, std::string_view coding);
}  // namespace baton::http
