#include "load_client.hpp"

#include <gtest/gtest.h>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace baton::load {
namespace {
namespace http = beast::http;

TEST(ErrorClasses, Connect) {
  EXPECT_EQ(classify_connect_error(asio::error::connection_refused), ErrorClass::connect_refused);
  EXPECT_EQ(classify_connect_error(beast::error::timeout), ErrorClass::timeout);
  EXPECT_EQ(classify_connect_error(asio::error::network_unreachable), ErrorClass::other);
}

TEST(ErrorClasses, Exchange) {
  EXPECT_EQ(classify_exchange_error(http::error::end_of_stream), ErrorClass::eof_mid_response);
  EXPECT_EQ(classify_exchange_error(http::error::partial_message), ErrorClass::eof_mid_response);
  EXPECT_EQ(classify_exchange_error(asio::error::connection_reset), ErrorClass::reset);
  EXPECT_EQ(classify_exchange_error(asio::error::broken_pipe), ErrorClass::reset);
  EXPECT_EQ(classify_exchange_error(beast::error::timeout), ErrorClass::timeout);
  EXPECT_EQ(classify_exchange_error(http::error::bad_version), ErrorClass::other);
}
}  // namespace
}  // namespace baton::load
