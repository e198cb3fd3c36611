import type { OutboxStore } from "../outbox/store.ts";
import { withPlaceholderIdentity } from "./funnel.ts";
import { validateEnvelope } from "./validate.ts";

export interface ReleaseReport {
  /** Judged valid: now selectable for delivery (when not otherwise blocked). */
  readonly released: number;
  /** Judged invalid: parked with their violations. */
  readonly parked: number;
}

/**
 * Validates the events captured with deferred validation (`FunnelOptions.validation: "deferred"`) with
 * @spec-kitty/events, oldest first, and records the verdicts: valid events become selectable, invalid ones are
 * parked with their violations (one diagnostic line when any is). Delivery calls this before selecting batches;
 * `sync status` and `init` call it too. Throws an `OutboxError` when the outbox cannot be used.
 */
export const releaseCaptured = async (
  store: OutboxStore,
  options: { readonly limit?: number; readonly diagnostics?: (line: string) => void } = {},
): Promise<ReleaseReport> => {
  const limit = options.limit ?? 100_000;
  let released = 0;
  let parked = 0;
  let firstParked: string | null = null;
  while (released + parked < limit) {
    const batch = store.unvalidated(Math.min(500, limit - released - parked));
    if (batch.length === 0) break;
    const verdicts: Array<{ eventId: string; violations: ReadonlyArray<unknown> }> = [];
    for (const e of batch) {
      let envelope: Record<string, unknown>;
      try {
        envelope = JSON.parse(e.json) as Record<string, unknown>;
      } catch (error) {
        verdicts.push({ eventId: e.eventId, violations: [{ code: "ENVELOPE_SHAPE_INVALID", path: [], message: `stored envelope is not JSON: ${(error as Error).message}` }] });
        continue;
      }
      const v = await validateEnvelope(e.projectUuid === null ? withPlaceholderIdentity(envelope) : envelope);
      verdicts.push({ eventId: e.eventId, violations: v.violations });
      if (!v.valid) firstParked ??= `${String(envelope["event_type"])} ${e.eventId}: ${v.violations[0]?.path.join(".") ?? ""} ${v.violations[0]?.message ?? ""}`.trim();
    }
    store.settleValidation(verdicts);
    for (const v of verdicts) if (v.violations.length === 0) released++;
    else parked++;
  }
  if (parked > 0) options.diagnostics?.(`warning: sync: ${parked} captured event(s) break their contract and were parked, not sent (first: ${firstParked}); see 'spec-kitty sync status'`);
  return { released, parked };
};
