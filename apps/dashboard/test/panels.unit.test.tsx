// @vitest-environment happy-dom
import { render } from "preact";
import { afterEach, describe, expect, it } from "vitest";
import type { CollaborationView, StoredEvent, SyncHealth } from "../src/api/types.ts";
import { CollaborationPanel } from "../src/ui/collaboration.tsx";
import { HealthPanel } from "../src/ui/health.tsx";
import { lamportOrder, Timeline } from "../src/ui/timeline.tsx";
import { durationSince, eventActor, wpOf } from "../src/ui/format.ts";

let root: HTMLElement;
const mount = (node: preact.ComponentChild) => {
  root = document.createElement("div");
  document.body.append(root);
  render(node, root);
  return root;
};
afterEach(() => {
  render(null, root);
  root.remove();
});

const view: CollaborationView = {
  mission_id: "m",
  participants: {
    a: { participant_id: "a", participant_type: "human", display_name: "Ann" },
    b: { participant_id: "b", participant_type: "llm_context", display_name: "Bot" },
  },
  active_drivers: ["b"],
  participants_by_focus: { "wp:WP03": ["a", "b"] },
  warnings: [
    { warning_id: "w1", event_id: "e1", warning_type: "ConcurrentDriverWarning", participant_ids: ["a", "b"], acknowledgements: {} },
    { warning_id: "w2", event_id: "e2", warning_type: "PotentialStepCollisionDetected", participant_ids: ["b"], acknowledgements: { a: "continue" } },
  ],
  decisions: [{ decision_id: "d", event_id: "e3", participant_id: "a", topic: "DB", chosen_option: "postgres" }],
  comments: [{ comment_id: "c", event_id: "e4", participant_id: "b", content: "done with WP03" }],
};

describe("CollaborationPanel", () => {
  it("shows participants with their type, drivers, focus, open and acknowledged warnings, decisions and comments", () => {
    const el = mount(<CollaborationPanel view={view} />);
    const people = [...el.querySelectorAll(".participants li")].map((li) => li.textContent);
    expect(people).toEqual(["Ann human", "Bot agentdriving"]);
    expect(el.querySelector(".focus")!.textContent).toBe("wp:WP03: Ann, Bot");
    const open = el.querySelector('.warning[data-warning="w1"]')!;
    expect(open.className).toBe("warning open");
    expect(open.textContent).toBe("Concurrent drivers: Ann, Bot");
    const acked = el.querySelector('.warning[data-warning="w2"]')!;
    expect(acked.className).toBe("warning acknowledged");
    expect(acked.textContent).toContain("Step collision: Bot — acknowledged by Ann (continue)");
    expect(el.querySelector("#warnings-title")!.textContent).toContain("1 open");
    expect(el.querySelector(".decisions")!.textContent).toBe("DB: postgres (Ann)");
    expect(el.querySelector(".comments")!.textContent).toBe("Bot: done with WP03");
  });

  it("says so when a mission has no collaboration yet", () => {
    const el = mount(<CollaborationPanel view={{ mission_id: "m" }} />);
    expect(el.querySelectorAll(".empty")).toHaveLength(4);
    expect(el.querySelector("#participants-title")!.textContent).toBe("Participants (0)");
  });
});

const stored = (n: number, lamport: number, node: string, type: string, payload: Record<string, unknown>): StoredEvent => ({
  cursor: String(n),
  project_uuid: "p",
  received_at: "2026-12-01T00:00:00Z",
  envelope: { event_id: `E${n}`, event_type: type, aggregate_id: "m", payload, timestamp: "2026-12-01T00:00:00Z", node_id: node, lamport_clock: lamport },
});

