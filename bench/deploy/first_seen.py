#!/usr/bin/env python3
"""Polls a URL without pause and reports when a version first answers.

  first_seen.py --url http://127.0.0.1:PORT/hello --version v3 [--timeout 10]

Sends GETs one after another on one keep-alive connection (a new one after any
error) and reads X-Backend-Name. Prints `ready` once the first response is in,
so the caller can start the switch; then, when VERSION answers, prints the
wall clock at which that response was read, in nanoseconds (time.time_ns) and exits 0.
Exits 1 when VERSION has not answered within --timeout seconds.
"""
import argparse
import http.client
import sys
import time
from urllib.parse import urlsplit


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()
    url = urlsplit(args.url)
    path = url.path or "/"
    deadline = time.monotonic() + args.timeout
    connection = None
    ready = False
    while time.monotonic() < deadline:
        try:
            if connection is None:
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=2)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            version = response.getheader("X-Backend-Name", "")
            seen = time.time_ns()
        except (OSError, http.client.HTTPException):
            if connection is not None:
                connection.close()
            connection = None
            time.sleep(0.001)
            continue
        if not ready:
            print("ready", flush=True)
            ready = True
        if version == args.version:
            print(seen, flush=True)
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
