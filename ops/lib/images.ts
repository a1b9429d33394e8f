// The single place where the base image and the image names live (STYLE 9): a bump is one line.
import { processSetting } from './env.ts'

/** Every image of the stack is built FROM this (passed to the Dockerfiles as BASE_IMAGE). */
export const BASE_IMAGE = 'debian:trixie-slim'
/** The Debian suite of BASE_IMAGE, for debootstrap when the image cannot be pulled. */
export const BASE_SUITE = 'trixie'
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian'

export const IMAGE_NAMES = ['api', 'edge', 'postgres', 'stt'] as const
export type ImageName = (typeof IMAGE_NAMES)[number]

// SCRIBE_TAG lets parallel work trees build and test their own images side by side.
export const DEFAULT_TAG = processSetting('SCRIBE_TAG') ?? 'local'
export const imageRef = (name: ImageName, tag: string = DEFAULT_TAG): string =>
  `medic-scribe/${name}:${tag}`
