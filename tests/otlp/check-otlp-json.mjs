#!/usr/bin/env node
// Strict validator for OTLP/HTTP JSON log export bodies.
//
// Usage:
//   node tests/otlp/check-otlp-json.mjs --modules DIR [--proto-dir PDIR] FILE...
//
// DIR is a node_modules folder (the project installs into .deps/npm, so
// DIR is .deps/npm/node_modules) that holds the pinned packages:
//
//   protobufjs@7.6.6  the protobuf runtime (reflection, encode/decode)
//   dd-trace@5.132.0  only for its vendored copy of the official
//                     opentelemetry-proto v1.7.0 .proto files, in
//                     dd-trace/packages/dd-trace/src/opentelemetry/otlp/
//                     (upstream content plus a "Vendored from" first line;
//                     import paths flattened to "common.proto" etc.;
//                     LogRecord has event_name = 12)
//
// --proto-dir overrides where the .proto files are read from (a folder with
// logs_service.proto, logs.proto, common.proto, resource.proto that import
// each other by bare file name).
//
// Each FILE holds one JSON request body, checked as
// opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest under the
// proto3 JSON mapping as OTLP specifies it
// (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
//
//  * the body is parsed by a strict RFC 8259 parser (valid UTF-8, no BOM,
//    no duplicate keys, number literals kept verbatim so 64-bit values are
//    checked exactly);
//  * every key must be a field of the message at that point, by its
//    lowerCamelCase JSON name or its original proto name; a field given
//    under both names is an error;
//  * strings must be strings, booleans booleans; int32/uint32/fixed32 etc.
//    integer number literals in range; int64/uint64/fixed64 etc. a decimal
//    string or an integer number literal, in range; double/float a number
//    or "NaN"/"Infinity"/"-Infinity"; enums an integer or a value name;
//    bytes base64 (standard or URL-safe, padding optional), except
//    LogRecord.traceId/spanId which are hex (32/16 digits, or "" for unset);
//    repeated fields arrays; messages objects;
//  * null is rejected everywhere (legal in proto3 JSON, but an OTLP emitter
//    should leave the field out);
//  * a oneof may have at most one member set, and an AnyValue exactly one
//    (stricter than common.proto, which calls an AnyValue with no member
//    "empty" but valid: an emitter should leave such a value out);
//  * integer literals must be plain (no fraction, exponent or leading zero),
//    and decimal strings canonical (no sign on unsigned, no leading zero);
//  * attribute keys must be unique within one attributes list / kvlist
//    (OTLP: "Attribute keys MUST be unique");
//  * traceId/spanId of all zeroes are invalid (OTLP: "An ID with all zeroes
//    is considered invalid"; leave the field out instead).
//
// Then the normalised object goes through the protobufjs message type
// (fromObject, verify, encode to binary, decode) and the decoded message
// must equal the encoded one and hold the same number of log records.
//
// Semantic checks per log record: timeUnixNano or observedTimeUnixNano must
// be non-zero, and severityNumber, when present, must be in 1..24.
//
// Output: one line per good file,
//   ok FILE: 1 resource logs, 2 log records (...)
// and one line per bad file on stderr,
//   FAIL FILE: $.resourceLogs[0].scopeLogs[0].logRecords[1].traceId: ...
// Exit status: 0 all good, 1 some file bad, 2 usage or setup error.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const PINNED = { protobufjs: '7.6.6', 'dd-trace': '5.132.0' };
const DD_PROTO_SUBDIR = 'dd-trace/packages/dd-trace/src/opentelemetry/otlp';
const INSTALL_HINT =
  `npm install --prefix .deps/npm protobufjs@${PINNED.protobufjs} dd-trace@${PINNED['dd-trace']}`;

