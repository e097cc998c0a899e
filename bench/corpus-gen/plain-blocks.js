'use strict';
// Plain Python blocks, the bulk of the corpus: utilities, classes, models. Not DynamoDB code.

const { fieldType, L } = require('./vocabulary');

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

module.exports = { UTIL_BLOCKS, CLASS_BLOCKS, modelBlock, modelBlockSafe };
