// Row ids in paths: every id the API hands out is a UUID, so anything else names nothing.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True when `id` is a UUID (any version, either case). */
export const isUuid = (id: string): boolean => UUID.test(id)
