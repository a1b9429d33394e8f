// JSON lines on stdout: one object per event, so any log shipper can parse them.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** `urgent` lines (warnings and errors) must be written out now, not batched. */
export type LineWriter = (line: string, urgent: boolean) => void

export function createJsonLogger(
  level: LogLevel = 'info',
  write: LineWriter = (line) => console.log(line),
  now: () => Date = () => new Date()
): Logger {
  const emit = (lvl: LogLevel) => {
    // Levels below the threshold cost one call and nothing else.
    if (order[lvl] < order[level]) return () => {}
    const urgent = order[lvl] >= order.warn
    return (msg: string, fields: LogFields = {}) =>
      write(JSON.stringify({ time: now().toISOString(), level: lvl, msg, ...fields }), urgent)
  }
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
