"""DynamoDB tables shared by the example apps.

Everything comes from the environment so the same code talks to a local emulator (dynalite or
DynamoDB Local, the default) or to real AWS (set DYNAMODB_ENDPOINT to an empty string).

Credentials are deliberately not configured here: boto3's default credential chain reads
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment. The emulator accepts any
non-empty values, e.g. `export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`.
"""

from __future__ import annotations

import os

import boto3

DYNAMODB_ENDPOINT = os.environ.get("DYNAMODB_ENDPOINT", "http://localhost:8000") or None
AWS_REGION = os.environ.get("AWS_REGION", "us-east-1")

USERS_TABLE = os.environ.get("USERS_TABLE", "users")
NOTES_TABLE = os.environ.get("NOTES_TABLE", "notes")
POSTS_TABLE = os.environ.get("POSTS_TABLE", "posts")

# Global secondary index on notes: partition key owner_id, projection ALL.
NOTES_OWNER_INDEX = "owner_id-index"

# Creating the resource does not touch the network, so importing this module is cheap and works
# before the tables exist (scripts/seed.py creates them).
dynamodb = boto3.resource("dynamodb", endpoint_url=DYNAMODB_ENDPOINT, region_name=AWS_REGION)

users_table = dynamodb.Table(USERS_TABLE)
notes_table = dynamodb.Table(NOTES_TABLE)
posts_table = dynamodb.Table(POSTS_TABLE)
