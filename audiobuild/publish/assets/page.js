// The listening page's enhancements only: the page works without them (see page.py).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-start]");
  if (!link || event.button || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  const audio = link.closest("article").querySelector("audio");
  const seek = () => { audio.currentTime = Number(link.dataset.start); audio.play().catch(() => {}); };
  if (audio.readyState) seek();
  else { audio.addEventListener("loadedmetadata", seek, { once: true }); audio.load(); }
});
// One episode at a time.
document.addEventListener("play", (event) => {
  for (const audio of document.querySelectorAll("audio")) if (audio !== event.target) audio.pause();
}, true);
for (const article of document.querySelectorAll("article")) {
  const audio = article.querySelector("audio");
  const caption = article.querySelector(".caption");
  const chapters = [...article.querySelectorAll("ol.chapters a")];
  // Browsers draw no captions for <audio>: show the sentence being spoken under the player.
  for (const track of audio.textTracks) {
    track.addEventListener("cuechange", () => {
      const cue = track.activeCues[0];
      caption.textContent = cue ? cue.getCueAsHTML().textContent : "";
    });
  }
  audio.addEventListener("timeupdate", () => {
    const current = chapters.filter((link) => Number(link.dataset.start) <= audio.currentTime).pop();
    for (const link of chapters) link.toggleAttribute("aria-current", link === current);
  });
}
const copy = document.getElementById("copy_feed_url");
copy.hidden = false;
copy.addEventListener("click", async () => {
  const url = document.getElementById("feed_url");
  try {
    await navigator.clipboard.writeText(url.textContent);
  } catch {  // no clipboard API outside secure contexts, e.g. http:// on the local network
    getSelection().selectAllChildren(url);
    document.execCommand("copy");
  }
  copy.textContent = "Copied";
  setTimeout(() => { copy.textContent = "Copy"; }, 2000);
});
// The inbox (`audiobuild serve --inbox`), only when the page was opened through its link: the token is in the
// fragment, which is never sent to a server; it goes out in an Authorization header only, never in a cookie.
const inboxToken = new URLSearchParams(location.hash.slice(1)).get("inbox");
if (inboxToken) {
  const section = document.getElementById("inbox");
  const form = document.getElementById("inbox_form");
  const status = document.getElementById("inbox_status");
  const list = document.getElementById("inbox_items");
  const auth = { Authorization: `Bearer ${inboxToken}` };
  section.hidden = false;
  // Installable, with a Web Share Target that posts to the inbox (browsers allow it on HTTPS or localhost).
  const manifest = document.createElement("link");
  manifest.rel = "manifest";
  manifest.href = `inbox/manifest.webmanifest?token=${encodeURIComponent(inboxToken)}`;
  document.head.append(manifest);
  const bookmarklet = document.getElementById("inbox_bookmarklet");
  const target = `${location.origin}${location.pathname}?add=`;
  bookmarklet.href = `javascript:location.href=${JSON.stringify(target)}+encodeURIComponent(location.href)` +
    `+${JSON.stringify(`#inbox=${inboxToken}`)}`;

  const refresh = async () => {
    let response;
    try {
      response = await fetch("inbox", { headers: auth, cache: "no-store" });
    } catch {
      status.textContent = "The server does not answer.";
      return;
    }
    if (!response.ok) {
      status.textContent = response.status === 403 ? "This inbox link is no longer valid."
        : "This server takes no articles (serve it with --inbox).";
      return;
    }
    const { items } = await response.json();
    list.replaceChildren(...items.map((item) => {
      const entry = document.createElement("li");
      entry.dataset.state = item.state;
      entry.dataset.id = item.id;
      const name = document.createElement("span");
      name.textContent = item.title || item.url;
      const state = document.createElement("b");
      state.textContent = item.state;
      entry.append(state, " ", name);
      if (item.error) entry.append(`: ${item.error}`);
      return entry;
    }));
  };
  const add = async (fields) => {
    status.textContent = "Sending…";
    const response = await fetch("inbox", {
      method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(fields),
    });
    const answer = await response.json().catch(() => ({}));
    status.textContent = response.ok ? "Added: it is in the feed once built." : answer.error || `Refused (${response.status})`;
    await refresh();
    return response.ok;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries([...new FormData(form)].filter(([, value]) => value.trim()));
    if (!fields.url && !fields.text) {
      status.textContent = "Give a web address or a text.";
      return;
    }
    if (await add(fields)) form.reset();
  });
  // The bookmarklet's ?add=URL: posted by this script (a GET adds nothing), then dropped from the address.
  const shared = new URLSearchParams(location.search).get("add");
  if (shared) {
    history.replaceState(null, "", location.pathname + location.hash);
    document.getElementById("inbox_url").value = shared;
    add({ url: shared }).then((ok) => { if (ok) form.reset(); });
  }
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, 2000);
}
