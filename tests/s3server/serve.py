"""Run moto's S3 server (in the venv ``tests.s3server`` makes), print its port and keys, serve.

Runs with the server venv's Python, not the test venv's: it imports only moto and boto3. The first
line on stdout is JSON (port, admin and camera keys); the server stops when stdin closes.

``--open`` (scripts/develop) leaves out the users and policies: any key is accepted, as by a
server of one's own on the LAN; ``--bucket`` creates buckets; ``--forever`` serves until killed
instead of until stdin closes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--open", action="store_true", help="accept any key (no IAM checks)")
    parser.add_argument("--bucket", action="append", default=[], help="create this bucket")
    parser.add_argument("--forever", action="store_true", help="serve until killed")
    return parser.parse_args()


ARGS = _arguments()
if not ARGS.open:
    # The first requests (creating the two users, their keys and policies) need no signature;
    # every request after them is checked against IAM, like a real service.
    os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "6"

import boto3  # noqa: E402  (after the environment above: moto reads it on import)
from moto.server import ThreadedMotoServer  # noqa: E402

_ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
_CAMERA_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::camsync*", "arn:aws:s3:::camsync*/*"],
        }
    ],
}


def main() -> None:
    if ARGS.forever:  # every thread (the server's too) leaves these to sigwait below
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=ARGS.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    endpoint = f"http://127.0.0.1:{port}"
    keys = {}
    if not ARGS.open:
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        for user, policy in (("admin", _ADMIN_POLICY), ("camera", _CAMERA_POLICY)):
            iam.create_user(UserName=user)
            key = iam.create_access_key(UserName=user)["AccessKey"]
            iam.put_user_policy(
                UserName=user, PolicyName="access", PolicyDocument=json.dumps(policy)
            )
            keys[f"{user}_key"] = key["AccessKeyId"]
            keys[f"{user}_secret"] = key["SecretAccessKey"]
    if ARGS.bucket:
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=keys.get("admin_key", "camsync"),
            aws_secret_access_key=keys.get("admin_secret", "camsync"),
        )
        for bucket in ARGS.bucket:
            s3.create_bucket(Bucket=bucket)
    sys.stdout.write(json.dumps({"port": port, **keys}) + "\n")
    sys.stdout.flush()
    if ARGS.forever:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    else:
        sys.stdin.read()  # until the harness closes it (or dies)
    server.stop()


if __name__ == "__main__":
    main()
