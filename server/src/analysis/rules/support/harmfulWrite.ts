import { infraKeySchema } from '../../infra/keys';
import type { FileFacts, FunctionFacts, TableCall } from '../../model/facts';
import { textOf } from '../../model/module';
import { callersChooseKey } from '../../facts/callers';
import { contributionOnly } from '../../facts/contribution';

// DG301's contract (its docs page spells it out): which unconditional writes hurt.

const CREATING_NAME = /^(create|add|register|new|insert)_/;
const UPDATING_NAME = /^(update|edit|modify|patch|change|rename)(_|$)/;

function hasCondition(call: TableCall): boolean {
  return call.kwargs.has('ConditionExpression') || call.kwargs.has('Expected') || call.kwargs.has('condition');
}

function isCreating(fnFacts: FunctionFacts): boolean {
  return CREATING_NAME.test(fnFacts.fn.name) || !!fnFacts.handler?.methods.includes('POST');
}

/** A freshly generated key attribute (partition or sort: `{"user_id": me, "note_id": uuid4()}`) makes the item new. */
function freshKey(facts: FileFacts, call: TableCall): boolean {
  if (call.keys.some((k) => k.value.fresh)) return true;
  const schema = facts.keySchema(call.tableName) ?? infraKeySchema(facts, call);
  const item = call.kwargs.get('Item')?.value;
  return !!item?.dict?.some((e) => e.value.fresh && (schema ? schema.includes(e.key) : KEY_LIKE.test(e.key)));
}

/** Keyed by the caller alone (`{"user_id": user.sub}`): the write can only touch the caller's own item. */
function subjectKeyed(facts: FileFacts, call: TableCall): boolean {
  return call.keys.some((k) => k.value.subject?.length) && !requestKeyed(facts, call);
}

const KEY_LIKE = /(^|_)(id|pk|sk|key)$|Id$/i;

/** A key attribute (of `Key=`, or of a put's `Item=`: from the schema, else named like a key) from the request. */
function requestKeyed(facts: FileFacts, call: TableCall): boolean {
  if (call.keys.some((k) => k.value.request?.length)) return true;
  const schema = facts.keySchema(call.tableName) ?? infraKeySchema(facts, call);
  return !!call.kwargs.get('Item')?.value.dict?.some((e) => e.value.request?.length && (schema ? schema.includes(e.key) : KEY_LIKE.test(e.key)));
}

const EVENT_FIELD = /\[\s*["'](Records|detail)["']\s*\]/;
const eventFedModules = new WeakMap<FileFacts, boolean>();

/** API Gateway handlers serve requests; functions fed `event["Records"]`/`event["detail"]` consume events. */
export function isEventConsumer(facts: FileFacts, fnFacts: FunctionFacts): boolean {
  return fnFacts.handler?.framework === 'lambda' && EVENT_FIELD.test(textOf(facts.text, fnFacts.fn.body));
}

/** The module reads `["Records"]`/`["detail"]` somewhere; once per file, not once per write (a whole-text scan). */
function isEventFedModule(facts: FileFacts): boolean {
  let fed = eventFedModules.get(facts);
  if (fed === undefined) eventFedModules.set(facts, (fed = EVENT_FIELD.test(facts.text)));
  return fed;
}

function sameTable(facts: FileFacts, a: TableCall, b: TableCall): boolean {
  // A PynamoDB item (`todo = Todo.get(k)`, then `todo.delete()`) is of its model's table.
  if (a.pynamoModel || b.pynamoModel) return a.pynamoModel === b.pynamoModel;
  return a.tableName !== undefined ? a.tableName === b.tableName : textOf(facts.text, a.receiver) === textOf(facts.text, b.receiver);
}

/** Reads or writes of the same table earlier in the function (the item was just read or created). */
function touchedBefore(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall, methods: RegExp): boolean {
  return fnFacts.calls.some((c) => c !== call && c.node.start < call.node.start && methods.test(c.method) && sameTable(facts, c, call));
}

/**
 * `SET n = n + :v`, `SET l = list_append(l, :v)`: an operand read from the existing item (not under
 * `if_not_exists`) makes DynamoDB refuse the update when the item is missing, so no phantom item.
 */
function readsExisting(ue: string): boolean {
  const set = /\bSET\b([\s\S]*?)(?=\b(?:REMOVE|ADD|DELETE)\b|$)/i.exec(ue)?.[1] ?? '';
  return set.split(/,(?![^(]*\))/).some((clause) => {
    const eq = clause.indexOf('=');
    if (eq < 0) return false;
    const rhs = clause.slice(eq + 1).replace(/if_not_exists\([^)]*\)/g, '');
    return /(^|[\s(,+-])#?[A-Za-z_][\w.[\]{}]*/.test(rhs.replace(/\blist_append\b|:\w+/g, ' '));
  });
}

/** Which kind of harmful unconditional write `call` is, if any (the contract in the docs below). */
export function harmfulWrite(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall): 'update' | 'layer' | 'put' | 'overwrite' | undefined {
  if (hasCondition(call) || call.api === 'batch' || isEventConsumer(facts, fnFacts) || /\bbatch_writer\(/.test(textOf(facts.text, fnFacts.fn.body)) && /^batch|writer/i.test(textOf(facts.text, call.receiver))) return undefined;
  const m = call.method;
  const isUpdateOrDelete = m === 'update_item' || m === 'delete_item' || (call.api === 'pynamo' && (m === 'update' || m === 'delete'));
  const isPut = m === 'put_item' || (call.api === 'pynamo' && m === 'save');
  if (isUpdateOrDelete) {
    // A repository's update method is wrong for every caller: a missing key becomes a phantom item.
    if (!fnFacts.handler && UPDATING_NAME.test(fnFacts.fn.name) && !m.startsWith('delete') && call.keys.length && !call.keys.some((k) => k.value.fresh || k.value.subject?.length)) {
      // Counters and `if_not_exists` are upserts by design; event-fed modules update what an event named.
      const kw = call.kwargs.get('UpdateExpression');
      // Built by `.format`/f-string: its literal template still shows the clauses.
      const ue = kw?.value.str ?? (kw ? /^[rbuf]*["']([^"']*)["']/i.exec(textOf(facts.text, kw.node))?.[1] ?? '' : '');
      const upsert = /\bADD\b|if_not_exists\(/i.test(kw?.value.str ?? textOf(facts.text, call.node));
      const eventFed = isEventFedModule(facts);
      if (upsert || eventFed || readsExisting(ue) || touchedBefore(facts, fnFacts, call, /^(get_item|get|query)$/)) return undefined;
      return callersChooseKey(facts, call) === false ? undefined : 'layer';
    }
    // Counting a vote or appending the caller's signed entry reads the existing item: no phantom.
    if (!fnFacts.handler || !requestKeyed(facts, call) || contributionOnly(facts, call)) return undefined;
    return touchedBefore(facts, fnFacts, call, /^(get_item|get|query|put_item|save|update_item)$/) ? undefined : 'update';
  }
  if (!isPut || freshKey(facts, call) || subjectKeyed(facts, call)) return undefined;
  if (isCreating(fnFacts)) {
    if (fnFacts.handler) return !requestKeyed(facts, call) && call.keys.length > 0 ? undefined : 'put';
    // A repository's create method: every caller passing a server-chosen key (an S3 object key
    // from an event, a websocket connection id) makes it an upsert by design.
    return callersChooseKey(facts, call) === false ? undefined : 'put';
  }
  return fnFacts.handler && requestKeyed(facts, call) && touchedBefore(facts, fnFacts, call, /^(get_item|get)$/) ? 'overwrite' : undefined;
}

