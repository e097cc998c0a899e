#!/usr/bin/env node
'use strict';
// Generates the synthetic Python corpus the benchmarks run on, deterministically (seeded PRNG):
// the same seed gives byte-identical files on every machine, so numbers from two runs compare.
//
//   bench/corpus/app/**.py   ~150 modules, >= 100k lines: FastAPI / Flask / Chalice / Lambda
//                            modules and plain Python packages. Most of the code is NOT DynamoDB
//                            (utilities, models, services, data processing), as in real projects;
//                            handlers call DynamoDB in vulnerable and in safe forms.
//   bench/corpus/big_3000.py exactly 3,000 lines, ~60 FastAPI handlers among helpers: the file
//                            the editor-latency benchmark edits.
//
// Usage: node bench/gen-corpus.js [--out DIR] [--seed N] [--files N] [--min-lines N] [--force]

const fs = require('fs');
const path = require('path');

const DEFAULTS = { out: path.join(__dirname, 'corpus'), seed: 20240501, files: 150, minLines: 100_000 };
const BIG_FILE_LINES = 3000;
const BIG_FILE_HANDLERS = 60;

// ---- deterministic randomness ------------------------------------------------------------------

/** mulberry32: tiny, fast, good enough for picking templates; never use Math.random here. */
function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    sample(arr, n) {
      const copy = arr.slice();
      const out = [];
      while (out.length < n && copy.length) out.push(copy.splice(Math.floor(next() * copy.length), 1)[0]);
      return out;
    },
  };
}

// ---- vocabulary ----------------------------------------------------------------------------------

const ENTITIES = [
  { name: 'order', fields: ['customer_id', 'total_cents', 'currency', 'placed_at', 'shipping_address'] },
  { name: 'invoice', fields: ['account_id', 'amount_due', 'due_date', 'issued_at', 'line_count'] },
  { name: 'customer', fields: ['display_name', 'email', 'phone', 'country', 'signup_source'] },
  { name: 'product', fields: ['sku', 'title', 'price_cents', 'category', 'stock_level'] },
  { name: 'shipment', fields: ['carrier', 'tracking_code', 'weight_grams', 'dispatched_at', 'destination'] },
  { name: 'ticket', fields: ['subject', 'priority', 'assignee', 'opened_at', 'channel'] },
  { name: 'project', fields: ['title', 'description', 'budget', 'deadline', 'visibility'] },
  { name: 'task', fields: ['title', 'estimate_hours', 'assignee', 'due_on', 'labels'] },
  { name: 'comment', fields: ['body', 'author_name', 'posted_at', 'thread_id', 'likes'] },
  { name: 'payment', fields: ['amount_cents', 'method', 'captured_at', 'reference', 'fee_cents'] },
  { name: 'subscription', fields: ['tier', 'renews_at', 'seats', 'billing_cycle', 'trial_ends_at'] },
  { name: 'device', fields: ['model', 'firmware', 'last_seen_at', 'battery_level', 'location'] },
  { name: 'report', fields: ['title', 'period_start', 'period_end', 'row_count', 'format'] },
  { name: 'document', fields: ['title', 'mime_type', 'size_bytes', 'uploaded_at', 'checksum'] },
  { name: 'booking', fields: ['room', 'starts_at', 'ends_at', 'guests', 'notes'] },
  { name: 'review', fields: ['rating', 'headline', 'body', 'reviewed_at', 'helpful_votes'] },
  { name: 'message', fields: ['body', 'sender_name', 'sent_at', 'channel', 'read_at'] },
  { name: 'playlist', fields: ['title', 'track_count', 'duration_seconds', 'cover_url', 'updated_on'] },
];

