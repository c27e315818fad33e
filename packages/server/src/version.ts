/** The Tether version reported by /health, the OpenAPI document and `tether --version`. */
export const VERSION = '0.1.0';