const REQUEST_TYPE = 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest';
const T_LOGRECORD = '.opentelemetry.proto.logs.v1.LogRecord';
const T_ANYVALUE = '.opentelemetry.proto.common.v1.AnyValue';
const T_KEYVALUE = '.opentelemetry.proto.common.v1.KeyValue';
// OTLP JSON: these bytes fields are hex strings, not base64 (value: byte length).
const HEX_BYTES_FIELDS = new Map([
  [`${T_LOGRECORD}.trace_id`, 16],
  [`${T_LOGRECORD}.span_id`, 8],
]);

// ---------------------------------------------------------------- errors

class CheckError extends Error {
  constructor(jsonPath, message) {
    super(message);
    this.jsonPath = jsonPath;
  }
}
function fail(jsonPath, message) {
  throw new CheckError(jsonPath, message);
}
class SetupError extends Error {}

// ---------------------------------------------------------------- JSON

// A number literal, kept as written.
class JsonNumber {
  constructor(raw) {
    this.raw = raw;
  }
}

function describe(v) {
  if (v === null) return 'null';
  if (v instanceof JsonNumber) return `number ${v.raw}`;
  if (v instanceof Map) return 'an object';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v)}`;
  if (typeof v === 'boolean') return `boolean ${v}`;
  return typeof v;
}

function keyPath(base, key) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 512;

// Strict RFC 8259 parser. Objects become Maps (insertion order kept, no
// prototype keys), numbers JsonNumber. Errors carry the JSON path reached.
function parseJson(text) {
  let i = 0;
  const n = text.length;

  function where() {
    let line = 1, col = 1;
    for (let k = 0; k < i && k < n; k++) {
      if (text.charCodeAt(k) === 10) { line++; col = 1; } else col++;
    }
    return `line ${line} column ${col}`;
  }
  function syntax(p, msg) {
    fail(p, `JSON syntax error at ${where()}: ${msg}`);
  }
  function ws() {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  }
  function value(p, depth) {
    if (depth > MAX_DEPTH) syntax(p, `nesting deeper than ${MAX_DEPTH}`);
    ws();
    if (i >= n) syntax(p, 'unexpected end of input');
    const c = text[i];
    if (c === '{') return object(p, depth);
    if (c === '[') return array(p, depth);
    if (c === '"') return string(p);
    if (c === '-' || (c >= '0' && c <= '9')) return number(p);
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    syntax(p, `unexpected character ${JSON.stringify(c)}`);
  }
  function object(p, depth) {
    i++; // {
    const m = new Map();
    ws();
    if (text[i] === '}') { i++; return m; }
    for (;;) {
      ws();
      if (text[i] !== '"') syntax(p, 'expected a string key');
      const k = string(p);
      const kp = keyPath(p, k);
      if (m.has(k)) syntax(kp, `duplicate key ${JSON.stringify(k)}`);
      ws();
      if (text[i] !== ':') syntax(kp, "expected ':'");
      i++;
      m.set(k, value(kp, depth + 1));
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') { i++; return m; }
      syntax(kp, "expected ',' or '}'");
    }
  }
  function array(p, depth) {
    i++; // [
    const a = [];
    ws();
    if (text[i] === ']') { i++; return a; }
    for (;;) {
      a.push(value(`${p}[${a.length}]`, depth + 1));
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === ']') { i++; return a; }
      syntax(`${p}[${a.length - 1}]`, "expected ',' or ']'");
    }
  }
  function string(p) {
    i++; // "
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) syntax(p, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) { out += text.slice(start, i); i++; break; }
      if (c < 0x20) syntax(p, 'unescaped control character in string');
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) { out += simple[e]; i += 2; }
        else if (e === 'u') {
          const h = text.slice(i + 2, i + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(h)) syntax(p, 'bad \\u escape');
          out += String.fromCharCode(parseInt(h, 16));
          i += 6;
        } else syntax(p, `bad escape \\${e ?? ''}`);
        start = i;
        continue;
      }
      i++;
    }
    if (LONE_SURROGATE.test(out)) syntax(p, 'string holds an unpaired UTF-16 surrogate (not valid UTF-8)');
    return out;
  }
  function number(p) {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) syntax(p, 'bad number');
    i += m[0].length;
    return new JsonNumber(m[0]);
  }

  const v = value('$', 0);
  ws();
  if (i !== n) syntax('$', 'trailing characters after the JSON value');
  return v;
}

// ---------------------------------------------------------------- proto

function jsonName(protoName) {
  // protoc's ToJsonName: drop '_' and upper-case the letter after it.
  let out = '', up = false;
  for (const ch of protoName) {
    if (ch === '_') { up = true; continue; }
    out += up ? ch.toUpperCase() : ch;
    up = false;
  }
  return out;
}

const INT_RANGES = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
const INT_LITERAL = /^(?:0|-?[1-9][0-9]*)$/;

class Checker {
  constructor(protobuf, root) {
    this.protobuf = protobuf;
    this.Long = protobuf.util.Long;
    this.root = root;
    this.requestType = root.lookupType(REQUEST_TYPE);
    this.fieldIndex = new Map(); // Type -> Map(name -> Field)
  }

  fieldsOf(type) {
    let idx = this.fieldIndex.get(type);
    if (!idx) {
      idx = new Map();
      for (const f of type.fieldsArray) {
        idx.set(jsonName(f.name), f);
        idx.set(f.name, f);
      }
      this.fieldIndex.set(type, idx);
    }
    return idx;
  }

  message(type, node, p, ctx) {
    const tname = type.fullName.slice(1);
    if (!(node instanceof Map)) fail(p, `expected a JSON object (${tname}), got ${describe(node)}`);
    const idx = this.fieldsOf(type);
    const out = {};
    const seen = new Map(); // proto field name -> key as written
    for (const [key, val] of node) {
      const kp = keyPath(p, key);
      const field = idx.get(key);
      if (!field) {
        const known = type.fieldsArray.map((f) => jsonName(f.name)).join(', ');
        fail(kp, `unknown field ${JSON.stringify(key)} in ${tname} (known: ${known})`);
      }
      if (seen.has(field.name)) {
        fail(kp, `field ${field.name} given twice (as ${JSON.stringify(seen.get(field.name))} and ${JSON.stringify(key)})`);
      }
      seen.set(field.name, key);
      if (val === null) fail(kp, 'null value (leave the field out instead)');
      out[field.name] = this.field(type, field, val, kp, ctx);
    }

    for (const oneof of type.oneofsArray) {
      const set = oneof.fieldsArray.filter((f) => seen.has(f.name));
      if (set.length > 1 && type.fullName === T_ANYVALUE) {
        fail(p, `AnyValue must have exactly one value member; it has ${set.length} (${set.map((f) => seen.get(f.name)).join(', ')})`);
      }
      if (set.length > 1) {
        fail(p, `oneof ${oneof.name} of ${tname} has ${set.length} members set (${set.map((f) => seen.get(f.name)).join(', ')}); at most one is allowed`);
      }
      if (type.fullName === T_ANYVALUE && set.length === 0) {
        fail(p, `AnyValue must have exactly one of ${oneof.fieldsArray.map((f) => jsonName(f.name)).join(', ')}; it has none`);
      }
    }

    if (type.fullName === T_LOGRECORD) this.logRecordSemantics(out, seen, p, ctx);
    return out;
  }

  logRecordSemantics(out, seen, p, ctx) {
    ctx.logRecords++;
    const t = out.time_unix_nano, o = out.observed_time_unix_nano;
    const nonZero = (v) => v !== undefined && !v.isZero();
    if (!nonZero(t) && !nonZero(o)) {
      fail(p, 'log record has neither timeUnixNano nor observedTimeUnixNano set to a non-zero value');
    }
    if (seen.has('severity_number')) {
      const s = out.severity_number;
      if (!(s >= 1 && s <= 24)) {
        fail(keyPath(p, seen.get('severity_number')), `severityNumber ${s} is outside 1..24`);
      }
      ctx.withSeverity++;
    }
  }

  field(parentType, field, val, p, ctx) {
    if (field.map) fail(p, `map field ${field.name} is not supported by this checker`);
    if (field.repeated) {
      if (!Array.isArray(val)) fail(p, `repeated field ${jsonName(field.name)} must be a JSON array, got ${describe(val)}`);
      const items = val.map((v, k) => {
        const ip = `${p}[${k}]`;
        if (v === null) fail(ip, 'null element in repeated field');
        return this.single(parentType, field, v, ip, ctx);
      });
      if (field.resolvedType && field.resolvedType.fullName === T_KEYVALUE) this.uniqueKeys(val, items, p);
      return items;
    }
    return this.single(parentType, field, val, p, ctx);
  }

  uniqueKeys(raw, items, p) {
    const first = new Map();
    items.forEach((kv, k) => {
      const key = kv.key ?? '';
      if (first.has(key)) {
        fail(`${p}[${k}]`, `duplicate attribute key ${JSON.stringify(key)} (also at [${first.get(key)}]); keys MUST be unique`);
      }
      first.set(key, k);
    });
  }

  single(parentType, field, v, p, ctx) {
    const rt = field.resolvedType;
    const { Type, Enum } = this.protobuf;
    if (rt instanceof Type) return this.message(rt, v, p, ctx);
    if (rt instanceof Enum) return this.enumValue(rt, v, p);

    const hexLen = HEX_BYTES_FIELDS.get(`${parentType.fullName}.${field.name}`);
    if (hexLen !== undefined) return this.hexBytes(v, hexLen, field, p);

    switch (field.type) {
      case 'string':
        if (typeof v !== 'string') fail(p, `expected a string, got ${describe(v)}`);
        return v;
      case 'bool':
        if (typeof v !== 'boolean') fail(p, `expected true or false, got ${describe(v)}`);
        return v;
      case 'int32': case 'sint32': case 'sfixed32': case 'uint32': case 'fixed32':
        return Number(this.integer(field.type, v, p, false));
      case 'int64': case 'sint64': case 'sfixed64': case 'uint64': case 'fixed64': {
        const b = this.integer(field.type, v, p, true);
        const unsigned = field.type === 'uint64' || field.type === 'fixed64';
        return this.Long.fromString(b.toString(), unsigned, 10);
      }
      case 'double': case 'float':
        return this.floating(field.type, v, p);
      case 'bytes':
        return this.base64(v, p);
      default:
        fail(p, `unsupported field type ${field.type}`);
    }
  }

  integer(type, v, p, allowString) {
    let text;
    if (v instanceof JsonNumber) {
      if (!INT_LITERAL.test(v.raw)) fail(p, `expected an integer literal (${type}), got ${v.raw}`);
      text = v.raw;
    } else if (typeof v === 'string' && allowString) {
      if (!INT_LITERAL.test(v)) fail(p, `expected a canonical decimal string (${type}), got ${JSON.stringify(v)}`);
      text = v;
    } else {
      fail(p, `expected ${allowString ? 'a decimal string or an integer number' : 'an integer number'} (${type}), got ${describe(v)}`);
    }
    const b = BigInt(text);
    const [lo, hi] = INT_RANGES[type];
    if (b < lo || b > hi) fail(p, `${text} is out of range for ${type} (${lo}..${hi})`);
    return b;
  }

  floating(type, v, p) {
    let x;
    if (v instanceof JsonNumber) {
      x = Number(v.raw);
      if (!Number.isFinite(x)) fail(p, `${v.raw} overflows ${type}`);
      if (type === 'float' && Math.abs(x) > 3.4028234663852886e38) fail(p, `${v.raw} overflows float`);
      return x;
    }
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    fail(p, `expected a number (${type}) or "NaN"/"Infinity"/"-Infinity", got ${describe(v)}`);
  }

  enumValue(en, v, p) {
    const ename = en.fullName.slice(1);
    if (v instanceof JsonNumber) {
      if (!INT_LITERAL.test(v.raw)) fail(p, `expected an integer (enum ${ename}), got ${v.raw}`);
      const b = BigInt(v.raw);
      if (b < INT_RANGES.int32[0] || b > INT_RANGES.int32[1]) fail(p, `enum value ${v.raw} out of int32 range`);
      return Number(b);
    }
    if (typeof v === 'string') {
      if (!Object.prototype.hasOwnProperty.call(en.values, v)) {
        fail(p, `unknown ${ename} name ${JSON.stringify(v)}`);
      }
      return en.values[v];
    }
    fail(p, `expected an integer or a name (enum ${ename}), got ${describe(v)}`);
  }

  hexBytes(v, len, field, p) {
    const name = jsonName(field.name);
    if (typeof v !== 'string') fail(p, `${name} must be a hex string, got ${describe(v)}`);
    if (v === '') return new Uint8Array(0);
    if (!/^[0-9A-Fa-f]*$/.test(v) || v.length !== 2 * len) {
      const hint = /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && !/^[0-9A-Fa-f]+$/.test(v)
        ? ' (looks like base64: OTLP JSON encodes traceId/spanId as hex)' : '';
      fail(p, `${name} must be ${2 * len} hex digits (${len} bytes), got ${JSON.stringify(v)}${hint}`);
    }
    if (/^0+$/.test(v)) fail(p, `${name} of all zeroes is invalid (leave the field out instead)`);
    return Uint8Array.from(Buffer.from(v, 'hex'));
  }

  base64(v, p) {
    if (typeof v !== 'string') fail(p, `expected a base64 string (bytes), got ${describe(v)}`);
    const body = v.replace(/={1,2}$/, '');
    if (!/^[A-Za-z0-9+/]*$/.test(body) && !/^[A-Za-z0-9_-]*$/.test(body)) {
      fail(p, `not valid base64: ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v)}`);
    }
    if (body.length % 4 === 1 || (body.length !== v.length && v.length % 4 !== 0)) {
      fail(p, `base64 of impossible length or bad padding: ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v)}`);
    }
    const std = body.replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(Buffer.from(std, 'base64'));
  }

  countRecords(msg) {
    let rl = 0, lr = 0;
    for (const r of msg.resource_logs || []) {
      rl++;
      for (const s of r.scope_logs || []) lr += (s.log_records || []).length;
    }
    return { rl, lr };
  }

  check(text) {
    const doc = parseJson(text);
    const ctx = { logRecords: 0, withSeverity: 0 };
    const plain = this.message(this.requestType, doc, '$', ctx);

    const T = this.requestType;
    const msg = T.fromObject(plain);
    const err = T.verify(msg);
    if (err) fail('$', `protobufjs verify() rejected the converted message: ${err}`);
    const bin = T.encode(msg).finish();
    const back = T.decode(bin);
    const before = this.countRecords(msg);
    const after = this.countRecords(back);
    if (before.lr !== ctx.logRecords || after.lr !== ctx.logRecords || before.rl !== after.rl) {
      fail('$', `log record count changed in the binary round trip: JSON ${ctx.logRecords}, message ${before.lr}, decoded ${after.lr}`);
    }
    const opts = { longs: String, enums: Number, bytes: String, defaults: false, arrays: false, objects: false };
    const a = JSON.stringify(T.toObject(msg, opts));
    const b = JSON.stringify(T.toObject(back, opts));
    if (a !== b) fail('$', 'message changed in the binary round trip (encode then decode)');
    return { resourceLogs: after.rl, logRecords: ctx.logRecords, withSeverity: ctx.withSeverity, bytes: bin.length };
  }
}

// ---------------------------------------------------------------- setup

function usage(msg) {
  if (msg) process.stderr.write(`check-otlp-json: ${msg}\n`);
  process.stderr.write('usage: node check-otlp-json.mjs --modules NODE_MODULES_DIR [--proto-dir DIR] FILE...\n');
  process.exit(2);
}

function parseArgs(argv) {
  let modules = null, protoDir = null;
  const files = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--modules' || a === '--proto-dir') {
      if (k + 1 >= argv.length) usage(`${a} needs a value`);
      if (a === '--modules') modules = argv[++k]; else protoDir = argv[++k];
    } else if (a.startsWith('--modules=')) modules = a.slice(10);
    else if (a.startsWith('--proto-dir=')) protoDir = a.slice(12);
    else if (a === '-h' || a === '--help') usage();
    else if (a === '--') files.push(...argv.slice(k + 1)), (k = argv.length);
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else files.push(a);
  }
  if (!modules) usage('--modules is required');
  if (files.length === 0) usage('no FILE given');
  return { modules: path.resolve(modules), protoDir, files };
}

function pkgVersion(modules, name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(modules, name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

async function loadChecker(modules, protoDirArg) {
  const pbVer = pkgVersion(modules, 'protobufjs');
  if (!pbVer) throw new SetupError(`protobufjs not found in ${modules}; install with: ${INSTALL_HINT}`);
  const require = createRequire(import.meta.url);
  const protobuf = require(path.join(modules, 'protobufjs'));
  if (!protobuf.util.Long) throw new SetupError(`protobufjs in ${modules} found no "long" package; 64-bit values cannot be checked exactly`);

  let protoDir = protoDirArg ? path.resolve(protoDirArg) : path.join(modules, DD_PROTO_SUBDIR);
  const entry = path.join(protoDir, 'logs_service.proto');
  if (!fs.existsSync(entry)) {
    throw new SetupError(`${entry} not found; install with: ${INSTALL_HINT}`);
  }
  const root = await new protobuf.Root().load(entry, { keepCase: true });
  root.resolveAll();
  const lr = root.lookupType(T_LOGRECORD.slice(1));
  const ev = lr.fieldsById[12];
  if (!ev || ev.name !== 'event_name') {
    throw new SetupError(`${protoDir}/logs.proto has no LogRecord.event_name = 12 (needs opentelemetry-proto v1.5.0 or later)`);
  }
  const notes = [];
  if (pbVer !== PINNED.protobufjs) notes.push(`protobufjs ${pbVer} (pinned ${PINNED.protobufjs})`);
  const ddVer = pkgVersion(modules, 'dd-trace');
  if (!protoDirArg && ddVer !== PINNED['dd-trace']) notes.push(`dd-trace ${ddVer} (pinned ${PINNED['dd-trace']})`);
  if (notes.length) process.stderr.write(`check-otlp-json: note: using ${notes.join(', ')}\n`);
  return new Checker(protobuf, root);
}

// ---------------------------------------------------------------- main

async function main() {
  const { modules, protoDir, files } = parseArgs(process.argv.slice(2));
  let checker;
  try {
    checker = await loadChecker(modules, protoDir);
  } catch (e) {
    process.stderr.write(`check-otlp-json: setup error: ${e.message}\n`);
    process.exit(2);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bad = 0;
  for (const file of files) {
    try {
      let buf;
      try {
        buf = fs.readFileSync(file);
      } catch (e) {
        fail('$', `cannot read: ${e.message}`);
      }
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) fail('$', 'file starts with a UTF-8 byte order mark');
      let text;
      try {
        text = decoder.decode(buf);
      } catch {
        fail('$', 'body is not valid UTF-8');
      }
      const r = checker.check(text);
      process.stdout.write(
        `ok ${file}: ${r.resourceLogs} resource logs, ${r.logRecords} log records ` +
        `(protobuf round trip ok, ${r.bytes} bytes; all ${r.logRecords} have a non-zero time; ` +
        `severityNumber in 1..24 on ${r.withSeverity}, absent on ${r.logRecords - r.withSeverity})\n`);
    } catch (e) {
      bad++;
      if (e instanceof CheckError) process.stderr.write(`FAIL ${file}: ${e.jsonPath}: ${e.message}\n`);
      else process.stderr.write(`FAIL ${file}: $: internal error: ${e && e.stack ? e.stack : e}\n`);
    }
  }
  process.exitCode = bad ? 1 : 0;
}

export { parseJson, Checker, loadChecker, CheckError, REQUEST_TYPE };

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) main();
