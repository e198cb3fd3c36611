import type * as Events from "@spec-kitty/events";

/** One contract violation of an envelope, as `@spec-kitty/events` reports it. */
export interface Violation {
  readonly code: string;
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

export interface EnvelopeVerdict {
  readonly valid: boolean;
  readonly violations: ReadonlyArray<Violation>;
}

type EventsModule = typeof Events;
let events: Promise<EventsModule> | null = null;

/** `@spec-kitty/events` is loaded on the first validation only (it brings Effect Schema with it). */
const loadEvents = (): Promise<EventsModule> => (events ??= import("@spec-kitty/events"));

/**
 * Judges a whole envelope with `@spec-kitty/events`: the envelope contract (with the cutover gate) and, for a
 * known event type, its payload contract at wire strictness. An unknown event type is a violation.
 */
export const validateEnvelope = async (envelope: Readonly<Record<string, unknown>>): Promise<EnvelopeVerdict> => {
  const ev = await loadEvents();
  const eventType = envelope["event_type"];
  const violations: Violation[] = [];
  const seen = new Set<string>();
  const add = (vs: ReadonlyArray<Violation>): void => {
    for (const v of vs) {
      const key = `${v.code}|${v.path.join(".")}|${v.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        violations.push({ code: v.code, path: [...v.path], message: v.message });
      }
    }
  };
  const whole = ev.validateEvent(envelope, "Event");
  if (whole._tag === "Right") add(whole.right.violations);
  if (typeof eventType !== "string" || !ev.isKnownEventType(eventType) || eventType === "Event") {
    add([{ code: "ENVELOPE_SHAPE_INVALID", path: ["event_type"], message: `unknown event type ${JSON.stringify(eventType)}` }]);
  } else {
    const payload = ev.validateEvent(envelope, eventType);
    if (payload._tag === "Right") add(payload.right.violations);
  }
  return { valid: violations.length === 0, violations };
};
