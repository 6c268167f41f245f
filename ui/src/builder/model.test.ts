import { describe, expect, it } from "vitest";

import type { Body, Connector, FieldProblem, Lint } from "../ipc";
import {
  authVariables,
  bodyAs,
  countBySection,
  defaultOAuth1,
  duplicateEndpoint,
  freeName,
  lintsAt,
  messagesAt,
  methodOf,
  newAuthMethod,
  newEndpoint,
  newVariable,
  oauth1Of,
  parseLines,
  sameDocument,
  sectionOf,
  toLines,
  under,
} from "./model";

const problem = (field: string, message = field): FieldProblem => ({ field, message });

function connector(): Connector {
  return {
    details: {
      name: "Shop",
      description: "",
      system: "",
      version: "",
      documentation_url: null,
      preset: null,
    },
    variables: [],
    auth_methods: [],
    endpoints: [],
  };
}

describe("field paths", () => {
  it("puts every backend path in one of the four steps", () => {
    expect(sectionOf("details.name")).toBe("details");
    expect(sectionOf("variables[2].name")).toBe("variables");
    expect(sectionOf("values.account")).toBe("variables");
    expect(sectionOf("secrets.api_key")).toBe("variables");
    expect(sectionOf("auth_methods[0].request_token.url")).toBe("auth");
    expect(sectionOf("instance.consumer_key")).toBe("auth");
    expect(sectionOf("instance.client_secret")).toBe("auth");
    expect(sectionOf("endpoints[3].body.text")).toBe("endpoints");
    expect(sectionOf("inputs.order_id")).toBe("endpoints");
  });

  it("knows what lies under a path, without matching a longer name", () => {
    expect(under("endpoints[1].url", "endpoints[1]")).toBe(true);
    expect(under("endpoints[1]", "endpoints[1]")).toBe(true);
    expect(under("endpoints[10].url", "endpoints[1]")).toBe(false);
    expect(under("variables[0].name", "variables")).toBe(true);
    expect(under("variables_extra", "variables")).toBe(false);
  });

  it("finds the messages of one field or of everything under it, and counts by step", () => {
    const ps = [
      problem("details.name", "needs a name"),
      problem("endpoints[0].url", "bad url"),
      problem("endpoints[0].query[1].value", "bad value"),
      problem("endpoints[1].url", "other"),
      problem("values.account", "missing"),
    ];
    expect(messagesAt(ps, "endpoints[0].url")).toEqual(["bad url"]);
    expect(messagesAt(ps, "endpoints[0]")).toEqual([]);
    expect(messagesAt(ps, "endpoints[0]", true)).toEqual(["bad url", "bad value"]);
    expect(countBySection(ps)).toEqual({ details: 1, variables: 1, auth: 0, endpoints: 3 });
  });

  it("orders lints by severity", () => {
    const lint = (id: string, severity: Lint["severity"]): Lint => ({
      id,
      severity,
      field: "auth_methods[0].realm",
      message: id,
      fix: "",
    });
    const ls = [lint("a", "info"), lint("b", "error"), lint("c", "warning")];
    expect(lintsAt(ls, "auth_methods[0].realm").map((l) => l.id)).toEqual(["b", "c", "a"]);
    expect(lintsAt(ls, "auth_methods[0]")).toEqual([]);
    expect(lintsAt(ls, "auth_methods[0]", true)).toHaveLength(3);
  });
});

describe("new items", () => {
  it("picks free names and ids", () => {
    expect(freeName("x", [])).toBe("x");
    expect(freeName("x", ["x", "x_2"])).toBe("x_3");
    expect(freeName("endpoint-1", ["endpoint-1"], "-")).toBe("endpoint-1-2");
    const v = newVariable([newVariable([])]);
    expect(v.name).toBe("variable_2");
    expect(v.kind).toBe("text");
    const e = newEndpoint([], "https://api.example.com/");
    expect(e).toMatchObject({ id: "endpoint-1", method: "GET", url: "https://api.example.com/" });
    expect(e.body).toEqual({ type: "none" });
    const copy = duplicateEndpoint([e], e);
    expect(copy.id).toBe("endpoint-1-copy");
    expect(copy.name).toBe("Endpoint 1 (copy)");
    copy.query.push({ name: "a", value: "b" });
    expect(e.query).toEqual([]);
  });

  it("makes each kind of authentication method with the backend's defaults", () => {
    const oauth = newAuthMethod([], "oauth1");
    expect(oauth.id).toBe("oauth1");
    expect(oauth.kind).toEqual({ type: "oauth1", ...defaultOAuth1() });
    const key = newAuthMethod([oauth], "api_key");
    expect(key.id).toBe("api-key");
    expect(key.kind).toMatchObject({ type: "api_key", placement: "header" });
    expect(newAuthMethod([key], "api_key").id).toBe("api-key-2");
    expect(newAuthMethod([], "basic").kind.type).toBe("basic");
    expect(newAuthMethod([], "none").options).toEqual({ query: [], headers: [], body: [] });
  });

  it("finds the OAuth 1.0a method and the method each endpoint uses", () => {
    const c = connector();
    expect(oauth1Of(c)).toBeNull();
    const key = newAuthMethod([], "api_key");
    const oauth = newAuthMethod([key], "oauth1");
    c.auth_methods.push(key, oauth);
    expect(oauth1Of(c)?.index).toBe(1);
    const e = newEndpoint([]);
    expect(methodOf(c, e)?.id).toBe("api-key");
    e.auth = "oauth1";
    expect(methodOf(c, e)?.id).toBe("oauth1");
    e.auth = "gone";
    expect(methodOf(c, e)).toBeNull();
  });

  it("lists the auth variables a connected method gives endpoints", () => {
    const o = { ...defaultOAuth1(), token_fields: ["user_id"] };
    expect(
      authVariables(o, [
        ["user_id", "42"],
        ["screen_name", "alice"],
      ]),
    ).toEqual(["oauth_token", "user_id", "screen_name"]);
  });
});

describe("bodies and parameter lines", () => {
  it("keeps what can be kept when the body's kind changes", () => {
    const json: Body = { type: "json", text: '{"a": 1}' };
    expect(bodyAs(json, "xml")).toEqual({ type: "xml", text: '{"a": 1}' });
    expect(bodyAs(json, "text")).toEqual({
      type: "text",
      content_type: "text/plain",
      text: '{"a": 1}',
    });
    expect(bodyAs(json, "form")).toEqual({ type: "form", fields: [] });
    const form: Body = { type: "form", fields: [{ name: "a", value: "1" }] };
    expect(bodyAs(form, "form")).toEqual(form);
    expect(bodyAs(form, "json")).toEqual({ type: "json", text: "" });
    expect(bodyAs(form, "none")).toEqual({ type: "none" });
  });

  it("reads and writes name=value lines", () => {
    const ps = parseLines("scope=read,write\n\nexpiration = never \nflag\na=b=c");
    expect(ps).toEqual([
      { name: "scope", value: "read,write" },
      { name: "expiration", value: "never" },
      { name: "flag", value: "" },
      { name: "a", value: "b=c" },
    ]);
    expect(toLines(ps.slice(0, 2))).toBe("scope=read,write\nexpiration=never");
  });

  it("tells unsaved changes apart", () => {
    const a = { id: "1", connector: connector(), instance: null } as never;
    const b = structuredClone(a);
    expect(sameDocument(a, b)).toBe(true);
    (b as { connector: Connector }).connector.details.name = "Other";
    expect(sameDocument(a, b)).toBe(false);
    expect(sameDocument(null, null)).toBe(true);
  });
});
