#!/usr/bin/env python3
"""WebSocket clients for bench/soak: each keeps a connection to /ws open, sends a
numbered text message every --interval seconds and expects it echoed back.

A deploy drains the old instances and cuts their WebSockets at drain_timeout:
a client whose connection is closed reconnects and counts a "cut", which is
expected. A failure is a handshake that does not answer 101, a refused or
reset connect, an echo that differs from what was sent, or none within 10 s.
Runs until SIGINT/SIGTERM, then prints one JSON line of totals.
"""
import argparse
import base64
import json
import os
import signal
import socket
import struct
import threading
import time

stopping = threading.Event()


class Totals:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {"connections": 0, "messages": 0, "cuts": 0, "failed": 0}
        self.errors = []

    def add(self, key, error=None):
        with self.lock:
            self.counts[key] += 1
            if error and len(self.errors) < 10:
                self.errors.append(error)


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def handshake(sock, port):
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        head += chunk
    status = head.split(b"\r\n", 1)[0]
    if b" 101 " not in status + b" ":
        raise ValueError(f"handshake answered {status.decode(errors='replace')}")


def send_text(sock, text):
    payload = text.encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    sock.sendall(struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + masked)


def read_frame(sock):
    first, second = read_exact(sock, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exact(sock, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exact(sock, 8))[0]
    payload = read_exact(sock, length)
    if first & 0x0F == 0x8:
        raise ConnectionError("close frame")
    return payload.decode(errors="replace")


def session(port, interval, totals, name):
    """One connection until it is cut or the run stops; returns after either."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    except OSError as e:
        totals.add("failed", f"{name}: connect: {e}")
        return
    with sock:
        try:
            handshake(sock, port)
        except (OSError, ValueError) as e:
            totals.add("failed", f"{name}: {e}")
            return
        totals.add("connections")
        n = 0
        while not stopping.is_set():
            n += 1
            text = f"{name}-{n}"
            try:
                send_text(sock, text)
                echoed = read_frame(sock)
            except TimeoutError:
                totals.add("failed", f"{name}: no echo within 10 s")
                return
            except (OSError, ConnectionError):
                totals.add("cuts")
                return
            if echoed != text:
                totals.add("failed", f"{name}: sent {text!r}, got {echoed!r}")
                return
            totals.add("messages")
            stopping.wait(interval)


def client(port, interval, totals, name):
    while not stopping.is_set():
        session(port, interval, totals, name)
        stopping.wait(0.05)  # no busy loop against a dead listener


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0.2)
    args = parser.parse_args()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    totals = Totals()
    threads = [threading.Thread(target=client, args=(args.port, args.interval, totals, f"ws{i}"))
               for i in range(args.clients)]
    for t in threads:
        t.start()
    while not stopping.is_set():
        stopping.wait(0.5)
    for t in threads:
        t.join(timeout=15)
    print(json.dumps({**totals.counts, "errors": totals.errors}))


if __name__ == "__main__":
    main()
