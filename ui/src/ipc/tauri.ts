// The real transport: Tauri's invoke and events. The shell implements every command with a
// single `args` parameter (see crates/ipc), so arguments travel as `{ args }`.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { Transport } from "./index";

export function tauriTransport(): Transport {
  return {
    kind: "tauri",
    invoke: (name, args) => (args === null ? invoke(name) : invoke(name, { args })),
    listen: (event, handler) => listen(event, (e) => handler(e.payload as never)),
  };
}
