// @vitest-environment happy-dom
import { render } from "preact";
import { afterEach, describe, expect, it } from "vitest";
import { BOARD_LANES } from "../src/api/lanes.ts";
import type { BoardCard, DisplayLane, MissionBoard } from "../src/api/types.ts";
import { Board, groupByLane } from "../src/ui/board.tsx";

const card = (wp: string, lane: DisplayLane, extra: Partial<BoardCard> = {}): BoardCard => ({
  wp_id: wp,
  title: `Title ${wp}`,
  lane,
  actor: "claude",
  entered_lane_at: "2026-12-01T10:00:00Z",
  review_state: null,
  blocked_reason: null,
  dependencies: [],
  ...extra,
});

const board = (cards: ReadonlyArray<BoardCard>): MissionBoard => ({
  project_uuid: "p",
  mission_id: "m",
  mission_slug: "042-x",
  friendly_name: "X",
  cards,
});

const NOW = Date.parse("2026-12-01T12:05:00Z");
let root: HTMLElement;
const mount = (b: MissionBoard) => {
  root = document.createElement("div");
  document.body.append(root);
  render(<Board board={b} now={NOW} />, root);
  return root;
};
afterEach(() => {
  render(null, root);
  root.remove();
});

describe("Board", () => {
  it("renders one column per display lane in FSM order, even when empty", () => {
    const el = mount(board([]));
    expect([...el.querySelectorAll(".lane")].map((l) => l.getAttribute("data-lane"))).toEqual([...BOARD_LANES]);
    expect(el.querySelectorAll(".card")).toHaveLength(0);
  });

  it("puts each card in its lane, sorted by id numerically, with actor, time in lane, review and block reason", () => {
    const el = mount(
      board([
        card("WP10", "in_progress"),
        card("WP2", "in_progress"),
        card("WP03", "in_review", { review_state: "review-7" }),
        card("WP04", "blocked", { blocked_reason: "needs a key", actor: "alice" }),
      ]),
    );
    const inProgress = el.querySelector('.lane[data-lane="in_progress"]')!;
    expect([...inProgress.querySelectorAll(".card")].map((c) => c.getAttribute("data-wp"))).toEqual(["WP2", "WP10"]);
    expect(inProgress.querySelector(".count")!.textContent).toBe("2");
    const review = el.querySelector('.card[data-wp="WP03"]')!;
    expect(review.querySelector(".badge.review")!.textContent).toBe("review-7");
    const blocked = el.querySelector('.lane[data-lane="blocked"] .card')!;
    expect(blocked.querySelector(".blocked-reason")!.textContent).toBe("needs a key");
    expect(blocked.querySelector(".card-meta")!.textContent).toContain("alice");
    expect(blocked.querySelector(".card-meta")!.textContent).toContain("2 h 5 min");
  });

  it("labels every card and ties its dependency tooltip to it", () => {
    const el = mount(board([card("WP05", "planned", { dependencies: ["WP01", "WP02"] }), card("WP06", "planned")]));
    const withDeps = el.querySelector('.card[data-wp="WP05"]')!;
    expect(withDeps.getAttribute("tabindex")).toBe("0");
    expect(withDeps.getAttribute("aria-label")).toBe("WP05 Title WP05, Planned");
    const tip = el.querySelector(`#${withDeps.getAttribute("aria-describedby")}`)!;
    expect(tip.textContent).toBe("Depends on WP01, WP02");
    expect(el.querySelector('.card[data-wp="WP06"]')!.hasAttribute("aria-describedby")).toBe(false);
  });

  it("renders a 200-WP mission with every card once", () => {
    const cards = Array.from({ length: 200 }, (_, i) => card(`WP${i + 1}`, BOARD_LANES[i % BOARD_LANES.length]!));
    const el = mount(board(cards));
    expect(el.querySelectorAll(".card")).toHaveLength(200);
    const grouped = groupByLane(cards);
    for (const lane of BOARD_LANES) {
      expect(el.querySelectorAll(`.lane[data-lane="${lane}"] .card`)).toHaveLength(grouped.get(lane)!.length);
    }
  });

  it("drops a card whose lane is not a display lane instead of inventing a column", () => {
    const el = mount(board([card("WP01", "planned"), { ...card("WP02", "planned"), lane: "doing" as DisplayLane }]));
    expect(el.querySelectorAll(".card")).toHaveLength(1);
    expect(el.querySelectorAll(".lane")).toHaveLength(9);
  });
});
