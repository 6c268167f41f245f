import { mount } from "svelte";

import App from "./App.svelte";
import { AppState } from "./state.svelte";
import "./app.css";

/**
 * How long the first screen waits for its data before it is drawn without it. On a desktop the
 * answers take tens of milliseconds; drawing once, with them, spares the window a whole repaint
 * (a software repaint of the window costs ~100 ms on a machine without a GPU).
 */
const FIRST_DRAW_WAIT_MS = 600;

const app = new AppState();
// The backend is asked at once, while the first script is still being read.
const connected = app.connect();
const waited = new Promise<void>((resolve) => setTimeout(resolve, FIRST_DRAW_WAIT_MS));
void Promise.race([connected.catch(() => {}), waited]).then(() => {
  const target = document.getElementById("app");
  if (target) mount(App, { target, props: { app, connected } });
});
