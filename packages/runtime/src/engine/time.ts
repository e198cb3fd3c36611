/** The clock the engine reads; tests pass a fixed one. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

const micros = (d: Date): string => `${String(d.getUTCMilliseconds()).padStart(3, "0")}000`;

const base = (d: Date): string => d.toISOString().slice(0, 19);

/** How the reference's models render a UTC datetime in state.json (`...T10:00:00.123000Z`, no fraction when zero). */
export const modelTimestamp = (d: Date): string => `${base(d)}${d.getUTCMilliseconds() === 0 ? "" : `.${micros(d)}`}Z`;

/** How the reference stamps side-log rows (`datetime.isoformat()` of an aware UTC time). */
export const logTimestamp = (d: Date): string => `${base(d)}${d.getUTCMilliseconds() === 0 ? "" : `.${micros(d)}`}+00:00`;
