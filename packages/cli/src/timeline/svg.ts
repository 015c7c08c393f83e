// SVG pictures of timelines, laid out by Graphviz (compiled to WebAssembly): the dot of
// render.ts in, the SVG out, ready to put inline in an HTML page. The layout engine is loaded on
// first use only, so that no other command pays for it.
import type { Graphviz } from '@hpcc-js/wasm-graphviz';
import { preferBaselineWasm } from '@kvm-rules/core';

let engine: Promise<Graphviz> | undefined;

function loadLayoutEngine(): Promise<Graphviz> {
  engine ??= import('@hpcc-js/wasm-graphviz').then(({ Graphviz }) => {
    // A report lays out a dozen small graphs: baseline code is soon enough.
    preferBaselineWasm();
    return Graphviz.load();
  });
  return engine;
}

/** Starts loading the layout engine, so that a run that will draw compiles it while it reads the tree (a failure is said when it draws). */
export function preloadLayoutEngine(): void {
  loadLayoutEngine().catch(() => undefined);
}

/**
 * The SVG of a dot graph, without the XML prolog (an <svg> element for an HTML page, or a file).
 * Graphviz numbers its own ids (graph0, edge1…) alike in every picture: `prefix` keeps them apart
 * when one page has several.
 */
export async function dotToSvg(dot: string, prefix?: string): Promise<string> {
  const svg = (await loadLayoutEngine()).dot(dot, 'svg');
  const element = svg.slice(svg.indexOf('<svg'));
  return prefix === undefined ? element : element.replace(/ id="((?:graph|clust|edge|node|a_)[\w&#;]*)"/g, ` id="${prefix}-$1"`);
}

/** Graphviz's size of an SVG, in points. */
function sizeOf(svg: string): { width: number; height: number } {
  const number = (name: string) => Number(new RegExp(`<svg[^>]*\\s${name}="([\\d.]+)pt"`).exec(svg)?.[1] ?? 0);
  return { width: number('width'), height: number('height') };
}

/** Several pictures as one SVG document, one under the other (an arch with more than one module init). */
export function stackSvgs(svgs: string[]): string {
  if (svgs.length === 1) return svgs[0] ?? '';
  let y = 0;
  let width = 0;
  const placed = svgs.map((svg) => {
    const size = sizeOf(svg);
    const at = y;
    y += size.height;
    width = Math.max(width, size.width);
    // Inside the outer picture, whose user unit is Graphviz's point, sizes are plain numbers.
    return svg.replace(/<svg width="[\d.]+pt" height="[\d.]+pt"/, `<svg x="0" y="${at}" width="${size.width}" height="${size.height}"`);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}pt" height="${y}pt" viewBox="0 0 ${width} ${y}">`,
    ...placed,
    '</svg>',
  ].join('\n');
}
