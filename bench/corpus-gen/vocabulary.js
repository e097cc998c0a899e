'use strict';
// The names the generated code is written with: entities, their fields, and a template helper.

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

/** A template literal (leading newline, trailing blank) as lines. */
const L = (s) => s.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');

module.exports = { ENTITIES, CAMEL, VERBS, NOUNS, fieldType, ctxFor, L };
