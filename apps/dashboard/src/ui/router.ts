/**
 * A minimal history router: routes are plain paths (the server answers every non-API path with
 * index.html), so any page's address can be opened, bookmarked and shared.
 */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { readonly page: "signin"; readonly next: string | null }
  | { readonly page: "home"; readonly team: string | null }
  | { readonly page: "mission"; readonly team: string; readonly project: string; readonly mission: string }
  | { readonly page: "timeline"; readonly team: string; readonly project: string; readonly mission: string }
  | { readonly page: "health"; readonly team: string; readonly project: string }
  | { readonly page: "not_found"; readonly path: string };

const seg = "([^/]+)";
const MISSION = new RegExp(`^/teams/${seg}/projects/${seg}/missions/${seg}/?$`);
const TIMELINE = new RegExp(`^/teams/${seg}/projects/${seg}/missions/${seg}/timeline/?$`);
const HEALTH = new RegExp(`^/teams/${seg}/projects/${seg}/health/?$`);

const dec = (s: string | undefined): string => decodeURIComponent(s ?? "");

export const parseRoute = (pathname: string, search: string): Route => {
  const query = new URLSearchParams(search);
  if (pathname === "/" || pathname === "") return { page: "home", team: query.get("team") };
  if (pathname === "/signin") return { page: "signin", next: query.get("next") };
  let m = MISSION.exec(pathname);
  if (m !== null) return { page: "mission", team: dec(m[1]), project: dec(m[2]), mission: dec(m[3]) };
  m = TIMELINE.exec(pathname);
  if (m !== null) return { page: "timeline", team: dec(m[1]), project: dec(m[2]), mission: dec(m[3]) };
  m = HEALTH.exec(pathname);
  if (m !== null) return { page: "health", team: dec(m[1]), project: dec(m[2]) };
  return { page: "not_found", path: pathname };
};

const e = encodeURIComponent;
export const hrefs = {
  home: (team?: string) => (team === undefined ? "/" : `/?team=${e(team)}`),
  signin: (next?: string) => (next === undefined ? "/signin" : `/signin?next=${e(next)}`),
  mission: (team: string, project: string, mission: string) => `/teams/${e(team)}/projects/${e(project)}/missions/${e(mission)}`,
  timeline: (team: string, project: string, mission: string) =>
    `/teams/${e(team)}/projects/${e(project)}/missions/${e(mission)}/timeline`,
  health: (team: string, project: string) => `/teams/${e(team)}/projects/${e(project)}/health`,
};

export const navigate = (href: string, replace = false): void => {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  dispatchEvent(new PopStateEvent("popstate"));
};

/** The current route; re-renders on navigation. */
export const useRoute = (): Route => {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const onPop = () => setRoute(read());
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  return route;
};

/** A same-page link: plain <a href> for keyboard and middle-click, intercepted for in-app navigation. */
export const onLinkClick = (event: MouseEvent): void => {
  const anchor = (event.currentTarget as HTMLAnchorElement | null) ?? null;
  if (anchor === null || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute("href") ?? "/");
};
