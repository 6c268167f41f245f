import { mount } from "svelte";

import App from "./App.svelte";
import { AppState } from "./state.svelte";
import "./app.css";

const app = new AppState();
// The backend is asked for the first screen's data at once, while the page is mounted.
const connected = app.connect();
const target = document.getElementById("app");
if (target) mount(App, { target, props: { app, connected } });
