import type { SyncHealth } from "../api/types.ts";
import { timestamp } from "./format.ts";

/** Sync health of a project: each node's last event, events per hour, and what was quarantined and why. */
export const HealthPanel = ({ health }: { readonly health: SyncHealth }) => {
  const peak = Math.max(1, ...health.events_per_hour.map((h) => h.count));
  return (
    <section class="health" aria-labelledby="health-title">
      <h2 id="health-title">Sync health</h2>
      <section aria-labelledby="nodes-title">
        <h3 id="nodes-title">Nodes ({health.nodes.length})</h3>
        <div class="table-wrap">
          <table class="nodes">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Developer</th>
                <th scope="col">Last event</th>
                <th scope="col">Lamport</th>
                <th scope="col">At</th>
              </tr>
            </thead>
            <tbody>
              {health.nodes.map((n) => (
                <tr key={n.node_id} data-node={n.node_id}>
                  <td>
                    <code>{n.node_id}</code>
                  </td>
                  <td>{n.developer_name ?? "—"}</td>
                  <td>
                    {n.last_event_type} <code class="muted">{n.last_event_id}</code>
                  </td>
                  <td>{n.last_lamport_clock}</td>
                  <td>{timestamp(n.last_event_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="rate-title">
        <h3 id="rate-title">Events per hour</h3>
        {health.events_per_hour.length === 0 ? (
          <p class="empty">No events yet.</p>
        ) : (
          <ul class="rate">
            {health.events_per_hour.map((h) => (
              <li key={h.hour}>
                <span class="hour">{timestamp(h.hour)}</span>
                <span class="bar" style={{ width: `${Math.round((h.count / peak) * 100)}%` }} aria-hidden="true" />
                <span class="n">{h.count}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="quarantine-title">
        <h3 id="quarantine-title">Quarantined events ({health.quarantined.length})</h3>
        {health.quarantined.length === 0 ? (
          <p class="empty">Nothing quarantined.</p>
        ) : (
          <ul class="quarantine">
            {health.quarantined.map((q) => (
              <li key={q.event_id} data-quarantined={q.event_id}>
                <strong>{q.event_type ?? "(no type)"}</strong> <code>{q.event_id}</code> received {timestamp(q.received_at)}
                <ul class="violations">
                  {q.violations.map((v, i) => (
                    <li key={i}>
                      <code>{v.field}</code>: {v.message}
                    </li>
                  ))}
                </ul>
                <details>
                  <summary>Raw envelope</summary>
                  <pre>{JSON.stringify(q.envelope, null, 2)}</pre>
                </details>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
};
