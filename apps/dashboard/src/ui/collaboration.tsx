import type { ParticipantIdentityEncoded } from "@spec-kitty/events";
import type { CollaborationView } from "../api/types.ts";

type Participant = ParticipantIdentityEncoded;

const nameOf = (view: CollaborationView, id: string): string => {
  const p: Participant | undefined = view.participants?.[id] ?? view.departed_participants?.[id];
  return p?.display_name ?? id;
};

const WARNING_LABELS: Readonly<Record<string, string>> = {
  ConcurrentDriverWarning: "Concurrent drivers",
  PotentialStepCollisionDetected: "Step collision",
  UnknownWarning: "Warning",
};

/** Who takes part in a mission, who drives, where they look, and what was warned, decided and said. */
export const CollaborationPanel = ({ view }: { readonly view: CollaborationView }) => {
  const participants = Object.values(view.participants ?? {});
  const drivers = view.active_drivers ?? [];
  const focus = Object.entries(view.participants_by_focus ?? {});
  const warnings = view.warnings ?? [];
  const open = warnings.filter((w) => Object.keys(w.acknowledgements ?? {}).length === 0);
  return (
    <section class="collab" aria-labelledby="collab-title">
      <h2 id="collab-title">Collaboration</h2>
      <div class="collab-grid">
        <section aria-labelledby="participants-title">
          <h3 id="participants-title">Participants ({participants.length})</h3>
          <ul class="participants">
            {participants.map((p) => (
              <li key={p.participant_id} data-participant={p.participant_id}>
                <span class="who">{p.display_name ?? p.participant_id}</span>{" "}
                <span class={`badge type-${p.participant_type}`}>{p.participant_type === "human" ? "human" : "agent"}</span>
                {drivers.includes(p.participant_id) && <span class="badge driver">driving</span>}
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="focus-title">
          <h3 id="focus-title">Focus</h3>
          {focus.length === 0 ? (
            <p class="empty">Nobody is focused on anything.</p>
          ) : (
            <ul class="focus">
              {focus.map(([target, ids]) => (
                <li key={target}>
                  <code>{target}</code>: {ids.map((id) => nameOf(view, id)).join(", ")}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="warnings-title" class="warnings">
          <h3 id="warnings-title">
            Warnings <span class="count">{open.length} open</span>
          </h3>
          {warnings.length === 0 ? (
            <p class="empty">No warnings.</p>
          ) : (
            <ul>
              {warnings.map((w) => {
                const acks = Object.entries(w.acknowledgements ?? {});
                return (
                  <li key={w.warning_id} class={acks.length === 0 ? "warning open" : "warning acknowledged"} data-warning={w.warning_id}>
                    <strong>{WARNING_LABELS[w.warning_type] ?? w.warning_type}</strong>:{" "}
                    {w.participant_ids.map((id) => nameOf(view, id)).join(", ")}
                    {acks.length > 0 && (
                      <span class="acks">
                        {" "}
                        — acknowledged by {acks.map(([id, action]) => `${nameOf(view, id)} (${action})`).join(", ")}
                      </span>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </section>
        <section aria-labelledby="decisions-title">
          <h3 id="decisions-title">Decisions</h3>
          {(view.decisions ?? []).length === 0 ? (
            <p class="empty">No decisions yet.</p>
          ) : (
            <ul class="decisions">
              {(view.decisions ?? []).map((d) => (
                <li key={d.decision_id}>
                  <strong>{d.topic}</strong>: {d.chosen_option} <span class="by">({nameOf(view, d.participant_id)})</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="comments-title">
          <h3 id="comments-title">Comments</h3>
          {(view.comments ?? []).length === 0 ? (
            <p class="empty">No comments yet.</p>
          ) : (
            <ul class="comments">
              {(view.comments ?? []).map((c) => (
                <li key={c.comment_id}>
                  <span class="by">{nameOf(view, c.participant_id)}</span>: {c.content}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </section>
  );
};
