/**
 * Bar charts as inline SVG, drawn from data the page also shows as a table (the table is the
 * accessible form; the chart is labelled and hidden from screen readers' reading order).
 */
const SVG = 'http://www.w3.org/2000/svg';

export interface Bar {
  readonly label: string;
  readonly values: readonly number[];
}

function node<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** Bars side by side per label, one colour class per series (`series-0`, `series-1`, …). */
export function barChart(title: string, bars: readonly Bar[], series: readonly string[]): SVGSVGElement {
  const width = Math.max(320, bars.length * 48 + 60);
  const height = 220;
  const plot = { left: 40, right: width - 10, top: 10, bottom: height - 60 };
  const max = Math.max(1, ...bars.flatMap((bar) => bar.values));
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': title });
  const heading = node('title', {});
  heading.textContent = title;
  svg.append(heading);
  svg.append(node('line', { x1: plot.left, y1: plot.bottom, x2: plot.right, y2: plot.bottom, class: 'axis' }));
  const maxLabel = node('text', { x: plot.left - 6, y: plot.top + 10, 'text-anchor': 'end', class: 'tick' });
  maxLabel.textContent = String(max);
  svg.append(maxLabel);
  const slot = (plot.right - plot.left) / Math.max(1, bars.length);
  const barWidth = Math.max(4, (slot - 8) / Math.max(1, series.length));
  bars.forEach((bar, index) => {
    bar.values.forEach((value, s) => {
      const barHeight = ((plot.bottom - plot.top) * value) / max;
      const rect = node('rect', {
        x: plot.left + index * slot + 4 + s * barWidth,
        y: plot.bottom - barHeight,
        width: barWidth,
        height: barHeight,
        class: `series-${s}`,
      });
      const tip = node('title', {});
      tip.textContent = `${bar.label}: ${value} ${series[s] ?? ''}`;
      rect.append(tip);
      svg.append(rect);
    });
    const label = node('text', {
      x: plot.left + index * slot + slot / 2,
      y: plot.bottom + 14,
      'text-anchor': 'end',
      transform: `rotate(-35 ${plot.left + index * slot + slot / 2} ${plot.bottom + 14})`,
      class: 'tick',
    });
    label.textContent = bar.label;
    svg.append(label);
  });
  return svg;
}
