// Draws the app icons (a white microphone on teal) as PNG with no dependency: run once with
// `npx tsx web/scripts/icons.ts`; the PNGs are committed under web/public/.
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'
import path from 'node:path'

const TEAL = [0x0f, 0x5f, 0x5c]
const WHITE = [0xff, 0xff, 0xff]

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf: Uint8Array) => {
  let c = 0xffffffff
  for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const v = new DataView(out.buffer)
  v.setUint32(0, data.length)
  out.set(new TextEncoder().encode(type), 4)
  out.set(data, 8)
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)))
  return out
}

/** Inside the microphone: a capsule, a U-shaped holder and a stand, in unit coordinates. */
function isMic(x: number, y: number): boolean {
  const cx = 0.5
  // capsule: a vertical rounded rectangle
  const capW = 0.13
  const capTop = 0.2
  const capBottom = 0.52
  const dx = Math.abs(x - cx)
  if (dx <= capW && y >= capTop && y <= capBottom) return true
  if ((x - cx) ** 2 + (y - capTop) ** 2 <= capW ** 2) return true
  if ((x - cx) ** 2 + (y - capBottom) ** 2 <= capW ** 2) return true
  // holder: a ring arc below the capsule's centre
  const r = Math.hypot(x - cx, y - 0.5)
  if (y >= 0.5 && r >= 0.2 && r <= 0.245) return true
  // stand and base
  if (dx <= 0.025 && y >= 0.7 && y <= 0.8) return true
  if (dx <= 0.13 && y >= 0.78 && y <= 0.82) return true
  return false
}

function png(size: number, padding: number, rounded: boolean): Buffer {
  const rows: number[] = []
  const radius = rounded ? 0.18 : 0
  for (let py = 0; py < size; py++) {
    rows.push(0) // filter: none
    for (let px = 0; px < size; px++) {
      const ux = (px + 0.5) / size
      const uy = (py + 0.5) / size
      // outside the rounded square: transparent
      const qx = Math.max(Math.abs(ux - 0.5) - (0.5 - radius), 0)
      const qy = Math.max(Math.abs(uy - 0.5) - (0.5 - radius), 0)
      const inside = Math.hypot(qx, qy) <= radius || radius === 0
      const mx = (ux - 0.5) / (1 - 2 * padding) + 0.5
      const my = (uy - 0.5) / (1 - 2 * padding) + 0.5
      const color = isMic(mx, my) ? WHITE : TEAL
      rows.push(...color, inside ? 255 : 0)
    }
  }
  const ihdr = new Uint8Array(13)
  const v = new DataView(ihdr.buffer)
  v.setUint32(0, size)
  v.setUint32(4, size)
  ihdr.set([8, 6, 0, 0, 0], 8) // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from(rows), { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ])
}

const out = path.join(import.meta.dirname, '..', 'public')
writeFileSync(path.join(out, 'icon-192.png'), png(192, 0, true))
writeFileSync(path.join(out, 'icon-512.png'), png(512, 0, true))
// Maskable: full bleed, the drawing inside the 80 % safe zone.
writeFileSync(path.join(out, 'icon-maskable-512.png'), png(512, 0.12, false))
console.log('icons written to', out)