const PLURAL = (w) => (w.endsWith('y') ? `${w.slice(0, -1)}ies` : w.endsWith('s') ? `${w}es` : `${w}s`);
const CAMEL = (w) => w.split('_').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
const VERBS = ['load', 'build', 'compute', 'resolve', 'collect', 'prepare', 'render', 'merge', 'score', 'rank'];
const NOUNS = ['summary', 'totals', 'window', 'batch', 'index', 'digest', 'snapshot', 'profile', 'metrics', 'buckets'];
const PY_TYPES = ['str', 'int', 'float', 'bool', 'str | None', 'list[str]', 'dict[str, int]'];

function fieldType(field) {
  if (/_(cents|count|bytes|grams|hours|seconds|level|votes|seats|guests|likes)$|^(budget|rating|priority)$/.test(field)) return 'int';
  if (/_(at|on|date|start|end)$|^deadline$|^due_date$/.test(field)) return 'datetime';
  if (/^labels$/.test(field)) return 'list[str]';
  return 'str';
}

function ctxFor(rng, entity) {
  const e = entity.name;
  return {
    e,
    E: CAMEL(e),
    es: PLURAL(e),
    id: `${e}_id`,
    fields: entity.fields,
    f1: entity.fields[0],
    f2: entity.fields[1],
    f3: entity.fields[2],
    n: rng.int(2, 97),
    table: `${e}s_table`,
  };
}

// ---- plain Python blocks (the bulk of the corpus) ------------------------------------------------

const L = (s) => s.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');

