"""Notes service on AWS Chalice (not run by the demo: chalice is not a dependency here).

Deploy with `chalice deploy` from this directory; USER_POOL_ARN names the Cognito user pool.
"""

from __future__ import annotations

import os

import boto3
from chalice import Chalice, CognitoUserPoolAuthorizer, NotFoundError

app = Chalice(app_name="notes-chalice")

authorizer = CognitoUserPoolAuthorizer(
    "NotesUserPool",
    provider_arns=[os.environ.get("USER_POOL_ARN", "")],
)

dynamodb = boto3.resource("dynamodb", region_name=os.environ.get("AWS_REGION", "us-east-1"))
notes_table = dynamodb.Table(os.environ.get("NOTES_TABLE", "notes"))
users_table = dynamodb.Table(os.environ.get("USERS_TABLE", "users"))


@app.route("/notes/{note_id}", methods=["GET"])
def get_note(note_id):
    # Flaw: no authorizer and no ownership check: anyone reads any note, in full.
    resp = notes_table.get_item(Key={"note_id": note_id})
    item = resp.get("Item")
    if item is None:
        raise NotFoundError(f"note {note_id} not found")
    return item


@app.route("/me", methods=["GET"], authorizer=authorizer)
def get_me():
    """Correct: the key is the authenticated subject and only public fields are read."""
    claims = app.current_request.context["authorizer"]["claims"]
    resp = users_table.get_item(
        Key={"user_id": claims["sub"]},
        ProjectionExpression="user_id, display_name, bio, created_at",
    )
    item = resp.get("Item")
    if item is None:
        raise NotFoundError("profile not found")
    return item
