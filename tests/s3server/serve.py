"""Run moto's S3 server (in the venv ``tests.s3server`` makes), print its port and keys, serve.

Runs with the server venv's Python, not the test venv's: it imports only moto and boto3. The first
line on stdout is JSON (port, admin and camera keys); the server stops when stdin closes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

# The first requests (creating the two users, their keys and policies) need no signature; every
# request after them is checked against IAM, like a real service.
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "6"

import boto3
from moto.server import ThreadedMotoServer

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
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    iam = boto3.client(
        "iam",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="bootstrap",
        aws_secret_access_key="bootstrap",
    )
    keys = {}
    for user, policy in (("admin", _ADMIN_POLICY), ("camera", _CAMERA_POLICY)):
        iam.create_user(UserName=user)
        key = iam.create_access_key(UserName=user)["AccessKey"]
        iam.put_user_policy(UserName=user, PolicyName="access", PolicyDocument=json.dumps(policy))
        keys[f"{user}_key"] = key["AccessKeyId"]
        keys[f"{user}_secret"] = key["SecretAccessKey"]
    sys.stdout.write(json.dumps({"port": port, **keys}) + "\n")
    sys.stdout.flush()
    sys.stdin.read()  # until the harness closes it (or dies)
    server.stop()


if __name__ == "__main__":
    main()
