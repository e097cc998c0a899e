"""/v1 endpoints: the "secure" patterns of popular FastAPI + DynamoDB write-ups, kept as written.

They look careful (ownership checks, projections, condition expressions) yet each one carries a
bug that only shows up when DynamoDB sees the request: an unused expression value, a reserved
word used as an attribute name, an error message echoed to the client. DynamoDB answers the
first two with a ValidationException, so those endpoints fail on every call.

The only additions to the published code are the `logger.exception(...)` calls, so that the
DynamoDB errors hidden behind "Database error" can be seen in the server log.
"""

from __future__ import annotations

import logging
import re

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel

from common.auth import get_current_user_id
from common.db import NOTES_TABLE, USERS_TABLE, dynamodb

logger = logging.getLogger("notes_api.v1")

router = APIRouter(prefix="/v1", tags=["v1"])

table_name = USERS_TABLE
users = dynamodb.Table(USERS_TABLE)


class ProfileUpdate(BaseModel):
    display_name: str
    bio: str


class UserQuery(BaseModel):
    user_id: str


class UserOut(BaseModel):
    user_id: str
    email: str
    status: str

    class Config:
        orm_mode = True


class NoteDataUpdate(BaseModel):
    data: str
    expected_version: int


def validate_user_id(user_id: str) -> str:
    if not re.match(r"^[a-zA-Z0-9_-]{1,64}$", user_id):
        raise ValueError("Invalid user_id")
    return user_id


@router.get("/users/{user_id}/profile")
def get_profile(user_id: str, subject_id: str = Depends(get_current_user_id)):
    """Correct: ownership guard first, then a projected read."""
    if user_id != subject_id:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Access denied")
    table = dynamodb.Table(table_name)
    try:
        response = table.get_item(
            Key={"user_id": user_id},
            ProjectionExpression="user_id,display_name,bio,updated_at",
        )
    except ClientError:
        raise HTTPException(status_code=500, detail="Database error")
    item = response.get("Item")
    if not item:
        raise HTTPException(status_code=404, detail="Not found")
    return item


@router.patch("/users/{user_id}/profile")
def update_profile(user_id: str, payload: ProfileUpdate, subject_id: str = Depends(get_current_user_id)):
    # Bug: ":mu" is put in ExpressionAttributeValues but no expression uses it, so DynamoDB
    # rejects every request ("Value provided in ExpressionAttributeValues unused in expressions").
    if user_id != subject_id:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Access denied")
    table = dynamodb.Table(table_name)
    update_expr_parts = []
    expr_attr_vals = {}
    if payload.display_name:
        update_expr_parts.append("#dn = :dn")
        expr_attr_vals[":dn"] = payload.display_name
    expr_attr_vals[":mu"] = "profile"
    if not update_expr_parts:
        raise HTTPException(status_code=400, detail="Nothing to update")
    update_expr = "SET " + ", ".join(update_expr_parts)
    condition = "attribute_exists(user_id)"
    try:
        table.update_item(
            Key={"user_id": user_id},
            UpdateExpression=update_expr,
            ConditionExpression=condition,
            ExpressionAttributeNames={"#dn": "display_name"},
            ExpressionAttributeValues=expr_attr_vals,
            ReturnValues="UPDATED_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Item not found or condition failed")
        logger.exception("update_profile failed for %s", user_id)
        raise HTTPException(status_code=500, detail="Database error")
    return {"status": "ok"}


@router.get("/users/{user_id}")
def get_user(user_id: str, query: UserQuery = Depends(UserQuery)):
    # Bugs: no authentication and no ownership check (the id is format-checked, then used as the
    # key as-is); "status" is a reserved word, so DynamoDB rejects the projection; and
    # `except Exception` turns the 404 into a 500.
    safe_id = validate_user_id(query.user_id)
    try:
        response = users.get_item(
            Key={"user_id": safe_id},
            ProjectionExpression="user_id,email,status",
        )
        item = response.get("Item")
        if not item:
            raise HTTPException(status_code=404, detail="User not found")
        return item
    except Exception:
        logger.exception("get_user failed for %s", safe_id)
        raise HTTPException(status_code=500, detail="Database error")


@router.get("/users", response_model=list[UserOut])
def list_users():
    # Bugs: a full-table scan in a request handler, and the reserved word "status" again.
    response = users.scan(ProjectionExpression="user_id,email,status")
    return response.get("Items", [])


def get_note_item(note_id: str) -> dict:
    table = dynamodb.Table(NOTES_TABLE)
    try:
        resp = table.get_item(Key={"note_id": note_id})
        item = resp.get("Item")
        if not item:
            raise HTTPException(status_code=404, detail="Item not found")
        return item
    except ClientError as e:
        raise HTTPException(status_code=500, detail=str(e))


def ensure_owns_note(note_id: str, user_id: str) -> None:
    item = get_note_item(note_id)
    if item.get("owner_id") != user_id:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Forbidden: ownership mismatch")


@router.put("/notes/{note_id}/data")
def update_note_data(note_id: str, payload: NoteDataUpdate, subject_id: str = Depends(get_current_user_id)):
    # Ownership is checked and the write is version-guarded, but "data" is a reserved word
    # (ValidationException on every call) and the error text goes back to the client.
    ensure_owns_note(note_id, subject_id)
    table = dynamodb.Table(NOTES_TABLE)
    try:
        resp = table.update_item(
            Key={"note_id": note_id},
            UpdateExpression="SET data = :d, version = version + :inc",
            ConditionExpression="version = :expected_version",
            ExpressionAttributeValues={
                ":d": payload.data,
                ":inc": 1,
                ":expected_version": payload.expected_version,
            },
            ReturnValues="UPDATED_NEW",
        )
        return resp["Attributes"]
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Item was modified concurrently")
        raise HTTPException(status_code=500, detail=str(e))
