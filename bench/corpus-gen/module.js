'use strict';
// One generated Python module: a header for its framework, then handler and plain blocks.

const { ENTITIES, CAMEL, ctxFor } = require('./vocabulary');
const { UTIL_BLOCKS, CLASS_BLOCKS, modelBlock, modelBlockSafe } = require('./plain-blocks');
const { handlerBlock } = require('./handlers');

const STDLIB_IMPORTS = [
  'import asyncio',
  'import csv',
  'import functools',
  'import hashlib',
  'import io',
  'import json',
  'import logging',
  'import math',
  'import re',
  'import threading',
  'import time',
  'import unicodedata',
  'import uuid',
  'from collections import Counter, OrderedDict, defaultdict, deque',
  'from contextlib import contextmanager',
  'from dataclasses import asdict, dataclass, field, replace',
  'from datetime import datetime, timezone',
  'from decimal import ROUND_HALF_UP, Decimal',
  'from enum import Enum',
  'from typing import Callable, Iterable, Iterator',
];

function header(kind, c, tables) {
  const lines = [`"""${CAMEL(c.e)} ${kind === 'plain' ? 'utilities' : `${kind} endpoints`} (generated benchmark module)."""`, '', 'from __future__ import annotations', '', ...STDLIB_IMPORTS, ''];
  if (kind !== 'plain') {
    lines.push('import boto3', 'from boto3.dynamodb.conditions import Attr, Key', 'from botocore.exceptions import ClientError');
  }
  if (kind === 'fastapi') {
    lines.push('from fastapi import APIRouter, Depends, HTTPException, Query, Response', 'from pydantic import BaseModel, Field', '', 'from .auth import get_current_user');
  } else if (kind === 'flask') {
    lines.push('from flask import Blueprint, g, jsonify, request', '', 'from .auth import login_required');
  } else if (kind === 'chalice') {
    lines.push('from chalice import Chalice, CognitoUserPoolAuthorizer');
  }
  lines.push('', 'logger = logging.getLogger(__name__)', 'EMAIL_DOMAIN_RE = re.compile(r"^[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$")', `MAX_PAGE = ${50 + (c.n % 50)}`);
  if (kind !== 'plain') {
    lines.push('', 'dynamodb = boto3.resource("dynamodb")');
    for (const t of tables) lines.push(`${t.E.toUpperCase()}_TABLE = "${t.es}"`, `${t.table} = dynamodb.Table(${t.E.toUpperCase()}_TABLE)`);
  }
  if (kind === 'fastapi') lines.push('', `router = APIRouter(prefix="/${c.es}", tags=["${c.es}"])`);
  if (kind === 'flask') lines.push('', `bp = Blueprint("${c.es}", __name__)`);
  if (kind === 'chalice') lines.push('', `app = Chalice(app_name="${c.es}")`, 'authorizer = CognitoUserPoolAuthorizer("Pool", provider_arns=["arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_example"])');
  lines.push('', '', 'def utc_now() -> str:', '    return datetime.now(timezone.utc).isoformat(timespec="seconds")');
  return lines;
}

/** A function/class/model block that is not DynamoDB code. */
function plainBlock(rng, entities) {
  const c = ctxFor(rng, rng.pick(entities));
  const r = rng.next();
  if (r < 0.6) return rng.pick(UTIL_BLOCKS)(c);
  if (r < 0.9) return rng.pick(CLASS_BLOCKS)(c);
  return modelBlockSafe(c);
}

function joinBlocks(blocks) {
  const out = [];
  for (const b of blocks) {
    if (out.length) out.push('', '');
    out.push(...b);
  }
  return out;
}

/**
 * One module: a header, then blocks until `targetLines`. DynamoDB handlers make up about a
 * fifth of a web module; the rest is ordinary Python.
 */
function generateModule(rng, kind, targetLines) {
  const entities = rng.sample(ENTITIES, 3);
  const main = ctxFor(rng, entities[0]);
  const tableCtxs = entities.map((e) => ctxFor(rng, e));
  const blocks = [header(kind, main, tableCtxs)];
  if (kind === 'fastapi') for (const t of tableCtxs) blocks.push(modelBlock(t));
  let lines = joinBlocks(blocks).length;
  while (lines < targetLines) {
    const isHandler = kind !== 'plain' && rng.chance(0.22);
    const block = isHandler ? handlerBlock(rng, kind, rng.pick(tableCtxs)) : plainBlock(rng, ENTITIES);
    blocks.push(block);
    lines += block.length + 2;
  }
  return dedupeDefs(joinBlocks(blocks)).join('\n') + '\n';
}

/**
 * Templates reuse names (two `get_order` handlers in one module). Python allows redefinition, but
 * real modules do not look like that, so suffix repeated top-level names.
 */
function dedupeDefs(lines) {
  const seen = new Map();
  return lines.map((line) => {
    const m = /^(async def|def|class) (\w+)/.exec(line);
    if (!m) return line;
    const count = (seen.get(m[2]) ?? 0) + 1;
    seen.set(m[2], count);
    return count === 1 ? line : line.replace(`${m[1]} ${m[2]}`, `${m[1]} ${m[2]}_${count}`);
  });
}

const AUTH_MODULE = `"""Authentication helpers shared by the generated modules."""

from fastapi import Header, HTTPException
from flask import abort, g, request
from functools import wraps

TOKENS = {"token-a": {"user_id": "user-a"}, "token-b": {"user_id": "user-b"}}


def get_current_user(authorization: str | None = Header(default=None)) -> dict:
    token = (authorization or "").removeprefix("Bearer ").strip()
    user = TOKENS.get(token)
    if user is None:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return dict(user)


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        user = TOKENS.get(token)
        if user is None:
            abort(401)
        g.user = dict(user)
        return view(*args, **kwargs)

    return wrapper
`;

module.exports = { header, plainBlock, joinBlocks, generateModule, dedupeDefs, AUTH_MODULE };
