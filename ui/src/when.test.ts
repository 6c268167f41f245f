import { describe, expect, it } from "vitest";

import { when } from "./when";

describe("when", () => {
  it("writes a moment as toLocaleString does", () => {
    for (const ms of [0, 1_765_000_000_000, 1_796_000_123_456]) {
      expect(when(ms)).toBe(new Date(ms).toLocaleString());
    }
  });
});
