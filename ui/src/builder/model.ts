// The connector builder's view logic as pure functions: which of the four steps a backend
// field path belongs to, the problems and hints to show next to one field, and new variables,
// endpoints and authentication methods with their defaults. No backend rule is repeated here:
// whether a connector is sound is always the backend's answer (connector_validate).

import type {
  AuthKind,
  AuthMethod,
  Body,
  Connector,
  ConnectorDocument,
  Endpoint,
  Explanation,
  FieldProblem,
  Lint,
  OAuth1,
  Variable,
  VariableKind,
} from "../ipc";

/** The builder's four steps. */
export type Section = "details" | "variables" | "auth" | "endpoints";

export const SECTIONS: readonly { id: Section; number: number; title: string; blurb: string }[] = [
  {
    id: "details",
    number: 1,
    title: "Basic details",
    blurb: "What the connector is called and what it connects to.",
  },
  {
    id: "variables",
    number: 2,
    title: "Connector variables",
    blurb: "Values whoever installs the connector fills in: an account id, a shop's address.",
  },
  {
    id: "auth",
    number: 3,
    title: "Authentication",
    blurb: "How calls are signed: OAuth 1.0a (the ten steps), an API key, Basic, or none.",
  },
  {
    id: "endpoints",
    number: 4,
    title: "Endpoints",
    blurb: "The calls the connector makes, each sent and answered right here.",
  },
];

/** The step a backend field path (`auth_methods[0].realm`, `values.account`) belongs to. */
export function sectionOf(field: string): Section {
  if (field.startsWith("details")) return "details";
  if (field.startsWith("variables") || field.startsWith("values.")) return "variables";
  if (field.startsWith("endpoints") || field.startsWith("inputs.") || field === "endpoint") {
    return "endpoints";
  }
  if (field.startsWith("secrets.")) return "variables";
  return "auth";
}

