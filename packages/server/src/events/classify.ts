/**
 * How an action counts toward the derived metrics: the one rule in @tether/protocol (packages/protocol/src/actions.ts),
 * shared with the analytics SQL and the dashboard.
 */
export { classifyAction, type ActionClass } from '@tether/protocol';
