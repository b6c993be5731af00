// Text fields refuse control characters (NUL, ANSI escapes, DEL, C1): they corrupt logs,
// terminals and downstream platforms. Every string schema either is closed by a format, enum
// or const, or carries a pattern that refuses them; the shared components in
// openapi/components/schemas/common.yaml (Name, Text, Description) already do. The pattern is
// probed with control characters inserted into ordinary text and into the schema's own
// examples: a pattern that accepts any probe is reported.
const CONTROL = ['\u0000', '\u0007', '\u001b', '\u007f', '\u009b'];
const FILLERS = ['a', 'A', '0', 'Ab0', 'a b'];

function probes(schema) {
  const samples = [...FILLERS];
  for (const example of [...(Array.isArray(schema.examples) ? schema.examples : []), schema.example, schema.default]) {
    if (typeof example === 'string' && example.length > 0) samples.push(example);
  }
  const out = [];
  for (const c of CONTROL) {
    out.push(c, `${c}[31m`);
    for (const s of samples) {
      const middle = Math.floor(s.length / 2);
      out.push(`${s.slice(0, middle)}${c}${s.slice(middle)}`, `${s}${c}`, `${c}${s}`);
    }
  }
  return out;
}

function isString(schema) {
  return schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'));
}

export default function stringNoControlCharacters(schema) {
  if (!schema || typeof schema !== 'object' || !isString(schema)) return [];
  if (schema.format || schema.enum || schema.const !== undefined || schema.contentEncoding) return [];
  if (typeof schema.pattern !== 'string') {
    return [
      {
        message:
          'A free string needs a pattern that refuses control characters ($ref Name, Text or Description in components/schemas/common.yaml).',
      },
    ];
  }
  let re;
  try {
    // JSON Schema patterns are ECMA-262 with the unicode flag, as Ajv compiles them.
    re = new RegExp(schema.pattern, 'u');
  } catch {
    return [];
  }
  const accepted = probes(schema).find((p) => re.test(p));
  if (accepted === undefined) return [];
  return [
    {
      message: `Pattern ${schema.pattern} accepts the control character in ${JSON.stringify(accepted)}; refuse \\x00-\\x1F, \\x7F-\\x9F (see Text in components/schemas/common.yaml).`,
    },
  ];
}
