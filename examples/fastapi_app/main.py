"""Notes API - the FastAPI half of the DynamoGuard example app.

Run from the examples/ directory (after scripts/seed.py):

    uvicorn fastapi_app.main:app --port 8001

Some handlers are deliberately vulnerable; examples/README.md lists which ones and why. The
comments marked "Flaw:" describe the bug a reviewer (or DynamoGuard) should catch.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, HTTPException, Query, Response, status
from pydantic import BaseModel, Field

from common.auth import get_current_user
from common.db import NOTES_OWNER_INDEX, notes_table, users_table
from fastapi_app import v1

logger = logging.getLogger("notes_api")

app = FastAPI(title="Notes API (DynamoGuard example)", version="0.1.0")
app.include_router(v1.router)

# Attributes a profile response may contain (password_hash, email and role stay server-side).
PUBLIC_USER_FIELDS = "user_id, display_name, bio, created_at, updated_at"
NOTE_FIELDS = "note_id, owner_id, title, body, created_at, updated_at"
# The profile attributes a user may change, in a fixed order.
EDITABLE_PROFILE_FIELDS = ("display_name", "bio")
MAX_PAGE = 50


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ProfileUpdate(BaseModel):
    """Body of PATCH /users/{user_id}. Extra keys are kept so clients can store custom fields."""

    display_name: str | None = None
    bio: str | None = None

    class Config:
        extra = "allow"


class ProfileEdit(BaseModel):
    """Body of PUT /users/{user_id}/profile: only the editable fields, nothing else."""

    display_name: str | None = Field(default=None, min_length=1, max_length=80)
    bio: str | None = Field(default=None, max_length=500)

    class Config:
        extra = "forbid"


class NoteIn(BaseModel):
    note_id: str = Field(min_length=1, max_length=64, regex=r"^[A-Za-z0-9_-]+$")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=10_000)


class NoteEdit(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=10_000)


# --- users -------------------------------------------------------------------------------------


@app.get("/users/me")
def get_my_profile(current_user: dict = Depends(get_current_user)):
    """Correct: keyed by the caller's own id, only public attributes are read."""
    resp = users_table.get_item(
        Key={"user_id": current_user["user_id"]},
        ProjectionExpression=PUBLIC_USER_FIELDS,
    )
    item = resp.get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="User not found")
    return item


@app.get("/users/{user_id}")
def get_user(user_id: str, current_user: dict = Depends(get_current_user)):
    # Flaw: any signed-in user can read any profile (no ownership check), and the whole item,
    # password_hash and role included, is sent back (no projection, no response model).
    resp = users_table.get_item(Key={"user_id": user_id})
    item = resp.get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="User not found")
    return item


@app.patch("/users/{user_id}")
def update_user(user_id: str, payload: ProfileUpdate, current_user: dict = Depends(get_current_user)):
    # Flaws: any signed-in user can change any profile (no ownership check); every key of the
    # body is merged into the stored item (mass assignment: {"role": "admin"} is saved, since
    # the model keeps extra keys); and DynamoDB's error text is echoed to the client.
    user = users_table.get_item(Key={"user_id": user_id}).get("Item")
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    try:
        users_table.put_item(Item={**user, **payload.dict(exclude_none=True), "updated_at": utc_now()})
    except ClientError as e:
        raise HTTPException(status_code=500, detail=str(e))
    return {"user_id": user_id, "updated": True}


@app.put("/users/{user_id}/profile")
def update_profile(user_id: str, payload: ProfileEdit, current_user: dict = Depends(get_current_user)):
    """Correct: ownership guard, allow-listed fields, the item must already exist."""
    if user_id != current_user["user_id"]:
        raise HTTPException(status_code=403, detail="Forbidden")

    parts = ["#updated_at = :updated_at"]
    names = {"#updated_at": "updated_at"}
    values = {":updated_at": utc_now()}
    for field in EDITABLE_PROFILE_FIELDS:
        value = getattr(payload, field)
        if value is None:
            continue
        parts.append(f"#{field} = :{field}")
        names[f"#{field}"] = field
        values[f":{field}"] = value
    if len(parts) == 1:
        raise HTTPException(status_code=400, detail="Nothing to update")

    try:
        resp = users_table.update_item(
            Key={"user_id": user_id},
            UpdateExpression="SET " + ", ".join(parts),
            ConditionExpression="attribute_exists(user_id)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="UPDATED_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="User not found") from None
        logger.exception("update_profile failed for %s", user_id)
        raise HTTPException(status_code=500, detail="Database error") from None
    return resp["Attributes"]


# --- notes -------------------------------------------------------------------------------------


@app.get("/notes")
def list_my_notes(
    limit: int = Query(default=20, ge=1, le=MAX_PAGE),
    current_user: dict = Depends(get_current_user),
):
    """Correct: the index query is keyed by the caller, projected, and the page size is bounded."""
    resp = notes_table.query(
        IndexName=NOTES_OWNER_INDEX,
        KeyConditionExpression=Key("owner_id").eq(current_user["user_id"]),
        ProjectionExpression=NOTE_FIELDS,
        Limit=min(limit, MAX_PAGE),
    )
    return {"items": resp.get("Items", [])}


@app.get("/notes/{note_id}")
def get_note(note_id: str):
    # Flaw: no authentication at all; anyone who knows (or guesses) a note id reads the note.
    resp = notes_table.get_item(Key={"note_id": note_id})
    item = resp.get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="Note not found")
    return item


@app.post("/notes", status_code=status.HTTP_201_CREATED)
def create_note(note: NoteIn, current_user: dict = Depends(get_current_user)):
    # Flaw: the client picks the note id and put_item has no condition, so posting an existing
    # id silently replaces someone else's note (and takes it over). The error handling below is
    # ready for a failed condition; the condition itself was forgotten.
    now = utc_now()
    item = {
        "note_id": note.note_id,
        "owner_id": current_user["user_id"],
        "title": note.title,
        "body": note.body,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    try:
        notes_table.put_item(Item=item)
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Note already exists") from None
        logger.exception("create_note failed for %s", note.note_id)
        raise HTTPException(status_code=500, detail="Database error") from None
    return item


@app.put("/notes/{note_id}")
def update_note(note_id: str, note: NoteEdit, current_user: dict = Depends(get_current_user)):
    """Correct: the condition binds the note's owner to the caller and requires the note to exist."""
    try:
        resp = notes_table.update_item(
            Key={"note_id": note_id},
            UpdateExpression="SET title = :title, body = :body, updated_at = :now ADD version :one",
            ConditionExpression="attribute_exists(note_id) AND owner_id = :me",
            ExpressionAttributeValues={
                ":title": note.title,
                ":body": note.body,
                ":now": utc_now(),
                ":one": 1,
                ":me": current_user["user_id"],
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            # Same answer for "missing" and "not yours": do not reveal which ids exist.
            raise HTTPException(status_code=404, detail="Note not found") from None
        logger.exception("update_note failed for %s", note_id)
        raise HTTPException(status_code=500, detail="Database error") from None
    return resp["Attributes"]


@app.delete("/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(note_id: str, current_user: dict = Depends(get_current_user)):
    # Flaw: any signed-in user deletes any note: no ownership check, no condition (so the
    # ConditionalCheckFailedException branch below never runs).
    try:
        notes_table.delete_item(Key={"note_id": note_id})
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Note not found") from None
        logger.exception("delete_note failed for %s", note_id)
        raise HTTPException(status_code=500, detail="Database error") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)
