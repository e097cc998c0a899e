"""API Gateway (REST API, Lambda proxy integration) handlers for the notes service.

Deployed as four functions: handler.lambda_handler (GET /notes/{id}),
handler.get_user_handler (GET /users/{id}), handler.list_notes_handler (GET /notes) and
handler.update_note_handler (PATCH /notes/{id}).
The API uses a Cognito user-pool authorizer, whose claims arrive in
event["requestContext"]["authorizer"]["claims"].
"""

from __future__ import annotations

import json
import logging
import os

import boto3
from botocore.exceptions import ClientError

logger = logging.getLogger()
logger.setLevel(logging.INFO)

# Outside the handlers so warm invocations reuse the connection pool.
dynamodb = boto3.resource(
    "dynamodb",
    endpoint_url=os.environ.get("DYNAMODB_ENDPOINT") or None,
    region_name=os.environ.get("AWS_REGION", "us-east-1"),
)
notes_table = dynamodb.Table(os.environ.get("NOTES_TABLE", "notes"))
users_table = dynamodb.Table(os.environ.get("USERS_TABLE", "users"))

NOTES_OWNER_INDEX = "owner_id-index"


def _json_response(status_code: int, body) -> dict:
    return {
        "statusCode": status_code,
        "headers": {"Content-Type": "application/json"},
        # DynamoDB numbers come back as Decimal.
        "body": json.dumps(body, default=str),
    }


def lambda_handler(event, context):
    """GET /notes/{id}."""
    # Flaw: the note id comes straight from the path and the authorizer's identity is never
    # looked at, so any caller reads any note, every attribute of it.
    note_id = event["pathParameters"]["id"]
    resp = notes_table.get_item(Key={"note_id": note_id})
    item = resp.get("Item")
    if not item:
        return _json_response(404, {"message": "Note not found"})
    return _json_response(200, item)


def get_user_handler(event, context):
    """GET /users/{id} - correct: callers may only read their own profile, public fields only."""
    claims = event["requestContext"]["authorizer"]["claims"]
    user_id = event["pathParameters"]["id"]
    if user_id != claims["sub"]:
        return {"statusCode": 403, "body": json.dumps({"message": "Forbidden"})}
    resp = users_table.get_item(
        Key={"user_id": user_id},
        ProjectionExpression="user_id, display_name, bio, created_at",
    )
    item = resp.get("Item")
    if not item:
        return _json_response(404, {"message": "User not found"})
    return _json_response(200, item)


def list_notes_handler(event, context):
    """GET /notes?limit=&cursor= - the caller's own notes."""
    # Scoped to the caller, but the page size and the start key are the caller's choice: a huge
    # limit turns one request into a partition dump, and the cursor is never checked.
    owner_id = event["requestContext"]["authorizer"]["claims"]["sub"]
    params = event.get("queryStringParameters") or {}
    page = {}
    if params.get("cursor"):
        page["ExclusiveStartKey"] = json.loads(params["cursor"])
    resp = notes_table.query(
        IndexName=NOTES_OWNER_INDEX,
        KeyConditionExpression="owner_id = :owner",
        ExpressionAttributeValues={":owner": owner_id},
        ProjectionExpression="note_id, owner_id, title, created_at",
        Limit=int(params.get("limit", "25")),
        **page,
    )
    body = {"items": resp.get("Items", [])}
    if "LastEvaluatedKey" in resp:
        body["cursor"] = json.dumps(resp["LastEvaluatedKey"], default=str)
    return _json_response(200, body)


def update_note_handler(event, context):
    """PATCH /notes/{id} - the caller edits one of their notes."""
    # Ownership is enforced by the condition, but the update expression is assembled from the
    # body's keys: the caller chooses which attributes are written (`{"owner_id": "bob"}` gives
    # the note away) and can smuggle expression syntax in through a key.
    owner_id = event["requestContext"]["authorizer"]["claims"]["sub"]
    note_id = event["pathParameters"]["id"]
    changes = json.loads(event.get("body") or "{}")
    if not changes:
        return _json_response(400, {"message": "Nothing to update"})
    values = {f":{name}": value for name, value in changes.items()}
    try:
        resp = notes_table.update_item(
            Key={"note_id": note_id},
            UpdateExpression="SET " + ", ".join(f"{name} = :{name}" for name in changes),
            ConditionExpression="owner_id = :owner",
            # Last, so that a body key named "owner" cannot replace it.
            ExpressionAttributeValues={**values, ":owner": owner_id},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return _json_response(404, {"message": "Note not found"})
        logger.exception("update failed for note %s", note_id)
        return _json_response(500, {"message": "Internal error"})
    return _json_response(200, resp["Attributes"])
