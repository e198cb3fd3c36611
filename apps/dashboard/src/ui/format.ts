/** Display helpers shared by the pages; pure, so component tests pin their output. */

/** "3 min", "2 h 5 min", "4 d": how long ago `iso` was, seen from `now`. */
export const durationSince = (iso: string | null, now: number): string => {
  if (iso === null) return "—";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "—";
  const seconds = Math.max(0, Math.floor((now - then) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d`;
};

/** A timestamp as the user's locale shows it, or "—". */
export const timestamp = (iso: string | null | undefined): string => {
  if (iso === null || iso === undefined) return "—";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
};

/** A printable actor from a transition's `actor` (a string or an object of audit fields). */
export const actorText = (actor: unknown): string | null => {
  if (typeof actor === "string") return actor === "" ? null : actor;
  if (actor !== null && typeof actor === "object") {
    const record = actor as Record<string, unknown>;
    for (const key of ["display_name", "profile", "role", "actor_id", "tool"]) {
      const v = record[key];
      if (typeof v === "string" && v !== "") return v;
    }
  }
  return null;
};

/** The work package an event is about, when it names one. */
export const wpOf = (payload: Readonly<Record<string, unknown>>, aggregateId: string, aggregateType?: string): string | null => {
  const wp = payload["wp_id"];
  if (typeof wp === "string" && wp !== "") return wp;
  const target = payload["focus_target"] ?? payload["target"];
  if (target !== null && typeof target === "object") {
    const t = target as Record<string, unknown>;
    if (t["target_type"] === "wp" && typeof t["target_id"] === "string") return t["target_id"];
  }
  return aggregateType === "WorkPackage" ? aggregateId : null;
};

/** Who an event comes from: the transition's actor, else a participant, else the node. */
export const eventActor = (payload: Readonly<Record<string, unknown>>, nodeId: string): string => {
  const actor = actorText(payload["actor"]);
  if (actor !== null) return actor;
  for (const key of ["participant_id", "agent", "assignee", "developer_name"]) {
    const v = payload[key];
    if (typeof v === "string" && v !== "") return v;
  }
  return nodeId;
};
