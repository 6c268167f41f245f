// Step 1 as data: the empty draft, the choices with their trade-offs in plain words, and a
// client-side mirror of FlowConfig::validate so problems show while typing. The backend's
// `connector_validate` stays the judge; both use the same field paths.

import type {
  CallbackMode,
  ConnectorDraft,
  FieldProblem,
  FlowMode,
  Placement,
  SignatureMethod,
  StoredSecrets,
} from "../ipc";

export const SIGNATURE_METHODS: readonly SignatureMethod[] = [
  "HMAC-SHA1",
  "HMAC-SHA256",
  "HMAC-SHA512",
  "RSA-SHA1",
  "RSA-SHA256",
  "RSA-SHA512",
  "PLAINTEXT",
];

export const PLACEMENTS: readonly { value: Placement; label: string; help: string }[] = [
  {
    value: "header",
    label: "Authorization header",
    help: "The usual choice: the OAuth details travel in a header, out of the address.",
  },
  {
    value: "query",
    label: "Query string",
    help: "In the address itself. Some older APIs want this; addresses end up in logs.",
  },
  {
    value: "body",
    label: "Form body",
    help: "In the request body. Only works for form posts.",
  },
];

export interface CallbackChoice {
  value: CallbackMode;
  label: string;
  summary: string;
  pros: string;
  cons: string;
}

/** The three ways back to Signet, with their trade-offs. */
export const CALLBACK_MODES: readonly CallbackChoice[] = [
  {
    value: "deep_link",
    label: "Deep link (signet://callback)",
    summary: "The browser hands the answer straight back to the app.",
    pros: "Smooth: no typing, works with any port or firewall.",
    cons: "The provider must accept a custom scheme as callback; some only allow https.",
  },
  {
    value: "loopback",
    label: "Loopback (http://127.0.0.1)",
    summary: "Signet listens on your own computer for the browser's redirect.",
    pros: "Accepted by most providers that allow http://localhost callbacks.",
    cons: "Needs a free local port; the registered callback must match it.",
  },
  {
    value: "oob",
    label: "PIN (out of band)",
    summary: "The provider shows a code and you type it into Signet.",
    pros: "Works everywhere, even when no callback can be registered.",
    cons: "One more manual step; the code expires quickly.",
  },
];

export const FLOW_MODES: readonly { value: FlowMode; label: string; help: string }[] = [
  {
    value: "three_legged",
    label: "Three-legged (the full dance)",
    help: "A person approves access at the provider. This is what the ten steps show.",
  },
  {
    value: "one_legged",
    label: "One-legged (app only)",
    help: "No user: only the app's own key signs calls to the API.",
  },
  {
    value: "pre_issued_token",
    label: "Pre-issued token",
    help: "The provider gave you an access token already (NetSuite and similar).",
  },
];

/** What each field is for, in plain words (the form's help text). */
export const FIELD_HELP: Record<string, string> = {
  name: "Any name you will recognise later.",
  consumer_key: "Identifies your app to the provider. Find it on the provider's developer page.",
  key: "Proves it is really your app. Keep it private: Signet stores it encrypted.",
  "endpoints.request_token.url": "Where Signet asks for a temporary request token (step 3).",
  "endpoints.authorize_url": "The provider's page where the user says yes or no (step 6).",
  "endpoints.access_token.url":
    "Where Signet trades the request token for an access token (step 8).",
  "callback.url": "How the provider sends the user back to Signet (step 7).",
  "resource.url": "An API address to call at the end, to prove the connection works (step 10).",
  realm: "Rarely needed: only if the provider's documentation asks for a realm.",
};

export function isRsa(m: SignatureMethod): boolean {
  return m.startsWith("RSA-");
}

/** A blank step 1. */
export function emptyDraft(): ConnectorDraft {
  return {
    id: null,
    name: "",
    preset: null,
    mode: "three_legged",
    consumer_key: "",
    consumer_secret: "",
    rsa_private_key_pem: null,
    signature_method: "HMAC-SHA1",
    placement: "header",
    realm: null,
    include_version: true,
    endpoints: {
      request_token: { url: "", method: "POST" },
      authorize_url: "",
      access_token: { url: "", method: "POST" },
    },
    callback: { mode: "deep_link", loopback_port: 0, loopback_path: "/callback", oob_url: null },
    authorize_params: [],
    resource: null,
    token: null,
  };
}

/** The `oauth_callback` value a draft sends. */
export function callbackUrl(d: ConnectorDraft): string {
  switch (d.callback.mode) {
    case "deep_link":
      return "signet://callback";
    case "loopback": {
      const path = d.callback.loopback_path.startsWith("/")
        ? d.callback.loopback_path
        : `/${d.callback.loopback_path}`;
      const port = d.callback.loopback_port === 0 ? "PORT" : String(d.callback.loopback_port);
      return `http://127.0.0.1:${port}${path}`;
    }
    case "oob":
      return d.callback.oob_url?.trim() || "oob";
  }
}

/** `null` when the URL is usable, else the end of "the X URL …". */
export function urlProblem(url: string): string | null {
  const u = url.trim();
  if (u === "") return "is empty";
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return "is not usable: it is not an absolute address (start it with https://)";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return "is not usable: only http and https addresses can be signed";
  }
  if (parsed.username || parsed.password) {
    return "is not usable: it holds a user name or password; remove them";
  }
  return null;
}