const UTIL_BLOCKS = [
  (c) => L(`
def normalize_${c.e}_label(value: str, *, max_length: int = ${40 + c.n}) -> str:
    """Collapse whitespace and clip a ${c.e} label for display."""
    cleaned = " ".join(value.split())
    if not cleaned:
        return "untitled ${c.e}"
    if len(cleaned) > max_length:
        cleaned = cleaned[: max_length - 3].rstrip() + "..."
    return cleaned[0].upper() + cleaned[1:]
`),
  (c) => L(`
def chunked_${c.es}(items: list, size: int = ${c.n}) -> Iterator[list]:
    """Yield successive chunks of at most \`size\` ${c.es}."""
    if size <= 0:
        raise ValueError("size must be positive")
    for start in range(0, len(items), size):
        yield items[start : start + size]
`),
  (c) => L(`
def ${c.e}_statistics(values: list[float]) -> dict[str, float]:
    """Mean, median and spread of a list of ${c.e} measurements."""
    if not values:
        return {"count": 0, "mean": 0.0, "median": 0.0, "stdev": 0.0}
    ordered = sorted(values)
    count = len(ordered)
    mean = sum(ordered) / count
    middle = count // 2
    if count % 2:
        median = ordered[middle]
    else:
        median = (ordered[middle - 1] + ordered[middle]) / 2
    variance = sum((v - mean) ** 2 for v in ordered) / count
    return {"count": count, "mean": mean, "median": median, "stdev": math.sqrt(variance)}
`),
  (c) => L(`
def slugify_${c.e}(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text or "${c.e}-${c.n}"
`),
  (c) => L(`
def deep_merge_${c.e}_settings(base: dict, override: dict) -> dict:
    """Recursively merge two settings dicts; \`override\` wins on conflicts."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge_${c.e}_settings(merged[key], value)
        else:
            merged[key] = value
    return merged
`),
  (c) => L(`
def parse_${c.e}_csv(text: str, *, delimiter: str = ",") -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for line_number, row in enumerate(reader, start=2):
        if not any(row.values()):
            continue
        cleaned = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        cleaned["_line"] = str(line_number)
        rows.append(cleaned)
    return rows
`),
  (c) => L(`
def group_${c.es}_by(records: list[dict], key: str) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        groups[str(record.get(key, "unknown"))].append(record)
    return dict(sorted(groups.items()))
`),
  (c) => L(`
def moving_average_${c.f1}(series: list[float], window: int = ${2 + (c.n % 7)}) -> list[float]:
    if window < 1:
        raise ValueError("window must be >= 1")
    out: list[float] = []
    total = 0.0
    queue: deque[float] = deque()
    for value in series:
        queue.append(value)
        total += value
        if len(queue) > window:
            total -= queue.popleft()
        out.append(total / len(queue))
    return out
`),
  (c) => L(`
def edit_distance_${c.e}(a: str, b: str) -> int:
    """Levenshtein distance, used to suggest ${c.e} names on typos."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            insert = current[j - 1] + 1
            delete = previous[j] + 1
            replace = previous[j - 1] + (ca != cb)
            current.append(min(insert, delete, replace))
        previous = current
    return previous[-1]
`),
  (c) => L(`
def format_${c.e}_amount(cents: int, currency: str = "USD") -> str:
    amount = (Decimal(cents) / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    symbol = {"USD": "$", "EUR": "EUR ", "GBP": "GBP "}.get(currency, currency + " ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"
`),
  (c) => L(`
def parse_${c.e}_timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed
    logger.warning("unparseable ${c.e} timestamp %r", value)
    return None
`),
  (c) => L(`
def retry_${c.e}_operation(attempts: int = ${2 + (c.n % 4)}, delay: float = 0.${c.n}) -> Callable:
    """Retry the decorated function on transient errors with exponential backoff."""

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            wait = delay
            for attempt in range(1, attempts + 1):
                try:
                    return func(*args, **kwargs)
                except (TimeoutError, ConnectionError):
                    if attempt == attempts:
                        raise
                    time.sleep(wait)
                    wait *= 2
            return None

        return wrapper

    return decorator
`),
  (c) => L(`
def topological_${c.e}_order(dependencies: dict[str, set[str]]) -> list[str]:
    indegree = {node: 0 for node in dependencies}
    for targets in dependencies.values():
        for target in targets:
            indegree[target] = indegree.get(target, 0) + 1
    ready = sorted(node for node, degree in indegree.items() if degree == 0)
    order: list[str] = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for target in sorted(dependencies.get(node, ())):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    if len(order) != len(indegree):
        raise ValueError("dependency cycle between ${c.es}")
    return order
`),
  (c) => L(`
def histogram_${c.f2}(values: Iterable[float], buckets: int = ${5 + (c.n % 10)}) -> list[int]:
    values = list(values)
    if not values:
        return [0] * buckets
    low, high = min(values), max(values)
    width = (high - low) / buckets or 1.0
    counts = [0] * buckets
    for value in values:
        index = min(int((value - low) / width), buckets - 1)
        counts[index] += 1
    return counts
`),
  (c) => L(`
def is_valid_${c.e}_email(address: str) -> bool:
    if len(address) > 254 or address.count("@") != 1:
        return False
    local, _, domain = address.partition("@")
    if not local or len(local) > 64:
        return False
    return bool(EMAIL_DOMAIN_RE.match(domain))
`),
  (c) => L(`
def flatten_${c.e}_payload(data: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flatten_${c.e}_payload(value, name))
        elif isinstance(value, (list, tuple)):
            for index, element in enumerate(value):
                flat[f"{name}[{index}]"] = element
        else:
            flat[name] = value
    return flat
`),
  (c) => L(`
async def fetch_${c.e}_${c.f1}_batch(keys: list[str], fetch: Callable, concurrency: int = ${2 + (c.n % 6)}) -> dict:
    semaphore = asyncio.Semaphore(concurrency)
    results: dict = {}

    async def one(key: str) -> None:
        async with semaphore:
            results[key] = await fetch(key)

    await asyncio.gather(*(one(k) for k in keys))
    return results
`),
  (c) => L(`
def ${c.e}_checksum(parts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\\x00")
    return digest.hexdigest()[:${16 + (c.n % 16)}]
`),
];

