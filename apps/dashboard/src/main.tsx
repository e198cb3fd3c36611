import { render } from "preact";
import { makeApiClient, sessionTokenStore } from "./api/client.ts";
import { App } from "./ui/app.tsx";

const root = document.getElementById("app");
if (root === null) throw new Error("index.html has no #app element");
render(<App api={makeApiClient(sessionTokenStore(sessionStorage))} />, root);
