#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for tests: listens on a loopback port and appends every message
it receives to a JSON-lines file as {"mail_from", "rcpt_tos", "data"}.

Usage: smtp_capture.py OUTFILE [--port N] [--auth USER:PASSWORD] [--lifeline]
Prints "READY <port>" on stdout once it accepts connections (port 0 = any free port) and runs
until SIGTERM/SIGINT (or, with --lifeline, until stdin closes). Exits 77 when aiosmtpd is not
installed.
"""

import argparse
import asyncio
import json
import signal
import sys

try:
    from aiosmtpd.smtp import SMTP, AuthResult
except ImportError:  # python3-aiosmtpd missing: the caller skips
    print("aiosmtpd is not installed", file=sys.stderr)
    sys.exit(77)


class Recorder:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, bytes):
            data = data.decode("utf-8", errors="replace")
        line = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                "data": data}
        if session.authenticated:
            line["auth"] = True
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
        return "250 Message accepted for delivery"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outfile")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--auth", default=None, help="USER:PASSWORD required to send")
    ap.add_argument("--lifeline", action="store_true",
                    help="stop when stdin closes (the parent died)")
    args = ap.parse_args()

    creds = tuple(args.auth.split(":", 1)) if args.auth else None

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = creds is not None and (auth_data.login.decode(), auth_data.password.decode()) == creds
        return AuthResult(success=ok)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Recorder(args.outfile)

    def factory():
        kw = {}
        if creds:
            # Plain-text AUTH on loopback for the test; require it before MAIL.
            kw = dict(authenticator=authenticator, auth_required=True,
                      auth_require_tls=False)
        return SMTP(handler, hostname="cognate-test", **kw)

    server = loop.run_until_complete(loop.create_server(factory, host="127.0.0.1",
                                                        port=args.port))
    port = server.sockets[0].getsockname()[1]
    stop = loop.create_future()

    def request_stop(*_):
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop)
    if args.lifeline:
        loop.add_reader(sys.stdin.fileno(),
                        lambda: request_stop() if not sys.stdin.buffer.read1(4096) else None)
    print(f"READY {port}", flush=True)
    loop.run_until_complete(stop)
    server.close()
    loop.run_until_complete(server.wait_closed())


if __name__ == "__main__":
    main()
