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
