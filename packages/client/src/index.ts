/** @tether/client — placeholder until the SDK lands. */
export {};
