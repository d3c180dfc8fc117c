// The toolbar popup: is the app running, is its PBX connected, which extension, and the last dial's result.
"use strict";

const api = globalThis.browser || globalThis.chrome;
const t = (name, subs) => api.i18n.getMessage(name, subs) || name;
const PBX_STATES = {
  connected: "pbxConnected",
  connecting: "pbxConnecting",
  reconnecting: "pbxReconnecting",
  not_configured: "pbxNotConfigured",
  error: "pbxError",
};
const RESULTS = globalThis.LinkusStates;

function show(id, text, good) {
  const element = document.getElementById(id);
  element.textContent = text;
  element.className = good === undefined ? "" : good ? "good" : "bad";
}

async function refresh() {
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  document.documentElement.lang = api.i18n.getUILanguage();
  const { status, last } = await api.runtime.sendMessage({ type: "status" });
  const running = status.ok && status.state === "running";
  show("app", t(running ? "appRunning" : RESULTS[status.state] || "stateNoHost"), running);
  show("pbx", running ? t(PBX_STATES[status.pbx] || "pbxError") : "–", running && status.pbx === "connected");
  show("extension", (running && status.extension) || "–");
  show("last", last ? t(RESULTS[last.state] || "stateAppError", [last.number || ""]) : t("lastNone"), last ? last.ok : undefined);
  document.getElementById("detail").textContent = (running ? status.message : "") || (last && !last.ok ? last.message : "");
}

refresh();
