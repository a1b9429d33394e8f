import { path } from 'zx'

/** The repository root, wherever the script is started from. */
export const ROOT = path.resolve(import.meta.dirname, '../..')
export const BUILD_DIR = path.join(ROOT, 'build', 'images')
export const fromRoot = (...parts: string[]): string => path.join(ROOT, ...parts)
