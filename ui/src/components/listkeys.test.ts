import { describe, expect, it } from "vitest";

import { TypeAhead, listMove, typeAhead } from "./listkeys";

const NAMES = ["Generic", "NetSuite", "Trello", "Tumblr", "X (Twitter)", "Évernote"];

describe("listMove", () => {
  it("moves by one with the arrows and stops at the ends", () => {
    expect(listMove(6, 2, "ArrowDown")).toBe(3);
    expect(listMove(6, 2, "ArrowRight")).toBe(3);
    expect(listMove(6, 2, "ArrowUp")).toBe(1);
    expect(listMove(6, 0, "ArrowLeft")).toBe(0);
    expect(listMove(6, 5, "ArrowDown")).toBe(5);
    expect(listMove(6, 3, "Home")).toBe(0);
    expect(listMove(6, 3, "End")).toBe(5);
    expect(listMove(6, 3, "a")).toBeNull();
    expect(listMove(0, 0, "ArrowDown")).toBeNull();
  });
});

describe("typeAhead", () => {
  it("finds the next name with the prefix, wrapping, case and accents aside", () => {
    expect(typeAhead(NAMES, 0, "t")).toBe(2);
    expect(typeAhead(NAMES, 3, "t")).toBe(3);
    expect(typeAhead(NAMES, 4, "t")).toBe(2);
    expect(typeAhead(NAMES, 0, "TU")).toBe(3);
    expect(typeAhead(NAMES, 0, "ever")).toBe(5);
    expect(typeAhead(NAMES, 0, "z")).toBe(-1);
    expect(typeAhead([], 0, "a")).toBe(-1);
  });
});

describe("TypeAhead", () => {
  it("joins letters typed quickly into one prefix", () => {
    const t = new TypeAhead(700);
    expect(t.press(NAMES, 0, "t", 1000)).toBe(2);
    expect(t.press(NAMES, 2, "u", 1200)).toBe(3);
  });
  it("moves on when the same letter is pressed again, and starts afresh after a pause", () => {
    const t = new TypeAhead(700);
    expect(t.press(NAMES, 0, "t", 0)).toBe(2);
    expect(t.press(NAMES, 2, "t", 100)).toBe(3);
    expect(t.press(NAMES, 3, "t", 200)).toBe(2);
    expect(t.press(NAMES, 2, "n", 5000)).toBe(1);
  });
  it("ignores what is not a letter to type", () => {
    const t = new TypeAhead();
    expect(t.press(NAMES, 0, "Enter", 0)).toBeNull();
    expect(t.press(NAMES, 0, " ", 0)).toBeNull();
  });
});
