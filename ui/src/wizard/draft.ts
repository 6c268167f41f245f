// Step 1 of the ten as data: the choices an OAuth 1.0a method offers, with their trade-offs in
// plain words. Whether a choice fits is never decided here: the backend's connector_validate
// and connector_lint answer that.

import type { CallbackMode, CallbackSettings, FlowMode, Placement, SignatureMethod } from "../ipc";

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

/** What each field of an OAuth 1.0a method is for, in plain words (by the field's last part). */
export const FIELD_HELP: Record<string, string> = {
  consumer_key: "Identifies your app to the provider. Find it on the provider's developer page.",
  client_secret: "Proves it is really your app. Keep it private: Signet stores it encrypted.",
  "request_token.url": "Where Signet asks for a temporary request token (step 3).",
  authorize_url: "The provider's page where the user says yes or no (step 6).",
  "access_token.url": "Where Signet trades the request token for an access token (step 8).",
  callback: "How the provider sends the user back to Signet (step 7).",
  test_endpoint: "An endpoint to call at the end, to prove the connection works (step 10).",
  realm: "Rarely needed: only if the provider's documentation asks for a realm.",
};

export function isRsa(m: SignatureMethod): boolean {
  return m.startsWith("RSA-");
}

/**
 * The `oauth_callback` value these settings send (a loopback port of 0 is picked at Connect;
 * `CODE` stands for the code each attempt draws when the callback is bound to it).
 */
export function callbackUrl(c: CallbackSettings): string {
  const code = c.bind_to_run ? "/CODE" : "";
  switch (c.mode) {
    case "deep_link":
      return `signet://callback${code}`;
    case "loopback": {
      const path = c.loopback_path.startsWith("/") ? c.loopback_path : `/${c.loopback_path}`;
      const port = c.loopback_port === 0 ? "PORT" : String(c.loopback_port);
      return `http://127.0.0.1:${port}${path.replace(/\/$/, "")}${code}`;
    }
    case "oob":
      return c.oob_url?.trim() || "oob";
  }
}
