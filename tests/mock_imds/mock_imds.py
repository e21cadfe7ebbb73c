#!/usr/bin/env python3
"""A mock instance metadata service that enforces IMDSv2, for tests only.

It listens on a loopback address (never anything else) and answers like
IMDS with "Enforce IMDSv2" on: a token from PUT /latest/api/token (400
without a valid TTL header, 405 for any other method), 401 for any other
request without a token it issued. Every request is logged as one JSON
line, so tests can check what a script really sent.
"""
import argparse
import http.server
import ipaddress
import json
import secrets
import sys

DATA = {
    "/latest/meta-data/instance-id": "i-0f1e2d3c4b5a69788",
    "/latest/meta-data/placement/region": "us-west-2",
    "/latest/meta-data/placement/availability-zone": "us-west-2b",
    "/latest/meta-data/local-ipv4": "10.20.30.40",
    "/latest/meta-data/hostname": "ip-10-20-30-40.us-west-2.compute.internal",
    "/latest/meta-data/iam/info": json.dumps({"Code": "Success", "InstanceProfileArn":
                                             "arn:aws:iam::123456789012:instance-profile/mock-role"}),
    "/latest/meta-data/iam/security-credentials/": "mock-role",
    "/latest/meta-data/iam/security-credentials/mock-role": json.dumps({
        "Code": "Success", "AccessKeyId": "ASIAMOCKMOCKMOCKMOCK", "SecretAccessKey": "mock-secret",
        "Token": "mock-session-token", "Expiration": "2030-01-01T00:00:00Z"}),
    "/latest/dynamic/instance-identity/document": json.dumps({
        "region": "us-west-2", "instanceId": "i-0f1e2d3c4b5a69788", "accountId": "123456789012"}),
    "/latest/user-data": "#!/bin/bash\necho mock user data\n",
    "/latest/meta-data/": "instance-id\nplacement/\niam/\nlocal-ipv4\nhostname\n",
}
TOKENS = set()


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "MockIMDS/1"

    def log_message(self, *args):
        pass

    def _reply(self, status, body=""):
        # Logged before the answer goes out: once the client has its answer,
        # the runner may stop this server at any moment.
        with open(self.server.log_path, "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path, "status": status}) + "\n")
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _token_request(self):
        if self.command != "PUT":
            return self._reply(405)
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self._reply(400)
        token = "mock-" + secrets.token_hex(16)
        TOKENS.add(token)
        return self._reply(200, token)

    def _handle(self):
        path = self.path.split("?", 1)[0]
        if path == "/latest/api/token":
            return self._token_request()
        if self.headers.get("X-aws-ec2-metadata-token", "").strip() not in TOKENS:
            return self._reply(401)
        if path in DATA:
            return self._reply(200, DATA[path])
        return self._reply(404, "not found")

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--log", required=True)
    parser.add_argument("--ready", help="file to create once listening")
    args = parser.parse_args()
    if not ipaddress.ip_address(args.host).is_loopback:
        sys.exit("the mock listens on loopback addresses only")
    server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    server.log_path = args.log
    if args.ready:
        open(args.ready, "w").close()
    server.serve_forever()


if __name__ == "__main__":
    main()
