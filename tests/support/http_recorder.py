#!/usr/bin/env python3
"""A small HTTP server for tests: records every POST as a JSON line {"path", "headers", "body"}
in OUTFILE and answers with STATUS (default 200).

Usage: http_recorder.py OUTFILE [--status N] [--delay SECONDS]
Prints "READY <port>" once listening on a free loopback port; runs until SIGTERM/SIGINT (or, with
--lifeline, until stdin closes).
"""

import argparse
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outfile")
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--lifeline", action="store_true",
                    help="stop when stdin closes (the parent died)")
    args = ap.parse_args()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n).decode("utf-8", errors="replace")
            with lock, open(args.outfile, "a", encoding="utf-8") as f:
                f.write(json.dumps({"path": self.path, "headers": dict(self.headers.items()),
                                    "body": body}) + "\n")
            if args.delay:
                time.sleep(args.delay)
            out = b'{"ok":true}'
            self.send_response(args.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True

    def stop(*_):
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin():
        try:
            while sys.stdin.buffer.read1(4096):
                pass
        except (OSError, ValueError):
            return
        stop()

    if args.lifeline:
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"READY {httpd.server_address[1]}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
