// Adds a call button beside each phone number of a CRM page; a click asks the desktop app to dial.
// Page text is only ever read or set as text (never as HTML); synthetic clicks from page scripts are ignored.
"use strict";

(function () {
  const api = globalThis.browser || globalThis.chrome;
  const N = globalThis.LinkusNumbers;
  const REPEAT_MS = 1000;
  const SCAN_DELAY_MS = 60;
  const TOAST_MS = 4000;
  const lastClick = new Map();
  const numberOf = new WeakMap();
  // The number each of our buttons dials lives here, in the content script's own world: the page can
  // change the button's attributes but not what a click dials.
  let scheduled = 0;

  function t(name, substitutions) {
    return api.i18n.getMessage(name, substitutions) || name;
  }

  function icon() {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute(
      "d",
      "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z"
    );
    svg.appendChild(path);
    return svg;
  }

  function makeButton(number, crm) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "linkus-call";
    button.appendChild(icon());
    setNumber(button, number);
    button.dataset.linkusCrm = crm;
    button.addEventListener("click", onClick, true);
    return button;
  }

  function setNumber(button, number) {
    if (numberOf.get(button) === number) return;
    numberOf.set(button, number);
    button.dataset.linkusNumber = number;
    button.title = t("callNumber", [number]);
    button.setAttribute("aria-label", button.title);
  }

  /** Our button already beside the entry; a copy the page made of one (no listener) is removed. */
  function existingButton(entry) {
    const next = entry.element.nextElementSibling;
    const button =
      entry.element.tagName === "A"
        ? next && next.classList.contains("linkus-call") && next
        : entry.element.querySelector(":scope > .linkus-call");
    if (button && !numberOf.has(button)) {
      button.remove();
      return null;
    }
    return button || null;
  }

  function scan() {
    scheduled = 0;
    const crm = N.crmOf(location);
    if (!crm || !document.body) return;
    for (const entry of N.findNumbers(document, crm)) {
      const button = existingButton(entry);
      if (button) {
        setNumber(button, entry.number);
      } else if (entry.element.tagName === "A") {
        entry.element.insertAdjacentElement("afterend", makeButton(entry.number, crm));
      } else {
        entry.element.appendChild(makeButton(entry.number, crm));
      }
    }
  }

  function schedule() {
    if (!scheduled) scheduled = setTimeout(scan, SCAN_DELAY_MS);
  }

  function toast(near, text, ok) {
    const box = document.createElement("div");
    box.className = ok ? "linkus-toast" : "linkus-toast linkus-toast-error";
    box.setAttribute("role", "status");
    box.textContent = text;
    const rect = near.getBoundingClientRect();
    box.style.top = `${Math.round(rect.bottom + window.scrollY + 4)}px`;
    box.style.left = `${Math.round(rect.left + window.scrollX)}px`;
    document.body.appendChild(box);
    setTimeout(() => box.remove(), TOAST_MS);
  }

  async function onClick(event) {
    event.preventDefault();
    event.stopPropagation();
    if (!event.isTrusted) return;
    const button = event.currentTarget;
    const number = numberOf.get(button);
    if (!number) return;
    const now = Date.now();
    if (now - (lastClick.get(number) || 0) < REPEAT_MS) return;
    lastClick.set(number, now);
    button.classList.add("linkus-busy");
    try {
      const reply = await api.runtime.sendMessage({ type: "dial", number, source: button.dataset.linkusCrm });
      toast(button, resultText(reply), Boolean(reply && reply.ok));
    } catch (_error) {
      toast(button, t("stateNoHost"), false);
    } finally {
      button.classList.remove("linkus-busy");
    }
  }

  function resultText(reply) {
    if (!reply) return t("stateNoHost");
    const state = globalThis.LinkusStates[reply.state] || "stateAppError";
    const head = t(state, [reply.number || ""]);
    return reply.ok || !reply.message ? head : `${head} ${reply.message}`;
  }


  scan();
  new MutationObserver(schedule).observe(document.documentElement, {
    childList: true,
    subtree: true,
    characterData: true,
  });
})();
