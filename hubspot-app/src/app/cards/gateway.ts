// Written by `convrs hubspot-app`: the gateway this card calls (its PUBLIC_URL, the app's permittedUrls.fetch).
// Regenerate with the deployment's own --public-url before `hs project upload`; do not edit by hand.
export const GATEWAY_URL = "http://localhost:8080";
export const CONVERSATIONS_PATH = "/hubspot/card/conversations";
