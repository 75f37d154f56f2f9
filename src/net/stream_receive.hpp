#pragma once
// Receives on stream sockets that spare the system calls Asio's own reads make in
// vain on a request/response stream.
//
// Asio 1.81's epoll reactor tries every read at once (a "speculative" recv) unless
// the socket's last read returned zero bytes. After a request is read, the next
// read on that connection is therefore a recv that fails with EAGAIN, and only
// then does the read wait for readiness: one wasted system call per message on
// each side of a proxied exchange. These reads ask the kernel, with each read,
// how much is left (TCP_INQ, enabled per socket by enable_queue_hint). When
// nothing is, neither bytes nor an end of stream, the read reports the socket as
// "exhausted" to the reactor, and the next read waits for the next edge-triggered
// event without a recv. A short read alone would not prove it: a peer's FIN that
// came with the last bytes raises no further event. Sockets without the hint
// (unix sockets) keep Asio's behaviour.
//
// A reset that comes with the last bytes also raises no event of its own, and
// the hint does not show it: the next read then waits until data comes or the
// caller's deadline cancels it. So use these for reads a deadline bounds and a
// late error costs little (message heads), and start what follows a head (a
// body, a tunnel) with receive_now, which sees such a reset at once.
//
// Both operations plug into the reactor through Asio's detail layer, pinned to
// the Boost 1.81 that the project builds with (a static_assert guards it).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/asio/detail/bind_handler.hpp>
#include <boost/asio/detail/fenced_block.hpp>
#include <boost/asio/detail/handler_alloc_helpers.hpp>
#include <boost/asio/detail/handler_work.hpp>
#include <boost/asio/detail/reactive_socket_service.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/version.hpp>

#include "net/asio.hpp"

namespace baton::net {
static_assert(BOOST_VERSION / 100 == 1081, "stream_receive.hpp relies on the internals of Asio in Boost 1.81");

using StreamSocket = asio::generic::stream_protocol::socket;

namespace receive_detail {
using asio::detail::reactor_op;
using Service = asio::detail::reactive_socket_service<asio::generic::stream_protocol>;

// Reaches the socket's reactor state and the service's protected start_op, the
// entry point Asio's own reads use.
struct SocketAccess : StreamSocket {
  static auto& io_object(StreamSocket& s) { return s.*(&SocketAccess::impl_); }
};
struct ServiceAccess : Service {
  static constexpr auto start = &ServiceAccess::start_op;
};

// One non-blocking receive. `hinted` (a TCP socket with enable_queue_hint, and
// not a peek) asks the kernel what is left; only then is `drained` ever true.
// Other sockets get no control buffer: a unix peer could pass descriptors in one.
struct Received {
  ssize_t bytes;     // -1 on error, errno in `error`
  int error;
  bool drained;      // nothing left: no bytes, no FIN

  // As Asio reports a read: would_block when nothing was there, eof for zero bytes.
  error_code outcome() const {
    if (bytes > 0) return {};
    if (bytes == 0) return asio::error::eof;
    if (error == EAGAIN || error == EWOULDBLOCK) return asio::error::would_block;
    return {error, asio::error::get_system_category()};
  }
};
inline Received receive_with_hint(int fd, asio::mutable_buffer buffer, int flags, bool hinted) {
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (hinted) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
  }
  ssize_t n;
  do n = ::recvmsg(fd, &msg, flags | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0) return {-1, errno, false};
  bool drained = false;
  for (cmsghdr* c = hinted ? CMSG_FIRSTHDR(&msg) : nullptr; c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_TCP || c->cmsg_type != TCP_CM_INQ) continue;
    int left;  // bytes still queued, or 1 once a FIN came
    std::memcpy(&left, CMSG_DATA(c), sizeof left);
    drained = left == 0;
  }
  return {n, 0, drained};
}

// A receive in the reactor. `peek_signal` set: a MSG_PEEK watch that sets
// *peek_signal the moment the reactor sees data, an end of stream or an error,
// before any handler runs.
template <typename Handler, typename IoExecutor>
class ReceiveOp : public reactor_op {
 public:
  BOOST_ASIO_DEFINE_HANDLER_PTR(ReceiveOp);

  ReceiveOp(int fd, bool tcp, asio::mutable_buffer buffer, bool* peek_signal, Handler& handler,
            const IoExecutor& io_ex)
      : reactor_op(error_code(), &ReceiveOp::do_perform, &ReceiveOp::do_complete),
        fd_(fd),
        hinted_(tcp && !peek_signal),
        buffer_(buffer),
        peek_signal_(peek_signal),
        handler_(std::move(handler)),
        work_(handler_, io_ex) {}

  static status do_perform(reactor_op* base) {
    auto* o = static_cast<ReceiveOp*>(base);
    auto r = receive_with_hint(o->fd_, o->buffer_, o->peek_signal_ ? MSG_PEEK : 0, o->hinted_);
    o->ec_ = r.outcome();
    if (o->ec_ == asio::error::would_block) return not_done;
    if (o->peek_signal_) *o->peek_signal_ = true;
    o->bytes_transferred_ = r.bytes > 0 ? static_cast<std::size_t>(r.bytes) : 0;
    return r.bytes == 0 || r.drained ? done_and_exhausted : done;
  }

