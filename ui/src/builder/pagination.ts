// The pagination section's view logic: each method named and explained with an example, a new
// setting for a method with the defaults the form starts from, switching a setting to another
// method, and a walk's pages as the page list shows them. Whether a setting is sound is the
// backend's answer (connector_validate names each field); why a walk ended is the backend's
// words (PagesResult.stop_message).

import type { PageMethod, PageRecord, PagesProgressEvent, Pagination, ValueSource } from "../ipc";

export type PageMethodType = PageMethod["type"];

export interface MethodInfo {
  value: PageMethodType;
  label: string;
  /** What it does, in plain words. */
  explain: string;
  /** What it looks like on the wire. */
  example: string;
  /** Whether the setting asks for a page size (the short-page rule compares with it). */
  sized: boolean;
}

export const PAGE_METHODS: readonly MethodInfo[] = [
  {
    value: "limit_offset",
    label: "Limit and offset",
    explain:
      "Each page asks for a number of items from an offset; the next offset is this one plus the items that came.",
    example: "GET /orders?limit=50&offset=0, then offset=50, offset=100, …",
    sized: true,
  },
  {
    value: "page_number",
    label: "Page number",
    explain: "Each page is asked for by its number, optionally with a page size.",
    example: "GET /orders?page=1&per_page=50, then page=2, page=3, …",
    sized: true,
  },
  {
    value: "next_token",
    label: "Next-page token (cursor)",
    explain:
      "Each answer names the next page's cursor, in its body or a header; it goes back as a parameter of the next request, and is signed as sent.",
    example:
      'page 1 answers {"items": […], "meta": {"next_cursor": "b3Jk…"}} → GET /orders?cursor=b3Jk…',
    sized: false,
  },
  {
    value: "next_url",
    label: "Next-page URL",
    explain:
      "Each answer gives the whole address of the next page. Signet signs and sends it as given (its oauth_* parameters left out: the signature adds its own), on the endpoint's site only.",
    example: 'page 1 answers {"next": "https://api.example.com/orders?page_info=abc"}',
    sized: false,
  },
  {
    value: "link_header",
    label: "Link header",
    explain:
      'The answer\'s Link header names the next page with rel="next" (RFC 8288), as GitHub and Shopify do.',
    example: 'Link: <https://api.example.com/orders?page=2>; rel="next"',
    sized: false,
  },
  {
    value: "relative_uri",
    label: "Relative next address",
    explain:
      "Each answer gives the next page's path and query; Signet sends it on the endpoint's site.",
    example: 'page 1 answers {"paging": {"next": "/orders?offset=50&limit=50"}}',
    sized: false,
  },
  {
    value: "graphql_cursor",
    label: "GraphQL cursor",
    explain:
      "The answer's pageInfo says whether there is a next page and its endCursor, which goes into the body's variables. Needs a JSON body with the query.",
    example:
      '{"data": {"orders": {"nodes": […], "pageInfo": {"hasNextPage": true, "endCursor": "Y3Vy"}}}} → "variables": {"after": "Y3Vy"}',
    sized: true,
  },
];

/** The method's description. */
export function methodInfo(type: PageMethodType): MethodInfo {
  return PAGE_METHODS.find((m) => m.value === type) ?? PAGE_METHODS[0];
}

const body = (path: string): ValueSource => ({ from: "body", path });

/** A method's setting as the form starts it. */
export function defaultMethod(type: PageMethodType): PageMethod {
  switch (type) {
    case "limit_offset":
      return { type, limit_param: "limit", offset_param: "offset", limit: 50, start: 0 };
    case "page_number":
      return { type, page_param: "page", first_page: 1, size_param: "per_page", size: 50 };
    case "next_token":
      return { type, cursor: body("/meta/next_cursor"), param: "cursor", place: "query" };
    case "next_url":
      return { type, next: body("/next") };
    case "link_header":
      return { type };
    case "relative_uri":
      return { type, next: body("/paging/next") };
    case "graphql_cursor":
      return {
        type,
        page_info: "/data/items/pageInfo",
        variable: "after",
        size_variable: "first",
        size: 50,
      };
  }
}

/** A new setting with the protecting defaults: at most 100 pages and 10,000 items. */
export function newPagination(type: PageMethodType): Pagination {
  return {
    method: defaultMethod(type),
    items: type === "graphql_cursor" ? "/data/items/nodes" : "",
    stop: { empty_page: true, short_page: true, total: null },
    limits: { max_pages: 100, max_items: 10000 },
  };
}

/** The setting switched to another method: the items path, stop rules and limits stay. */
export function switchMethod(p: Pagination, type: PageMethodType): Pagination {
  if (p.method.type === type) return p;
  const fresh = newPagination(type);
  return {
    ...p,
    method: fresh.method,
    items: type === "graphql_cursor" && p.items === "" ? fresh.items : p.items,
  };
}

/** A value source switched between the body and a header. */
export function sourceAs(s: ValueSource, from: ValueSource["from"]): ValueSource {
  if (s.from === from) return s;
  return from === "body" ? { from, path: "" } : { from, name: "" };
}

/** One row of the page list: what a page event or a finished page says. */
export interface PageRow {
  number: number;
  status: number | null;
  durationMs: number | null;
  items: number;
  attempts: number;
}

export function rowOfEvent(e: PagesProgressEvent): PageRow {
  return {
    number: e.number,
    status: e.status,
    durationMs: e.duration_ms,
    items: e.items,
    attempts: e.attempts,
  };
}

export function rowOfPage(p: PageRecord): PageRow {
  return {
    number: p.number,
    status: p.call.response?.status ?? null,
    durationMs: p.call.duration_ms,
    items: p.items,
    attempts: p.attempts,
  };
}

/** "200", "500 (sent twice)", "no answer". */
export function statusText(r: PageRow): string {
  const s = r.status === null ? "no answer" : String(r.status);
  return r.attempts > 1 ? `${s} (sent twice)` : s;
}

/** An item on one line, cut to `max` characters. */
export function oneLine(item: unknown, max = 240): string {
  const text = JSON.stringify(item) ?? "null";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The rows a scrolled list shows: from the first visible one, with `overscan` either side. */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
  overscan = 10,
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(0, viewport) / rowHeight);
  return {
    start: Math.min(count, Math.max(0, first - overscan)),
    end: Math.min(count, first + shown + overscan),
  };
}

/** A count with thousands grouped, the same on every machine: 1,234. */
export function count(n: number): string {
  return Math.trunc(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
