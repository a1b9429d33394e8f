import { fs, path } from 'zx'

// What Debian's own slim images drop (debuerreotype's slimify and minimizing config), so an
// imported base is as small as the official one: 214 MB → 78 MB (DESIGN §6).
const DROPPED = ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale']
const EMPTIED = ['var/lib/apt/lists', 'var/cache/apt']
// Logs and backups of the build itself; the folders stay, apt and dpkg expect them.
const FILES_DROPPED_IN = ['var/log', 'var/log/apt', 'var/cache/debconf', 'var/lib/dpkg']
const isBuildLeftover = (folder: string, name: string): boolean =>
  folder.startsWith('var/log') || name.endsWith('-old')

const DPKG_EXCLUDES = `# Keep docs, man pages and translations out of the image, as Debian's slim images do.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
`

const APT_CLEAN = `# Delete downloaded archives after every install, as Debian's docker images do.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
`

const FILES: Record<string, string> = {
  'etc/dpkg/dpkg.cfg.d/docker': DPKG_EXCLUDES,
  'etc/dpkg/dpkg.cfg.d/docker-apt-speedup': 'force-unsafe-io\n',
  'etc/apt/apt.conf.d/docker-clean': APT_CLEAN,
  'etc/apt/apt.conf.d/docker-no-recommends':
    'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n',
  'etc/apt/apt.conf.d/docker-no-languages': 'Acquire::Languages "none";\n',
  'etc/apt/apt.conf.d/docker-gzip-indexes': 'Acquire::GzipIndexes "true";\n',
  // No service may start inside an image build (nginx's and postgresql's postinst try to).
  'usr/sbin/policy-rc.d': '#!/bin/sh\nexit 101\n',
}

/** Slims a debootstrapped tree in place; returns the files it wrote, for the log. */
export async function slimRootfs(dir: string): Promise<string[]> {
  for (const sub of DROPPED) {
    const folder = path.join(dir, sub)
    if (!(await fs.pathExists(folder))) continue
    for (const entry of await fs.readdir(folder)) {
      const copyright = path.join(folder, entry, 'copyright')
      if (sub === 'usr/share/doc' && (await fs.pathExists(copyright))) {
        for (const f of await fs.readdir(path.join(folder, entry))) {
          if (f !== 'copyright') await fs.rm(path.join(folder, entry, f), { recursive: true })
        }
      } else {
        await fs.rm(path.join(folder, entry), { recursive: true, force: true })
      }
    }
  }
  for (const sub of EMPTIED) await fs.emptyDir(path.join(dir, sub))
  for (const sub of FILES_DROPPED_IN) {
    const folder = path.join(dir, sub)
    if (!(await fs.pathExists(folder))) continue
    for (const name of await fs.readdir(folder)) {
      const file = path.join(folder, name)
      if ((await fs.lstat(file)).isFile() && isBuildLeftover(sub, name)) await fs.rm(file)
    }
  }
  await fs.mkdirp(path.join(dir, 'var/lib/apt/lists/partial'))
  await fs.mkdirp(path.join(dir, 'var/cache/apt/archives/partial'))
  for (const [file, text] of Object.entries(FILES)) {
    await fs.outputFile(path.join(dir, file), text)
  }
  await fs.chmod(path.join(dir, 'usr/sbin/policy-rc.d'), 0o755)
  return Object.keys(FILES)
}
