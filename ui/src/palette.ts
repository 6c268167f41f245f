// The colour palette's contrast, read from app.css itself: each theme's custom properties, the
// WCAG 2 contrast ratio of the pairs the screens use, and the table ui/README.md shows.

/** One theme's colours by custom property name (`text`, `surface`, ...). */
export type Palette = Record<string, string>;

/** A foreground the screens put on a background, and the ratio it needs. */
export interface Pair {
  fg: string;
  bg: string;
  /** 4.5 for text, 3 for the parts of controls (edges, focus ring). */
  min: number;
  what: string;
}

const TEXT = 4.5;
const PART = 3;

/**
 * The pairings of the palette's own colours the screens use. Tints a component mixes itself
 * (`color-mix`) are left to axe-core in the end-to-end tests, which measures what is drawn.
 */
export const PAIRS: readonly Pair[] = [
  ...["bg", "surface", "surface-2", "code-bg"].map((bg) => ({
    fg: "text",
    bg,
    min: TEXT,
    what: "text",
  })),
  ...["bg", "surface", "surface-2"].map((bg) => ({
    fg: "muted",
    bg,
    min: TEXT,
    what: "secondary text",
  })),
  { fg: "accent", bg: "surface", min: TEXT, what: "links, selected tabs" },
  { fg: "accent", bg: "accent-soft", min: TEXT, what: "text on a selected item" },
  { fg: "accent-text", bg: "accent", min: TEXT, what: "primary buttons" },
  { fg: "ok", bg: "surface", min: TEXT, what: "success" },
  { fg: "ok", bg: "ok-soft", min: TEXT, what: "success badge" },
  { fg: "warn", bg: "surface", min: TEXT, what: "warning" },
  { fg: "warn-text", bg: "surface", min: TEXT, what: "warning words" },
  { fg: "warn-text", bg: "surface-2", min: TEXT, what: "warning words on a tint" },
  { fg: "bad", bg: "surface", min: TEXT, what: "failure" },
  { fg: "bad", bg: "bad-soft", min: TEXT, what: "failure badge" },
  { fg: "active", bg: "surface", min: TEXT, what: "in progress" },
  { fg: "active", bg: "active-soft", min: TEXT, what: "in-progress badge" },
  { fg: "user", bg: "surface", min: TEXT, what: "actor: you" },
  { fg: "signet", bg: "surface", min: TEXT, what: "actor: Signet" },
  { fg: "provider", bg: "surface", min: TEXT, what: "actor: the provider" },
  ...["bg", "surface", "surface-2"].map((bg) => ({
    fg: "control-border",
    bg,
    min: PART,
    what: "edges of fields and buttons",
  })),
  ...["bg", "surface", "surface-2", "accent-soft"].map((bg) => ({
    fg: "focus",
    bg,
    min: PART,
    what: "focus ring",
  })),
];

/** The custom properties (`--name: #rrggbb;`) declared in the first block opened by `selector`. */
function declared(css: string, selector: string): Palette {
  const start = css.indexOf(selector);
  if (start < 0) throw new Error(`app.css has no ${selector} block`);
  const body = css.slice(start, css.indexOf("}", start));
  const out: Palette = {};
  for (const m of body.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\b/g)) out[m[1]] = m[2];
  return out;
}

/**
 * The light theme (`:root`) and the dark one as chosen in the app (`:root[data-theme="dark"]`
 * over the light one); the dark theme the system asks for must declare the same colours.
 */
export function themes(css: string): { light: Palette; dark: Palette; systemDark: Palette } {
  const light = declared(css, ":root {");
  const dark = { ...light, ...declared(css, ':root[data-theme="dark"] {') };
  const systemDark = { ...light, ...declared(css, ':root:not([data-theme="light"]) {') };
  return { light, dark, systemDark };
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** The ratio of a pair in a theme; throws when the theme lacks one of its colours. */
export function ratio(p: Palette, pair: Pair): number {
  const fg = p[pair.fg];
  const bg = p[pair.bg];
  if (!fg || !bg) throw new Error(`the palette has no --${fg ? pair.bg : pair.fg}`);
  return contrast(fg, bg);
}

/** The Markdown table of every pair's ratio in both themes. */
export function table(css: string): string {
  const { light, dark } = themes(css);
  const rows = PAIRS.map((pair) => [
    `\`--${pair.fg}\` on \`--${pair.bg}\``,
    pair.what,
    `${ratio(light, pair).toFixed(2)}:1`,
    `${ratio(dark, pair).toFixed(2)}:1`,
    `${pair.min}:1`,
  ]);
  const head = ["colours", "used for", "light", "dark", "needs"];
  return [head, head.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}