const CLASS_BLOCKS = [
  (c) => L(`
@dataclass
class ${c.E}Summary:
    ${c.id}: str
    ${c.f1}: ${fieldType(c.f1) === 'datetime' ? 'str' : fieldType(c.f1)}
    ${c.f2}: ${fieldType(c.f2) === 'datetime' ? 'str' : fieldType(c.f2)}
    tags: list[str] = field(default_factory=list)
    score: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.${c.id}}: {self.${c.f1}}"

    def with_tag(self, tag: str) -> "${c.E}Summary":
        if tag in self.tags:
            return self
        return replace(self, tags=[*self.tags, tag])

    def to_dict(self) -> dict:
        return asdict(self)
`),
  (c) => L(`
class ${c.E}Status(str, Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"

    @classmethod
    def parse(cls, value: str) -> "${c.E}Status":
        try:
            return cls(value.lower())
        except ValueError:
            raise ValueError(f"unknown ${c.e} status: {value!r}") from None
`),
  (c) => L(`
class ${c.E}RateLimiter:
    """Token bucket: at most \`rate\` ${c.e} operations per second, bursts up to \`capacity\`."""

    def __init__(self, rate: float = ${c.n}.0, capacity: int = ${c.n * 2}) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = float(capacity)
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def allow(self, cost: float = 1.0) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= cost:
                self.tokens -= cost
                return True
            return False
`),
  (c) => L(`
class ${c.E}Cache:
    """A small LRU cache for ${c.e} lookups."""

    def __init__(self, max_entries: int = ${c.n * 10}) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict[str, object] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: str, default=None):
        if key in self.entries:
            self.entries.move_to_end(key)
            self.hits += 1
            return self.entries[key]
        self.misses += 1
        return default

    def put(self, key: str, value: object) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

    @property
    def hit_ratio(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0
`),
  (c) => L(`
class ${c.E}Error(Exception):
    """Base class for ${c.e} errors."""


class ${c.E}NotFound(${c.E}Error):
    def __init__(self, ${c.id}: str) -> None:
        super().__init__(f"${c.e} {${c.id}} not found")
        self.${c.id} = ${c.id}


class ${c.E}Conflict(${c.E}Error):
    pass
`),
  (c) => L(`
class ${c.E}Workflow:
    TRANSITIONS = {
        "draft": {"submitted", "cancelled"},
        "submitted": {"approved", "rejected"},
        "approved": {"archived"},
        "rejected": {"draft"},
    }

    def __init__(self, state: str = "draft") -> None:
        self.state = state
        self.history: list[tuple[str, str]] = []

    def can(self, target: str) -> bool:
        return target in self.TRANSITIONS.get(self.state, set())

    def advance(self, target: str) -> None:
        if not self.can(target):
            raise ValueError(f"cannot move ${c.e} from {self.state} to {target}")
        self.history.append((self.state, target))
        self.state = target
`),
  (c) => L(`
class ${c.E}Aggregator:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.totals: dict[str, float] = defaultdict(float)

    def add(self, record: dict) -> None:
        key = str(record.get("${c.f1}", "other"))
        self.counts[key] += 1
        self.totals[key] += float(record.get("${c.f2}", 0) or 0)

    def top(self, n: int = ${3 + (c.n % 5)}) -> list[tuple[str, int]]:
        return self.counts.most_common(n)

    def averages(self) -> dict[str, float]:
        return {k: self.totals[k] / self.counts[k] for k in self.counts if self.counts[k]}
`),
  (c) => L(`
@contextmanager
def ${c.e}_timer(name: str, sink: list | None = None):
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = (time.perf_counter() - started) * 1000
        if sink is not None:
            sink.append((name, elapsed))
        logger.debug("%s took %.1f ms", name, elapsed)
`),
];

function modelBlock(c) {
  const lines = [`class ${c.E}In(BaseModel):`];
  for (const f of c.fields) {
    const t = fieldType(f);
    lines.push(`    ${f}: ${t === 'datetime' ? 'datetime | None = None' : t === 'int' ? 'int = Field(default=0, ge=0)' : t === 'list[str]' ? 'list[str] = Field(default_factory=list)' : 'str = Field(min_length=1, max_length=200)'}`);
  }
  lines.push('', '', `class ${c.E}Out(BaseModel):`, `    ${c.id}: str`);
  for (const f of c.fields.slice(0, 3)) lines.push(`    ${f}: ${fieldType(f) === 'int' ? 'int' : 'str'} | None = None`);
  return lines;
}

