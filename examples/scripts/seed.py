#!/usr/bin/env python3
"""Create the example tables on the local DynamoDB emulator and load the demo data.

Usage (from the examples/ directory, with the emulator listening on DYNAMODB_ENDPOINT):

    export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
    python scripts/seed.py            # create missing tables, (re)write the demo items
    python scripts/seed.py --reset    # drop and recreate the tables first

Tables:
    users  HASH user_id
    notes  HASH note_id, GSI owner_id-index (HASH owner_id, projection ALL)
    posts  HASH user_id, RANGE post_id
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import sys
import time
from pathlib import Path

from botocore.exceptions import ClientError

# Make `common` importable when run as `python scripts/seed.py`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common.auth import DEMO_TOKENS  # noqa: E402
from common.db import (  # noqa: E402
    DYNAMODB_ENDPOINT,
    NOTES_OWNER_INDEX,
    NOTES_TABLE,
    POSTS_TABLE,
    USERS_TABLE,
    dynamodb,
)

THROUGHPUT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}

TABLE_SPECS = {
    USERS_TABLE: {
        "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "user_id", "AttributeType": "S"}],
    },
    NOTES_TABLE: {
        "KeySchema": [{"AttributeName": "note_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": "note_id", "AttributeType": "S"},
            {"AttributeName": "owner_id", "AttributeType": "S"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": NOTES_OWNER_INDEX,
                "KeySchema": [{"AttributeName": "owner_id", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": THROUGHPUT,
            }
        ],
    },
    POSTS_TABLE: {
        "KeySchema": [
            {"AttributeName": "user_id", "KeyType": "HASH"},
            {"AttributeName": "post_id", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "user_id", "AttributeType": "S"},
            {"AttributeName": "post_id", "AttributeType": "S"},
        ],
    },
}

CREATED_AT = "2024-05-01T09:00:00+00:00"


def hash_password(password: str) -> str:
    """PBKDF2-SHA256 in Django's format, so the leaked value looks like a real one."""
    salt = secrets.token_hex(8)
    iterations = 200_000
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${digest.hex()}"


def demo_users() -> list[dict]:
    return [
        {
            "user_id": "alice",
            "email": "alice@example.com",
            "display_name": "Alice",
            "bio": "Writes things down.",
            "theme": "light",
            "role": "user",
            "status": "active",
            "enabled": True,
            "password_hash": hash_password("alice-password"),
            "created_at": CREATED_AT,
            "updated_at": CREATED_AT,
        },
        {
            "user_id": "bob",
            "email": "bob@example.com",
            "display_name": "Bob",
            "bio": "Keeps secrets in his notes.",
            "theme": "dark",
            "role": "user",
            "status": "active",
            "enabled": True,
            "password_hash": hash_password("bob-password"),
            "created_at": CREATED_AT,
            "updated_at": CREATED_AT,
        },
    ]


def demo_notes() -> list[dict]:
    notes = [
        ("alice-1", "alice", "Groceries", "eggs, milk, coffee"),
        ("alice-2", "alice", "Ideas", "a linter for DynamoDB access patterns"),
        ("bob-1", "bob", "Private", "the safe code is 4711"),
        ("bob-2", "bob", "Todo", "rotate the API keys"),
    ]
    return [
        {
            "note_id": note_id,
            "owner_id": owner_id,
            "title": title,
            "body": body,
            "data": "",
            "version": 1,
            "created_at": CREATED_AT,
            "updated_at": CREATED_AT,
        }
        for note_id, owner_id, title, body in notes
    ]


def demo_posts() -> list[dict]:
    posts = [
        ("alice", "p-001", "Hello", "First post."),
        ("alice", "p-002", "DynamoDB tips", "Always project."),
        ("bob", "p-001", "Draft", "Not published yet."),
    ]
    return [
        {"user_id": user_id, "post_id": post_id, "title": title, "body": body, "created_at": CREATED_AT}
        for user_id, post_id, title, body in posts
    ]


def table_exists(name: str) -> bool:
    try:
        dynamodb.meta.client.describe_table(TableName=name)
        return True
    except ClientError as e:
        if e.response["Error"]["Code"] == "ResourceNotFoundException":
            return False
        raise


def wait_until(predicate, what: str, timeout: float = 60.0) -> None:
    # boto3's waiters poll every 20 s; the emulator is ready in well under a second.
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def table_active(name: str) -> bool:
    desc = dynamodb.meta.client.describe_table(TableName=name)["Table"]
    indexes = desc.get("GlobalSecondaryIndexes", [])
    return desc["TableStatus"] == "ACTIVE" and all(i["IndexStatus"] == "ACTIVE" for i in indexes)


def create_tables(reset: bool) -> None:
    for name, spec in TABLE_SPECS.items():
        if reset and table_exists(name):
            print(f"deleting table {name}")
            dynamodb.meta.client.delete_table(TableName=name)
            wait_until(lambda n=name: not table_exists(n), f"deletion of {name}")
        if table_exists(name):
            print(f"table {name} exists")
        else:
            print(f"creating table {name}")
            dynamodb.create_table(TableName=name, ProvisionedThroughput=THROUGHPUT, **spec)
        wait_until(lambda n=name: table_active(n), f"table {name} to become ACTIVE")


def load_items() -> None:
    for name, items in ((USERS_TABLE, demo_users()), (NOTES_TABLE, demo_notes()), (POSTS_TABLE, demo_posts())):
        with dynamodb.Table(name).batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)
        print(f"wrote {len(items)} items to {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reset", action="store_true", help="drop and recreate the tables first")
    args = parser.parse_args(argv)

    print(f"endpoint: {DYNAMODB_ENDPOINT or 'AWS default'}")
    create_tables(args.reset)
    load_items()
    print("demo tokens (Authorization: Bearer <token>):")
    for token, identity in DEMO_TOKENS.items():
        print(f"  {identity['user_id']}: {token}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
