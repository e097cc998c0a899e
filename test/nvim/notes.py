import boto3
from fastapi import Depends, FastAPI

from auth import get_current_user

app = FastAPI()
table = boto3.resource("dynamodb").Table("notes")


@app.get("/notes/{note_id}")
def read_note(note_id: str, user=Depends(get_current_user)):
    response = table.get_item(Key={"note_id": note_id})
    return response["Item"]