// ---- DynamoDB handler blocks, per framework ------------------------------------------------------
// Each framework has vulnerable and safe variants; the mix is fixed by the PRNG.

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

// ---- module assembly ------------------------------------------------------------------------------

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

/** A function/class/model block that is not DynamoDB code. */
function plainBlock(rng, entities) {
  const c = ctxFor(rng, rng.pick(entities));
  const r = rng.next();
  if (r < 0.6) return rng.pick(UTIL_BLOCKS)(c);
  if (r < 0.9) return rng.pick(CLASS_BLOCKS)(c);
  return modelBlockSafe(c);
}

/** Pydantic models only exist in modules that import pydantic; elsewhere use a TypedDict-free dict schema. */
function modelBlockSafe(c) {
  return L(`
${c.E.toUpperCase()}_SCHEMA = {
    "${c.id}": {"type": "string", "required": True},
${c.fields.map((f) => `    "${f}": {"type": "${fieldType(f) === 'int' ? 'integer' : 'string'}", "required": False},`).join('\n')}
}


def validate_${c.e}_record(record: dict) -> list[str]:
    problems = []
    for name, rule in ${c.E.toUpperCase()}_SCHEMA.items():
        if rule["required"] and name not in record:
            problems.append(f"missing {name}")
        value = record.get(name)
        if value is not None and rule["type"] == "integer" and not isinstance(value, int):
            problems.append(f"{name} must be an integer")
    return problems
`);
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

function generateCorpus(opts) {
  const rng = makeRng(opts.seed);
  const appDir = path.join(opts.out, 'app');
  const packages = ['api', 'services', 'handlers', 'utils', 'jobs', 'integrations'];
  const kinds = [
    ['fastapi', 0.36],
    ['flask', 0.22],
    ['lambda', 0.12],
    ['chalice', 0.05],
    ['plain', 0.25],
  ];
  const pickKind = () => {
    let r = rng.next();
    for (const [k, p] of kinds) if ((r -= p) < 0) return k;
    return 'plain';
  };
  const files = [];
  let total = 0;
  const write = (rel, text) => {
    const abs = path.join(appDir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    files.push(rel);
    total += text.split('\n').length - 1;
  };
  for (const pkg of packages) {
    write(`${pkg}/__init__.py`, '');
    write(`${pkg}/auth.py`, AUTH_MODULE);
  }
  // Spread the remaining budget so the corpus lands just above minLines with `files` modules.
  const perFile = Math.ceil((opts.minLines - total) / opts.files);
  for (let i = 0; i < opts.files; i++) {
    const kind = pickKind();
    const pkg = kind === 'plain' ? rng.pick(['utils', 'jobs', 'services']) : kind === 'lambda' ? 'handlers' : rng.pick(['api', 'integrations', 'services']);
    const target = rng.int(Math.round(perFile * 0.5), Math.round(perFile * 1.5));
    const name = `${kind}_${String(i).padStart(3, '0')}.py`;
    write(`${pkg}/${name}`, generateModule(rng, kind, target));
  }
  // Top up if rounding left us short.
  let extra = 0;
  while (total < opts.minLines) write(`utils/extra_${extra++}.py`, generateModule(rng, 'plain', 600));
  return { files: files.length, lines: total };
}

/** The latency file: exactly BIG_FILE_LINES lines, BIG_FILE_HANDLERS FastAPI handlers among helpers. */
function generateBigFile(opts) {
  const rng = makeRng(opts.seed ^ 0x5eed);
  const entities = rng.sample(ENTITIES, 6);
  const tableCtxs = entities.map((e) => ctxFor(rng, e));
  const head = header('fastapi', tableCtxs[0], tableCtxs).map((l) => l.replace('from .auth import get_current_user', 'from app.api.auth import get_current_user'));
  const blocks = [head, ...tableCtxs.map(modelBlock)];
  const handlers = [];
  for (let i = 0; i < BIG_FILE_HANDLERS; i++) handlers.push(FASTAPI_HANDLERS[i % FASTAPI_HANDLERS.length](tableCtxs[i % tableCtxs.length], 'router'));
  const budget = BIG_FILE_LINES - 12; // room for the filler table at the end
  const fixed = joinBlocks([...blocks, ...handlers]).length;
  let plainLines = 0;
  const plain = [];
  for (;;) {
    const b = plainBlock(rng, entities);
    if (fixed + plainLines + b.length + 2 > budget) break;
    plain.push(b);
    plainLines += b.length + 2;
  }
  // Interleave: spread helpers evenly between handlers.
  const body = [];
  const per = plain.length / handlers.length;
  let used = 0;
  handlers.forEach((h, i) => {
    body.push(h);
    const until = Math.round((i + 1) * per);
    while (used < until) body.push(plain[used++]);
  });
  while (used < plain.length) body.push(plain[used++]);
  let lines = dedupeDefs(joinBlocks([...blocks, ...body]));
  const remaining = BIG_FILE_LINES - lines.length - 2; // two blank separator lines
  if (remaining < 3) throw new Error(`big file overflow (${lines.length} lines)`);
  const filler = ['STATUS_DESCRIPTIONS = {'];
  for (let i = 0; i < remaining - 2; i++) filler.push(`    "code_${String(i).padStart(3, '0')}": "status ${i} (${rng.pick(VERBS)} ${rng.pick(NOUNS)})",`);
  filler.push('}');
  lines = [...lines, '', '', ...filler];
  if (lines.length !== BIG_FILE_LINES) throw new Error(`big file has ${lines.length} lines`);
  fs.writeFileSync(path.join(opts.out, 'big_3000.py'), lines.join('\n') + '\n');
  return { lines: lines.length, handlers: handlers.length };
}

function parseArgs(argv) {
  const opts = { ...DEFAULTS, force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out') opts.out = path.resolve(val());
    else if (a === '--seed') opts.seed = Number(val());
    else if (a === '--files') opts.files = Number(val());
    else if (a === '--min-lines') opts.minLines = Number(val());
    else if (a === '--force') opts.force = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/** Generate unless a complete corpus for the same parameters is already there. */
function ensureCorpus(opts = DEFAULTS, log = console.log) {
  const stamp = path.join(opts.out, 'corpus.json');
  const wanted = { seed: opts.seed, files: opts.files, minLines: opts.minLines, generator: 1 };
  if (!opts.force && fs.existsSync(stamp)) {
    try {
      const have = JSON.parse(fs.readFileSync(stamp, 'utf8'));
      if (JSON.stringify(have.params) === JSON.stringify(wanted)) return have;
    } catch {
      // regenerate below
    }
  }
  fs.rmSync(opts.out, { recursive: true, force: true });
  fs.mkdirSync(opts.out, { recursive: true });
  const started = Date.now();
  const corpus = generateCorpus(opts);
  const big = generateBigFile(opts);
  const info = { params: wanted, corpus, big, generatedMs: Date.now() - started };
  fs.writeFileSync(stamp, JSON.stringify(info, null, 2) + '\n');
  log(`corpus: ${corpus.files} files, ${corpus.lines} lines under ${path.relative(process.cwd(), path.join(opts.out, 'app')) || '.'}; big_3000.py: ${big.lines} lines, ${big.handlers} handlers (${info.generatedMs} ms)`);
  return info;
}

module.exports = { ensureCorpus, DEFAULTS, makeRng };

if (require.main === module) {
  try {
    ensureCorpus(parseArgs(process.argv.slice(2)));
  } catch (e) {
    console.error(`gen-corpus: ${e.message}`);
    process.exit(2);
  }
}
