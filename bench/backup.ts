#!/usr/bin/env -S npx tsx
// The issue's figures, measured in one run on a scratch stack: tar of the audio volume (the
// baseline), the first backup, an incremental backup after 1 % new data, restic restore, and the
// full restore into a destroyed stack (RTO), each as MB/s and as a ratio against tar.
import { spawn } from 'node:child_process'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { Agent, fetch } from 'undici'
import { $, echo, fs, path } from 'zx'
import { z } from 'zod'
import { parseArgs } from '../ops/lib/args.ts'
import { isMainModule, runScript } from '../ops/lib/main.ts'
import { step, formatSeconds } from '../ops/lib/step.ts'
import { fromRoot } from '../ops/lib/paths.ts'
import { BASE_IMAGE } from '../ops/lib/images.ts'
import { CERTS_DIR, composeArgs } from '../ops/lib/compose.ts'
import { scratchStack } from '../tests/support/scratch-stack.ts'
import { ensureLocalCerts, localCertPaths } from '../ops/lib/local-ca.ts'

const USAGE = `
Usage: npx tsx bench/backup.ts [--size-mb 1000] [--keep]   (make bench-backup)

  Starts a scratch stack (its own compose project, restic repository and password file in a
  temporary folder), fills its audio volume with --size-mb of WAV files of 1-10 MB holding
  white noise (not compressible), registered as recordings, then measures in the same run:
    a plain copy of the audio volume, tar into a file + fsync (the baseline, before and after),
    tar of the audio volume to a pipe (page cache, for reference),
    the first make backup, an incremental one after 1 % new files (time, bytes stored),
    restic restore into a folder, make backup-verify,
    make restore into the stack after its volumes are destroyed (RTO: from the command's
    start until the API answers through the edge and serves a restored file intact).
  Prints a table. Everything is removed at the end (--keep leaves the stack and the folder).
`

const q = $({ quiet: true })
const MB = 1e6

type Timed = { seconds: number; out: string }

/** Runs an ops script as an operator would, its output shown indented and kept. */
function ops(script: string, args: string[], env: Record<string, string>): Promise<Timed> {
  const start = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(fromRoot('node_modules/.bin/tsx'), [fromRoot('ops', script), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const show = (d: Buffer) => {
      out += String(d)
      process.stdout.write(String(d).replace(/^(?=.)/gm, '    │ '))
    }
    child.stdout.on('data', show)
    child.stderr.on('data', show)
    child.on('error', reject)
    child.on('exit', (code) => {
      const seconds = (performance.now() - start) / 1000
      if (code === 0) resolve({ seconds, out })
      else reject(new Error(`ops/${script} exited with ${code}`))
    })
  })
}

/** The seconds one step of an ops script's output took (`✓ restic backup (12 s): …`). */
const stepSeconds = (out: string, name: string): number => {
  const m = new RegExp(`✓ ${name} \\(([\\d.]+) s\\)`).exec(out)
  return m ? Number(m[1]) : NaN
}

/** A 16 kHz mono 16-bit WAV of `bytes` in all, white noise: incompressible like real audio. */
async function writeNoiseWav(file: string, bytes: number): Promise<string> {
  const data = bytes - 44
  const header = Buffer.alloc(44)
  header.write('RIFF', 0)
  header.writeUInt32LE(36 + data, 4)
  header.write('WAVEfmt ', 8)
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(16_000, 24)
  header.writeUInt32LE(32_000, 28)
  header.writeUInt16LE(2, 32)
  header.writeUInt16LE(16, 34)
  header.write('data', 36)
  header.writeUInt32LE(data, 40)
  const hash = createHash('sha256')
  const out = createWriteStream(file)
  const write = (b: Buffer) =>
    new Promise<void>((resolve, reject) => out.write(b, (e) => (e ? reject(e) : resolve())))
  hash.update(header)
  await write(header)
  for (let left = data; left > 0;) {
    const chunk = randomBytes(Math.min(left, 1 << 20))
    hash.update(chunk)
    await write(chunk)
    left -= chunk.length
  }
  await new Promise<void>((resolve, reject) =>
    out.end((e?: Error | null) => (e ? reject(e) : resolve()))
  )
  return hash.digest('hex')
}

type BenchFile = { id: string; path: string; size: number; sha256: string }

/** Files of 1-10 MB (whole seconds of audio) until `total` bytes, written under `dir/<xx>/`. */
async function makeFiles(dir: string, total: number): Promise<BenchFile[]> {
  const files: BenchFile[] = []
  let left = total
  while (left > 0) {
    let size = Math.min(left, Math.round((1 + Math.random() * 9) * MB))
    if (left - size < MB) size = left // no runt file at the end
    const id = randomUUID()
    const rel = `${id.slice(0, 2)}/${id}.wav`
    await fs.mkdirp(path.join(dir, id.slice(0, 2)))
    files.push({ id, path: rel, size, sha256: await writeNoiseWav(path.join(dir, rel), size) })
    left -= size
  }
  return files
}

