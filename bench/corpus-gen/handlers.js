'use strict';
// DynamoDB handler templates, per framework. Each framework has vulnerable and safe variants; the
// mix is fixed by the PRNG.

const { L } = require('./vocabulary');

const FASTAPI_HANDLERS = [
  // BOLA + no projection
  (c, r) => L(`
@${r}.get("/${c.es}/{${c.id}}")
def get_${c.e}(${c.id}: str, current_user: dict = Depends(get_current_user)):
    resp = ${c.table}.get_item(Key={"${c.id}": ${c.id}})
    item = resp.get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="${c.E} not found")
    return item
`),
  // safe: guard + projection
  (c, r) => L(`
@${r}.get("/users/{user_id}/${c.es}/{${c.id}}")
def get_user_${c.e}(user_id: str, ${c.id}: str, current_user: dict = Depends(get_current_user)):
    if user_id != current_user["user_id"]:
        raise HTTPException(status_code=403, detail="Forbidden")
    resp = ${c.table}.get_item(
        Key={"owner_id": user_id, "${c.id}": ${c.id}},
        ProjectionExpression="${c.id}, ${c.f1}, ${c.f2}",
    )
    item = resp.get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="${c.E} not found")
    return item
`),
  // safe: query by subject
  (c, r) => L(`
@${r}.get("/me/${c.es}")
def list_my_${c.es}(limit: int = Query(default=20, ge=1, le=100), current_user: dict = Depends(get_current_user)):
    resp = ${c.table}.query(
        KeyConditionExpression=Key("owner_id").eq(current_user["user_id"]),
        ProjectionExpression="${c.id}, ${c.f1}, ${c.f3}",
        Limit=min(limit, MAX_PAGE),
    )
    return {"items": resp.get("Items", []), "next": resp.get("LastEvaluatedKey")}
`),
  // mass assignment + error disclosure
  (c, r) => L(`
@${r}.patch("/${c.es}/{${c.id}}")
def update_${c.e}(${c.id}: str, payload: ${c.E}In, current_user: dict = Depends(get_current_user)):
    fields = payload.model_dump(exclude_none=True)
    expr = "SET " + ", ".join(f"#{k} = :{k}" for k in fields)
    try:
        resp = ${c.table}.update_item(
            Key={"${c.id}": ${c.id}},
            UpdateExpression=expr,
            ExpressionAttributeNames={f"#{k}": k for k in fields},
            ExpressionAttributeValues={f":{k}": v for k, v in fields.items()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        raise HTTPException(status_code=500, detail=str(e))
    return resp["Attributes"]
`),
  // safe update with owner condition
  (c, r) => L(`
@${r}.put("/${c.es}/{${c.id}}")
def replace_${c.e}_${c.f1}(${c.id}: str, payload: ${c.E}In, current_user: dict = Depends(get_current_user)):
    try:
        resp = ${c.table}.update_item(
            Key={"${c.id}": ${c.id}},
            UpdateExpression="SET #f = :v, updated_at = :now",
            ConditionExpression="attribute_exists(${c.id}) AND owner_id = :me",
            ExpressionAttributeNames={"#f": "${c.f1}"},
            ExpressionAttributeValues={":v": payload.${c.f1}, ":now": utc_now(), ":me": current_user["user_id"]},
            ReturnValues="UPDATED_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="${c.E} not found") from None
        logger.exception("update failed")
        raise HTTPException(status_code=500, detail="Database error") from None
    return resp["Attributes"]
`),
  // create: client id, no condition
  (c, r) => L(`
@${r}.post("/${c.es}", status_code=201)
def create_${c.e}(payload: ${c.E}In, ${c.id}: str = Query(...), current_user: dict = Depends(get_current_user)):
    item = {"${c.id}": ${c.id}, "owner_id": current_user["user_id"], "${c.f1}": payload.${c.f1}, "created_at": utc_now()}
    ${c.table}.put_item(Item=item)
    return item
`),
  // create: generated id + condition (safe)
  (c, r) => L(`
@${r}.post("/${c.es}/new", status_code=201)
def add_${c.e}(payload: ${c.E}In, current_user: dict = Depends(get_current_user)):
    item = {
        "${c.id}": str(uuid.uuid4()),
        "owner_id": current_user["user_id"],
        "${c.f1}": payload.${c.f1},
        "created_at": utc_now(),
    }
    ${c.table}.put_item(Item=item, ConditionExpression="attribute_not_exists(${c.id})")
    return item
`),
  // delete without ownership
  (c, r) => L(`
@${r}.delete("/${c.es}/{${c.id}}", status_code=204)
def delete_${c.e}(${c.id}: str, current_user: dict = Depends(get_current_user)):
    ${c.table}.delete_item(Key={"${c.id}": ${c.id}})
    return Response(status_code=204)
`),
  // unauthenticated scan
  (c, r) => L(`
@${r}.get("/${c.es}")
def search_${c.es}(q: str = "", limit: int = 50):
    resp = ${c.table}.scan(
        FilterExpression=Attr("${c.f1}").contains(q),
        Limit=limit,
    )
    return resp.get("Items", [])
`),
  // expression injection
  (c, r) => L(`
@${r}.get("/${c.es}/by-${c.f1.replace(/_/g, '-')}/{value}")
def find_${c.es}_by_${c.f1}(value: str, sort: str = "${c.f2}", current_user: dict = Depends(get_current_user)):
    resp = ${c.table}.query(
        KeyConditionExpression="owner_id = :me",
        FilterExpression=f"${c.f1} = :v",
        ProjectionExpression=f"${c.id}, {sort}",
        ExpressionAttributeValues={":me": current_user["user_id"], ":v": value},
    )
    return resp.get("Items", [])
`),
];

