// Precompiled for every module that talks Asio/Beast: parsing these headers is
// most of a translation unit's compile time.
#pragma once
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
