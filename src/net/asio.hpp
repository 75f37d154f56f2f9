#pragma once
#include <boost/asio.hpp>

namespace baton {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;
using error_code = boost::system::error_code;
template <typename T = void>
using awaitable = asio::awaitable<T>;
// Expected errors on the data path come back as values, never as exceptions.
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
}  // namespace baton
