#pragma once
// One health probe of an instance on 127.0.0.1:port.
#include <cstdint>
#include <string>

#include "balancer/health_check.hpp"
#include "net/address.hpp"
#include "net/asio.hpp"

namespace baton::health {
struct ProbeResult {
  bool ok = false;
  // For people: "HTTP 200", "HTTP 503", "connection refused", "timed out after 2000 ms",
  // "bad response".
  std::string detail;
};

// tcp: the port accepts a connection. http: GET check.path, and the response's status is in
// [expect_min, expect_max]; only the head is read. Everything happens under check.timeout.
// Never throws; when the awaiting coroutine is cancelled it returns early (a failed result).
// `check` must outlive the returned awaitable.
awaitable<ProbeResult> probe(const HealthCheck& check, const Address& target);
// The same for 127.0.0.1:port (an instance Baton runs).
awaitable<ProbeResult> probe(const HealthCheck& check, std::uint16_t port);
}  // namespace baton::health
