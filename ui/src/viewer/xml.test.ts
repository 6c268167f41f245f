import { describe, expect, it } from "vitest";

import { FoldState, PAGE_SIZE, applyPlan, planOpen } from "./fold";
import { STRING_LIMIT } from "./json";
import {
  attributeText,
  lineColumn,
  parseXml,
  xmlAdapter,
  xmlRows,
  type XmlElement,
  type XmlRow,
} from "./xml";

const root = (src: string): XmlElement => {
  const r = parseXml(src);
  if (!r.ok) throw new Error(`${r.error} at ${r.line}:${r.column}`);
  return r.root;
};
const error = (src: string): string => {
  const r = parseXml(src);
  if (r.ok) throw new Error(`parsed: ${src.slice(0, 40)}`);
  return r.error;
};
// A row as the viewer would print it.
const line = (r: XmlRow): string => {
  const pad = "  ".repeat(r.depth);
  switch (r.type) {
    case "more":
      return `${pad}(${r.shown} of ${r.total})`;
    case "close":
      return `${pad}</${r.name}>`;
    case "text":
      return `${pad}${r.text}`;
    case "comment":
      return `${pad}<!-- ${r.text} -->`;
    case "cdata":
      return `${pad}<![CDATA[${r.text}]]>`;
    case "element": {
      const tag = [r.name, ...r.attributes.map(attributeText)].join(" ");
      if (r.empty) return `${pad}<${tag}/>`;
      if (r.inline) return `${pad}<${tag}>${r.inline.text}</${r.name}>`;
      return r.open ? `${pad}<${tag}>` : `${pad}<${tag}>…</${r.name}> ${r.detail}`;
    }
  }
};

describe("parseXml", () => {
  it("reads elements, attributes, text, comments and CDATA", () => {
    const r = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- top -->\n<feed xmlns="urn:x" a=\'1\'>\n  <title>Hi &amp; bye</title>\n  <!-- inner -->\n  <data><![CDATA[<raw> & stuff]]></data>\n  <empty/>\n</feed>\n',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.nodes.map((n) => n.type)).toEqual(["comment", "element"]);
    expect(r.root).toEqual({
      type: "element",
      name: "feed",
      attributes: [
        ["xmlns", "urn:x"],
        ["a", "1"],
      ],
      children: [
        {
          type: "element",
          name: "title",
          attributes: [],
          children: [{ type: "text", text: "Hi &amp; bye" }],
        },
        { type: "comment", text: "inner" },
        {
          type: "element",
          name: "data",
          attributes: [],
          children: [{ type: "cdata", text: "<raw> & stuff" }],
        },
        { type: "element", name: "empty", attributes: [], children: [] },
      ],
    });
  });

  it("skips processing instructions and a DOCTYPE with an internal subset", () => {
    const el = root(
      '<?xml version="1.0"?><!DOCTYPE note [ <!ENTITY x "a > b"> <!ELEMENT note (#PCDATA)> ]><?style x?><note>t</note>',
    );
    expect(el.name).toBe("note");
    expect(el.children).toEqual([{ type: "text", text: "t" }]);
  });

  it("is tolerant of namespaces, odd spacing, a BOM and unknown entities", () => {
    const el = root('\uFEFF<soap:Envelope  x:y = "1"\n><a >&nbsp;&#169;</a ></soap:Envelope>');
    expect(el.name).toBe("soap:Envelope");
    expect(el.attributes).toEqual([["x:y", "1"]]);
    expect(el.children[0]).toMatchObject({ name: "a", children: [{ text: "&nbsp;&#169;" }] });
  });

  it("keeps unicode names and text", () => {
    const el = root('<données lang="日本">Zoë 😀</données>');
    expect(el.name).toBe("données");
    expect(el.attributes).toEqual([["lang", "日本"]]);
    expect(el.children).toEqual([{ type: "text", text: "Zoë 😀" }]);
  });

  it("refuses malformed XML with a reason and a place", () => {
    expect(error("")).toMatch(/no root/);
    expect(error("   ")).toMatch(/no root/);
    expect(error("just text")).toMatch(/text before/);
    expect(error("<a>")).toMatch(/<a> is not closed/);
    expect(error("<a></b>")).toMatch(/<\/b> where <\/a> was expected/);
    expect(error("</a>")).toMatch(/closes nothing/);
    expect(error("<a></a><b></b>")).toMatch(/second root/);
    expect(error("<a></a>tail")).toMatch(/text after/);
    expect(error("<a x=1></a>")).toMatch(/not quoted/);
    expect(error("<a x></a>")).toMatch(/has no value/);
    expect(error('<a x="1></a>')).toMatch(/not closed/);
    expect(error("<a><!-- open </a>")).toMatch(/comment is not closed/);
    expect(error("<a><![CDATA[ open </a>")).toMatch(/CDATA section is not closed/);
    expect(error("<?xml version='1.0'")).toMatch(/processing instruction/);
    expect(error("<a>< b</a>")).toMatch(/stray '<'/);
    expect(error("<a/ >")).toMatch(/stray '\/'/);
    expect(error("<a")).toMatch(/not closed/);
    expect(error("<a></a><!DOCTYPE x>")).toMatch(/declaration/);
    expect(error('{"json": true}')).toMatch(/text before/);
    const r = parseXml("<a>\n  <b>\n</a>");
    expect(r.ok ? null : [r.line, r.column]).toEqual([3, 1]);
  });

  it("finds lines and columns", () => {
    expect(lineColumn("ab\ncd", 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn("ab", 99)).toEqual({ line: 1, column: 3 });
  });

  it("reads 100,000 levels of nesting without recursion", () => {
    const depth = 100_000;
    const el = root("<a>".repeat(depth) + "x" + "</a>".repeat(depth));
    let d = 1;
    let cur: XmlElement = el;
    while (cur.children[0]?.type === "element") {
      cur = cur.children[0];
      d++;
    }
    expect(d).toBe(depth);
  });

  it("stays linear on hostile input", () => {
    const hostile = [
      "<".repeat(200_000),
      "<a ".repeat(100_000),
      "<a>".repeat(200_000),
      '<a b="'.repeat(50_000),
      "<!--".repeat(50_000),
      "<a " + 'x="1" '.repeat(100_000),
      "<!DOCTYPE [".repeat(50_000),
      "<r>" + "<b></b>".repeat(100_000),
      "&".repeat(300_000),
    ];
    for (const src of hostile) {
      const t0 = performance.now();
      const r = parseXml(src);
      expect(r.ok).toBe(false);
      expect(performance.now() - t0, src.slice(0, 12)).toBeLessThan(500);
    }
  });

  it("reads a 1 MB document quickly", () => {
    const src = `<list>${Array.from({ length: 20_000 }, (_, i) => `<item id="${i}"><name>Item ${i}</name><v>${"z".repeat(20)}</v></item>`).join("")}</list>`;
    expect(src.length).toBeGreaterThan(1_000_000);
    const t0 = performance.now();
    const el = root(src);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(el.children).toHaveLength(20_000);
  });
});