/** Whether `field` is `path` or lies under it (`path.x`, `path[2]`). */
export function under(field: string, path: string): boolean {
  return field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`);
}

/** The messages for one field (and everything under it when `deep`). */
export function messagesAt(
  problems: readonly FieldProblem[],
  path: string,
  deep = false,
): string[] {
  return problems
    .filter((p) => (deep ? under(p.field, path) : p.field === path))
    .map((p) => p.message);
}

/** How many problems each step has. */
export function countBySection(problems: readonly FieldProblem[]): Record<Section, number> {
  const out: Record<Section, number> = { details: 0, variables: 0, auth: 0, endpoints: 0 };
  for (const p of problems) out[sectionOf(p.field)] += 1;
  return out;
}

/** The lints under a path, most severe first. */
export function lintsAt(lints: readonly Lint[], path: string, deep = false): Lint[] {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return lints
    .filter((l) => (deep ? under(l.field, path) : l.field === path))
    .sort((a, b) => rank[a.severity] - rank[b.severity]);
}

/** The preset's explanations for a path. */
export function whyAt(
  explanations: readonly Explanation[],
  path: string,
  deep = false,
): Explanation[] {
  return explanations.filter((e) => (deep ? under(e.field, path) : e.field === path));
}

/** A name not yet taken: `base`, else `base_2`, `base_3`... */
export function freeName(base: string, taken: readonly string[], sep = "_"): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) {
    const name = `${base}${sep}${i}`;
    if (!taken.includes(name)) return name;
  }
}

/** A new text variable with a free name. */
export function newVariable(existing: readonly Variable[], name = "variable"): Variable {
  return {
    name: freeName(
      name,
      existing.map((v) => v.name),
    ),
    label: "",
    kind: "text",
    choices: [],
    default: null,
    example: null,
    required: true,
    help: "",
  };
}

export const VARIABLE_KINDS: readonly { value: VariableKind; label: string; help: string }[] = [
  { value: "text", label: "Text", help: "Any text." },
  { value: "secret", label: "Secret", help: "Stored encrypted, masked on screen and in traces." },
  { value: "number", label: "Number", help: "A number, such as a page size." },
  { value: "boolean", label: "Yes / no", help: "true or false." },
  { value: "choice", label: "Choice", help: "One of a list of values." },
  { value: "url", label: "Web address", help: "An http or https address." },
  {
    value: "netsuite_account",
    label: "NetSuite account id",
    help: "1234567 or 1234567-sb1: {{name}} is its host form, {{name.realm}} its realm form.",
  },
];

/** A GET endpoint with a free id. */
export function newEndpoint(existing: readonly Endpoint[], baseUrl = ""): Endpoint {
  const n = existing.length + 1;
  return {
    id: freeName(
      `endpoint-${n}`,
      existing.map((e) => e.id),
      "-",
    ),
    name: `Endpoint ${n}`,
    description: "",
    method: "GET",
    url: baseUrl,
    query: [],
    headers: [],
    body: { type: "none" },
    auth: null,
    variables: [],
    pagination: null,
    schema: null,
  };
}

/** A copy of an endpoint under a free id. */
export function duplicateEndpoint(existing: readonly Endpoint[], e: Endpoint): Endpoint {
  const copy = structuredClone(e);
  copy.id = freeName(
    `${e.id}-copy`,
    existing.map((x) => x.id),
    "-",
  );
  copy.name = `${e.name} (copy)`;
  return copy;
}

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;

export const BODY_KINDS: readonly { value: Body["type"]; label: string; signed: string }[] = [
  { value: "none", label: "No body", signed: "" },
  {
    value: "form",
    label: "Form (x-www-form-urlencoded)",
    signed: "Form fields are part of the OAuth 1.0a signature (RFC 5849 §3.4.1.3).",
  },
  {
    value: "json",
    label: "JSON",
    signed:
      "A JSON body is not signed; turn on the body hash in the authentication method to cover it (oauth_body_hash).",
  },
  {
    value: "xml",
    label: "XML",
    signed: "An XML body is not signed; the body hash covers it when the method asks for one.",
  },
  {
    value: "text",
    label: "Other text",
    signed: "A raw body is not signed; the body hash covers it when the method asks for one.",
  },
];

/** The same body in another kind, keeping what can be kept. */
export function bodyAs(body: Body, type: Body["type"]): Body {
  const text = "text" in body ? body.text : "";
  switch (type) {
    case "none":
      return { type: "none" };
    case "form":
      return { type: "form", fields: body.type === "form" ? body.fields : [] };
    case "json":
      return { type: "json", text };
    case "xml":
      return { type: "xml", text };
    case "text":
      return {
        type: "text",
        content_type: body.type === "text" ? body.content_type : "text/plain",
        text,
      };
  }
}

/** OAuth 1.0a with the usual defaults (the backend's `OAuth1::three_legged`). */
export function defaultOAuth1(): OAuth1 {
  return {
    mode: "three_legged",
    signature_method: "HMAC-SHA1",
    placement: "header",
    include_version: true,
    body_hash: false,
    include_empty: false,
    realm: null,
    request_token: { url: "", method: "POST" },
    authorize_url: "",
    access_token: { url: "", method: "POST" },
    callback: {
      mode: "deep_link",
      loopback_port: 0,
      loopback_path: "/callback",
      oob_url: null,
      bind_to_run: true,
    },
    authorize_params: [],
    callback_on_authorize_url: false,
    require_callback_confirmed: true,
    consumer_key_as_token: false,
    token_fields: [],
    test_endpoint: null,
  };
}

export const AUTH_KINDS: readonly {
  value: AuthKind["type"];
  label: string;
  id: string;
  help: string;
}[] = [
  {
    value: "oauth1",
    label: "OAuth 1.0a",
    id: "oauth1",
    help: "The ten steps: a person approves access at the provider, and every call is signed.",
  },
  {
    value: "api_key",
    label: "API key or token",
    id: "api-key",
    help: "A key in a header or a query parameter, taken from a secret variable.",
  },
  {
    value: "basic",
    label: "Basic",
    id: "basic",
    help: "A user name and password in the Authorization header.",
  },
  {
    value: "none",
    label: "No authentication",
    id: "none",
    help: "For an API's public endpoints.",
  },
];

/** A new authentication method of `type`, with a free id. */
export function newAuthMethod(existing: readonly AuthMethod[], type: AuthKind["type"]): AuthMethod {
  const kind = AUTH_KINDS.find((k) => k.value === type) ?? AUTH_KINDS[0];
  const id = freeName(
    kind.id,
    existing.map((m) => m.id),
    "-",
  );
  const options = { query: [], headers: [], body: [] };
  switch (type) {
    case "oauth1":
      return { id, name: kind.label, kind: { type: "oauth1", ...defaultOAuth1() }, options };
    case "api_key":
      return {
        id,
        name: kind.label,
        kind: { type: "api_key", name: "X-Api-Key", value: "{{api_key}}", placement: "header" },
        options,
      };
    case "basic":
      return {
        id,
        name: kind.label,
        kind: { type: "basic", username: "{{username}}", password: "{{password}}" },
        options,
      };
    case "none":
      return { id, name: kind.label, kind: { type: "none" }, options };
  }
}

/** The connector's OAuth 1.0a method, if it has one. */
export function oauth1Of(c: Connector): { index: number; method: AuthMethod; o: OAuth1 } | null {
  const index = c.auth_methods.findIndex((m) => m.kind.type === "oauth1");
  if (index < 0) return null;
  const method = c.auth_methods[index];
  return method.kind.type === "oauth1" ? { index, method, o: method.kind } : null;
}

/** The method an endpoint uses: its own, else the connector's first. */
export function methodOf(c: Connector, e: Endpoint): AuthMethod | null {
  if (e.auth !== null) return c.auth_methods.find((m) => m.id === e.auth) ?? null;
  return c.auth_methods[0] ?? null;
}

/** The variables an OAuth 1.0a method makes available to endpoints once connected. */
export function authVariables(o: OAuth1, extra: readonly [string, string][] = []): string[] {
  const names = ["oauth_token", ...o.token_fields];
  for (const [k] of extra) if (!names.includes(k)) names.push(k);
  return names;
}

/** A deep copy of a document, safe to send (Svelte's proxies removed). */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Whether two documents are the same (to know whether there are unsaved changes). */
export function sameDocument(a: ConnectorDocument | null, b: ConnectorDocument | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `name=value` lines, as typed, to parameters (a line without `=` is a name with no value). */
export function parseLines(text: string): { name: string; value: string }[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const i = l.indexOf("=");
      return i < 0
        ? { name: l.trim(), value: "" }
        : { name: l.slice(0, i).trim(), value: l.slice(i + 1).trim() };
    });
}

/** Parameters as `name=value` lines. */
export function toLines(params: readonly { name: string; value: string }[]): string {
  return params.map((p) => `${p.name}=${p.value}`).join("\n");
}
