// The _locales message that names each answer state of the desktop app (shared by the page and the popup).
"use strict";

globalThis.LinkusStates = {
  dialling: "stateDialling",
  repeated: "stateDialling",
  busy: "stateBusy",
  invalid: "stateInvalid",
  not_configured: "stateNotConfigured",
  not_connected: "stateNotConnected",
  not_running: "stateNotRunning",
  pbx_error: "statePbxError",
  refused: "stateRefused",
  app_error: "stateAppError",
  no_host: "stateNoHost",
};