/** Copies `dir` into the audio volume (owned by the API's uid) and registers every file. */
async function loadIntoStack(
  project: string,
  dir: string,
  files: BenchFile[],
  userId: string
): Promise<void> {
  await q`docker run --rm --network none -v ${project}_audio:/data/audio -v ${dir}:/in:ro ${BASE_IMAGE} sh -c ${'cp -a /in/. /data/audio/ && chown -R 1000:1000 /data/audio'}`
  // Registered as recordings the way an upload leaves them (no job: nothing transcribes noise).
  const rows = files
    .map((f) =>
      [
        f.id,
        userId,
        'failed',
        'benchmark audio (noise), not transcribed',
        'soap',
        'en',
        'bench.wav',
        'audio/wav',
        f.size,
        f.sha256,
        f.path,
      ].join('\t')
    )
    .join('\n')
  const copy = `COPY recordings (id, user_id, status, reason, template, language, filename, media_type, size_bytes, sha256, audio_path) FROM stdin;\n${rows}\n\\.\n`
  await q({
    input: copy,
  })`docker exec -i ${project}-postgres-1 psql -U scribe -d scribe -v ON_ERROR_STOP=1 -q`
}

/**
 * The baseline a backup is held to: a plain copy of the same files on the same disk, `tar` into
 * a file and then fsync of it (what "copy the data somewhere safe" costs at the least).
 */
async function copyVolume(
  project: string,
  dir: string
): Promise<{ seconds: number; bytes: number }> {
  await fs.mkdirp(dir)
  const script = `set -eu; s=$(date +%s.%N); tar -cf /out/copy.tar -C /data .; sync /out/copy.tar; e=$(date +%s.%N); echo "$(stat -c %s /out/copy.tar) $s $e"; rm /out/copy.tar`
  const out =
    await q`docker run --rm --network none -v ${project}_audio:/data:ro -v ${dir}:/out ${BASE_IMAGE} bash -c ${script}`
  const [n, s, e] = out.stdout.trim().split(' ').map(Number)
  return { seconds: e! - s!, bytes: n! }
}

/** tar of the audio volume into a pipe (GNU tar skips reading when it writes to /dev/null). */
async function tarVolume(project: string): Promise<{ seconds: number; bytes: number }> {
  const script = `s=$(date +%s.%N); n=$(tar -cf - -C /data . | wc -c); e=$(date +%s.%N); echo "$n $s $e"`
  const out =
    await q`docker run --rm --network none -v ${project}_audio:/data:ro ${BASE_IMAGE} sh -c ${script}`
  const [n, s, e] = out.stdout.trim().split(' ').map(Number)
  return { seconds: e! - s!, bytes: n! }
}

async function repoBytes(env: Record<string, string>): Promise<number> {
  const out = await $({
    quiet: true,
    env: { ...process.env, ...env },
  })`restic stats --json --mode raw-data`
  return (JSON.parse(out.stdout) as { total_size: number }).total_size
}