const FLASK_HANDLERS = [
  (c, r) => L(`
@${r}.route("/api/${c.es}/<${c.id}>")
def get_${c.e}(${c.id}):
    table = dynamodb.Table(${c.E.toUpperCase()}_TABLE)
    response = table.get_item(Key={"${c.id}": ${c.id}})
    return jsonify(response.get("Item", {}))
`),
  (c, r) => L(`
@${r}.route("/api/me/${c.es}")
@login_required
def my_${c.es}():
    table = dynamodb.Table(${c.E.toUpperCase()}_TABLE)
    response = table.query(
        KeyConditionExpression=Key("owner_id").eq(g.user["user_id"]),
        ProjectionExpression="${c.id}, ${c.f1}, ${c.f2}",
    )
    return jsonify(response.get("Items", []))
`),
  (c, r) => L(`
@${r}.route("/api/${c.es}/<${c.id}>", methods=["PUT"])
@login_required
def update_${c.e}(${c.id}):
    data = request.get_json() or {}
    table = dynamodb.Table(${c.E.toUpperCase()}_TABLE)
    table.put_item(Item={**data, "${c.id}": ${c.id}})
    return jsonify({"status": "ok"})
`),
  (c, r) => L(`
@${r}.route("/api/${c.es}/<${c.id}>", methods=["DELETE"])
@login_required
def delete_${c.e}(${c.id}):
    table = dynamodb.Table(${c.E.toUpperCase()}_TABLE)
    try:
        table.delete_item(
            Key={"${c.id}": ${c.id}},
            ConditionExpression="owner_id = :me",
            ExpressionAttributeValues={":me": g.user["user_id"]},
        )
    except ClientError as e:
        return jsonify(error=str(e)), 500
    return "", 204
`),
  (c, r) => L(`
@${r}.route("/api/${c.es}/export")
def export_${c.es}():
    table = dynamodb.Table(${c.E.toUpperCase()}_TABLE)
    items = []
    kwargs = {}
    while True:
        page = table.scan(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return jsonify(items)
`),
];

const LAMBDA_HANDLERS = [
  (c) => L(`
def get_${c.e}_handler(event, context):
    ${c.id} = event["pathParameters"]["${c.id}"]
    resp = ${c.table}.get_item(Key={"${c.id}": ${c.id}})
    item = resp.get("Item")
    if not item:
        return {"statusCode": 404, "body": json.dumps({"message": "not found"})}
    return {"statusCode": 200, "body": json.dumps(item, default=str)}
`),
  (c) => L(`
def list_${c.es}_handler(event, context):
    owner = event["requestContext"]["authorizer"]["claims"]["sub"]
    params = event.get("queryStringParameters") or {}
    resp = ${c.table}.query(
        KeyConditionExpression=Key("owner_id").eq(owner),
        ProjectionExpression="${c.id}, ${c.f1}",
        Limit=min(int(params.get("limit", "20")), 100),
    )
    return {"statusCode": 200, "body": json.dumps(resp.get("Items", []), default=str)}
`),
  (c) => L(`
def update_${c.e}_handler(event, context):
    body = json.loads(event.get("body") or "{}")
    ${c.id} = event["pathParameters"]["${c.id}"]
    names = {f"#{k}": k for k in body}
    values = {f":{k}": v for k, v in body.items()}
    ${c.table}.update_item(
        Key={"${c.id}": ${c.id}},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in body),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )
    return {"statusCode": 204, "body": ""}
`),
];

const CHALICE_HANDLERS = [
  (c) => L(`
@app.route("/${c.es}/{${c.id}}", methods=["GET"])
def get_${c.e}(${c.id}):
    resp = ${c.table}.get_item(Key={"${c.id}": ${c.id}})
    return resp.get("Item") or {}
`),
  (c) => L(`
@app.route("/me/${c.es}", methods=["GET"], authorizer=authorizer)
def my_${c.es}():
    sub = app.current_request.context["authorizer"]["claims"]["sub"]
    resp = ${c.table}.query(KeyConditionExpression=Key("owner_id").eq(sub), ProjectionExpression="${c.id}, ${c.f1}")
    return {"items": resp.get("Items", [])}
`),
];

function handlerBlock(rng, kind, c) {
  switch (kind) {
    case 'fastapi':
      return rng.pick(FASTAPI_HANDLERS)(c, 'router');
    case 'flask':
      return rng.pick(FLASK_HANDLERS)(c, 'bp');
    case 'lambda':
      return rng.pick(LAMBDA_HANDLERS)(c);
    case 'chalice':
      return rng.pick(CHALICE_HANDLERS)(c);
    default:
      throw new Error(`no handlers for ${kind}`);
  }
}

module.exports = { FASTAPI_HANDLERS, handlerBlock };
