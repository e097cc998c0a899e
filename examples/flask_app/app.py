"""Profiles and posts API - the Flask half of the DynamoGuard example app.

Run from the examples/ directory (after scripts/seed.py):

    flask --app flask_app.app run --port 8002

Some handlers are deliberately vulnerable; examples/README.md lists which ones and why.
"""

from __future__ import annotations

import logging
import os

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from flask import Flask, abort, g, jsonify, request
from flask.views import MethodView

from common.auth import login_required
from common.db import NOTES_TABLE, dynamodb

logger = logging.getLogger("profiles_api")

app = Flask(__name__)

# The handlers below read their table names from the environment, as Lambda-style code often
# does; default them the way common.db does so the app runs without extra configuration.
os.environ.setdefault("USERS_TABLE", "users")
os.environ.setdefault("POSTS_TABLE", "posts")

ALLOWED_PROFILE_FIELDS = {"display_name", "bio", "theme"}
PUBLIC_PROFILE = "user_id, display_name, bio, theme, created_at"
POST_FIELDS = "user_id, post_id, title, body, created_at"


# DynamoDB errors that the request caused, as HTTP statuses; anything else is a server error.
CLIENT_ERROR_STATUS = {"ValidationException": 400, "ConditionalCheckFailedException": 409}


@app.errorhandler(ClientError)
def dynamodb_error(e: ClientError):
    # Flaw: DynamoDB's own error message (table names, key schema, expression details) is sent
    # to the client.
    code = e.response["Error"]["Code"]
    return jsonify(error=e.response["Error"]["Message"], code=code), CLIENT_ERROR_STATUS.get(code, 500)


@app.route("/api/users/<user_id>")
def get_user_profile(user_id):
    # WARNING: No authorization check to ensure the requesting user owns user_id
    table = dynamodb.Table(os.environ["USERS_TABLE"])
    response = table.get_item(Key={"user_id": user_id})
    return jsonify(response.get("Item", {}))


@app.route("/api/users/<user_id>/posts")
def get_user_posts(user_id):
    # Risk: query without ownership enforcement on the key condition
    table = dynamodb.Table(os.environ["POSTS_TABLE"])
    response = table.query(KeyConditionExpression=Key("user_id").eq(user_id))
    return jsonify(response.get("Items", []))


@app.route("/api/profile")
@login_required
def get_own_profile():
    """Correct: keyed by the authenticated user, only public attributes."""
    table = dynamodb.Table(os.environ["USERS_TABLE"])
    response = table.get_item(
        Key={"user_id": g.user["user_id"]},
        ProjectionExpression=PUBLIC_PROFILE,
    )
    item = response.get("Item")
    if item is None:
        abort(404)
    return jsonify(item)


@app.route("/api/profile", methods=["PUT"])
@login_required
def update_profile():
    # Scoped to the caller and allow-listed, but: with no allowed field in the body the
    # expression is just "SET " (the startswith check below is always true, so its 400 never
    # happens and DynamoDB answers with a ValidationException), and without a condition the
    # update creates the profile when it does not exist.
    current_user_id = g.user["user_id"]
    data = request.get_json()
    # Filter to only allowed fields
    update_expr = "SET " + ", ".join(f"{k}=:{k}" for k in ALLOWED_PROFILE_FIELDS if k in data)
    if not update_expr.startswith("SET"):
        return jsonify({"error": "No valid fields to update"}), 400
    expression_attr_values = {f":{k}": data[k] for k in ALLOWED_PROFILE_FIELDS if k in data}
    table = dynamodb.Table(os.environ["USERS_TABLE"])
    table.update_item(
        Key={"user_id": current_user_id},
        UpdateExpression=update_expr,
        ExpressionAttributeValues=expression_attr_values,
    )
    return jsonify({"status": "ok"})


@app.route("/api/posts")
@login_required
def get_own_posts():
    """Correct: the key condition is the authenticated user's partition."""
    table = dynamodb.Table(os.environ["POSTS_TABLE"])
    response = table.query(
        KeyConditionExpression=Key("user_id").eq(g.user["user_id"]),
        ProjectionExpression=POST_FIELDS,
    )
    return jsonify(response.get("Items", []))


@app.route("/api/admin/users-count")
def admin_users_count():
    # Ensure this admin endpoint has proper role-based access control elsewhere
    # (it has none: anyone can call it, and every call scans the whole table.)
    table = dynamodb.Table(os.environ["USERS_TABLE"])
    response = table.scan(FilterExpression=Attr("enabled").eq(True))
    return jsonify({"count": len(response.get("Items", []))})


class NoteAPI(MethodView):
    """/api/notes/<note_id> - correct: reads check the owner, deletes are conditional."""

    decorators = [login_required]

    def __init__(self) -> None:
        self.table = dynamodb.Table(NOTES_TABLE)

    def get(self, note_id):
        response = self.table.get_item(
            Key={"note_id": note_id},
            ProjectionExpression="note_id, owner_id, title, body, created_at, updated_at",
        )
        item = response.get("Item")
        # One answer for "missing" and "not yours", so ids cannot be probed.
        if item is None or item["owner_id"] != g.user["user_id"]:
            abort(404)
        return jsonify(item)

    def delete(self, note_id):
        try:
            self.table.delete_item(
                Key={"note_id": note_id},
                ConditionExpression="owner_id = :me",
                ExpressionAttributeValues={":me": g.user["user_id"]},
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                abort(404)
            logger.exception("delete failed for note %s", note_id)
            abort(500)
        return "", 204


app.add_url_rule("/api/notes/<note_id>", view_func=NoteAPI.as_view("note"))
