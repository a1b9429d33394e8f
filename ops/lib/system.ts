import { $ } from 'zx'
import type { OpsContext } from './context.ts'
import { detail } from './step.ts'

export const isRoot = (): boolean => process.getuid?.() === 0

export async function hasCommand(name: string): Promise<boolean> {
  return (await $({ quiet: true, nothrow: true })`command -v ${name}`).ok
}

/** Root on a machine with apt-get: the only place the scripts install system packages. */
export const canAptInstall = async (): Promise<boolean> => isRoot() && hasCommand('apt-get')

/** `apt-get update` then install, quietly; the lists may be old, so always update first. */
export async function aptInstall(ctx: OpsContext, packages: string[]): Promise<void> {
  detail(`apt-get install ${packages.join(' ')}`)
  await ctx.runQuiet`apt-get update -qq`
  await ctx.runQuiet`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages}`
}