describe("xmlRows", () => {
  const r = parseXml(
    '<?xml version="1.0"?><!-- c --><order id="7"><item sku="a">Pen</item><item sku="b"><qty>2</qty><note/></item><desc><![CDATA[x < y]]></desc>tail text</order>',
  );
  if (!r.ok) throw new Error(r.error);

  it("starts closed: one row per top-level node", () => {
    expect(xmlRows(r.nodes, new FoldState()).map(line)).toEqual([
      "<!-- c -->",
      '<order id="7">…</order> 4 children',
    ]);
  });

  it("prints open elements with their children and closing tags; text stays inline", () => {
    const fold = new FoldState();
    applyPlan(fold, planOpen(r.nodes, xmlAdapter, { maxDepth: Infinity, budget: 100 }));
    expect(xmlRows(r.nodes, fold).map(line)).toEqual([
      "<!-- c -->",
      '<order id="7">',
      '  <item sku="a">Pen</item>',
      '  <item sku="b">',
      "    <qty>2</qty>",
      "    <note/>",
      "  </item>",
      "  <desc>x < y</desc>",
      "  tail text",
      "</order>",
    ]);
    const desc = xmlRows(r.nodes, fold).find(
      (row) => row.type === "element" && row.name === "desc",
    );
    expect(desc?.type === "element" && desc.inline).toEqual({ text: "x < y", cdata: true });
  });

  it("does not fold elements that fit on a line", () => {
    expect(
      xmlAdapter.container({ type: "element", name: "a", attributes: [], children: [] }),
    ).toBeNull();
    expect(
      xmlAdapter.container({
        type: "element",
        name: "a",
        attributes: [],
        children: [{ type: "text", text: "x" }],
      }),
    ).toBeNull();
  });

  it("pages many children", () => {
    const big = root(`<r>${"<i/>".repeat(1000)}</r>`);
    const fold = new FoldState();
    fold.toggle(big);
    const rows = xmlRows([big], fold);
    expect(rows).toHaveLength(1 + PAGE_SIZE + 2);
    expect(rows.at(-2)).toMatchObject({ type: "more", shown: PAGE_SIZE, total: 1000 });
  });

  it("caps long text until it is shown whole", () => {
    const long = "w".repeat(STRING_LIMIT * 2);
    const el = root(`<r><t>${long}</t><u/></r>`);
    const fold = new FoldState();
    fold.toggle(el);
    const t = xmlRows([el], fold)[1];
    expect(t.type === "element" && t.clippedOf).toBe(STRING_LIMIT * 2);
    expect(t.type === "element" && t.inline?.text.length).toBe(STRING_LIMIT + 1);
    fold.wholeStrings.add(t.id);
    const whole = xmlRows([el], fold)[1];
    expect(whole.type === "element" && whole.inline?.text).toBe(long);
  });

  it("quotes attribute values the way they can be read back", () => {
    expect(attributeText(["a", "1"])).toBe('a="1"');
    expect(attributeText(["a", 'say "hi"'])).toBe("a='say \"hi\"'");
  });
});