const HTTP_METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isLocal(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  } catch {
    return true; // reported elsewhere
  }
}

/**
 * Every problem with a draft, as FlowConfig::validate words them (field paths included).
 * `stored` says which secrets a saved connector already holds (a `null` secret keeps them).
 */
export function validateDraft(d: ConnectorDraft, stored?: StoredSecrets): FieldProblem[] {
  const out: FieldProblem[] = [];
  const problem = (field: string, message: string) => out.push({ field, message });
  const rsa = isRsa(d.signature_method);

  if (d.name.trim() === "") problem("name", "give the connector a name you will recognise");
  if (d.consumer_key.trim() === "") {
    problem(
      "consumer_key",
      "the consumer key is empty: copy it from the provider's developer page",
    );
  } else if (d.consumer_key.trim() !== d.consumer_key) {
    problem("consumer_key", "the consumer key starts or ends with spaces: remove them");
  }
  if (rsa) {
    const pem = d.rsa_private_key_pem;
    if (pem === null ? !stored?.rsa_private_key : pem.trim() === "") {
      problem(
        "key",
        `${d.signature_method} signs with an RSA private key: paste the private key (PEM) or pick an HMAC method`,
      );
    } else if (pem !== null && pem !== "<redacted>" && !pem.includes("PRIVATE KEY")) {
      problem(
        "key",
        "the RSA private key should be PEM text starting with -----BEGIN PRIVATE KEY-----",
      );
    }
  } else {
    const s = d.consumer_secret;
    if (s === null ? !stored?.consumer_secret : s === "") {
      problem("key", "the consumer secret is empty: copy it from the provider's developer page");
    } else if (s !== null && s.trim() !== s) {
      problem("key", "the consumer secret starts or ends with spaces: remove them");
    }
  }

  const plaintextUrls: string[] = [];
  if (d.mode === "three_legged") {
    for (const [key, what] of [
      ["request_token", "request-token URL"],
      ["access_token", "access-token URL"],
    ] as const) {
      const e = d.endpoints[key];
      if (!HTTP_METHOD.test(e.method)) {
        problem(`endpoints.${key}.method`, `"${e.method}" is not an HTTP method: use POST or GET`);
      }
      const p = urlProblem(e.url);
      if (p) problem(`endpoints.${key}.url`, `the ${what} ${p}`);
      plaintextUrls.push(e.url);
    }
    const a = urlProblem(d.endpoints.authorize_url);
    if (a) problem("endpoints.authorize_url", `the authorize URL ${a}`);
    if (d.callback.mode === "loopback") {
      const path = d.callback.loopback_path.trim();
      if (path === "" || /\s/.test(path)) {
        problem(
          "callback.url",
          "a loopback callback looks like http://127.0.0.1:8765/callback (127.0.0.1 or localhost, a port, a path)",
        );
      }
    }
    if (d.callback.mode === "oob" && d.callback.oob_url && urlProblem(d.callback.oob_url)) {
      problem(
        "callback.url",
        'with PIN entry the callback is "oob" (or the web address registered with the provider, whose final address you paste)',
      );
    }
    for (const [name] of d.authorize_params) {
      if (name.trim() === "") {
        problem("authorize_params", "an extra authorize-URL parameter has no name");
      } else if (name === "oauth_token") {
        problem(
          "authorize_params",
          "oauth_token is added to the authorize URL by Signet: remove it from the extra parameters",
        );
      }
    }
  } else if (d.mode === "one_legged") {
    if (!d.resource) {
      problem(
        "resource",
        "one-legged mode only signs calls to the API: add the resource request to make",
      );
    }
  } else {
    if (!d.token || d.token.token.trim() === "") {
      problem("token.token", "the access token (token id) is empty: copy it from the provider");
    }
    const ts = d.token?.secret;
    if (!rsa && (ts === undefined || (ts === null ? !stored?.token_secret : ts === ""))) {
      problem(
        "token.secret",
        "the token secret is empty: copy it from the provider (it is shown only once when the token is created)",
      );
    }
    if (!d.resource) {
      problem(
        "resource",
        "with a pre-issued token the flow only makes the resource call: add the resource request to make",
      );
    }
  }
  if (d.resource) {
    if (!HTTP_METHOD.test(d.resource.method)) {
      problem(
        "resource.method",
        `"${d.resource.method}" is not an HTTP method: use GET, POST, PUT, PATCH or DELETE`,
      );
    }
    const p = urlProblem(d.resource.url);
    if (p) problem("resource.url", `the resource URL ${p}`);
    plaintextUrls.push(d.resource.url);
  }
  if (d.signature_method === "PLAINTEXT") {
    const bad = plaintextUrls.find((u) => !isLocal(u));
    if (bad) {
      problem(
        "signature_method",
        `PLAINTEXT sends the secrets themselves, so it needs https; ${bad} is plain http: use https or an HMAC method`,
      );
    }
  }
  return out;
}

/** The backend names some fields after FlowConfig; the form shows them at these fields. */
const FIELD_ALIASES: Record<string, string> = {
  "sign_options.placement": "placement",
  "sign_options.body_hash": "signature_method",
};

/** Problems grouped by the form field they belong to. */
export function problemsByField(problems: readonly FieldProblem[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const field = FIELD_ALIASES[p.field] ?? p.field;
    out.set(field, [...(out.get(field) ?? []), p.message]);
  }
  return out;
}
