// Python builtins and well-known methods as data: how a value flows through them.

/** Conversions that keep their argument's taint (`str(x)`, `int(x)`, `Decimal(x)`). */
export const CONVERSION_BUILTINS = new Set(['next', 'str', 'int', 'float', 'bool', 'dict', 'list', 'tuple', 'set', 'frozenset', 'sorted', 'reversed', 'Decimal', 'escape', 'quote', 'unquote']);
/** Conversions that return their (first) argument's structure unchanged. */
export const SEQUENCE_BUILTINS = new Set(['list', 'sorted', 'tuple']);
/** Builtins whose result carries nothing of their arguments (except those handled: enumerate, zip, min, max). */
export const OPAQUE_BUILTINS = new Set(['len', 'isinstance', 'hasattr', 'print', 'range', 'enumerate', 'zip', 'min', 'max', 'any', 'all']);
/** Builtins whose result is derived from all their arguments. */
export const REFLECTIVE_BUILTINS = new Set(['getattr', 'vars']);

/** Methods turning a request model/dict into the whole payload (`body.dict()`, `model_dump()`). */
export const PAYLOAD_DUMP_METHODS = new Set(['dict', 'model_dump', 'json', 'model_dump_json', 'copy', 'to_dict']);
/** Methods iterating a payload's keys/values. */
export const PAYLOAD_ITER_METHODS = new Set(['items', 'keys', 'values']);
/** Lookups with a default: `d.get(k, default)`. */
export const LOOKUP_METHODS = new Set(['get', 'pop', 'setdefault']);
/** Methods adding to a container in place. */
export const MUTATING_METHODS = new Set(['append', 'extend', 'add', 'update', 'insert', 'appendleft']);
/** String methods whose result is derived from the receiver and the arguments. */
export const STRING_METHODS = new Set(['strip', 'lower', 'upper', 'lstrip', 'rstrip', 'replace', 'split', 'encode', 'decode', 'title', 'casefold', 'hex', 'isoformat']);
/** Pydantic constructors from data: the result keeps only the model's fields. */
export const MODEL_PARSE_METHODS = new Set(['model_validate', 'parse_obj', 'from_orm', 'model_construct']);
/** Signed or encrypted tokens (itsdangerous, Fernet): the caller cannot forge their content. */
export const UNSIGN_METHODS = new Set(['unsign', 'decrypt']);
export const SIGNER_RECEIVER = /serializer|signer/i;

/** Validator naming conventions: a call statement `validate_x(v)` raises unless `v` is valid. */
export const VALIDATOR_STATEMENT = /^(validate|ensure_valid|assert_valid)\w*$/;
/** Predicate naming conventions: `if is_valid_status(v)` proves `v` valid. */
export const VALIDATOR_PREDICATE = /^(is_valid|valid|validate)\w*$/;
/** Regex APIs: `re.fullmatch(P, x)` and compiled `P.match(x)`. */
export const REGEX_MODULE_CALL = /^(re|regex)\.(match|fullmatch|search)$/;
export const REGEX_METHOD = /^(match|fullmatch|search)$/;

/** Views of a whole PynamoDB item: returning one returns every attribute (`note.attribute_values`, `note.to_simple_dict()`). */
export const PYNAMO_WHOLE_VIEWS = new Set(['attribute_values', 'to_simple_dict', 'to_dict', 'to_json', 'serialize']);
