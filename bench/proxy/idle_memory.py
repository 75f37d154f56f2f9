#!/usr/bin/env python3
"""Resident memory a server spends per idle keep-alive client connection.

Opens COUNT connections to 127.0.0.1:PORT, sends one GET /hello on each and
reads the answer (so the server has really set the connection up, not just
accepted it), keeps them all open and idle, and compares VmRSS of PID before
and after. Prints: KiB-per-connection rss-before-KiB rss-after-KiB.
"""
import argparse
import resource
import socket
import sys
import time

REQUEST = b"GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n"
BATCH = 200  # connections set up at once; keeps the listen backlog from overflowing


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def read_hello_response(sock):
    data = b""
    while not data.endswith(b"hello"):
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed before the response: " + repr(data[:200]))
        data += chunk
    if not data.startswith(b"HTTP/1.1 200"):
        raise RuntimeError("unexpected response: " + repr(data[:200]))


def open_idle_connections(port, count):
    connections = []
    while len(connections) < count:
        batch = [socket.create_connection(("127.0.0.1", port))
                 for _ in range(min(BATCH, count - len(connections)))]
        for sock in batch:
            sock.sendall(REQUEST)
        for sock in batch:
            read_hello_response(sock)
        connections.extend(batch)
    return connections


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="process whose memory to read")
    parser.add_argument("--count", type=int, default=10000)
    args = parser.parse_args()

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.count + 100 > hard:
        sys.exit(f"idle_memory: {args.count} connections need `ulimit -n` above {args.count + 100}")

    before = vm_rss_kib(args.pid)
    connections = open_idle_connections(args.port, args.count)
    time.sleep(0.5)  # let the server finish whatever it does after answering
    after = vm_rss_kib(args.pid)
    print(f"{(after - before) / args.count:.2f} {before} {after}")
    for sock in connections:
        sock.close()


if __name__ == "__main__":
    main()
