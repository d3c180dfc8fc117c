// The content script's number finding on saved copies of the CRM emulators' record and list pages.
// Run by tests/test_browser_extension_node.py (node --test, jsdom from the Debian package node-jsdom).
"use strict";

const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { JSDOM } = require("jsdom");
const N = require("../../resources/browser_extension/numbers.js");

const KNOWN = ["+1 415-555-0101", "(415) 555-0102", "415.555.0103", "001 415 555 0104", "4155550105", "+14155550106"];

function page(name, url) {
  const html = fs.readFileSync(path.join(__dirname, "pages", `${name}.html`), "utf8");
  return new JSDOM(html, { url }).window;
}

function numbers(window) {
  return N.findNumbers(window.document, N.crmOf(window.location)).map((entry) => entry.number);
}

const PAGES = [
  ["hubspot", "http://127.0.0.1:8080/contacts/62515/record/0-1/1002", "http://127.0.0.1:8080/contacts/62515/objects/0-1/views/all/list"],
  ["salesforce", "https://127.0.0.1:8443/lightning/r/Contact/0035gAQ00000003ADA/view", "https://127.0.0.1:8443/lightning/o/Contact/list"],
  ["zoho", "http://127.0.0.1:8081/crm/org771234567/tab/Contacts/4150868000001234569", "http://127.0.0.1:8081/crm/org771234567/tab/Contacts"],
];

for (const [crm, recordUrl, listUrl] of PAGES) {
  test(`${crm}: the record page's phone field is found, nothing else`, () => {
    const window = page(`${crm}-record`, recordUrl);
    assert.strictEqual(N.crmOf(window.location), crm);
    assert.deepStrictEqual(numbers(window), ["(415) 555-0102"]);
  });

  test(`${crm}: every number of the list view's phone column, without the extension suffix`, () => {
    assert.deepStrictEqual(numbers(page(`${crm}-list`, listUrl)), KNOWN);
  });
}

test("the real CRMs are recognised by host, other pages not at all", () => {
  const of = (url) => N.crmOf(new URL(url));
  assert.strictEqual(of("https://app-eu1.hubspot.com/contacts/1/record/0-1/2"), "hubspot");
  assert.strictEqual(of("https://acme.lightning.force.com/lightning/r/Contact/003/view"), "salesforce");
  assert.strictEqual(of("https://crm.zoho.com.au/crm/org1/tab/Leads/2"), "zoho");
  assert.strictEqual(of("http://127.0.0.1:3000/dashboard"), "");
});

test("tel: links, Lightning phone elements and definition lists; no duplicates", () => {
  const window = new JSDOM(
    `<dl><dt>Mobile Phone</dt><dd>+44 20 7946 0958</dd><dt>Fax</dt><dd>+44 20 7946 0000</dd></dl>
     <lightning-formatted-phone><a href="tel:+16505550199">(650) 555-0199</a></lightning-formatted-phone>
     <table><tr><th>Phone</th><td><a href="tel:%2B1%20628%20555%200100">call</a></td></tr></table>
     <p>Order 2024-05-06, ticket 1234567, call me at 555 0100</p>`,
    { url: "https://acme.lightning.force.com/lightning/r/Contact/003/view" }
  ).window;
  assert.deepStrictEqual(numbers(window), ["+16505550199", "+1 628 555 0100", "+44 20 7946 0958"]);
});

test("what reads as a phone number", () => {
  for (const yes of ["+1 415-555-0101", "(415) 555-0102", "020 7946 0958", "４１５５５５０１０２", "415.555.0103 x12"]) {
    assert.ok(N.looksLikePhone(yes), yes);
  }
  for (const no of ["2024-05-06", "12/31/2024", "12345", "call 5550100", "<b>5550100</b>", "1".repeat(20), "", "+"]) {
    assert.ok(!N.looksLikePhone(no), no);
  }
  assert.ok(N.isPhoneLabel("mobilephone") && N.isPhoneLabel("手机") && N.isPhoneLabel("Business Phone"));
  assert.ok(!N.isPhoneLabel("Business Fax") && !N.isPhoneLabel("Phone Type") && !N.isPhoneLabel("Email"));
});
