// A small 24-hour chart for a Status tile, drawn by uPlot on a canvas. The canvas is decoration
// for sighted users: the figure's text alternative says the range, the latest value and the
// threshold, so a screen reader hears the same story.
import { useEffect, useRef } from 'react'
import type uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

const canDraw = () => {
  try {
    return typeof window !== 'undefined' && !!document.createElement('canvas').getContext('2d')
  } catch {
    return false
  }
}

export function Sparkline({
  timestamps,
  values,
  threshold,
  label,
  state,
}: {
  timestamps: number[]
  values: (number | null)[]
  threshold: number | null
  label: string
  state: string
}) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = box.current
    // uPlot reads window.matchMedia as it loads: loaded here, only where a canvas can draw.
    if (!el || !canDraw() || timestamps.length === 0) return
    // Only the samples there are, joined: a monitor started minutes ago has a handful at the
    // end of the range and none before, and a gap in scraping should not break the line into
    // dots. One sample is not a line yet: the tile says so instead (below).
    const xs: number[] = []
    const ys: number[] = []
    values.forEach((v, i) => {
      if (v !== null && timestamps[i] !== undefined) {
        xs.push(timestamps[i])
        ys.push(v)
      }
    })
    if (xs.length < 2) return
    let plot: uPlot | undefined
    let resize: ResizeObserver | undefined
    let gone = false
    const colour = state === 'critical' ? '#a3231a' : state === 'warning' ? '#8a6100' : '#0f5f5c'
    const series: uPlot.Series[] = [{}, { stroke: colour, width: 1.5, points: { show: false } }]
    const data: uPlot.AlignedData = [xs, ys]
    if (threshold !== null) {
      series.push({ stroke: '#4f5d5c', width: 1, dash: [4, 4], points: { show: false } })
      data.push(xs.map(() => threshold))
    }
    const width = () => Math.max(120, Math.floor(el.clientWidth || 240))
    void import('uplot').then(({ default: UPlot }) => {
      if (gone) return
      plot = new UPlot(
        {
          width: width(),
          height: 64,
          legend: { show: false },
          cursor: { show: false },
          select: { show: false, left: 0, top: 0, width: 0, height: 0 },
          axes: [{ show: false }, { show: false }],
          scales: { x: { time: true } },
          series,
        },
        data,
        el
      )
      resize = new ResizeObserver(() => plot?.setSize({ width: width(), height: 64 }))
      resize.observe(el)
    })
    return () => {
      gone = true
      resize?.disconnect()
      plot?.destroy()
    }
  }, [timestamps, values, threshold, state])
  const samples = values.filter((v) => v !== null).length
  return (
    <div ref={box} className="sparkline" role="img" aria-label={label}>
      {samples < 2 && <span className="sparkline-empty">chart after a few samples</span>}
    </div>
  )
}