if (isMainModule(import.meta.filename)) {
  await runScript(async () => {
    const flags = parseArgs({
      usage: USAGE,
      boolean: ['keep'],
      string: ['size-mb'],
      shape: {
        keep: z.boolean().default(false),
        'size-mb': z.coerce.number().int().min(20).max(100_000).default(1000),
      },
    })
    const total = flags['size-mb'] * MB
    const scratch = await scratchStack('bench-backup')
    const { project, httpsPort } = scratch
    const tmp = await fs.mkdtemp(path.join(tmpdir(), 'scribe-bench-backup-'))
    const stackEnv = { ...scratch.env, SCRIBE_TAG: 'local' }
    const env: Record<string, string> = {
      RESTIC_REPOSITORY: path.join(tmp, 'repo'),
      RESTIC_PASSWORD_FILE: path.join(tmp, 'restic-password'),
      COMPOSE_PROJECT_NAME: project,
      POSTGRES_PASSWORD: stackEnv.POSTGRES_PASSWORD,
      SCRIBE_TAG: 'local',
    }
    const stackArgs = composeArgs('local', { project, envFile: null })
    const compose = (args: string[]) =>
      $({ quiet: true, env: { ...process.env, ...stackEnv } })`docker ${stackArgs} ${args}`
    const email = 'bench@example.org'
    const password = randomBytes(12).toString('base64url')
    const cleanup = async () => {
      if (flags.keep) return echo(`kept: project ${project}, folder ${tmp}`)
      await compose(['down', '-v', '--timeout', '10']).nothrow()
      await fs.remove(tmp)
      await fs.remove(fromRoot('build', 'backup', project))
      await fs.remove(fromRoot('build', 'backup', `${project}.lock`))
    }
    process.once('SIGINT', () => void cleanup().then(() => process.exit(130)))
    try {
      await ensureLocalCerts(CERTS_DIR, ['localhost', '127.0.0.1'])
      const up = async () => {
        const t = performance.now()
        await compose(['up', '-d', '--wait', '--wait-timeout', '240'])
        return (performance.now() - t) / 1000
      }
      await step(
        `start the scratch stack ${project}`,
        async () => `healthy in ${formatSeconds(await up())}`
      )
      let userId = ''
      await step('an account', async () => {
        await q`docker exec -e USER_PASSWORD=${password} ${project}-api-1 node /app/user.js add ${email}`
        userId = (
          await q`docker exec ${project}-postgres-1 psql -U scribe -d scribe -At -c ${`SELECT id FROM users WHERE email = '${email}'`}`
        ).stdout.trim()
        return userId
      })
      const src = path.join(tmp, 'audio')
      let files: BenchFile[] = []
      await step(`${flags['size-mb']} MB of WAV noise into the audio volume`, async () => {
        files = await makeFiles(src, total)
        await loadIntoStack(project, src, files, userId)
        await fs.remove(src)
        return `${files.length} files of 1-10 MB, registered as recordings`
      })
      const bytes = files.reduce((a, f) => a + f.size, 0)

      let copy1 = { seconds: 0, bytes: 0 }
      await step('plain copy: tar of the audio volume into a file + fsync (baseline)', async () => {
        copy1 = await copyVolume(project, path.join(tmp, 'copy'))
        return `${formatSeconds(copy1.seconds)}, ${(copy1.bytes / MB / copy1.seconds).toFixed(0)} MB/s`
      })
      let tar1 = { seconds: 0, bytes: 0 }
      await step('tar of the audio volume to a pipe (page cache)', async () => {
        tar1 = await tarVolume(project)
        return `${formatSeconds(tar1.seconds)}, ${(tar1.bytes / MB / tar1.seconds).toFixed(0)} MB/s`
      })

      let first: Timed = { seconds: 0, out: '' }
      let firstStored = 0
      await step('first backup (make backup)', async () => {
        first = await ops('backup.ts', [], env)
        firstStored = await repoBytes(env)
        return formatSeconds(first.seconds)
      })

      let incr: Timed = { seconds: 0, out: '' }
      let added: BenchFile[] = []
      let incrStored = 0
      await step('incremental backup after 1 % new files', async () => {
        const more = path.join(tmp, 'more')
        added = await makeFiles(more, Math.round(total / 100))
        await loadIntoStack(project, more, added, userId)
        await fs.remove(more)
        incr = await ops('backup.ts', [], env)
        incrStored = (await repoBytes(env)) - firstStored
        return `${added.length} new files; ${formatSeconds(incr.seconds)}`
      })
      const allBytes = bytes + added.reduce((a, f) => a + f.size, 0)

      let resticRestore = 0
      await step('restic restore of the newest snapshot into a folder', async () => {
        const t = performance.now()
        await $({
          quiet: true,
          env: { ...process.env, ...env },
        })`restic restore latest --target ${path.join(tmp, 'restored')}`
        resticRestore = (performance.now() - t) / 1000
        await fs.remove(path.join(tmp, 'restored'))
        return formatSeconds(resticRestore)
      })

      let verify: Timed = { seconds: 0, out: '' }
      await step('make backup-verify', async () => {
        verify = await ops('backup-verify.ts', ['--project', project], env)
        return formatSeconds(verify.seconds)
      })

      let emptyUp = 0
      await step('destroy the volumes and the database, start an empty stack', async () => {
        await compose(['down', '-v', '--timeout', '20'])
        emptyUp = await up()
        return `empty stack healthy in ${formatSeconds(emptyUp)}`
      })

      let restore: Timed = { seconds: 0, out: '' }
      let rto = 0
      await step('make restore ARGS=--yes, then a restored file through the edge', async () => {
        const t = performance.now()
        restore = await ops('restore.ts', ['--yes'], env)
        const dispatcher = new Agent({
          connect: { ca: await fs.readFile(localCertPaths(CERTS_DIR).caCert) },
        })
        const base = `https://localhost:${httpsPort}`
        const probe = added[0]!
        // The restore returns once the API is healthy; the edge must route to it too.
        for (;;) {
          const live = await fetch(`${base}/health/live`, { dispatcher }).catch(() => undefined)
          await live?.arrayBuffer()
          if (live?.status === 200) break
          if (performance.now() - t > 300_000)
            throw new Error('the edge did not answer after the restore')
          await new Promise((r) => setTimeout(r, 250))
        }
        const login = await fetch(`${base}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
          dispatcher,
        })
        if (login.status !== 200) throw new Error(`sign-in after the restore: ${login.status}`)
        const { access_token } = (await login.json()) as { access_token: string }
        const audio = await fetch(`${base}/api/recordings/${probe.id}/audio`, {
          headers: { authorization: `Bearer ${access_token}` },
          dispatcher,
        })
        const sha = createHash('sha256')
          .update(Buffer.from(await audio.arrayBuffer()))
          .digest('hex')
        if (audio.status !== 200 || sha !== probe.sha256)
          throw new Error(
            `the restored recording ${probe.id} is not served intact (${audio.status})`
          )
        rto = (performance.now() - t) / 1000
        await dispatcher.close()
        return `RTO ${formatSeconds(rto)}`
      })

      let copy2 = { seconds: 0, bytes: 0 }
      await step('plain copy of the restored audio volume (baseline again)', async () => {
        copy2 = await copyVolume(project, path.join(tmp, 'copy'))
        return `${formatSeconds(copy2.seconds)}, ${(copy2.bytes / MB / copy2.seconds).toFixed(0)} MB/s`
      })
      let tar2 = { seconds: 0, bytes: 0 }
      await step('tar of the restored audio volume to a pipe (baseline again)', async () => {
        tar2 = await tarVolume(project)
        return `${formatSeconds(tar2.seconds)}, ${(tar2.bytes / MB / tar2.seconds).toFixed(0)} MB/s`
      })

      // The baseline: the faster of the two plain copies, over the same bytes as each measure.
      const copyRate = Math.max(copy1.bytes / copy1.seconds, copy2.bytes / copy2.seconds) / MB
      const row = (what: string, seconds: number, volume: number, extra = '') => {
        const rate = volume / MB / seconds
        return `| ${what.padEnd(50)} | ${formatSeconds(seconds).padStart(7)} | ${rate.toFixed(0).padStart(5)} MB/s | ${(rate / copyRate).toFixed(2).padStart(5)}× | ${extra}`
      }
      const resticStep = (out: string) => stepSeconds(out, 'restic backup')
      const snapId = /Restored snapshot ([0-9a-f]{8})/.exec(restore.out)?.[1] ?? '?'
      echo(`
Backup figures: ${files.length} files, ${(bytes / MB).toFixed(0)} MB of WAV noise (+${added.length} files, ${(
        (allBytes - bytes) /
        MB
      ).toFixed(
        1
      )} MB for the increment), restic ${(await q`restic version`).stdout.split(' ')[1]}, ${new Date().toISOString()}
| measure                                            |    time |  throughput | vs copy | notes
|----------------------------------------------------|---------|-------------|---------|------
${row('plain copy: tar into a file + fsync (before)', copy1.seconds, copy1.bytes)}
${row('plain copy: tar into a file + fsync (after)', copy2.seconds, copy2.bytes)}
${row('tar of the audio volume to a pipe (before)', tar1.seconds, tar1.bytes)}
${row('tar of the audio volume to a pipe (after)', tar2.seconds, tar2.bytes)}
${row('first backup, whole command', first.seconds, bytes, `dump ${formatSeconds(stepSeconds(first.out, 'database dump'))}, files ${formatSeconds(stepSeconds(first.out, 'files'))}, hash ${formatSeconds(stepSeconds(first.out, 'manifest'))}, restic ${formatSeconds(resticStep(first.out))}; stored ${(firstStored / MB).toFixed(0)} MB`)}
${row('first backup, restic backup step only', resticStep(first.out), bytes)}
${row('incremental backup (+1 %), whole command', incr.seconds, allBytes, `new bytes stored ${(incrStored / MB).toFixed(1)} MB; restic step ${formatSeconds(resticStep(incr.out))}`)}
${row('restic restore into a folder', resticRestore, allBytes)}
${row('make backup-verify (check --read-data + compare)', verify.seconds, allBytes)}
${row('make restore into the destroyed stack (RTO)', rto, allBytes, `restore+check ${formatSeconds(stepSeconds(restore.out, `restore ${snapId} and check it`))}, safety backup ${formatSeconds(stepSeconds(restore.out, 'restic backup'))} (restic step), volumes ${formatSeconds(stepSeconds(restore.out, 'restore the volumes'))}, db+compare ${formatSeconds(stepSeconds(restore.out, 'restore the database and compare with the manifest'))}, api start ${formatSeconds(stepSeconds(restore.out, 'start the api'))}; empty stack started before in ${formatSeconds(emptyUp)}`)}
(vs copy: throughput ÷ the faster plain copy's ${copyRate.toFixed(0)} MB/s; every read is from the page cache)`)
    } finally {
      await step('clean up', async () => {
        await cleanup()
        return flags.keep ? 'kept' : `${project} and ${tmp} removed`
      })
    }
  })
}
