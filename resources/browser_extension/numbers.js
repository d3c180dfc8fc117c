// Finding the phone numbers a CRM page shows: tel: links, phone fields, and phone columns of list views.
// Pure DOM reading (no insertion), shared by content.js and the node tests.
"use strict";

(function (root) {
  const MAX_TEXT = 64;
  const MIN_DIGITS = 6;
  const MAX_DIGITS = 15;
  const PHONE_LABEL = /phone|mobile|cell|telephone|^tel\b|手机|电话|座机/i;
  const NOT_PHONE_LABEL = /fax|传真|opt.?out|do.?not|consent|type|status|country|verified|whatsapp_consent/i;
  const DATE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/;
  const EXTENSION_SUFFIX = /\s*(?:;ext=|ext\.?|extension|x|#)\s*\d{1,7}\s*$/i;

  // Per-CRM elements known to hold a phone number in the real web apps (tel: links and table
  // fields are found on every page; these add what the CRMs render without either).
  const SELECTORS = {
    salesforce: ["lightning-formatted-phone", "[data-output-element-id='output-field'] lightning-formatted-phone"],
    hubspot: ["[data-selenium-test$='phone'] [data-selenium-test='property-value']", "[data-test-id*='phone'] span"],
    zoho: ["[id^='value_Phone']", "[id^='value_Mobile']", "[data-zcqa*='Phone'] span", "[data-zcqa*='Mobile'] span"],
  };

  /** Which CRM a page belongs to, by its host, or by its path on an emulator (127.0.0.1, localhost). */
  function crmOf(location) {
    const host = location.hostname;
    const path = location.pathname;
    if (/(^|\.)hubspot\.com$/.test(host) || /^\/contacts\/\d+\//.test(path)) return "hubspot";
    if (/\.(force|salesforce)\.com$/.test(host) || /^\/lightning\//.test(path)) return "salesforce";
    if (/^crm\.zoho(cloud)?\./.test(host) || /^\/crm\//.test(path)) return "zoho";
    return "";
  }

  /** Whether `text` reads as a phone number (not a date, an id or a sentence). */
  function looksLikePhone(text) {
    if (typeof text !== "string" || text.length > MAX_TEXT) return false;
    const t = text.normalize("NFKC").trim().replace(EXTENSION_SUFFIX, "");
    if (!/^\+?[0-9\s().\-/]+$/.test(t) || DATE.test(t)) return false;
    const digits = t.replace(/\D/g, "").length;
    return digits >= MIN_DIGITS && digits <= MAX_DIGITS;
  }

  /** A label naming a phone field (`Phone`, `Mobile Phone`, `mobilephone`, `手机`), not fax or consent. */
  function isPhoneLabel(text) {
    const t = (text || "").trim();
    return t.length > 0 && t.length <= 60 && PHONE_LABEL.test(t) && !NOT_PHONE_LABEL.test(t);
  }

  /** The element's text without our own call buttons. */
  function ownText(element) {
    let text = "";
    for (const node of element.childNodes) {
      if (node.nodeType === 3) text += node.nodeValue;
      else if (node.nodeType === 1 && !node.classList.contains("linkus-call")) text += ownText(node);
    }
    return text.trim();
  }

  function telNumber(href) {
    try {
      return decodeURIComponent(href.replace(/^(tel|callto):(\/\/)?/i, "").split(/[;?]/)[0]);
    } catch (_e) {
      return "";
    }
  }

  /** Cells of list-view columns whose header names a phone field. */
  function phoneColumnCells(doc) {
    const cells = [];
    for (const table of doc.querySelectorAll("table")) {
      const header = table.tHead ? table.tHead.rows[0] : null;
      if (!header) continue;
      const columns = [];
      Array.from(header.cells).forEach((cell, index) => {
        if (isPhoneLabel(ownText(cell))) columns.push(index);
      });
      if (!columns.length) continue;
      for (const body of table.tBodies) {
        for (const row of body.rows) {
          for (const index of columns) if (row.cells[index]) cells.push(row.cells[index]);
        }
      }
    }
    return cells;
  }

  /** Values of label/value pairs: `<tr><th>Phone</th><td>…</td></tr>` and `<dt>Phone</dt><dd>…</dd>`. */
  function phoneFieldValues(doc) {
    const values = [];
    for (const label of doc.querySelectorAll("tr > th, dt")) {
      if (!isPhoneLabel(ownText(label))) continue;
      const value = label.tagName === "DT" ? label.nextElementSibling : label.parentElement.querySelector("td");
      if (value && (label.tagName !== "DT" || value.tagName === "DD")) values.push(value);
    }
    return values;
  }

  /**
   * Every number shown on the page: [{element, number}] where `element` holds the number (a tel: link
   * gets its button after it, any other element inside it) and `number` is the text to dial.
   */
  function findNumbers(doc, crm) {
    const found = [];
    const seen = new Set();
    function add(element, number) {
      if (!element || seen.has(element) || !looksLikePhone(number)) return;
      if (element.closest && element.closest(".linkus-call")) return;
      seen.add(element);
      found.push({ element, number: number.normalize("NFKC").replace(EXTENSION_SUFFIX, "").trim() });
    }
    for (const link of doc.querySelectorAll("a[href^='tel:' i], a[href^='callto:' i]")) {
      seen.add(link.parentElement);
      add(link, telNumber(link.getAttribute("href")));
    }
    for (const selector of SELECTORS[crm] || []) {
      for (const element of doc.querySelectorAll(selector)) {
        if (!element.querySelector("a[href^='tel:' i]")) add(element, ownText(element));
      }
    }
    for (const element of [...phoneFieldValues(doc), ...phoneColumnCells(doc)]) {
      if (!element.querySelector("a[href^='tel:' i], a[href^='callto:' i]")) add(element, ownText(element));
    }
    return found;
  }

  const api = { crmOf, looksLikePhone, isPhoneLabel, ownText, findNumbers, MAX_TEXT };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.LinkusNumbers = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
