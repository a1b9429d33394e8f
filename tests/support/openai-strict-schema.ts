// OpenAI's rules for a JSON Schema under structured outputs with `strict: true`, as its guide
// lists them (platform.openai.com/docs/guides/structured-outputs, "Supported schemas"): the
// root is an object (not anyOf); every object sets additionalProperties false and requires all
// of its properties; only the supported types and keywords; at most 5000 properties, 10 levels
// of nesting and 1000 enum values; names, enum and const values at most 120,000 characters.

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'])
const KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  '$ref',
  '$defs',
  'description',
  'title',
  // strings
  'pattern',
  'format',
  // numbers
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  // arrays
  'minItems',
  'maxItems',
])
const MAX_PROPERTIES = 5000
const MAX_DEPTH = 10
const MAX_ENUM_VALUES = 1000
const MAX_STRING_SIZE = 120_000

type Schema = Record<string, unknown>

/** Each way `schema` breaks OpenAI's strict mode, as `path: what`; empty when it complies. */
export function openAiStrictViolations(root: unknown): string[] {
  const out: string[] = []
  let properties = 0
  let enumValues = 0
  let stringSize = 0
  if (!isSchema(root) || root.type !== 'object') out.push('$: the root must be an object')
  if (isSchema(root) && 'anyOf' in root) out.push('$: the root must not be anyOf')

  const visit = (s: unknown, path: string, depth: number) => {
    if (!isSchema(s)) return out.push(`${path}: not a schema`)
    for (const key of Object.keys(s)) {
      if (!KEYWORDS.has(key)) out.push(`${path}: unsupported keyword ${key}`)
    }
    const types = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type]
    for (const t of types) if (!TYPES.has(t as string)) out.push(`${path}: unsupported type ${t}`)
    if (s.type === undefined && !s.anyOf && !s.enum && !('const' in s) && !s.$ref) {
      out.push(`${path}: no type`)
    }
    if (Array.isArray(s.enum)) {
      enumValues += s.enum.length
      for (const v of s.enum) stringSize += String(v).length
    }
    if ('const' in s) stringSize += String(s.const).length
    if (types.includes('object')) {
      if (depth > MAX_DEPTH) out.push(`${path}: nested deeper than ${MAX_DEPTH} levels`)
      if (s.additionalProperties !== false) out.push(`${path}: additionalProperties is not false`)
      const props = isSchema(s.properties) ? s.properties : {}
      const names = Object.keys(props)
      const required = Array.isArray(s.required) ? s.required : []
      for (const name of names) {
        if (!required.includes(name)) out.push(`${path}.${name}: not required`)
      }
      for (const name of required) {
        if (!names.includes(name as string)) out.push(`${path}: requires unknown ${name}`)
      }
      properties += names.length
      for (const name of names) {
        stringSize += name.length
        visit(props[name], `${path}.${name}`, depth + 1)
      }
    }
    if (types.includes('array')) {
      if (!isSchema(s.items)) out.push(`${path}: an array without items`)
      else visit(s.items, `${path}[]`, depth)
    }
    if (Array.isArray(s.anyOf)) s.anyOf.forEach((v, i) => visit(v, `${path}.anyOf[${i}]`, depth))
    if (isSchema(s.$defs)) {
      for (const [name, def] of Object.entries(s.$defs)) {
        stringSize += name.length
        visit(def, `${path}.$defs.${name}`, depth)
      }
    }
  }
  visit(root, '$', 1)
  if (properties > MAX_PROPERTIES)
    out.push(`$: ${properties} properties (at most ${MAX_PROPERTIES})`)
  if (enumValues > MAX_ENUM_VALUES)
    out.push(`$: ${enumValues} enum values (at most ${MAX_ENUM_VALUES})`)
  if (stringSize > MAX_STRING_SIZE) out.push(`$: ${stringSize} characters of names and values`)
  return out
}

const isSchema = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v)
