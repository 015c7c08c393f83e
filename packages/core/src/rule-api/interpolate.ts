/** Fills `{{ name }}` placeholders the way ESLint does; unknown names are left as written. */
export function interpolate(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (whole, name: string) => (Object.hasOwn(data, name) ? String(data[name]) : whole));
}