  // As Asio's own operations: free the operation, then call the handler through
  // its executor (or only free it when the context is destroyed).
  static void do_complete(void* owner, asio::detail::operation* base, const error_code&, std::size_t) {
    auto* o = static_cast<ReceiveOp*>(base);
    ptr p = {std::addressof(o->handler_), o, o};
    asio::detail::handler_work<Handler, IoExecutor> w(std::move(o->work_));
    asio::detail::binder2<Handler, error_code, std::size_t> handler(o->handler_, o->ec_, o->bytes_transferred_);
    p.h = std::addressof(handler.handler_);
    p.reset();
    if (owner) {
      asio::detail::fenced_block b(asio::detail::fenced_block::half);
      w.complete(handler, handler.handler_);
    }
  }

 private:
  int fd_;
  bool hinted_;
  asio::mutable_buffer buffer_;
  bool* peek_signal_;
  Handler handler_;
  asio::detail::handler_work<Handler, IoExecutor> work_;
};

template <typename Handler>
void start(StreamSocket& socket, asio::mutable_buffer buffer, bool* peek_signal, Handler&& handler) {
  using Op = ReceiveOp<std::decay_t<Handler>, StreamSocket::executor_type>;
  auto& io_object = SocketAccess::io_object(socket);
  auto& impl = io_object.get_implementation();
  bool is_continuation = boost_asio_handler_cont_helpers::is_continuation(handler);
  typename Op::ptr p = {std::addressof(handler), Op::ptr::allocate(handler), nullptr};
  auto family = impl.protocol_.family();
  bool tcp = family == AF_INET || family == AF_INET6;
  p.p = new (p.v) Op(impl.socket_, tcp, buffer, peek_signal, handler, io_object.get_executor());
  // An empty read completes at once, as Asio's does; everything else may try the
  // recv at once unless the last read drained the socket.
  bool noop = buffer.size() == 0;
  (io_object.get_service().*ServiceAccess::start)(impl, asio::detail::reactor::read_op, p.p, is_continuation,
                                                       true, noop);
  p.v = p.p = nullptr;
}
}  // namespace receive_detail

// One receive now, without waiting: bytes read, or an error (would_block when
// nothing is there, eof at the end of the stream). For the first read after a
// head read marked the socket drained, where the next read would otherwise wait
// for an event: a reset that came with the head's last bytes raised none.
inline std::size_t receive_now(StreamSocket& socket, asio::mutable_buffer buffer, error_code& ec) {
  if (buffer.size() == 0) {  // as Asio: an empty read is not an end of stream
    ec = {};
    return 0;
  }
  auto r = receive_detail::receive_with_hint(socket.native_handle(), buffer, 0, false);
  ec = r.outcome();
  return r.bytes > 0 ? static_cast<std::size_t>(r.bytes) : 0;
}

// Asio's async_read_some, tried at once first when `try_now` is set (it is then
// cleared): the first read of a body or a tunnel after a head read.
inline awaitable<std::tuple<error_code, std::size_t>> read_some_trying_now(StreamSocket& socket,
                                                                          asio::mutable_buffer buffer,
                                                                          bool& try_now) {
  error_code ec = asio::error::would_block;
  std::size_t n = 0;
  if (std::exchange(try_now, false)) n = receive_now(socket, buffer, ec);
  if (ec != asio::error::would_block) co_return std::tuple{ec, n};
  co_return co_await socket.async_read_some(buffer, use_nothrow);
}

// Lets reads on a TCP socket learn what is left with each read (a no-op error on
// unix sockets, which keep Asio's behaviour).
inline void enable_queue_hint(StreamSocket& socket) {
  int one = 1;
  ::setsockopt(socket.native_handle(), SOL_TCP, TCP_INQ, &one, sizeof one);
}

// async_read_some for a stream socket, completing with (error_code, bytes). Unlike
// Asio's, a read that left nothing behind lets the next one wait for readiness
// without a recv (with enable_queue_hint). socket.cancel() and close() stop it; a
// caller with per-operation cancellation gets Asio's own read, which supports it.
template <typename Token>
auto async_receive_some(StreamSocket& socket, asio::mutable_buffer buffer, Token&& token) {
  return asio::async_initiate<Token, void(error_code, std::size_t)>(
      [&socket, buffer](auto handler) {
        if (asio::get_associated_cancellation_slot(handler).is_connected())
          socket.async_read_some(buffer, std::move(handler));
        else
          receive_detail::start(socket, buffer, nullptr, std::move(handler));
      },
      token);
}

// Parks a one-byte MSG_PEEK receive on an idle socket; after a read that left
// nothing behind it waits without a system call. The reactor sets `signal`
// as soon as data or end of stream arrives, before any handler runs; the handler
// then gets (error_code, bytes), operation_aborted after socket.cancel().
// `signal` must outlive the parked receive: it is written only while the socket
// still has the receive queued, so cancelling or closing the socket first is enough.
template <typename Handler>
void watch_idle(StreamSocket& socket, char& byte, bool& signal, Handler&& handler) {
  receive_detail::start(socket, asio::buffer(&byte, 1), &signal, std::forward<Handler>(handler));
}
}  // namespace baton::net