describe("Timeline", () => {
  const events = [
    stored(1, 5, "n2", "WPStatusChanged", { wp_id: "WP01", actor: "claude", to_lane: "claimed" }),
    stored(2, 2, "n1", "WPCreated", { wp_id: "WP01", title: "a" }),
    stored(3, 5, "n1", "WPStatusChanged", { wp_id: "WP02", actor: { role: "implementer", profile: "codex" }, to_lane: "claimed" }),
    stored(4, 9, "n1", "CommentPosted", { participant_id: "p-ann", content: "hi" }),
  ];

  it("orders by Lamport clock, then node id", () => {
    expect(lamportOrder(events).map((e) => e.envelope.event_id)).toEqual(["E2", "E3", "E1", "E4"]);
  });

  it("filters by type, work package and actor, and shows the raw envelope on demand", () => {
    const el = mount(<Timeline events={events} />);
    const ids = () => [...el.querySelectorAll(".event")].map((li) => li.querySelector(".lamport")!.textContent);
    expect(ids()).toEqual(["2", "5", "5", "9"]);
    const select = (name: string, value: string) => {
      const s = el.querySelector(`select[name="${name}"]`) as HTMLSelectElement;
      s.value = value;
      s.dispatchEvent(new Event("change", { bubbles: true }));
    };
    const options = (name: string) => [...el.querySelectorAll(`select[name="${name}"] option`)].map((o) => o.textContent);
    expect(options("actor")).toEqual(["All", "claude", "codex", "n1", "p-ann"]);
    select("type", "WPStatusChanged");
    return Promise.resolve().then(async () => {
      await new Promise((r) => setTimeout(r, 0));
      expect(el.querySelectorAll(".event")).toHaveLength(2);
      select("wp", "WP01");
      await new Promise((r) => setTimeout(r, 0));
      expect(el.querySelectorAll(".event")).toHaveLength(1);
      expect(el.querySelector(".count")!.textContent).toBe("1 of 4 events");
      select("actor", "codex");
      await new Promise((r) => setTimeout(r, 0));
      expect(el.querySelectorAll(".event")).toHaveLength(0);
      select("wp", "");
      await new Promise((r) => setTimeout(r, 0));
      expect(el.querySelectorAll(".event")).toHaveLength(1);
      expect(JSON.parse(el.querySelector(".event pre")!.textContent!)).toMatchObject({ event_id: "E3" });
    });
  });
});

describe("HealthPanel", () => {
  it("lists nodes, events per hour scaled to the busiest hour, and quarantined events with their violations", () => {
    const health: SyncHealth = {
      project_uuid: "p",
      nodes: [{ node_id: "abc", developer_name: "ann", last_event_id: "E9", last_event_type: "WPStatusChanged", last_event_at: "2026-12-01T10:00:00Z", last_lamport_clock: 9 }],
      events_per_hour: [
        { hour: "2026-12-01T09:00:00Z", count: 5 },
        { hour: "2026-12-01T10:00:00Z", count: 10 },
      ],
      quarantined: [{ event_id: "Q1", event_type: "WPStatusChanged", received_at: "2026-12-01T10:00:00Z", violations: [{ field: "payload.to_lane", message: "unknown lane 'doing2'" }], envelope: { x: 1 } }],
    };
    const el = mount(<HealthPanel health={health} />);
    expect(el.querySelector('tr[data-node="abc"]')!.textContent).toContain("WPStatusChanged");
    expect([...el.querySelectorAll(".rate .bar")].map((b) => (b as HTMLElement).style.width)).toEqual(["50%", "100%"]);
    expect(el.querySelector('[data-quarantined="Q1"] .violations')!.textContent).toBe("payload.to_lane: unknown lane 'doing2'");
  });
});

describe("format", () => {
  it("measures time in lane and names the actor and work package of an event", () => {
    const now = Date.parse("2026-12-03T12:00:00Z");
    expect(durationSince("2026-12-03T11:59:30Z", now)).toBe("30 s");
    expect(durationSince("2026-12-03T11:00:00Z", now)).toBe("1 h");
    expect(durationSince("2026-11-30T12:00:00Z", now)).toBe("3 d");
    expect(durationSince(null, now)).toBe("—");
    expect(eventActor({ actor: { role: "r", profile: "codex" } }, "n")).toBe("codex");
    expect(eventActor({}, "node1")).toBe("node1");
    expect(wpOf({ focus_target: { target_type: "wp", target_id: "WP09" } }, "m")).toBe("WP09");
    expect(wpOf({}, "WP03", "WorkPackage")).toBe("WP03");
    expect(wpOf({}, "m", "Mission")).toBeNull();
  });
});
