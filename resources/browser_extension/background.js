// The extension's background: relays dial and status requests to the desktop app's native messaging host,
// owns the "Call with Linkus Companion" context-menu item and remembers the last dial's result.
"use strict";

const api = globalThis.browser || globalThis.chrome;
const HOST = "com.linkuscompanion.dial";
const MENU_ID = "linkus-call-selection";
const MAX_NUMBER = 64;

api.runtime.onInstalled.addListener(() => {
  api.contextMenus.create({ id: MENU_ID, title: api.i18n.getMessage("menuCall"), contexts: ["selection"] });
});

/** Ask the host; a missing or failing host becomes an answer the popup and the page can show. */
async function askHost(message) {
  try {
    const reply = await api.runtime.sendNativeMessage(HOST, message);
    return reply && typeof reply === "object" ? reply : { ok: false, state: "no_host", message: "" };
  } catch (error) {
    return { ok: false, state: "no_host", message: "" };
  }
}

async function dial(number, source) {
  const text = String(number || "").trim();
  if (!text || text.length > MAX_NUMBER) {
    return remember({ ok: false, state: "invalid", message: "" });
  }
  return remember(await askHost({ type: "dial", number: text, source }));
}

async function remember(reply) {
  await api.storage.local.set({ last: { ...reply, at: Date.now() } });
  await api.action.setBadgeText({ text: reply.ok ? "" : "!" });
  return reply;
}

/** The context-menu path: the selected text is dialled (the app refuses what is not a number). */
async function onMenuClicked(info) {
  if (info.menuItemId !== MENU_ID) return null;
  return dial(info.selectionText, "selection");
}
api.contextMenus.onClicked.addListener(onMenuClicked);
globalThis.linkusMenuClicked = onMenuClicked;

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== api.runtime.id || !message || typeof message !== "object") return false;
  if (message.type === "dial" && sender.tab) {
    dial(message.number, String(message.source || "")).then(sendResponse);
    return true;
  }
  if (message.type === "status" && String(sender.url || "").startsWith(api.runtime.getURL(""))) {
    Promise.all([askHost({ type: "status" }), api.storage.local.get("last")]).then(([status, stored]) =>
      sendResponse({ status, last: stored.last || null })
    );
    return true;
  }
  return false;
});
