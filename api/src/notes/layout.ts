import { SECTION_NAMES } from '../contract/names.ts'
import type { Layout, SoapNote } from '../contract/soap-note.ts'

const SOAP_TITLES = ['Subjective', 'Objective', 'Assessment', 'Plan']

/** SOAP's four sections: the layout of every note written before templates were data. */
export const SOAP_LAYOUT: Layout = SECTION_NAMES.map((key, i) => ({ key, title: SOAP_TITLES[i]! }))

/** A note's sections in order, with their titles. */
export const layoutOf = (note: Pick<SoapNote, 'layout'>): Layout => note.layout ?? SOAP_LAYOUT
