import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, liveFrameEvent, type ApiClient } from "../api/client.ts";
import type { Me, TeamRef } from "../api/types.ts";
import { LiveConnection, type SocketLike } from "../live/connection.ts";
import { ApiContext, LiveContext, useLiveState } from "./data.ts";
import { HealthPage, HomePage, Link, MissionPage, SignInPage, TimelinePage } from "./pages.tsx";
import { hrefs, navigate, useRoute, type Route } from "./router.ts";

export interface AppProps {
  readonly api: ApiClient;
  /** Opens the team WebSocket; the browser's WebSocket unless a test gives another. */
  readonly openSocket?: (url: string, protocols: ReadonlyArray<string>) => SocketLike;
}

type Session = { readonly state: "checking" } | { readonly state: "signed_out" } | { readonly state: "signed_in"; readonly me: Me };

const routeTeam = (route: Route): string | null =>
  route.page === "mission" || route.page === "timeline" || route.page === "health" ? route.team : route.page === "home" ? route.team : null;

/** The team a page is about: only ever one of the signed-in user's own teams. */
const pickTeam = (me: Me, wanted: string | null): TeamRef | null =>
  wanted === null ? (me.teams[0] ?? null) : (me.teams.find((t) => t.id === wanted) ?? null);

export const App = ({ api, openSocket = (url, protocols) => new WebSocket(url, [...protocols]) as unknown as SocketLike }: AppProps) => {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: "checking" });
  useEffect(() => {
    api.me().then(
      (me) => setSession({ state: "signed_in", me }),
      (error: unknown) => {
        if (error instanceof ApiError && error.code === "unauthorized") setSession({ state: "signed_out" });
        else setSession({ state: "signed_out" });
      },
    );
  }, [api]);

  const needsSignIn = session.state === "signed_out" && route.page !== "signin";
  useEffect(() => {
    if (needsSignIn) navigate(hrefs.signin(location.pathname + location.search), true);
  }, [needsSignIn]);

  const me = session.state === "signed_in" ? session.me : null;
  const team = me === null ? null : pickTeam(me, routeTeam(route));
  const teamId = team?.id ?? null;
  const live = useMemo(
    () =>
      teamId === null || route.page === "signin"
        ? null
        : new LiveConnection({
            url: teamId,
            // the target is read at every attempt: it carries the current access token
            openSocket: () => {
              const target = api.liveSocket(teamId, location.origin);
              if (target === null) throw new Error("signed out");
              return openSocket(target.url, target.protocols);
            },
            fetchAfter: (project, after) => api.events(project, after),
            parseFrame: liveFrameEvent,
          }),
    // a new connection per team; pages within a team share one
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [teamId, route.page === "signin", api],
  );
  useEffect(() => {
    if (live === null) return;
    // a refused upgrade may be an expired access token: any API call refreshes it before the next attempt
    const unsubscribe = live.subscribe({ onState: (state) => (state === "offline" ? void api.me().catch(() => undefined) : undefined) });
    live.start();
    return () => {
      unsubscribe();
      live.stop();
    };
  }, [live]);

  const signOut = async () => {
    try {
      await api.logout();
    } finally {
      setSession({ state: "signed_out" });
      navigate(hrefs.signin(), true);
    }
  };

  let page;
  if (route.page === "signin") {
    page = <SignInPage next={route.next} onSignedIn={(signedIn) => setSession({ state: "signed_in", me: signedIn })} />;
  } else if (me === null) {
    page = (
      <main id="main">
        <p class="loading" role="status">
          Checking your session…
        </p>
      </main>
    );
  } else if (route.page === "not_found" || team === null) {
    page = (
      <main id="main">
        <h1>Not found</h1>
        <p>
          There is nothing here for you. <Link href={hrefs.home()}>Back to your projects</Link>
        </p>
      </main>
    );
  } else if (route.page === "home") {
    page = <HomePage me={me} team={team} />;
  } else if (route.page === "mission") {
    page = <MissionPage team={team.id} project={route.project} mission={route.mission} key={`${route.project}/${route.mission}`} />;
  } else if (route.page === "timeline") {
    page = <TimelinePage team={team.id} project={route.project} mission={route.mission} key={`${route.project}/${route.mission}`} />;
  } else {
    page = <HealthPage team={team.id} project={route.project} key={route.project} />;
  }

  return (
    <ApiContext.Provider value={api}>
      <LiveContext.Provider value={live}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <Link href={hrefs.home(teamId ?? undefined)} class="brand">
            spec-kitty
          </Link>
          {team !== null && <span class="team">{team.name}</span>}
          <LiveBadge />
          {me !== null && (
            <span class="user">
              <span class="email">{me.email}</span>
              <button type="button" class="secondary" onClick={() => void signOut()}>
                Sign out
              </button>
            </span>
          )}
        </header>
        {page}
      </LiveContext.Provider>
    </ApiContext.Provider>
  );
};

const LiveBadge = () => {
  const state = useLiveState();
  if (state === null) return null;
  const text = state === "open" ? "Live" : state === "connecting" ? "Connecting…" : "Offline, reconnecting";
  return (
    <span class={`live live-${state}`} role="status" data-live={state}>
      {text}
    </span>
  );
};
